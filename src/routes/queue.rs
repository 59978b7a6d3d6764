//! The waiting queue (seed endpoint 1) and its operator dials.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::admin::Admin;
use crate::auth::identity::Identities;
use crate::error::{AppError, ErrorBody};
use crate::extract::{AppJson, AppPath, Id};
use crate::services::queue::QueueService;
use crate::store::queue::{QueueDialsPatch, QueueOverview, QueueState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/queue/{user_id}", get(get_queue_status))
        .route(
            "/api/admin/queue",
            get(get_queue_overview).patch(update_queue_dials),
        )
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum QueueStatus {
    Waiting,
    Working,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QueueStatusResponse {
    /// The queue token (JWT); the same string on every call while it lives.
    pub token: String,
    pub status: QueueStatus,
    /// 1-based place among waiting users (1 = admitted next); 0 when working.
    pub position: u64,
    /// Expected wait from the admission rate: a batch per tick while the working set has
    /// room, the rate measured over the last minute while it is full; 0 when working.
    pub estimated_wait_seconds: u64,
    /// When to poll again; grows with the position.
    pub poll_after_ms: u64,
    /// Waiting: when the token expires. Working: when the working session ends.
    pub expires_at: DateTime<Utc>,
}

/// Join the waiting queue or poll one's place in it (seed endpoint 1).
///
/// The first call creates the user's queue token and puts it at the back of the line;
/// later calls return the same token with its current state and count as a heartbeat.
/// Waiting users who stop polling for `APP_QUEUE__IDLE_TIMEOUT_SECS` are dropped.
#[utoipa::path(get, path = "/api/queue/{userId}", tag = "queue", security((), ("identity" = [])),
    params(("userId" = i64, Path, description = "user id")),
    responses(
        (status = 200, body = QueueStatusResponse),
        (status = 400, description = "invalid_request", body = ErrorBody),
        (status = 401, description = "invalid_token (identity mode jwt)", body = ErrorBody),
        (status = 403, description = "forbidden (identity mode jwt)", body = ErrorBody),
        (status = 404, description = "user_not_found", body = ErrorBody)))]
pub async fn get_queue_status(
    State(queue): State<QueueService>,
    State(identities): State<Identities>,
    headers: HeaderMap,
    AppPath(Id(user_id)): AppPath<Id>,
) -> Result<Json<QueueStatusResponse>, AppError> {
    identities.authorize(&headers, user_id)?;
    let ticket = queue.enter(user_id).await?;
    let (status, position) = match ticket.state {
        QueueState::Waiting { position } => (QueueStatus::Waiting, position),
        QueueState::Working { .. } => (QueueStatus::Working, 0),
    };
    Ok(Json(QueueStatusResponse {
        token: ticket.token,
        status,
        position,
        estimated_wait_seconds: ticket.estimated_wait_secs,
        poll_after_ms: ticket.poll_after_ms,
        expires_at: ticket.expires_at,
    }))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QueueOverviewResponse {
    pub waiting: u64,
    pub working: u64,
    pub capacity: u32,
    pub batch_size: u32,
    pub tick_ms: u64,
    pub paused: bool,
    pub admitted_last_minute: u64,
}

impl From<QueueOverview> for QueueOverviewResponse {
    fn from(o: QueueOverview) -> Self {
        Self {
            waiting: o.waiting,
            working: o.working,
            capacity: o.dials.capacity,
            batch_size: o.dials.batch_size,
            tick_ms: o.dials.tick_ms,
            paused: o.dials.paused,
            admitted_last_minute: o.admitted_last_minute,
        }
    }
}

/// Queue depth and dials.
#[utoipa::path(get, path = "/api/admin/queue", tag = "admin", security(("admin_key" = [])),
    responses(
        (status = 200, body = QueueOverviewResponse),
        (status = 401, description = "invalid_token", body = ErrorBody),
        (status = 404, description = "no admin key is configured", body = ErrorBody)))]
pub async fn get_queue_overview(
    _: Admin,
    State(queue): State<QueueService>,
) -> Result<Json<QueueOverviewResponse>, AppError> {
    Ok(Json(queue.overview().await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateQueueDialsRequest {
    /// Working users at most, 1 to 10,000,000.
    pub capacity: Option<u32>,
    /// Admissions per tick at most, 1 to 100,000.
    pub batch_size: Option<u32>,
    /// Promotion interval, 10 to 60,000 ms.
    pub tick_ms: Option<u64>,
    /// Stop admitting (waiting users keep their places).
    pub paused: Option<bool>,
}

/// Turn the queue's dials; every instance obeys within one tick.
#[utoipa::path(patch, path = "/api/admin/queue", tag = "admin", security(("admin_key" = [])),
    request_body = UpdateQueueDialsRequest,
    responses(
        (status = 200, body = QueueOverviewResponse),
        (status = 400, description = "invalid_request", body = ErrorBody),
        (status = 401, description = "invalid_token", body = ErrorBody),
        (status = 404, description = "no admin key is configured", body = ErrorBody)))]
pub async fn update_queue_dials(
    _: Admin,
    State(queue): State<QueueService>,
    AppJson(request): AppJson<UpdateQueueDialsRequest>,
) -> Result<Json<QueueOverviewResponse>, AppError> {
    let patch = QueueDialsPatch {
        capacity: request.capacity,
        batch_size: request.batch_size,
        tick_ms: request.tick_ms,
        paused: request.paused,
    };
    Ok(Json(queue.set_dials(patch).await?.into()))
}
