//! boxoffice-bench: the ticket-opening rush, measured and checked. It drives a running
//! boxoffice server through its public HTTP API only, with users and a concert of its own
//! made through the admin API, then checks the database invariants read only. One scenario,
//! `queue-scale`, skips the server and runs the queue scripts straight against Redis.
//!
//! # Layout
//! - `cli`: the options, one subcommand per scenario.
//! - `scenarios`: `queue`, `holds` and `purchase`, with their shared setup and admission;
//!   `queue_scale`, with its own report.
//! - `client` and `wire`: one typed call per endpoint over one pooled HTTP client.
//! - `stats`: counts, latency and errors per endpoint.
//! - `invariants`: the SQL checks after a run.
//! - `report`: the printed table, the `--json` document and the exit status.
//! - `progress`: the progress bar.

mod cli;
mod client;
mod invariants;
mod progress;
mod report;
mod scenarios;
mod stats;
mod wire;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context as _;
use clap::Parser as _;

use crate::cli::{Cli, HttpScenario, Scenario};
use crate::client::Api;
use crate::report::{Report, RunShape, Verdict};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli.scenario).await {
        Ok(Verdict::Passed) => ExitCode::SUCCESS,
        Ok(Verdict::Failed) => ExitCode::from(1),
        Ok(Verdict::Incomplete) => ExitCode::from(2),
        Err(err) => {
            eprintln!("boxoffice-bench: {err:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(scenario: &Scenario) -> anyhow::Result<Verdict> {
    match scenario {
        Scenario::Http(scenario) => run_http(scenario).await,
        Scenario::QueueScale(args) => scenarios::queue_scale::run(args, stop_on_ctrl_c())
            .await
            .context("running the queue-scale scenario"),
    }
}

async fn run_http(scenario: &HttpScenario) -> anyhow::Result<Verdict> {
    let common = scenario.common();
    let api = Api::new(
        &common.url,
        &common.admin_key,
        common.concurrency as usize,
        common.request_timeout,
    )?;
    let interrupted = stop_on_ctrl_c();
    let result = match scenario {
        HttpScenario::Queue(args) => scenarios::queue::run(args, &api, interrupted).await,
        HttpScenario::Holds(args) => scenarios::holds::run(args, &api, interrupted).await,
        HttpScenario::Purchase(args) => scenarios::purchase::run(args, &api, interrupted).await,
    }
    .with_context(|| {
        format!(
            "running the {} scenario against {}",
            scenario.name(),
            common.url
        )
    })?;

    let database = match &common.database_url {
        Some(url) => Some(invariants::check_database(url).await),
        None => None,
    };
    let shape = RunShape {
        scenario: scenario.name(),
        users: common.users,
        concurrency: common.concurrency,
    };
    let report = Report::new(shape, result, database);
    print!("{report}");
    if let Some(path) = &common.json {
        let json = serde_json::to_vec_pretty(&report.to_json()).context("encoding the report")?;
        std::fs::write(path, json).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(report.verdict())
}

/// The first Ctrl-C stops issuing new requests, so that the run still ends with its report
/// and checks; a second one exits at once.
fn stop_on_ctrl_c() -> Arc<AtomicBool> {
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        eprintln!("boxoffice-bench: stopping after the requests in flight; Ctrl-C again to abort");
        flag.store(true, Ordering::Relaxed);
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(130);
        }
    });
    interrupted
}
