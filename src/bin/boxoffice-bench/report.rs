//! The verdict of a run: the numbers per endpoint, the errors, the invariants, the text
//! printed at the end and the `--json` document.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::invariants::Check;
use crate::scenarios::{Outcome, RunResult};
use crate::stats::{Endpoint, ErrorKey, latency_histogram};

/// What the run was asked to do, for the report's header.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RunShape {
    pub scenario: &'static str,
    pub users: u32,
    pub concurrency: u32,
}

#[derive(Debug)]
pub(crate) struct Report {
    shape: RunShape,
    /// Name and wall time of every phase, setup included, in order.
    phases: Vec<(&'static str, Duration)>,
    setup: Duration,
    /// The measured phases: everything but setup.
    measured: Duration,
    endpoints: Vec<EndpointRow>,
    errors: BTreeMap<(Endpoint, ErrorKey), u64>,
    outcomes: BTreeMap<Outcome, u64>,
    admission_wait_us: Histogram<u64>,
    checks: Vec<Check>,
    /// Why the database checks could not run.
    check_error: Option<String>,
}

#[derive(Debug)]
struct EndpointRow {
    endpoint: Endpoint,
    count: u64,
    /// Wall time of the phases this endpoint was used in, for its rate.
    active: Duration,
    latency_us: Histogram<u64>,
}

/// How the process should exit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Passed,
    /// An invariant broke or a request got a 5xx or no answer.
    Failed,
    /// The database checks could not run.
    Incomplete,
}

impl Report {
    /// `database` is `None` without `--database-url`.
    pub(crate) fn new(
        shape: RunShape,
        run: RunResult,
        database: Option<anyhow::Result<Vec<Check>>>,
    ) -> Self {
        let mut rows: BTreeMap<Endpoint, EndpointRow> = BTreeMap::new();
        let mut errors = BTreeMap::new();
        let (mut setup, mut measured) = (Duration::ZERO, Duration::ZERO);
        for phase in &run.phases {
            if phase.is_setup {
                setup += phase.elapsed;
            } else {
                measured += phase.elapsed;
            }
            for (&endpoint, stats) in &phase.stats.endpoints {
                let row = rows.entry(endpoint).or_insert_with(|| EndpointRow {
                    endpoint,
                    count: 0,
                    active: Duration::ZERO,
                    latency_us: latency_histogram(),
                });
                row.count += stats.count;
                row.active += phase.elapsed;
                // Both histograms share the same bounds, so adding cannot fail.
                let _ = row.latency_us.add(&stats.latency_us);
            }
            for (key, count) in &phase.stats.errors {
                *errors.entry(key.clone()).or_default() += count;
            }
        }

        let mut checks = run.checks;
        let mut check_error = None;
        match database {
            Some(Ok(database_checks)) => checks.extend(database_checks),
            Some(Err(err)) => check_error = Some(format!("{err:#}")),
            None => {}
        }

        Self {
            shape,
            phases: run.phases.iter().map(|p| (p.name, p.elapsed)).collect(),
            setup,
            measured,
            endpoints: rows.into_values().collect(),
            errors,
            outcomes: run.outcomes,
            admission_wait_us: run.admission_wait_us,
            checks,
            check_error,
        }
    }

    pub(crate) fn verdict(&self) -> Verdict {
        if self.check_error.is_some() {
            Verdict::Incomplete
        } else if self.fatal_errors() > 0 || self.checks.iter().any(|check| !check.ok) {
            Verdict::Failed
        } else {
            Verdict::Passed
        }
    }

    fn fatal_errors(&self) -> u64 {
        self.errors
            .iter()
            .filter(|((_, key), _)| key.is_fatal())
            .map(|(_, count)| count)
            .sum()
    }

    fn purchases(&self) -> u64 {
        self.outcomes.get(&Outcome::Purchased).copied().unwrap_or(0)
    }

    /// The `--json` document.
    pub(crate) fn to_json(&self) -> JsonReport<'_> {
        let mut errors = BTreeMap::new();
        let mut errors_by_endpoint: BTreeMap<&str, BTreeMap<String, u64>> = BTreeMap::new();
        for ((endpoint, key), &count) in &self.errors {
            *errors.entry(key.to_string()).or_default() += count;
            *errors_by_endpoint
                .entry(endpoint.as_str())
                .or_default()
                .entry(key.to_string())
                .or_default() += count;
        }
        JsonReport {
            scenario: self.shape.scenario,
            users: self.shape.users,
            concurrency: self.shape.concurrency,
            duration_secs: round3(self.measured.as_secs_f64()),
            setup_secs: round3(self.setup.as_secs_f64()),
            phases_secs: self
                .phases
                .iter()
                .map(|(name, elapsed)| (*name, round3(elapsed.as_secs_f64())))
                .collect(),
            purchases: self.purchases(),
            purchases_per_sec: round3(per_sec(self.purchases(), self.measured)),
            requests: self
                .endpoints
                .iter()
                .map(|row| {
                    let rate = RequestRate {
                        count: row.count,
                        per_sec: round3(per_sec(row.count, row.active)),
                    };
                    (row.endpoint.as_str(), rate)
                })
                .collect(),
            latency_ms: self
                .endpoints
                .iter()
                .map(|row| (row.endpoint.as_str(), Latency::of(&row.latency_us)))
                .collect(),
            errors,
            errors_by_endpoint,
            outcomes: self
                .outcomes
                .iter()
                .map(|(outcome, &count)| (outcome.as_str(), count))
                .collect(),
            admission_wait_ms: (!self.admission_wait_us.is_empty())
                .then(|| Latency::of(&self.admission_wait_us)),
            invariants: self
                .checks
                .iter()
                .map(|check| (check.name, check.ok))
                .collect(),
            invariant_details: self
                .checks
                .iter()
                .map(|check| (check.name, check.detail.as_str()))
                .collect(),
            invariant_error: self.check_error.as_deref(),
            passed: self.verdict() == Verdict::Passed,
        }
    }
}

