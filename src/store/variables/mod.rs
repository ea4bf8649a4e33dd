//! Variable repository: key/value strings every workflow reads as `$vars.<key>`; keys unique.

mod all;
mod create;
mod delete;
mod list;
mod update;

use chrono::{DateTime, Utc};
use entity::variable;
use uuid::Uuid;

pub use all::all;
pub use create::create;
pub use delete::delete;
pub use list::list;
pub use update::update;

use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableRecord {
    pub id: Uuid,
    pub key: String,
    pub value: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<variable::Model> for VariableRecord {
    fn from(m: variable::Model) -> Self {
        Self {
            id: m.id,
            key: m.key,
            value: m.value,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A variable as written: a key of letters, digits and underscores (not starting with a
/// digit, so `$vars.KEY` is valid JavaScript), at most 50 characters, and a value of at most
/// 1,000 characters (n8n's rules and messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVariable {
    key: String,
    value: String,
}

impl NewVariable {
    pub const KEY_MAX: usize = 50;
    pub const VALUE_MAX: usize = 1000;

    /// `(field, message)` for the first rule broken, as n8n reports one.
    pub fn parse(key: &str, value: &str) -> Result<Self, (&'static str, String)> {
        if key.is_empty() {
            return Err(("key", "key must be at least 1 character long".into()));
        }
        if key.chars().count() > Self::KEY_MAX {
            return Err(("key", "key cannot be longer than 50 characters".into()));
        }
        let mut chars = key.chars();
        let first_ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err((
                "key",
                "key can only contain letters, numbers (not as first character), and underscores (A-Za-z0-9_)".into(),
            ));
        }
        if value.chars().count() > Self::VALUE_MAX {
            return Err((
                "value",
                "value cannot be longer than 1000 characters".into(),
            ));
        }
        Ok(Self {
            key: key.to_owned(),
            value: value.to_owned(),
        })
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn value(&self) -> &str {
        &self.value
    }
}

fn not_found(id: Uuid) -> StoreError {
    StoreError::NotFound {
        entity: "variable",
        id: id.to_string(),
    }
}

/// A unique-key violation as n8n answers it (400, not a conflict).
fn key_taken(key: &str) -> impl FnOnce(StoreError) -> StoreError + '_ {
    move |err| match err {
        StoreError::Conflict(_) => {
            StoreError::Rule(format!("A variable with key \"{key}\" already exists"))
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::NewVariable;

    #[test]
    fn keys_are_identifiers_of_at_most_50_characters_and_values_at_most_1000() {
        assert!(NewVariable::parse("API_BASE", "x").is_ok());
        assert!(NewVariable::parse("_private2", "").is_ok());
        assert!(NewVariable::parse(&"k".repeat(50), &"v".repeat(1000)).is_ok());
        assert_eq!(NewVariable::parse("", "x").unwrap_err().0, "key");
        assert_eq!(
            NewVariable::parse(&"k".repeat(51), "x").unwrap_err().0,
            "key"
        );
        assert_eq!(NewVariable::parse("2fast", "x").unwrap_err().0, "key");
        assert_eq!(NewVariable::parse("a-b", "x").unwrap_err().0, "key");
        assert_eq!(NewVariable::parse("ключ", "x").unwrap_err().0, "key");
        assert_eq!(
            NewVariable::parse("ok", &"v".repeat(1001)).unwrap_err().0,
            "value"
        );
    }
}
