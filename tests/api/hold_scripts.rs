//! The seat-hold part of the hot-store contract, run against Redis (its Lua scripts,
//! called directly) and against the in-process store, including `leftSeats` against a
//! model through a random mix of holds, releases and expiries.

use std::collections::HashMap;
use std::time::Duration;

use boxoffice::store::HotStore;
use boxoffice::store::holds::{HoldOutcome, HoldStatus, LiveHold, ScheduleSnapshot};

use crate::helpers::{redis_connection, redis_store};

const S: i64 = 42;

async fn loaded(store: HotStore, total: i64) -> HotStore {
    assert!(
        store
            .schedule_load(
                S,
                &ScheduleSnapshot {
                    total,
                    ..Default::default()
                }
            )
            .await
            .unwrap()
    );
    store
}

store_test! {
    async fn hold_needs_a_loaded_schedule(store) {
        assert_eq!(
            store.hold_seat(S, 1, 7, 10_000, 4).await.unwrap(),
            HoldOutcome::NotLoaded
        );
        assert_eq!(store.schedule_state(S).await.unwrap(), None);
        assert_eq!(store.schedules_left(&[S]).await.unwrap(), vec![None]);
    }
}

store_test! {
    async fn hold_takes_a_free_seat_once(store) {
        let store = loaded(store, 3).await;
        let HoldOutcome::Held { expires_ms } = store.hold_seat(S, 1, 7, 10_000, 4).await.unwrap()
        else {
            panic!("not held");
        };
        let now = chrono::Utc::now().timestamp_millis();
        assert!((expires_ms - now - 10_000).abs() < 1_000);
        assert_eq!(
            store.hold_seat(S, 1, 8, 10_000, 4).await.unwrap(),
            HoldOutcome::Unavailable
        );
        assert_eq!(
            store.hold_seat(S, 1, 7, 10_000, 4).await.unwrap(),
            HoldOutcome::Unavailable
        );
        assert_eq!(
            store.hold_status(S, 1, 7).await.unwrap(),
            HoldStatus::Held { expires_ms }
        );
        assert_eq!(
            store.hold_status(S, 1, 8).await.unwrap(),
            HoldStatus::NotHeld
        );
        assert_eq!(store.schedules_left(&[S]).await.unwrap(), vec![Some(2)]);
    }
}

store_test! {
    async fn holds_end_at_their_expiry_without_a_sweeper(store) {
        let store = loaded(store, 2).await;
        store.hold_seat(S, 1, 7, 200, 4).await.unwrap();
        assert_eq!(store.schedules_left(&[S]).await.unwrap(), vec![Some(1)]);
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert_eq!(store.schedules_left(&[S]).await.unwrap(), vec![Some(2)]);
        assert_eq!(
            store.hold_status(S, 1, 7).await.unwrap(),
            HoldStatus::NotHeld
        );
        assert!(matches!(
            store.hold_seat(S, 1, 8, 10_000, 4).await.unwrap(),
            HoldOutcome::Held { .. }
        ));
    }
}

