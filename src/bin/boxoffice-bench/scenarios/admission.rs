//! Getting one user admitted: join the waiting queue, then poll as the server says until
//! the token is `working`.

use std::time::{Duration, Instant};

use crate::client::Api;
use crate::scenarios::{Limits, Outcome};
use crate::stats::Endpoint;
use crate::wire::QueueState;

/// A user who reached `working`.
#[derive(Debug)]
pub(crate) struct Admitted {
    /// The queue token for the protected routes.
    pub token: String,
    /// Scaled; how long to wait before the next heartbeat.
    pub poll_interval: Duration,
    /// From the answer to the join to the answer that said `working`.
    pub waited: Duration,
}

/// # Errors
/// The user's outcome when they were not admitted: `NotAdmitted` after `--admit-timeout`,
/// `Stopped` at the deadline, `Failed` on any unexpected answer.
pub(crate) async fn admit(api: &Api, user_id: i64, limits: &Limits) -> Result<Admitted, Outcome> {
    if limits.stopped() {
        return Err(Outcome::Stopped);
    }
    let mut answer = api
        .queue(user_id, Endpoint::QueueJoin)
        .await
        .map_err(|_| Outcome::Failed)?;
    // The wait starts once the server has placed the user, so time spent waiting for a
    // free slot inside the bench is not counted as time in the queue.
    let joined = Instant::now();
    let give_up_at = joined + limits.admit_timeout;
    loop {
        let poll_interval = limits.poll_interval(answer.poll_after_ms);
        if answer.status == QueueState::Working {
            return Ok(Admitted {
                token: answer.token,
                poll_interval,
                waited: joined.elapsed(),
            });
        }
        let left = give_up_at.saturating_duration_since(Instant::now());
        limits.sleep(poll_interval.min(left)).await;
        if limits.stopped() {
            return Err(Outcome::Stopped);
        }
        if Instant::now() >= give_up_at {
            return Err(Outcome::NotAdmitted);
        }
        answer = api
            .queue(user_id, Endpoint::QueuePoll)
            .await
            .map_err(|_| Outcome::Failed)?;
    }
}
