//! Seed endpoints 2, 3 and 4, releases and reservations, over HTTP.

use std::time::Duration;

use crate::helpers::{
    FAST_QUEUE, admitted_user, admitted_users, fast_queue_with, seat_statuses, spawn_app_for,
    spawn_app_with,
};

api_test! {
    async fn bookable_schedules_list_future_schedules_with_free_seats(backend) {
        let app = spawn_app_for(backend, FAST_QUEUE).await;
        let (_, token) = admitted_user(&app).await;
        let (later, _) = app
            .create_schedule_on(chrono::Utc::now() + chrono::Duration::days(9), 3, 100)
            .await;
        let (sooner, _) = app
            .create_schedule_on(chrono::Utc::now() + chrono::Duration::days(2), 2, 100)
            .await;
        let (_past, _) = app
            .create_schedule_on(chrono::Utc::now() - chrono::Duration::days(1), 2, 100)
            .await;
        let list = app.schedules(&token).await;
        let rows = list.assert_status(200)["schedules"]
            .as_array()
            .unwrap()
            .clone();
        let ids: Vec<i64> = rows
            .iter()
            .map(|r| r["scheduleId"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, vec![sooner, later]);
        assert_eq!(rows[0]["leftSeats"], 2);
        assert_eq!(rows[0]["totalSeats"], 2);
        assert_eq!(rows[0]["concertName"], "Test Live");
        assert!(rows[0]["concertId"].as_i64().is_some() && rows[0]["date"].is_string());
    }
}

api_test! {
    async fn sold_out_schedules_leave_the_list_while_their_seats_are_held(backend) {
        let app = spawn_app_for(backend, FAST_QUEUE).await;
        let (_, token) = admitted_user(&app).await;
        let (schedule_id, seats) = app.create_schedule(1, 100).await;
        assert_eq!(
            app.schedules(&token).await.body["schedules"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        app.hold(&token, schedule_id, seats[0])
            .await
            .assert_status(201);
        assert_eq!(
            app.schedules(&token).await.body["schedules"]
                .as_array()
                .unwrap()
                .len(),
            0
        );
        app.release(&token, schedule_id, seats[0])
            .await
            .assert_status(204);
        assert_eq!(
            app.schedules(&token).await.body["schedules"][0]["leftSeats"],
            1
        );
    }
}

api_test! {
    async fn seat_map_lists_seats_by_number_with_live_status(backend) {
        let app = spawn_app_for(backend, FAST_QUEUE).await;
        let (_, token) = admitted_user(&app).await;
        let (schedule_id, seats) = app.create_schedule(3, 1500).await;
        app.hold(&token, schedule_id, seats[1])
            .await
            .assert_status(201);
        let map = app.seat_map(&token, schedule_id).await;
        let body = map.assert_status(200);
        assert_eq!(body["scheduleId"], schedule_id);
        assert_eq!(body["leftSeats"], 2);
        let numbers: Vec<i64> = body["seats"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["number"].as_i64().unwrap())
            .collect();
        assert_eq!(numbers, vec![1, 2, 3]);
        assert_eq!(body["seats"][0]["price"], 1500);
        let statuses = seat_statuses(body);
        assert_eq!(statuses[&seats[0]], "available");
        assert_eq!(statuses[&seats[1]], "held");
        app.seat_map(&token, 987_654)
            .await
            .assert_error(404, "schedule_not_found");
    }
}

api_test! {
    async fn hold_returns_201_with_the_reservation_and_writes_a_held_row(backend) {
        let app = spawn_app_for(backend, FAST_QUEUE).await;
        let (user_id, token) = admitted_user(&app).await;
        let (schedule_id, seats) = app.create_schedule(2, 2500).await;
        let before = chrono::Utc::now();
        let reply = app.hold(&token, schedule_id, seats[1]).await;
        let body = reply.assert_status(201);
        assert_eq!(body["status"], "held");
        assert_eq!(body["userId"], user_id);
        assert_eq!(body["scheduleId"], schedule_id);
        assert_eq!(body["seatId"], seats[1]);
        assert_eq!(body["seatNumber"], 2);
        assert_eq!(body["seatPrice"], 2500);
        assert_eq!(body["concertName"], "Test Live");
        let expired_at: chrono::DateTime<chrono::Utc> =
            body["expiredAt"].as_str().unwrap().parse().unwrap();
        let hold = expired_at - before;
        assert!(
            hold > chrono::Duration::seconds(299) && hold <= chrono::Duration::seconds(301),
            "{hold}"
        );
        let id = body["reservationId"].as_i64().unwrap();
        assert_eq!(
            app.scalar(&format!("SELECT COUNT(*) FROM reservations WHERE id = {id} AND status = 'held' AND seat_number = 2 AND seat_price = 2500")).await,
            1
        );
    }
}

api_test! {
    async fn hold_returns_409_when_seat_already_held_and_404_for_foreign_seats(backend) {
        let app = spawn_app_for(backend, FAST_QUEUE).await;
        let (_, token) = admitted_user(&app).await;
        let (_, other) = admitted_user(&app).await;
        let (schedule_id, seats) = app.create_schedule(2, 100).await;
        let (_, foreign) = app.create_schedule(2, 100).await;
        app.hold(&token, schedule_id, seats[0])
            .await
            .assert_status(201);
        app.hold(&other, schedule_id, seats[0])
            .await
            .assert_error(409, "seat_unavailable");
        app.hold(&token, schedule_id, seats[0])
            .await
            .assert_error(409, "seat_unavailable");
        app.hold(&token, schedule_id, foreign[0])
            .await
            .assert_error(404, "seat_not_found");
        app.hold(&token, schedule_id, 999_999)
            .await
            .assert_error(404, "seat_not_found");
        app.hold(&token, 999_999, seats[1])
            .await
            .assert_error(404, "schedule_not_found");
        app.hold(&token, schedule_id, 0)
            .await
            .assert_error(400, "invalid_request");
    }
}

api_test! {
    async fn hold_refuses_seats_of_a_show_that_has_begun(backend) {
        let app = spawn_app_for(backend, FAST_QUEUE).await;
        let (_, token) = admitted_user(&app).await;
        let (schedule_id, seats) = app
            .create_schedule_on(chrono::Utc::now() - chrono::Duration::hours(1), 1, 100)
            .await;
        app.hold(&token, schedule_id, seats[0])
            .await
            .assert_error(409, "seat_unavailable");
    }
}

api_test! {
    async fn a_user_holds_at_most_the_configured_seats_per_schedule(backend) {
        let app = spawn_app_for(backend, &fast_queue_with(&[("APP_HOLD__MAX_PER_USER", "2")])).await;
        let (_, token) = admitted_user(&app).await;
        let (schedule_id, seats) = app.create_schedule(4, 100).await;
        let (other_schedule, other_seats) = app.create_schedule(1, 100).await;
        app.hold(&token, schedule_id, seats[0])
            .await
            .assert_status(201);
        app.hold(&token, schedule_id, seats[1])
            .await
            .assert_status(201);
        app.hold(&token, schedule_id, seats[2])
            .await
            .assert_error(409, "hold_limit_reached");
        app.hold(&token, other_schedule, other_seats[0])
            .await
            .assert_status(201);
        app.release(&token, schedule_id, seats[0])
            .await
            .assert_status(204);
        app.hold(&token, schedule_id, seats[2])
            .await
            .assert_status(201);
    }
}

api_test! {
    async fn hundreds_of_concurrent_holds_on_one_seat_give_exactly_one_201(backend) {
        let app = spawn_app_for(backend, &fast_queue_with(&[("APP_QUEUE__BATCH_SIZE", "1000")])).await;
        let users = admitted_users(&app, 200).await;
        let (schedule_id, seats) = app.create_schedule(3, 100).await;
        let attempts = users
            .iter()
            .map(|(_, token)| app.hold(token, schedule_id, seats[1]));
        let replies = futures::future::join_all(attempts).await;
        let created = replies.iter().filter(|r| r.status == 201).count();
        let refused = replies
            .iter()
            .filter(|r| r.status == 409 && r.body["error"]["code"] == "seat_unavailable")
            .count();
        assert_eq!((created, refused), (1, 199));
        assert_eq!(
            app.scalar(&format!(
                "SELECT COUNT(*) FROM reservations WHERE seat_id = {}",
                seats[1]
            ))
            .await,
            1
        );
        let map = app.seat_map(&users[0].1, schedule_id).await;
        assert_eq!(map.body["leftSeats"], 2);
    }
}

api_test! {
    async fn a_hold_expires_on_time_and_the_seat_can_be_taken_again(backend) {
        let app = spawn_app_for(backend, &fast_queue_with(&[
            ("APP_HOLD__TTL_SECS", "1"),
            ("APP_HOLD__SWEEP_INTERVAL_MS", "100"),
        ]))
        .await;
        let (_, first) = admitted_user(&app).await;
        let (_, second) = admitted_user(&app).await;
        let (schedule_id, seats) = app.create_schedule(1, 100).await;
        let hold = app.hold(&first, schedule_id, seats[0]).await;
        let reservation_id = hold.assert_status(201)["reservationId"].as_i64().unwrap();
        app.hold(&second, schedule_id, seats[0])
            .await
            .assert_error(409, "seat_unavailable");
        tokio::time::sleep(Duration::from_millis(1050)).await;
        assert_eq!(
            app.seat_map(&second, schedule_id).await.body["leftSeats"],
            1
        );
        app.hold(&second, schedule_id, seats[0])
            .await
            .assert_status(201);
        tokio::time::sleep(Duration::from_millis(1000)).await;
        assert_eq!(
            app.scalar(&format!(
                "SELECT COUNT(*) FROM reservations WHERE id = {reservation_id} AND status = 'expired'"
            ))
            .await,
            1
        );
    }
}

api_test! {
    async fn the_sweeper_never_touches_a_paid_reservation(backend) {
        let app = spawn_app_for(backend, &fast_queue_with(&[("APP_HOLD__SWEEP_INTERVAL_MS", "50")])).await;
        let user_id = app.create_user("a").await;
        let (schedule_id, seats) = app.create_schedule(2, 100).await;
        let past = "'2020-01-01 00:00:00.000'";
        for (seat, status, sold) in [
            (seats[0], "paid", seats[0].to_string()),
            (seats[1], "held", "NULL".to_owned()),
        ] {
            sea_orm::ConnectionTrait::execute_unprepared(&app.db, &format!(
                "INSERT INTO reservations (user_id, status, concert_id, concert_name, schedule_id, schedule_date, seat_id, seat_number, seat_price, expired_at, sold_seat_id, created_at, updated_at) \
                 SELECT {user_id}, '{status}', concert_id, 'c', id, date, {seat}, 1, 100, {past}, {sold}, {past}, {past} FROM schedules WHERE id = {schedule_id}"
            )).await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM reservations WHERE status = 'paid'")
                .await,
            1
        );
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM reservations WHERE status = 'expired'")
                .await,
            1
        );
    }
}

#[tokio::test]
async fn sold_seats_survive_a_hot_store_flush() {
    let app = spawn_app_with(FAST_QUEUE).await;
    let (schedule_id, seats) = app.create_schedule(3, 100).await;
    let (_, token) = admitted_user(&app).await;
    app.hold(&token, schedule_id, seats[2])
        .await
        .assert_status(201);
    // The database says seat 1 is sold (as a payment leaves it).
    sea_orm::ConnectionTrait::execute_unprepared(
        &app.db,
        &format!("UPDATE seats SET status = 'sold' WHERE id = {}", seats[0]),
    )
    .await
    .unwrap();
    app.flush_hot_store().await;
    let (_, token) = admitted_user(&app).await;
    let map = app.seat_map(&token, schedule_id).await;
    let statuses = seat_statuses(&map.body);
    assert_eq!(statuses[&seats[0]], "sold");
    // Live holds come back from their reservation rows too.
    assert_eq!(statuses[&seats[2]], "held");
    assert_eq!(map.body["leftSeats"], 1);
    app.hold(&token, schedule_id, seats[0])
        .await
        .assert_error(409, "seat_unavailable");
    app.hold(&token, schedule_id, seats[1])
        .await
        .assert_status(201);
}

#[tokio::test]
async fn concurrent_reloads_after_a_flush_agree() {
    let app = spawn_app_with(&fast_queue_with(&[("APP_QUEUE__BATCH_SIZE", "1000")])).await;
    let users = admitted_users(&app, 50).await;
    let (schedule_id, seats) = app.create_schedule(60, 100).await;
    sea_orm::ConnectionTrait::execute_unprepared(
        &app.db,
        &format!(
            "UPDATE seats SET status = 'sold' WHERE id IN ({}, {})",
            seats[0], seats[1]
        ),
    )
    .await
    .unwrap();
    app.flush_hot_store().await;
    let users = {
        let mut again = Vec::new();
        for (user_id, _) in users {
            again.push(crate::helpers::wait_until_working(&app, user_id).await);
        }
        again
    };
    // Every user races for a different seat, including the sold ones, right after the flush.
    let attempts = users
        .iter()
        .enumerate()
        .map(|(i, token)| app.hold(token, schedule_id, seats[i]));
    let replies = futures::future::join_all(attempts).await;
    assert_eq!(replies[0].status, 409);
    assert_eq!(replies[1].status, 409);
    assert!(replies[2..].iter().all(|r| r.status == 201));
    assert_eq!(
        app.seat_map(&users[0], schedule_id).await.body["leftSeats"],
        60 - 2 - 48
    );
}

api_test! {
    async fn release_frees_the_seat_at_once_and_cancels_the_reservation(backend) {
        let app = spawn_app_for(backend, FAST_QUEUE).await;
        let (_, token) = admitted_user(&app).await;
        let (_, other) = admitted_user(&app).await;
        let (schedule_id, seats) = app.create_schedule(1, 100).await;
        let id = app.hold(&token, schedule_id, seats[0]).await.body["reservationId"]
            .as_i64()
            .unwrap();
        app.release(&other, schedule_id, seats[0])
            .await
            .assert_error(404, "reservation_not_found");
        app.release(&token, schedule_id, seats[0])
            .await
            .assert_status(204);
        app.release(&token, schedule_id, seats[0])
            .await
            .assert_error(404, "reservation_not_found");
        assert_eq!(
            app.scalar(&format!(
                "SELECT COUNT(*) FROM reservations WHERE id = {id} AND status = 'cancelled'"
            ))
            .await,
            1
        );
        app.hold(&other, schedule_id, seats[0])
            .await
            .assert_status(201);
    }
}

api_test! {
    async fn reservations_show_seconds_left_to_their_owner_only(backend) {
        let app = spawn_app_for(backend, FAST_QUEUE).await;
        let (_, token) = admitted_user(&app).await;
        let (_, other) = admitted_user(&app).await;
        let (schedule_id, seats) = app.create_schedule(1, 100).await;
        let id = app.hold(&token, schedule_id, seats[0]).await.body["reservationId"]
            .as_i64()
            .unwrap();
        let mine = app
            .get_with(&format!("/api/reservations/{id}"), &token)
            .await;
        let body = mine.assert_status(200);
        assert_eq!(body["status"], "held");
        let left = body["secondsLeft"].as_u64().unwrap();
        assert!((295..=300).contains(&left), "{left}");
        app.get_with(&format!("/api/reservations/{id}"), &other)
            .await
            .assert_error(404, "reservation_not_found");
        app.get_with("/api/reservations/999999", &token)
            .await
            .assert_error(404, "reservation_not_found");
    }
}

#[tokio::test]
async fn warm_seat_maps_and_schedule_lists_need_no_database() {
    let app = spawn_app_with(&fast_queue_with(&[(
        "APP_CACHE__SCHEDULES_TTL_MS",
        "600000",
    )]))
    .await;
    let (_, token) = admitted_user(&app).await;
    let (schedule_id, seats) = app.create_schedule(3, 100).await;
    app.seat_map(&token, schedule_id).await.assert_status(200);
    app.schedules(&token).await.assert_status(200);
    // Take the database away: warm reads go on from the process cache and the hot store.
    let name = app.database_url.rsplit('/').next().unwrap().to_owned();
    sea_orm::ConnectionTrait::execute_unprepared(&app.db, &format!("DROP DATABASE `{name}`"))
        .await
        .unwrap();
    let map = app.seat_map(&token, schedule_id).await;
    assert_eq!(map.assert_status(200)["seats"].as_array().unwrap().len(), 3);
    assert_eq!(seat_statuses(&map.body)[&seats[0]], "available");
    let list = app.schedules(&token).await;
    assert_eq!(list.assert_status(200)["schedules"][0]["leftSeats"], 3);
}
