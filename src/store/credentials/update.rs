//! Changes a credential's name, type or data. Data sent for the same type is merged into the
//! stored data (so one secret can be rotated alone); a new type needs its whole data.

use entity::credential;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::Value;
use uuid::Uuid;

use super::{Cipher, CredentialRecord, not_found, open, parse_name, parse_type, seal};
use crate::db::Db;
use crate::store::{StoreError, now};

/// No `Debug`: it holds secrets.
#[derive(Default)]
pub struct CredentialPatch {
    pub name: Option<String>,
    pub credential_type: Option<String>,
    pub data: Option<Value>,
}

pub async fn update(
    db: &Db,
    cipher: &Cipher,
    id: Uuid,
    patch: CredentialPatch,
) -> Result<CredentialRecord, StoreError> {
    let current = credential::Entity::find_by_id(id)
        .one(db.writer())
        .await?
        .ok_or_else(|| not_found(id))?;
    let mut problems = Vec::new();
    let name = match &patch.name {
        Some(raw) => parse_name(raw).map_err(|p| problems.push(p)).ok(),
        None => Some(current.name.clone()),
    };
    let type_name = patch
        .credential_type
        .clone()
        .unwrap_or_else(|| current.credential_type.clone());
    let kind = parse_type(&type_name).map_err(|p| problems.push(p)).ok();
    let changes_type = type_name != current.credential_type;
    let data = match (&patch.data, kind) {
        (None, _) if changes_type => {
            problems.push(("data".into(), "is required when the type changes".into()));
            None
        }
        (None, _) | (_, None) => None,
        (Some(sent), Some(kind)) => {
            let whole = match sent {
                Value::Object(fields) if !changes_type => {
                    let mut merged = open(cipher, &current)?;
                    merged.extend(fields.clone());
                    Value::Object(merged)
                }
                other => other.clone(),
            };
            kind.check(&whole).map_err(|p| problems.extend(p)).ok()
        }
    };
    if !problems.is_empty() {
        return Err(StoreError::Invalid(problems));
    }
    let mut model = current.into_active_model();
    if let Some(name) = name {
        model.name = Set(name);
    }
    model.credential_type = Set(type_name);
    if let Some(data) = data {
        model.data = Set(seal(cipher, id, &data)?);
    }
    model.updated_at = Set(now());
    let saved = model.update(db.writer()).await?;
    db.workflow_changed();
    Ok(saved.into())
}
