//! `Seats`: every schedule's seat state (seat count, sold seats, holds, each user's
//! holds), changed exactly as `lua/hold_*.lua`, `lua/seat_*.lua` and `lua/schedule_*.lua`
//! change their keys. Times are Unix ms, read by the caller under the lock.

mod schedule;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use schedule::{Hold, Schedule};

use crate::store::holds::{HoldOutcome, HoldStatus, ScheduleSnapshot, ScheduleState};

/// All schedules, created by the first load or sale.
#[derive(Debug, Default)]
pub(super) struct Seats {
    schedules: HashMap<i64, Schedule>,
}

impl Seats {
    /// `hold_seat.lua`: the seat until now + `ttl_ms`, if it is neither sold nor held and
    /// the user has fewer than `max_per_user` live holds here.
    pub(super) fn hold(
        &mut self,
        schedule_id: i64,
        seat_id: i64,
        user_id: i64,
        ttl_ms: u64,
        max_per_user: u32,
        now: i64,
    ) -> HoldOutcome {
        let Some(schedule) = self.loaded_mut(schedule_id) else {
            return HoldOutcome::NotLoaded;
        };
        schedule.purge_ended(now);
        if schedule.sold.contains(&seat_id)
            || schedule.hold(seat_id).is_some_and(|h| h.expires_ms > now)
        {
            return HoldOutcome::Unavailable;
        }
        if schedule.live_holds_of(user_id, now) >= max_per_user as usize {
            return HoldOutcome::LimitReached;
        }
        let expires_ms = now.saturating_add(i64::try_from(ttl_ms).unwrap_or(i64::MAX));
        schedule.put_hold(
            seat_id,
            Hold {
                expires_ms,
                user_id,
            },
        );
        schedule.add_user_hold(user_id, seat_id, expires_ms, now);
        HoldOutcome::Held { expires_ms }
    }

    /// `hold_check.lua`: whether the user holds the seat right now. Read-only.
    pub(super) fn status(
        &self,
        schedule_id: i64,
        seat_id: i64,
        user_id: i64,
        now: i64,
    ) -> HoldStatus {
        let Some(schedule) = self.loaded(schedule_id) else {
            return HoldStatus::NotLoaded;
        };
        if schedule.sold.contains(&seat_id) {
            return HoldStatus::Sold;
        }
        match schedule.hold(seat_id) {
            Some(hold) if hold.expires_ms > now && hold.user_id == user_id => HoldStatus::Held {
                expires_ms: hold.expires_ms,
            },
            _ => HoldStatus::NotHeld,
        }
    }

    /// `hold_release.lua`: ends the user's hold on the seat; true when the user is its
    /// holder, even of a hold that ended and was not purged yet, as in the script.
    pub(super) fn release(
        &mut self,
        schedule_id: i64,
        seat_id: i64,
        user_id: i64,
        now: i64,
    ) -> bool {
        let Some(schedule) = self.schedules.get_mut(&schedule_id) else {
            return false;
        };
        if schedule.hold(seat_id).is_none_or(|h| h.user_id != user_id) {
            return false;
        }
        schedule.drop_hold(seat_id);
        schedule.drop_user_hold(user_id, seat_id, now);
        true
    }

    /// `seat_sell.lua`: the seat is sold and its hold ends, loaded or not, so that a
    /// later load merges with the sale.
    pub(super) fn sell(&mut self, schedule_id: i64, seat_id: i64, user_id: i64, now: i64) {
        let schedule = self.schedules.entry(schedule_id).or_default();
        schedule.sold.insert(seat_id);
        schedule.drop_hold(seat_id);
        schedule.drop_user_hold(user_id, seat_id, now);
    }

    /// `seat_unsell.lua`: the seat is on sale again.
    pub(super) fn unsell(&mut self, schedule_id: i64, seat_id: i64) {
        if let Some(schedule) = self.schedules.get_mut(&schedule_id) {
            schedule.sold.remove(&seat_id);
        }
    }

    /// `schedule_state.lua`: seat count, sold seats and live holds, or `None` when the
    /// schedule is not loaded.
    pub(super) fn state(&mut self, schedule_id: i64, now: i64) -> Option<ScheduleState> {
        let schedule = self.loaded_mut(schedule_id)?;
        Some(ScheduleState {
            total: schedule.total?,
            sold: schedule.sold.clone(),
            held: schedule.live_seats(now).collect(),
        })
    }

    /// `schedule_left.lua` for each schedule: total − sold − live holds, `None` where not
    /// loaded (and, as the Redis wrapper reads a negative count, where it is negative).
    pub(super) fn left(&mut self, schedule_ids: &[i64], now: i64) -> Vec<Option<i64>> {
        schedule_ids
            .iter()
            .map(|&id| {
                let schedule = self.loaded_mut(id)?;
                let left = schedule.total? - schedule.sold.len() as i64 - schedule.live_count(now);
                (left >= 0).then_some(left)
            })
            .collect()
    }

    /// `schedule_load.lua`: the database's facts, unless already loaded; true when this
    /// call loaded them. Sold marks written before are kept, and no hold lands on a sold
    /// seat. Like the script, it leaves the users' hold lists alone.
    pub(super) fn load(&mut self, schedule_id: i64, snapshot: &ScheduleSnapshot) -> bool {
        let schedule = self.schedules.entry(schedule_id).or_default();
        if schedule.total.is_some() {
            return false;
        }
        schedule.sold.extend(snapshot.sold.iter().copied());
        for hold in &snapshot.holds {
            if !schedule.sold.contains(&hold.seat_id) {
                schedule.put_hold(
                    hold.seat_id,
                    Hold {
                        expires_ms: hold.expires_ms,
                        user_id: hold.user_id,
                    },
                );
            }
        }
        schedule.total = Some(snapshot.total);
        true
    }

    fn loaded(&self, schedule_id: i64) -> Option<&Schedule> {
        self.schedules
            .get(&schedule_id)
            .filter(|schedule| schedule.total.is_some())
    }

    fn loaded_mut(&mut self, schedule_id: i64) -> Option<&mut Schedule> {
        self.schedules
            .get_mut(&schedule_id)
            .filter(|schedule| schedule.total.is_some())
    }
}
