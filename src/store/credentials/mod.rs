//! Credential repository: named secrets of a known type, stored encrypted (`cipher`) and never
//! read back through the API; nodes and webhooks get the decrypted data through `resolve`.

pub mod cipher;
mod create;
mod delete;
mod get;
mod list;
mod resolve;
pub mod transfer;
pub mod types;
mod update;

use chrono::{DateTime, Utc};
use entity::credential;
use serde_json::{Map, Value};
use uuid::Uuid;

pub use cipher::Cipher;
pub use create::create;
pub use delete::delete;
pub use get::get;
pub use list::{list, list_query};
pub use resolve::resolve;
pub use update::{CredentialPatch, update};

use crate::store::StoreError;

/// What the API may show of a credential: never its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRecord {
    pub id: Uuid,
    pub name: String,
    pub credential_type: String,
    /// The user it belongs to (`None`: made before users existed).
    pub owner_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<credential::Model> for CredentialRecord {
    fn from(m: credential::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            credential_type: m.credential_type,
            owner_id: m.owner_id,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A credential as written: a name, a known type and data that suits it.
#[derive(Clone)]
pub struct NewCredential {
    name: String,
    credential_type: &'static types::CredentialType,
    data: Map<String, Value>,
}

impl std::fmt::Debug for NewCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewCredential")
            .field("name", &self.name)
            .field("type", &self.credential_type.name)
            .finish_non_exhaustive()
    }
}

/// Names: trimmed, 1 to 128 characters.
pub fn parse_name(raw: &str) -> Result<String, (String, String)> {
    let name = raw.trim();
    let bad = |m: &str| ("name".to_owned(), m.to_owned());
    if name.is_empty() {
        return Err(bad("must not be empty"));
    }
    if name.chars().count() > 128 {
        return Err(bad("must be at most 128 characters"));
    }
    if name.chars().any(char::is_control) {
        return Err(bad("must not contain control characters"));
    }
    Ok(name.to_owned())
}

pub fn parse_type(raw: &str) -> Result<&'static types::CredentialType, (String, String)> {
    types::find(raw).ok_or_else(|| {
        (
            "type".to_owned(),
            format!(
                "{raw:?} is not a credential type this server stores ({})",
                types::names().join(", ")
            ),
        )
    })
}

impl NewCredential {
    /// Checks every field at once, so one answer lists every problem.
    pub fn parse(name: &str, credential_type: &str, data: &Value) -> Result<Self, StoreError> {
        let mut problems = Vec::new();
        let name = parse_name(name).map_err(|p| problems.push(p)).ok();
        let credential_type = parse_type(credential_type)
            .map_err(|p| problems.push(p))
            .ok();
        let data = credential_type.and_then(|t| t.check(data).map_err(|p| problems.extend(p)).ok());
        match (name, credential_type, data) {
            (Some(name), Some(credential_type), Some(data)) if problems.is_empty() => Ok(Self {
                name,
                credential_type,
                data,
            }),
            _ => Err(StoreError::Invalid(problems)),
        }
    }
}

fn not_found(id: Uuid) -> StoreError {
    StoreError::NotFound {
        entity: "credential",
        id: id.to_string(),
    }
}

/// Encrypts `data` for the credential `id`.
fn seal(cipher: &Cipher, id: Uuid, data: &Map<String, Value>) -> Result<Vec<u8>, StoreError> {
    let plain = serde_json::to_vec(data).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    cipher
        .seal(id, &plain)
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Decrypts a stored credential's data.
fn open(cipher: &Cipher, model: &credential::Model) -> Result<Map<String, Value>, StoreError> {
    let plain = cipher
        .open(model.id, &model.data)
        .map_err(|e| StoreError::Corrupt(format!("credential {}: {e}", model.id)))?;
    serde_json::from_slice(&plain)
        .map_err(|e| StoreError::Corrupt(format!("credential {}: {e}", model.id)))
}
