//! Access tokens: HS256 JWTs with `iss`, `aud`, `sub`, `exp`, `iat`, `nbf` and `jti`, checked
//! against exactly that algorithm, issuer and audience (so `alg: none`, another algorithm, a
//! wrong key, an expired or not-yet-valid token and another audience are all refused).

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The `iss` of every token Weft issues.
pub const ISSUER: &str = "weft";
/// The `aud` of an access token to the API.
pub const AUDIENCE: &str = "weft-api";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    pub jti: String,
}

/// Signs and checks access tokens with one secret.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// How long an access token lives, in seconds.
    pub ttl_secs: i64,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenKeys(***, ttl {} s)", self.ttl_secs)
    }
}

/// Why a token was refused (for the log; the caller only hears "unauthorized").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TokenError(pub String);

impl TokenKeys {
    pub fn new(secret: &[u8], ttl_secs: i64) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            ttl_secs,
        }
    }

    /// A new access token for `user`, valid from now for the configured time.
    pub fn issue(&self, user: Uuid, now: i64) -> Result<String, TokenError> {
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: user.to_string(),
            exp: now + self.ttl_secs,
            iat: now,
            nbf: now,
            jti: Uuid::now_v7().to_string(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| TokenError(e.to_string()))
    }

    /// The user a token was issued to, if the token is sound and current.
    pub fn verify(&self, token: &str) -> Result<Uuid, TokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 5;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|e| TokenError(format!("{:?}", e.kind())))?;
        Uuid::try_parse(&data.claims.sub)
            .map_err(|_| TokenError("a subject that is not a user id".into()))
    }
}
