//! The seat-hold contract shared by every hot-store back end.

use std::collections::HashSet;

/// The answer of a hold attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldOutcome {
    /// The seat is the user's until this instant (Unix ms).
    Held { expires_ms: i64 },
    /// Someone holds or bought the seat.
    Unavailable,
    /// The user already holds the most seats allowed in this schedule.
    LimitReached,
    /// The schedule's state is not loaded (new schedule, or the store lost its memory):
    /// load it from the database and try again.
    NotLoaded,
}

/// Whether a user holds a seat right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldStatus {
    Held { expires_ms: i64 },
    Sold,
    NotHeld,
    NotLoaded,
}

/// The live state of one schedule's seats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScheduleState {
    pub total: i64,
    pub sold: HashSet<i64>,
    /// Seats under a live hold.
    pub held: HashSet<i64>,
}

impl ScheduleState {
    /// Free seats: total − sold − live holds.
    pub fn left(&self) -> i64 {
        self.total - self.sold.len() as i64 - self.held.len() as i64
    }
}

/// A live hold read from the database, to reload a schedule's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveHold {
    pub seat_id: i64,
    pub expires_ms: i64,
    pub user_id: i64,
}

/// What the database knows of a schedule, to load its hot state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScheduleSnapshot {
    pub total: i64,
    pub sold: Vec<i64>,
    pub holds: Vec<LiveHold>,
}
