//! Who may act for `{userId}`: with `trust` the path is taken as given (the seed's
//! behaviour); with `jwt` an HS256 identity JWT whose `sub` is that user id is required.

use std::sync::Arc;

use axum::http::HeaderMap;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use crate::config::{AuthSettings, IdentityMode};
use crate::error::AppError;

#[derive(Deserialize)]
struct IdentityClaims {
    sub: String,
}

/// Checks identities per the configured mode. Cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct Identities {
    verifier: Option<Arc<(DecodingKey, Validation)>>,
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
        Self {
            verifier: verifier.map(Arc::new),
        }
    }

    /// The user the request proves to be: `None` in trust mode (anyone may act).
    ///
    /// # Errors
    /// 401 `invalid_token` in jwt mode without a valid identity.
    pub fn caller(&self, headers: &HeaderMap) -> Result<Option<i64>, AppError> {
        let Some(verifier) = &self.verifier else {
            return Ok(None);
        };
        let token = super::bearer(headers)
            .ok_or_else(|| AppError::InvalidToken("an identity token is required".into()))?;
        let (key, validation) = verifier.as_ref();
        let claims = jsonwebtoken::decode::<IdentityClaims>(token, key, validation)
            .map_err(|e| AppError::InvalidToken(format!("the identity token is invalid: {e}")))?
            .claims;
        claims
            .sub
            .parse()
            .map(Some)
            .map_err(|_| AppError::InvalidToken("the identity token's sub is not a user id".into()))
    }

    /// Succeeds when the request may act for `user_id`.
    ///
    /// # Errors
    /// 401 `invalid_token` without a valid identity; 403 `forbidden` for another user.
    pub fn authorize(&self, headers: &HeaderMap, user_id: i64) -> Result<(), AppError> {
        match self.caller(headers)? {
            Some(caller) if caller != user_id => Err(AppError::Forbidden),
            _ => Ok(()),
        }
    }
}
