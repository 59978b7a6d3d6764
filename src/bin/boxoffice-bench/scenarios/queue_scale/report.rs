//! The `queue-scale` numbers: the table printed at the end and the `--json` document.

use std::fmt;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

use super::inspect::{CommandStat, ScriptStats};
use crate::report::{Latency, Verdict, round3};

/// `MEMORY USAGE` of the keys a waiting user lives in, in bytes.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct KeyBytes {
    pub waiting: u64,
    pub heartbeats: u64,
    pub admitted: u64,
}

/// What the promotion ticks did.
#[derive(Debug)]
pub(super) struct Ticks {
    /// `queue_promote` calls made.
    pub asked: u32,
    /// Of those, the ones the script ran; the rest came too soon after the previous one.
    pub ran: u32,
    /// Ticks that ran and admitted fewer users than they had room for.
    pub short: u32,
    pub admitted_min: u64,
    pub admitted_max: u64,
    pub admitted_total: u64,
    /// Round trip of every tick that ran, in microseconds.
    pub latency_us: Histogram<u64>,
    /// The script commands' server-side totals over the ticks (every client's, not only
    /// the bench's).
    pub server: Option<ScriptStats>,
    /// Entries the admissions of the last minute were trimmed to between ticks.
    pub admissions_window: u64,
}

/// Everything one `queue-scale` run measured.
#[derive(Debug)]
pub(super) struct ScaleReport {
    pub prefix: String,
    /// `None` with `--keep`; otherwise how many keys were deleted, or `Some(Err)` when the
    /// deletion failed.
    pub deleted: Option<Result<u64, String>>,
    pub waiting: u64,
    pub concurrency: u32,
    pub batch_size: u32,
    pub join_elapsed: Duration,
    pub used_memory_before: u64,
    pub used_memory_after: u64,
    pub key_bytes: KeyBytes,
    pub ticks: Ticks,
}

impl ScaleReport {
    pub(super) fn verdict(&self) -> Verdict {
        if self.ticks.ran == 0 || matches!(self.deleted, Some(Err(_))) {
            Verdict::Incomplete
        } else if self.ticks.short > 0 {
            Verdict::Failed
        } else {
            Verdict::Passed
        }
    }

    /// Growth of `used_memory` over the joins, per user. Anything else writing to the same
    /// Redis meanwhile counts too, which is why the key sizes are reported beside it.
    fn bytes_per_waiting_user(&self) -> f64 {
        (self.used_memory_after as f64 - self.used_memory_before as f64) / self.waiting as f64
    }

    fn per_user(&self, bytes: u64) -> f64 {
        bytes as f64 / self.waiting as f64
    }

    fn joins_per_sec(&self) -> f64 {
        self.waiting as f64 / self.join_elapsed.as_secs_f64()
    }

    fn admitted_per_tick(&self) -> f64 {
        match self.ticks.ran {
            0 => 0.0,
            ran => self.ticks.admitted_total as f64 / f64::from(ran),
        }
    }

    fn tick_ms(&self) -> Option<Latency> {
        (!self.ticks.latency_us.is_empty()).then(|| Latency::of(&self.ticks.latency_us))
    }

    /// One script command's server-side totals over the ticks, when it was called.
    fn server(&self, command: impl Fn(&ScriptStats) -> CommandStat) -> Option<CommandStat> {
        self.ticks
            .server
            .as_ref()
            .map(command)
            .filter(|stat| stat.calls > 0)
    }

    /// The `--json` document.
    pub(super) fn to_json(&self) -> JsonScaleReport<'_> {
        let evalsha = self.server(|stats| stats.evalsha);
        let eval = self.server(|stats| stats.eval);
        JsonScaleReport {
            scenario: "queue-scale",
            waiting: self.waiting,
            bytes_per_waiting_user: round3(self.bytes_per_waiting_user()),
            key_bytes_per_user: JsonKeyBytes {
                waiting: round3(self.per_user(self.key_bytes.waiting)),
                heartbeats: round3(self.per_user(self.key_bytes.heartbeats)),
                admitted: round3(self.per_user(self.key_bytes.admitted)),
            },
            joins_per_sec: round3(self.joins_per_sec()),
            tick_ms: self.tick_ms(),
            tick_server_usec_per_call: evalsha.map(|stat| round3(stat.usec_per_call())),
            admitted_per_tick: round3(self.admitted_per_tick()),
            tick_server_evalsha_calls: evalsha.map_or(0, |stat| stat.calls),
            tick_server_eval_usec_per_call: eval.map(|stat| round3(stat.usec_per_call())),
            admitted_per_tick_min: self.ticks.admitted_min,
            admitted_per_tick_max: self.ticks.admitted_max,
            ticks_asked: self.ticks.asked,
            ticks_ran: self.ticks.ran,
            admissions_window: self.ticks.admissions_window,
            short_ticks: self.ticks.short,
            batch_size: self.batch_size,
            concurrency: self.concurrency,
            join_secs: round3(self.join_elapsed.as_secs_f64()),
            used_memory_before: self.used_memory_before,
            used_memory_after: self.used_memory_after,
            key_prefix: &self.prefix,
            keys_deleted: self.deleted.as_ref().and_then(|d| d.as_ref().ok().copied()),
            passed: self.verdict() == Verdict::Passed,
        }
    }
}

