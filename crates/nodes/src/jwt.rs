//! JSON Web Tokens with n8n's `jwtAuth` credential: a passphrase (HS*) or PEM keys (RS*, PS*,
//! ES256/384, EdDSA). Signing serves Respond to Webhook's `jwt` mode; verifying serves the
//! Webhook node's JWT authentication. Errors use node-jsonwebtoken's words, as n8n answers them.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value};

/// A parsed `jwtAuth` credential (its `Debug` shows the algorithm, never the keys).
#[derive(Clone)]
pub struct JwtCredential {
    algorithm: Algorithm,
    key: KeyMaterial,
}

#[derive(Clone)]
enum KeyMaterial {
    Passphrase(String),
    Pem {
        private_key: Option<String>,
        public_key: Option<String>,
    },
}

impl std::fmt::Debug for JwtCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtCredential")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// The algorithms a `jwtAuth` credential may name here (n8n also lists ES512 and `none`;
/// neither can be verified safely with this library, so they are refused when saved).
pub const ALGORITHMS: &[&str] = &[
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
    "ES384", "EdDSA",
];

fn text(data: &Map<String, Value>, key: &str) -> Option<String> {
    data.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl JwtCredential {
    /// Reads the credential's data (`keyType`, `secret`, `privateKey`, `publicKey`,
    /// `algorithm`), checking that the keys it holds suit its algorithm.
    pub fn parse(data: &Map<String, Value>) -> Result<Self, String> {
        let name = text(data, "algorithm").unwrap_or_else(|| "HS256".into());
        if !ALGORITHMS.contains(&name.as_str()) {
            return Err(format!(
                "algorithm {name:?} is not supported; use one of {}",
                ALGORITHMS.join(", ")
            ));
        }
        let algorithm: Algorithm = name.parse().map_err(|_| format!("algorithm {name:?}"))?;
        let key_type = text(data, "keyType").unwrap_or_else(|| "passphrase".into());
        let key = match key_type.as_str() {
            "passphrase" => KeyMaterial::Passphrase(
                // A passphrase is used as given, spaces included.
                data.get("secret")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .ok_or("a passphrase key needs `secret`")?
                    .to_owned(),
            ),
            "pemKey" => {
                let private_key = text(data, "privateKey").map(|k| format_pem(&k));
                let public_key = text(data, "publicKey").map(|k| format_pem(&k));
                if private_key.is_none() && public_key.is_none() {
                    return Err("a PEM key needs `privateKey` or `publicKey`".into());
                }
                KeyMaterial::Pem {
                    private_key,
                    public_key,
                }
            }
            other => return Err(format!("keyType {other:?} is not passphrase or pemKey")),
        };
        let credential = Self { algorithm, key };
        let hmac = matches!(
            algorithm,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
        );
        match (&credential.key, hmac) {
            (KeyMaterial::Passphrase(_), false) => {
                return Err(format!("algorithm {name} needs keyType pemKey"));
            }
            (KeyMaterial::Pem { .. }, true) => {
                return Err(format!("algorithm {name} needs keyType passphrase"));
            }
            (
                KeyMaterial::Pem {
                    private_key,
                    public_key,
                },
                false,
            ) => {
                if private_key.is_some() {
                    credential.encoding_key()?;
                }
                if public_key.is_some() {
                    credential.decoding_key()?;
                }
            }
            (KeyMaterial::Passphrase(_), true) => {}
        }
        Ok(credential)
    }

    fn encoding_key(&self) -> Result<EncodingKey, String> {
        let pem = match &self.key {
            KeyMaterial::Passphrase(secret) => {
                return Ok(EncodingKey::from_secret(secret.as_bytes()));
            }
            KeyMaterial::Pem { private_key, .. } => private_key
                .as_deref()
                .ok_or("the credential has no private key to sign with")?
                .as_bytes(),
        };
        match self.algorithm {
            Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_pem(pem),
            Algorithm::EdDSA => EncodingKey::from_ed_pem(pem),
            _ => EncodingKey::from_rsa_pem(pem),
        }
        .map_err(|e| format!("the private key cannot be read: {e}"))
    }

    fn decoding_key(&self) -> Result<DecodingKey, String> {
        let pem = match &self.key {
            KeyMaterial::Passphrase(secret) => {
                return Ok(DecodingKey::from_secret(secret.as_bytes()));
            }
            KeyMaterial::Pem { public_key, .. } => public_key
                .as_deref()
                .ok_or("the credential has no public key to verify with")?
                .as_bytes(),
        };
        match self.algorithm {
            Algorithm::ES256 | Algorithm::ES384 => DecodingKey::from_ec_pem(pem),
            Algorithm::EdDSA => DecodingKey::from_ed_pem(pem),
            _ => DecodingKey::from_rsa_pem(pem),
        }
        .map_err(|e| format!("the public key cannot be read: {e}"))
    }

    /// Signs `payload` as node-jsonwebtoken does: `iat` (seconds) added unless present.
    pub fn sign(&self, payload: &Value) -> Result<String, String> {
        let Value::Object(claims) = payload else {
            return Err("the JWT payload must be a JSON object".into());
        };
        let mut claims = claims.clone();
        if !claims.contains_key("iat") {
            claims.insert("iat".into(), Value::from(chrono::Utc::now().timestamp()));
        }
        jsonwebtoken::encode(&Header::new(self.algorithm), &claims, &self.encoding_key()?)
            .map_err(|e| e.to_string())
    }

    /// The claims of `token` if its signature, algorithm, `exp` and `nbf` hold (no leeway,
    /// no claim required); otherwise node-jsonwebtoken's message for what failed.
    pub fn verify(&self, token: &str) -> Result<Map<String, Value>, String> {
        let key = self.decoding_key()?;
        let mut validation = Validation::new(self.algorithm);
        validation.required_spec_claims.clear();
        validation.leeway = 0;
        validation.validate_aud = false;
        validation.validate_nbf = true;
        jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
            .map(|data| data.claims)
            .map_err(|e| {
                match e.kind() {
                    ErrorKind::InvalidSignature => "invalid signature",
                    ErrorKind::ExpiredSignature => "jwt expired",
                    ErrorKind::ImmatureSignature => "jwt not active",
                    ErrorKind::InvalidAlgorithm => "invalid algorithm",
                    _ => "jwt malformed",
                }
                .to_owned()
            })
    }
}

/// A PEM key pasted on one line (newlines turned into spaces, as forms often do) put back
/// into lines, as n8n's `formatPrivateKey` does; a well-formed key comes back unchanged.
pub fn format_pem(key: &str) -> String {
    let key = key.trim().replace("\\n", "\n");
    if key.contains('\n') || !key.starts_with("-----BEGIN") {
        return key;
    }
    let Some(header_end) = key[5..].find("-----").map(|i| i + 10) else {
        return key;
    };
    let Some(footer_start) = key.rfind("-----END") else {
        return key;
    };
    if footer_start < header_end {
        return key;
    }
    let body: Vec<&str> = key[header_end..footer_start].split_whitespace().collect();
    format!(
        "{}\n{}\n{}",
        &key[..header_end],
        body.join("\n"),
        &key[footer_start..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn credential(data: Value) -> Result<JwtCredential, String> {
        JwtCredential::parse(data.as_object().unwrap())
    }

    #[test]
    fn a_token_signed_with_a_passphrase_verifies_and_carries_iat() {
        let c =
            credential(json!({"keyType": "passphrase", "secret": "s3cret", "algorithm": "HS256"}))
                .unwrap();
        let token = c.sign(&json!({"sub": "42"})).unwrap();
        let claims = c.verify(&token).unwrap();
        assert_eq!(claims["sub"], "42");
        assert!(claims["iat"].is_i64());
        let other = credential(json!({"secret": "other"})).unwrap();
        assert_eq!(other.verify(&token).unwrap_err(), "invalid signature");
        assert_eq!(c.verify("not.a.token").unwrap_err(), "jwt malformed");
    }

    #[test]
    fn expired_and_not_yet_valid_tokens_are_refused_with_n8n_words() {
        let c = credential(json!({"secret": "k"})).unwrap();
        let now = chrono::Utc::now().timestamp();
        let old = c.sign(&json!({"exp": now - 5})).unwrap();
        assert_eq!(c.verify(&old).unwrap_err(), "jwt expired");
        let later = c.sign(&json!({"nbf": now + 600})).unwrap();
        assert_eq!(c.verify(&later).unwrap_err(), "jwt not active");
        let hs512 = credential(json!({"secret": "k", "algorithm": "HS512"})).unwrap();
        let token = hs512.sign(&json!({})).unwrap();
        assert_eq!(c.verify(&token).unwrap_err(), "invalid algorithm");
    }

    #[test]
    fn credentials_that_cannot_work_are_refused_when_read() {
        assert!(credential(json!({"keyType": "passphrase"})).is_err());
        assert!(credential(json!({"secret": "k", "algorithm": "none"})).is_err());
        assert!(credential(json!({"secret": "k", "algorithm": "RS256"})).is_err());
        let bad_pem = credential(json!({
            "keyType": "pemKey", "algorithm": "RS256", "publicKey": "-----BEGIN PUBLIC KEY----- abc -----END PUBLIC KEY-----"
        }));
        assert!(bad_pem.unwrap_err().contains("public key cannot be read"));
    }

    #[test]
    fn a_pem_key_on_one_line_is_put_back_into_lines() {
        let one = "-----BEGIN PUBLIC KEY----- AAA BBB -----END PUBLIC KEY-----";
        assert_eq!(
            format_pem(one),
            "-----BEGIN PUBLIC KEY-----\nAAA\nBBB\n-----END PUBLIC KEY-----"
        );
        let lines = "-----BEGIN X-----\nAAA\n-----END X-----";
        assert_eq!(format_pem(lines), lines);
    }
}
