//! Credentials a node uses. A node names them as n8n does (`credentials: {<type>: {id, name}}`);
//! the engine asks a `CredentialSource` (the server's encrypted store) for the decrypted data
//! and never keeps it beyond the node run that asked.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::run::NodeError;
use crate::workflow::Node;

/// Which stored credential a node refers to: by id, or by name when the id is unknown here
/// (a workflow imported from another n8n keeps the other instance's ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRef {
    pub id: Option<String>,
    pub name: Option<String>,
}

impl CredentialRef {
    /// The reference `node` holds for `credential_type`, if it holds one.
    pub fn of(node: &Node, credential_type: &str) -> Option<Self> {
        let entry = node.extra.get("credentials")?.get(credential_type)?;
        let text = |key: &str| {
            entry
                .get(key)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let reference = match entry {
            // Very old exports name the credential with a bare string.
            Value::String(name) if !name.trim().is_empty() => Self {
                id: None,
                name: Some(name.trim().to_owned()),
            },
            _ => Self {
                id: text("id"),
                name: text("name"),
            },
        };
        (reference.id.is_some() || reference.name.is_some()).then_some(reference)
    }
}

/// The data of a credential, or why it cannot be had.
pub type CredentialFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Map<String, Value>, String>> + Send + 'a>>;

/// Where decrypted credential data comes from; the server implements it over its store.
pub trait CredentialSource: Send + Sync {
    /// The data of the credential `reference` names, which must be of `credential_type`;
    /// the error says why it cannot be had (missing, another type, undecryptable).
    fn get<'a>(
        &'a self,
        reference: &'a CredentialRef,
        credential_type: &'a str,
    ) -> CredentialFuture<'a>;
}

/// The credential source of a run, if it has one.
#[derive(Clone, Default)]
pub struct Credentials(pub Option<Arc<dyn CredentialSource>>);

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Credentials(store)"
        } else {
            "Credentials(none)"
        })
    }
}

impl Credentials {
    /// The decrypted data of `node`'s credential of `credential_type`.
    pub async fn for_node(
        &self,
        node: &Node,
        credential_type: &str,
    ) -> Result<Map<String, Value>, NodeError> {
        let Some(reference) = CredentialRef::of(node, credential_type) else {
            return Err(NodeError::new(format!(
                "Node \"{}\" does not have any credentials of type \"{credential_type}\" set",
                node.name
            )));
        };
        let Some(source) = self.0.as_ref() else {
            return Err(NodeError::new(
                "This run has no credential store; stored credentials cannot be used here",
            ));
        };
        source
            .get(&reference, credential_type)
            .await
            .map_err(NodeError::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(credentials: Value) -> Node {
        serde_json::from_value(json!({
            "name": "N", "type": "x", "typeVersion": 1, "credentials": credentials
        }))
        .unwrap()
    }

    #[test]
    fn a_node_names_its_credential_by_id_and_name_or_by_a_bare_name() {
        let n = node(json!({"httpBasicAuth": {"id": "7", "name": "Ops"}}));
        assert_eq!(
            CredentialRef::of(&n, "httpBasicAuth"),
            Some(CredentialRef {
                id: Some("7".into()),
                name: Some("Ops".into())
            })
        );
        assert_eq!(CredentialRef::of(&n, "jwtAuth"), None);
        let old = node(json!({"httpHeaderAuth": "Key"}));
        assert_eq!(
            CredentialRef::of(&old, "httpHeaderAuth").unwrap().name,
            Some("Key".into())
        );
        assert_eq!(
            CredentialRef::of(&node(json!({"jwtAuth": {"id": " "}})), "jwtAuth"),
            None
        );
    }
}
