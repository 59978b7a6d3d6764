//! Credentials: the admin key, queue tokens and their guard, and user identities (see
//! API.md).

pub mod admin;
pub mod guard;
pub mod identity;
pub mod queue_token;

/// The token of an `Authorization: Bearer <token>` header, if there is one.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|token| !token.is_empty())
}
