//! Typed wrappers around the seat-hold scripts (`lua/hold_*.lua`, `lua/seat_*.lua`,
//! `lua/schedule_*.lua`).

use std::sync::LazyLock;

use deadpool_redis::redis::{self, ErrorKind, Script, Value};

use super::{NOSCRIPT_ATTEMPTS, RedisStore, RunScript};
use crate::store::holds::{HoldOutcome, HoldStatus, ScheduleSnapshot, ScheduleState};
use crate::store::{StoreError, StoreResult};

macro_rules! script {
    ($file:literal) => {
        LazyLock::new(|| Script::new(include_str!(concat!("../../../lua/", $file))))
    };
}

static HOLD_SEAT: LazyLock<Script> = script!("hold_seat.lua");
static HOLD_CHECK: LazyLock<Script> = script!("hold_check.lua");
static HOLD_RELEASE: LazyLock<Script> = script!("hold_release.lua");
static SEAT_SELL: LazyLock<Script> = script!("seat_sell.lua");
static SEAT_UNSELL: LazyLock<Script> = script!("seat_unsell.lua");
static SCHEDULE_STATE: LazyLock<Script> = script!("schedule_state.lua");
static SCHEDULE_LEFT: LazyLock<Script> = script!("schedule_left.lua");
static SCHEDULE_LOAD: LazyLock<Script> = script!("schedule_load.lua");

impl RedisStore {
    /// Holds a seat for `user_id` for `ttl_ms`.
    ///
    /// # Errors
    /// On Redis failure or an unexpected reply.
    pub async fn hold_seat(
        &self,
        schedule_id: i64,
        seat_id: i64,
        user_id: i64,
        ttl_ms: u64,
        max_per_user: u32,
    ) -> StoreResult<HoldOutcome> {
        let k = &self.keys;
        let (outcome, expires_ms): (String, i64) = HOLD_SEAT
            .key(k.schedule_meta(schedule_id))
            .key(k.schedule_holds(schedule_id))
            .key(k.schedule_holders(schedule_id))
            .key(k.schedule_sold(schedule_id))
            .key(k.schedule_user_holds(schedule_id, user_id))
            .arg(seat_id)
            .arg(user_id)
            .arg(ttl_ms)
            .arg(max_per_user)
            .run(&self.conn)
            .await?;
        match outcome.as_str() {
            "ok" => Ok(HoldOutcome::Held { expires_ms }),
            "unavailable" => Ok(HoldOutcome::Unavailable),
            "limit" => Ok(HoldOutcome::LimitReached),
            "missing" => Ok(HoldOutcome::NotLoaded),
            other => Err(StoreError::Protocol(format!("hold_seat returned {other}"))),
        }
    }

    /// Whether `user_id` holds the seat right now.
    ///
    /// # Errors
    /// On Redis failure or an unexpected reply.
    pub async fn hold_status(
        &self,
        schedule_id: i64,
        seat_id: i64,
        user_id: i64,
    ) -> StoreResult<HoldStatus> {
        let k = &self.keys;
        let (status, expires_ms): (String, i64) = HOLD_CHECK
            .key(k.schedule_meta(schedule_id))
            .key(k.schedule_holds(schedule_id))
            .key(k.schedule_holders(schedule_id))
            .key(k.schedule_sold(schedule_id))
            .arg(seat_id)
            .arg(user_id)
            .run(&self.conn)
            .await?;
        match status.as_str() {
            "held" => Ok(HoldStatus::Held { expires_ms }),
            "sold" => Ok(HoldStatus::Sold),
            "none" => Ok(HoldStatus::NotHeld),
            "missing" => Ok(HoldStatus::NotLoaded),
            other => Err(StoreError::Protocol(format!("hold_check returned {other}"))),
        }
    }

    /// Ends `user_id`'s hold on the seat; true when there was one.
    ///
    /// # Errors
    /// On Redis failure.
    pub async fn hold_release(
        &self,
        schedule_id: i64,
        seat_id: i64,
        user_id: i64,
    ) -> StoreResult<bool> {
        let k = &self.keys;
        let released: i64 = HOLD_RELEASE
            .key(k.schedule_holds(schedule_id))
            .key(k.schedule_holders(schedule_id))
            .key(k.schedule_user_holds(schedule_id, user_id))
            .arg(seat_id)
            .arg(user_id)
            .run(&self.conn)
            .await?;
        Ok(released == 1)
    }

