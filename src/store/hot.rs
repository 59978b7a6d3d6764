//! `HotStore`: the fast, shared state (waiting queue, sessions, seat holds) behind one
//! interface. Redis (production) implements it with Lua scripts; the in-process
//! `MemoryStore` implements the same contract for runs without Redis.

use uuid::Uuid;

use crate::store::StoreResult;
use crate::store::holds::{HoldOutcome, HoldStatus, ScheduleSnapshot, ScheduleState};
use crate::store::memory::MemoryStore;
use crate::store::queue::{
    Joined, PromotionOutcome, PromotionParams, QueueDials, QueueDialsPatch, QueueEntry,
    QueueOverview,
};
use crate::store::redis::RedisStore;

/// The hot store in use. An enum rather than a trait object: a closed set of back ends,
/// static dispatch, no boxed futures on the hot path.
#[derive(Clone)]
pub enum HotStore {
    Redis(RedisStore),
    Memory(MemoryStore),
}

/// Calls the same method on whichever back end is in use.
macro_rules! dispatch {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            HotStore::Redis($store) => $call,
            HotStore::Memory($store) => $call,
        }
    };
}

impl HotStore {
    /// A short name for `/readyz` and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Redis(_) => "redis",
            Self::Memory(_) => "memory",
        }
    }

    /// # Errors
    /// When the store does not answer.
    pub async fn ping(&self) -> StoreResult<()> {
        dispatch!(self, s => s.ping().await)
    }

    /// The user's live token (living `ttl_secs` from its issue) and its state, counted as
    /// a heartbeat; `None` without one.
    ///
    /// # Errors
    /// On store failure.
    pub async fn queue_status(
        &self,
        user_id: i64,
        ttl_secs: u64,
    ) -> StoreResult<Option<QueueEntry>> {
        dispatch!(self, s => s.queue_status(user_id, ttl_secs).await)
    }

    /// Appends a new token (living `ttl_secs`) to the waiting line unless the user already
    /// has a live one; either way returns the live token's state.
    ///
    /// # Errors
    /// On store failure.
    pub async fn queue_join(&self, user_id: i64, ttl_secs: u64) -> StoreResult<Joined> {
        dispatch!(self, s => s.queue_join(user_id, ttl_secs).await)
    }

    /// The session end (Unix ms) when `jti` is the user's live, working token.
    ///
    /// # Errors
    /// On store failure.
    pub async fn queue_check(&self, user_id: i64, jti: Uuid) -> StoreResult<Option<i64>> {
        dispatch!(self, s => s.queue_check(user_id, jti).await)
    }

    /// Ends the working session of token `jti`; true when there was one.
    ///
    /// # Errors
    /// On store failure.
    pub async fn queue_leave(&self, user_id: i64, jti: Uuid) -> StoreResult<bool> {
        dispatch!(self, s => s.queue_leave(user_id, jti).await)
    }

    /// One promotion tick (see `lua/queue_promote.lua`).
    ///
    /// # Errors
    /// On store failure.
    pub async fn queue_promote(&self, params: &PromotionParams) -> StoreResult<PromotionOutcome> {
        dispatch!(self, s => s.queue_promote(params).await)
    }

    /// Counts and dials, with `defaults` where no runtime override is stored.
    ///
    /// # Errors
    /// On store failure.
    pub async fn queue_overview(&self, defaults: &QueueDials) -> StoreResult<QueueOverview> {
        dispatch!(self, s => s.queue_overview(defaults).await)
    }

    /// Stores runtime overrides of the queue dials.
    ///
    /// # Errors
    /// On store failure.
    pub async fn queue_set_dials(&self, patch: &QueueDialsPatch) -> StoreResult<()> {
        dispatch!(self, s => s.queue_set_dials(patch).await)
    }

    /// Holds a seat for `user_id` until now + `ttl_ms`, if it is free and the user is
    /// under `max_per_user` live holds in the schedule.
    ///
    /// # Errors
    /// On store failure.
    pub async fn hold_seat(
        &self,
        schedule_id: i64,
        seat_id: i64,
        user_id: i64,
        ttl_ms: u64,
        max_per_user: u32,
    ) -> StoreResult<HoldOutcome> {
        dispatch!(self, s => s.hold_seat(schedule_id, seat_id, user_id, ttl_ms, max_per_user).await)
    }

    /// Whether `user_id` holds the seat right now.
    ///
    /// # Errors
    /// On store failure.
    pub async fn hold_status(
        &self,
        schedule_id: i64,
        seat_id: i64,
        user_id: i64,
    ) -> StoreResult<HoldStatus> {
        dispatch!(self, s => s.hold_status(schedule_id, seat_id, user_id).await)
    }

    /// Ends `user_id`'s hold on the seat; true when there was one.
    ///
    /// # Errors
    /// On store failure.
    pub async fn hold_release(
        &self,
        schedule_id: i64,
        seat_id: i64,
        user_id: i64,
    ) -> StoreResult<bool> {
        dispatch!(self, s => s.hold_release(schedule_id, seat_id, user_id).await)
    }

    /// Marks the seat sold (after the database committed the sale) and ends its hold.
    ///
    /// # Errors
    /// On store failure.
    pub async fn seat_sell(&self, schedule_id: i64, seat_id: i64, user_id: i64) -> StoreResult<()> {
        dispatch!(self, s => s.seat_sell(schedule_id, seat_id, user_id).await)
    }

    /// Puts a seat back on sale (after the database committed a refund).
    ///
    /// # Errors
    /// On store failure.
    pub async fn seat_unsell(&self, schedule_id: i64, seat_id: i64) -> StoreResult<()> {
        dispatch!(self, s => s.seat_unsell(schedule_id, seat_id).await)
    }

    /// The live state of a schedule's seats, or `None` when it is not loaded.
    ///
    /// # Errors
    /// On store failure.
    pub async fn schedule_state(&self, schedule_id: i64) -> StoreResult<Option<ScheduleState>> {
        dispatch!(self, s => s.schedule_state(schedule_id).await)
    }

    /// Free seats per schedule (`None` where not loaded), in one round trip.
    ///
    /// # Errors
    /// On store failure.
    pub async fn schedules_left(&self, schedule_ids: &[i64]) -> StoreResult<Vec<Option<i64>>> {
        dispatch!(self, s => s.schedules_left(schedule_ids).await)
    }

    /// Loads a schedule's state from the database's facts unless already loaded; true
    /// when this call loaded it.
    ///
    /// # Errors
    /// On store failure.
    pub async fn schedule_load(
        &self,
        schedule_id: i64,
        snapshot: &ScheduleSnapshot,
    ) -> StoreResult<bool> {
        dispatch!(self, s => s.schedule_load(schedule_id, snapshot).await)
    }
}
