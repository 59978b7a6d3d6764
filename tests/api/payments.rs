//! Seed endpoints 6 and 7, refunds and idempotency, with exact final states.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::helpers::{
    FAST_QUEUE, TestApp, admitted_user, fast_queue_with, seat_statuses, spawn_app_for,
};

/// A working user with `points`, holding seat 0 of a fresh schedule priced `price`.
async fn holder(app: &TestApp, points: i64, price: i64) -> (i64, String, i64, Vec<i64>) {
    let (user_id, token) = admitted_user(app).await;
    if points > 0 {
        app.charge(user_id, points).await.assert_status(200);
    }
    let (schedule_id, seats) = app.create_schedule(3, price).await;
    app.hold(&token, schedule_id, seats[0])
        .await
        .assert_status(201);
    (user_id, token, schedule_id, seats)
}

api_test! {
    async fn charge_returns_the_new_balance_and_writes_history(backend) {
        let app = spawn_app_for(backend, FAST_QUEUE).await;
        let user_id = app.create_user("a").await;
        let body = app.charge(user_id, 5000).await;
        let body = body.assert_status(200);
        assert_eq!(
            (
                body["userId"].as_i64(),
                body["amount"].as_i64(),
                body["charged"].as_i64()
            ),
            (Some(user_id), Some(5000), Some(5000))
        );
        assert_eq!(app.charge(user_id, 250).await.body["amount"], 5250);
        assert_eq!(app.balance(user_id).await.body["amount"], 5250);
        assert_eq!(
            app.scalar(&format!(
                "SELECT COUNT(*) FROM point_histories WHERE user_id = {user_id} AND type = 'charge'"
            ))
            .await,
            2
        );
        app.assert_money_and_seats_add_up().await;
    }
}

api_test! {
    async fn charge_refuses_bad_amounts_and_unknown_users(backend) {
        let app = spawn_app_for(backend, &[("APP_POINTS__MAX_CHARGE", "1000")]).await;
        let user_id = app.create_user("a").await;
        for amount in [
            json!(0),
            json!(-5),
            json!(1001),
            json!(1.5),
            json!("100"),
            json!(null),
        ] {
            app.send(
                app.request(Method::PATCH, &format!("/api/point/{user_id}"))
                    .json(&json!({ "amount": amount })),
            )
            .await
            .assert_error(400, "invalid_amount");
        }
        app.send(
            app.request(Method::PATCH, &format!("/api/point/{user_id}"))
                .json(&json!({})),
        )
        .await
        .assert_error(400, "invalid_amount");
        app.charge(999_999, 10)
            .await
            .assert_error(404, "user_not_found");
        assert_eq!(app.balance(user_id).await.body["amount"], 0);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM point_histories").await, 0);
    }
}

api_test! {
    async fn no_balance_passes_two_to_the_fifty_three(backend) {
        let app = spawn_app_for(backend, &[("APP_POINTS__MAX_CHARGE", "9007199254740991")]).await;
        let user_id = app.create_user("a").await;
        app.charge(user_id, 9_007_199_254_740_990)
            .await
            .assert_status(200);
        app.charge(user_id, 1).await.assert_status(200);
        app.charge(user_id, 1)
            .await
            .assert_error(400, "invalid_amount");
        assert_eq!(
            app.balance(user_id).await.body["amount"],
            9_007_199_254_740_991_i64
        );
        app.assert_money_and_seats_add_up().await;
    }
}

api_test! {
    async fn hundreds_of_concurrent_charges_all_count(backend) {
        let app = spawn_app_for(backend, &[]).await;
        let user_id = app.create_user("a").await;
        let charges = (1..=300).map(|i| app.charge(user_id, i));
        let replies = futures::future::join_all(charges).await;
        assert!(
            replies.iter().all(|r| r.status == 200),
            "{:?}",
            replies.iter().find(|r| r.status != 200)
        );
        assert_eq!(app.balance(user_id).await.body["amount"], 300 * 301 / 2);
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM point_histories WHERE type = 'charge'")
                .await,
            300
        );
        // Each entry's balance is distinct: every charge saw the one before it.
        assert_eq!(
            app.scalar("SELECT COUNT(DISTINCT balance_after) FROM point_histories")
                .await,
            300
        );
        app.assert_money_and_seats_add_up().await;
    }
}

