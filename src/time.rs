//! The service's clock. Instants are kept to whole milliseconds, the precision the
//! database stores, so a response and a later read of the same row agree exactly.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

/// Now, truncated to the millisecond.
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    now.duration_trunc(TimeDelta::milliseconds(1))
        .unwrap_or(now)
}
