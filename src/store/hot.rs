//! `HotStore`: the fast, shared state (waiting queue, sessions, seat holds) behind one
//! interface, implemented by Redis (production) and later by an in-process store.

use crate::store::StoreResult;
use crate::store::redis::RedisStore;

/// The hot store in use. An enum rather than a trait object: two back ends, static
/// dispatch, no boxed futures on the hot path.
#[derive(Clone)]
pub enum HotStore {
    Redis(RedisStore),
}

impl HotStore {
    /// A short name for `/readyz` and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Redis(_) => "redis",
        }
    }

    /// # Errors
    /// When the store does not answer.
    pub async fn ping(&self) -> StoreResult<()> {
        match self {
            Self::Redis(store) => store.ping().await,
        }
    }
}
