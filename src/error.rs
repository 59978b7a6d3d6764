//! `AppError`: every failure at the HTTP edge, answered with the contract's error body
//! `{"error": {"code", "message"}}`. Each variant's doc names its status and code.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::services::ServiceError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400 `invalid_request`: the body, path or query could not be read.
    #[error("{0}")]
    InvalidRequest(String),
    /// 415 `unsupported_media_type`: a JSON body without `Content-Type: application/json`.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 413 `payload_too_large`.
    #[error("the request body is too large")]
    PayloadTooLarge,
    /// 401 `invalid_token`: missing, malformed, badly signed, wrong type or expired.
    #[error("{0}")]
    InvalidToken(String),
    /// 403 `forbidden`: a valid identity acting for another user.
    #[error("this credential may not act for that user")]
    Forbidden,
    /// 404 `not_found`: no such route (or the admin routes without an admin key).
    #[error("no route for {0}")]
    RouteNotFound(String),
    /// 405 `method_not_allowed`.
    #[error("this method is not allowed on this route")]
    MethodNotAllowed,
    /// 503 `not_ready`: a back end does not answer.
    #[error("{0}")]
    NotReady(String),
    /// The status and code of a broken business rule (see `ServiceError`).
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        Self::Service(ServiceError::Store(err))
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => Self::UnsupportedMediaType(
                "expected a JSON body with Content-Type: application/json".into(),
            ),
            JsonRejection::BytesRejection(_)
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Self::PayloadTooLarge
            }
            other => Self::InvalidRequest(other.body_text()),
        }
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        Self::InvalidRequest(rejection.body_text())
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        Self::InvalidRequest(rejection.body_text())
    }
}

/// The error body of every failed request.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable snake_case code clients can branch on.
    #[schema(example = "seat_unavailable")]
    pub code: &'static str,
    /// A human readable sentence.
    pub message: String,
}

impl AppError {
    /// The HTTP status and stable code of this error.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::InvalidRequest(_) => (StatusCode::BAD_REQUEST, "invalid_request"),
            Self::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            Self::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Self::InvalidToken(_) => (StatusCode::UNAUTHORIZED, "invalid_token"),
            Self::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            Self::RouteNotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Self::NotReady(_) => (StatusCode::SERVICE_UNAVAILABLE, "not_ready"),
            Self::Service(err) => service_status_and_code(err),
        }
    }
}

/// The status and exact JSON body that answering with this business error sends, for
/// storing the first response of an idempotent request.
pub fn service_error_response(err: &ServiceError) -> (StatusCode, String) {
    let (status, code) = service_status_and_code(err);
    let body = ErrorBody {
        error: ErrorDetail {
            code,
            message: err.to_string(),
        },
    };
    (
        status,
        serde_json::to_string(&body).expect("error bodies serialize"),
    )
}

fn service_status_and_code(err: &ServiceError) -> (StatusCode, &'static str) {
    use ServiceError as E;
    match err {
        E::Invalid(_) => (StatusCode::BAD_REQUEST, "invalid_request"),
        E::InvalidAmount(_) => (StatusCode::BAD_REQUEST, "invalid_amount"),
        E::NotAdmitted => (StatusCode::FORBIDDEN, "not_admitted"),
        E::UserNotFound => (StatusCode::NOT_FOUND, "user_not_found"),
        E::ScheduleNotFound => (StatusCode::NOT_FOUND, "schedule_not_found"),
        E::SeatNotFound => (StatusCode::NOT_FOUND, "seat_not_found"),
        E::ReservationNotFound => (StatusCode::NOT_FOUND, "reservation_not_found"),
        E::SeatUnavailable => (StatusCode::CONFLICT, "seat_unavailable"),
        E::HoldLimitReached => (StatusCode::CONFLICT, "hold_limit_reached"),
        E::HoldExpired => (StatusCode::CONFLICT, "hold_expired"),
        E::InsufficientPoints => (StatusCode::CONFLICT, "insufficient_points"),
        E::AlreadyPaid => (StatusCode::CONFLICT, "already_paid"),
        E::NotPaid => (StatusCode::CONFLICT, "not_paid"),
        E::RefundClosed => (StatusCode::CONFLICT, "refund_closed"),
        E::IdempotencyKeyInUse => (StatusCode::CONFLICT, "idempotency_key_in_use"),
        E::IdempotencyKeyReused => (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused"),
        E::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
            // Logged once here, inside the request span, with its cause chain; the client
            // gets a sentence that leaks nothing.
            tracing::error!(error = ?anyhow_chain(&self), "request failed");
            "the server could not complete the request; it has been logged".to_owned()
        } else {
            tracing::debug!(code, "request refused: {self}");
            self.to_string()
        };
        (
            status,
            Json(ErrorBody {
                error: ErrorDetail { code, message },
            }),
        )
            .into_response()
    }
}

fn anyhow_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}
