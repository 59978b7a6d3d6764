//! Every failure answers in the contract's error shape.

use reqwest::Method;

use crate::helpers::{ADMIN_KEY, spawn_app_for};

api_test! {
    async fn unknown_routes_are_404_in_the_error_shape(backend) {
        let app = spawn_app_for(backend, &[]).await;
        app.get("/api/nothing/here")
            .await
            .assert_error(404, "not_found");
    }
}

api_test! {
    async fn wrong_methods_are_405_in_the_error_shape(backend) {
        let app = spawn_app_for(backend, &[]).await;
        app.send(app.request(Method::DELETE, "/api/point/1"))
            .await
            .assert_error(405, "method_not_allowed");
        app.send(app.request(Method::PUT, "/healthz"))
            .await
            .assert_error(405, "method_not_allowed");
    }
}

api_test! {
    async fn bad_json_is_400_in_the_error_shape(backend) {
        let app = spawn_app_for(backend, &[]).await;
        let reply = app
            .send(
                app.request(Method::POST, "/api/admin/users")
                    .bearer_auth(ADMIN_KEY)
                    .header("content-type", "application/json")
                    .body("{\"name\": "),
            )
            .await;
        reply.assert_error(400, "invalid_request");
    }
}

api_test! {
    async fn a_body_without_json_content_type_is_415_in_the_error_shape(backend) {
        let app = spawn_app_for(backend, &[]).await;
        let reply = app
            .send(
                app.request(Method::POST, "/api/admin/users")
                    .bearer_auth(ADMIN_KEY)
                    .header("content-type", "text/plain")
                    .body("{\"name\": \"x\"}"),
            )
            .await;
        reply.assert_error(415, "unsupported_media_type");
    }
}

api_test! {
    async fn every_response_carries_a_request_id(backend) {
        let app = spawn_app_for(backend, &[]).await;
        let reply = app.get("/healthz").await;
        assert!(reply.headers.get("x-request-id").is_some());
        let echoed = app
            .send(
                app.request(Method::GET, "/healthz")
                    .header("x-request-id", "abc-123"),
            )
            .await;
        assert_eq!(echoed.headers["x-request-id"], "abc-123");
    }
}
