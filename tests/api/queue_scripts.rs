//! The queue part of the hot-store contract: every test runs against Redis (its Lua
//! scripts, called directly) and against the in-process store.

use std::collections::HashSet;

use boxoffice::store::HotStore;
use boxoffice::store::queue::{PromotionParams, QueueDials, QueueDialsPatch, QueueState};
use uuid::Uuid;

use crate::helpers::{redis_connection, redis_store};

fn params(capacity: u32, batch_size: u32) -> PromotionParams {
    PromotionParams {
        defaults: QueueDials {
            capacity,
            batch_size,
            tick_ms: 10,
            paused: false,
        },
        session_ms: 60_000,
        idle_timeout_ms: 60_000,
        cleanup_limit: 10_000,
    }
}

/// Promotes until a tick runs (a tick within 0.9 × tick_ms of the last is skipped).
async fn promote(
    store: &HotStore,
    params: &PromotionParams,
) -> boxoffice::store::queue::PromotionOutcome {
    loop {
        let outcome = store.queue_promote(params).await.unwrap();
        if outcome.ran {
            return outcome;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

store_test! {
    async fn join_creates_one_token_and_later_joins_return_it(store) {
        assert_eq!(store.queue_status(1, 3600).await.unwrap(), None);
        let first = store.queue_join(1, 3600).await.unwrap().entry;
        assert_eq!(first.state, QueueState::Waiting { position: 1 });
        let again = store.queue_join(1, 3600).await.unwrap().entry;
        assert_eq!(again.token, first.token);
        assert_eq!(store.queue_status(1, 3600).await.unwrap(), Some(first));
        assert_eq!(first.token.expires_at - first.token.issued_at, 3600);
    }
}

#[tokio::test]
async fn scripts_still_work_after_script_flush() {
    let store = HotStore::Redis(redis_store().await);
    store.queue_join(1, 3600).await.unwrap();
    let mut conn = redis_connection().await;
    let () = deadpool_redis::redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(store.queue_status(1, 3600).await.unwrap().is_some());
    let () = deadpool_redis::redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(promote(&store, &params(10, 10)).await.ran);
    let () = deadpool_redis::redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async(&mut conn)
        .await
        .unwrap();
    let entry = store.queue_status(1, 3600).await.unwrap().unwrap();
    assert!(
        store
            .queue_check(1, entry.token.jti)
            .await
            .unwrap()
            .is_some()
    );
}

store_test! {
    async fn hundreds_of_concurrent_joins_get_positions_one_to_n(store) {
        let joins = (1..=500).map(|user| {
            let store = store.clone();
            tokio::spawn(async move { store.queue_join(user, 3600).await.unwrap().entry })
        });
        let mut positions = Vec::new();
        for join in joins {
            match join.await.unwrap().state {
                QueueState::Waiting { position } => positions.push(position),
                other => panic!("{other:?}"),
            }
        }
        positions.sort_unstable();
        assert_eq!(positions, (1..=500).collect::<Vec<u64>>());
        // Positions read afterwards are a permutation of 1..=500 as well.
        let mut now: Vec<u64> = Vec::new();
        for user in 1..=500 {
            match store.queue_status(user, 3600).await.unwrap().unwrap().state {
                QueueState::Waiting { position } => now.push(position),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(now.iter().copied().collect::<HashSet<_>>().len(), 500);
        assert_eq!(now.iter().max(), Some(&500));
    }
}

store_test! {
    async fn concurrent_first_calls_of_one_user_give_one_token(store) {
        let joins = (0..200).map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.queue_join(9, 3600).await.unwrap() })
        });
        let mut jtis = HashSet::new();
        let mut created = 0;
        for join in joins {
            let joined = join.await.unwrap();
            jtis.insert(joined.entry.token.jti);
            created += usize::from(joined.created);
        }
        assert_eq!((jtis.len(), created), (1, 1));
        assert_eq!(
            store
                .queue_overview(&params(1, 1).defaults)
                .await
                .unwrap()
                .waiting,
            1
        );
    }
}

store_test! {
    async fn admission_follows_arrival_order(store) {
        for user in [30, 10, 20, 40] {
            store.queue_join(user, 3600).await.unwrap();
        }
        let p = params(2, 10);
        assert_eq!(promote(&store, &p).await.admitted, 2);
        for (user, working) in [(30, true), (10, true), (20, false), (40, false)] {
            let state = store.queue_status(user, 3600).await.unwrap().unwrap().state;
            assert_eq!(
                matches!(state, QueueState::Working { .. }),
                working,
                "user {user}: {state:?}"
            );
        }
        assert_eq!(
            store.queue_status(20, 3600).await.unwrap().unwrap().state,
            QueueState::Waiting { position: 1 }
        );
    }
}

store_test! {
    async fn capacity_is_never_exceeded_with_three_promoters_at_once(store) {
        for user in 1..=300 {
            store.queue_join(user, 3600).await.unwrap();
        }
        let p = params(50, 7);
        let promoters = (0..3).map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut max_working = 0;
                for _ in 0..60 {
                    let outcome = store.queue_promote(&p).await.unwrap();
                    max_working = max_working.max(outcome.working);
                    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
                }
                max_working
            })
        });
        for promoter in promoters {
            assert!(promoter.await.unwrap() <= 50);
        }
        let overview = store.queue_overview(&p.defaults).await.unwrap();
        assert_eq!(overview.working, 50);
        assert_eq!(overview.waiting, 250);
    }
}

