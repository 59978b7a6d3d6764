//! One's own reservations (and, with payments, their refunds).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::guard::WorkingSession;
use crate::auth::identity::Identities;
use crate::error::{AppError, ErrorBody};
use crate::extract::{AppPath, Id};
use crate::routes::booking::HoldResponse;
use crate::services::booking::BookingService;
use crate::services::payment::PaymentService;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/reservations/{reservation_id}", get(get_reservation))
        .route(
            "/api/reservations/{reservation_id}/refund",
            post(refund_reservation),
        )
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReservationResponse {
    /// The reservation as the hold returned it, with its current status.
    #[serde(flatten)]
    pub reservation: HoldResponse,
    /// Whole seconds left on a live hold (rounded up); 0 otherwise.
    pub seconds_left: u64,
}

/// One of the caller's own reservations.
#[utoipa::path(get, path = "/api/reservations/{reservationId}", tag = "booking", security(("queue_token" = [])),
    params(("reservationId" = i64, Path, description = "reservation id")),
    responses(
        (status = 200, body = ReservationResponse),
        (status = 401, description = "invalid_token", body = ErrorBody),
        (status = 403, description = "not_admitted", body = ErrorBody),
        (status = 404, description = "reservation_not_found (also for other users' reservations)", body = ErrorBody)))]
pub async fn get_reservation(
    session: WorkingSession,
    State(booking): State<BookingService>,
    AppPath(Id(reservation_id)): AppPath<Id>,
) -> Result<Json<ReservationResponse>, AppError> {
    let (row, seconds_left) = booking.reservation(session.user_id, reservation_id).await?;
    Ok(Json(ReservationResponse {
        reservation: row.into(),
        seconds_left,
    }))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RefundStatus {
    Refunded,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefundResponse {
    pub reservation_id: i64,
    pub status: RefundStatus,
    pub user_id: i64,
    /// Won returned.
    pub amount: i64,
    /// The balance right after the refund.
    pub balance: i64,
    pub refunded_at: DateTime<Utc>,
}

/// Refund a paid reservation before the show's cut-off (`APP_REFUND__CUTOFF_SECS`).
///
/// The points come back with a `refund` history entry and the seat goes back on sale,
/// atomically. Idempotent: refunding again returns the same receipt. With
/// `APP_AUTH__IDENTITY=jwt` only the owner's identity token may refund.
#[utoipa::path(post, path = "/api/reservations/{reservationId}/refund", tag = "points", security((), ("identity" = [])),
    params(("reservationId" = i64, Path, description = "reservation id")),
    responses(
        (status = 200, body = RefundResponse),
        (status = 401, description = "invalid_token (identity mode jwt)", body = ErrorBody),
        (status = 404, description = "reservation_not_found", body = ErrorBody),
        (status = 409, description = "refund_closed, not_paid", body = ErrorBody)))]
pub async fn refund_reservation(
    State(payments): State<PaymentService>,
    State(identities): State<Identities>,
    headers: HeaderMap,
    AppPath(Id(reservation_id)): AppPath<Id>,
) -> Result<Json<RefundResponse>, AppError> {
    let caller = identities.caller(&headers)?;
    let r = payments.refund(caller, reservation_id).await?;
    Ok(Json(RefundResponse {
        reservation_id: r.reservation_id,
        status: RefundStatus::Refunded,
        user_id: r.user_id,
        amount: r.amount,
        balance: r.balance,
        refunded_at: r.refunded_at,
    }))
}
