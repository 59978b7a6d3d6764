//! `HotStore`: the fast, shared state (waiting queue, sessions, seat holds) behind one
//! interface. Redis (production) implements it with Lua scripts.

use uuid::Uuid;

use crate::store::StoreResult;
use crate::store::queue::{
    PromotionOutcome, PromotionParams, QueueDials, QueueDialsPatch, QueueEntry, QueueOverview,
};
use crate::store::redis::RedisStore;

/// The hot store in use. An enum rather than a trait object: a closed set of back ends,
/// static dispatch, no boxed futures on the hot path.
#[derive(Clone)]
pub enum HotStore {
    Redis(RedisStore),
}

/// Calls the same method on whichever back end is in use.
macro_rules! dispatch {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            HotStore::Redis($store) => $call,
        }
    };
}

impl HotStore {
    /// A short name for `/readyz` and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Redis(_) => "redis",
        }
    }

    /// # Errors
    /// When the store does not answer.
    pub async fn ping(&self) -> StoreResult<()> {
        dispatch!(self, s => s.ping().await)
    }

    /// The user's live token and its state, counted as a heartbeat; `None` without one.
    ///
    /// # Errors
    /// On store failure.
    pub async fn queue_status(&self, user_id: i64) -> StoreResult<Option<QueueEntry>> {
        dispatch!(self, s => s.queue_status(user_id).await)
    }

    /// Appends a new token (id `jti`, living `ttl_secs`) to the waiting line unless the
    /// user already has a live one; either way returns the live token's state.
    ///
    /// # Errors
    /// On store failure.
    pub async fn queue_join(
        &self,
        user_id: i64,
        jti: Uuid,
        ttl_secs: u64,
    ) -> StoreResult<QueueEntry> {
        dispatch!(self, s => s.queue_join(user_id, jti, ttl_secs).await)
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
}
