//! `holds`: every user is admitted first, then all of them ask for the same few seats at
//! once. Exactly one hold per seat may succeed.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};
use indicatif::ProgressBar;
use reqwest::StatusCode;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;

use crate::cli::HoldsArgs;
use crate::client::Api;
use crate::invariants::Check;
use crate::progress;
use crate::scenarios::admission::{Admitted, admit};
use crate::scenarios::{Limits, Outcome, Phase, RunResult, setup};
use crate::stats::Endpoint;

/// # Errors
/// When the options make no race or setup fails.
pub(crate) async fn run(
    args: &HoldsArgs,
    api: &Api,
    interrupted: Arc<AtomicBool>,
) -> anyhow::Result<RunResult> {
    let common = &args.common;
    ensure!(
        common.users >= args.seats,
        "--users ({}) must be at least --seats ({}) so that every seat is raced for",
        common.users,
        args.seats
    );
    let users = u64::from(common.users);

    let started = Instant::now();
    let venue = setup::create_venue(api, args.seats, args.seat_price).await?;
    let bar = progress::bar(users, "setup", common.quiet);
    let user_ids =
        setup::create_users(api, common.users, common.concurrency as usize, &bar).await?;
    bar.finish_and_clear();
    let setup = Phase::finish("setup", true, api, started);

    let admission_api = api.next_phase();
    let race_api = api.next_phase();
    let limits = Limits::start(common, interrupted);
    let (start, start_rx) = watch::channel(false);
    let bar = progress::bar(users, "admitted", common.quiet);
    let started = Instant::now();
    let mut admissions = Vec::with_capacity(user_ids.len());
    let mut tasks = JoinSet::new();
    for (i, user_id) in user_ids.into_iter().enumerate() {
        let seat = i % venue.seat_ids.len();
        let (admission_tx, admission_rx) = oneshot::channel();
        admissions.push(admission_rx);
        let contender = Contender {
            admission_api: admission_api.clone(),
            race_api: race_api.clone(),
            limits: limits.clone(),
            start: start_rx.clone(),
            user_id,
            schedule_id: venue.schedule_id,
            seat_id: venue.seat_ids[seat],
        };
        let bar = bar.clone();
        tasks.spawn(async move {
            let outcome = contender.run(admission_tx, &bar).await;
            outcome.map(|outcome| (seat, outcome))
        });
    }

    let mut result = RunResult::default();
    // A task that panicked drops its sender; the join below reports the panic.
    for admission in futures::future::join_all(admissions)
        .await
        .into_iter()
        .flatten()
    {
        match admission {
            Ok(waited) => result.admitted_after(waited),
            Err(outcome) => result.count(outcome),
        }
    }
    bar.finish_and_clear();
    let admission = Phase::finish("admission", false, &admission_api, started);

    let started = Instant::now();
    start.send_replace(true);
    let mut seats = vec![SeatRace::default(); venue.seat_ids.len()];
    while let Some(joined) = tasks.join_next().await {
        let Some((seat, outcome)) = joined.context("a simulated user panicked")? else {
            continue;
        };
        result.count(outcome);
        if outcome != Outcome::Stopped {
            seats[seat].attempts += 1;
        }
        if outcome == Outcome::HoldWon {
            seats[seat].holds += 1;
        }
    }
    let race = Phase::finish("race", false, &race_api, started);

    result.phases = vec![setup, admission, race];
    result.checks.push(one_hold_per_seat(&seats));
    Ok(result)
}

/// One simulated user of the race.
struct Contender {
    admission_api: Api,
    race_api: Api,
    limits: Limits,
    start: watch::Receiver<bool>,
    user_id: i64,
    schedule_id: i64,
    seat_id: i64,
}

impl Contender {
    /// Reports the admission as soon as it is known, then waits for the start and tries
    /// the seat once. `None` when the user was never admitted (the report says why).
    async fn run(
        mut self,
        report: oneshot::Sender<Result<Duration, Outcome>>,
        bar: &ProgressBar,
    ) -> Option<Outcome> {
        let admission = admit(&self.admission_api, self.user_id, &self.limits).await;
        bar.inc(1);
        // The coordinator outlives every task, so the receiver is still there.
        let admitted = match admission {
            Ok(admitted) => {
                let _ = report.send(Ok(admitted.waited));
                admitted
            }
            Err(outcome) => {
                let _ = report.send(Err(outcome));
                return None;
            }
        };
        let token = self.keep_alive(admitted).await;
        if self.limits.stopped() {
            return Some(Outcome::Stopped);
        }
        let hold = self
            .race_api
            .hold(&token, self.schedule_id, self.seat_id)
            .await;
        Some(match hold {
            Ok(_) => Outcome::HoldWon,
            Err(err) if err.is(StatusCode::CONFLICT, "seat_unavailable") => Outcome::HoldLost,
            Err(_) => Outcome::Failed,
        })
    }

