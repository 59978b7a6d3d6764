//! Who may act for `{userId}`: with `trust` the path is taken as given (the seed's
//! behaviour); with `jwt` an HS256 identity JWT whose `sub` is that user id is required.

use axum::http::HeaderMap;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use crate::config::{AuthSettings, IdentityMode};
use crate::error::AppError;

#[derive(Deserialize)]
struct IdentityClaims {
    sub: String,
}

/// Checks identities per the configured mode. Cheap to clone.
#[derive(Clone)]
pub struct Identities {
    verifier: Option<(DecodingKey, Validation)>,
}

impl Identities {
    pub fn new(settings: &AuthSettings) -> Self {
        let verifier = (settings.identity == IdentityMode::Jwt).then(|| {
            let mut validation = Validation::new(Algorithm::HS256);
            validation.set_required_spec_claims(&["exp", "sub"]);
            validation.leeway = 0;
            (
                DecodingKey::from_secret(settings.identity_secret.expose().as_bytes()),
                validation,
            )
        });
        Self { verifier }
    }

    /// Succeeds when the request may act for `user_id`.
    ///
    /// # Errors
    /// 401 `invalid_token` without a valid identity; 403 `forbidden` for another user.
    pub fn authorize(&self, headers: &HeaderMap, user_id: i64) -> Result<(), AppError> {
        let Some((key, validation)) = &self.verifier else {
            return Ok(());
        };
        let token = super::bearer(headers)
            .ok_or_else(|| AppError::InvalidToken("an identity token is required".into()))?;
        let claims = jsonwebtoken::decode::<IdentityClaims>(token, key, validation)
            .map_err(|e| AppError::InvalidToken(format!("the identity token is invalid: {e}")))?
            .claims;
        if claims.sub == user_id.to_string() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}
