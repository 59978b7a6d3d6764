//! The unique keys that keep the rules true even if every cache lies.

use sea_orm::ConnectionTrait;

use crate::helpers::{Backend, TestApp, spawn_app_for};

async fn exec(app: &TestApp, sql: &str) -> Result<(), sea_orm::DbErr> {
    app.db.execute_unprepared(sql).await.map(|_| ())
}

fn assert_unique_violation(result: Result<(), sea_orm::DbErr>) {
    let err = result.expect_err("the database must refuse this row");
    assert!(
        matches!(
            err.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        ),
        "{err}"
    );
}

const NOW: &str = "'2026-01-01 00:00:00.000'";

#[tokio::test]
async fn a_user_has_one_points_row_on_mariadb() {
    a_user_has_one_points_row(Backend::MariaDb).await;
}

#[tokio::test]
async fn a_user_has_one_points_row_on_sqlite() {
    a_user_has_one_points_row(Backend::Sqlite).await;
}

async fn a_user_has_one_points_row(backend: Backend) {
    let app = spawn_app_for(backend, &[]).await;
    let user_id = app.create_user("a").await;
    assert_unique_violation(
        exec(&app, &format!("INSERT INTO points (user_id, amount, created_at, updated_at) VALUES ({user_id}, 0, {NOW}, {NOW})")).await,
    );
}

#[tokio::test]
async fn a_seat_number_exists_once_per_schedule_on_mariadb() {
    a_seat_number_exists_once_per_schedule(Backend::MariaDb).await;
}

#[tokio::test]
async fn a_seat_number_exists_once_per_schedule_on_sqlite() {
    a_seat_number_exists_once_per_schedule(Backend::Sqlite).await;
}

async fn a_seat_number_exists_once_per_schedule(backend: Backend) {
    let app = spawn_app_for(backend, &[]).await;
    let (schedule_id, _) = app.create_schedule(2, 100).await;
    assert_unique_violation(
        exec(&app, &format!("INSERT INTO seats (schedule_id, number, price, status, created_at, updated_at) VALUES ({schedule_id}, 1, 100, 'available', {NOW}, {NOW})")).await,
    );
}

async fn insert_reservation(
    app: &TestApp,
    user_id: i64,
    seat_id: i64,
    sold: &str,
) -> Result<(), sea_orm::DbErr> {
    let (schedule_id, concert_id) = (
        app.scalar(&format!("SELECT schedule_id FROM seats WHERE id = {seat_id}")).await,
        app.scalar(&format!("SELECT s.concert_id FROM schedules s JOIN seats t ON t.schedule_id = s.id WHERE t.id = {seat_id}")).await,
    );
    exec(app, &format!(
        "INSERT INTO reservations (user_id, status, concert_id, concert_name, schedule_id, schedule_date, seat_id, seat_number, seat_price, expired_at, sold_seat_id, created_at, updated_at) \
         VALUES ({user_id}, 'paid', {concert_id}, 'c', {schedule_id}, {NOW}, {seat_id}, 1, 100, {NOW}, {sold}, {NOW}, {NOW})"
    )).await
}

#[tokio::test]
async fn a_seat_is_sold_at_most_once_on_mariadb() {
    a_seat_is_sold_at_most_once(Backend::MariaDb).await;
}

#[tokio::test]
async fn a_seat_is_sold_at_most_once_on_sqlite() {
    a_seat_is_sold_at_most_once(Backend::Sqlite).await;
}

async fn a_seat_is_sold_at_most_once(backend: Backend) {
    let app = spawn_app_for(backend, &[]).await;
    let user_id = app.create_user("a").await;
    let (_, seats) = app.create_schedule(1, 100).await;
    insert_reservation(&app, user_id, seats[0], &seats[0].to_string())
        .await
        .unwrap();
    assert_unique_violation(
        insert_reservation(&app, user_id, seats[0], &seats[0].to_string()).await,
    );
    // Unsold reservations of the same seat (expired, cancelled) are fine.
    insert_reservation(&app, user_id, seats[0], "NULL")
        .await
        .unwrap();
    insert_reservation(&app, user_id, seats[0], "NULL")
        .await
        .unwrap();
}

#[tokio::test]
async fn a_reservation_has_one_payment_on_mariadb() {
    a_reservation_has_one_payment(Backend::MariaDb).await;
}

#[tokio::test]
async fn a_reservation_has_one_payment_on_sqlite() {
    a_reservation_has_one_payment(Backend::Sqlite).await;
}

async fn a_reservation_has_one_payment(backend: Backend) {
    let app = spawn_app_for(backend, &[]).await;
    let user_id = app.create_user("a").await;
    let (_, seats) = app.create_schedule(1, 100).await;
    insert_reservation(&app, user_id, seats[0], "NULL")
        .await
        .unwrap();
    let reservation = app.scalar("SELECT MAX(id) FROM reservations").await;
    let payment = format!(
        "INSERT INTO payments (reservation_id, user_id, amount, status, created_at, updated_at) VALUES ({reservation}, {user_id}, 100, 'paid', {NOW}, {NOW})"
    );
    exec(&app, &payment).await.unwrap();
    assert_unique_violation(exec(&app, &payment).await);
}
