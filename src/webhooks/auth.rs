//! Webhook node authentication (`authentication`: basicAuth, bearerAuth, headerAuth, jwtAuth)
//! against the node's stored credential. Secrets are compared in constant time; refusals are
//! n8n's: plain-text messages with `WWW-Authenticate: Basic realm="Webhook"`.

use actix_web::HttpRequest;
use actix_web::http::header::AUTHORIZATION;

use super::error::WebhookError;
use base64::Engine as _;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use weft_engine::run::CredentialRef;
use weft_engine::workflow::Node;
use weft_nodes::jwt::JwtCredential;

use crate::state::AppState;
use crate::store;

/// What a Webhook node asks of a caller, with the credential already decrypted.
#[derive(Clone)]
pub enum Auth {
    None,
    Basic {
        user: String,
        password: String,
    },
    Bearer(String),
    Header {
        name: String,
        value: String,
    },
    Jwt(Box<JwtCredential>),
    /// The node asks for authentication but its credential cannot be had: every call is
    /// refused (n8n's 500 "No authentication data defined on node!").
    Unusable,
}

/// The authentication `node` asks for, its credential read from the store among those the
/// workflow's owner (`owner`) may use.
pub async fn load(state: &AppState, node: &Node, owner: Option<uuid::Uuid>) -> Auth {
    let kind = node
        .parameters
        .get("authentication")
        .and_then(Value::as_str)
        .unwrap_or("none");
    let credential_type = match kind {
        "none" => return Auth::None,
        "basicAuth" => "httpBasicAuth",
        "bearerAuth" => "httpBearerAuth",
        "headerAuth" => "httpHeaderAuth",
        "jwtAuth" => "jwtAuth",
        _ => return Auth::Unusable,
    };
    let data = match credential(state, node, credential_type, owner).await {
        Ok(data) => data,
        Err(why) => {
            tracing::warn!(node = %node.name, reason = %why, "webhook credential unusable");
            return Auth::Unusable;
        }
    };
    let text = |key: &str| {
        data.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let auth = match kind {
        "basicAuth" => text("user")
            .zip(text("password"))
            .map(|(user, password)| Auth::Basic { user, password }),
        "bearerAuth" => text("token").map(Auth::Bearer),
        "headerAuth" => text("name")
            .zip(text("value"))
            .map(|(name, value)| Auth::Header {
                name: name.trim().to_ascii_lowercase(),
                value,
            }),
        _ => JwtCredential::parse(&data)
            .map(|c| Auth::Jwt(Box::new(c)))
            .ok(),
    };
    auth.unwrap_or(Auth::Unusable)
}

async fn credential(
    state: &AppState,
    node: &Node,
    credential_type: &str,
    owner: Option<uuid::Uuid>,
) -> Result<Map<String, Value>, String> {
    let reference = CredentialRef::of(node, credential_type)
        .ok_or_else(|| format!("no {credential_type} credential is set on the node"))?;
    let cipher = state
        .cipher
        .as_deref()
        .ok_or("no WEFT_ENCRYPTION_KEY is configured")?;
    let user = match owner {
        Some(id) => store::access::actor_of_user(&state.db, id)
            .await
            .map_err(|e| format!("credentials could not be read: {e}"))?,
        None => None,
    };
    store::credentials::resolve(&state.db, cipher, &reference, credential_type, user).await
}

/// n8n's refusal: the status and message as plain text, with a Basic challenge.
fn refuse(status: u16, message: &str) -> WebhookError {
    WebhookError::AuthRefused {
        status,
        message: message.to_owned(),
    }
}

pub fn unauthorized() -> WebhookError {
    refuse(401, "Authorization is required!")
}

pub fn forbidden() -> WebhookError {
    refuse(403, "Authorization data is wrong!")
}

/// Equal, judged without an early exit: both sides are hashed first, so neither the position
/// of the first difference nor the expected length shows in the time taken.
fn same(given: &[u8], expected: &[u8]) -> bool {
    let (a, b) = (Sha256::digest(given), Sha256::digest(expected));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a [u8]> {
    req.headers().get(name).map(|v| v.as_bytes())
}

/// Lets the call through (with the JWT's claims for `jwtAuth`) or answers the refusal.
pub fn check(req: &HttpRequest, auth: &Auth) -> Result<Option<Map<String, Value>>, WebhookError> {
    let authorization = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match auth {
        Auth::None => Ok(None),
        Auth::Unusable => Err(refuse(500, "No authentication data defined on node!")),
        Auth::Basic { user, password } => {
            let Some(encoded) = authorization.and_then(|h| h.strip_prefix("Basic ")) else {
                return Err(unauthorized());
            };
            let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim())
            else {
                return Err(unauthorized());
            };
            // RFC 7617: the user ends at the first colon; the password may hold more.
            let (given_user, given_password) = match decoded.iter().position(|&b| b == b':') {
                Some(i) => (&decoded[..i], &decoded[i + 1..]),
                None => (&decoded[..], &[][..]),
            };
            let user_ok = same(given_user, user.as_bytes());
            let password_ok = same(given_password, password.as_bytes());
            if user_ok & password_ok {
                Ok(None)
            } else {
                Err(forbidden())
            }
        }
        Auth::Bearer(token) => {
            let expected = format!("Bearer {token}");
            if same(
                header(req, "authorization").unwrap_or_default(),
                expected.as_bytes(),
            ) {
                Ok(None)
            } else {
                Err(forbidden())
            }
        }
        Auth::Header { name, value } => match header(req, name) {
            Some(given) if same(given, value.as_bytes()) => Ok(None),
            _ => Err(forbidden()),
        },
        Auth::Jwt(credential) => {
            let token = authorization
                .and_then(|h| h.split(' ').nth(1))
                .filter(|t| !t.is_empty());
            let Some(token) = token else {
                return Err(refuse(401, "No token provided"));
            };
            credential
                .verify(token)
                .map(Some)
                .map_err(|message| refuse(403, &message))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn secrets_compare_equal_only_when_every_byte_matches() {
        assert!(same(b"s3cret", b"s3cret"));
        assert!(!same(b"s3cret", b"s3creT"));
        assert!(!same(b"s3cre", b"s3cret"));
        assert!(!same(b"", b"x"));
    }
}
