//! `n8n-nodes-base.crypto` v1 and v2: hash, HMAC, RSA signatures, random strings and (v2)
//! encryption, per item. v2 hashes with SHA256 by default and takes its secrets and keys from a
//! `crypto` credential; v1 from node parameters. A failing item under continue-on-fail is an
//! error item (`{error: message}` in v1, `{error: {message, name}}` in v2).

mod cipher;
mod digest;

use base64::Engine;
use serde_json::{Map, Value, json};
use weft_engine::OnError;
use weft_engine::run::{Item, NodeContext, NodeError, NodeFuture, NodeType};

use self::digest::{encode, hash, hex, hmac, sign};
use crate::util::{paired, string_param};

pub struct Crypto;

/// The v2 credential's secrets an action needs, read once before the items.
#[derive(Default)]
struct Secrets {
    hmac: String,
    sign_key: String,
    passphrase: String,
    public_key: String,
    private_key: String,
}

fn require(data: &Map<String, Value>, field: &str, message: &str) -> Result<String, NodeError> {
    match data.get(field).and_then(Value::as_str) {
        Some(s) if !s.is_empty() => Ok(s.to_owned()),
        _ => Err(NodeError::new(message)),
    }
}

/// v2: the `crypto` credential's fields `action` needs, with n8n's messages when one is unset.
async fn secrets(ctx: &NodeContext<'_>, action: &str) -> Result<Secrets, NodeError> {
    let mut out = Secrets::default();
    if !matches!(action, "hmac" | "sign" | "encrypt" | "decrypt") {
        return Ok(out);
    }
    let data = ctx.credential("crypto").await?;
    match action {
        "hmac" => {
            out.hmac = require(
                &data,
                "hmacSecret",
                "No HMAC secret set in credentials. Please add an HMAC secret to your Crypto credentials.",
            )?;
        }
        "sign" => {
            out.sign_key = cipher::format_pem(
                &require(
                    &data,
                    "signPrivateKey",
                    "No private key set in credentials. Please add a private key to your Crypto credentials.",
                )?,
                false,
            );
        }
        _ => match string_param(ctx, "mode", 0, "symmetric")?.as_str() {
            "symmetric" => {
                out.passphrase = require(
                    &data,
                    "encryptionPassphrase",
                    "No encryption passphrase set in credentials. Please add an Encryption Passphrase to your Crypto credentials.",
                )?;
            }
            "asymmetric" if action == "encrypt" => {
                out.public_key = cipher::format_pem(
                    &require(
                        &data,
                        "encryptionPublicKey",
                        "No encryption public key set in credentials. Please add an Encryption Public Key to your Crypto credentials.",
                    )?,
                    true,
                );
            }
            _ => {
                out.private_key = cipher::format_pem(
                    &require(
                        &data,
                        "encryptionPrivateKey",
                        "No encryption private key set in credentials. Please add an Encryption Private Key to your Crypto credentials.",
                    )?,
                    false,
                );
            }
        },
    }
    Ok(out)
}

impl NodeType for Crypto {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.crypto"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 2.0]
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let v2 = ctx.node.type_version.as_f64().unwrap_or(1.0) >= 2.0;
            let action = string_param(&ctx, "action", 0, "hash")?;
            let secrets = if v2 {
                Some(secrets(&ctx, &action).await?)
            } else {
                None
            };
            let continues = ctx.node.on_error() != OnError::StopWorkflow;
            let mut out = Vec::with_capacity(ctx.items().len());
            for (i, item) in ctx.items().iter().enumerate() {
                let result = compute(&ctx, &action, secrets.as_ref(), item, i).and_then(
                    |(value, binary_used)| {
                        let property = string_param(&ctx, "dataPropertyName", i, "data")?;
                        Ok((value, binary_used, property))
                    },
                );
                match result {
                    Ok((value, binary_used, property)) => {
                        let mut new = Item::new(item.json.clone());
                        if !binary_used {
                            new.binary = item.binary.clone();
                        }
                        new.json.insert(property, Value::String(value));
                        out.push(paired(new, i));
                    }
                    Err(e) if continues => {
                        let error = if v2 {
                            json!({"message": e.message, "name": "NodeOperationError"})
                        } else {
                            Value::String(e.message)
                        };
                        out.push(paired(Item::from_value(json!({ "error": error })), i));
                    }
                    Err(e) => {
                        return Err(NodeError {
                            item_index: Some(i),
                            ..e
                        });
                    }
                }
            }
            Ok(Some(vec![out]))
        })
    }
}

