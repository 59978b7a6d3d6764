//! The seat calls of the in-process store, one per `lua/hold_*.lua`, `lua/seat_*.lua` and
//! `lua/schedule_*.lua` script, with the signatures of `RedisStore`'s (see `seats` for
//! the decisions).

use super::MemoryStore;
use crate::store::StoreResult;
use crate::store::holds::{HoldOutcome, HoldStatus, ScheduleSnapshot, ScheduleState};

impl MemoryStore {
    /// Holds a seat for `user_id` for `ttl_ms`.
    ///
    /// # Errors
    /// Never; the signature matches the other back ends.
    pub async fn hold_seat(
        &self,
        schedule_id: i64,
        seat_id: i64,
        user_id: i64,
        ttl_ms: u64,
        max_per_user: u32,
    ) -> StoreResult<HoldOutcome> {
        Ok(self.with_seats(|seats, now| {
            seats.hold(schedule_id, seat_id, user_id, ttl_ms, max_per_user, now)
        }))
    }

    /// Whether `user_id` holds the seat right now.
    ///
    /// # Errors
    /// Never; the signature matches the other back ends.
    pub async fn hold_status(
        &self,
        schedule_id: i64,
        seat_id: i64,
        user_id: i64,
    ) -> StoreResult<HoldStatus> {
        Ok(self.with_seats(|seats, now| seats.status(schedule_id, seat_id, user_id, now)))
    }

    /// Ends `user_id`'s hold on the seat; true when there was one.
    ///
    /// # Errors
    /// Never; the signature matches the other back ends.
    pub async fn hold_release(
        &self,
        schedule_id: i64,
        seat_id: i64,
        user_id: i64,
    ) -> StoreResult<bool> {
        Ok(self.with_seats(|seats, now| seats.release(schedule_id, seat_id, user_id, now)))
    }

    /// Marks the seat sold and ends the buyer's hold on it.
    ///
    /// # Errors
    /// Never; the signature matches the other back ends.
    pub async fn seat_sell(&self, schedule_id: i64, seat_id: i64, user_id: i64) -> StoreResult<()> {
        self.with_seats(|seats, now| seats.sell(schedule_id, seat_id, user_id, now));
        Ok(())
    }

    /// Puts a sold seat back on sale.
    ///
    /// # Errors
    /// Never; the signature matches the other back ends.
    pub async fn seat_unsell(&self, schedule_id: i64, seat_id: i64) -> StoreResult<()> {
        self.with_seats(|seats, _| seats.unsell(schedule_id, seat_id));
        Ok(())
    }

    /// The live state of a schedule's seats, or `None` when it is not loaded.
    ///
    /// # Errors
    /// Never; the signature matches the other back ends.
    pub async fn schedule_state(&self, schedule_id: i64) -> StoreResult<Option<ScheduleState>> {
        Ok(self.with_seats(|seats, now| seats.state(schedule_id, now)))
    }

    /// Free seats of each schedule (`None` where its state is not loaded), under one lock.
    ///
    /// # Errors
    /// Never; the signature matches the other back ends.
    pub async fn schedules_left(&self, schedule_ids: &[i64]) -> StoreResult<Vec<Option<i64>>> {
        Ok(self.with_seats(|seats, now| seats.left(schedule_ids, now)))
    }

    /// Loads a schedule's state from the database's facts unless it is loaded already.
    ///
    /// # Errors
    /// Never; the signature matches the other back ends.
    pub async fn schedule_load(
        &self,
        schedule_id: i64,
        snapshot: &ScheduleSnapshot,
    ) -> StoreResult<bool> {
        Ok(self.with_seats(|seats, _| seats.load(schedule_id, snapshot)))
    }
}
