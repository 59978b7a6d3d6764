//! Point balances (seed endpoint 5).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::DatabaseConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::{AppError, ErrorBody};
use crate::extract::{AppPath, Id};
use crate::services::points;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/point/{user_id}", get(get_balance))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BalanceResponse {
    pub user_id: i64,
    /// Balance in won.
    pub amount: i64,
}

/// A user's point balance (seed endpoint 5).
#[utoipa::path(get, path = "/api/point/{userId}", tag = "points",
    params(("userId" = i64, Path, description = "user id")),
    responses(
        (status = 200, body = BalanceResponse),
        (status = 400, description = "invalid_request", body = ErrorBody),
        (status = 404, description = "user_not_found", body = ErrorBody)))]
pub async fn get_balance(
    State(db): State<DatabaseConnection>,
    AppPath(Id(user_id)): AppPath<Id>,
) -> Result<Json<BalanceResponse>, AppError> {
    let amount = points::balance(&db, user_id).await?;
    Ok(Json(BalanceResponse { user_id, amount }))
}
