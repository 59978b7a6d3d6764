//! The admin key check: `Authorization: Bearer <APP_ADMIN__API_KEY>`.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;

use crate::config::Secret;
use crate::error::AppError;

/// The configured admin key; admin routes do not exist (404) without one.
#[derive(Clone)]
pub struct AdminKey(pub Option<std::sync::Arc<Secret>>);

/// Proof that the request carries the admin key.
pub struct Admin;

impl<S> FromRequestParts<S> for Admin
where
    AdminKey: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let AdminKey(key) = AdminKey::from_ref(state);
        let Some(key) = key else {
            return Err(AppError::RouteNotFound(parts.uri.path().to_owned()));
        };
        let presented = super::bearer(&parts.headers)
            .ok_or_else(|| AppError::InvalidToken("an admin key is required".into()))?;
        if constant_time_eq(presented.as_bytes(), key.expose().as_bytes()) {
            Ok(Admin)
        } else {
            Err(AppError::InvalidToken("the admin key is wrong".into()))
        }
    }
}

/// Compares without an early exit, so response time does not reveal matching prefixes.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
