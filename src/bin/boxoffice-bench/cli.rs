//! Command-line options: one subcommand per scenario. The HTTP scenarios share `Common`;
//! `queue-scale` talks to Redis alone and has options of its own.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, value_parser};

const EXIT_STATUS: &str = "\
Exit status: 0 when every invariant holds and no request got a 5xx or no answer;
1 when one of those failed (queue-scale: when a tick admitted fewer users than it had
room for); 2 when the run or the checks could not be carried out.";

#[derive(Debug, Parser)]
#[command(
    name = "boxoffice-bench",
    version,
    about = "Load generator for boxoffice: drives a running server through its public HTTP \
             API, measures latency per endpoint and checks the database invariants; \
             queue-scale measures the queue scripts against Redis alone.",
    after_help = EXIT_STATUS
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub scenario: Scenario,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Scenario {
    #[command(flatten)]
    Http(HttpScenario),
    /// What a million waiting users cost Redis: memory per user and the promotion tick's
    /// time, measured with the service's own queue scripts and no server.
    QueueScale(QueueScaleArgs),
}

/// The scenarios that drive a running server.
#[derive(Debug, Subcommand)]
pub(crate) enum HttpScenario {
    /// Users join the waiting queue and poll as told until each is admitted.
    Queue(QueueArgs),
    /// Admitted users race for the same few seats; each seat must be held exactly once.
    Holds(HoldsArgs),
    /// The whole flow: charge points, queue, browse, hold a free seat, pay.
    Purchase(PurchaseArgs),
}

