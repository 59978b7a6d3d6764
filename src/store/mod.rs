//! Stores: durable state in the database through SeaORM (`db`), hot state (queue, seat
//! holds) in Redis through Lua scripts (`redis`). Nothing here knows about HTTP.

pub mod db;
pub mod holds;
pub mod hot;
pub mod memory;
pub mod queue;
pub mod redis;

pub use hot::HotStore;

/// A failure of a back end, never of a business rule.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error")]
    Db(#[from] sea_orm::DbErr),
    #[error("redis error")]
    Redis(#[from] deadpool_redis::redis::RedisError),
    /// A script or query answered in a shape the code does not expect.
    #[error("unexpected reply from the store: {0}")]
    Protocol(String),
}

pub type StoreResult<T> = Result<T, StoreError>;