/// The `--json` document; the first fields are the ones CI reads.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct JsonReport<'a> {
    scenario: &'static str,
    users: u32,
    concurrency: u32,
    /// Wall time of the measured phases, setup excluded.
    duration_secs: f64,
    purchases: u64,
    /// Purchases over `duration_secs`.
    purchases_per_sec: f64,
    requests: BTreeMap<&'static str, RequestRate>,
    latency_ms: BTreeMap<&'static str, Latency>,
    /// Keyed `"<status> <code>"`, or `"transport <kind>"` for requests with no answer.
    errors: BTreeMap<String, u64>,
    invariants: BTreeMap<&'static str, bool>,
    setup_secs: f64,
    phases_secs: BTreeMap<&'static str, f64>,
    errors_by_endpoint: BTreeMap<&'static str, BTreeMap<String, u64>>,
    outcomes: BTreeMap<&'static str, u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    admission_wait_ms: Option<Latency>,
    invariant_details: BTreeMap<&'static str, &'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    invariant_error: Option<&'a str>,
    passed: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RequestRate {
    count: u64,
    /// Over the phases the endpoint was used in.
    per_sec: f64,
}

#[derive(Debug, Serialize)]
struct Latency {
    p50: f64,
    p99: f64,
    max: f64,
}

impl Latency {
    fn of(histogram_us: &Histogram<u64>) -> Self {
        let ms = |us: u64| round3(us as f64 / 1000.0);
        Self {
            p50: ms(histogram_us.value_at_quantile(0.5)),
            p99: ms(histogram_us.value_at_quantile(0.99)),
            max: ms(histogram_us.max()),
        }
    }
}

fn per_sec(count: u64, over: Duration) -> f64 {
    if over.is_zero() {
        0.0
    } else {
        count as f64 / over.as_secs_f64()
    }
}

/// Three decimals are more than any of these numbers can honestly claim.
fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let RunShape {
            scenario,
            users,
            concurrency,
        } = self.shape;
        writeln!(
            f,
            "boxoffice-bench {scenario}: {users} users, {concurrency} requests in flight"
        )?;
        let phases: Vec<String> = self
            .phases
            .iter()
            .map(|(name, elapsed)| format!("{name} {:.2} s", elapsed.as_secs_f64()))
            .collect();
        writeln!(f, "phases: {}", phases.join(", "))?;

        writeln!(
            f,
            "\n{:<12} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "endpoint", "requests", "req/s", "p50 ms", "p99 ms", "max ms"
        )?;
        for row in &self.endpoints {
            let latency = Latency::of(&row.latency_us);
            writeln!(
                f,
                "{:<12} {:>9} {:>9.1} {:>9.2} {:>9.2} {:>9.2}",
                row.endpoint.as_str(),
                row.count,
                per_sec(row.count, row.active),
                latency.p50,
                latency.p99,
                latency.max
            )?;
        }

        if !self.errors.is_empty() {
            writeln!(f, "\nerrors")?;
            for ((endpoint, key), count) in &self.errors {
                let mark = if key.is_fatal() {
                    "  <- fails the run"
                } else {
                    ""
                };
                writeln!(
                    f,
                    "  {:<12} {:<32} {count:>7}{mark}",
                    endpoint.as_str(),
                    key
                )?;
            }
        }

        writeln!(f, "\nusers")?;
        for (outcome, count) in &self.outcomes {
            writeln!(f, "  {:<14} {count:>7}", outcome.as_str())?;
        }
        if !self.admission_wait_us.is_empty() {
            let wait = Latency::of(&self.admission_wait_us);
            writeln!(
                f,
                "queue wait: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
                wait.p50, wait.p99, wait.max
            )?;
        }
        if scenario == "purchase" {
            writeln!(
                f,
                "purchases: {} ({:.1}/s)",
                self.purchases(),
                per_sec(self.purchases(), self.measured)
            )?;
        }

        if !self.checks.is_empty() || self.check_error.is_some() {
            writeln!(f, "\ninvariants")?;
            for check in &self.checks {
                let mark = if check.ok { "ok" } else { "BROKEN" };
                writeln!(f, "  {mark:<7} {:<26} {}", check.name, check.detail)?;
            }
            if let Some(err) = &self.check_error {
                writeln!(f, "  could not check the database: {err}")?;
            }
        }

        writeln!(f)?;
        match self.verdict() {
            Verdict::Passed => writeln!(f, "PASS"),
            Verdict::Incomplete => writeln!(f, "INCOMPLETE: the database checks did not run"),
            Verdict::Failed => {
                let mut reasons = Vec::new();
                let fatal = self.fatal_errors();
                if fatal > 0 {
                    reasons.push(format!("{fatal} requests got a 5xx or no answer"));
                }
                for check in self.checks.iter().filter(|check| !check.ok) {
                    reasons.push(format!("{} broken", check.name));
                }
                writeln!(f, "FAIL: {}", reasons.join("; "))
            }
        }
    }
}

#[cfg(test)]
mod tests;
