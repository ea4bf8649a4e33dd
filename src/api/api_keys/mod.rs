//! `/api/v1/api-keys`: the caller's own API keys — list, create (the key shown once), revoke.

mod create;
mod delete;
mod list;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::time::iso;
use crate::store::api_keys::ApiKeyRecord;

pub fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list::list_api_keys)
        .service(create::create_api_key)
        .service(delete::delete_api_key);
}

/// An API key as listed: never the key itself.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyResponse {
    pub id: String,
    pub label: String,
    /// The key's public part (the 12 characters after `weft_`).
    pub prefix: String,
    /// `["*"]` or the scopes the key has.
    pub scopes: Vec<String>,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
}

impl From<ApiKeyRecord> for ApiKeyResponse {
    fn from(k: ApiKeyRecord) -> Self {
        Self {
            id: k.id.to_string(),
            label: k.label,
            prefix: k.prefix,
            scopes: k.scopes.names(),
            created_at: iso(k.created_at),
            last_used_at: k.last_used_at.map(iso),
            expires_at: k.expires_at.map(iso),
        }
    }
}

/// A new key: as listed, plus the key itself, shown this once.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub key: ApiKeyResponse,
    /// Send it as `X-N8N-API-KEY`. It cannot be shown again.
    pub api_key: String,
}

/// The body of a key creation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyCreate {
    /// 1 to 100 characters, no control characters.
    #[schema(
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]{1,100}$",
        example = "CI deploys"
    )]
    pub label: String,
    /// `*` (every scope, the default), a resource with `:*`, or single scopes.
    #[schema(min_items = 1, example = json!(["workflow:read", "workflow:execute"]))]
    #[serde(default)]
    pub scopes: Option<Vec<ScopeName>>,
    /// Days until the key stops working (1 to 3650); absent: it does not expire.
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 3650)]
    #[serde(default)]
    pub expires_in_days: Option<f64>,
}

/// One scope name: `*` (all), a resource with `:*`, or one scope.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
pub enum ScopeName {
    #[serde(rename = "*")]
    All,
    #[serde(rename = "workflow:*")]
    Workflow,
    #[serde(rename = "workflow:read")]
    WorkflowRead,
    #[serde(rename = "workflow:write")]
    WorkflowWrite,
    #[serde(rename = "workflow:execute")]
    WorkflowExecute,
    #[serde(rename = "execution:*")]
    Execution,
    #[serde(rename = "execution:read")]
    ExecutionRead,
    #[serde(rename = "execution:write")]
    ExecutionWrite,
    #[serde(rename = "credential:*")]
    Credential,
    #[serde(rename = "credential:read")]
    CredentialRead,
    #[serde(rename = "credential:write")]
    CredentialWrite,
    #[serde(rename = "tag:*")]
    Tag,
    #[serde(rename = "tag:read")]
    TagRead,
    #[serde(rename = "tag:write")]
    TagWrite,
    #[serde(rename = "user:*")]
    User,
    #[serde(rename = "user:read")]
    UserRead,
    #[serde(rename = "user:write")]
    UserWrite,
}

impl ScopeName {
    /// The name as [`crate::auth::Scopes::parse`] reads it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "*",
            Self::Workflow => "workflow:*",
            Self::WorkflowRead => "workflow:read",
            Self::WorkflowWrite => "workflow:write",
            Self::WorkflowExecute => "workflow:execute",
            Self::Execution => "execution:*",
            Self::ExecutionRead => "execution:read",
            Self::ExecutionWrite => "execution:write",
            Self::Credential => "credential:*",
            Self::CredentialRead => "credential:read",
            Self::CredentialWrite => "credential:write",
            Self::Tag => "tag:*",
            Self::TagRead => "tag:read",
            Self::TagWrite => "tag:write",
            Self::User => "user:*",
            Self::UserRead => "user:read",
            Self::UserWrite => "user:write",
        }
    }
}
