//! The report as printed at the end of a run.

use std::fmt;

use super::json::Latency;
use super::{Report, RunShape, Verdict, per_sec};

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let RunShape {
            scenario,
            users,
            concurrency,
        } = self.shape;
        writeln!(
            f,
            "boxoffice-bench {scenario}: {users} users, {concurrency} requests in flight"
        )?;
        let phases: Vec<String> = self
            .phases
            .iter()
            .map(|(name, elapsed)| format!("{name} {:.2} s", elapsed.as_secs_f64()))
            .collect();
        writeln!(f, "phases: {}", phases.join(", "))?;

        writeln!(
            f,
            "\n{:<12} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "endpoint", "requests", "req/s", "p50 ms", "p99 ms", "max ms"
        )?;
        for row in &self.endpoints {
            let latency = Latency::of(&row.latency_us);
            writeln!(
                f,
                "{:<12} {:>9} {:>9.1} {:>9.2} {:>9.2} {:>9.2}",
                row.endpoint.as_str(),
                row.count,
                per_sec(row.count, row.active),
                latency.p50,
                latency.p99,
                latency.max
            )?;
        }

        if !self.errors.is_empty() {
            writeln!(f, "\nerrors")?;
            for ((endpoint, key), count) in &self.errors {
                let mark = if key.is_fatal() {
                    "  <- fails the run"
                } else {
                    ""
                };
                writeln!(
                    f,
                    "  {:<12} {:<32} {count:>7}{mark}",
                    endpoint.as_str(),
                    key
                )?;
            }
        }

        writeln!(f, "\nusers")?;
        for (outcome, count) in &self.outcomes {
            writeln!(f, "  {:<14} {count:>7}", outcome.as_str())?;
        }
        if !self.admission_wait_us.is_empty() {
            let wait = Latency::of(&self.admission_wait_us);
            writeln!(
                f,
                "queue wait: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
                wait.p50, wait.p99, wait.max
            )?;
        }
        if scenario == "purchase" {
            writeln!(
                f,
                "purchases: {} ({:.1}/s)",
                self.purchases(),
                per_sec(self.purchases(), self.measured)
            )?;
        }

        if !self.checks.is_empty() || self.check_error.is_some() {
            writeln!(f, "\ninvariants")?;
            for check in &self.checks {
                let mark = if check.ok { "ok" } else { "BROKEN" };
                writeln!(f, "  {mark:<7} {:<26} {}", check.name, check.detail)?;
            }
            if let Some(err) = &self.check_error {
                writeln!(f, "  could not check the database: {err}")?;
            }
        }

        writeln!(f)?;
        match self.verdict() {
            Verdict::Passed => writeln!(f, "PASS"),
            Verdict::Incomplete => writeln!(f, "INCOMPLETE: the database checks did not run"),
            Verdict::Failed => {
                let mut reasons = Vec::new();
                let fatal = self.fatal_errors();
                if fatal > 0 {
                    reasons.push(format!("{fatal} requests got a 5xx or no answer"));
                }
                for check in self.checks.iter().filter(|check| !check.ok) {
                    reasons.push(format!("{} broken", check.name));
                }
                writeln!(f, "FAIL: {}", reasons.join("; "))
            }
        }
    }
}
