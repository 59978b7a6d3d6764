//! Key layout. Every key of one queue shares the hash tag `{q:main}` and every key of one
//! schedule the tag `{s:<id>}`, so each script touches a single Redis Cluster slot. A
//! configurable prefix in front lets deployments and tests share one Redis.

/// Builds key names under one prefix.
#[derive(Clone, Debug)]
pub struct Keys {
    prefix: String,
}

impl Keys {
    pub fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
        }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    fn queue(&self, part: &str) -> String {
        format!("{}:{{q:main}}:{part}", self.prefix)
    }

    /// ZSET user id → arrival stamp (Unix µs, strictly increasing), the waiting line.
    pub fn queue_waiting(&self) -> String {
        self.queue("waiting")
    }

    /// ZSET user id → last heartbeat (ms), waiting users only.
    pub fn queue_heartbeats(&self) -> String {
        self.queue("heartbeats")
    }

    /// ZSET user id → working-session expiry (ms).
    pub fn queue_working(&self) -> String {
        self.queue("working")
    }

    /// HASH user id → arrival stamp of the token of each working user.
    pub fn queue_admitted(&self) -> String {
        self.queue("admitted")
    }

    /// STRING the latest arrival stamp handed out.
    pub fn queue_last_stamp(&self) -> String {
        self.queue("last_stamp")
    }

    /// HASH of runtime settings (capacity, batch_size, tick_ms, paused) and the last tick.
    pub fn queue_settings(&self) -> String {
        self.queue("settings")
    }

    /// ZSET "tick:count" → tick time (ms), admissions of the last minute.
    pub fn queue_admissions(&self) -> String {
        self.queue("admissions")
    }

    fn schedule(&self, schedule_id: i64, part: &str) -> String {
        format!("{}:{{s:{schedule_id}}}:{part}", self.prefix)
    }

    /// HASH total seats; its presence means the schedule's hot state is loaded.
    pub fn schedule_meta(&self, schedule_id: i64) -> String {
        self.schedule(schedule_id, "meta")
    }

    /// ZSET seat id → hold expiry (ms).
    pub fn schedule_holds(&self, schedule_id: i64) -> String {
        self.schedule(schedule_id, "holds")
    }

    /// HASH seat id → holder's user id.
    pub fn schedule_holders(&self, schedule_id: i64) -> String {
        self.schedule(schedule_id, "holders")
    }

    /// SET of sold seat ids.
    pub fn schedule_sold(&self, schedule_id: i64) -> String {
        self.schedule(schedule_id, "sold")
    }

    /// ZSET seat id → hold expiry (ms), the holds of one user in one schedule.
    pub fn schedule_user_holds(&self, schedule_id: i64, user_id: i64) -> String {
        self.schedule(schedule_id, &format!("user:{user_id}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash_tag(key: &str) -> &str {
        let open = key.find('{').expect("a hash tag");
        let close = key[open..].find('}').expect("a closed hash tag") + open;
        &key[open + 1..close]
    }

    #[test]
    fn queue_keys_share_one_hash_tag() {
        let keys = Keys::new("bo");
        for key in [
            keys.queue_waiting(),
            keys.queue_heartbeats(),
            keys.queue_working(),
            keys.queue_admitted(),
            keys.queue_last_stamp(),
            keys.queue_settings(),
            keys.queue_admissions(),
        ] {
            assert_eq!(hash_tag(&key), "q:main", "{key}");
        }
    }

    #[test]
    fn schedule_keys_share_the_schedules_hash_tag() {
        let keys = Keys::new("bo");
        for key in [
            keys.schedule_meta(42),
            keys.schedule_holds(42),
            keys.schedule_holders(42),
            keys.schedule_sold(42),
            keys.schedule_user_holds(42, 7),
        ] {
            assert_eq!(hash_tag(&key), "s:42", "{key}");
        }
    }
}
