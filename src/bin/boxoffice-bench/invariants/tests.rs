//! The checks against throwaway SQLite files holding the service's schema (only the
//! columns the checks read) and a small story of charges, purchases and a refund.

use std::path::PathBuf;

use chrono::SecondsFormat;
use sea_orm::ConnectionTrait as _;

use super::*;

const SCHEMA: &[&str] = &[
    "CREATE TABLE points (id INTEGER PRIMARY KEY, user_id BIGINT NOT NULL UNIQUE, \
     amount BIGINT NOT NULL)",
    "CREATE TABLE point_histories (id INTEGER PRIMARY KEY, user_id BIGINT NOT NULL, \
     type VARCHAR(16) NOT NULL, amount BIGINT NOT NULL, balance_after BIGINT NOT NULL, \
     reservation_id BIGINT NULL)",
    "CREATE TABLE seats (id INTEGER PRIMARY KEY, schedule_id BIGINT NOT NULL, \
     number INTEGER NOT NULL, price BIGINT NOT NULL, status VARCHAR(16) NOT NULL)",
    "CREATE TABLE reservations (id INTEGER PRIMARY KEY, user_id BIGINT NOT NULL, \
     status VARCHAR(16) NOT NULL, seat_id BIGINT NOT NULL, schedule_id BIGINT NOT NULL, \
     seat_price BIGINT NOT NULL, expired_at datetime(3) NOT NULL, \
     sold_seat_id BIGINT NULL UNIQUE)",
    "CREATE TABLE payments (id INTEGER PRIMARY KEY, reservation_id BIGINT NOT NULL UNIQUE, \
     user_id BIGINT NOT NULL, amount BIGINT NOT NULL, status VARCHAR(16) NOT NULL)",
];

/// User 1 charges 2000 and buys seat 1 for 1000. User 2 charges 2000, buys seat 2 and gets
/// it refunded. User 3 charges 500 and holds seat 3 for another five minutes.
const STORY: &[&str] = &[
    "INSERT INTO seats VALUES (1, 1, 1, 1000, 'sold'), (2, 1, 2, 1000, 'available'), \
     (3, 1, 3, 1000, 'available'), (4, 1, 4, 1000, 'available')",
    "INSERT INTO points VALUES (1, 1, 1000), (2, 2, 2000), (3, 3, 500)",
    "INSERT INTO point_histories VALUES (1, 1, 'charge', 2000, 2000, NULL), \
     (2, 1, 'use', 1000, 1000, 1), (3, 2, 'charge', 2000, 2000, NULL), \
     (4, 2, 'use', 1000, 1000, 2), (5, 2, 'refund', 1000, 2000, 2), \
     (6, 3, 'charge', 500, 500, NULL)",
    "INSERT INTO payments VALUES (1, 1, 1, 1000, 'paid'), (2, 2, 2, 1000, 'refunded')",
];

/// A SQLite file removed when dropped.
struct TempDb {
    path: PathBuf,
    writer: DatabaseConnection,
}

impl TempDb {
    async fn with_story() -> Self {
        let db = Self::empty().await;
        for sql in STORY {
            db.exec(sql).await;
        }
        let past = sqlx_text(Utc::now() - TimeDelta::minutes(10));
        let future = sqlx_text(Utc::now() + TimeDelta::minutes(5));
        db.exec(&format!(
            "INSERT INTO reservations VALUES (1, 1, 'paid', 1, 1, 1000, '{past}', 1), \
             (2, 2, 'refunded', 2, 1, 1000, '{past}', NULL), \
             (3, 3, 'held', 3, 1, 1000, '{future}', NULL)"
        ))
        .await;
        db
    }

    async fn empty() -> Self {
        let path = std::env::temp_dir().join(format!(
            "boxoffice-bench-invariants-{}.db",
            uuid::Uuid::new_v4().simple()
        ));
        let writer = Database::connect(format!("sqlite://{}?mode=rwc", path.display()))
            .await
            .expect("creating the throwaway SQLite file");
        let db = Self { path, writer };
        for sql in SCHEMA {
            db.exec(sql).await;
        }
        db
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.path.display())
    }

    async fn exec(&self, sql: &str) {
        self.writer
            .execute_unprepared(sql)
            .await
            .unwrap_or_else(|err| panic!("{sql}: {err}"));
    }

    async fn failed_checks(&self) -> Vec<&'static str> {
        let checks = check_database(&self.url()).await.expect("checks ran");
        assert_eq!(checks.len(), 5, "{checks:?}");
        checks
            .into_iter()
            .filter(|check| !check.ok)
            .map(|check| check.name)
            .collect()
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// How sqlx writes a `DateTime<Utc>` to SQLite.
fn sqlx_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// How MySQL shows a DATETIME(3).
fn mysql_text(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S%.3f").to_string()
}

#[tokio::test]
async fn a_consistent_database_passes_every_check() {
    let db = TempDb::with_story().await;
    let checks = check_database(&db.url()).await.unwrap();
    let failed: Vec<_> = checks.iter().filter(|check| !check.ok).collect();
    assert!(failed.is_empty(), "{failed:?}");
    let conserved = checks
        .iter()
        .find(|c| c.name == "points_conserved")
        .unwrap();
    assert_eq!(
        conserved.detail,
        "balances 3500 + payments 2000 - refunds 1000 = 4500, charged 4500"
    );
}

#[tokio::test]
async fn an_empty_database_passes_every_check() {
    let db = TempDb::empty().await;
    assert_eq!(db.failed_checks().await, Vec::<&str>::new());
}

