//! The credential types this server stores, their fields, and checking a credential's data
//! against its type before it is encrypted (n8n's names, so exported workflows refer to them).

use serde_json::{Map, Value, json};

/// One field of a credential type.
struct Field {
    name: &'static str,
    required: bool,
    /// Allowed values, when the field is a choice.
    choices: &'static [&'static str],
}

const fn text(name: &'static str) -> Field {
    Field {
        name,
        required: true,
        choices: &[],
    }
}

const fn optional(name: &'static str) -> Field {
    Field {
        name,
        required: false,
        choices: &[],
    }
}

const fn choice(name: &'static str, choices: &'static [&'static str]) -> Field {
    Field {
        name,
        required: false,
        choices,
    }
}

/// A credential type: its n8n name and fields.
pub struct CredentialType {
    pub name: &'static str,
    fields: &'static [Field],
}

pub const TYPES: &[CredentialType] = &[
    CredentialType {
        name: "httpBasicAuth",
        fields: &[text("user"), text("password")],
    },
    CredentialType {
        name: "httpHeaderAuth",
        fields: &[text("name"), text("value")],
    },
    CredentialType {
        name: "httpBearerAuth",
        fields: &[text("token")],
    },
    CredentialType {
        name: "httpQueryAuth",
        fields: &[text("name"), text("value")],
    },
    CredentialType {
        name: "crypto",
        fields: &[
            optional("hmacSecret"),
            optional("signPrivateKey"),
            optional("encryptionPassphrase"),
            optional("encryptionPublicKey"),
            optional("encryptionPrivateKey"),
        ],
    },
    CredentialType {
        name: "jwtAuth",
        fields: &[
            choice("keyType", &["passphrase", "pemKey"]),
            optional("secret"),
            optional("privateKey"),
            optional("publicKey"),
            choice("algorithm", weft_nodes::jwt::ALGORITHMS),
        ],
    },
];

/// Largest accepted credential data, as JSON.
pub const MAX_DATA_BYTES: usize = 64 * 1024;

/// The type named `name`, if this server stores it.
pub fn find(name: &str) -> Option<&'static CredentialType> {
    TYPES.iter().find(|t| t.name == name)
}

pub fn names() -> Vec<&'static str> {
    TYPES.iter().map(|t| t.name).collect()
}

impl CredentialType {
    /// Checks `data` for this type: an object of strings with every required field and no
    /// unknown one; each problem as `(field path, message)`.
    pub fn check(&self, data: &Value) -> Result<Map<String, Value>, Vec<(String, String)>> {
        let Value::Object(map) = data else {
            return Err(vec![("data".into(), "must be an object".into())]);
        };
        let mut problems = Vec::new();
        for (key, value) in map {
            let path = format!("data.{key}");
            let Some(field) = self.fields.iter().find(|f| f.name == key) else {
                problems.push((path, format!("is not a field of {}", self.name)));
                continue;
            };
            match value {
                Value::String(s)
                    if !field.choices.is_empty() && !field.choices.contains(&s.as_str()) =>
                {
                    problems.push((path, format!("must be one of {}", field.choices.join(", "))));
                }
                Value::String(_) => {}
                _ => problems.push((path, "must be a string".into())),
            }
        }
        for field in self.fields.iter().filter(|f| f.required) {
            let present = map
                .get(field.name)
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty());
            if !present
                && !problems
                    .iter()
                    .any(|(p, _)| p == &format!("data.{}", field.name))
            {
                problems.push((format!("data.{}", field.name), "is required".into()));
            }
        }
        if problems.is_empty()
            && let Err(message) = self.check_meaning(map)
        {
            problems.push(("data".into(), message));
        }
        if serde_json::to_vec(map).map_or(0, |b| b.len()) > MAX_DATA_BYTES {
            problems.push((
                "data".into(),
                format!("must be at most {MAX_DATA_BYTES} bytes of JSON"),
            ));
        }
        if problems.is_empty() {
            Ok(map.clone())
        } else {
            Err(problems)
        }
    }

    /// Checks that go beyond shapes: a header name that is one, keys that parse.
    fn check_meaning(&self, data: &Map<String, Value>) -> Result<(), String> {
        match self.name {
            "httpHeaderAuth" => {
                let name = data.get("name").and_then(Value::as_str).unwrap_or_default();
                actix_web::http::header::HeaderName::try_from(name.trim())
                    .map(drop)
                    .map_err(|_| format!("{name:?} is not an HTTP header name"))
            }
            "jwtAuth" => weft_nodes::jwt::JwtCredential::parse(data).map(drop),
            _ => Ok(()),
        }
    }

    /// The JSON schema of this type's data (`GET /credentials/schema/{type}`).
    pub fn schema(&self) -> Value {
        let mut properties = Map::new();
        for field in self.fields {
            let mut property = json!({"type": "string"});
            if !field.choices.is_empty() {
                property["enum"] = json!(field.choices);
            }
            properties.insert(field.name.into(), property);
        }
        let required: Vec<&str> = self
            .fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.name)
            .collect();
        json!({
            "type": "object",
            "additionalProperties": false,
            "properties": properties,
            "required": required,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_checked_against_its_type() {
        let basic = find("httpBasicAuth").unwrap();
        assert!(basic.check(&json!({"user": "a", "password": "b"})).is_ok());
        let problems = basic.check(&json!({"user": 1, "extra": "x"})).unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["data.user", "data.extra", "data.password"]);
        let header = find("httpHeaderAuth").unwrap();
        assert!(
            header
                .check(&json!({"name": "bad name", "value": "v"}))
                .is_err()
        );
        let jwt = find("jwtAuth").unwrap();
        assert!(
            jwt.check(&json!({"keyType": "passphrase", "secret": "s"}))
                .is_ok()
        );
        assert!(jwt.check(&json!({"keyType": "passphrase"})).is_err());
        assert!(
            jwt.check(&json!({"algorithm": "ES512", "secret": "s"}))
                .is_err()
        );
        assert!(find("oAuth2Api").is_none());
    }

    #[test]
    fn a_schema_lists_fields_required_ones_and_choices() {
        let schema = find("jwtAuth").unwrap().schema();
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["properties"]["keyType"]["enum"][1], "pemKey");
        assert_eq!(
            find("httpBasicAuth").unwrap().schema()["required"],
            json!(["user", "password"])
        );
    }
}
