//! Queue tokens: HS256 JWTs with `sub` (user id), `jti`, `iat`, `exp`, `iss` = boxoffice
//! and `typ` = queue. Signing is deterministic, so the hot store keeps only the claims.

use std::sync::Arc;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::Secret;
use crate::store::queue::TokenRecord;

pub const ISSUER: &str = "boxoffice";
pub const TOKEN_TYPE: &str = "queue";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    jti: Uuid,
    iat: i64,
    exp: i64,
    iss: String,
    typ: String,
}

/// Why a presented token was refused.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the queue token is missing")]
    Missing,
    #[error("the queue token is invalid: {0}")]
    Invalid(String),
    #[error("the token is not a queue token")]
    WrongType,
}

/// The verified claims of a queue token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueClaims {
    pub user_id: i64,
    pub jti: Uuid,
}

/// Signs and verifies queue tokens with one HS256 key. Cheap to clone (one `Arc`): it is
/// cloned with the app state on every request.
#[derive(Clone)]
pub struct QueueTokens {
    keys: Arc<Keys>,
}

struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl QueueTokens {
    pub fn new(secret: &Secret) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss"]);
        validation.leeway = 0;
        Self {
            keys: Arc::new(Keys {
                encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
                decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
                validation,
            }),
        }
    }

    /// The JWT of a stored token record. The same record always gives the same string.
    pub fn sign(&self, user_id: i64, record: &TokenRecord) -> String {
        let claims = Claims {
            sub: user_id.to_string(),
            jti: record.jti,
            iat: record.issued_at,
            exp: record.expires_at,
            iss: ISSUER.to_owned(),
            typ: TOKEN_TYPE.to_owned(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.keys.encoding)
            .expect("HS256 signing of plain claims cannot fail")
    }

    /// Checks signature, algorithm (HS256 only, so `alg: none` fails), issuer, type and
    /// expiry.
    ///
    /// # Errors
    /// `TokenError` naming what is wrong.
    pub fn verify(&self, token: &str) -> Result<QueueClaims, TokenError> {
        let data =
            jsonwebtoken::decode::<Claims>(token, &self.keys.decoding, &self.keys.validation)
                .map_err(|e| TokenError::Invalid(e.to_string()))?;
        if data.claims.typ != TOKEN_TYPE {
            return Err(TokenError::WrongType);
        }
        let user_id = data
            .claims
            .sub
            .parse::<i64>()
            .map_err(|_| TokenError::Invalid("sub is not a user id".into()))?;
        Ok(QueueClaims {
            user_id,
            jti: data.claims.jti,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> QueueTokens {
        QueueTokens::new(&Secret::new("k"))
    }

    fn record(expires_in: i64) -> TokenRecord {
        let now = chrono::Utc::now().timestamp();
        TokenRecord {
            jti: Uuid::new_v4(),
            issued_at: now,
            expires_at: now + expires_in,
        }
    }

    #[test]
    fn a_signed_token_verifies_and_signing_is_deterministic() {
        let record = record(60);
        let token = tokens().sign(7, &record);
        assert_eq!(token, tokens().sign(7, &record));
        assert_eq!(
            tokens().verify(&token).unwrap(),
            QueueClaims {
                user_id: 7,
                jti: record.jti
            }
        );
    }

    #[test]
    fn expired_and_foreign_tokens_are_refused() {
        assert!(tokens().verify(&tokens().sign(7, &record(-5))).is_err());
        let other = QueueTokens::new(&Secret::new("other"));
        assert!(tokens().verify(&other.sign(7, &record(60))).is_err());
        assert!(tokens().verify("not.a.jwt").is_err());
    }
}
