//! Extractors whose rejections answer in the contract's error shape.

use axum::extract::{FromRequest, FromRequestParts};
use serde::{Deserialize, Deserializer};

use crate::error::AppError;

/// `axum::Json` that rejects with `AppError` (400, 413 or 415 in the error shape).
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct AppJson<T>(pub T);

/// `axum::extract::Path` that rejects with `AppError` (400 in the error shape).
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct AppPath<T>(pub T);

/// `axum::extract::Query` that rejects with `AppError`.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct AppQuery<T>(pub T);

/// An entity id from a path: a positive integer, refused with 400 otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Id(pub i64);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = i64::deserialize(deserializer)?;
        if value > 0 {
            Ok(Self(value))
        } else {
            Err(serde::de::Error::custom("ids are positive integers"))
        }
    }
}

/// The `{schedule_id}/seat/{seat_id}` part of the seat routes.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct SeatPath {
    pub schedule_id: Id,
    pub seat_id: Id,
}
