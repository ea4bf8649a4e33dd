//! Who is asking, and what they may do: roles, API-key scopes, key and password hashing. Pure
//! domain code; the store keeps users and keys, the API checks requests with it.

mod email;
pub mod jwt;
mod keys;
mod password;
mod scopes;

pub use email::{EMAIL_PATTERN, Email, EmailError};
pub use jwt::{TokenError, TokenKeys};
pub use keys::{ApiKeySecret, KeyParseError, random_text};
pub use password::{PasswordError, hash_password, verify_nothing, verify_password};
pub use scopes::{Role, Scope, Scopes};

use uuid::Uuid;

/// An authenticated caller: a user, through an API key (with its scopes) or a session token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: Uuid,
    pub role: Role,
    /// What the credential used allows (an API key's scopes; everything for a session).
    pub scopes: Scopes,
    /// The API key used, if one was.
    pub api_key_id: Option<Uuid>,
}

impl Principal {
    /// Whether the credential allows `scope` (the user's role is checked per resource).
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.allows(scope)
    }
}
