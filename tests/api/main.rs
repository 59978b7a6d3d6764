//! The integration suite: the real router on port 0 against real MariaDB and Redis (a
//! fresh database and key namespace per test).

mod admin;
mod auth;
mod booking;
mod errors;
mod helpers;
mod hold_scripts;
mod identity;
mod operations;
mod payments;
mod points;
mod queue;
mod queue_scripts;
mod schema;
mod startup;