store_test! {
    async fn batch_size_bounds_each_tick(store) {
        for user in 1..=30 {
            store.queue_join(user, 3600).await.unwrap();
        }
        let outcome = promote(&store, &params(100, 7)).await;
        assert_eq!(
            (outcome.admitted, outcome.working, outcome.waiting),
            (7, 7, 23)
        );
    }
}

store_test! {
    async fn idle_waiters_are_dropped_and_positions_close_up(store) {
        store.queue_join(1, 3600).await.unwrap();
        store.queue_join(2, 3600).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        store.queue_status(2, 3600).await.unwrap(); // user 2 polls; user 1 went away
        let mut p = params(0, 10);
        p.defaults.capacity = 0;
        p.idle_timeout_ms = 300;
        let outcome = promote(&store, &p).await;
        assert_eq!(outcome.idle_dropped, 1);
        assert_eq!(store.queue_status(1, 3600).await.unwrap(), None);
        assert_eq!(
            store.queue_status(2, 3600).await.unwrap().unwrap().state,
            QueueState::Waiting { position: 1 }
        );
    }
}

store_test! {
    async fn working_sessions_end_on_time(store) {
        let entry = store.queue_join(1, 3600).await.unwrap().entry;
        let mut p = params(10, 10);
        p.session_ms = 300;
        promote(&store, &p).await;
        let session_end = store
            .queue_check(1, entry.token.jti)
            .await
            .unwrap()
            .expect("working");
        tokio::time::sleep(std::time::Duration::from_millis(350)).await;
        assert_eq!(store.queue_check(1, entry.token.jti).await.unwrap(), None);
        let now_ms = chrono::Utc::now().timestamp_millis();
        assert!(
            session_end <= now_ms,
            "session end {session_end} should have passed at {now_ms}"
        );
        // The next tick forgets the session and its token; the user can join afresh.
        assert_eq!(promote(&store, &p).await.sessions_ended, 1);
        let again = store.queue_join(1, 3600).await.unwrap().entry;
        assert_ne!(again.token.jti, entry.token.jti);
    }
}

store_test! {
    async fn leave_ends_only_that_tokens_session(store) {
        let entry = store.queue_join(1, 3600).await.unwrap().entry;
        // A waiting token has no session to end and keeps its place.
        assert!(!store.queue_leave(1, entry.token.jti).await.unwrap());
        assert_eq!(
            store.queue_status(1, 3600).await.unwrap().unwrap().state,
            QueueState::Waiting { position: 1 }
        );
        promote(&store, &params(10, 10)).await;
        assert!(!store.queue_leave(1, Uuid::new_v4()).await.unwrap());
        assert!(
            store
                .queue_check(1, entry.token.jti)
                .await
                .unwrap()
                .is_some()
        );
        assert!(store.queue_leave(1, entry.token.jti).await.unwrap());
        assert_eq!(store.queue_check(1, entry.token.jti).await.unwrap(), None);
        assert_eq!(store.queue_status(1, 3600).await.unwrap(), None);
    }
}

store_test! {
    async fn check_refuses_waiting_tokens_and_other_token_ids(store) {
        let entry = store.queue_join(1, 3600).await.unwrap().entry;
        assert_eq!(store.queue_check(1, entry.token.jti).await.unwrap(), None);
        promote(&store, &params(10, 10)).await;
        assert!(
            store
                .queue_check(1, entry.token.jti)
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(store.queue_check(1, Uuid::new_v4()).await.unwrap(), None);
        assert_eq!(store.queue_check(2, entry.token.jti).await.unwrap(), None);
    }
}

store_test! {
    async fn expired_tokens_are_forgotten(store) {
        let entry = store.queue_join(1, 1).await.unwrap().entry;
        tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
        assert_eq!(store.queue_status(1, 1).await.unwrap(), None);
        let again = store.queue_join(1, 3600).await.unwrap().entry;
        assert_ne!(again.token.jti, entry.token.jti);
    }
}

store_test! {
    async fn paused_queues_admit_nobody_and_dials_override_defaults(store) {
        store.queue_join(1, 3600).await.unwrap();
        let p = params(10, 10);
        store
            .queue_set_dials(&QueueDialsPatch {
                paused: Some(true),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(promote(&store, &p).await.admitted, 0);
        store
            .queue_set_dials(&QueueDialsPatch {
                paused: Some(false),
                capacity: Some(3),
                ..Default::default()
            })
            .await
            .unwrap();
        let overview = store.queue_overview(&p.defaults).await.unwrap();
        assert_eq!(
            (
                overview.dials.capacity,
                overview.dials.paused,
                overview.dials.batch_size
            ),
            (3, false, 10)
        );
        assert_eq!(promote(&store, &p).await.admitted, 1);
        assert_eq!(
            store
                .queue_overview(&p.defaults)
                .await
                .unwrap()
                .admitted_last_minute,
            1
        );
        let later = promote(&store, &p).await;
        let now_ms = chrono::Utc::now().timestamp_millis();
        assert_eq!(later.admitted_last_minute, 1);
        assert!(
            (now_ms - 5_000..=now_ms).contains(&later.admissions_since_ms),
            "the oldest admission counted was just now: {}",
            later.admissions_since_ms
        );
    }
}
