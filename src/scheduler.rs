//! Background tasks of every instance: queue promotion and hold expiry. Each survives
//! store errors (logs, backs off, carries on) and stops when told to.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep_until};

use crate::services::ServiceResult;
use crate::services::booking::BookingService;
use crate::services::queue::QueueService;

const MIN_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Runs a promotion tick every `tick_ms` (following runtime changes) until `stop` is set.
pub fn spawn_promoter(
    queue: QueueService,
    initial_tick_ms: u64,
    stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    spawn_periodic(
        "queue promotion",
        Duration::from_millis(initial_tick_ms),
        stop,
        move || {
            let queue = queue.clone();
            async move {
                let outcome = queue.promote().await?;
                Ok(Some(Duration::from_millis(outcome.dials.tick_ms.max(10))))
            }
        },
    )
}

/// Every `interval_ms` until `stop` is set: marks unpaid holds `expired` and brings the
/// durable unsold-seat counts of recent sales up to date. Idempotent, so every instance
/// runs it.
pub fn spawn_hold_sweeper(
    booking: BookingService,
    interval_ms: u64,
    stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    spawn_periodic(
        "hold sweep",
        Duration::from_millis(interval_ms.max(10)),
        stop,
        move || {
            let booking = booking.clone();
            async move {
                let expired = booking.expire_holds().await?;
                if expired > 0 {
                    metrics::counter!("holds_expired_total").increment(expired);
                }
                booking.refresh_left_seats().await?;
                Ok(None)
            }
        },
    )
}

/// Runs `step` at a steady interval (measured from each start, so a slow step does not
/// push the schedule back) until `stop` is set. A step may return a new interval; a
/// failing step is logged and retried after a doubling back-off.
fn spawn_periodic<F, Fut>(
    what: &'static str,
    mut interval: Duration,
    mut stop: watch::Receiver<bool>,
    mut step: F,
) -> JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = ServiceResult<Option<Duration>>> + Send,
{
    tokio::spawn(async move {
        let mut backoff = Duration::ZERO;
        loop {
            let started = Instant::now();
            match step().await {
                Ok(next) => {
                    interval = next.unwrap_or(interval);
                    backoff = Duration::ZERO;
                }
                Err(err) => {
                    backoff = (backoff * 2).clamp(MIN_BACKOFF, MAX_BACKOFF);
                    tracing::warn!(error = ?err, retry_in = ?backoff, "{what} failed");
                }
            }
            tokio::select! {
                () = sleep_until(started + interval.max(backoff)) => {}
                _ = stop.wait_for(|stopped| *stopped) => break,
            }
        }
        tracing::debug!("{what} stopped");
    })
}
