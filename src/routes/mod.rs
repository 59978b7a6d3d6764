//! HTTP routes, one module per resource, each with its own `router()`. Handlers are thin:
//! extract, call one service function, map to a response type.

pub mod admin;
pub mod booking;
pub mod health;
pub mod idempotent;
pub mod payments;
pub mod points;
pub mod queue;
pub mod reservations;

use axum::Router;

use crate::app::AppState;

/// Every route of the service.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(admin::router())
        .merge(points::router())
        .merge(queue::router())
        .merge(booking::router())
        .merge(reservations::router())
        .merge(payments::router())
}
