//! The rules of boxoffice: who may queue, hold, pay and refund, and what each costs. No
//! axum and no SQL text here; stores do the I/O.

pub mod booking;
pub mod catalog;
pub mod catalog_cache;
pub mod error;
pub mod idempotency;
pub mod payment;
pub mod points;
pub mod queue;
pub mod users;

pub use error::{ServiceError, ServiceResult};
