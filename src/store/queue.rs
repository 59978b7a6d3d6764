//! The waiting-queue contract shared by every hot-store back end: what a token record is,
//! what state a user is in, and what a promotion tick did.

use uuid::Uuid;

/// The facts of a queue token. The hot store keeps only the user's arrival stamp (Unix
/// µs, strictly increasing); the token id and times derive from it, and HS256 signing is
/// deterministic, so the same user and stamp always give the same JWT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenRecord {
    pub jti: Uuid,
    /// Issued at, Unix seconds.
    pub issued_at: i64,
    /// Expires at, Unix seconds.
    pub expires_at: i64,
}

impl TokenRecord {
    /// The token of `user_id` who joined at `stamp`, living `ttl_secs`. The id carries the
    /// user and the stamp (a version-8 UUID), so a token of one arrival never passes for
    /// another arrival of the same user.
    pub fn derive(user_id: i64, stamp: i64, ttl_secs: u64) -> Self {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&user_id.to_be_bytes());
        bytes[8..].copy_from_slice(&stamp.to_be_bytes());
        let issued_at = stamp.div_euclid(1_000_000);
        Self {
            jti: Uuid::new_v8(bytes),
            issued_at,
            expires_at: issued_at.saturating_add(i64::try_from(ttl_secs).unwrap_or(i64::MAX)),
        }
    }

    /// The arrival stamp a token id carries. Stamps stay below 2^62, so the two bits the
    /// UUID variant overwrites are known zeros.
    pub fn stamp_of(jti: Uuid) -> i64 {
        let mut stamp = [0u8; 8];
        stamp.copy_from_slice(&jti.as_bytes()[8..]);
        stamp[0] &= 0x3f;
        i64::from_be_bytes(stamp)
    }

    /// The next arrival stamp: the join time in µs, made strictly greater than `last`.
    pub fn next_stamp(now_ms: i64, last: i64) -> i64 {
        now_ms.saturating_mul(1000).max(last + 1)
    }
}

/// The answer of a join: the live token's state, and whether this call created it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Joined {
    pub entry: QueueEntry,
    pub created: bool,
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
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
    /// The tick of the oldest admission counted in `admitted_last_minute` (Unix ms), 0
    /// without one: the rate is measured over the time admissions actually took.
    pub admissions_since_ms: i64,
    /// The dials in force (runtime overrides or defaults), so schedulers and estimates
    /// follow runtime changes.
    pub dials: QueueDials,
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
    fn a_token_id_carries_its_stamp_and_user() {
        let stamp = 1_795_675_133_000_123;
        let token = TokenRecord::derive(42, stamp, 3600);
        assert_eq!(TokenRecord::stamp_of(token.jti), stamp);
        assert_eq!(token.issued_at, 1_795_675_133);
        assert_eq!(token.expires_at, 1_795_675_133 + 3600);
        assert_eq!(token, TokenRecord::derive(42, stamp, 3600));
        assert_ne!(token.jti, TokenRecord::derive(42, stamp + 1, 3600).jti);
        assert_ne!(token.jti, TokenRecord::derive(43, stamp, 3600).jti);
    }

    #[test]
    fn stamps_strictly_increase() {
        assert_eq!(TokenRecord::next_stamp(1_000, 0), 1_000_000);
        assert_eq!(TokenRecord::next_stamp(1_000, 1_000_000), 1_000_001);
    }
}
