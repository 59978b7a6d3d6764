//! boxoffice: the back end for the minute a concert goes on sale. A fair waiting queue in
//! front of the booking API, seats held for five minutes while a buyer pays with prepaid
//! points, and nothing ever sold twice or lost.
//!
//! # Layout
//! - `config`: settings from defaults, a file and `APP_…` variables.
//! - `app`: state, router, middleware, graceful shutdown.
//! - `error`, `extract`: the contract's error body for every failure.
//! - `auth`: admin key, queue tokens, user identities.
//! - `routes`: one module per resource; thin handlers.
//! - `services`: the rules (queue, booking, points, payment); no HTTP, no SQL text.
//! - `store`: `db` (SeaORM on MySQL or SQLite) and the hot store (Redis + Lua).
//! - `observability`: logs and Prometheus metrics. `openapi`: the API document.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod extract;
pub mod observability;
pub mod openapi;
pub mod routes;
pub mod scheduler;
pub mod services;
pub mod store;
pub mod time;