api_test! {
    async fn a_charge_retried_with_its_key_returns_the_first_response_and_changes_nothing(backend) {
        let app = spawn_app_for(backend, &[]).await;
        let user_id = app.create_user("a").await;
        let charge = |amount: i64, key: &'static str| {
            app.request(Method::PATCH, &format!("/api/point/{user_id}"))
                .header("idempotency-key", key)
                .json(&json!({ "amount": amount }))
        };
        let first = app
            .client
            .execute(charge(700, "k-1").build().unwrap())
            .await
            .unwrap();
        let first_body = first.bytes().await.unwrap();
        let again = app
            .client
            .execute(charge(700, "k-1").build().unwrap())
            .await
            .unwrap();
        assert_eq!(again.status(), 200);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.bytes().await.unwrap(), first_body, "byte for byte");
        app.send(charge(800, "k-1"))
            .await
            .assert_error(422, "idempotency_key_reused");
        assert_eq!(app.balance(user_id).await.body["amount"], 700);
        // Keys are scoped to the user.
        let other = app.create_user("b").await;
        let reply = app
            .send(
                app.request(Method::PATCH, &format!("/api/point/{other}"))
                    .header("idempotency-key", "k-1")
                    .json(&json!({ "amount": 5 })),
            )
            .await;
        assert_eq!(reply.assert_status(200)["amount"], 5);
        app.send(charge(1, ""))
            .await
            .assert_error(400, "invalid_request");
        app.assert_money_and_seats_add_up().await;
    }
}

api_test! {
    async fn concurrent_retries_with_one_key_charge_once(backend) {
        let app = spawn_app_for(backend, &[]).await;
        let user_id = app.create_user("a").await;
        let path = format!("/api/point/{user_id}");
        let attempts = (0..50).map(|_| {
            app.send(
                app.request(Method::PATCH, &path)
                    .header("idempotency-key", "same")
                    .json(&json!({ "amount": 100 })),
            )
        });
        let replies = futures::future::join_all(attempts).await;
        for reply in &replies {
            assert!(
                reply.status == 200
                    || (reply.status == 409 && reply.body["error"]["code"] == "idempotency_key_in_use"),
                "{reply:?}"
            );
            if reply.status == 200 {
                assert_eq!(reply.body["amount"], 100);
            }
        }
        assert_eq!(app.balance(user_id).await.body["amount"], 100);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM point_histories").await, 1);
        app.assert_money_and_seats_add_up().await;
    }
}

api_test! {
    async fn pay_sells_the_seat_and_moves_the_points_together(backend) {
        let app = spawn_app_for(backend, FAST_QUEUE).await;
        let (user_id, token, schedule_id, seats) = holder(&app, 5000, 1200).await;
        let reply = app.pay(&token, schedule_id, seats[0], None).await;
        let body = reply.assert_status(200);
        assert_eq!(body["status"], "paid");
        assert_eq!(body["amount"], 1200);
        assert_eq!(body["balance"], 3800);
        assert_eq!(body["userId"], user_id);
        assert_eq!(body["seatNumber"], 1);
        assert_eq!(body["concertName"], "Test Live");
        assert!(
            body["paymentId"].as_i64().is_some()
                && body["paidAt"].is_string()
                && body["scheduleDate"].is_string()
        );
        let reservation_id = body["reservationId"].as_i64().unwrap();
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM reservations WHERE id = {reservation_id} AND status = 'paid' AND sold_seat_id = {}", seats[0])).await, 1);
        // The durable count follows sales within a sweep interval.
        app.eventually_scalar(&format!("SELECT left_seats FROM schedules WHERE id = {schedule_id}"), 2)
            .await;
        assert_eq!(app.scalar(&format!("SELECT balance_after FROM point_histories WHERE type = 'use' AND reservation_id = {reservation_id}")).await, 3800);
        let (_, other) = admitted_user(&app).await;
        assert_eq!(
            seat_statuses(&app.seat_map(&other, schedule_id).await.body)[&seats[0]],
            "sold"
        );
        app.hold(&other, schedule_id, seats[0])
            .await
            .assert_error(409, "seat_unavailable");
        app.assert_money_and_seats_add_up().await;
    }
}

api_test! {
    async fn payment_ends_the_working_session_unless_another_seat_is_held(backend) {
        let app = spawn_app_for(backend, FAST_QUEUE).await;
        let (_, token, schedule_id, seats) = holder(&app, 5000, 100).await;
        app.hold(&token, schedule_id, seats[1])
            .await
            .assert_status(201);
        app.pay(&token, schedule_id, seats[0], None)
            .await
            .assert_status(200);
        app.schedules(&token).await.assert_status(200);
        app.pay(&token, schedule_id, seats[1], None)
            .await
            .assert_status(200);
        app.schedules(&token)
            .await
            .assert_error(403, "not_admitted");
        app.pay(&token, schedule_id, seats[2], None)
            .await
            .assert_error(403, "not_admitted");
        app.assert_money_and_seats_add_up().await;
    }
}

