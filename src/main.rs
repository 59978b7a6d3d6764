use std::io::Write;
use std::process::ExitCode;

use boxoffice::app::Application;
use boxoffice::cli::{Cli, Command};
use boxoffice::config::Settings;
use boxoffice::{demo, observability, store};
use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command.unwrap_or(Command::Serve)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // One line, naming what failed; URLs in it carry no password.
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    observability::init_tracing(&settings.log);
    match command {
        Command::Migrate => {
            store::db::connect_and_migrate(&settings.database).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Serve => {
            let app = Application::build(settings).await?;
            tracing::info!(address = %app.local_addr(), "serving");
            app.run_until(shutdown_signal()).await
        }
        Command::Demo => {
            let app = Application::build(settings).await?;
            let walkthrough =
                demo::seed(app.state(), &format!("http://{}", app.local_addr())).await?;
            // Ignored when stdout is gone (a closed pipe): the service is what matters.
            let _ = writeln!(std::io::stdout(), "{walkthrough}");
            app.run_until(shutdown_signal()).await
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
