//! The seat decisions, step by step on a hand-driven clock, as the hold, seat and
//! schedule scripts take them.

use std::collections::{HashMap, HashSet};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::Seats;
use crate::store::holds::{HoldOutcome, HoldStatus, LiveHold, ScheduleSnapshot};

const S: i64 = 42;
const T0: i64 = 1_700_000_000_000;

fn loaded(total: i64) -> Seats {
    let mut seats = Seats::default();
    assert!(seats.load(
        S,
        &ScheduleSnapshot {
            total,
            ..ScheduleSnapshot::default()
        }
    ));
    seats
}

fn held(outcome: HoldOutcome) -> bool {
    matches!(outcome, HoldOutcome::Held { .. })
}

#[test]
fn nothing_is_held_in_a_schedule_that_is_not_loaded() {
    let mut seats = Seats::default();
    assert_eq!(seats.hold(S, 1, 7, 1000, 4, T0), HoldOutcome::NotLoaded);
    assert_eq!(seats.status(S, 1, 7, T0), HoldStatus::NotLoaded);
    assert_eq!(seats.state(S, T0), None);
    assert_eq!(seats.left(&[S], T0), vec![None]);
    assert!(!seats.release(S, 1, 7, T0));
}

#[test]
fn a_free_seat_is_held_once_until_its_expiry() {
    let mut seats = loaded(3);
    assert_eq!(
        seats.hold(S, 1, 7, 1000, 4, T0),
        HoldOutcome::Held {
            expires_ms: T0 + 1000
        }
    );
    assert_eq!(seats.hold(S, 1, 8, 1000, 4, T0), HoldOutcome::Unavailable);
    assert_eq!(seats.hold(S, 1, 7, 1000, 4, T0), HoldOutcome::Unavailable);
    assert_eq!(
        seats.status(S, 1, 7, T0 + 999),
        HoldStatus::Held {
            expires_ms: T0 + 1000
        }
    );
    assert_eq!(seats.status(S, 1, 8, T0), HoldStatus::NotHeld);
    assert_eq!(seats.left(&[S, S], T0 + 999), vec![Some(2), Some(2)]);
    // The hold ends at its expiry instant, with no sweeper.
    assert_eq!(seats.status(S, 1, 7, T0 + 1000), HoldStatus::NotHeld);
    assert_eq!(seats.left(&[S], T0 + 1000), vec![Some(3)]);
    assert!(held(seats.hold(S, 1, 8, 1000, 4, T0 + 1000)));
}

#[test]
fn the_per_user_limit_counts_live_holds_only() {
    let mut seats = loaded(5);
    assert!(held(seats.hold(S, 1, 7, 200, 2, T0)));
    assert!(held(seats.hold(S, 2, 7, 10_000, 2, T0)));
    assert_eq!(
        seats.hold(S, 3, 7, 10_000, 2, T0),
        HoldOutcome::LimitReached
    );
    assert!(held(seats.hold(S, 3, 8, 10_000, 2, T0)));
    assert!(held(seats.hold(S, 4, 7, 10_000, 2, T0 + 200)));
    assert!(seats.release(S, 2, 7, T0 + 300));
    assert!(held(seats.hold(S, 5, 7, 10_000, 2, T0 + 300)));
}

#[test]
fn a_users_list_expires_with_the_latest_hold_as_the_key_does() {
    // PEXPIREAT follows the latest hold: a shorter one set last takes the list with it.
    let mut seats = loaded(5);
    assert!(held(seats.hold(S, 1, 7, 10_000, 2, T0)));
    assert!(held(seats.hold(S, 2, 7, 100, 2, T0)));
    assert_eq!(
        seats.hold(S, 3, 7, 10_000, 2, T0 + 50),
        HoldOutcome::LimitReached
    );
    // At the key's expiry instant the key still stands, with seat 1 live on it.
    assert_eq!(
        seats.hold(S, 3, 7, 10_000, 1, T0 + 100),
        HoldOutcome::LimitReached
    );
    // Just after, the key is gone: seat 1's live hold no longer counts.
    assert!(held(seats.hold(S, 3, 7, 10_000, 1, T0 + 101)));
    assert_eq!(seats.left(&[S], T0 + 101), vec![Some(3)]);
}

#[test]
fn release_ends_only_the_holders_hold_even_after_its_expiry() {
    let mut seats = loaded(2);
    seats.hold(S, 1, 7, 1000, 4, T0);
    assert!(!seats.release(S, 1, 8, T0));
    assert!(seats.release(S, 1, 7, T0));
    assert!(!seats.release(S, 1, 7, T0));
    // An ended hold stays the holder's to release until a hold attempt purges it.
    seats.hold(S, 2, 7, 1000, 4, T0);
    assert!(seats.release(S, 2, 7, T0 + 5000));
    seats.hold(S, 2, 7, 1000, 4, T0);
    seats.hold(S, 1, 8, 1000, 4, T0 + 5000);
    assert!(!seats.release(S, 2, 7, T0 + 5000));
}