api_test! {
    async fn insufficient_points_change_nothing_and_the_hold_stays(backend) {
        let app = spawn_app_for(backend, FAST_QUEUE).await;
        let (user_id, token, schedule_id, seats) = holder(&app, 999, 1000).await;
        app.pay(&token, schedule_id, seats[0], None)
            .await
            .assert_error(409, "insufficient_points");
        assert_eq!(app.balance(user_id).await.body["amount"], 999);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM payments").await, 0);
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM reservations WHERE status = 'held'")
                .await,
            1
        );
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM seats WHERE status = 'sold'")
                .await,
            0
        );
        app.charge(user_id, 1).await.assert_status(200);
        assert_eq!(
            app.pay(&token, schedule_id, seats[0], None)
                .await
                .assert_status(200)["balance"],
            0
        );
        app.assert_money_and_seats_add_up().await;
    }
}

api_test! {
    async fn paying_without_a_hold_or_for_another_users_hold_is_404(backend) {
        let app = spawn_app_for(backend, FAST_QUEUE).await;
        let (_, _, schedule_id, seats) = holder(&app, 5000, 100).await;
        let (other_id, other) = admitted_user(&app).await;
        app.charge(other_id, 5000).await.assert_status(200);
        app.pay(&other, schedule_id, seats[0], None)
            .await
            .assert_error(404, "reservation_not_found");
        app.pay(&other, schedule_id, seats[1], None)
            .await
            .assert_error(404, "reservation_not_found");
        app.pay(&other, schedule_id, 999_999, None)
            .await
            .assert_error(404, "seat_not_found");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM payments").await, 0);
        app.assert_money_and_seats_add_up().await;
    }
}

api_test! {
    async fn paying_twice_is_409_already_paid(backend) {
        let app = spawn_app_for(backend, FAST_QUEUE).await;
        let (_, token, schedule_id, seats) = holder(&app, 5000, 100).await;
        app.hold(&token, schedule_id, seats[1])
            .await
            .assert_status(201); // keeps the session
        app.pay(&token, schedule_id, seats[0], None)
            .await
            .assert_status(200);
        app.pay(&token, schedule_id, seats[0], None)
            .await
            .assert_error(409, "already_paid");
        app.assert_money_and_seats_add_up().await;
    }
}

api_test! {
    async fn concurrent_payments_of_one_hold_without_keys_pay_once(backend) {
        let app = spawn_app_for(backend, FAST_QUEUE).await;
        let (user_id, token, schedule_id, seats) = holder(&app, 5000, 700).await;
        let attempts = (0..40).map(|_| app.pay(&token, schedule_id, seats[0], None));
        let replies = futures::future::join_all(attempts).await;
        let paid = replies.iter().filter(|r| r.status == 200).count();
        assert_eq!(
            paid,
            1,
            "{:?}",
            replies
                .iter()
                .map(|r| (r.status, r.body["error"]["code"].clone()))
                .collect::<Vec<_>>()
        );
        for reply in replies.iter().filter(|r| r.status != 200) {
            let code = reply.body["error"]["code"].as_str().unwrap();
            assert!(
                ["already_paid", "not_admitted"].contains(&code),
                "{reply:?}"
            );
        }
        assert_eq!(app.balance(user_id).await.body["amount"], 4300);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM payments").await, 1);
        app.assert_money_and_seats_add_up().await;
    }
}

api_test! {
    async fn concurrent_payments_with_one_key_pay_once_and_agree(backend) {
        let app = spawn_app_for(backend, FAST_QUEUE).await;
        let (user_id, token, schedule_id, seats) = holder(&app, 5000, 700).await;
        let attempts = (0..40).map(|_| app.pay(&token, schedule_id, seats[0], Some("pay-1")));
        let replies = futures::future::join_all(attempts).await;
        let ok: Vec<_> = replies.iter().filter(|r| r.status == 200).collect();
        assert!(!ok.is_empty());
        assert!(
            ok.iter().all(|r| r.body == ok[0].body),
            "every 200 is the same response"
        );
        for reply in replies.iter().filter(|r| r.status != 200) {
            assert_eq!(
                reply.body["error"]["code"], "idempotency_key_in_use",
                "{reply:?}"
            );
        }
        assert_eq!(app.balance(user_id).await.body["amount"], 4300);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM payments").await, 1);
        app.assert_money_and_seats_add_up().await;
    }
}