    /// Heartbeats as the server asks until the race starts, so that users admitted early
    /// are not dropped as idle while the last ones are still queueing. Returns the latest
    /// token.
    async fn keep_alive(&mut self, admitted: Admitted) -> String {
        let mut token = admitted.token;
        let mut interval = admitted.poll_interval;
        loop {
            tokio::select! {
                _ = self.start.wait_for(|started| *started) => return token,
                () = tokio::time::sleep(interval) => {}
            }
            let heartbeat = self
                .admission_api
                .queue(self.user_id, Endpoint::QueuePoll)
                .await;
            // A failed heartbeat is already counted; the race shows whether it mattered.
            if let Ok(answer) = heartbeat {
                token = answer.token;
                interval = self.limits.poll_interval(answer.poll_after_ms);
            }
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct SeatRace {
    /// Users whose hold request was sent.
    attempts: u32,
    /// Of those, the ones answered 201.
    holds: u32,
}

/// Every seat someone tried must have exactly one hold; a run where nobody got to try
/// fails too, since it proves nothing.
fn one_hold_per_seat(seats: &[SeatRace]) -> Check {
    const NAME: &str = "one_hold_per_seat";
    let raced = seats.iter().filter(|seat| seat.attempts > 0).count();
    if raced == 0 {
        return Check::new(NAME, false, "no hold was attempted".into());
    }
    let broken: Vec<String> = seats
        .iter()
        .enumerate()
        .filter(|(_, seat)| seat.attempts > 0 && seat.holds != 1)
        .map(|(i, seat)| {
            format!(
                "seat {}: {} of {} holds succeeded",
                i + 1,
                seat.holds,
                seat.attempts
            )
        })
        .collect();
    const LISTED: usize = 5;
    if broken.len() > LISTED {
        let more = broken.len() - LISTED;
        return Check::new(
            NAME,
            false,
            format!("{}; and {more} more seats", broken[..LISTED].join("; ")),
        );
    }
    if broken.is_empty() {
        let attempts: u32 = seats.iter().map(|seat| seat.attempts).sum();
        return Check::new(
            NAME,
            true,
            format!("{raced} seats, {attempts} attempts, one hold each"),
        );
    }
    Check::new(NAME, false, broken.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn race(pairs: &[(u32, u32)]) -> Vec<SeatRace> {
        pairs
            .iter()
            .map(|&(attempts, holds)| SeatRace { attempts, holds })
            .collect()
    }

    #[test]
    fn one_hold_on_every_raced_seat_passes() {
        let check = one_hold_per_seat(&race(&[(20, 1), (19, 1), (0, 0)]));
        assert!(check.ok, "{}", check.detail);
    }

    #[test]
    fn two_holds_on_one_seat_fail_and_name_the_seat() {
        let check = one_hold_per_seat(&race(&[(20, 1), (20, 2)]));
        assert!(!check.ok);
        assert_eq!(check.detail, "seat 2: 2 of 20 holds succeeded");
    }

    #[test]
    fn many_broken_seats_are_summed_up_after_the_first_five() {
        let check = one_hold_per_seat(&race(&[(2, 2); 8]));
        assert!(!check.ok);
        assert!(
            check.detail.ends_with("; and 3 more seats"),
            "{}",
            check.detail
        );
        assert_eq!(check.detail.matches("seat ").count(), 5);
    }

    #[test]
    fn a_raced_seat_nobody_got_fails() {
        let check = one_hold_per_seat(&race(&[(20, 0)]));
        assert!(!check.ok);
    }

    #[test]
    fn a_race_nobody_ran_fails() {
        let check = one_hold_per_seat(&race(&[(0, 0), (0, 0)]));
        assert!(!check.ok);
        assert_eq!(check.detail, "no hold was attempted");
    }
}
