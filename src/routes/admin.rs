//! Admin routes: create users and concerts (queue settings live in `routes::queue`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::admin::Admin;
use crate::error::{AppError, ErrorBody};
use crate::extract::AppJson;
use crate::services::catalog::{self, ScheduleRequest};
use crate::services::users::UserDirectory;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/admin/users", post(create_user))
        .route("/api/admin/concerts", post(create_concert))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// 1 to 100 characters.
    #[schema(example = "Kim")]
    pub name: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserResponse {
    pub user_id: i64,
    pub name: String,
}

/// Create a user with a zero balance.
#[utoipa::path(post, path = "/api/admin/users", tag = "admin", security(("admin_key" = [])),
    request_body = CreateUserRequest,
    responses(
        (status = 201, body = UserResponse),
        (status = 400, description = "invalid_request", body = ErrorBody),
        (status = 401, description = "invalid_token", body = ErrorBody),
        (status = 404, description = "no admin key is configured", body = ErrorBody)))]
pub async fn create_user(
    _: Admin,
    State(users): State<UserDirectory>,
    AppJson(request): AppJson<CreateUserRequest>,
) -> Result<(StatusCode, Json<UserResponse>), AppError> {
    let (user_id, name) = users.create(&request.name).await?;
    Ok((StatusCode::CREATED, Json(UserResponse { user_id, name })))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateConcertRequest {
    /// 1 to 200 characters.
    #[schema(example = "Winter Live")]
    pub name: String,
    /// 1 to 100 schedules.
    pub schedules: Vec<CreateScheduleRequest>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateScheduleRequest {
    /// RFC 3339.
    #[schema(example = "2026-12-24T19:00:00Z")]
    pub date: DateTime<Utc>,
    /// 1 to 100,000 seats, numbered from 1.
    pub seat_count: i64,
    /// Won, 0 to 2^53 − 1.
    pub seat_price: i64,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConcertResponse {
    pub concert_id: i64,
    pub schedules: Vec<CreatedScheduleResponse>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedScheduleResponse {
    pub schedule_id: i64,
    /// Seat ids in seat-number order (seat number = index + 1).
    pub seat_ids: Vec<i64>,
}

/// Create a concert with its schedules and all their seats, in one transaction.
#[utoipa::path(post, path = "/api/admin/concerts", tag = "admin", security(("admin_key" = [])),
    request_body = CreateConcertRequest,
    responses(
        (status = 201, body = ConcertResponse),
        (status = 400, description = "invalid_request", body = ErrorBody),
        (status = 401, description = "invalid_token", body = ErrorBody),
        (status = 404, description = "no admin key is configured", body = ErrorBody)))]
pub async fn create_concert(
    _: Admin,
    State(db): State<DatabaseConnection>,
    AppJson(request): AppJson<CreateConcertRequest>,
) -> Result<(StatusCode, Json<ConcertResponse>), AppError> {
    let schedules: Vec<ScheduleRequest> = request
        .schedules
        .iter()
        .map(|s| ScheduleRequest {
            date: s.date,
            seat_count: s.seat_count,
            seat_price: s.seat_price,
        })
        .collect();
    let (concert_id, created) = catalog::create_concert(&db, &request.name, &schedules).await?;
    let schedules = created
        .into_iter()
        .map(|s| CreatedScheduleResponse {
            schedule_id: s.schedule_id,
            seat_ids: s.seat_ids,
        })
        .collect();
    Ok((
        StatusCode::CREATED,
        Json(ConcertResponse {
            concert_id,
            schedules,
        }),
    ))
}
