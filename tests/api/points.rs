use crate::helpers::spawn_app_for;

api_test! {
    async fn balance_of_a_new_user_is_zero(backend) {
        let app = spawn_app_for(backend, &[]).await;
        let user_id = app.create_user("Lee").await;
        let body = app.balance(user_id).await;
        let body = body.assert_status(200);
        assert_eq!(body["userId"], user_id);
        assert_eq!(body["amount"], 0);
    }
}

api_test! {
    async fn balance_of_an_unknown_user_is_404(backend) {
        let app = spawn_app_for(backend, &[]).await;
        app.balance(999_999)
            .await
            .assert_error(404, "user_not_found");
    }
}

api_test! {
    async fn balance_refuses_ids_that_are_not_positive_integers(backend) {
        let app = spawn_app_for(backend, &[]).await;
        for id in ["abc", "0", "-3", "1.5", "99999999999999999999"] {
            app.get(&format!("/api/point/{id}"))
                .await
                .assert_error(400, "invalid_request");
        }
    }
}
