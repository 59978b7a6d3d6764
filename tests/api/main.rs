//! The integration suite: the real router on port 0 against real MariaDB and Redis (a
//! fresh database and key namespace per test).

mod admin;
mod errors;
mod helpers;
mod operations;
mod points;
mod queue;
mod queue_scripts;
mod schema;
mod startup;
