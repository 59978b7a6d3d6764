//! Typed wrappers around the queue scripts in `lua/queue_*.lua`.

use std::sync::LazyLock;

use deadpool_redis::redis::{Script, ScriptInvocation, Value};

use super::{RedisStore, RunScript};
use crate::store::queue::{
    Joined, PromotionOutcome, PromotionParams, QueueDials, QueueDialsPatch, QueueEntry,
    QueueOverview, QueueState, TokenRecord,
};
use crate::store::{StoreError, StoreResult};

macro_rules! queue_script {
    ($file:literal) => {
        LazyLock::new(|| {
            Script::new(concat!(
                include_str!("../../../lua/queue_lib.lua"),
                "\n",
                include_str!(concat!("../../../lua/", $file))
            ))
        })
    };
}

static QUEUE_STATUS: LazyLock<Script> = queue_script!("queue_status.lua");
static QUEUE_JOIN: LazyLock<Script> = queue_script!("queue_join.lua");
static QUEUE_CHECK: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("../../../lua/queue_check.lua")));
static QUEUE_LEAVE: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("../../../lua/queue_leave.lua")));
static QUEUE_PROMOTE: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("../../../lua/queue_promote.lua")));
static QUEUE_OVERVIEW: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("../../../lua/queue_overview.lua")));

impl RedisStore {
    /// The user's live token and its state (a heartbeat), or `None`.
    ///
    /// # Errors
    /// On Redis failure or an unexpected reply.
    pub async fn queue_status(
        &self,
        user_id: i64,
        ttl_secs: u64,
    ) -> StoreResult<Option<QueueEntry>> {
        let reply: Value = self
            .with_live_state_keys(&QUEUE_STATUS)
            .arg(member(user_id))
            .arg(ttl_secs)
            .run(&self.conn)
            .await?;
        match reply {
            Value::Nil => Ok(None),
            other => parse_entry(user_id, ttl_secs, &other).map(|(entry, _)| Some(entry)),
        }
    }

    /// Joins the queue unless the user already has a live token.
    ///
    /// # Errors
    /// On Redis failure or an unexpected reply.
    pub async fn queue_join(&self, user_id: i64, ttl_secs: u64) -> StoreResult<Joined> {
        let reply: Value = self
            .with_live_state_keys(&QUEUE_JOIN)
            .key(self.keys.queue_last_stamp())
            .arg(member(user_id))
            .arg(ttl_secs)
            .run(&self.conn)
            .await?;
        let (entry, created) = parse_entry(user_id, ttl_secs, &reply)?;
        Ok(Joined { entry, created })
    }

