//! Roles of users and the scopes an API key can be limited to.

use std::collections::BTreeSet;
use std::fmt;

/// A user's role: the owner (one, made first), admins, members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Owner,
    Admin,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    /// Also accepts n8n's names (`global:owner`, …).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.strip_prefix("global:").unwrap_or(raw) {
            "owner" => Some(Role::Owner),
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing an API key may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    WorkflowRead,
    WorkflowWrite,
    WorkflowExecute,
    ExecutionRead,
    ExecutionWrite,
    CredentialRead,
    CredentialWrite,
    TagRead,
    TagWrite,
    UserRead,
    UserWrite,
    VariableRead,
    VariableWrite,
}

impl Scope {
    pub const ALL: [Scope; 13] = [
        Scope::WorkflowRead,
        Scope::WorkflowWrite,
        Scope::WorkflowExecute,
        Scope::ExecutionRead,
        Scope::ExecutionWrite,
        Scope::CredentialRead,
        Scope::CredentialWrite,
        Scope::TagRead,
        Scope::TagWrite,
        Scope::UserRead,
        Scope::UserWrite,
        Scope::VariableRead,
        Scope::VariableWrite,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::WorkflowRead => "workflow:read",
            Scope::WorkflowWrite => "workflow:write",
            Scope::WorkflowExecute => "workflow:execute",
            Scope::ExecutionRead => "execution:read",
            Scope::ExecutionWrite => "execution:write",
            Scope::CredentialRead => "credential:read",
            Scope::CredentialWrite => "credential:write",
            Scope::TagRead => "tag:read",
            Scope::TagWrite => "tag:write",
            Scope::UserRead => "user:read",
            Scope::UserWrite => "user:write",
            Scope::VariableRead => "variable:read",
            Scope::VariableWrite => "variable:write",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The scopes of a key: all of them, or a set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scopes {
    All,
    Only(BTreeSet<Scope>),
}

impl Scopes {
    pub fn allows(&self, scope: Scope) -> bool {
        match self {
            Scopes::All => true,
            Scopes::Only(set) => set.contains(&scope),
        }
    }

    /// Parses scope names: `*` (all), `resource:*` (every scope of a resource) or one scope.
    /// An empty list is refused: a key that can do nothing is a mistake.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Self, String> {
        if names.is_empty() {
            return Err("at least one scope is needed (\"*\" for all)".into());
        }
        let mut set = BTreeSet::new();
        for name in names {
            let name = name.as_ref().trim();
            if name == "*" {
                return Ok(Scopes::All);
            }
            let found: Vec<Scope> = match name.strip_suffix(":*") {
                Some(resource) => Scope::ALL
                    .into_iter()
                    .filter(|s| s.as_str().split(':').next() == Some(resource))
                    .collect(),
                None => Scope::ALL
                    .into_iter()
                    .filter(|s| s.as_str() == name)
                    .collect(),
            };
            if found.is_empty() {
                return Err(format!(
                    "{name:?} is not a scope; use \"*\", a resource with \":*\", or one of {}",
                    Scope::ALL.map(Scope::as_str).join(", ")
                ));
            }
            set.extend(found);
        }
        Ok(if set.len() == Scope::ALL.len() {
            Scopes::All
        } else {
            Scopes::Only(set)
        })
    }

    /// The names as stored and shown: `["*"]` or each scope.
    pub fn names(&self) -> Vec<String> {
        match self {
            Scopes::All => vec!["*".into()],
            Scopes::Only(set) => set.iter().map(|s| s.as_str().to_owned()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Scope, Scopes};

    #[test]
    fn scope_names_wildcards_and_mistakes_parse_as_documented() {
        assert_eq!(Scopes::parse(&["*"]), Ok(Scopes::All));
        let tags = Scopes::parse(&["tag:*", "workflow:read"]).expect("valid");
        assert!(tags.allows(Scope::TagRead) && tags.allows(Scope::TagWrite));
        assert!(tags.allows(Scope::WorkflowRead) && !tags.allows(Scope::WorkflowWrite));
        assert_eq!(tags.names(), vec!["workflow:read", "tag:read", "tag:write"]);
        assert!(Scopes::parse::<&str>(&[]).is_err());
        assert!(
            Scopes::parse(&["workflow:fly"])
                .unwrap_err()
                .contains("not a scope")
        );
        assert!(Scopes::parse(&["nothing:*"]).is_err());
        let every: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(Scopes::parse(&every), Ok(Scopes::All));
    }
}
