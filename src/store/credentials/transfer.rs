//! Credentials in and out of the instance whole (the operator's `export:credentials` and
//! `import:credentials`): their data sealed as stored, or opened on request.

use chrono::{DateTime, Utc};
use entity::credential;
use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, Set};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{Cipher, open, seal};
use crate::db::Db;
use crate::store::{StoreError, now};

/// A credential with its data, sealed or opened.
#[derive(Clone)]
pub struct Transferred {
    pub id: Uuid,
    pub name: String,
    pub credential_type: String,
    pub data: TransferredData,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Credential data as it travels.
#[derive(Clone)]
pub enum TransferredData {
    /// As stored: encrypted with this instance's key, for its id.
    Sealed(Vec<u8>),
    /// In plain text.
    Open(Map<String, Value>),
}

/// Every credential (or the one `only`), oldest first; opened when `cipher` is given.
pub async fn export(
    db: &Db,
    only: Option<Uuid>,
    cipher: Option<&Cipher>,
) -> Result<Vec<Transferred>, StoreError> {
    let rows = match only {
        Some(id) => credential::Entity::find_by_id(id)
            .one(db.reader())
            .await?
            .into_iter()
            .collect(),
        None => {
            credential::Entity::find()
                .order_by_asc(credential::Column::CreatedAt)
                .order_by_asc(credential::Column::Id)
                .all(db.reader())
                .await?
        }
    };
    rows.into_iter()
        .map(|m| {
            let data = match cipher {
                Some(c) => TransferredData::Open(open(c, &m)?),
                None => TransferredData::Sealed(m.data.clone()),
            };
            Ok(Transferred {
                id: m.id,
                name: m.name,
                credential_type: m.credential_type,
                data,
                created_at: m.created_at,
                updated_at: m.updated_at,
            })
        })
        .collect()
}

/// Writes `c` (replacing a credential with its id, keeping that one's owner); opened data is
/// sealed with `cipher`.
pub async fn import(
    db: &Db,
    cipher: &Cipher,
    c: &Transferred,
    owner: Uuid,
) -> Result<(), StoreError> {
    let data = match &c.data {
        TransferredData::Sealed(bytes) => {
            // Only data sealed by this key for this id can be used: refuse it now, not at run time.
            cipher.open(c.id, bytes).map_err(|_| {
                StoreError::Rule(format!(
                    "credential {} ({:?}): its data was not encrypted with this instance's key \
                     (export it with --decrypted to move it between instances)",
                    c.id, c.name
                ))
            })?;
            bytes.clone()
        }
        TransferredData::Open(map) => seal(cipher, c.id, map)?,
    };
    let existing = credential::Entity::find_by_id(c.id)
        .one(db.writer())
        .await?;
    let model = credential::ActiveModel {
        id: Set(c.id),
        name: Set(c.name.clone()),
        credential_type: Set(c.credential_type.clone()),
        data: Set(data),
        owner_id: Set(existing.as_ref().map_or(Some(owner), |e| e.owner_id)),
        created_at: Set(c.created_at),
        updated_at: Set(if existing.is_some() {
            now()
        } else {
            c.updated_at
        }),
    };
    if existing.is_some() {
        model.update(db.writer()).await?;
    } else {
        model.insert(db.writer()).await?;
    }
    db.workflow_changed();
    Ok(())
}
