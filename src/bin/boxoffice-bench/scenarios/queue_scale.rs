//! `queue-scale`: what a long waiting line costs Redis, measured through the service's own
//! `RedisStore` (so its real join and promotion scripts) with no HTTP server: memory per
//! waiting user, joins per second, and the promotion tick's time with the line waiting.

mod inspect;
mod report;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use boxoffice::config::Settings;
use boxoffice::store::queue::{PromotionParams, QueueDials, QueueState};
use boxoffice::store::redis::RedisStore;
use futures::StreamExt as _;

use self::inspect::Inspector;
use self::report::{KeyBytes, ScaleReport, Ticks};
use crate::cli::QueueScaleArgs;
use crate::progress;
use crate::report::Verdict;
use crate::stats::latency_histogram;

/// The tick interval the script is told, and about how often the bench calls it. The
/// script skips a call closer than 0.9 × this to the previous one.
const TICK_MS: u64 = 10;

/// Room for every batch the run admits, so each tick admits a full batch.
const CAPACITY: u32 = u32::MAX / 2;

/// # Errors
/// When Redis cannot be reached, a script fails, or the run is interrupted; the run's keys
/// are deleted all the same (unless `--keep`).
pub(crate) async fn run(
    args: &QueueScaleArgs,
    interrupted: Arc<AtomicBool>,
) -> anyhow::Result<Verdict> {
    // A fresh prefix per run: the Redis may be shared, and the end deletes all of it.
    let prefix = format!("scale:{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let settings = Settings::from_vars(&[
        ("APP_REDIS__URL", args.redis_url.as_str()),
        ("APP_REDIS__KEY_PREFIX", prefix.as_str()),
    ])
    .context("configuring the Redis store")?;
    let store = RedisStore::connect(&settings.redis).await?;
    let mut inspector = Inspector::connect(&settings.redis).await?;

    let measured = measure(args, &settings, &store, &mut inspector, &interrupted).await;
    let deleted = if args.keep {
        None
    } else {
        let deleted = inspector.delete_prefix(&prefix).await;
        if let Err(err) = &deleted {
            eprintln!("boxoffice-bench: {err:#}; keys under {prefix}: are left in Redis");
        }
        Some(deleted.map_err(|err| format!("{err:#}")))
    };
    let mut report = measured.with_context(|| match &deleted {
        Some(Ok(_)) => format!("measuring under the key prefix {prefix} (keys deleted)"),
        _ => format!("measuring under the key prefix {prefix} (keys left in Redis)"),
    })?;
    report.prefix = prefix;
    report.deleted = deleted;

    print!("{report}");
    if let Some(path) = &args.json {
        let json = serde_json::to_vec_pretty(&report.to_json()).context("encoding the report")?;
        std::fs::write(path, json).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(report.verdict())
}

/// Joins, memory, ticks. The report's `prefix` and `deleted` are left for the caller.
async fn measure(
    args: &QueueScaleArgs,
    settings: &Settings,
    store: &RedisStore,
    inspector: &mut Inspector,
    interrupted: &AtomicBool,
) -> anyhow::Result<ScaleReport> {
    let waiting = u64::from(args.waiting);
    let used_memory_before = inspector.used_memory().await?;
    let join_elapsed = join_all(store, args, settings.jwt.token_ttl_secs, interrupted).await?;

    let dials = dials(args.batch_size, false);
    let overview = store
        .queue_overview(&dials)
        .await
        .context("reading the queue (queue_overview.lua)")?;
    ensure!(
        overview.waiting == waiting && overview.working == 0,
        "after {waiting} joins the queue holds {} waiting and {} working users",
        overview.waiting,
        overview.working
    );
    let used_memory_after = inspector.used_memory().await?;
    let keys = store.keys();
    let key_bytes = KeyBytes {
        waiting: inspector.key_bytes(&keys.queue_waiting()).await?,
        heartbeats: inspector.key_bytes(&keys.queue_heartbeats()).await?,
        admitted: inspector.key_bytes(&keys.queue_admitted()).await?,
    };

    let ticks = promote(
        store,
        inspector,
        args,
        admissions_window(settings),
        overview.waiting,
        interrupted,
    )
    .await?;
    Ok(ScaleReport {
        prefix: String::new(),
        deleted: None,
        waiting,
        concurrency: args.concurrency,
        batch_size: args.batch_size,
        join_elapsed,
        used_memory_before,
        used_memory_after,
        key_bytes,
        ticks,
    })
}

