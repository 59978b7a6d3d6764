//! Booking routes (seed endpoints 2, 3 and 4, and releasing a hold). Every route needs a
//! working queue token.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use entity::reservation;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::guard::WorkingSession;
use crate::error::{AppError, ErrorBody};
use crate::extract::{AppPath, Id, SeatPath};
use crate::services::booking::{BookingService, SeatMap, SeatStatus};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/concerts/schedule", get(list_bookable_schedules))
        .route("/api/concert/schedule/{schedule_id}", get(get_seat_map))
        .route(
            "/api/concert/schedule/{schedule_id}/seat/{seat_id}/reservation",
            post(hold_seat).delete(release_hold),
        )
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BookableScheduleResponse {
    pub schedule_id: i64,
    pub concert_id: i64,
    pub concert_name: String,
    pub date: DateTime<Utc>,
    /// Total − sold − seats under a live hold, exact at the moment of the request.
    pub left_seats: i64,
    pub total_seats: i32,
}

#[derive(Serialize, ToSchema)]
pub struct BookableSchedulesResponse {
    pub schedules: Vec<BookableScheduleResponse>,
}

/// Future schedules that still have a free seat, by date then id (seed endpoint 2).
#[utoipa::path(get, path = "/api/concerts/schedule", tag = "booking", security(("queue_token" = [])),
    responses(
        (status = 200, body = BookableSchedulesResponse),
        (status = 401, description = "invalid_token", body = ErrorBody),
        (status = 403, description = "not_admitted", body = ErrorBody)))]
pub async fn list_bookable_schedules(
    _: WorkingSession,
    State(booking): State<BookingService>,
) -> Result<Json<BookableSchedulesResponse>, AppError> {
    let schedules = booking
        .bookable_schedules()
        .await?
        .into_iter()
        .map(|b| BookableScheduleResponse {
            schedule_id: b.schedule.schedule_id,
            concert_id: b.schedule.concert_id,
            concert_name: b.schedule.concert_name.clone(),
            date: b.schedule.date,
            left_seats: b.left_seats,
            total_seats: b.schedule.total_seats,
        })
        .collect();
    Ok(Json(BookableSchedulesResponse { schedules }))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SeatStatusDto {
    Available,
    Held,
    Sold,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(not(test), allow(dead_code))]
pub struct SeatResponse {
    pub seat_id: i64,
    pub number: i32,
    pub price: i64,
    pub status: SeatStatusDto,
}

/// The seat map's shape; the body itself is written by `render_seat_map`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(not(test), allow(dead_code))]
pub struct SeatMapResponse {
    pub schedule_id: i64,
    pub concert_id: i64,
    pub concert_name: String,
    pub date: DateTime<Utc>,
    pub left_seats: i64,
    /// By seat number.
    pub seats: Vec<SeatResponse>,
}

/// A schedule's seats with their live status (seed endpoint 3).
#[utoipa::path(get, path = "/api/concert/schedule/{scheduleId}", tag = "booking", security(("queue_token" = [])),
    params(("scheduleId" = i64, Path, description = "schedule id")),
    responses(
        (status = 200, body = SeatMapResponse),
        (status = 400, description = "invalid_request", body = ErrorBody),
        (status = 401, description = "invalid_token", body = ErrorBody),
        (status = 403, description = "not_admitted", body = ErrorBody),
        (status = 404, description = "schedule_not_found", body = ErrorBody)))]
