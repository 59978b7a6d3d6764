//! The Redis hot store: one multiplexed connection shared by every request, a key layout
//! with one hash tag per queue and per schedule, and typed wrappers around the Lua scripts
//! in `lua/`.
//!
//! Why multiplexed: every checkout from a deadpool-redis pool costs an extra round trip
//! (see ARCHITECTURE.md, measured 3× slower); a `ConnectionManager` pipelines concurrent
//! requests over one socket and reconnects by itself.

mod holds;
pub mod keys;
mod queue;

use std::time::Duration;

use anyhow::Context;
use deadpool_redis::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use deadpool_redis::redis::{self, Client};

use crate::config::{RedisSettings, redact_url};
use crate::store::StoreResult;

pub use keys::Keys;

use deadpool_redis::redis::{
    ErrorKind, FromRedisValue, RedisResult, ScriptInvocation, ServerErrorKind,
};

/// Script calls that survive a flushed script cache. redis-rs answers NOSCRIPT by loading
/// the script and calling it again, once; a second `SCRIPT FLUSH` (an operator's, or a
/// failover to a fresh replica) between that load and that call would fail the request.
pub(crate) trait RunScript {
    fn run<T: FromRedisValue + Send>(
        &self,
        conn: &ConnectionManager,
    ) -> impl Future<Output = RedisResult<T>> + Send;
}

/// Attempts of one script call that keep meeting an empty script cache.
const NOSCRIPT_ATTEMPTS: usize = 3;

impl RunScript for ScriptInvocation<'_> {
    fn run<T: FromRedisValue + Send>(
        &self,
        conn: &ConnectionManager,
    ) -> impl Future<Output = RedisResult<T>> + Send {
        let mut conn = conn.clone();
        async move {
            let mut attempt = 1;
            loop {
                match self.invoke_async(&mut conn).await {
                    Err(err)
                        if err.kind() == ErrorKind::Server(ServerErrorKind::NoScript)
                            && attempt < NOSCRIPT_ATTEMPTS =>
                    {
                        attempt += 1;
                    }
                    other => return other,
                }
            }
        }
    }
}

/// Handle to the Redis hot store. Cheap to clone.
#[derive(Clone)]
pub struct RedisStore {
    pub(crate) conn: ConnectionManager,
    pub(crate) keys: Keys,
}

impl RedisStore {
    /// Connects and checks that Redis answers.
    ///
    /// # Errors
    /// One line naming the URL (without its password) when Redis is unreachable.
    pub async fn connect(settings: &RedisSettings) -> anyhow::Result<Self> {
        let url = settings.url.expose();
        let shown = redact_url(url);
        let timeout = Duration::from_secs(settings.connect_timeout_secs);
        let client = Client::open(url).with_context(|| format!("invalid Redis URL {shown}"))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(2);
        let mut conn = tokio::time::timeout(
            timeout * 2,
            ConnectionManager::new_with_config(client, config),
        )
        .await
        .map_err(|_| anyhow::anyhow!("timed out"))
        .and_then(|r| r.map_err(anyhow::Error::from))
        .with_context(|| format!("cannot connect to Redis at {shown}"))?;
        let _: String = redis::cmd("PING")
            .query_async(&mut conn)
            .await
            .with_context(|| format!("Redis at {shown} does not answer PING"))?;
        Ok(Self {
            conn,
            keys: Keys::new(&settings.key_prefix),
        })
    }

    /// The key layout of this store.
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Answers when Redis does.
    ///
    /// # Errors
    /// When it does not.
    pub async fn ping(&self) -> StoreResult<()> {
        let mut conn = self.conn.clone();
        let _: String = redis::cmd("PING").query_async(&mut conn).await?;
        Ok(())
    }
}