impl fmt::Display for ScaleReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
        writeln!(
            f,
            "boxoffice-bench queue-scale: {} waiting users, {} joins in flight, ticks of {}",
            self.waiting, self.concurrency, self.batch_size
        )?;
        let keys = match &self.deleted {
            None => "kept (--keep)".to_owned(),
            Some(Ok(count)) => format!("deleted, {count} keys"),
            Some(Err(err)) => format!("NOT deleted: {err}"),
        };
        writeln!(f, "keys under {}: {keys}", self.prefix)?;

        writeln!(
            f,
            "\njoins {:>17} in {:.2} s = {:.0} joins/s",
            self.waiting,
            self.join_elapsed.as_secs_f64(),
            self.joins_per_sec()
        )?;

        writeln!(f, "\n{:<22} {:>12} {:>14}", "memory", "MiB", "bytes/user")?;
        writeln!(
            f,
            "{:<22} {:>12.1} {:>14.1}",
            "used_memory growth",
            mib(self
                .used_memory_after
                .saturating_sub(self.used_memory_before)),
            self.bytes_per_waiting_user()
        )?;
        let k = self.key_bytes;
        for (name, bytes) in [
            ("waiting (zset)", k.waiting),
            ("heartbeats (zset)", k.heartbeats),
            ("admitted (hash)", k.admitted),
            ("the three keys", k.waiting + k.heartbeats + k.admitted),
        ] {
            writeln!(
                f,
                "{name:<22} {:>12.1} {:>14.1}",
                mib(bytes),
                self.per_user(bytes)
            )?;
        }

        let t = &self.ticks;
        writeln!(
            f,
            "\n{:<8} {:>6} {:>6} {:>9} {:>9} {:>9} {:>16}",
            "ticks", "asked", "ran", "p50 ms", "p99 ms", "max ms", "server µs/call"
        )?;
        let evalsha = self.server(|stats| stats.evalsha);
        let eval = self.server(|stats| stats.eval);
        let latency = self.tick_ms().unwrap_or(Latency {
            p50: 0.0,
            p99: 0.0,
            max: 0.0,
        });
        let server = evalsha.map_or_else(
            || "-".to_owned(),
            |stat| format!("{:.1}", stat.usec_per_call()),
        );
        writeln!(
            f,
            "{:<8} {:>6} {:>6} {:>9.3} {:>9.3} {:>9.3} {:>16}",
            "promote", t.asked, t.ran, latency.p50, latency.p99, latency.max, server
        )?;
        if let Some(stat) = evalsha {
            writeln!(
                f,
                "server time: EVALSHA over {} calls by every client in the window \
                 ({} were the bench's)",
                stat.calls, t.asked
            )?;
        }
        if let Some(stat) = eval {
            writeln!(
                f,
                "             EVAL {:.1} µs/call over {} calls",
                stat.usec_per_call(),
                stat.calls
            )?;
        }
        writeln!(
            f,
            "admissions of the last minute trimmed to the newest {} between ticks, as at \
             the configured tick",
            t.admissions_window
        )?;
        writeln!(
            f,
            "admitted per tick: {:.1} (min {}, max {}), {} short of room",
            self.admitted_per_tick(),
            t.admitted_min,
            t.admitted_max,
            t.short
        )?;

        let verdict = match self.verdict() {
            Verdict::Passed => "PASSED",
            Verdict::Failed => "FAILED: a tick admitted fewer users than it had room for",
            Verdict::Incomplete => "INCOMPLETE: no tick ran or the keys were not deleted",
        };
        writeln!(f, "\n{verdict}")
    }
}

