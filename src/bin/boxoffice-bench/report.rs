//! The verdict of a run: the numbers per endpoint, the errors, the invariants, the text
//! printed at the end (`text`) and the `--json` document (`json`).

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;

use crate::invariants::Check;
use crate::scenarios::{Outcome, RunResult};
use crate::stats::{Endpoint, ErrorKey, latency_histogram};

mod json;
mod text;

pub(crate) use json::Latency;

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
}

fn per_sec(count: u64, over: Duration) -> f64 {
    if over.is_zero() {
        0.0
    } else {
        count as f64 / over.as_secs_f64()
    }
}

/// Three decimals are more than any of these numbers can honestly claim.
pub(crate) fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests;