pub async fn get_seat_map(
    _: WorkingSession,
    State(booking): State<BookingService>,
    AppPath(Id(schedule_id)): AppPath<Id>,
) -> Result<Response, AppError> {
    let map = booking.seat_map(schedule_id).await?;
    let body = render_seat_map(&map);
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// The JSON of `SeatMapResponse`, written by hand: serde's per-field machinery was the
/// largest item in the profile of this route (it scales with the seats), and every field
/// but the names is a number or a fixed word. A test checks it equals serde's output.
fn render_seat_map(map: &SeatMap) -> String {
    use std::fmt::Write;
    let schedule = &map.schedule;
    let mut body = String::with_capacity(160 + map.seats.len() * 72);
    let _ = write!(
        body,
        r#"{{"scheduleId":{},"concertId":{},"concertName":{},"date":{},"leftSeats":{},"seats":["#,
        schedule.schedule_id,
        schedule.concert_id,
        serde_json::to_string(&schedule.concert_name).expect("strings serialize"),
        serde_json::to_string(&schedule.date).expect("dates serialize"),
        map.left_seats,
    );
    for (i, (seat, status)) in map.seats.iter().enumerate() {
        let status = match status {
            SeatStatus::Available => "available",
            SeatStatus::Held => "held",
            SeatStatus::Sold => "sold",
        };
        let comma = if i == 0 { "" } else { "," };
        let _ = write!(
            body,
            r#"{comma}{{"seatId":{},"number":{},"price":{},"status":"{status}"}}"#,
            seat.seat_id, seat.number, seat.price
        );
    }
    body.push_str("]}");
    body
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReservationStatusDto {
    Held,
    Paid,
    Expired,
    Cancelled,
    Refunded,
}

impl From<reservation::Status> for ReservationStatusDto {
    fn from(status: reservation::Status) -> Self {
        match status {
            reservation::Status::Held => Self::Held,
            reservation::Status::Paid => Self::Paid,
            reservation::Status::Expired => Self::Expired,
            reservation::Status::Cancelled => Self::Cancelled,
            reservation::Status::Refunded => Self::Refunded,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HoldResponse {
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
    /// When the hold ends unless paid.
    pub expired_at: DateTime<Utc>,
}

impl From<reservation::Model> for HoldResponse {
    fn from(r: reservation::Model) -> Self {
        Self {
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
        }
    }
}

/// Hold a seat for `APP_HOLD__TTL_SECS` (seed endpoint 4).
///
/// Exactly one of any number of concurrent holds on a seat succeeds. A user may hold at
/// most `APP_HOLD__MAX_PER_USER` seats per schedule. An unpaid hold ends at its expiry:
/// the seat is available again at once and the reservation becomes `expired`.
#[utoipa::path(post, path = "/api/concert/schedule/{scheduleId}/seat/{seatId}/reservation", tag = "booking",
    security(("queue_token" = [])),
    params(("scheduleId" = i64, Path, description = "schedule id"), ("seatId" = i64, Path, description = "seat id")),
    responses(
        (status = 201, body = HoldResponse),
        (status = 400, description = "invalid_request", body = ErrorBody),
        (status = 401, description = "invalid_token", body = ErrorBody),
        (status = 403, description = "not_admitted", body = ErrorBody),
        (status = 404, description = "schedule_not_found, seat_not_found", body = ErrorBody),
        (status = 409, description = "seat_unavailable, hold_limit_reached", body = ErrorBody)))]
pub async fn hold_seat(
    session: WorkingSession,
    State(booking): State<BookingService>,
    AppPath(path): AppPath<SeatPath>,
) -> Result<(StatusCode, Json<HoldResponse>), AppError> {
    let row = booking
        .hold(session.user_id, path.schedule_id.0, path.seat_id.0)
        .await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Release one's own hold at once; the reservation becomes `cancelled`.
#[utoipa::path(delete, path = "/api/concert/schedule/{scheduleId}/seat/{seatId}/reservation", tag = "booking",
    security(("queue_token" = [])),
    params(("scheduleId" = i64, Path, description = "schedule id"), ("seatId" = i64, Path, description = "seat id")),
    responses(
        (status = 204, description = "released"),
        (status = 401, description = "invalid_token", body = ErrorBody),
        (status = 403, description = "not_admitted", body = ErrorBody),
        (status = 404, description = "schedule_not_found, seat_not_found, reservation_not_found", body = ErrorBody),
        (status = 409, description = "already_paid", body = ErrorBody)))]
pub async fn release_hold(
    session: WorkingSession,
    State(booking): State<BookingService>,
    AppPath(path): AppPath<SeatPath>,
) -> Result<StatusCode, AppError> {
    booking
        .release(session.user_id, path.schedule_id.0, path.seat_id.0)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::store::db::catalog::{ScheduleFacts, SeatFacts};

    #[test]
    fn the_hand_written_seat_map_is_what_serde_writes() {
        let schedule = Arc::new(ScheduleFacts {
            schedule_id: 7,
            concert_id: 3,
            concert_name: "Winter \"Live\" – 서울".to_owned(),
            date: "2026-12-24T19:00:00Z".parse().unwrap(),
            total_seats: 3,
        });
        let seat = |seat_id, number| SeatFacts {
            seat_id,
            number,
            price: 120_000,
        };
        let map = SeatMap {
            schedule: schedule.clone(),
            left_seats: 1,
            seats: vec![
                (seat(11, 1), SeatStatus::Available),
                (seat(12, 2), SeatStatus::Held),
                (seat(13, 3), SeatStatus::Sold),
            ],
        };
        let by_serde = SeatMapResponse {
            schedule_id: 7,
            concert_id: 3,
            concert_name: schedule.concert_name.clone(),
            date: schedule.date,
            left_seats: 1,
            seats: vec![
                SeatResponse {
                    seat_id: 11,
                    number: 1,
                    price: 120_000,
                    status: SeatStatusDto::Available,
                },
                SeatResponse {
                    seat_id: 12,
                    number: 2,
                    price: 120_000,
                    status: SeatStatusDto::Held,
                },
                SeatResponse {
                    seat_id: 13,
                    number: 3,
                    price: 120_000,
                    status: SeatStatusDto::Sold,
                },
            ],
        };
        assert_eq!(
            render_seat_map(&map),
            serde_json::to_string(&by_serde).unwrap()
        );
        let empty = SeatMap {
            seats: Vec::new(),
            ..map
        };
        assert!(render_seat_map(&empty).ends_with(r#""seats":[]}"#));
    }
}
