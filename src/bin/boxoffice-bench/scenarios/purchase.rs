//! `purchase`: the whole flow per user — charge points, queue, find the bench's schedule,
//! hold a free seat, pay — with many users competing for fewer seats.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use reqwest::StatusCode;
use tokio::task::JoinSet;

use crate::cli::PurchaseArgs;
use crate::client::{Api, CallError};
use crate::progress;
use crate::scenarios::admission::admit;
use crate::scenarios::setup::Venue;
use crate::scenarios::{Limits, Outcome, Phase, RunResult, setup};
use crate::wire::SeatState;

/// Hold requests one user makes before giving up on a contended schedule.
const HOLD_ATTEMPTS: u32 = 6;
/// Hold attempts made from one reading of the seat map before reading it again: after
/// that many losses the map is too stale to pick from.
const TRIES_PER_MAP: u32 = 2;

/// # Errors
/// When setup fails.
pub(crate) async fn run(
    args: &PurchaseArgs,
    api: &Api,
    interrupted: Arc<AtomicBool>,
) -> anyhow::Result<RunResult> {
    let common = &args.common;
    let users = u64::from(common.users);

    let started = Instant::now();
    let venue = Arc::new(setup::create_venue(api, args.seats, args.seat_price).await?);
    let bar = progress::bar(users, "setup", common.quiet);
    let user_ids =
        setup::create_users(api, common.users, common.concurrency as usize, &bar).await?;
    bar.finish_and_clear();
    let setup = Phase::finish("setup", true, api, started);

    let api = api.next_phase();
    let limits = Limits::start(common, interrupted);
    // The charge covers two seats: a buyer must never fail for want of points.
    let charge = (args.seat_price * 2).max(1);
    let bar = progress::bar(users, "users", common.quiet);
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for user_id in user_ids {
        let buyer = Buyer {
            api: api.clone(),
            limits: limits.clone(),
            venue: Arc::clone(&venue),
            user_id,
            charge,
        };
        let bar = bar.clone();
        tasks.spawn(async move {
            let outcome = buyer.run().await;
            bar.inc(1);
            outcome
        });
    }

    let mut result = RunResult::default();
    while let Some(joined) = tasks.join_next().await {
        let (outcome, waited) = joined.context("a simulated user panicked")?;
        result.count(outcome);
        if let Some(waited) = waited {
            result.admitted_after(waited);
        }
        bar.set_message(format!(
            "{} bought",
            result.outcome_count(Outcome::Purchased)
        ));
    }
    bar.finish_and_clear();
    result.phases = vec![setup, Phase::finish("purchase", false, &api, started)];
    Ok(result)
}

/// One simulated user of the purchase flow.
struct Buyer {
    api: Api,
    limits: Limits,
    venue: Arc<Venue>,
    user_id: i64,
    /// Points to charge, in won.
    charge: i64,
}

impl Buyer {
    /// The user's outcome and, when admitted, how long the queue took.
    async fn run(self) -> (Outcome, Option<Duration>) {
        if self.limits.stopped() {
            return (Outcome::Stopped, None);
        }
        let key = uuid::Uuid::new_v4().to_string();
        if self
            .api
            .charge(self.user_id, self.charge, &key)
            .await
            .is_err()
        {
            return (Outcome::Failed, None);
        }
        let admitted = match admit(&self.api, self.user_id, &self.limits).await {
            Ok(admitted) => admitted,
            Err(outcome) => return (outcome, None),
        };
        let outcome = self.buy(&admitted.token).await;
        (outcome, Some(admitted.waited))
    }

    async fn buy(&self, token: &str) -> Outcome {
        let schedule_id = self.venue.schedule_id;
        if self.limits.stopped() {
            return Outcome::Stopped;
        }
        // Browsing comes first, as in a real client, but the seat map decides whether
        // anything is left: the list may be cached for a moment and miss a new concert.
        if self.api.schedules(token).await.is_err() {
            return Outcome::Failed;
        }

        let mut free: Vec<i64> = Vec::new();
        let mut tries_left_on_map = 0;
        for _ in 0..HOLD_ATTEMPTS {
            if self.limits.stopped() {
                return Outcome::Stopped;
            }
            if free.is_empty() || tries_left_on_map == 0 {
                let Ok(map) = self.api.seat_map(token, schedule_id).await else {
                    return Outcome::Failed;
                };
                free = map
                    .seats
                    .iter()
                    .filter(|seat| seat.status == SeatState::Available)
                    .map(|seat| seat.seat_id)
                    .collect();
                tries_left_on_map = TRIES_PER_MAP;
            }
            if free.is_empty() {
                return Outcome::SoldOut;
            }
            // A random free seat rather than the first: everyone picking seat 1 would
            // measure one row lock, not the service.
            let seat_id = free.swap_remove(rand::random_range(0..free.len()));
            tries_left_on_map -= 1;
            match self.api.hold(token, schedule_id, seat_id).await {
                // Once held, the seat is paid for even past the deadline: stopping here
                // would strand it until the hold expires.
                Ok(_) => return self.pay(token, seat_id).await,
                Err(err) if is_conflict(&err, "seat_unavailable") => {}
                Err(err) if is_conflict(&err, "hold_limit_reached") => return Outcome::HoldLimit,
                Err(_) => return Outcome::Failed,
            }
        }
        Outcome::GaveUp
    }

    async fn pay(&self, token: &str, seat_id: i64) -> Outcome {
        let key = uuid::Uuid::new_v4().to_string();
        match self
            .api
            .pay(token, self.venue.schedule_id, seat_id, &key)
            .await
        {
            Ok(_) => Outcome::Purchased,
            Err(_) => Outcome::Failed,
        }
    }
}

fn is_conflict(err: &CallError, code: &str) -> bool {
    err.is(StatusCode::CONFLICT, code)
}
