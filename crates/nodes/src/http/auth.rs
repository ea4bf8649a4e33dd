//! HTTP Request's generic credential authentication (`authentication: genericCredentialType`):
//! Basic, header, bearer and query credentials read from the credential store. Credential
//! headers go only to the origin first asked; a redirect elsewhere drops them.

use base64::Engine as _;
use serde_json::Value;
use weft_engine::run::{NodeContext, NodeError};

use super::request::Prepared;

pub enum Auth {
    Basic { user: String, password: String },
    Header { name: String, value: String },
    Bearer(String),
    Query { name: String, value: String },
}

/// The generic auth types this node can send.
const GENERIC: &[&str] = &[
    "httpBasicAuth",
    "httpHeaderAuth",
    "httpBearerAuth",
    "httpQueryAuth",
];

/// The authentication the node's parameters ask for, its credential read once per node run.
pub async fn load(ctx: &NodeContext<'_>) -> Result<Option<Auth>, NodeError> {
    let kind = ctx.parameter("authentication", 0)?;
    // v1 names the credential type by its own words.
    let v1 = match kind.as_str().unwrap_or("none") {
        "basicAuth" => Some("httpBasicAuth"),
        "headerAuth" => Some("httpHeaderAuth"),
        "queryAuth" => Some("httpQueryAuth"),
        _ => None,
    };
    match kind.as_str().unwrap_or("none") {
        "none" => return Ok(None),
        "genericCredentialType" => {}
        _ if v1.is_some() => {}
        "predefinedCredentialType" => {
            let service = ctx.parameter("nodeCredentialType", 0)?;
            return Err(NodeError::new(format!(
                "Credentials of type \"{}\" are not supported by this server",
                service.as_str().unwrap_or_default()
            ))
            .with_description(format!(
                "Use a generic credential instead: {}",
                GENERIC.join(", ")
            )));
        }
        other => {
            return Err(NodeError::new(format!(
                "Authentication \"{other}\" is not supported by this server"
            )));
        }
    }
    let generic = ctx.parameter("genericAuthType", 0)?;
    let generic = v1.unwrap_or_else(|| generic.as_str().unwrap_or_default());
    if !GENERIC.contains(&generic) {
        return Err(NodeError::new(format!(
            "Generic authentication \"{generic}\" is not supported by this server"
        ))
        .with_description(format!("Supported: {}", GENERIC.join(", "))));
    }
    let data = ctx.credential(generic).await?;
    let field = |key: &str| -> Result<String, NodeError> {
        data.get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| NodeError::new(format!("The {generic} credential has no \"{key}\"")))
    };
    Ok(Some(match generic {
        "httpBasicAuth" => Auth::Basic {
            user: field("user")?,
            password: field("password")?,
        },
        "httpHeaderAuth" => Auth::Header {
            name: field("name")?,
            value: field("value")?,
        },
        "httpBearerAuth" => Auth::Bearer(field("token")?),
        _ => Auth::Query {
            name: field("name")?,
            value: field("value")?,
        },
    }))
}

impl Auth {
    /// Adds the credential to a prepared request.
    pub fn apply(&self, prepared: &mut Prepared) {
        match self {
            Self::Basic { user, password } => {
                let token =
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
                prepared
                    .secret_headers
                    .push(("authorization".into(), format!("Basic {token}")));
            }
            Self::Header { name, value } => {
                prepared.secret_headers.push((name.clone(), value.clone()));
            }
            Self::Bearer(token) => {
                prepared
                    .secret_headers
                    .push(("authorization".into(), format!("Bearer {token}")));
            }
            Self::Query { name, value } => {
                prepared.url.query_pairs_mut().append_pair(name, value);
            }
        }
    }
}
