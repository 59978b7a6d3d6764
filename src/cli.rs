//! The command line: `boxoffice [serve]` and `boxoffice migrate`.

use clap::{Parser, Subcommand};

/// boxoffice: waiting queue, seat holds and payment for ticket openings.
///
/// Configuration comes from built-in defaults, then the file named by APP_CONFIG_FILE,
/// then APP_<SECTION>__<KEY> environment variables (see README.md).
#[derive(Debug, Parser)]
#[command(version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations and serve the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Seed a demo concert and users with points, print a curl walk-through, and serve.
    Demo,
}
