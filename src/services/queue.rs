//! The waiting room: joining and polling the queue, and the promotion tick that admits
//! waiting users into working sessions.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

use crate::auth::queue_token::QueueTokens;
use crate::config::QueueSettings;
use crate::services::ServiceResult;
use crate::services::users::UserDirectory;
use crate::store::HotStore;
use crate::store::queue::{
    PromotionOutcome, PromotionParams, QueueDials, QueueDialsPatch, QueueOverview, QueueState,
};

/// Most sessions ended and idle users dropped in one tick: keeps a tick short even when a
/// crowd leaves at once; the rest go in the next ticks.
const CLEANUP_PER_TICK: u32 = 10_000;

/// What a user learns when polling the queue.
#[derive(Debug, Clone)]
pub struct QueueTicket {
    pub token: String,
    pub state: QueueState,
    pub estimated_wait_secs: u64,
    pub poll_after_ms: u64,
    pub expires_at: DateTime<Utc>,
}

/// Queue operations. Cheap to clone.
#[derive(Clone)]
pub struct QueueService {
    hot: HotStore,
    tokens: QueueTokens,
    users: UserDirectory,
    settings: Arc<QueueSettings>,
    token_ttl_secs: u64,
    /// The latest tick this instance ran (its counts are shared by all instances through
    /// the hot store): the base of wait estimates.
    last_tick: Arc<Mutex<Option<PromotionOutcome>>>,
}

impl QueueService {
    pub fn new(
        hot: HotStore,
        tokens: QueueTokens,
        users: UserDirectory,
        settings: QueueSettings,
        token_ttl_secs: u64,
    ) -> Self {
        Self {
            hot,
            tokens,
            users,
            settings: Arc::new(settings),
            token_ttl_secs,
            last_tick: Arc::default(),
        }
    }

    /// Seed endpoint 1: the user's token and place, creating both on the first call.
    /// Every call is a heartbeat.
    ///
    /// # Errors
    /// `UserNotFound`, or `Store` on failure.
    pub async fn enter(&self, user_id: i64) -> ServiceResult<QueueTicket> {
        self.users.ensure_exists(user_id).await?;
        let entry = match self.hot.queue_status(user_id, self.token_ttl_secs).await? {
            Some(entry) => entry,
            None => {
                let joined = self.hot.queue_join(user_id, self.token_ttl_secs).await?;
                if joined.created {
                    metrics::counter!("queue_joins_total").increment(1);
                }
                joined.entry
            }
        };
        let token_expiry = Utc
            .timestamp_opt(entry.token.expires_at, 0)
            .single()
            .unwrap_or_else(Utc::now);
        let (estimated_wait_secs, expires_at) = match entry.state {
            QueueState::Waiting { position } => (self.estimated_wait_secs(position), token_expiry),
            QueueState::Working { session_ends_ms } => {
                let session_end = Utc
                    .timestamp_millis_opt(session_ends_ms)
                    .single()
                    .unwrap_or(token_expiry);
                (0, session_end.min(token_expiry))
            }
        };
        Ok(QueueTicket {
            token: self.tokens.sign(user_id, &entry.token),
            state: entry.state,
            estimated_wait_secs,
            poll_after_ms: self.poll_after_ms(estimated_wait_secs),
            expires_at,
        })
    }

