//! The HTTP side of `Idempotency-Key`: reading the header, fingerprinting the request,
//! and sending a stored first response again byte for byte.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::{AppError, service_error_response};
use crate::services::ServiceResult;
use crate::services::idempotency::{KeyedRequest, Outcome, StoredResponse};

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The request's key and fingerprint, when it carries an `Idempotency-Key`.
///
/// # Errors
/// 400 for a malformed key.
pub fn keyed_request(
    headers: &HeaderMap,
    method: &str,
    path: &str,
    body: &[u8],
) -> Result<Option<KeyedRequest>, AppError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .map_err(|_| AppError::InvalidRequest("Idempotency-Key must be printable ASCII".into()))?;
    Ok(Some(KeyedRequest::new(key, method, path, body)?))
}

/// Renders a result exactly as `respond` sends it, for storing.
pub fn render<T, D: Serialize>(
    status: StatusCode,
    to_dto: impl Fn(&T) -> D,
) -> impl Fn(&ServiceResult<T>) -> StoredResponse {
    move |result| match result {
        Ok(value) => StoredResponse {
            status: status.as_u16(),
            body: serde_json::to_string(&to_dto(value)).expect("responses serialize"),
        },
        Err(err) => {
            let (status, body) = service_error_response(err);
            StoredResponse {
                status: status.as_u16(),
                body,
            }
        }
    }
}

/// Sends a fresh result (as `render` would store it) or a stored response.
pub fn respond<T, D: Serialize>(
    outcome: Outcome<T>,
    status: StatusCode,
    to_dto: impl Fn(&T) -> D,
) -> Response {
    match outcome {
        Outcome::Fresh(value) => json_response(
            status,
            serde_json::to_string(&to_dto(&value)).expect("responses serialize"),
        ),
        Outcome::Replayed(stored) => replayed(stored),
    }
}

/// A stored response, sent again.
pub fn replayed(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = json_response(status, stored.body);
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}
