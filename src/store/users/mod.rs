//! Users: people and their role. The first one is the owner.

mod create;
mod delete;
mod get;
mod list;
mod update;

use chrono::{DateTime, Utc};
use entity::user;
use uuid::Uuid;

pub use create::{NewUser, create, create_first, create_owner_if_none};
pub use delete::delete;
pub use get::{any_exists, by_id_or_email, get, owner, password_hash_by_email};
pub use list::list;
pub use update::{UserChanges, set_disabled, update};

use crate::auth::Role;
use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: Uuid,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub role: Role,
    pub disabled: bool,
    pub has_password: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<user::Model> for UserRecord {
    type Error = StoreError;

    fn try_from(m: user::Model) -> Result<Self, StoreError> {
        let role = Role::parse(&m.role)
            .ok_or_else(|| StoreError::Corrupt(format!("user {} has role {:?}", m.id, m.role)))?;
        Ok(Self {
            id: m.id,
            email: m.email,
            first_name: m.first_name,
            last_name: m.last_name,
            role,
            disabled: m.disabled,
            has_password: m.password_hash.is_some(),
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}
