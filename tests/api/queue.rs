//! Seed endpoint 1 and the queue's operator routes, over HTTP.

use std::collections::HashSet;

use serde_json::json;

use crate::helpers::{
    ADMIN_KEY, FAST_QUEUE, spawn_app_for, spawn_app_on, spawn_app_with, wait_until_working,
};

api_test! {
    async fn first_call_returns_a_waiting_token_with_every_field(backend) {
        let app = spawn_app_for(backend, &[("APP_QUEUE__TICK_MS", "60000")]).await;
        let user_id = app.create_user("a").await;
        let reply = app.get(&format!("/api/queue/{user_id}")).await;
        let body = reply.assert_status(200);
        assert_eq!(body["status"], "waiting");
        assert_eq!(body["position"], 1);
        assert!(body["token"].as_str().unwrap().split('.').count() == 3);
        assert!(body["estimatedWaitSeconds"].as_u64().is_some());
        assert!(body["pollAfterMs"].as_u64().unwrap() >= 1000);
        assert!(chrono::DateTime::parse_from_rfc3339(body["expiresAt"].as_str().unwrap()).is_ok());
        let again = app.get(&format!("/api/queue/{user_id}")).await;
        assert_eq!(again.body["token"], body["token"]);
    }
}

api_test! {
    async fn unknown_users_get_404(backend) {
        let app = spawn_app_for(backend, &[]).await;
        app.get("/api/queue/987654")
            .await
            .assert_error(404, "user_not_found");
        app.get("/api/queue/0")
            .await
            .assert_error(400, "invalid_request");
    }
}

api_test! {
    async fn poll_hints_grow_with_the_position(backend) {
        let app = spawn_app_for(backend, &[
            ("APP_QUEUE__TICK_MS", "60000"),
            ("APP_QUEUE__BATCH_SIZE", "1"),
        ])
        .await;
        let mut hints = Vec::new();
        for i in 0..40 {
            let user_id = app.create_user(&format!("u{i}")).await;
            let reply = app.get(&format!("/api/queue/{user_id}")).await;
            hints.push((
                reply.body["position"].as_u64().unwrap(),
                reply.body["pollAfterMs"].as_u64().unwrap(),
            ));
        }
        assert_eq!(hints.first().unwrap().0, 1);
        assert!(
            hints.last().unwrap().1 > hints.first().unwrap().1,
            "{hints:?}"
        );
        assert!(hints.windows(2).all(|w| w[0].1 <= w[1].1), "{hints:?}");
    }
}

api_test! {
    async fn the_scheduler_admits_users_up_to_capacity(backend) {
        let mut vars = FAST_QUEUE.to_vec();
        vars.push(("APP_QUEUE__CAPACITY", "2"));
        let app = spawn_app_for(backend, &vars).await;
        let users: Vec<i64> = [
            app.create_user("a").await,
            app.create_user("b").await,
            app.create_user("c").await,
        ]
        .to_vec();
        for user in &users {
            app.get(&format!("/api/queue/{user}"))
                .await
                .assert_status(200);
        }
        wait_until_working(&app, users[0]).await;
        wait_until_working(&app, users[1]).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let third = app.get(&format!("/api/queue/{}", users[2])).await;
        assert_eq!(third.body["status"], "waiting");
        assert_eq!(third.body["position"], 1);
        let overview = app
            .send(
                app.request(reqwest::Method::GET, "/api/admin/queue")
                    .bearer_auth(ADMIN_KEY),
            )
            .await;
        let body = overview.assert_status(200);
        assert_eq!(
            (body["waiting"].as_u64(), body["working"].as_u64()),
            (Some(1), Some(2))
        );
        assert_eq!(body["admittedLastMinute"], 2);
    }
}

api_test! {
    async fn raising_capacity_at_run_time_admits_more_within_a_tick(backend) {
        let mut vars = FAST_QUEUE.to_vec();
        vars.push(("APP_QUEUE__CAPACITY", "1"));
        let app = spawn_app_for(backend, &vars).await;
        let (a, b) = (app.create_user("a").await, app.create_user("b").await);
        app.get(&format!("/api/queue/{a}")).await;
        app.get(&format!("/api/queue/{b}")).await;
        wait_until_working(&app, a).await;
        let patch = app
            .send(
                app.request(reqwest::Method::PATCH, "/api/admin/queue")
                    .bearer_auth(ADMIN_KEY)
                    .json(&json!({ "capacity": 2, "paused": false })),
            )
            .await;
        assert_eq!(patch.assert_status(200)["capacity"], 2);
        wait_until_working(&app, b).await;
    }
}

api_test! {
    async fn queue_dials_are_validated(backend) {
        let app = spawn_app_for(backend, &[]).await;
        for body in [
            json!({ "capacity": 0 }),
            json!({ "tickMs": 1 }),
            json!({ "batchSize": -1 }),
            json!({ "speed": 3 }),
        ] {
            app.send(
                app.request(reqwest::Method::PATCH, "/api/admin/queue")
                    .bearer_auth(ADMIN_KEY)
                    .json(&body),
            )
            .await
            .assert_error(400, "invalid_request");
        }
        app.send(app.request(reqwest::Method::GET, "/api/admin/queue"))
            .await
            .assert_error(401, "invalid_token");
    }
}

api_test! {
    async fn concurrent_first_calls_over_http_give_one_token(backend) {
        let app = spawn_app_for(backend, &[("APP_QUEUE__TICK_MS", "60000")]).await;
        let user_id = app.create_user("a").await;
        let path = format!("/api/queue/{user_id}");
        let calls = (0..100).map(|_| app.get(&path));
        let tokens: HashSet<String> = futures::future::join_all(calls)
            .await
            .into_iter()
            .map(|r| r.body["token"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(tokens.len(), 1);
    }
}

#[tokio::test]
async fn a_restarted_service_keeps_the_queue() {
    let mut app = spawn_app_with(&[("APP_QUEUE__TICK_MS", "60000")]).await;
    let (a, b) = (app.create_user("a").await, app.create_user("b").await);
    let token_a = app.get(&format!("/api/queue/{a}")).await.body["token"].clone();
    app.get(&format!("/api/queue/{b}")).await;
    let (url, prefix) = (app.database_url.clone(), app.key_prefix.clone());
    let server = app.server.take().unwrap();
    drop(app);
    server.await.unwrap().unwrap();
    let again = spawn_app_on(&url, &prefix, &[("APP_QUEUE__TICK_MS", "60000")]).await;
    let reply = again.get(&format!("/api/queue/{b}")).await;
    assert_eq!(reply.body["position"], 2);
    assert_eq!(
        again.get(&format!("/api/queue/{a}")).await.body["token"],
        token_a
    );
}