#[test]
fn selling_ends_the_hold_and_unselling_frees_the_seat() {
    let mut seats = loaded(2);
    seats.hold(S, 1, 7, 10_000, 1, T0);
    seats.sell(S, 1, 7, T0);
    assert_eq!(seats.status(S, 1, 7, T0), HoldStatus::Sold);
    assert_eq!(seats.hold(S, 1, 8, 10_000, 4, T0), HoldOutcome::Unavailable);
    let state = seats.state(S, T0).unwrap();
    assert_eq!((state.total, state.sold.len(), state.held.len()), (2, 1, 0));
    // The sale took the seat off the buyer's list: the limit of one is free again.
    assert!(held(seats.hold(S, 2, 7, 10_000, 1, T0)));
    seats.unsell(S, 1);
    assert!(held(seats.hold(S, 1, 8, 10_000, 4, T0)));
    assert_eq!(seats.left(&[S], T0), vec![Some(0)]);
}

#[test]
fn load_happens_once_and_merges_sales_made_before_it() {
    let mut seats = Seats::default();
    seats.sell(S, 3, 7, T0);
    assert_eq!(seats.state(S, T0), None);
    let snapshot = ScheduleSnapshot {
        total: 5,
        sold: vec![1],
        holds: vec![
            LiveHold {
                seat_id: 2,
                expires_ms: T0 + 60_000,
                user_id: 9,
            },
            LiveHold {
                seat_id: 3,
                expires_ms: T0 + 60_000,
                user_id: 9,
            },
        ],
    };
    assert!(seats.load(S, &snapshot));
    assert!(!seats.load(
        S,
        &ScheduleSnapshot {
            total: 5,
            ..ScheduleSnapshot::default()
        }
    ));
    let state = seats.state(S, T0).unwrap();
    assert_eq!(state.sold, HashSet::from([1, 3]));
    assert_eq!(state.held, HashSet::from([2]));
    assert_eq!(
        seats.status(S, 2, 9, T0),
        HoldStatus::Held {
            expires_ms: T0 + 60_000
        }
    );
    assert_eq!(seats.left(&[S], T0), vec![Some(2)]);
}

#[test]
fn a_negative_count_reads_as_not_loaded_like_the_redis_wrapper() {
    let mut seats = Seats::default();
    seats.load(
        S,
        &ScheduleSnapshot {
            total: 1,
            sold: vec![1, 2],
            ..ScheduleSnapshot::default()
        },
    );
    assert_eq!(seats.left(&[S], T0), vec![None]);
    assert_eq!(seats.state(S, T0).unwrap().left(), -1);
}

#[test]
fn left_stays_exact_through_random_holds_releases_sales_and_expiries() {
    const SEATS: i64 = 40;
    let mut rng = StdRng::seed_from_u64(23);
    let mut seats = loaded(SEATS);
    // Model: seat -> (holder, expiry); sold seats.
    let mut holds: HashMap<i64, (i64, i64)> = HashMap::new();
    let mut sold: HashSet<i64> = HashSet::new();
    let mut now = T0;
    for _ in 0..20_000 {
        now += rng.random_range(0..20);
        let seat = rng.random_range(1..=SEATS);
        let user = rng.random_range(1..=6);
        match rng.random_range(0..10) {
            0..=5 => {
                let free = !sold.contains(&seat)
                    && holds.get(&seat).is_none_or(|&(_, expiry)| expiry <= now);
                let outcome = seats.hold(S, seat, user, rng.random_range(0..400), 1000, now);
                assert_eq!(held(outcome), free, "seat {seat} at {now}");
                if let HoldOutcome::Held { expires_ms } = outcome {
                    holds.insert(seat, (user, expires_ms));
                }
            }
            6..=7 => {
                let holder = holds.get(&seat).is_some_and(|&(h, _)| h == user);
                let live = holds.get(&seat).is_some_and(|&(_, expiry)| expiry > now);
                let released = seats.release(S, seat, user, now);
                assert!(holder || !released, "seat {seat} released by {user}");
                assert!(
                    released || !(holder && live),
                    "seat {seat} kept from {user}"
                );
                if holder {
                    holds.remove(&seat);
                }
            }
            8 => {
                seats.sell(S, seat, user, now);
                holds.remove(&seat);
                sold.insert(seat);
            }
            _ => {
                seats.unsell(S, seat);
                sold.remove(&seat);
            }
        }
        let live: HashSet<i64> = holds
            .iter()
            .filter(|&(_, &(_, expiry))| expiry > now)
            .map(|(&seat, _)| seat)
            .collect();
        let expected = SEATS - sold.len() as i64 - live.len() as i64;
        assert_eq!(seats.left(&[S], now), vec![Some(expected)]);
        let state = seats.state(S, now).unwrap();
        assert_eq!((state.sold, state.held), (sold.clone(), live));
    }
}
