//! `WaitingRoom`: the queue's state (arrival stamps, the waiting line, heartbeats, working
//! sessions, dials, admissions), changed exactly as `lua/queue_*.lua` change their keys.
//! Times are Unix ms, passed in by the caller who read the clock under the lock.

mod tick;

#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};

use uuid::Uuid;

use super::line::WaitingLine;
use super::member::QueueMember as Member;
use crate::store::queue::{Joined, QueueDialsPatch, QueueEntry, QueueState, TokenRecord};

/// One user's entries in the queue's keys: `waiting` and `heartbeats` while waiting,
/// `admitted` and `working` while working, and the token their arrival stamp gives.
#[derive(Debug, Default)]
struct Visitor {
    /// The live token, derived from the arrival stamp (the `waiting` score while waiting,
    /// the `admitted` value while working).
    token: Option<TokenRecord>,
    /// `waiting` and `heartbeats`, which every script changes together.
    waiting: Option<Waiting>,
    /// `working`: when the session ends (ms).
    session_ends_ms: Option<i64>,
}

#[derive(Debug, Clone, Copy)]
struct Waiting {
    arrival: u64,
    heartbeat_ms: i64,
}

impl Visitor {
    fn is_gone(&self) -> bool {
        self.token.is_none() && self.waiting.is_none() && self.session_ends_ms.is_none()
    }
}

/// The queue. Per waiting user: one map entry, one line slot and one heartbeat entry; a
/// million waiting users measured 240 MB, mostly the map (88-byte buckets, half empty
/// right after it doubles).
#[derive(Debug, Default)]
pub(super) struct WaitingRoom {
    visitors: HashMap<i64, Visitor>,
    line: WaitingLine,
    /// (last heartbeat, user) of every waiting user, oldest first: idle drops in O(log n).
    heartbeats: BTreeSet<(i64, Member)>,
    /// (session end, user) of every working user, earliest first: session ends in O(log n).
    sessions: BTreeSet<(i64, Member)>,
    /// `settings`: the runtime overrides of the dials.
    overrides: QueueDialsPatch,
    /// `settings.last_tick`: when a tick last ran (ms), 0 before the first.
    last_tick_ms: i64,
    /// `last_stamp`: the latest arrival stamp handed out (µs).
    last_stamp: i64,
    /// `admissions`: (tick, users admitted) of the recent ticks that admitted anyone. As a
    /// set, like the sorted set of "tick:count" members: an equal pair is stored once.
    admissions: BTreeSet<(i64, u64)>,
}

impl WaitingRoom {
    /// `queue_status.lua`: the user's live state, a heartbeat when waiting.
    pub(super) fn status(&mut self, user: i64, now: i64) -> Option<QueueEntry> {
        self.live_state(user, now)
    }

    /// `queue_join.lua`: the live state, or else a new token at the back of the line,
    /// identified by a new arrival stamp.
    pub(super) fn join(&mut self, user: i64, ttl_secs: u64, now: i64) -> Joined {
        if let Some(entry) = self.live_state(user, now) {
            return Joined {
                entry,
                created: false,
            };
        }
        self.last_stamp = TokenRecord::next_stamp(now, self.last_stamp);
        let token = TokenRecord::derive(user, self.last_stamp, ttl_secs);
        let visitor = self.visitors.entry(user).or_default();
        visitor.token = Some(token);
        // ZADD moves a user still in line (who left while waiting) to the new arrival.
        if let Some(old) = visitor.waiting.take() {
            self.line.remove(old.arrival);
            self.heartbeats.remove(&(old.heartbeat_ms, Member(user)));
        }
        let arrival = self.line.push(user);
        self.heartbeats.insert((now, Member(user)));
        visitor.waiting = Some(Waiting {
            arrival,
            heartbeat_ms: now,
        });
        let entry = QueueEntry {
            token,
            state: QueueState::Waiting {
                position: self.line.position(arrival),
            },
        };
        Joined {
            entry,
            created: true,
        }
    }

    /// `queue_check.lua`: the session end when `jti` is the user's token and working.
    /// Read-only; like the script, it does not look at the token's expiry.
    pub(super) fn check(&self, user: i64, jti: Uuid, now: i64) -> Option<i64> {
        let visitor = self.visitors.get(&user)?;
        if visitor.token?.jti != jti {
            return None;
        }
        visitor.session_ends_ms.filter(|&end| end > now)
    }

    /// `queue_leave.lua`: forgets the token `jti` and ends its session; true when there
    /// was a session, ended or not.
    pub(super) fn leave(&mut self, user: i64, jti: Uuid) -> bool {
        let Some(visitor) = self.visitors.get_mut(&user) else {
            return false;
        };
        if visitor.token.is_none_or(|token| token.jti != jti) {
            return false;
        }
        // As queue_leave.lua: only a working session ends; a waiting token is left alone.
        let Some(end) = visitor.session_ends_ms.take() else {
            return false;
        };
        visitor.token = None;
        self.sessions.remove(&(end, Member(user)));
        self.tidy(user);
        true
    }

    /// `live_state` of `queue_lib.lua`: a token that expired, whose session ended or that
    /// was dropped from the line is forgotten with everything of its user, so the next
    /// join starts afresh. Without a token nothing is touched.
    fn live_state(&mut self, user: i64, now: i64) -> Option<QueueEntry> {
        let visitor = self.visitors.get_mut(&user)?;
        let token = visitor.token?;
        if token.expires_at.saturating_mul(1000) > now {
            if let Some(waiting) = visitor.waiting.as_mut() {
                self.heartbeats
                    .remove(&(waiting.heartbeat_ms, Member(user)));
                self.heartbeats.insert((now, Member(user)));
                waiting.heartbeat_ms = now;
                let position = self.line.position(waiting.arrival);
                return Some(QueueEntry {
                    token,
                    state: QueueState::Waiting { position },
                });
            }
            if let Some(session_ends_ms) = visitor.session_ends_ms
                && session_ends_ms > now
            {
                return Some(QueueEntry {
                    token,
                    state: QueueState::Working { session_ends_ms },
                });
            }
        }
        self.forget(user);
        None
    }

    /// Removes the user from every key.
    fn forget(&mut self, user: i64) {
        let Some(visitor) = self.visitors.remove(&user) else {
            return;
        };
        if let Some(waiting) = visitor.waiting {
            self.line.remove(waiting.arrival);
            self.heartbeats
                .remove(&(waiting.heartbeat_ms, Member(user)));
        }
        if let Some(end) = visitor.session_ends_ms {
            self.sessions.remove(&(end, Member(user)));
        }
    }

    /// Drops the user's map entry once no key holds anything of theirs.
    fn tidy(&mut self, user: i64) {
        if self.visitors.get(&user).is_some_and(Visitor::is_gone) {
            self.visitors.remove(&user);
        }
    }
}
