//! `/api/v1/credentials`: store, list, rename or re-key, and delete credentials (n8n's public
//! API shape), and read a type's schema. Data goes in encrypted and never comes back out.

mod create;
mod delete;
mod get;
mod list;
mod schema;
mod share;
mod update;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::error::ApiError;
use crate::api::time::iso;
use crate::state::AppState;
use crate::store::credentials::{Cipher, CredentialRecord};

pub fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(create::create_credential)
        .service(list::list_credentials)
        .service(schema::credential_schema)
        .service(share::get_credential_shares)
        .service(share::share_credential)
        .service(get::get_credential)
        .service(update::update_credential)
        .service(delete::delete_credential);
}

/// A credential as the API shows it: never its data.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CredentialResponse {
    pub id: String,
    #[schema(example = "Partner webhook")]
    pub name: String,
    #[serde(rename = "type")]
    #[schema(example = "httpHeaderAuth")]
    pub credential_type: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<CredentialRecord> for CredentialResponse {
    fn from(c: CredentialRecord) -> Self {
        Self {
            id: c.id.to_string(),
            name: c.name,
            credential_type: c.credential_type,
            created_at: iso(c.created_at),
            updated_at: iso(c.updated_at),
        }
    }
}

/// The body of a credential create.
// No `Debug`: it holds secrets.
#[derive(Deserialize, ToSchema)]
pub struct CredentialWrite {
    /// 1 to 128 characters once leading and trailing whitespace is trimmed, no control characters.
    #[schema(
        pattern = r"^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f](?:[^\u0000-\u001f\u007f-\u009f]{0,126}[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f])?[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$",
        example = "Partner webhook"
    )]
    pub name: String,
    /// One of httpBasicAuth, httpHeaderAuth, httpBearerAuth, httpQueryAuth, crypto, jwtAuth.
    #[serde(rename = "type")]
    #[schema(example = "httpHeaderAuth")]
    pub credential_type: String,
    /// The secret fields of the type (see `GET /credentials/schema/{type}`).
    #[schema(value_type = Object, example = json!({"name": "X-Api-Key", "value": "…"}))]
    pub data: serde_json::Value,
}

/// A page of credentials.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CredentialList {
    pub data: Vec<CredentialResponse>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// The cipher, or why credentials cannot be written or read on this server.
fn cipher(state: &AppState) -> Result<&Cipher, ApiError> {
    state.cipher.as_deref().ok_or_else(|| {
        ApiError::Unavailable(
            "credentials need an encryption key: set WEFT_ENCRYPTION_KEY (the same on every instance) and restart".into(),
        )
    })
}
