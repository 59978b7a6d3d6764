//! The bench's own look at Redis, on a connection of its own: memory in use, the size of
//! one key, the server-side time of scripts, and deleting the run's keys.

use std::time::Duration;

use anyhow::Context as _;
use boxoffice::config::{RedisSettings, redact_url};
use deadpool_redis::redis::aio::MultiplexedConnection;
use deadpool_redis::redis::{AsyncConnectionConfig, Client, InfoDict, cmd};

/// `MEMORY USAGE … SAMPLES 0` walks every element of a million-entry key and `UNLINK`
/// answers once the keys are unlinked; both are slower than the client's 500 ms default.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(60);

/// Keys deleted per `UNLINK`, and asked for per `SCAN` step.
const DELETE_BATCH: usize = 500;

/// One command's totals from `INFO commandstats`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct CommandStat {
    pub calls: u64,
    pub usec: u64,
}

impl CommandStat {
    /// Parses `calls=…,usec=…,usec_per_call=…,…`.
    fn parse(line: &str) -> Option<Self> {
        let field = |name: &str| {
            line.split(',')
                .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
                .and_then(|value| value.parse().ok())
        };
        Some(Self {
            calls: field("calls")?,
            usec: field("usec")?,
        })
    }

    /// What happened between `before` and `self`; `None` when nothing was counted or the
    /// counters were reset in between.
    pub(super) fn since(self, before: Self) -> Option<Self> {
        let calls = self.calls.checked_sub(before.calls)?;
        let usec = self.usec.checked_sub(before.usec)?;
        (calls > 0).then_some(Self { calls, usec })
    }

    pub(super) fn usec_per_call(self) -> f64 {
        self.usec as f64 / self.calls as f64
    }
}

/// The script commands' totals at one instant; a command never called is all zeros.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct ScriptStats {
    pub evalsha: CommandStat,
    pub eval: CommandStat,
}

/// A connection for the measuring commands, apart from the store's.
pub(super) struct Inspector {
    conn: MultiplexedConnection,
}

impl Inspector {
    /// # Errors
    /// When Redis cannot be reached.
    pub(super) async fn connect(settings: &RedisSettings) -> anyhow::Result<Self> {
        let url = settings.url.expose();
        let shown = redact_url(url);
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(settings.connect_timeout_secs)))
            .set_response_timeout(Some(RESPONSE_TIMEOUT));
        let conn = Client::open(url)
            .with_context(|| format!("invalid Redis URL {shown}"))?
            .get_multiplexed_async_connection_with_config(&config)
            .await
            .with_context(|| format!("cannot connect to Redis at {shown}"))?;
        Ok(Self { conn })
    }

    /// `used_memory` from `INFO memory`, in bytes.
    ///
    /// # Errors
    /// On Redis failure or when the field is missing.
    pub(super) async fn used_memory(&mut self) -> anyhow::Result<u64> {
        let info: InfoDict = cmd("INFO")
            .arg("memory")
            .query_async(&mut self.conn)
            .await
            .context("INFO memory")?;
        info.get("used_memory")
            .context("INFO memory has no used_memory")
    }

    /// Bytes `key` takes, every element counted (`SAMPLES 0`); 0 when it does not exist.
    ///
    /// # Errors
    /// On Redis failure.
    pub(super) async fn key_bytes(&mut self, key: &str) -> anyhow::Result<u64> {
        let bytes: Option<u64> = cmd("MEMORY")
            .arg("USAGE")
            .arg(key)
            .arg("SAMPLES")
            .arg(0)
            .query_async(&mut self.conn)
            .await
            .with_context(|| format!("MEMORY USAGE {key}"))?;
        Ok(bytes.unwrap_or(0))
    }

    /// Keeps only the `keep` highest-scored members of the sorted set `key`.
    ///
    /// # Errors
    /// On Redis failure.
    pub(super) async fn keep_newest(&mut self, key: &str, keep: u64) -> anyhow::Result<()> {
        let stop = -1 - i64::try_from(keep).unwrap_or(i64::MAX - 1);
        let _: u64 = cmd("ZREMRANGEBYRANK")
            .arg(key)
            .arg(0)
            .arg(stop)
            .query_async(&mut self.conn)
            .await
            .with_context(|| format!("ZREMRANGEBYRANK {key}"))?;
        Ok(())
    }

    /// The running totals of `EVALSHA` and `EVAL`. Read twice and subtracted rather than
    /// zeroed with `CONFIG RESETSTAT`, which would wipe the statistics of everyone else
    /// sharing this Redis.
    ///
    /// # Errors
    /// On Redis failure.
    pub(super) async fn script_stats(&mut self) -> anyhow::Result<ScriptStats> {
        let info: InfoDict = cmd("INFO")
            .arg("commandstats")
            .query_async(&mut self.conn)
            .await
            .context("INFO commandstats")?;
        let stat = |name: &str| {
            info.get::<String>(name)
                .as_deref()
                .and_then(CommandStat::parse)
                .unwrap_or_default()
        };
        Ok(ScriptStats {
            evalsha: stat("cmdstat_evalsha"),
            eval: stat("cmdstat_eval"),
        })
    }

    /// Unlinks every key under `prefix:`, a batch at a time; returns how many there were.
    ///
    /// # Errors
    /// On Redis failure; the keys not reached yet are left.
    pub(super) async fn delete_prefix(&mut self, prefix: &str) -> anyhow::Result<u64> {
        // The prefix is the bench's own (letters, digits and ':'), so it holds no glob
        // characters to escape.
        let pattern = format!("{prefix}:*");
        let mut cursor = 0_u64;
        let mut deleted = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(DELETE_BATCH)
                .query_async(&mut self.conn)
                .await
                .with_context(|| format!("SCAN {cursor} MATCH {pattern}"))?;
            for batch in keys.chunks(DELETE_BATCH) {
                let unlinked: u64 = cmd("UNLINK")
                    .arg(batch)
                    .query_async(&mut self.conn)
                    .await
                    .context("UNLINK")?;
                deleted += unlinked;
            }
            if next == 0 {
                return Ok(deleted);
            }
            cursor = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_stats_are_read_from_their_info_line() {
        let line = "calls=30813,usec=2074324,usec_per_call=67.32,rejected_calls=0,failed_calls=124";
        let stat = CommandStat::parse(line).unwrap();
        assert_eq!(
            stat,
            CommandStat {
                calls: 30813,
                usec: 2_074_324
            }
        );
        assert_eq!(CommandStat::parse("usec=5"), None);
    }

    #[test]
    fn a_window_counts_only_what_happened_in_it() {
        let before = CommandStat {
            calls: 10,
            usec: 1000,
        };
        let after = CommandStat {
            calls: 14,
            usec: 1800,
        };
        let window = after.since(before).unwrap();
        assert_eq!(window.calls, 4);
        assert_eq!(window.usec_per_call(), 200.0);
        assert_eq!(before.since(before), None, "no calls in the window");
        assert_eq!(before.since(after), None, "counters reset in between");
    }
}