    /// An invocation of a script built on `queue_lib.lua`, with the four keys its
    /// `live_state` reads first, in the order both scripts take them.
    fn with_live_state_keys<'a>(&self, script: &'a Script) -> ScriptInvocation<'a> {
        let k = &self.keys;
        let mut invocation = script.prepare_invoke();
        invocation
            .key(k.queue_waiting())
            .key(k.queue_heartbeats())
            .key(k.queue_working())
            .key(k.queue_admitted());
        invocation
    }

    /// The session end (Unix ms) when this token is the user's live, working one.
    ///
    /// # Errors
    /// On Redis failure.
    pub async fn queue_check(&self, user_id: i64, jti: uuid::Uuid) -> StoreResult<Option<i64>> {
        let session_end: i64 = self
            .for_token_session(&QUEUE_CHECK, user_id, jti)
            .run(&self.conn)
            .await?;
        Ok((session_end > 0).then_some(session_end))
    }

    /// Ends this token's working session; true when there was one.
    ///
    /// # Errors
    /// On Redis failure.
    pub async fn queue_leave(&self, user_id: i64, jti: uuid::Uuid) -> StoreResult<bool> {
        let ended: i64 = self
            .for_token_session(&QUEUE_LEAVE, user_id, jti)
            .run(&self.conn)
            .await?;
        Ok(ended == 1)
    }

    /// An invocation of `queue_check.lua` or `queue_leave.lua`, which take the same keys
    /// and arguments: the user's working session, named by the token's arrival stamp.
    fn for_token_session<'a>(
        &self,
        script: &'a Script,
        user_id: i64,
        jti: uuid::Uuid,
    ) -> ScriptInvocation<'a> {
        let mut invocation = script.prepare_invoke();
        invocation
            .key(self.keys.queue_admitted())
            .key(self.keys.queue_working())
            .arg(member(user_id))
            .arg(TokenRecord::stamp_of(jti));
        invocation
    }

    /// One promotion tick.
    ///
    /// # Errors
    /// On Redis failure or an unexpected reply.
    pub async fn queue_promote(&self, params: &PromotionParams) -> StoreResult<PromotionOutcome> {
        let k = &self.keys;
        let d = &params.defaults;
        let reply: Vec<i64> = QUEUE_PROMOTE
            .key(k.queue_waiting())
            .key(k.queue_heartbeats())
            .key(k.queue_working())
            .key(k.queue_admitted())
            .key(k.queue_settings())
            .key(k.queue_admissions())
            .arg(d.capacity)
            .arg(d.batch_size)
            .arg(d.tick_ms)
            .arg(u8::from(d.paused))
            .arg(params.session_ms)
            .arg(params.idle_timeout_ms)
            .arg(params.cleanup_limit)
            .run(&self.conn)
            .await?;
        let [
            ran,
            admitted,
            ended,
            idle,
            waiting,
            working,
            last_minute,
            tick_ms,
            since,
            capacity,
            batch_size,
            paused,
        ] = reply[..]
        else {
            return Err(StoreError::Protocol(format!(
                "queue_promote returned {reply:?}"
            )));
        };
        let count = |n: i64| u64::try_from(n).unwrap_or_default();
        Ok(PromotionOutcome {
            ran: ran == 1,
            admitted: count(admitted),
            sessions_ended: count(ended),
            idle_dropped: count(idle),
            waiting: count(waiting),
            working: count(working),
            admitted_last_minute: count(last_minute),
            admissions_since_ms: since,
            dials: QueueDials {
                capacity: u32::try_from(capacity).unwrap_or(u32::MAX),
                batch_size: u32::try_from(batch_size).unwrap_or(u32::MAX),
                tick_ms: count(tick_ms),
                paused: paused == 1,
            },
        })
    }

    /// Counts and dials for operators.
    ///
    /// # Errors
    /// On Redis failure or an unexpected reply.
    pub async fn queue_overview(&self, defaults: &QueueDials) -> StoreResult<QueueOverview> {
        let k = &self.keys;
        type Reply = (
            u64,
            u64,
            Option<u32>,
            Option<u32>,
            Option<u64>,
            Option<u8>,
            u64,
        );
        let (waiting, working, capacity, batch_size, tick_ms, paused, admitted_last_minute): Reply =
            QUEUE_OVERVIEW
                .key(k.queue_waiting())
                .key(k.queue_working())
                .key(k.queue_settings())
                .key(k.queue_admissions())
                .run(&self.conn)
                .await?;
        Ok(QueueOverview {
            waiting,
            working,
            dials: QueueDials {
                capacity: capacity.unwrap_or(defaults.capacity),
                batch_size: batch_size.unwrap_or(defaults.batch_size),
                tick_ms: tick_ms.unwrap_or(defaults.tick_ms),
                paused: paused.map_or(defaults.paused, |p| p == 1),
            },
            admitted_last_minute,
        })
    }

    /// Stores runtime overrides of the dials.
    ///
    /// # Errors
    /// On Redis failure.
    pub async fn queue_set_dials(&self, patch: &QueueDialsPatch) -> StoreResult<()> {
        let mut fields: Vec<(&str, u64)> = Vec::new();
        if let Some(capacity) = patch.capacity {
            fields.push(("capacity", capacity.into()));
        }
        if let Some(batch_size) = patch.batch_size {
            fields.push(("batch_size", batch_size.into()));
        }
        if let Some(tick_ms) = patch.tick_ms {
            fields.push(("tick_ms", tick_ms));
        }
        if let Some(paused) = patch.paused {
            fields.push(("paused", u64::from(paused)));
        }
        if fields.is_empty() {
            return Ok(());
        }
        let () = deadpool_redis::redis::cmd("HSET")
            .arg(self.keys.queue_settings())
            .arg(fields)
            .query_async(&mut self.conn.clone())
            .await?;
        Ok(())
    }
}

/// A user's member in the queue's keys: the id's minimal big-endian bytes (three bytes
/// below 16.7 million) rather than its decimal text, which keeps each member in Redis's
/// smallest allocation and saves 16 bytes per waiting user across the two sorted sets.
pub fn member(user_id: i64) -> Vec<u8> {
    let bytes = user_id.to_be_bytes();
    let leading_zeros = bytes[..7].iter().take_while(|&&b| b == 0).count();
    bytes[leading_zeros..].to_vec()
}

/// `{stamp, state, position, session end[, created]}` of the join and status scripts.
fn parse_entry(user_id: i64, ttl_secs: u64, reply: &Value) -> StoreResult<(QueueEntry, bool)> {
    let bad = |what: &str| StoreError::Protocol(format!("queue script reply: {what}"));
    let Value::Array(items) = reply else {
        return Err(bad("not an array"));
    };
    let int = |v: &Value| match v {
        Value::Int(n) => Some(*n),
        _ => None,
    };
    let (stamp, state, position, session_end, created) = match &items[..] {
        [stamp, state, position, end] => (stamp, state, position, end, false),
        [stamp, state, position, end, created] => {
            (stamp, state, position, end, int(created) == Some(1))
        }
        _ => return Err(bad("wrong length")),
    };
    let stamp = int(stamp).ok_or_else(|| bad("stamp"))?;
    let state = match state {
        Value::BulkString(bytes) if bytes == b"waiting" => QueueState::Waiting {
            position: int(position)
                .and_then(|p| u64::try_from(p).ok())
                .ok_or_else(|| bad("position"))?,
        },
        Value::BulkString(bytes) if bytes == b"working" => QueueState::Working {
            session_ends_ms: int(session_end).ok_or_else(|| bad("session end"))?,
        },
        _ => return Err(bad("state")),
    };
    Ok((
        QueueEntry {
            token: TokenRecord::derive(user_id, stamp, ttl_secs),
            state,
        },
        created,
    ))
}
