//! Tag repository: named labels, unique by name.

mod create;
mod delete;
mod get;
mod list;
mod update;

use chrono::{DateTime, Utc};
use entity::tag;
use uuid::Uuid;

pub use create::create;
pub use delete::delete;
pub use get::get;
pub use list::{list, list_query};
pub use update::rename;

use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRecord {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<tag::Model> for TagRecord {
    fn from(m: tag::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A tag name: trimmed, 1 to 24 characters (n8n's limit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagName(String);

impl TagName {
    pub const MAX_CHARS: usize = 24;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err("must not be empty".into());
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        if name.chars().any(char::is_control) {
            return Err("must not contain control characters".into());
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn not_found(id: Uuid) -> StoreError {
    StoreError::NotFound {
        entity: "tag",
        id: id.to_string(),
    }
}

fn name_taken(name: &TagName) -> impl FnOnce(StoreError) -> StoreError + '_ {
    move |err| match err {
        StoreError::Conflict(_) => {
            StoreError::Conflict(format!("a tag named {:?} already exists", name.as_str()))
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::TagName;

    #[test]
    fn tag_names_are_trimmed_and_bounded() {
        assert_eq!(TagName::parse(" prod ").unwrap().as_str(), "prod");
        assert!(TagName::parse("").is_err());
        assert!(TagName::parse(&"x".repeat(25)).is_err());
        assert!(TagName::parse(&"x".repeat(24)).is_ok());
    }
}
