//! Payment (seed endpoint 7).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::guard::{SignedQueueToken, WorkingSession};
use crate::error::{AppError, ErrorBody};
use crate::extract::{AppPath, SeatPath};
use crate::routes::idempotent::{keyed_request, render, replayed, respond};
use crate::services::idempotency;
use crate::services::payment::{PaymentReceipt, PaymentService};
use crate::store::HotStore;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/api/concert/schedule/{schedule_id}/seat/{seat_id}/pay",
        post(pay_for_seat),
    )
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PaymentStatus {
    Paid,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentResponse {
    pub payment_id: i64,
    pub reservation_id: i64,
    pub user_id: i64,
    /// Won paid.
    pub amount: i64,
    /// The balance after the payment.
    pub balance: i64,
    pub status: PaymentStatus,
    pub paid_at: DateTime<Utc>,
    pub concert_name: String,
    pub schedule_date: DateTime<Utc>,
    pub seat_number: i32,
}

fn payment_response(r: &PaymentReceipt) -> PaymentResponse {
    PaymentResponse {
        payment_id: r.payment_id,
        reservation_id: r.reservation_id,
        user_id: r.user_id,
        amount: r.amount,
        balance: r.balance,
        status: PaymentStatus::Paid,
        paid_at: r.paid_at,
        concert_name: r.concert_name.clone(),
        schedule_date: r.schedule_date,
        seat_number: r.seat_number,
    }
}

/// Pay for one's own live hold on the seat (seed endpoint 7).
///
/// Points, history, payment, reservation and seat change together or not at all. After
/// payment the caller's working session ends unless they still hold another seat.
/// Honours `Idempotency-Key`: a retry returns the first response, even after the working
/// session ended (the token must still be validly signed and the same user's).
#[utoipa::path(post, path = "/api/concert/schedule/{scheduleId}/seat/{seatId}/pay", tag = "booking",
    security(("queue_token" = [])),
    params(
        ("scheduleId" = i64, Path, description = "schedule id"),
        ("seatId" = i64, Path, description = "seat id"),
        ("Idempotency-Key" = Option<String>, Header, description = "1 to 128 printable ASCII characters")),
    responses(
        (status = 200, body = PaymentResponse),
        (status = 400, description = "invalid_request", body = ErrorBody),
        (status = 401, description = "invalid_token", body = ErrorBody),
        (status = 403, description = "not_admitted", body = ErrorBody),
        (status = 404, description = "schedule_not_found, seat_not_found, reservation_not_found", body = ErrorBody),
        (status = 409, description = "hold_expired, insufficient_points, already_paid, seat_unavailable, idempotency_key_in_use", body = ErrorBody),
        (status = 422, description = "idempotency_key_reused", body = ErrorBody)))]
pub async fn pay_for_seat(
    State(payments): State<PaymentService>,
    State(db): State<DatabaseConnection>,
    State(hot): State<HotStore>,
    SignedQueueToken(claims): SignedQueueToken,
    headers: HeaderMap,
    AppPath(path): AppPath<SeatPath>,
) -> Result<Response, AppError> {
    let (schedule_id, seat_id) = (path.schedule_id.0, path.seat_id.0);
    let route = format!("/api/concert/schedule/{schedule_id}/seat/{seat_id}/pay");
    let keyed = keyed_request(&headers, "POST", &route, b"")?;
    let session = match WorkingSession::require(&hot, claims).await {
        Ok(session) => session,
        // A retry of a payment that succeeded (and so ended the session) still gets its
        // first response. A working caller's retry is answered inside the payment's
        // transaction, where the key is claimed, so this costs no query on the hot path.
        Err(not_working) => {
            if let Some(keyed) = &keyed
                && let Some(stored) = idempotency::replay(&db, claims.user_id, keyed).await?
            {
                return Ok(replayed(stored));
            }
            return Err(not_working);
        }
    };
    let outcome = payments
        .pay(
            session.user_id,
            session.jti,
            schedule_id,
            seat_id,
            keyed.as_ref(),
            render(StatusCode::OK, payment_response),
        )
        .await?;
    Ok(respond(outcome, StatusCode::OK, payment_response))
}
