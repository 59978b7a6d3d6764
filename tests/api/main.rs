//! The integration suite: the real router on port 0 against real MariaDB and Redis (a
//! fresh database and key namespace per test), and the same API tests on SQLite with the
//! in-process store.

#[macro_use]
mod helpers;

mod admin;
mod auth;
mod bench;
mod booking;
mod errors;
mod hold_scripts;
mod identity;
mod operations;
mod payments;
mod points;
mod queue;
mod queue_scripts;
mod schema;
mod startup;
