//! The queue's decisions, step by step on a hand-driven clock, as `lua/queue_*.lua` take
//! them.

use uuid::Uuid;

use super::WaitingRoom;
use crate::store::queue::{
    PromotionOutcome, PromotionParams, QueueDials, QueueDialsPatch, QueueEntry, QueueState,
};

const T0: i64 = 1_700_000_000_000;
const HOUR: u64 = 3600;

fn params(capacity: u32, batch_size: u32) -> PromotionParams {
    PromotionParams {
        defaults: QueueDials {
            capacity,
            batch_size,
            tick_ms: 100,
            paused: false,
        },
        session_ms: 60_000,
        idle_timeout_ms: 30_000,
        cleanup_limit: 10_000,
    }
}

fn join(room: &mut WaitingRoom, user: i64, now: i64) -> QueueEntry {
    room.join(user, HOUR, now).entry
}

fn position(room: &mut WaitingRoom, user: i64, now: i64) -> Option<u64> {
    match room.status(user, now)?.state {
        QueueState::Waiting { position } => Some(position),
        QueueState::Working { .. } => None,
    }
}

fn is_working(room: &mut WaitingRoom, user: i64, now: i64) -> bool {
    matches!(
        room.status(user, now).map(|entry| entry.state),
        Some(QueueState::Working { .. })
    )
}

#[test]
fn joining_twice_returns_the_first_token() {
    let mut room = WaitingRoom::default();
    let first = join(&mut room, 1, T0);
    assert_eq!(first.state, QueueState::Waiting { position: 1 });
    assert_eq!(
        (first.token.issued_at, first.token.expires_at),
        (T0 / 1000, T0 / 1000 + 3600)
    );
    assert_eq!(join(&mut room, 1, T0 + 5), first);
    assert_eq!(room.status(1, T0 + 6), Some(first));
    assert_eq!(room.overview(&params(1, 1).defaults, T0).waiting, 1);
}

#[test]
fn positions_run_one_to_n_and_close_up() {
    let mut room = WaitingRoom::default();
    for user in 1..=100 {
        assert_eq!(
            join(&mut room, user, T0).state,
            QueueState::Waiting {
                position: user as u64
            }
        );
    }
    // User 50 goes idle; everyone else polls.
    let later = T0 + 40_000;
    for user in (1..=100).filter(|&u| u != 50) {
        room.status(user, later);
    }
    let outcome = room.promote(&params(3, 10), later);
    assert_eq!((outcome.admitted, outcome.idle_dropped), (3, 1));
    assert_eq!(position(&mut room, 4, later), Some(1));
    assert_eq!(position(&mut room, 49, later), Some(46));
    assert_eq!(position(&mut room, 51, later), Some(47));
    assert_eq!(position(&mut room, 100, later), Some(96));
    assert_eq!(room.status(50, later), None);
}

#[test]
fn a_status_read_is_a_heartbeat_and_the_idle_are_dropped() {
    let mut room = WaitingRoom::default();
    join(&mut room, 1, T0);
    join(&mut room, 2, T0);
    room.status(2, T0 + 20_000);
    let p = params(0, 10);
    // Exactly idle_timeout old counts as idle (ZRANGEBYSCORE is inclusive).
    let outcome = room.promote(&p, T0 + 30_000);
    assert_eq!((outcome.idle_dropped, outcome.waiting), (1, 1));
    assert_eq!(room.status(1, T0 + 30_001), None);
    assert_eq!(position(&mut room, 2, T0 + 30_001), Some(1));
}

#[test]
fn promotion_respects_capacity_batch_and_arrival_order() {
    let mut room = WaitingRoom::default();
    for user in [30, 10, 20, 40, 50] {
        join(&mut room, user, T0);
    }
    let p = params(3, 2);
    let first = room.promote(&p, T0 + 100);
    assert_eq!((first.admitted, first.working, first.waiting), (2, 2, 3));
    assert!(is_working(&mut room, 30, T0 + 100) && is_working(&mut room, 10, T0 + 100));
    let second = room.promote(&p, T0 + 200);
    assert_eq!((second.admitted, second.working, second.waiting), (1, 3, 2));
    assert!(is_working(&mut room, 20, T0 + 200));
    let full = room.promote(&p, T0 + 300);
    assert_eq!((full.ran, full.admitted), (true, 0));
    assert_eq!(full.admitted_last_minute, 3);
}

#[test]
fn a_tick_within_nine_tenths_of_tick_ms_stands_aside() {
    let mut room = WaitingRoom::default();
    for user in 1..=10 {
        join(&mut room, user, T0);
    }
    let p = params(100, 1);
    assert!(room.promote(&p, T0).ran);
    let skipped = room.promote(&p, T0 + 89);
    assert_eq!(
        skipped,
        PromotionOutcome {
            ran: false,
            waiting: 9,
            working: 1,
            admitted_last_minute: 1,
            admissions_since_ms: T0,
            dials: QueueDials {
                capacity: 100,
                batch_size: 1,
                tick_ms: 100,
                paused: false,
            },
            ..PromotionOutcome::default()
        }
    );
    assert!(room.promote(&p, T0 + 90).ran);
    // A runtime tick_ms takes over from the default.
    room.set_dials(&QueueDialsPatch {
        tick_ms: Some(1000),
        ..QueueDialsPatch::default()
    });
    let outcome = room.promote(&p, T0 + 500);
    assert_eq!((outcome.ran, outcome.dials.tick_ms), (false, 1000));
    assert!(room.promote(&p, T0 + 990).ran);
}

