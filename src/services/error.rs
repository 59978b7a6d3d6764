//! `ServiceError`: the business rules a request can break, independent of HTTP.

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    InvalidAmount(String),
    #[error("this queue token is not admitted (still waiting, or its session has ended)")]
    NotAdmitted,
    #[error("no such user")]
    UserNotFound,
    #[error("no such schedule")]
    ScheduleNotFound,
    #[error("no such seat in this schedule")]
    SeatNotFound,
    #[error("no such reservation of yours")]
    ReservationNotFound,
    #[error("the seat is held or sold")]
    SeatUnavailable,
    #[error("you already hold the most seats allowed for this schedule")]
    HoldLimitReached,
    #[error("the hold on this seat has expired")]
    HoldExpired,
    #[error("the balance is too low for this payment")]
    InsufficientPoints,
    #[error("this reservation is already paid")]
    AlreadyPaid,
    #[error("this reservation is not paid")]
    NotPaid,
    #[error("refunds for this show are closed")]
    RefundClosed,
    #[error("a request with this Idempotency-Key is still being processed")]
    IdempotencyKeyInUse,
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyKeyReused,
    #[error("store failure")]
    Store(#[from] StoreError),
}

impl From<sea_orm::DbErr> for ServiceError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Store(StoreError::Db(err))
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
