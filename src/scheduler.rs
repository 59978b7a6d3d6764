//! Background tasks of every instance: queue promotion and hold expiry. Each
//! survives store errors (logs, backs off, carries on) and stops when told to.

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep_until};

use crate::services::booking::BookingService;
use crate::services::queue::QueueService;

const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Runs a promotion tick every `tick_ms` (following runtime changes) until `stop` is set.
pub fn spawn_promoter(
    queue: QueueService,
    initial_tick_ms: u64,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = Duration::from_millis(initial_tick_ms);
        let mut backoff = Duration::ZERO;
        loop {
            let started = Instant::now();
            match queue.promote().await {
                Ok(outcome) => {
                    tick = Duration::from_millis(outcome.dials.tick_ms.max(10));
                    backoff = Duration::ZERO;
                }
                Err(err) => {
                    backoff = (backoff * 2)
                        .max(Duration::from_millis(200))
                        .min(MAX_BACKOFF);
                    tracing::warn!(error = ?err, retry_in = ?backoff, "queue promotion failed");
                }
            }
            tokio::select! {
                () = sleep_until(started + tick.max(backoff)) => {}
                _ = stop.wait_for(|stopped| *stopped) => break,
            }
        }
        tracing::debug!("queue promoter stopped");
    })
}

/// Every `interval_ms` until `stop` is set: marks unpaid holds `expired` and brings the
/// durable unsold-seat counts of recent sales up to date. Idempotent, so every instance
/// runs it.
pub fn spawn_hold_sweeper(
    booking: BookingService,
    interval_ms: u64,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let interval = Duration::from_millis(interval_ms.max(10));
        let mut backoff = Duration::ZERO;
        loop {
            let started = Instant::now();
            let swept = match booking.expire_holds().await {
                Ok(expired) => booking.refresh_left_seats().await.map(|()| expired),
                Err(err) => Err(err),
            };
            match swept {
                Ok(expired) => {
                    backoff = Duration::ZERO;
                    if expired > 0 {
                        metrics::counter!("holds_expired_total").increment(expired);
                    }
                }
                Err(err) => {
                    backoff = (backoff * 2)
                        .max(Duration::from_millis(200))
                        .min(MAX_BACKOFF);
                    tracing::warn!(error = ?err, retry_in = ?backoff, "hold sweep failed");
                }
            }
            tokio::select! {
                () = sleep_until(started + interval.max(backoff)) => {}
                _ = stop.wait_for(|stopped| *stopped) => break,
            }
        }
        tracing::debug!("hold sweeper stopped");
    })
}