#[test]
fn sessions_end_on_time_and_the_next_join_starts_afresh() {
    let mut room = WaitingRoom::default();
    let entry = join(&mut room, 1, T0);
    let jti = entry.token.jti;
    room.promote(&params(10, 10), T0);
    let end = T0 + 60_000;
    assert_eq!(room.check(1, jti, T0 + 1), Some(end));
    assert_eq!(room.check(1, Uuid::new_v4(), T0 + 1), None);
    assert_eq!(room.check(2, jti, T0 + 1), None);
    assert_eq!(room.check(1, jti, end), None);
    let outcome = room.promote(&params(10, 10), end);
    assert_eq!((outcome.sessions_ended, outcome.working), (1, 0));
    assert_ne!(join(&mut room, 1, end).token.jti, jti);
}

#[test]
fn an_ended_session_is_forgotten_on_read_before_any_tick() {
    let mut room = WaitingRoom::default();
    join(&mut room, 1, T0);
    room.promote(&params(10, 10), T0);
    assert!(is_working(&mut room, 1, T0 + 59_999));
    assert_eq!(room.status(1, T0 + 60_000), None);
    assert_eq!(room.overview(&params(10, 10).defaults, T0).working, 0);
}

#[test]
fn expired_tokens_are_forgotten_on_read() {
    let mut room = WaitingRoom::default();
    let entry = room.join(1, 1, T0).entry;
    let expiry = (T0 / 1000 + 1) * 1000;
    assert_eq!(position(&mut room, 1, expiry - 1), Some(1));
    assert_eq!(room.status(1, expiry), None);
    assert_eq!(room.overview(&params(1, 1).defaults, expiry).waiting, 0);
    assert_ne!(join(&mut room, 1, expiry).token, entry.token);
}

#[test]
fn leave_ends_only_that_tokens_session() {
    let mut room = WaitingRoom::default();
    let jti = join(&mut room, 1, T0).token.jti;
    room.promote(&params(10, 10), T0);
    assert!(!room.leave(1, Uuid::new_v4()));
    assert!(room.check(1, jti, T0).is_some());
    assert!(room.leave(1, jti));
    assert_eq!(room.check(1, jti, T0), None);
    assert_eq!(room.status(1, T0), None);
    assert!(!room.leave(1, jti));
    assert_eq!(room.overview(&params(10, 10).defaults, T0).working, 0);
}

#[test]
fn leaving_while_waiting_changes_nothing() {
    // Only a working session ends; a waiting token keeps its place.
    let mut room = WaitingRoom::default();
    let jti = join(&mut room, 1, T0).token.jti;
    join(&mut room, 2, T0);
    assert!(!room.leave(1, jti));
    assert_eq!(position(&mut room, 1, T0), Some(1));
    assert_eq!(position(&mut room, 2, T0), Some(2));
    assert_eq!(room.overview(&params(1, 1).defaults, T0).waiting, 2);
}

#[test]
fn cleanup_limit_cuts_ties_in_member_byte_order() {
    let mut room = WaitingRoom::default();
    for user in [300, 9, 256, 100] {
        join(&mut room, user, T0);
    }
    let mut p = params(0, 10);
    p.cleanup_limit = 2;
    let outcome = room.promote(&p, T0 + 30_000);
    assert_eq!((outcome.idle_dropped, outcome.waiting), (2, 2));
    // Minimal big-endian bytes: 256 = 01 00 < 300 = 01 2c < 9 = 09 < 100 = 64.
    assert_eq!(room.status(256, T0 + 30_000), None);
    assert_eq!(room.status(300, T0 + 30_000), None);
    assert_eq!(position(&mut room, 9, T0 + 30_000), Some(1));
    assert_eq!(position(&mut room, 100, T0 + 30_000), Some(2));
}

#[test]
fn paused_queues_admit_nobody_and_dials_override_defaults() {
    let mut room = WaitingRoom::default();
    join(&mut room, 1, T0);
    join(&mut room, 2, T0);
    let p = params(10, 10);
    room.set_dials(&QueueDialsPatch {
        paused: Some(true),
        ..QueueDialsPatch::default()
    });
    assert_eq!(room.promote(&p, T0).admitted, 0);
    room.set_dials(&QueueDialsPatch {
        paused: Some(false),
        capacity: Some(1),
        ..QueueDialsPatch::default()
    });
    let overview = room.overview(&p.defaults, T0);
    assert_eq!(
        overview.dials,
        QueueDials {
            capacity: 1,
            batch_size: 10,
            tick_ms: 100,
            paused: false
        }
    );
    assert_eq!(room.promote(&p, T0 + 100).admitted, 1);
}

#[test]
fn admissions_count_for_one_minute() {
    let mut room = WaitingRoom::default();
    for user in 1..=3 {
        join(&mut room, user, T0);
    }
    let p = params(10, 2);
    room.promote(&p, T0);
    room.promote(&p, T0 + 1000);
    let defaults = &p.defaults;
    assert_eq!(room.overview(defaults, T0 + 60_000).admitted_last_minute, 3);
    // The overview still counts a tick exactly a minute old; the tick's own sum does not.
    assert_eq!(room.promote(&p, T0 + 60_000).admitted_last_minute, 1);
    assert_eq!(room.overview(defaults, T0 + 61_000).admitted_last_minute, 1);
    assert_eq!(room.overview(defaults, T0 + 61_001).admitted_last_minute, 0);
}
