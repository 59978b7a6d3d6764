//! `APP_AUTH__IDENTITY=jwt`: the queue and point routes need the user's own identity.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::json;

use crate::helpers::spawn_app_for;

const SECRET: &str = "identity-secret";

fn identity(user_id: i64, secret: &str) -> String {
    let exp = chrono::Utc::now().timestamp() + 600;
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &json!({ "sub": user_id.to_string(), "exp": exp }),
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

api_test! {
    async fn identity_routes_need_the_users_own_token(backend) {
        let app = spawn_app_for(backend, &[
            ("APP_AUTH__IDENTITY", "jwt"),
            ("APP_AUTH__IDENTITY_SECRET", SECRET),
        ])
        .await;
        let me = app.create_user("me").await;
        let other = app.create_user("other").await;
        for path in [
            format!("/api/queue/{me}"),
            format!("/api/point/{me}"),
            format!("/api/point/{me}/history"),
        ] {
            app.get(&path).await.assert_error(401, "invalid_token");
            app.send(
                app.request(Method::GET, &path)
                    .bearer_auth(identity(me, "wrong")),
            )
            .await
            .assert_error(401, "invalid_token");
            app.send(
                app.request(Method::GET, &path)
                    .bearer_auth(identity(other, SECRET)),
            )
            .await
            .assert_error(403, "forbidden");
            app.send(
                app.request(Method::GET, &path)
                    .bearer_auth(identity(me, SECRET)),
            )
            .await
            .assert_status(200);
        }
        let charge = |token: String| {
            app.request(Method::PATCH, &format!("/api/point/{me}"))
                .bearer_auth(token)
                .json(&json!({ "amount": 10 }))
        };
        app.send(charge(identity(other, SECRET)))
            .await
            .assert_error(403, "forbidden");
        app.send(charge(identity(me, SECRET)))
            .await
            .assert_status(200);
        assert_eq!(
            app.scalar("SELECT CAST(SUM(amount) AS SIGNED) FROM points")
                .await,
            10
        );
    }
}