impl HttpScenario {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Queue(_) => "queue",
            Self::Holds(_) => "holds",
            Self::Purchase(_) => "purchase",
        }
    }

    pub(crate) fn common(&self) -> &Common {
        match self {
            Self::Queue(args) => &args.common,
            Self::Holds(args) => &args.common,
            Self::Purchase(args) => &args.common,
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct QueueArgs {
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub(crate) struct HoldsArgs {
    #[command(flatten)]
    pub common: Common,
    /// Seats the users race for; user i tries seat i mod SEATS.
    #[arg(long, default_value_t = 10, value_parser = value_parser!(u32).range(1..=100_000))]
    pub seats: u32,
    /// Price of every seat, in won.
    #[arg(long, default_value_t = 1000, value_parser = value_parser!(i64).range(0..=MAX_PRICE))]
    pub seat_price: i64,
}

#[derive(Debug, Args)]
pub(crate) struct PurchaseArgs {
    #[command(flatten)]
    pub common: Common,
    /// Seats on sale; users beyond that find the schedule sold out.
    #[arg(long, default_value_t = 100, value_parser = value_parser!(u32).range(1..=100_000))]
    pub seats: u32,
    /// Price of every seat, in won; each user charges twice this.
    #[arg(long, default_value_t = 1000, value_parser = value_parser!(i64).range(0..=MAX_PRICE))]
    pub seat_price: i64,
}

#[derive(Debug, Args)]
pub(crate) struct QueueScaleArgs {
    /// Redis to measure. The run's keys live under a fresh random prefix, deleted at the
    /// end.
    #[arg(long, default_value = "redis://127.0.0.1:6379", value_parser = parse_redis_url)]
    pub redis_url: String,
    /// Users put in the waiting line.
    #[arg(long, default_value_t = 1_000_000, value_parser = value_parser!(u32).range(1..=100_000_000))]
    pub waiting: u32,
    /// Promotion ticks to time, about 10 ms apart.
    #[arg(long, default_value_t = 500, value_parser = value_parser!(u32).range(1..=1_000_000))]
    pub ticks: u32,
    /// Users each tick admits.
    #[arg(long, default_value_t = 100, value_parser = value_parser!(u32).range(1..=100_000))]
    pub batch_size: u32,
    /// Joins in flight at most, over one multiplexed connection.
    #[arg(long, default_value_t = 256, value_parser = value_parser!(u32).range(1..=10_000))]
    pub concurrency: u32,
    /// Also write the results to this file as JSON.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Leave the run's keys in Redis instead of deleting them (their prefix is printed).
    #[arg(long)]
    pub keep: bool,
    /// No progress bar (it is also hidden when stderr is not a terminal).
    #[arg(long, short)]
    pub quiet: bool,
}

/// Keeps a user's charge (twice the price) within the contract's 2^53 − 1.
const MAX_PRICE: i64 = ((1_i64 << 53) - 1) / 2;

#[derive(Debug, Args)]
pub(crate) struct Common {
    /// Base URL of the running server.
    #[arg(long, default_value = "http://127.0.0.1:8080", value_parser = parse_base_url)]
    pub url: String,
    /// The server's admin API key (APP_ADMIN__API_KEY), to create users and a concert.
    #[arg(long, env = "BENCH_ADMIN_KEY", hide_env_values = true)]
    pub admin_key: String,
    /// Simulated users, all created fresh for this run.
    #[arg(long, default_value_t = 200, value_parser = value_parser!(u32).range(1..=1_000_000))]
    pub users: u32,
    /// Requests in flight at most (users wait for a slot, not for each other).
    #[arg(long, default_value_t = 64, value_parser = value_parser!(u32).range(1..=10_000))]
    pub concurrency: u32,
    /// Stop issuing new requests this many seconds after setup; users still busy then are
    /// reported as stopped.
    #[arg(long, value_name = "SECS", value_parser = parse_secs)]
    pub duration: Option<Duration>,
    /// Database to check the invariants in after the run, read only (mysql://… or
    /// sqlite://…).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// Also write the results to this file as JSON.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Multiply every pollAfterMs the server hands out by this (0.1 polls ten times as
    /// often).
    #[arg(long, default_value_t = 1.0, value_parser = parse_scale)]
    pub poll_scale: f64,
    /// Give up on a user not admitted this many seconds after joining the queue.
    #[arg(long, value_name = "SECS", default_value = "120", value_parser = parse_secs)]
    pub admit_timeout: Duration,
    /// Give up on a request not answered within this many seconds.
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = parse_secs)]
    pub request_timeout: Duration,
    /// No progress bar (it is also hidden when stderr is not a terminal).
    #[arg(long, short)]
    pub quiet: bool,
}

fn parse_base_url(value: &str) -> Result<String, String> {
    let url = reqwest::Url::parse(value).map_err(|err| err.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("expected an http:// or https:// URL".into());
    }
    Ok(value.trim_end_matches('/').to_owned())
}

fn parse_redis_url(value: &str) -> Result<String, String> {
    let url = url::Url::parse(value).map_err(|err| err.to_string())?;
    if !matches!(url.scheme(), "redis" | "rediss" | "unix" | "redis+unix") {
        return Err("expected a redis://, rediss:// or unix:// URL".into());
    }
    Ok(value.to_owned())
}

/// Seconds, fractions allowed, more than zero.
fn parse_secs(value: &str) -> Result<Duration, String> {
    let secs: f64 = value
        .parse()
        .map_err(|_| format!("`{value}` is not a number"))?;
    if secs.is_nan() || secs <= 0.0 {
        return Err("expected more than zero seconds".into());
    }
    Duration::try_from_secs_f64(secs).map_err(|err| err.to_string())
}

fn parse_scale(value: &str) -> Result<f64, String> {
    let scale: f64 = value
        .parse()
        .map_err(|_| format!("`{value}` is not a number"))?;
    if !scale.is_finite() || scale <= 0.0 {
        return Err("expected a factor above zero".into());
    }
    Ok(scale)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("boxoffice-bench").chain(args.iter().copied()))
    }

    fn http(cli: &Cli) -> &HttpScenario {
        match &cli.scenario {
            Scenario::Http(scenario) => scenario,
            other => panic!("expected an HTTP scenario, got {other:?}"),
        }
    }

    #[test]
    fn the_command_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn purchase_takes_its_defaults() {
        let cli = parse(&["purchase", "--admin-key", "k"]).unwrap();
        let HttpScenario::Purchase(args) = http(&cli) else {
            panic!("expected purchase, got {:?}", cli.scenario);
        };
        assert_eq!(args.seats, 100);
        assert_eq!(args.seat_price, 1000);
        let common = http(&cli).common();
        assert_eq!(common.url, "http://127.0.0.1:8080");
        assert_eq!(common.admin_key, "k");
        assert_eq!(common.users, 200);
        assert_eq!(common.concurrency, 64);
        assert_eq!(common.duration, None);
        assert_eq!(common.poll_scale, 1.0);
        assert_eq!(common.admit_timeout, Duration::from_secs(120));
        assert!(!common.quiet);
    }

    #[test]
    fn holds_race_for_ten_seats_by_default() {
        let cli = parse(&["holds", "--admin-key", "k"]).unwrap();
        let HttpScenario::Holds(args) = http(&cli) else {
            panic!("expected holds");
        };
        assert_eq!(args.seats, 10);
        assert_eq!(http(&cli).name(), "holds");
    }

    #[test]
    fn every_common_option_is_read() {
        let cli = parse(&[
            "queue",
            "--url",
            "http://localhost:9000/",
            "--admin-key",
            "secret",
            "--users",
            "300",
            "--concurrency",
            "32",
            "--duration",
            "2.5",
            "--database-url",
            "sqlite:///tmp/x.db",
            "--json",
            "out.json",
            "--poll-scale",
            "0.1",
            "--admit-timeout",
            "30",
            "--request-timeout",
            "5",
            "--quiet",
        ])
        .unwrap();
        let common = http(&cli).common();
        assert_eq!(common.url, "http://localhost:9000");
        assert_eq!(common.users, 300);
        assert_eq!(common.concurrency, 32);
        assert_eq!(common.duration, Some(Duration::from_millis(2500)));
        assert_eq!(common.database_url.as_deref(), Some("sqlite:///tmp/x.db"));
        assert_eq!(common.json, Some(PathBuf::from("out.json")));
        assert_eq!(common.poll_scale, 0.1);
        assert_eq!(common.admit_timeout, Duration::from_secs(30));
        assert_eq!(common.request_timeout, Duration::from_secs(5));
        assert!(common.quiet);
    }

    #[test]
    fn queue_scale_measures_a_million_waiting_users_by_default() {
        let cli = parse(&["queue-scale"]).unwrap();
        let Scenario::QueueScale(args) = &cli.scenario else {
            panic!("expected queue-scale, got {:?}", cli.scenario);
        };
        assert_eq!(args.redis_url, "redis://127.0.0.1:6379");
        assert_eq!(args.waiting, 1_000_000);
        assert_eq!(args.ticks, 500);
        assert_eq!(args.batch_size, 100);
        assert_eq!(args.concurrency, 256);
        assert_eq!(args.json, None);
        assert!(!args.keep);
        assert!(!args.quiet);
    }

    #[test]
    fn nonsense_values_are_refused() {
        for args in [
            &["queue", "--admin-key", "k", "--users", "0"][..],
            &["queue", "--admin-key", "k", "--concurrency", "0"],
            &["queue", "--admin-key", "k", "--poll-scale", "0"],
            &["queue", "--admin-key", "k", "--poll-scale", "NaN"],
            &["queue", "--admin-key", "k", "--duration", "-1"],
            &["queue", "--admin-key", "k", "--url", "ftp://example.com"],
            &["holds", "--admin-key", "k", "--seats", "0"],
            &["purchase", "--admin-key", "k", "--seat-price", "-5"],
            &["queue", "--admin-key", "k", "--seats", "5"],
            &["queue-scale", "--waiting", "0"],
            &["queue-scale", "--batch-size", "0"],
            &["queue-scale", "--redis-url", "http://127.0.0.1:6379"],
            &["queue-scale", "--admin-key", "k"],
        ] {
            assert!(parse(args).is_err(), "{args:?} was accepted");
        }
    }

    #[test]
    fn the_admin_key_is_required() {
        // The key may also come from BENCH_ADMIN_KEY; only meaningful when that is unset.
        if std::env::var_os("BENCH_ADMIN_KEY").is_none() {
            let err = parse(&["queue"]).unwrap_err();
            assert_eq!(err.kind(), clap::error::ErrorKind::MissingRequiredArgument);
        }
    }
}
