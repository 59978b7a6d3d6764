//! The promotion tick (`lua/queue_promote.lua`), the operators' overview
//! (`lua/queue_overview.lua`) and the runtime dials.

use super::{Member, WaitingRoom};
use crate::store::queue::{
    PromotionOutcome, PromotionParams, QueueDials, QueueDialsPatch, QueueOverview,
};

/// How far back admissions count for "admitted in the last minute" (ms).
const ADMISSIONS_WINDOW_MS: i64 = 60_000;

impl WaitingRoom {
    /// `queue_promote.lua`: ends expired sessions, drops idle waiters, admits the oldest
    /// waiters up to the capacity, at most one batch; stands aside when a tick ran less
    /// than 0.9 × tick_ms ago.
    pub(crate) fn promote(&mut self, params: &PromotionParams, now: i64) -> PromotionOutcome {
        let dials = self.dials(&params.defaults);
        // In floating point, as the script computes it.
        if ((now - self.last_tick_ms) as f64) < dials.tick_ms as f64 * 0.9 {
            return PromotionOutcome {
                ran: false,
                waiting: self.line.len() as u64,
                working: self.sessions.len() as u64,
                admitted_last_minute: self.admitted_last_minute(now),
                admissions_since_ms: self.admissions_since_ms(),
                dials,
                ..PromotionOutcome::default()
            };
        }
        self.last_tick_ms = now;
        let limit = params.cleanup_limit as usize;

        let ended: Vec<i64> = self
            .sessions
            .iter()
            .take_while(|&&(end, _)| end <= now)
            .take(limit)
            .map(|&(_, Member(user))| user)
            .collect();
        for &user in &ended {
            self.end_session(user);
        }

        let idle_since = now.saturating_sub(millis(params.idle_timeout_ms));
        let idle: Vec<i64> = self
            .heartbeats
            .iter()
            .take_while(|&&(heartbeat, _)| heartbeat <= idle_since)
            .take(limit)
            .map(|&(_, Member(user))| user)
            .collect();
        for &user in &idle {
            self.drop_idle(user);
        }

        let mut admitted = 0;
        if !dials.paused {
            let room = (i64::from(dials.capacity) - self.sessions.len() as i64)
                .min(i64::from(dials.batch_size));
            if room > 0 {
                let session_end = now.saturating_add(millis(params.session_ms));
                let next_users = self.line.pop_oldest(room as usize);
                for &user in &next_users {
                    self.admit(user, session_end);
                }
                admitted = next_users.len() as u64;
                if admitted > 0 {
                    self.admissions.insert((now, admitted));
                }
            }
        }

        PromotionOutcome {
            ran: true,
            admitted,
            sessions_ended: ended.len() as u64,
            idle_dropped: idle.len() as u64,
            waiting: self.line.len() as u64,
            working: self.sessions.len() as u64,
            admitted_last_minute: self.admitted_last_minute(now),
            admissions_since_ms: self.admissions_since_ms(),
            dials,
        }
    }

    /// `queue_overview.lua`: counts, dials and the last minute's admissions. Read-only.
    pub(crate) fn overview(&self, defaults: &QueueDials, now: i64) -> QueueOverview {
        // Unlike the tick's sum, the script's read counts a tick exactly a minute old.
        let since = (now - ADMISSIONS_WINDOW_MS, 0);
        QueueOverview {
            waiting: self.line.len() as u64,
            working: self.sessions.len() as u64,
            dials: self.dials(defaults),
            admitted_last_minute: self.admissions.range(since..).map(|&(_, n)| n).sum(),
        }
    }

    /// Stores runtime overrides (`HSET settings`).
    pub(crate) fn set_dials(&mut self, patch: &QueueDialsPatch) {
        let stored = &mut self.overrides;
        stored.capacity = patch.capacity.or(stored.capacity);
        stored.batch_size = patch.batch_size.or(stored.batch_size);
        stored.tick_ms = patch.tick_ms.or(stored.tick_ms);
        stored.paused = patch.paused.or(stored.paused);
    }

    /// The dials in force: overrides where stored, else the defaults.
    fn dials(&self, defaults: &QueueDials) -> QueueDials {
        QueueDials {
            capacity: self.overrides.capacity.unwrap_or(defaults.capacity),
            batch_size: self.overrides.batch_size.unwrap_or(defaults.batch_size),
            tick_ms: self.overrides.tick_ms.unwrap_or(defaults.tick_ms),
            paused: self.overrides.paused.unwrap_or(defaults.paused),
        }
    }

    /// Forgets admissions a minute old or older, then sums the rest.
    fn admitted_last_minute(&mut self, now: i64) -> u64 {
        self.admissions = self
            .admissions
            .split_off(&(now - ADMISSIONS_WINDOW_MS + 1, 0));
        self.admissions.iter().map(|&(_, n)| n).sum()
    }

    /// The tick of the oldest admission still counted, 0 without one.
    fn admissions_since_ms(&self) -> i64 {
        self.admissions.first().map_or(0, |&(tick, _)| tick)
    }

    /// A session ended: the user leaves `working` and loses the token (even a token that
    /// waits in line again, as the script's `HDEL` does).
    fn end_session(&mut self, user: i64) {
        let Some(visitor) = self.visitors.get_mut(&user) else {
            return;
        };
        if let Some(end) = visitor.session_ends_ms.take() {
            self.sessions.remove(&(end, Member(user)));
        }
        visitor.token = None;
        self.tidy(user);
    }

    /// An idle waiter leaves the line and loses the token.
    fn drop_idle(&mut self, user: i64) {
        let Some(visitor) = self.visitors.get_mut(&user) else {
            return;
        };
        if let Some(waiting) = visitor.waiting.take() {
            self.line.remove(waiting.arrival);
            self.heartbeats
                .remove(&(waiting.heartbeat_ms, Member(user)));
        }
        visitor.token = None;
        self.tidy(user);
    }

    /// Moves a user just taken out of the line into `working`.
    fn admit(&mut self, user: i64, session_end: i64) {
        let visitor = self.visitors.entry(user).or_default();
        if let Some(waiting) = visitor.waiting.take() {
            self.heartbeats
                .remove(&(waiting.heartbeat_ms, Member(user)));
        }
        // ZADD moves an existing session's end.
        if let Some(end) = visitor.session_ends_ms.replace(session_end) {
            self.sessions.remove(&(end, Member(user)));
        }
        self.sessions.insert((session_end, Member(user)));
    }
}

/// A duration in ms from configuration, as a signed offset.
fn millis(duration_ms: u64) -> i64 {
    i64::try_from(duration_ms).unwrap_or(i64::MAX)
}