store_test! {
    async fn the_per_user_limit_counts_live_holds_only(store) {
        let store = loaded(store, 5).await;
        store.hold_seat(S, 1, 7, 200, 2).await.unwrap();
        store.hold_seat(S, 2, 7, 10_000, 2).await.unwrap();
        assert_eq!(
            store.hold_seat(S, 3, 7, 10_000, 2).await.unwrap(),
            HoldOutcome::LimitReached
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert!(matches!(
            store.hold_seat(S, 3, 7, 10_000, 2).await.unwrap(),
            HoldOutcome::Held { .. }
        ));
    }
}

store_test! {
    async fn release_ends_only_the_holders_hold(store) {
        let store = loaded(store, 2).await;
        store.hold_seat(S, 1, 7, 10_000, 4).await.unwrap();
        assert!(!store.hold_release(S, 1, 8).await.unwrap());
        assert!(store.hold_release(S, 1, 7).await.unwrap());
        assert!(!store.hold_release(S, 1, 7).await.unwrap());
        assert_eq!(store.schedules_left(&[S]).await.unwrap(), vec![Some(2)]);
    }
}

store_test! {
    async fn selling_ends_the_hold_and_unselling_frees_the_seat(store) {
        let store = loaded(store, 2).await;
        store.hold_seat(S, 1, 7, 10_000, 4).await.unwrap();
        store.seat_sell(S, 1, 7).await.unwrap();
        assert_eq!(store.hold_status(S, 1, 7).await.unwrap(), HoldStatus::Sold);
        assert_eq!(
            store.hold_seat(S, 1, 8, 10_000, 4).await.unwrap(),
            HoldOutcome::Unavailable
        );
        let state = store.schedule_state(S).await.unwrap().unwrap();
        assert_eq!(
            (
                state.total,
                state.sold.len(),
                state.held.len(),
                state.left()
            ),
            (2, 1, 0, 1)
        );
        store.seat_unsell(S, 1).await.unwrap();
        assert!(matches!(
            store.hold_seat(S, 1, 8, 10_000, 4).await.unwrap(),
            HoldOutcome::Held { .. }
        ));
    }
}

store_test! {
    async fn load_happens_once_and_merges_sold_marks_written_before_it(store) {
        store.seat_sell(S, 3, 7).await.unwrap(); // a payment committed while the state was gone
        let now = chrono::Utc::now().timestamp_millis();
        let snapshot = ScheduleSnapshot {
            total: 5,
            sold: vec![1],
            holds: vec![LiveHold {
                seat_id: 2,
                expires_ms: now + 60_000,
                user_id: 9,
            }],
        };
        assert!(store.schedule_load(S, &snapshot).await.unwrap());
        assert!(
            !store
                .schedule_load(
                    S,
                    &ScheduleSnapshot {
                        total: 5,
                        ..Default::default()
                    }
                )
                .await
                .unwrap()
        );
        let state = store.schedule_state(S).await.unwrap().unwrap();
        assert_eq!(state.sold, [1, 3].into_iter().collect());
        assert_eq!(state.held, [2].into_iter().collect());
        assert_eq!(
            store.hold_status(S, 2, 9).await.unwrap(),
            HoldStatus::Held {
                expires_ms: now + 60_000
            }
        );
    }
}

#[tokio::test]
async fn hold_scripts_still_work_after_script_flush() {
    let store = loaded(HotStore::Redis(redis_store().await), 3).await;
    let mut conn = redis_connection().await;
    let flush = || deadpool_redis::redis::cmd("SCRIPT").arg("FLUSH").to_owned();
    let () = flush().query_async(&mut conn).await.unwrap();
    assert!(matches!(
        store.hold_seat(S, 1, 7, 10_000, 4).await.unwrap(),
        HoldOutcome::Held { .. }
    ));
    let () = flush().query_async(&mut conn).await.unwrap();
    assert_eq!(
        store.schedules_left(&[S, S]).await.unwrap(),
        vec![Some(2), Some(2)]
    );
    let () = flush().query_async(&mut conn).await.unwrap();
    assert_eq!(store.schedule_state(S).await.unwrap().unwrap().left(), 2);
    let () = flush().query_async(&mut conn).await.unwrap();
    store.seat_sell(S, 1, 7).await.unwrap();
    assert_eq!(store.hold_status(S, 1, 7).await.unwrap(), HoldStatus::Sold);
}

/// A tiny deterministic generator, so a failing sequence can be replayed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

store_test! {
    async fn left_seats_stay_exact_through_random_holds_releases_and_expiries(store) {
        const SEATS: i64 = 12;
        let store = loaded(store, SEATS).await;
        let mut rng = Lcg(7);
        // Model: seat -> (holder, expiry ms); sold seats.
        let mut holds: HashMap<i64, (i64, i64)> = HashMap::new();
        let mut sold: Vec<i64> = Vec::new();
        let mut compared = 0;
        for _ in 0..400 {
            let seat = rng.below(SEATS as u64) as i64 + 1;
            let user = rng.below(4) as i64 + 1;
            let before = chrono::Utc::now().timestamp_millis();
            match rng.below(10) {
                0..=5 => {
                    let ttl = 30 + rng.below(120);
                    if let HoldOutcome::Held { expires_ms } =
                        store.hold_seat(S, seat, user, ttl, 100).await.unwrap()
                    {
                        holds.insert(seat, (user, expires_ms));
                    }
                }
                6..=7 => {
                    if store.hold_release(S, seat, user).await.unwrap() {
                        holds.remove(&seat);
                    }
                }
                8 => {
                    if let Some((holder, expiry)) = holds.get(&seat).copied()
                        && expiry > before + 20
                    {
                        store.seat_sell(S, seat, holder).await.unwrap();
                        holds.remove(&seat);
                        sold.push(seat);
                    }
                }
                _ => tokio::time::sleep(Duration::from_millis(rng.below(60))).await,
            }
            let left = store.schedules_left(&[S]).await.unwrap()[0].unwrap();
            let after = chrono::Utc::now().timestamp_millis();
            // Skip steps where a hold ended during the call: both answers are right then.
            let ambiguous = holds
                .values()
                .any(|&(_, e)| e >= before - 2 && e <= after + 2);
            if !ambiguous {
                let live = holds.values().filter(|&&(_, e)| e > after).count() as i64;
                assert_eq!(
                    left,
                    SEATS - sold.len() as i64 - live,
                    "holds {holds:?} sold {sold:?}"
                );
                compared += 1;
            }
            holds.retain(|_, &mut (_, e)| e > after + 2 || e >= before - 2);
        }
        assert!(compared > 300, "only {compared} steps were unambiguous");
    }
}