    /// Seconds until a user at `position` is admitted, from the admission rate: while the
    /// working set has room, a batch per tick (the dials in force); while it is full, the
    /// rate measured over the last minute, divided by the time admissions actually took
    /// (so a burst in the first seconds of a sale is not spread over a whole minute).
    fn estimated_wait_secs(&self, position: u64) -> u64 {
        let last = *self.last_tick.lock().expect("queue tick lock");
        let per_second = match last {
            // Full: users get in as sessions end, at the rate measured (none in the last
            // minute means the line is stalled: assume one a minute, so polls slow down).
            Some(tick) if tick.working >= u64::from(tick.dials.capacity) => {
                let span_ms = (crate::time::now().timestamp_millis() - tick.admissions_since_ms)
                    .max(0) as f64
                    + tick.dials.tick_ms as f64;
                (tick.admitted_last_minute as f64 * 1000.0 / span_ms).max(1.0 / 60.0)
            }
            // Room: every tick admits up to a batch.
            Some(tick) => {
                f64::from(tick.dials.batch_size) * 1000.0 / tick.dials.tick_ms.max(1) as f64
            }
            None => f64::from(self.settings.batch_size) * 1000.0 / self.settings.tick_ms as f64,
        };
        (position as f64 / per_second).ceil() as u64
    }

    /// About four polls over the expected wait, within the configured bounds: users far
    /// back poll seldom, users near the front often.
    fn poll_after_ms(&self, estimated_wait_secs: u64) -> u64 {
        (estimated_wait_secs * 1000 / 4).clamp(self.settings.min_poll_ms, self.settings.max_poll_ms)
    }

    /// Ends the working session of a token (after payment).
    ///
    /// # Errors
    /// `Store` on failure.
    pub async fn leave(&self, user_id: i64, jti: Uuid) -> ServiceResult<bool> {
        Ok(self.hot.queue_leave(user_id, jti).await?)
    }

    fn dial_defaults(&self) -> QueueDials {
        QueueDials {
            capacity: self.settings.capacity,
            batch_size: self.settings.batch_size,
            tick_ms: self.settings.tick_ms,
            paused: false,
        }
    }

    /// One promotion tick, with its metrics.
    ///
    /// # Errors
    /// `Store` on failure.
    pub async fn promote(&self) -> ServiceResult<PromotionOutcome> {
        let params = PromotionParams {
            defaults: self.dial_defaults(),
            session_ms: self.settings.active_ttl_secs * 1000,
            idle_timeout_ms: self.settings.idle_timeout_secs * 1000,
            cleanup_limit: CLEANUP_PER_TICK,
        };
        let started = Instant::now();
        let outcome = self.hot.queue_promote(&params).await?;
        *self.last_tick.lock().expect("queue tick lock") = Some(outcome);
        metrics::gauge!("queue_waiting").set(outcome.waiting as f64);
        metrics::gauge!("queue_working").set(outcome.working as f64);
        if outcome.ran {
            metrics::histogram!("queue_promotion_tick_seconds")
                .record(started.elapsed().as_secs_f64());
            metrics::counter!("queue_admissions_total").increment(outcome.admitted);
            metrics::counter!("queue_idle_drops_total").increment(outcome.idle_dropped);
            metrics::counter!("queue_sessions_ended_total").increment(outcome.sessions_ended);
        }
        Ok(outcome)
    }

    /// Counts and dials for operators.
    ///
    /// # Errors
    /// `Store` on failure.
    pub async fn overview(&self) -> ServiceResult<QueueOverview> {
        Ok(self.hot.queue_overview(&self.dial_defaults()).await?)
    }

    /// Changes dials at run time; every instance obeys within one tick.
    ///
    /// # Errors
    /// `Invalid` for out-of-range values; `Store` on failure.
    pub async fn set_dials(&self, patch: QueueDialsPatch) -> ServiceResult<QueueOverview> {
        use crate::services::ServiceError::Invalid;
        if patch.capacity.is_some_and(|c| c == 0 || c > 10_000_000) {
            return Err(Invalid("capacity must be 1 to 10,000,000".into()));
        }
        if patch.batch_size.is_some_and(|b| b == 0 || b > 100_000) {
            return Err(Invalid("batchSize must be 1 to 100,000".into()));
        }
        if patch.tick_ms.is_some_and(|t| !(10..=60_000).contains(&t)) {
            return Err(Invalid("tickMs must be 10 to 60,000".into()));
        }
        self.hot.queue_set_dials(&patch).await?;
        self.overview().await
    }
}
