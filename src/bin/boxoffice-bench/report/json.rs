//! The `--json` document: the fields CI reads first, then the details.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;
use serde::Serialize;

use super::{Report, Verdict, per_sec, round3};

impl Report {
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

/// p50, p99 and max of a latency histogram, in milliseconds.
#[derive(Debug, Serialize)]
pub(crate) struct Latency {
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

impl Latency {
    pub(crate) fn of(histogram_us: &Histogram<u64>) -> Self {
        let ms = |us: u64| round3(us as f64 / 1000.0);
        Self {
            p50: ms(histogram_us.value_at_quantile(0.5)),
            p99: ms(histogram_us.value_at_quantile(0.99)),
            max: ms(histogram_us.max()),
        }
    }
}