/// The `--json` document; the first fields are the ones CI reads.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct JsonScaleReport<'a> {
    scenario: &'static str,
    waiting: u64,
    /// Growth of Redis's `used_memory` over the joins, per waiting user.
    bytes_per_waiting_user: f64,
    key_bytes_per_user: JsonKeyBytes,
    joins_per_sec: f64,
    /// Round trip of the ticks that ran.
    tick_ms: Option<Latency>,
    /// `EVALSHA`'s own time in Redis over the ticks, without the round trip.
    tick_server_usec_per_call: Option<f64>,
    /// Mean over the ticks that ran.
    admitted_per_tick: f64,
    /// Every client's `EVALSHA` calls in the tick window; more than `ticksAsked` means
    /// others shared the measurement.
    tick_server_evalsha_calls: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    tick_server_eval_usec_per_call: Option<f64>,
    admitted_per_tick_min: u64,
    admitted_per_tick_max: u64,
    ticks_asked: u32,
    ticks_ran: u32,
    /// Entries the admissions of the last minute were trimmed to between ticks.
    admissions_window: u64,
    short_ticks: u32,
    batch_size: u32,
    concurrency: u32,
    join_secs: f64,
    used_memory_before: u64,
    used_memory_after: u64,
    key_prefix: &'a str,
    keys_deleted: Option<u64>,
    passed: bool,
}

#[derive(Debug, Serialize)]
struct JsonKeyBytes {
    waiting: f64,
    heartbeats: f64,
    admitted: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::latency_histogram;

    fn report() -> ScaleReport {
        let mut latency_us = latency_histogram();
        for us in [200, 300, 400] {
            latency_us.record(us).unwrap();
        }
        ScaleReport {
            prefix: "scale:0123abcd".into(),
            deleted: Some(Ok(7)),
            waiting: 1000,
            concurrency: 256,
            batch_size: 100,
            join_elapsed: Duration::from_millis(500),
            used_memory_before: 1_000_000,
            used_memory_after: 1_150_000,
            key_bytes: KeyBytes {
                waiting: 60_000,
                heartbeats: 60_000,
                admitted: 20_000,
            },
            ticks: Ticks {
                asked: 3,
                ran: 3,
                short: 0,
                admitted_min: 100,
                admitted_max: 100,
                admitted_total: 300,
                latency_us,
                server: Some(ScriptStats {
                    evalsha: CommandStat {
                        calls: 4,
                        usec: 600,
                    },
                    eval: CommandStat::default(),
                }),
                admissions_window: 60,
            },
        }
    }

    #[test]
    fn the_json_document_has_the_fields_ci_reads() {
        let json = serde_json::to_value(report().to_json()).unwrap();
        assert_eq!(json["waiting"], 1000);
        assert_eq!(json["bytesPerWaitingUser"], 150.0);
        assert_eq!(json["keyBytesPerUser"]["waiting"], 60.0);
        assert_eq!(json["keyBytesPerUser"]["heartbeats"], 60.0);
        assert_eq!(json["keyBytesPerUser"]["admitted"], 20.0);
        assert_eq!(json["joinsPerSec"], 2000.0);
        assert_eq!(json["tickMs"]["p50"], 0.3);
        assert_eq!(json["tickServerUsecPerCall"], 150.0);
        assert_eq!(json["tickServerEvalshaCalls"], 4);
        assert!(json.get("tickServerEvalUsecPerCall").is_none());
        assert_eq!(json["admittedPerTick"], 100.0);
        assert_eq!(json["passed"], true);
    }

    #[test]
    fn a_short_tick_fails_the_run_and_undeleted_keys_leave_it_incomplete() {
        let mut short = report();
        short.ticks.short = 1;
        assert_eq!(short.verdict(), Verdict::Failed);
        let mut left = report();
        left.deleted = Some(Err("connection reset".into()));
        assert_eq!(left.verdict(), Verdict::Incomplete);
        let mut kept = report();
        kept.deleted = None;
        assert_eq!(kept.verdict(), Verdict::Passed);
    }

    #[test]
    fn the_table_names_every_number() {
        let text = report().to_string();
        for expected in [
            "1000 waiting users",
            "deleted, 7 keys",
            "2000 joins/s",
            "150.0",
            "admitted (hash)",
            "promote",
            "PASSED",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
    }
}