/// Users 1..=`--waiting` join through `queue_join.lua`, `--concurrency` at a time, each on
/// its own task so that encoding and decoding use both cores. Returns the wall time.
async fn join_all(
    store: &RedisStore,
    args: &QueueScaleArgs,
    ttl_secs: u64,
    interrupted: &AtomicBool,
) -> anyhow::Result<Duration> {
    let bar = progress::bar(u64::from(args.waiting), "joined", args.quiet);
    let failed = AtomicBool::new(false);
    let started = Instant::now();
    let mut joins = futures::stream::iter(1..=i64::from(args.waiting))
        .take_while(|_| {
            std::future::ready(
                !interrupted.load(Ordering::Relaxed) && !failed.load(Ordering::Relaxed),
            )
        })
        .map(|user_id| {
            let store = store.clone();
            tokio::spawn(async move {
                let entry = store
                    .queue_join(user_id, ttl_secs)
                    .await
                    .map(|joined| joined.entry)
                    .with_context(|| format!("user {user_id} joining (queue_join.lua)"))?;
                ensure!(
                    matches!(entry.state, QueueState::Waiting { .. }),
                    "user {user_id} joined a fresh queue and got {:?}",
                    entry.state
                );
                Ok(())
            })
        })
        .buffer_unordered(args.concurrency as usize);

    // On a failure no new join starts, but the ones in flight are awaited, so that none
    // lands after the keys are deleted.
    let (mut joined_count, mut first_error) = (0_u64, None);
    while let Some(joined) = joins.next().await {
        match joined
            .context("a join task panicked")
            .and_then(|joined| joined)
        {
            Ok(()) => {
                joined_count += 1;
                bar.inc(1);
            }
            Err(err) => {
                failed.store(true, Ordering::Relaxed);
                first_error.get_or_insert(err);
            }
        }
    }
    let elapsed = started.elapsed();
    bar.finish_and_clear();
    if let Some(err) = first_error {
        return Err(err);
    }
    if interrupted.load(Ordering::Relaxed) {
        bail!("interrupted after {joined_count} of {} joins", args.waiting);
    }
    Ok(elapsed)
}

/// How many ticks the admissions of the last minute span at the service's configured tick.
///
/// Every tick sums that minute's admissions, one entry per tick that admitted anyone. At
/// the bench's 10 ms a minute would hold every tick of the run (500 entries by the end,
/// about 250 µs of summing per tick on the server, as much as the admitting itself); in
/// service, at one tick a second, it holds 60. The bench trims the set to that between
/// ticks so that the ticks it times do the work a real tick does.
fn admissions_window(settings: &Settings) -> u64 {
    (60_000 / settings.queue.tick_ms.max(1)).max(1)
}

/// `--ticks` calls of `queue_promote.lua`, about `TICK_MS` apart, timed one by one on the
/// client and, all together, on the server. Between ticks the admissions of the last
/// minute are trimmed to `admissions_window` entries (see there).
async fn promote(
    store: &RedisStore,
    inspector: &mut Inspector,
    args: &QueueScaleArgs,
    admissions_window: u64,
    mut waiting: u64,
    interrupted: &AtomicBool,
) -> anyhow::Result<Ticks> {
    let params = |paused| PromotionParams {
        defaults: dials(args.batch_size, paused),
        session_ms: 600_000,
        // Nobody counts as idle: the ticks measure admission, not the idle sweep.
        idle_timeout_ms: 3_600_000,
        cleanup_limit: 10_000,
    };
    // A paused tick admits nobody and changes nothing else here, but loads the script into
    // Redis's cache, so no timed tick pays for SCRIPT LOAD.
    store
        .queue_promote(&params(true))
        .await
        .context("a paused warm-up tick (queue_promote.lua)")?;
    tokio::time::sleep(Duration::from_millis(TICK_MS)).await;

    let params = params(false);
    let bar = progress::bar(u64::from(args.ticks), "ticks", args.quiet);
    let mut ticks = Ticks {
        asked: 0,
        ran: 0,
        short: 0,
        admitted_min: u64::MAX,
        admitted_max: 0,
        admitted_total: 0,
        latency_us: latency_histogram(),
        server: None,
        admissions_window,
    };
    let admissions = store.keys().queue_admissions();
    let before = inspector.script_stats().await?;
    for _ in 0..args.ticks {
        if interrupted.load(Ordering::Relaxed) {
            bail!("interrupted after {} of {} ticks", ticks.asked, args.ticks);
        }
        let started = Instant::now();
        let outcome = store
            .queue_promote(&params)
            .await
            .context("a promotion tick (queue_promote.lua)")?;
        let took = started.elapsed();
        ticks.asked += 1;
        if outcome.ran {
            let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
            ticks.latency_us.saturating_record(micros.max(1));
            ticks.ran += 1;
            ticks.admitted_min = ticks.admitted_min.min(outcome.admitted);
            ticks.admitted_max = ticks.admitted_max.max(outcome.admitted);
            ticks.admitted_total += outcome.admitted;
            if outcome.admitted < waiting.min(u64::from(args.batch_size)) {
                ticks.short += 1;
            }
        }
        waiting = outcome.waiting;
        inspector
            .keep_newest(&admissions, admissions_window)
            .await?;
        bar.inc(1);
        tokio::time::sleep(Duration::from_millis(TICK_MS)).await;
    }
    let after = inspector.script_stats().await?;
    bar.finish_and_clear();

    if ticks.ran == 0 {
        ticks.admitted_min = 0;
    }
    ticks.server = Some(inspect::ScriptStats {
        evalsha: after.evalsha.since(before.evalsha).unwrap_or_default(),
        eval: after.eval.since(before.eval).unwrap_or_default(),
    });
    Ok(ticks)
}

fn dials(batch_size: u32, paused: bool) -> QueueDials {
    QueueDials {
        capacity: CAPACITY,
        batch_size,
        tick_ms: TICK_MS,
        paused,
    }
}