api_test! {
    async fn a_keyed_payment_replays_after_the_session_ended_but_not_for_another_user(backend) {
        let app = spawn_app_for(backend, FAST_QUEUE).await;
        let (_, token, schedule_id, seats) = holder(&app, 5000, 700).await;
        let first = app.pay(&token, schedule_id, seats[0], Some("k")).await;
        first.assert_status(200);
        // The session ended with the payment; the keyed retry still gets the first response.
        app.schedules(&token)
            .await
            .assert_error(403, "not_admitted");
        let again = app.pay(&token, schedule_id, seats[0], Some("k")).await;
        assert_eq!((again.status, &again.body), (first.status, &first.body));
        // Another route with the same key is another request.
        app.pay(&token, schedule_id, seats[1], Some("k"))
            .await
            .assert_error(422, "idempotency_key_reused");
        let (_, stranger) = admitted_user(&app).await;
        app.pay(&stranger, schedule_id, seats[0], Some("k"))
            .await
            .assert_error(404, "reservation_not_found");
        app.pay("forged.token.here", schedule_id, seats[0], Some("k"))
            .await
            .assert_error(401, "invalid_token");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM payments").await, 1);
        app.assert_money_and_seats_add_up().await;
    }
}

api_test! {
    async fn an_expired_hold_cannot_be_paid(backend) {
        let app = spawn_app_for(backend, &fast_queue_with(&[
            ("APP_HOLD__TTL_SECS", "1"),
            ("APP_HOLD__SWEEP_INTERVAL_MS", "60000"),
        ]))
        .await;
        let (user_id, token, schedule_id, seats) = holder(&app, 5000, 700).await;
        tokio::time::sleep(Duration::from_millis(1100)).await;
        app.pay(&token, schedule_id, seats[0], None)
            .await
            .assert_error(409, "hold_expired");
        assert_eq!(app.balance(user_id).await.body["amount"], 5000);
        app.assert_money_and_seats_add_up().await;
    }
}

api_test! {
    async fn payments_racing_the_holds_expiry_end_paid_or_untouched(backend) {
        let app = spawn_app_for(backend, &fast_queue_with(&[
            ("APP_HOLD__TTL_SECS", "1"),
            ("APP_HOLD__SWEEP_INTERVAL_MS", "20"),
        ]))
        .await;
        let (schedule_id, seats) = app.create_schedule(20, 10).await;
        let mut buyers = Vec::new();
        for (i, seat) in seats.iter().take(12).enumerate() {
            // A new buyer each time: paying ends the buyer's working session.
            let (user_id, token) = admitted_user(&app).await;
            app.charge(user_id, 1000).await.assert_status(200);
            buyers.push(user_id);
            app.hold(&token, schedule_id, *seat)
                .await
                .assert_status(201);
            // Pay around the expiry instant: some before, some after.
            tokio::time::sleep(Duration::from_millis(960 + (i as u64 % 6) * 15)).await;
            let reply = app.pay(&token, schedule_id, *seat, None).await;
            let seat_sold = app
                .scalar(&format!(
                    "SELECT COUNT(*) FROM seats WHERE id = {seat} AND status = 'sold'"
                ))
                .await;
            let paid = app.scalar(&format!("SELECT COUNT(*) FROM payments p JOIN reservations r ON r.id = p.reservation_id WHERE r.seat_id = {seat}")).await;
            match reply.status.as_u16() {
                200 => assert_eq!((seat_sold, paid), (1, 1)),
                409 => {
                    assert_eq!(reply.body["error"]["code"], "hold_expired");
                    assert_eq!((seat_sold, paid), (0, 0));
                }
                other => panic!("unexpected {other}: {}", reply.body),
            }
            let expected_balance = if reply.status == 200 { 990 } else { 1000 };
            assert_eq!(app.balance(user_id).await.body["amount"], expected_balance);
            app.assert_money_and_seats_add_up().await;
        }
    }
}

