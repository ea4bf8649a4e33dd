//! API keys: stored as a public prefix and a hash, listed by label, prefix and last use.

mod create;
mod delete;
mod find;
mod list;

use chrono::{DateTime, Utc};
use entity::api_key;
use uuid::Uuid;

pub use create::{NewApiKey, create};
pub use delete::delete;
pub use find::{find_by_prefix, find_with_user, touch};
pub use list::list_for_user;

use crate::auth::Scopes;
use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    pub id: Uuid,
    pub user_id: Uuid,
    pub label: String,
    pub prefix: String,
    pub key_hash: String,
    pub scopes: Scopes,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl TryFrom<api_key::Model> for ApiKeyRecord {
    type Error = StoreError;

    fn try_from(m: api_key::Model) -> Result<Self, StoreError> {
        let names: Vec<String> = serde_json::from_value(m.scopes.clone())
            .map_err(|e| StoreError::Corrupt(format!("API key {} scopes: {e}", m.id)))?;
        let scopes = Scopes::parse(&names)
            .map_err(|e| StoreError::Corrupt(format!("API key {} scopes: {e}", m.id)))?;
        Ok(Self {
            id: m.id,
            user_id: m.user_id,
            label: m.label,
            prefix: m.prefix,
            key_hash: m.key_hash,
            scopes,
            created_at: m.created_at,
            last_used_at: m.last_used_at,
            expires_at: m.expires_at,
        })
    }
}
