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
