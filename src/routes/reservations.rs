//! One's own reservations (and, with payments, their refunds).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::guard::WorkingSession;
use crate::error::{AppError, ErrorBody};
use crate::extract::{AppPath, Id};
use crate::routes::booking::ReservationStatusDto;
use crate::services::booking::BookingService;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/reservations/{reservation_id}", get(get_reservation))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReservationResponse {
    pub reservation_id: i64,
    pub status: ReservationStatusDto,
    pub user_id: i64,
    pub concert_id: i64,
    pub concert_name: String,
    pub schedule_id: i64,
    pub schedule_date: DateTime<Utc>,
    pub seat_id: i64,
    pub seat_number: i32,
    pub seat_price: i64,
    pub expired_at: DateTime<Utc>,
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
    let (r, seconds_left) = booking.reservation(session.user_id, reservation_id).await?;
    Ok(Json(ReservationResponse {
        reservation_id: r.id,
        status: r.status.into(),
        user_id: r.user_id,
        concert_id: r.concert_id,
        concert_name: r.concert_name,
        schedule_id: r.schedule_id,
        schedule_date: r.schedule_date,
        seat_id: r.seat_id,
        seat_number: r.seat_number,
        seat_price: r.seat_price,
        expired_at: r.expired_at,
        seconds_left,
    }))
}