/// The action's result for item `i`, and whether it consumed the item's binary data. `secrets`
/// is `Some` for v2, whose secrets come from its credential.
fn compute(
    ctx: &NodeContext<'_>,
    action: &str,
    secrets: Option<&Secrets>,
    item: &Item,
    i: usize,
) -> Result<(String, bool), NodeError> {
    match action {
        "generate" => Ok((generate(ctx, i)?, false)),
        "hash" | "hmac" => {
            let default_type = if secrets.is_some() { "SHA256" } else { "MD5" };
            let kind = string_param(ctx, "type", i, default_type)?;
            let encoding = string_param(ctx, "encoding", i, "hex")?;
            let binary = ctx.parameter("binaryData", i)?.as_bool().unwrap_or(false);
            let input = if binary {
                let property = string_param(ctx, "binaryPropertyName", i, "data")?;
                crate::util::binary_bytes(item, &property, i)?
            } else {
                string_param(ctx, "value", i, "")?.into_bytes()
            };
            let digest = if action == "hash" {
                hash(&kind, &input)
            } else {
                let secret = match secrets {
                    Some(s) => s.hmac.clone(),
                    None => string_param(ctx, "secret", i, "")?,
                };
                hmac(&kind, secret.as_bytes(), &input)
            }?;
            Ok((encode(&digest, &encoding)?, binary))
        }
        "sign" => {
            let algorithm = string_param(ctx, "algorithm", i, "")?;
            let encoding = string_param(ctx, "encoding", i, "hex")?;
            let key = match secrets {
                Some(s) => s.sign_key.clone(),
                None => string_param(ctx, "privateKey", i, "")?,
            };
            let value = string_param(ctx, "value", i, "")?;
            let signature = sign(&algorithm, &key, value.as_bytes())?;
            Ok((encode(&signature, &encoding)?, false))
        }
        "encrypt" | "decrypt" if secrets.is_some() => {
            let s = secrets.expect("checked above");
            let value = string_param(ctx, "value", i, "")?;
            let symmetric = string_param(ctx, "mode", i, "symmetric")? == "symmetric";
            let out = match (action, symmetric) {
                ("encrypt", true) => {
                    let c = cipher::Cipher::parse(&string_param(ctx, "cipher", i, "aes-256-gcm")?)?;
                    cipher::encrypt_symmetric(c, &s.passphrase, &value)?
                }
                ("encrypt", false) => cipher::encrypt_rsa(&s.public_key, &value)?,
                (_, true) => {
                    let c = cipher::Cipher::parse(&string_param(ctx, "cipher", i, "aes-256-gcm")?)?;
                    cipher::decrypt_symmetric(c, &s.passphrase, &value)?
                }
                (_, false) => cipher::decrypt_rsa(&s.private_key, &value)?,
            };
            Ok((out, false))
        }
        other => Err(NodeError::new(format!(
            "The action \"{other}\" is not known"
        ))),
    }
}

fn generate(ctx: &NodeContext<'_>, i: usize) -> Result<String, NodeError> {
    let kind = string_param(ctx, "encodingType", i, "uuid")?;
    if kind == "uuid" {
        return Ok(uuid::Uuid::new_v4().to_string());
    }
    let length = ctx
        .parameter("stringLength", i)?
        .as_f64()
        .unwrap_or(32.0)
        .clamp(0.0, 1_048_576.0) as usize;
    let mut bytes = vec![0u8; length];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| NodeError::new(format!("No random bytes available: {e}")))?;
    let text = match kind.as_str() {
        "hex" => hex(&bytes),
        // Node's Buffer#toString('ascii') keeps the low seven bits of each byte.
        "ascii" => bytes.iter().map(|b| char::from(b & 0x7f)).collect(),
        "base64" => base64::engine::general_purpose::STANDARD
            .encode(&bytes)
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect(),
        other => return Err(NodeError::new(format!("The type \"{other}\" is not known"))),
    };
    Ok(text.chars().take(length).collect())
}
