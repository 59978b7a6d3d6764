//! The scenarios and what they share: when to stop issuing work, how each simulated user
//! ended, and the phases a run is measured in.

pub(crate) mod admission;
pub(crate) mod holds;
pub(crate) mod purchase;
pub(crate) mod queue;
pub(crate) mod queue_scale;
pub(crate) mod setup;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use crate::cli::Common;
use crate::client::Api;
use crate::invariants::Check;
use crate::stats::{Snapshot, latency_histogram};

/// How one simulated user's run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Outcome {
    /// `queue`: reached `working`.
    Admitted,
    /// `holds`: got the 201 for its seat.
    HoldWon,
    /// `holds`: got `409 seat_unavailable` for its seat.
    HoldLost,
    /// `purchase`: paid for a seat.
    Purchased,
    /// `purchase`: found no free seat; not an error.
    SoldOut,
    /// `purchase`: the server refused another hold for this user.
    HoldLimit,
    /// `purchase`: lost every seat it tried, a few times over.
    GaveUp,
    /// Still waiting in the queue after `--admit-timeout`.
    NotAdmitted,
    /// Cut short by `--duration` or Ctrl-C.
    Stopped,
    /// An unexpected answer or none (see the errors table).
    Failed,
}

impl Outcome {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Admitted => "admitted",
            Self::HoldWon => "hold_won",
            Self::HoldLost => "hold_lost",
            Self::Purchased => "purchased",
            Self::SoldOut => "sold_out",
            Self::HoldLimit => "hold_limit",
            Self::GaveUp => "gave_up",
            Self::NotAdmitted => "not_admitted",
            Self::Stopped => "stopped",
            Self::Failed => "failed",
        }
    }
}

/// When the users of a run stop issuing new requests. Cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct Limits {
    deadline: Option<Instant>,
    interrupted: Arc<AtomicBool>,
    pub admit_timeout: Duration,
    pub poll_scale: f64,
}

impl Limits {
    /// Starts the `--duration` clock now, after setup.
    pub(crate) fn start(common: &Common, interrupted: Arc<AtomicBool>) -> Self {
        Self {
            deadline: common.duration.map(|duration| Instant::now() + duration),
            interrupted,
            admit_timeout: common.admit_timeout,
            poll_scale: common.poll_scale,
        }
    }

    pub(crate) fn stopped(&self) -> bool {
        self.interrupted.load(Ordering::Relaxed)
            || self
                .deadline
                .is_some_and(|deadline| Instant::now() >= deadline)
    }

    /// The wait the server asked for, scaled by `--poll-scale`.
    pub(crate) fn poll_interval(&self, poll_after_ms: u64) -> Duration {
        let secs = poll_after_ms as f64 / 1000.0 * self.poll_scale;
        Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX)
    }

    /// Sleeps for `wait`, waking early at the deadline so a run ends on time.
    pub(crate) async fn sleep(&self, wait: Duration) {
        let wait = match self.deadline {
            Some(deadline) => wait.min(deadline.saturating_duration_since(Instant::now())),
            None => wait,
        };
        tokio::time::sleep(wait).await;
    }
}

/// A stretch of a run whose requests are reported together.
#[derive(Debug)]
pub(crate) struct Phase {
    pub name: &'static str,
    /// Creating users and the concert: reported, but not part of the run's duration.
    pub is_setup: bool,
    pub elapsed: Duration,
    pub stats: Snapshot,
}

impl Phase {
    pub(crate) fn finish(name: &'static str, is_setup: bool, api: &Api, started: Instant) -> Self {
        Self {
            name,
            is_setup,
            elapsed: started.elapsed(),
            stats: api.stats().snapshot(),
        }
    }
}

/// Everything a scenario hands to the report.
#[derive(Debug)]
pub(crate) struct RunResult {
    pub phases: Vec<Phase>,
    pub outcomes: BTreeMap<Outcome, u64>,
    /// From joining the queue to `working`, in microseconds, for admitted users.
    pub admission_wait_us: Histogram<u64>,
    /// Checks judged from the HTTP answers alone.
    pub checks: Vec<Check>,
}

impl Default for RunResult {
    fn default() -> Self {
        Self {
            phases: Vec::new(),
            outcomes: BTreeMap::new(),
            admission_wait_us: latency_histogram(),
            checks: Vec::new(),
        }
    }
}

impl RunResult {
    pub(crate) fn count(&mut self, outcome: Outcome) {
        *self.outcomes.entry(outcome).or_default() += 1;
    }

    pub(crate) fn admitted_after(&mut self, wait: Duration) {
        let micros = u64::try_from(wait.as_micros()).unwrap_or(u64::MAX);
        self.admission_wait_us.saturating_record(micros.max(1));
    }

    pub(crate) fn outcome_count(&self, outcome: Outcome) -> u64 {
        self.outcomes.get(&outcome).copied().unwrap_or(0)
    }
}
