//! The queue calls of the in-process store, one per `lua/queue_*.lua` script, with the
//! signatures of `RedisStore`'s (see `waiting_room` for the decisions).

use uuid::Uuid;

use super::MemoryStore;
use crate::store::StoreResult;
use crate::store::queue::{
    Joined, PromotionOutcome, PromotionParams, QueueDials, QueueDialsPatch, QueueEntry,
    QueueOverview,
};

impl MemoryStore {
    /// The user's live token and its state (a heartbeat), or `None`.
    ///
    /// # Errors
    /// Never; the signature matches the other back ends.
    /// `ttl_secs` is the one the token was created with: each token keeps its expiry.
    pub async fn queue_status(
        &self,
        user_id: i64,
        _ttl_secs: u64,
    ) -> StoreResult<Option<QueueEntry>> {
        Ok(self.with_queue(|queue, now| queue.status(user_id, now)))
    }

    /// Joins the queue unless the user already has a live token.
    ///
    /// # Errors
    /// Never; the signature matches the other back ends.
    pub async fn queue_join(&self, user_id: i64, ttl_secs: u64) -> StoreResult<Joined> {
        Ok(self.with_queue(|queue, now| queue.join(user_id, ttl_secs, now)))
    }

    /// The session end (Unix ms) when this token is the user's live, working one.
    ///
    /// # Errors
    /// Never; the signature matches the other back ends.
    pub async fn queue_check(&self, user_id: i64, jti: Uuid) -> StoreResult<Option<i64>> {
        Ok(self.with_queue(|queue, now| queue.check(user_id, jti, now)))
    }

    /// Ends this token's working session; true when there was one.
    ///
    /// # Errors
    /// Never; the signature matches the other back ends.
    pub async fn queue_leave(&self, user_id: i64, jti: Uuid) -> StoreResult<bool> {
        Ok(self.with_queue(|queue, _| queue.leave(user_id, jti)))
    }

    /// One promotion tick.
    ///
    /// # Errors
    /// Never; the signature matches the other back ends.
    pub async fn queue_promote(&self, params: &PromotionParams) -> StoreResult<PromotionOutcome> {
        Ok(self.with_queue(|queue, now| queue.promote(params, now)))
    }

    /// Counts and dials for operators.
    ///
    /// # Errors
    /// Never; the signature matches the other back ends.
    pub async fn queue_overview(&self, defaults: &QueueDials) -> StoreResult<QueueOverview> {
        Ok(self.with_queue(|queue, now| queue.overview(defaults, now)))
    }

    /// Stores runtime overrides of the dials.
    ///
    /// # Errors
    /// Never; the signature matches the other back ends.
    pub async fn queue_set_dials(&self, patch: &QueueDialsPatch) -> StoreResult<()> {
        self.with_queue(|queue, _| queue.set_dials(patch));
        Ok(())
    }
}
