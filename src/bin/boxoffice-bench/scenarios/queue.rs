//! `queue`: every user joins the waiting queue at once and polls until admitted.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::Context as _;
use tokio::task::JoinSet;

use crate::cli::QueueArgs;
use crate::client::Api;
use crate::progress;
use crate::scenarios::admission::admit;
use crate::scenarios::{Limits, Outcome, Phase, RunResult, setup};

/// # Errors
/// When setup fails.
pub(crate) async fn run(
    args: &QueueArgs,
    api: &Api,
    interrupted: Arc<AtomicBool>,
) -> anyhow::Result<RunResult> {
    let common = &args.common;
    let users = u64::from(common.users);

    let started = Instant::now();
    let bar = progress::bar(users, "setup", common.quiet);
    let user_ids =
        setup::create_users(api, common.users, common.concurrency as usize, &bar).await?;
    bar.finish_and_clear();
    let setup = Phase::finish("setup", true, api, started);

    let api = api.next_phase();
    let limits = Limits::start(common, interrupted);
    let bar = progress::bar(users, "admitted", common.quiet);
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for user_id in user_ids {
        let (api, limits, bar) = (api.clone(), limits.clone(), bar.clone());
        tasks.spawn(async move {
            let admission = admit(&api, user_id, &limits).await;
            bar.inc(1);
            admission
        });
    }

    let mut result = RunResult::default();
    while let Some(joined) = tasks.join_next().await {
        match joined.context("a simulated user panicked")? {
            Ok(admitted) => {
                result.admitted_after(admitted.waited);
                result.count(Outcome::Admitted);
            }
            Err(outcome) => result.count(outcome),
        }
    }
    bar.finish_and_clear();
    result.phases = vec![setup, Phase::finish("queue", false, &api, started)];
    Ok(result)
}
