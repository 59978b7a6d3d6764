use crate::helpers::spawn_app;

#[tokio::test]
async fn balance_of_a_new_user_is_zero() {
    let app = spawn_app().await;
    let user_id = app.create_user("Lee").await;
    let body = app.balance(user_id).await;
    let body = body.assert_status(200);
    assert_eq!(body["userId"], user_id);
    assert_eq!(body["amount"], 0);
}

#[tokio::test]
async fn balance_of_an_unknown_user_is_404() {
    let app = spawn_app().await;
    app.balance(999_999)
        .await
        .assert_error(404, "user_not_found");
}

#[tokio::test]
async fn balance_refuses_ids_that_are_not_positive_integers() {
    let app = spawn_app().await;
    for id in ["abc", "0", "-3", "1.5", "99999999999999999999"] {
        app.get(&format!("/api/point/{id}"))
            .await
            .assert_error(400, "invalid_request");
    }
}