api_test! {
    async fn refunds_return_the_exact_amount_once_and_free_the_seat(backend) {
        let app = spawn_app_for(backend, FAST_QUEUE).await;
        let (user_id, token, schedule_id, seats) = holder(&app, 5000, 1200).await;
        let paid = app.pay(&token, schedule_id, seats[0], None).await;
        let reservation_id = paid.body["reservationId"].as_i64().unwrap();
        let refund = app.refund(reservation_id).await;
        let body = refund.assert_status(200);
        assert_eq!(
            (
                body["amount"].as_i64(),
                body["balance"].as_i64(),
                body["status"].as_str()
            ),
            (Some(1200), Some(5000), Some("refunded"))
        );
        let again = app.refund(reservation_id).await;
        assert_eq!(again.assert_status(200), body);
        let concurrent = futures::future::join_all((0..20).map(|_| app.refund(reservation_id))).await;
        assert!(
            concurrent
                .iter()
                .all(|r| r.status == 200 && r.body == *body)
        );
        assert_eq!(app.balance(user_id).await.body["amount"], 5000);
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM point_histories WHERE type = 'refund'")
                .await,
            1
        );
        // The durable count follows sales within a sweep interval.
        app.eventually_scalar(&format!("SELECT left_seats FROM schedules WHERE id = {schedule_id}"), 3)
            .await;
        let (_, other) = admitted_user(&app).await;
        app.hold(&other, schedule_id, seats[0])
            .await
            .assert_status(201);
        app.assert_money_and_seats_add_up().await;
    }
}

api_test! {
    async fn concurrent_refunds_of_one_reservation_refund_once(backend) {
        let app = spawn_app_for(backend, FAST_QUEUE).await;
        let (user_id, token, schedule_id, seats) = holder(&app, 5000, 1200).await;
        let reservation_id = app.pay(&token, schedule_id, seats[0], None).await.body["reservationId"]
            .as_i64()
            .unwrap();
        let replies = futures::future::join_all((0..30).map(|_| app.refund(reservation_id))).await;
        assert!(
            replies.iter().all(|r| r.status == 200),
            "{:?}",
            replies.iter().find(|r| r.status != 200)
        );
        assert!(replies.iter().all(|r| r.body == replies[0].body));
        assert_eq!(app.balance(user_id).await.body["amount"], 5000);
        app.assert_money_and_seats_add_up().await;
    }
}

api_test! {
    async fn refunds_close_before_the_show_and_need_a_payment(backend) {
        let app = spawn_app_for(backend, &fast_queue_with(&[("APP_REFUND__CUTOFF_SECS", "86400")])).await;
        let (user_id, token) = admitted_user(&app).await;
        app.charge(user_id, 5000).await;
        let (soon, soon_seats) = app
            .create_schedule_on(chrono::Utc::now() + chrono::Duration::hours(2), 2, 100)
            .await;
        let held = app.hold(&token, soon, soon_seats[1]).await.body["reservationId"]
            .as_i64()
            .unwrap();
        app.refund(held).await.assert_error(409, "not_paid");
        app.hold(&token, soon, soon_seats[0])
            .await
            .assert_status(201);
        let paid = app.pay(&token, soon, soon_seats[0], None).await.body["reservationId"]
            .as_i64()
            .unwrap();
        app.refund(paid).await.assert_error(409, "refund_closed");
        app.refund(999_999)
            .await
            .assert_error(404, "reservation_not_found");
        assert_eq!(app.balance(user_id).await.body["amount"], 4900);
        app.assert_money_and_seats_add_up().await;
    }
}

api_test! {
    async fn history_pages_newest_first_with_a_cursor(backend) {
        let app = spawn_app_for(backend, &[]).await;
        let user_id = app.create_user("a").await;
        for amount in 1..=5 {
            app.charge(user_id, amount).await.assert_status(200);
        }
        let first = app
            .get(&format!("/api/point/{user_id}/history?limit=2"))
            .await;
        let body = first.assert_status(200);
        let amounts: Vec<i64> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["amount"].as_i64().unwrap())
            .collect();
        assert_eq!(amounts, vec![5, 4]);
        assert_eq!(body["items"][0]["type"], "charge");
        assert_eq!(body["items"][0]["balanceAfter"], 15);
        let cursor = body["nextCursor"].as_str().unwrap();
        let second = app
            .get(&format!(
                "/api/point/{user_id}/history?limit=2&cursor={cursor}"
            ))
            .await;
        let cursor = second.body["nextCursor"].as_str().unwrap().to_owned();
        let third = app
            .get(&format!(
                "/api/point/{user_id}/history?limit=2&cursor={cursor}"
            ))
            .await;
        assert_eq!(third.body["items"].as_array().unwrap().len(), 1);
        assert!(third.body["nextCursor"].is_null());
        app.get(&format!("/api/point/{user_id}/history?limit=0"))
            .await
            .assert_error(400, "invalid_request");
        app.get(&format!("/api/point/{user_id}/history?cursor=abc"))
            .await
            .assert_error(400, "invalid_request");
        app.get("/api/point/999999/history")
            .await
            .assert_error(404, "user_not_found");
    }
}
