//! Health, readiness, metrics, OpenAPI, docs and shutdown.

use std::time::Duration;

use crate::helpers::{spawn_app, spawn_app_on};

#[tokio::test]
async fn healthz_and_readyz_answer_200() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.assert_status(200)["status"], "ok");
    let ready = app.get("/readyz").await;
    let body = ready.assert_status(200);
    assert_eq!(body["database"], "mysql");
    assert_eq!(body["store"], "redis");
}

#[tokio::test]
async fn metrics_count_requests_per_route_and_status() {
    let app = spawn_app().await;
    app.balance(424_242)
        .await
        .assert_error(404, "user_not_found");
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(
            r#"http_requests_total{method="GET",route="/api/point/{user_id}",status="404"}"#
        ),
        "{text}"
    );
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "{text}"
    );
}

#[tokio::test]
async fn openapi_lists_every_route_with_error_shapes() {
    let app = spawn_app().await;
    let doc = app.get("/openapi.json").await;
    let doc = doc.assert_status(200);
    let routes: &[(&str, &[&str])] = &[
        ("/api/queue/{userId}", &["get"]),
        ("/api/concerts/schedule", &["get"]),
        ("/api/concert/schedule/{scheduleId}", &["get"]),
        (
            "/api/concert/schedule/{scheduleId}/seat/{seatId}/reservation",
            &["post", "delete"],
        ),
        (
            "/api/concert/schedule/{scheduleId}/seat/{seatId}/pay",
            &["post"],
        ),
        ("/api/point/{userId}", &["get", "patch"]),
        ("/api/point/{userId}/history", &["get"]),
        ("/api/reservations/{reservationId}", &["get"]),
        ("/api/reservations/{reservationId}/refund", &["post"]),
        ("/api/admin/users", &["post"]),
        ("/api/admin/concerts", &["post"]),
        ("/api/admin/queue", &["get", "patch"]),
        ("/healthz", &["get"]),
        ("/readyz", &["get"]),
        ("/metrics", &["get"]),
    ];
    for (path, methods) in routes {
        for method in *methods {
            let operation = &doc["paths"][*path][*method];
            assert!(
                operation.is_object(),
                "{method} {path} missing from the OpenAPI document"
            );
            assert!(
                operation["responses"].is_object(),
                "{method} {path} has no responses"
            );
        }
    }
    // Every error response of an API route has the contract's error body.
    for (path, methods) in routes.iter().filter(|(p, _)| p.starts_with("/api/")) {
        for method in *methods {
            let responses = doc["paths"][*path][*method]["responses"]
                .as_object()
                .unwrap();
            for (status, response) in responses.iter().filter(|(s, _)| s.starts_with('4')) {
                let schema = &response["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(
                    schema, "#/components/schemas/ErrorBody",
                    "{method} {path} {status}"
                );
            }
        }
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}

#[tokio::test]
async fn docs_serve_swagger_ui_from_the_binary() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("swagger"), "{html}");
}

#[tokio::test]
async fn readyz_is_503_when_the_database_is_gone() {
    let app = spawn_app().await;
    let name = app.database_url.rsplit('/').next().unwrap().to_owned();
    // Break the instance's database under it: its connections fail their next query.
    sea_orm::ConnectionTrait::execute_unprepared(&app.db, &format!("DROP DATABASE `{name}`"))
        .await
        .unwrap();
    app.get("/readyz").await.assert_error(503, "not_ready");
}

#[tokio::test]
async fn graceful_shutdown_finishes_and_a_restart_keeps_the_data() {
    let mut app = spawn_app().await;
    let user_id = app.create_user("Park").await;
    let server = app.server.take().unwrap();
    let (database_url, prefix) = (app.database_url.clone(), app.key_prefix.clone());
    drop(app);
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops after shutdown")
        .unwrap()
        .unwrap();
    let again = spawn_app_on(&database_url, &prefix, &[]).await;
    assert_eq!(again.balance(user_id).await.assert_status(200)["amount"], 0);
}
