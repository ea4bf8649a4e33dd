//! The decrypted data of the credential a node names: by id, or by name and type when the id
//! is not one of ours (workflows exported from another n8n keep that instance's ids) — only
//! among the credentials the workflow's owner may use.

use entity::credential;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::{Map, Value};
use uuid::Uuid;
use weft_engine::run::CredentialRef;

use super::{Cipher, open};
use crate::db::Db;
use crate::store::access::{Actor, visible_credentials};
use sea_orm::sea_query::Expr;

/// The data, or why it cannot be had, in words for a node error or a log line (never the data).
pub async fn resolve(
    db: &Db,
    cipher: &Cipher,
    reference: &CredentialRef,
    credential_type: &str,
    user: Option<Actor>,
) -> Result<Map<String, Value>, String> {
    let failed = |e: sea_orm::DbErr| format!("credentials could not be read: {e}");
    let limited = user.and_then(Actor::limited_to);
    let usable = |q: sea_orm::Select<credential::Entity>| match limited {
        Some(user) => q.filter(visible_credentials(
            Expr::col((credential::Entity, credential::Column::Id)),
            user,
        )),
        None => q,
    };
    let by_id = match reference.id.as_deref().map(Uuid::parse_str) {
        Some(Ok(id)) => {
            let found = usable(credential::Entity::find_by_id(id))
                .one(db.reader())
                .await
                .map_err(failed)?;
            if found.is_none() && limited.is_some() {
                let exists = credential::Entity::find_by_id(id)
                    .one(db.reader())
                    .await
                    .map_err(failed)?
                    .is_some();
                if exists {
                    return Err(format!(
                        "Credential with ID \"{id}\" is not available to the workflow's owner \
                         (it is neither theirs nor shared with them)"
                    ));
                }
            }
            found
        }
        _ => None,
    };
    let model = match (by_id, &reference.name) {
        (Some(model), _) => model,
        (None, Some(name)) => {
            let mut found = usable(credential::Entity::find())
                .filter(credential::Column::CredentialType.eq(credential_type))
                .filter(credential::Column::Name.eq(name.as_str()))
                .limit(2)
                .all(db.reader())
                .await
                .map_err(failed)?;
            if found.len() > 1 {
                return Err(format!(
                    "Several credentials of type \"{credential_type}\" are named \"{name}\"; refer to one by id"
                ));
            }
            found.pop().ok_or_else(|| {
                format!(
                    "Credential with name \"{name}\" does not exist for type \"{credential_type}\"."
                )
            })?
        }
        (None, None) => {
            return Err(format!(
                "Credential with ID \"{}\" does not exist for type \"{credential_type}\".",
                reference.id.as_deref().unwrap_or_default()
            ));
        }
    };
    if model.credential_type != credential_type {
        return Err(format!(
            "Credential \"{}\" is of type \"{}\", not \"{credential_type}\"",
            model.name, model.credential_type
        ));
    }
    open(cipher, &model).map_err(|e| e.to_string())
}
