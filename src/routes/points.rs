//! Point balances, charges and history (seed endpoints 5 and 6).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use entity::point_history::{self, Kind};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::auth::identity::Identities;
use crate::config::Settings;
use crate::error::{AppError, ErrorBody};
use crate::extract::{AppJson, AppPath, AppQuery, Id};
use crate::routes::idempotent::{keyed_request, render, respond};
use crate::services::ServiceError;
use crate::services::points::{self, ChargeReceipt};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/point/{user_id}",
            get(get_balance).patch(charge_points),
        )
        .route("/api/point/{user_id}/history", get(get_point_history))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BalanceResponse {
    pub user_id: i64,
    /// Balance in won.
    pub amount: i64,
}

/// A user's point balance (seed endpoint 5).
#[utoipa::path(get, path = "/api/point/{userId}", tag = "points", security((), ("identity" = [])),
    params(("userId" = i64, Path, description = "user id")),
    responses(
        (status = 200, body = BalanceResponse),
        (status = 400, description = "invalid_request", body = ErrorBody),
        (status = 401, description = "invalid_token (identity mode jwt)", body = ErrorBody),
        (status = 403, description = "forbidden (identity mode jwt)", body = ErrorBody),
        (status = 404, description = "user_not_found", body = ErrorBody)))]
pub async fn get_balance(
    State(db): State<DatabaseConnection>,
    State(identities): State<Identities>,
    headers: HeaderMap,
    AppPath(Id(user_id)): AppPath<Id>,
) -> Result<Json<BalanceResponse>, AppError> {
    identities.authorize(&headers, user_id)?;
    let amount = points::balance(&db, user_id).await?;
    Ok(Json(BalanceResponse { user_id, amount }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChargePointsRequest {
    /// Won to add: a whole number, 1 to `APP_POINTS__MAX_CHARGE` (default 1,000,000).
    #[schema(value_type = i64, example = 5000)]
    pub amount: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChargePointsResponse {
    pub user_id: i64,
    /// The new balance.
    pub amount: i64,
    /// The amount added by this charge.
    pub charged: i64,
}

fn charge_response(receipt: &ChargeReceipt) -> ChargePointsResponse {
    ChargePointsResponse {
        user_id: receipt.user_id,
        amount: receipt.balance,
        charged: receipt.charged,
    }
}

/// Charge points (seed endpoint 6). Honours `Idempotency-Key`: a retry with the same key
/// and body returns the first response and changes nothing.
#[utoipa::path(patch, path = "/api/point/{userId}", tag = "points", security((), ("identity" = [])),
    params(
        ("userId" = i64, Path, description = "user id"),
        ("Idempotency-Key" = Option<String>, Header, description = "1 to 128 printable ASCII characters")),
    request_body = ChargePointsRequest,
    responses(
        (status = 200, body = ChargePointsResponse),
        (status = 400, description = "invalid_amount, invalid_request", body = ErrorBody),
        (status = 401, description = "invalid_token (identity mode jwt)", body = ErrorBody),
        (status = 403, description = "forbidden (identity mode jwt)", body = ErrorBody),
        (status = 404, description = "user_not_found", body = ErrorBody),
        (status = 409, description = "idempotency_key_in_use", body = ErrorBody),
        (status = 422, description = "idempotency_key_reused", body = ErrorBody)))]
pub async fn charge_points(
    State(db): State<DatabaseConnection>,
    State(identities): State<Identities>,
    State(settings): State<std::sync::Arc<Settings>>,
    headers: HeaderMap,
    AppPath(Id(user_id)): AppPath<Id>,
    AppJson(request): AppJson<ChargePointsRequest>,
) -> Result<Response, AppError> {
    identities.authorize(&headers, user_id)?;
    let max_charge = settings.points.max_charge;
    let amount = request
        .amount
        .as_ref()
        .and_then(serde_json::Value::as_i64)
        .ok_or_else(|| {
            ServiceError::InvalidAmount(format!(
                "amount must be a whole number from 1 to {max_charge}"
            ))
        })?;
    let canonical =
        serde_json::to_vec(&serde_json::json!({ "amount": request.amount })).expect("json");
    let keyed = keyed_request(
        &headers,
        "PATCH",
        &format!("/api/point/{user_id}"),
        &canonical,
    )?;
    let outcome = points::charge(
        &db,
        user_id,
        amount,
        max_charge,
        keyed.as_ref(),
        render(StatusCode::OK, charge_response),
    )
    .await?;
    Ok(respond(outcome, StatusCode::OK, charge_response))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// `nextCursor` of the previous page; absent for the newest entries.
    pub cursor: Option<String>,
    /// Entries per page, 1 to 100 (default 20).
    pub limit: Option<u64>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HistoryType {
    Charge,
    Use,
    Refund,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryItem {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: HistoryType,
    /// Always positive; the type gives the direction.
    pub amount: i64,
    pub balance_after: i64,
    pub reservation_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl From<point_history::Model> for HistoryItem {
    fn from(m: point_history::Model) -> Self {
        Self {
            id: m.id,
            kind: match m.kind {
                Kind::Charge => HistoryType::Charge,
                Kind::Use => HistoryType::Use,
                Kind::Refund => HistoryType::Refund,
            },
            amount: m.amount,
            balance_after: m.balance_after,
            reservation_id: m.reservation_id,
            created_at: m.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryResponse {
    pub items: Vec<HistoryItem>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// A user's point history, newest first, with cursor pagination.
#[utoipa::path(get, path = "/api/point/{userId}/history", tag = "points", security((), ("identity" = [])),
    params(("userId" = i64, Path, description = "user id"), HistoryQuery),
    responses(
        (status = 200, body = HistoryResponse),
        (status = 400, description = "invalid_request", body = ErrorBody),
        (status = 401, description = "invalid_token (identity mode jwt)", body = ErrorBody),
        (status = 403, description = "forbidden (identity mode jwt)", body = ErrorBody),
        (status = 404, description = "user_not_found", body = ErrorBody)))]
pub async fn get_point_history(
    State(db): State<DatabaseConnection>,
    State(identities): State<Identities>,
    headers: HeaderMap,
    AppPath(Id(user_id)): AppPath<Id>,
    AppQuery(query): AppQuery<HistoryQuery>,
) -> Result<Json<HistoryResponse>, AppError> {
    identities.authorize(&headers, user_id)?;
    let cursor = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(raw) => Some(raw.parse::<i64>().ok().filter(|c| *c > 0).ok_or_else(|| {
            AppError::InvalidRequest("cursor is not one this server handed out".into())
        })?),
    };
    let page = points::history(&db, user_id, cursor, query.limit).await?;
    Ok(Json(HistoryResponse {
        items: page.items.into_iter().map(HistoryItem::from).collect(),
        next_cursor: page.next_cursor.map(|c| c.to_string()),
    }))
}
