use serde_json::json;

use crate::helpers::{ADMIN_KEY, spawn_app_for, spawn_app_with};

api_test! {
    async fn create_user_returns_201_with_id_and_a_zero_balance(backend) {
        let app = spawn_app_for(backend, &[]).await;
        let reply = app
            .admin_post("/api/admin/users", json!({ "name": "Kim" }))
            .await;
        let body = reply.assert_status(201);
        assert_eq!(body["name"], "Kim");
        let user_id = body["userId"].as_i64().unwrap();
        assert!(user_id > 0);
        assert_eq!(app.balance(user_id).await.assert_status(200)["amount"], 0);
        assert_eq!(
            app.scalar(&format!(
                "SELECT COUNT(*) FROM points WHERE user_id = {user_id}"
            ))
            .await,
            1
        );
    }
}

api_test! {
    async fn create_user_refuses_an_empty_or_overlong_name(backend) {
        let app = spawn_app_for(backend, &[]).await;
        for name in ["", "   ", &"x".repeat(101)] {
            app.admin_post("/api/admin/users", json!({ "name": name }))
                .await
                .assert_error(400, "invalid_request");
        }
        app.admin_post("/api/admin/users", json!({ "nom": "x" }))
            .await
            .assert_error(400, "invalid_request");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM users").await, 0);
    }
}

api_test! {
    async fn admin_routes_need_the_admin_key(backend) {
        let app = spawn_app_for(backend, &[]).await;
        let without = app
            .send(
                app.request(reqwest::Method::POST, "/api/admin/users")
                    .json(&json!({ "name": "x" })),
            )
            .await;
        without.assert_error(401, "invalid_token");
        let wrong = app
            .send(
                app.request(reqwest::Method::POST, "/api/admin/users")
                    .bearer_auth(format!("{ADMIN_KEY}x"))
                    .json(&json!({ "name": "x" })),
            )
            .await;
        wrong.assert_error(401, "invalid_token");
    }
}

#[tokio::test]
async fn admin_routes_do_not_exist_without_an_admin_key() {
    let app = spawn_app_with(&[("APP_ADMIN__API_KEY", "")]).await;
    app.admin_post("/api/admin/users", json!({ "name": "x" }))
        .await
        .assert_error(404, "not_found");
}

api_test! {
    async fn create_concert_creates_schedules_and_numbered_seats(backend) {
        let app = spawn_app_for(backend, &[]).await;
        let reply = app
            .admin_post(
                "/api/admin/concerts",
                json!({ "name": "Winter Live", "schedules": [
                    { "date": "2030-12-24T19:00:00Z", "seatCount": 3, "seatPrice": 1000 },
                    { "date": "2030-12-25T19:00:00Z", "seatCount": 2, "seatPrice": 2000 }
                ]}),
            )
            .await;
        let body = reply.assert_status(201);
        let schedules = body["schedules"].as_array().unwrap();
        assert_eq!(schedules.len(), 2);
        assert_eq!(schedules[0]["seatIds"].as_array().unwrap().len(), 3);
        assert_eq!(schedules[1]["seatIds"].as_array().unwrap().len(), 2);
        let first = schedules[0]["scheduleId"].as_i64().unwrap();
        assert_eq!(
            app.scalar(&format!(
                "SELECT CAST(SUM(number) AS SIGNED) FROM seats WHERE schedule_id = {first}"
            ))
            .await,
            6
        );
        assert_eq!(
            app.scalar(&format!(
                "SELECT left_seats FROM schedules WHERE id = {first}"
            ))
            .await,
            3
        );
        let seat = schedules[1]["seatIds"][1].as_i64().unwrap();
        assert_eq!(
            app.scalar(&format!("SELECT price FROM seats WHERE id = {seat}"))
                .await,
            2000
        );
        assert_eq!(
            app.scalar(&format!("SELECT number FROM seats WHERE id = {seat}"))
                .await,
            2
        );
    }
}

api_test! {
    async fn create_concert_inserts_a_hundred_thousand_seats(backend) {
        let app = spawn_app_for(backend, &[]).await;
        let (schedule_id, seats) = app.create_schedule(100_000, 50).await;
        assert_eq!(seats.len(), 100_000);
        assert_eq!(
            app.scalar(&format!(
                "SELECT COUNT(DISTINCT number) FROM seats WHERE schedule_id = {schedule_id}"
            ))
            .await,
            100_000
        );
    }
}

api_test! {
    async fn create_concert_validates_every_field_and_writes_nothing_on_error(backend) {
        let app = spawn_app_for(backend, &[]).await;
        let good = json!({ "date": "2030-12-24T19:00:00Z", "seatCount": 3, "seatPrice": 1000 });
        let cases = [
            json!({ "name": "", "schedules": [good] }),
            json!({ "name": "x".repeat(201), "schedules": [good] }),
            json!({ "name": "A", "schedules": [] }),
            json!({ "name": "A", "schedules": [{ "date": "yesterday", "seatCount": 3, "seatPrice": 1 }] }),
            json!({ "name": "A", "schedules": [{ "date": "2030-12-24T19:00:00Z", "seatCount": 0, "seatPrice": 1 }] }),
            json!({ "name": "A", "schedules": [{ "date": "2030-12-24T19:00:00Z", "seatCount": 100001, "seatPrice": 1 }] }),
            json!({ "name": "A", "schedules": [{ "date": "2030-12-24T19:00:00Z", "seatCount": 3, "seatPrice": -1 }] }),
            json!({ "name": "A", "schedules": [{ "date": "2030-12-24T19:00:00Z", "seatCount": 3, "seatPrice": 9007199254740992_i64 }] }),
            json!({ "name": "A", "schedules": [{ "date": "2030-12-24T19:00:00Z", "seatCount": 3 }] }),
            json!({ "name": "A", "schedules": [good, { "date": "2030-12-24T19:00:00Z", "seatCount": "3", "seatPrice": 1 }] }),
        ];
        for case in cases {
            app.admin_post("/api/admin/concerts", case.clone())
                .await
                .assert_error(400, "invalid_request");
        }
        assert_eq!(app.scalar("SELECT COUNT(*) FROM concerts").await, 0);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM seats").await, 0);
    }
}
