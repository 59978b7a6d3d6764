//! The queue guard: only a working, validly signed queue token of the right user passes.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use crate::helpers::{FAST_QUEUE, admitted_user, spawn_app_for};

const SECRET: &str = "test-jwt-secret";

fn sign(claims: serde_json::Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn claims_of(token: &str) -> serde_json::Value {
    use base64_url_decode as decode;
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&decode(payload)).unwrap()
}

/// Minimal base64url decoding, to read a token's claims without another dependency.
fn base64_url_decode(input: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for byte in input.bytes() {
        let value = ALPHABET.iter().position(|&c| c == byte).unwrap() as u32;
        bits = (bits << 6) | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

api_test! {
    async fn a_working_token_passes_and_its_claims_are_as_documented(backend) {
        let app = spawn_app_for(backend, FAST_QUEUE).await;
        let (user_id, token) = admitted_user(&app).await;
        app.schedules(&token).await.assert_status(200);
        let claims = claims_of(&token);
        assert_eq!(claims["sub"], user_id.to_string());
        assert_eq!(claims["iss"], "boxoffice");
        assert_eq!(claims["typ"], "queue");
        assert!(uuid::Uuid::parse_str(claims["jti"].as_str().unwrap()).is_ok());
        assert!(claims["exp"].as_i64().unwrap() > claims["iat"].as_i64().unwrap());
    }
}

api_test! {
    async fn bad_tokens_are_401_invalid_token(backend) {
        let app = spawn_app_for(backend, FAST_QUEUE).await;
        let (_, token) = admitted_user(&app).await;
        let claims = claims_of(&token);
        let now = chrono::Utc::now().timestamp();
        let mut expired = claims.clone();
        expired["iat"] = json!(now - 100);
        expired["exp"] = json!(now - 10);
        let mut wrong_type = claims.clone();
        wrong_type["typ"] = json!("identity");
        let mut wrong_issuer = claims.clone();
        wrong_issuer["iss"] = json!("someone-else");
        let unsigned = {
            let header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"; // {"alg":"none","typ":"JWT"}
            let body = token.split('.').nth(1).unwrap();
            format!("{header}.{body}.")
        };
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &claims,
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap();
        let cases = [
            ("forged", sign(claims.clone(), "not-the-secret")),
            ("expired", sign(expired, SECRET)),
            ("wrong typ", sign(wrong_type, SECRET)),
            ("wrong iss", sign(wrong_issuer, SECRET)),
            ("alg none", unsigned),
            ("alg HS512", hs512),
            ("garbage", "not-a-token".to_owned()),
        ];
        for (name, bad) in cases {
            let reply = app.schedules(&bad).await;
            assert_eq!(reply.status, 401, "{name}: {}", reply.body);
            reply.assert_error(401, "invalid_token");
        }
        let missing = app.get("/api/concerts/schedule").await;
        missing.assert_error(401, "invalid_token");
    }
}

api_test! {
    async fn a_waiting_token_is_403_not_admitted(backend) {
        let app = spawn_app_for(backend, &[
            ("APP_QUEUE__TICK_MS", "60000"),
            ("APP_QUEUE__CAPACITY", "1"),
        ])
        .await;
        let first = app.create_user("a").await;
        let second = app.create_user("b").await;
        app.get(&format!("/api/queue/{first}")).await;
        let waiting = app.get(&format!("/api/queue/{second}")).await;
        let token = waiting.body["token"].as_str().unwrap();
        app.schedules(token).await.assert_error(403, "not_admitted");
    }
}

api_test! {
    async fn a_token_never_works_for_another_user(backend) {
        let app = spawn_app_for(backend, FAST_QUEUE).await;
        let (_, token) = admitted_user(&app).await;
        let (other_id, _) = admitted_user(&app).await;
        // Same jti, re-signed with the right key for another sub: not that user's live token.
        let mut claims = claims_of(&token);
        claims["sub"] = json!(other_id.to_string());
        app.schedules(&sign(claims, SECRET))
            .await
            .assert_error(403, "not_admitted");
    }
}

api_test! {
    async fn a_token_whose_session_ended_is_403(backend) {
        let app = spawn_app_for(backend, &crate::helpers::fast_queue_with(&[(
            "APP_QUEUE__ACTIVE_TTL_SECS",
            "1",
        )]))
        .await;
        let (_, token) = admitted_user(&app).await;
        app.schedules(&token).await.assert_status(200);
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        app.schedules(&token)
            .await
            .assert_error(403, "not_admitted");
    }
}
