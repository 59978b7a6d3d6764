//! What the bench measures: request counts and latency per endpoint, and failures grouped
//! by endpoint, HTTP status and error code. One `Stats` per phase of a run.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use hdrhistogram::Histogram;

/// The endpoint labels latency is reported under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Endpoint {
    Admin,
    Charge,
    QueueJoin,
    QueuePoll,
    Schedules,
    SeatMap,
    Hold,
    Pay,
}

impl Endpoint {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Charge => "charge",
            Self::QueueJoin => "queue_join",
            Self::QueuePoll => "queue_poll",
            Self::Schedules => "schedules",
            Self::SeatMap => "seat_map",
            Self::Hold => "hold",
            Self::Pay => "pay",
        }
    }
}

/// How a request failed: an HTTP status with the error body's `code`, or no usable answer
/// at all (`status` is `None`: connect error, timeout, broken body).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct ErrorKey {
    pub status: Option<u16>,
    pub code: String,
}

impl ErrorKey {
    pub(crate) fn http(status: u16, code: impl Into<String>) -> Self {
        Self {
            status: Some(status),
            code: code.into(),
        }
    }

    pub(crate) fn transport(kind: impl Into<String>) -> Self {
        Self {
            status: None,
            code: kind.into(),
        }
    }

    /// A server fault or no answer: either fails the run, whatever the scenario expects.
    pub(crate) fn is_fatal(&self) -> bool {
        self.status.is_none_or(|status| status >= 500)
    }
}

impl fmt::Display for ErrorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "{status} {}", self.code),
            None => write!(f, "transport {}", self.code),
        }
    }
}

/// Latency is kept in microseconds from 1 µs to one hour; slower answers saturate.
const LATENCY_MAX_US: u64 = 3_600_000_000;

pub(crate) fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, LATENCY_MAX_US, 3).expect("constant histogram bounds are valid")
}

/// One endpoint's numbers within one phase.
#[derive(Clone, Debug)]
pub(crate) struct EndpointStats {
    /// Requests sent, answered or not.
    pub count: u64,
    /// Latency of the answered ones, in microseconds.
    pub latency_us: Histogram<u64>,
}

impl Default for EndpointStats {
    fn default() -> Self {
        Self {
            count: 0,
            latency_us: latency_histogram(),
        }
    }
}

/// A copy of a `Stats` taken when its phase is over.
#[derive(Clone, Debug, Default)]
pub(crate) struct Snapshot {
    pub endpoints: BTreeMap<Endpoint, EndpointStats>,
    pub errors: BTreeMap<(Endpoint, ErrorKey), u64>,
}

/// Shared by every task of a phase. One lock for everything: it is held for a histogram
/// increment, which is noise next to an HTTP round trip.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    inner: Mutex<Snapshot>,
}

impl Stats {
    pub(crate) fn answered(&self, endpoint: Endpoint, latency: Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        let mut inner = self.lock();
        let entry = inner.endpoints.entry(endpoint).or_default();
        entry.count += 1;
        entry.latency_us.saturating_record(micros.max(1));
    }

    pub(crate) fn unanswered(&self, endpoint: Endpoint, kind: &str) {
        let mut inner = self.lock();
        inner.endpoints.entry(endpoint).or_default().count += 1;
        *inner
            .errors
            .entry((endpoint, ErrorKey::transport(kind)))
            .or_default() += 1;
    }

    /// Counts a failure of a request already counted by `answered`.
    pub(crate) fn failed(&self, endpoint: Endpoint, key: ErrorKey) {
        *self.lock().errors.entry((endpoint, key)).or_default() += 1;
    }

    pub(crate) fn snapshot(&self) -> Snapshot {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Snapshot> {
        // A panicking task cannot leave the counters half-updated in a harmful way.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answered_requests_are_counted_with_their_latency() {
        let stats = Stats::default();
        for ms in 1..=100 {
            stats.answered(Endpoint::Hold, Duration::from_millis(ms));
        }
        let snapshot = stats.snapshot();
        let hold = &snapshot.endpoints[&Endpoint::Hold];
        assert_eq!(hold.count, 100);
        let p50 = hold.latency_us.value_at_quantile(0.5);
        assert!((49_900..=50_100).contains(&p50), "p50 was {p50} µs");
        let max = hold.latency_us.max();
        assert!((99_900..=100_100).contains(&max), "max was {max} µs");
    }

    #[test]
    fn unanswered_requests_count_as_requests_and_fatal_errors_without_latency() {
        let stats = Stats::default();
        stats.unanswered(Endpoint::Pay, "timeout");
        let snapshot = stats.snapshot();
        assert_eq!(snapshot.endpoints[&Endpoint::Pay].count, 1);
        assert_eq!(snapshot.endpoints[&Endpoint::Pay].latency_us.len(), 0);
        let key = ErrorKey::transport("timeout");
        assert_eq!(snapshot.errors[&(Endpoint::Pay, key.clone())], 1);
        assert!(key.is_fatal());
        assert_eq!(key.to_string(), "transport timeout");
    }

    #[test]
    fn errors_are_grouped_by_endpoint_status_and_code() {
        let stats = Stats::default();
        for _ in 0..3 {
            stats.failed(Endpoint::Hold, ErrorKey::http(409, "seat_unavailable"));
        }
        stats.failed(Endpoint::Pay, ErrorKey::http(409, "seat_unavailable"));
        stats.failed(Endpoint::Hold, ErrorKey::http(500, "internal"));
        let errors = stats.snapshot().errors;
        assert_eq!(errors.len(), 3);
        assert_eq!(
            errors[&(Endpoint::Hold, ErrorKey::http(409, "seat_unavailable"))],
            3
        );
        assert!(!ErrorKey::http(409, "seat_unavailable").is_fatal());
        assert!(ErrorKey::http(503, "not_ready").is_fatal());
    }

    #[test]
    fn sub_microsecond_and_huge_latencies_are_kept_within_bounds() {
        let stats = Stats::default();
        stats.answered(Endpoint::Admin, Duration::from_nanos(10));
        stats.answered(Endpoint::Admin, Duration::from_secs(10_000));
        let admin = &stats.snapshot().endpoints[&Endpoint::Admin];
        assert_eq!(admin.latency_us.len(), 2);
        assert!(admin.latency_us.min() >= 1);
    }
}
