//! The queue guard: the extractor of every booking route. One signature check and one
//! hot-store round trip; no database access.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;

use crate::auth::queue_token::{QueueClaims, QueueTokens};
use crate::error::AppError;
use crate::services::ServiceError;
use crate::store::HotStore;

/// A request from a working queue token.
#[derive(Debug, Clone, Copy)]
pub struct WorkingSession {
    pub user_id: i64,
    pub jti: uuid::Uuid,
    /// When the working session ends (Unix ms).
    pub session_ends_ms: i64,
}

/// Verified claims of a signed queue token, working or not (payment retries need this).
#[derive(Debug, Clone, Copy)]
pub struct SignedQueueToken(pub QueueClaims);

impl<S> FromRequestParts<S> for SignedQueueToken
where
    QueueTokens: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = super::bearer(&parts.headers)
            .ok_or_else(|| AppError::InvalidToken("a queue token is required".into()))?;
        QueueTokens::from_ref(state)
            .verify(token)
            .map(SignedQueueToken)
            .map_err(|e| AppError::InvalidToken(e.to_string()))
    }
}

impl<S> FromRequestParts<S> for WorkingSession
where
    QueueTokens: FromRef<S>,
    HotStore: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let SignedQueueToken(claims) = SignedQueueToken::from_request_parts(parts, state).await?;
        Self::require(&HotStore::from_ref(state), claims).await
    }
}

impl WorkingSession {
    /// The working session of a verified token.
    ///
    /// # Errors
    /// 403 `not_admitted` when the token is waiting, ended or not the user's live one.
    pub async fn require(hot: &HotStore, claims: QueueClaims) -> Result<Self, AppError> {
        let session_ends_ms = hot
            .queue_check(claims.user_id, claims.jti)
            .await?
            .ok_or(ServiceError::NotAdmitted)?;
        Ok(Self {
            user_id: claims.user_id,
            jti: claims.jti,
            session_ends_ms,
        })
    }
}
