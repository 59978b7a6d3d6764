//! `Schedule`: one schedule's keys (`meta`, `holds`, `holders`, `sold`, `user:<id>`) and
//! the index that counts its live holds without scanning seats.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::store::memory::member::Member;

/// Most ended holds one hold attempt forgets, as in `hold_seat.lua`.
const PURGE_LIMIT: usize = 1000;

/// A seat's hold: the `holds` score and the `holders` field, which the scripts always
/// write and delete together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Hold {
    pub(super) expires_ms: i64,
    pub(super) user_id: i64,
}

/// One user's holds in one schedule (`user:<id>`), a sorted set with a key expiry.
#[derive(Debug)]
struct UserHolds {
    /// (seat, hold expiry ms); ended ones stay until the user's next hold attempt. A
    /// handful at most, bounded by the per-user limit.
    seats: Vec<(i64, i64)>,
    /// The key's `PEXPIREAT`, the expiry of the user's latest hold: Redis deletes the
    /// whole key after this instant.
    expires_ms: i64,
}

#[derive(Debug, Default)]
pub(super) struct Schedule {
    /// `meta`: the seat count; `None` until the state is loaded.
    pub(super) total: Option<i64>,
    pub(super) sold: HashSet<i64>,
    /// `holds` and `holders`: every stored hold by seat, ended ones included until purged.
    holds: HashMap<i64, Hold>,
    /// The stored holds in `holds` order (expiry, then seat text), for the bounded purge.
    by_expiry: BTreeSet<(i64, Member)>,
    /// The stored holds not yet seen ended, by (expiry, seat). Dropping ended ones from
    /// the front is invisible, so it is trimmed on every count: its length is then the
    /// number of live holds, whatever the purge has left behind.
    unended: BTreeSet<(i64, i64)>,
    users: HashMap<i64, UserHolds>,
}

impl Schedule {
    pub(super) fn hold(&self, seat_id: i64) -> Option<&Hold> {
        self.holds.get(&seat_id)
    }

    /// Stores a hold on the seat, replacing any earlier one.
    pub(super) fn put_hold(&mut self, seat_id: i64, hold: Hold) {
        self.drop_hold(seat_id);
        self.holds.insert(seat_id, hold);
        self.by_expiry.insert((hold.expires_ms, Member(seat_id)));
        self.unended.insert((hold.expires_ms, seat_id));
    }

    /// Deletes the seat's hold, if any.
    pub(super) fn drop_hold(&mut self, seat_id: i64) -> Option<Hold> {
        let hold = self.holds.remove(&seat_id)?;
        self.by_expiry.remove(&(hold.expires_ms, Member(seat_id)));
        self.unended.remove(&(hold.expires_ms, seat_id));
        Some(hold)
    }

    /// Forgets up to `PURGE_LIMIT` holds that ended by `now`, the earliest first.
    pub(super) fn purge_ended(&mut self, now: i64) {
        let ended: Vec<i64> = self
            .by_expiry
            .iter()
            .take_while(|&&(expires_ms, _)| expires_ms <= now)
            .take(PURGE_LIMIT)
            .map(|&(_, Member(seat_id))| seat_id)
            .collect();
        for seat_id in ended {
            if let Some(hold) = self.drop_hold(seat_id) {
                // Not in the script: Redis expires the holder's key by itself, so the
                // memory of a user who never comes back is freed here.
                self.expire_user_key(hold.user_id, now);
            }
        }
    }

    /// The seats under a live hold.
    pub(super) fn live_seats(&mut self, now: i64) -> impl Iterator<Item = i64> + '_ {
        self.trim(now);
        self.unended.iter().map(|&(_, seat_id)| seat_id)
    }

    /// How many holds are live.
    pub(super) fn live_count(&mut self, now: i64) -> i64 {
        self.trim(now);
        self.unended.len() as i64
    }

    /// The user's live holds after forgetting their ended ones (`ZREMRANGEBYSCORE`,
    /// `ZCARD`).
    pub(super) fn live_holds_of(&mut self, user_id: i64, now: i64) -> usize {
        self.expire_user_key(user_id, now);
        let Some(holds) = self.users.get_mut(&user_id) else {
            return 0;
        };
        holds.seats.retain(|&(_, expires_ms)| expires_ms > now);
        let live = holds.seats.len();
        if live == 0 {
            // Redis deletes a sorted set that becomes empty, and its expiry with it.
            self.users.remove(&user_id);
        }
        live
    }

    /// Adds a hold to the user's list (`ZADD`) and moves the key's expiry to it
    /// (`PEXPIREAT`, which deletes the key at once when that instant has passed).
    pub(super) fn add_user_hold(&mut self, user_id: i64, seat_id: i64, expires_ms: i64, now: i64) {
        if expires_ms <= now {
            self.users.remove(&user_id);
            return;
        }
        self.expire_user_key(user_id, now);
        let holds = self.users.entry(user_id).or_insert(UserHolds {
            seats: Vec::new(),
            expires_ms,
        });
        holds.seats.retain(|&(seat, _)| seat != seat_id);
        holds.seats.push((seat_id, expires_ms));
        holds.expires_ms = expires_ms;
    }

    /// Takes the seat off the user's list (`ZREM`).
    pub(super) fn drop_user_hold(&mut self, user_id: i64, seat_id: i64, now: i64) {
        self.expire_user_key(user_id, now);
        if let Some(holds) = self.users.get_mut(&user_id) {
            holds.seats.retain(|&(seat, _)| seat != seat_id);
            if holds.seats.is_empty() {
                self.users.remove(&user_id);
            }
        }
    }

    /// Deletes the user's key once its expiry has passed, as Redis does on access.
    fn expire_user_key(&mut self, user_id: i64, now: i64) {
        if self
            .users
            .get(&user_id)
            .is_some_and(|holds| holds.expires_ms < now)
        {
            self.users.remove(&user_id);
        }
    }

    /// Drops ended holds from the front of `unended`.
    fn trim(&mut self, now: i64) {
        while let Some(&(expires_ms, _)) = self.unended.first()
            && expires_ms <= now
        {
            self.unended.pop_first();
        }
    }
}