#[tokio::test]
async fn a_seat_paid_for_twice_is_caught() {
    let db = TempDb::with_story().await;
    db.exec("UPDATE reservations SET status = 'paid', seat_id = 1 WHERE id = 2")
        .await;
    let failed = db.failed_checks().await;
    assert!(failed.contains(&"no_seat_sold_twice"), "{failed:?}");
}

#[tokio::test]
async fn a_sold_seat_without_a_payment_is_caught() {
    let db = TempDb::with_story().await;
    db.exec("UPDATE seats SET status = 'sold' WHERE id = 4")
        .await;
    assert_eq!(db.failed_checks().await, ["sold_seats_match_payments"]);
}

#[tokio::test]
async fn a_paid_reservation_without_a_payment_is_caught() {
    let db = TempDb::with_story().await;
    db.exec("UPDATE reservations SET status = 'paid' WHERE id = 3")
        .await;
    assert_eq!(db.failed_checks().await, ["sold_seats_match_payments"]);
}

#[tokio::test]
async fn points_from_nowhere_are_caught() {
    let db = TempDb::with_story().await;
    db.exec("UPDATE points SET amount = amount + 1 WHERE user_id = 1")
        .await;
    assert_eq!(db.failed_checks().await, ["points_conserved"]);
}

#[tokio::test]
async fn a_refund_recorded_but_never_credited_is_caught() {
    let db = TempDb::with_story().await;
    db.exec("INSERT INTO point_histories VALUES (7, 1, 'refund', 1000, 2000, 1)")
        .await;
    assert_eq!(db.failed_checks().await, ["points_conserved"]);
}

#[tokio::test]
async fn a_negative_balance_is_caught() {
    let db = TempDb::with_story().await;
    // Moves points between users so only the sign is wrong.
    db.exec(
        "UPDATE points SET amount = -100 WHERE user_id = 3; \
         UPDATE points SET amount = 1600 WHERE user_id = 1",
    )
    .await;
    assert_eq!(db.failed_checks().await, ["balances_non_negative"]);
}

#[tokio::test]
async fn a_hold_left_long_past_expiry_is_caught_in_either_time_format() {
    for text in [sqlx_text, mysql_text] {
        let db = TempDb::with_story().await;
        let expired = text(Utc::now() - TimeDelta::seconds(30));
        db.exec(&format!(
            "UPDATE reservations SET expired_at = '{expired}' WHERE id = 3"
        ))
        .await;
        assert_eq!(db.failed_checks().await, ["no_stale_holds"], "{expired}");
    }
}

#[tokio::test]
async fn a_hold_just_past_expiry_is_within_the_grace() {
    let db = TempDb::with_story().await;
    let now = Utc::now();
    let expired = sqlx_text(now - TimeDelta::seconds(2));
    db.exec(&format!(
        "UPDATE reservations SET expired_at = '{expired}' WHERE id = 3"
    ))
    .await;
    let checks = check_all(&db.writer, now).await.unwrap();
    let stale = checks.iter().find(|c| c.name == "no_stale_holds").unwrap();
    assert!(stale.ok, "{stale:?}");
    assert_eq!(stale.detail, "1 held; the oldest expired 2.0 s ago");
}

#[tokio::test]
async fn an_unreadable_expiry_fails_the_check_rather_than_passing_it() {
    let db = TempDb::with_story().await;
    db.exec("UPDATE reservations SET expired_at = 'soon' WHERE id = 3")
        .await;
    assert_eq!(db.failed_checks().await, ["no_stale_holds"]);
}

#[tokio::test]
async fn the_checks_cannot_write() {
    let db = TempDb::with_story().await;
    let reader = connect_read_only(&db.url()).await.unwrap();
    let write = reader
        .execute_unprepared("UPDATE points SET amount = 0")
        .await;
    assert!(
        write.is_err(),
        "a write went through the checks' connection"
    );
}

#[tokio::test]
async fn an_unreachable_database_is_an_error_naming_it_without_its_password() {
    let err = check_database("mysql://bench:hunter2@127.0.0.1:1/boxoffice")
        .await
        .unwrap_err();
    let message = format!("{err:#}");
    assert!(message.contains("127.0.0.1:1"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
}

#[test]
fn sqlite_urls_are_made_read_only_unless_they_pick_a_mode() {
    assert_eq!(
        read_only_url("sqlite:///tmp/a.db"),
        "sqlite:///tmp/a.db?mode=ro"
    );
    assert_eq!(
        read_only_url("sqlite:///tmp/a.db?cache=shared"),
        "sqlite:///tmp/a.db?cache=shared&mode=ro"
    );
    assert_eq!(
        read_only_url("sqlite:///tmp/a.db?mode=rwc"),
        "sqlite:///tmp/a.db?mode=rwc"
    );
    assert_eq!(read_only_url("mysql://u:p@h/db"), "mysql://u:p@h/db");
}

#[test]
fn times_are_read_in_the_formats_both_databases_produce() {
    let expected: DateTime<Utc> = "2026-12-24T19:00:00.123Z".parse().unwrap();
    for text in [
        "2026-12-24 19:00:00.123",
        "2026-12-24T19:00:00.123",
        "2026-12-24T19:00:00.123+00:00",
        "2026-12-24T19:00:00.123Z",
        "2026-12-24 19:00:00.123+00:00",
        "2026-12-25T04:00:00.123+09:00",
    ] {
        assert_eq!(parse_instant(text), Some(expected), "{text}");
    }
    assert_eq!(parse_instant("tomorrow"), None);
}
