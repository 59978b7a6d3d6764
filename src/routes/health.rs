//! Liveness, readiness and metrics.

use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::PrometheusHandle;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::{AppError, ErrorBody};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(get_health))
        .route("/readyz", get(get_readiness))
        .route("/metrics", get(get_metrics))
}

#[derive(Serialize, ToSchema)]
pub struct HealthResponse {
    #[schema(example = "ok")]
    pub status: &'static str,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReadinessResponse {
    #[schema(example = "ready")]
    pub status: &'static str,
    /// The durable store in use: `mysql` or `sqlite`.
    pub database: &'static str,
    /// The hot store in use: `redis` or `memory`.
    pub store: &'static str,
}

/// The process is alive.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, body = HealthResponse)))]
pub async fn get_health() -> Json<HealthResponse> {
    Json(HealthResponse { status: "ok" })
}

/// The database and the hot store answer.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, body = ReadinessResponse),
    (status = 503, description = "a back end does not answer", body = ErrorBody)))]
pub async fn get_readiness(
    State(state): State<AppState>,
) -> Result<Json<ReadinessResponse>, AppError> {
    crate::store::db::ping(&state.db)
        .await
        .map_err(|_| AppError::NotReady("the database does not answer".into()))?;
    state.hot.ping().await.map_err(|_| {
        AppError::NotReady(format!("the {} store does not answer", state.hot.kind()))
    })?;
    Ok(Json(ReadinessResponse {
        status: "ready",
        database: state.settings.database_kind(),
        store: state.hot.kind(),
    }))
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")))]
pub async fn get_metrics(State(handle): State<PrometheusHandle>) -> impl IntoResponse {
    crate::observability::refresh_gauges();
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        handle.render(),
    )
}
