//! The waiting-queue contract shared by every hot-store back end: what a token record is,
//! what state a user is in, and what a promotion tick did.

use uuid::Uuid;

/// The facts of a queue token kept in the hot store; the JWT itself is re-signed from
/// them (HS256 is deterministic), so the store holds ~50 bytes per user, not the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenRecord {
    pub jti: Uuid,
    /// Issued at, Unix seconds.
    pub issued_at: i64,
    /// Expires at, Unix seconds.
    pub expires_at: i64,
}

impl TokenRecord {
    /// Parses the stored form `"jti:iat:exp"`.
    pub fn parse(raw: &str) -> Option<Self> {
        let mut parts = raw.split(':');
        let record = Self {
            jti: parts.next()?.parse().ok()?,
            issued_at: parts.next()?.parse().ok()?,
            expires_at: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(record)
    }

    /// The stored form `"jti:iat:exp"`.
    pub fn encode(&self) -> String {
        format!("{}:{}:{}", self.jti, self.issued_at, self.expires_at)
    }
}

/// Where a user with a live token stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueState {
    /// 1-based place among waiting users (1 = admitted next).
    Waiting { position: u64 },
    /// Admitted; the session ends at this instant (Unix ms).
    Working { session_ends_ms: i64 },
}

/// A user's live token and its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueEntry {
    pub token: TokenRecord,
    pub state: QueueState,
}

/// Queue dials operators can change at run time; stored in the hot store so that every
/// instance obeys them within one tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueDials {
    pub capacity: u32,
    pub batch_size: u32,
    pub tick_ms: u64,
    pub paused: bool,
}

/// A partial update of the dials.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueDialsPatch {
    pub capacity: Option<u32>,
    pub batch_size: Option<u32>,
    pub tick_ms: Option<u64>,
    pub paused: Option<bool>,
}

/// Fixed parameters of a promotion tick, from configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromotionParams {
    /// Used where no runtime override is stored.
    pub defaults: QueueDials,
    pub session_ms: u64,
    pub idle_timeout_ms: u64,
    /// Most sessions ended and idle users dropped per tick, so one tick stays short.
    pub cleanup_limit: u32,
}

/// What one promotion tick did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PromotionOutcome {
    /// False when another instance ticked less than a tick ago and this one stood aside.
    pub ran: bool,
    pub admitted: u64,
    pub sessions_ended: u64,
    pub idle_dropped: u64,
    pub waiting: u64,
    pub working: u64,
    pub admitted_last_minute: u64,
    /// The tick interval in force, so schedulers follow runtime changes.
    pub tick_ms: u64,
}

/// The queue as operators see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueOverview {
    pub waiting: u64,
    pub working: u64,
    pub dials: QueueDials,
    pub admitted_last_minute: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_records_round_trip_through_their_stored_form() {
        let record = TokenRecord {
            jti: Uuid::new_v4(),
            issued_at: 1_700_000_000,
            expires_at: 1_700_086_400,
        };
        assert_eq!(TokenRecord::parse(&record.encode()), Some(record));
        assert_eq!(TokenRecord::parse("x:1:2"), None);
        assert_eq!(TokenRecord::parse(&format!("{}:1:2:3", record.jti)), None);
    }
}