    /// Marks the seat sold and ends the buyer's hold on it.
    ///
    /// # Errors
    /// On Redis failure.
    pub async fn seat_sell(&self, schedule_id: i64, seat_id: i64, user_id: i64) -> StoreResult<()> {
        let k = &self.keys;
        let _: i64 = SEAT_SELL
            .key(k.schedule_holds(schedule_id))
            .key(k.schedule_holders(schedule_id))
            .key(k.schedule_sold(schedule_id))
            .key(k.schedule_user_holds(schedule_id, user_id))
            .arg(seat_id)
            .run(&self.conn)
            .await?;
        Ok(())
    }

    /// Puts a sold seat back on sale.
    ///
    /// # Errors
    /// On Redis failure.
    pub async fn seat_unsell(&self, schedule_id: i64, seat_id: i64) -> StoreResult<()> {
        let _: i64 = SEAT_UNSELL
            .key(self.keys.schedule_sold(schedule_id))
            .arg(seat_id)
            .run(&self.conn)
            .await?;
        Ok(())
    }

    /// The live state of a schedule's seats, or `None` when it is not loaded.
    ///
    /// # Errors
    /// On Redis failure or an unexpected reply.
    pub async fn schedule_state(&self, schedule_id: i64) -> StoreResult<Option<ScheduleState>> {
        let k = &self.keys;
        let reply: Vec<Value> = SCHEDULE_STATE
            .key(k.schedule_meta(schedule_id))
            .key(k.schedule_holds(schedule_id))
            .key(k.schedule_sold(schedule_id))
            .run(&self.conn)
            .await?;
        let bad = || StoreError::Protocol("schedule_state reply".into());
        match &reply[..] {
            [Value::Int(0)] => Ok(None),
            [Value::Int(1), total, sold, held] => Ok(Some(ScheduleState {
                total: redis::from_redis_value_ref(total).map_err(|_| bad())?,
                sold: redis::from_redis_value_ref(sold).map_err(|_| bad())?,
                held: redis::from_redis_value_ref(held).map_err(|_| bad())?,
            })),
            _ => Err(bad()),
        }
    }

    /// Free seats of each schedule (`None` where its state is not loaded), in one round
    /// trip.
    ///
    /// # Errors
    /// On Redis failure.
    pub async fn schedules_left(&self, schedule_ids: &[i64]) -> StoreResult<Vec<Option<i64>>> {
        if schedule_ids.is_empty() {
            return Ok(Vec::new());
        }
        let k = &self.keys;
        let invocations: Vec<_> = schedule_ids
            .iter()
            .map(|&id| {
                let mut invocation = SCHEDULE_LEFT.prepare_invoke();
                invocation
                    .key(k.schedule_meta(id))
                    .key(k.schedule_holds(id))
                    .key(k.schedule_sold(id));
                invocation
            })
            .collect();
        let mut pipe = redis::pipe();
        for invocation in &invocations {
            pipe.invoke_script(invocation);
        }
        let mut conn = self.conn.clone();
        let mut attempt = 1;
        let counts: Vec<i64> = loop {
            match pipe.query_async(&mut conn).await {
                // The script cache was flushed: load the script and go again.
                Err(err)
                    if err.kind() == ErrorKind::Server(redis::ServerErrorKind::NoScript)
                        && attempt < NOSCRIPT_ATTEMPTS =>
                {
                    attempt += 1;
                    let _: String = SCHEDULE_LEFT.prepare_invoke().load_async(&mut conn).await?;
                }
                other => break other?,
            }
        };
        Ok(counts.into_iter().map(|n| (n >= 0).then_some(n)).collect())
    }

    /// Loads a schedule's state from the database's facts unless it is loaded already.
    ///
    /// # Errors
    /// On Redis failure.
    pub async fn schedule_load(
        &self,
        schedule_id: i64,
        snapshot: &ScheduleSnapshot,
    ) -> StoreResult<bool> {
        let k = &self.keys;
        let mut invocation = SCHEDULE_LOAD.prepare_invoke();
        invocation
            .key(k.schedule_meta(schedule_id))
            .key(k.schedule_holds(schedule_id))
            .key(k.schedule_holders(schedule_id))
            .key(k.schedule_sold(schedule_id))
            .arg(snapshot.total)
            .arg(snapshot.sold.len())
            .arg(&snapshot.sold);
        for hold in &snapshot.holds {
            invocation
                .arg(hold.seat_id)
                .arg(hold.expires_ms)
                .arg(hold.user_id);
        }
        let loaded: i64 = invocation.run(&self.conn).await?;
        Ok(loaded == 1)
    }
}
