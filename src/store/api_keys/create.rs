//! Creates an API key for a user: the key is made here and returned once.

use chrono::{DateTime, Utc};
use entity::api_key;
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;

use super::ApiKeyRecord;
use crate::auth::{ApiKeySecret, Scopes};
use crate::db::Db;
use crate::store::{StoreError, new_id, now};

#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub user_id: Uuid,
    pub label: String,
    pub scopes: Scopes,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Stores a new key for `new.user_id` and returns it with the key itself (shown once).
pub async fn create(db: &Db, new: &NewApiKey) -> Result<(ApiKeyRecord, ApiKeySecret), StoreError> {
    let secret = ApiKeySecret::generate()
        .map_err(|e| StoreError::Rule(format!("no random numbers for a key: {e}")))?;
    let model = api_key::ActiveModel {
        id: Set(new_id()),
        user_id: Set(new.user_id),
        label: Set(new.label.clone()),
        prefix: Set(secret.prefix().to_owned()),
        key_hash: Set(secret.hash()),
        scopes: Set(serde_json::json!(new.scopes.names())),
        created_at: Set(now()),
        last_used_at: Set(None),
        expires_at: Set(new.expires_at),
    }
    .insert(db.writer())
    .await?;
    Ok((model.try_into()?, secret))
}
