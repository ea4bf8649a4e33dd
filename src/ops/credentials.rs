//! `weft export:credentials` and `weft import:credentials`: credentials with their data encrypted
//! as stored (usable only by an instance with the same `WEFT_ENCRYPTION_KEY`), or decrypted with
//! `--decrypted` for moving to another key (every secret then in plain text; a warning says so).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::SecondsFormat;
use serde_json::{Value, json};

use super::args::{ExportArgs, ImportArgs};
use super::{OpError, export_target, importer, read_items, write_json};
use crate::config::Config;
use crate::db::Db;
use crate::store::credentials::transfer::{self, Transferred, TransferredData};

fn cipher(config: &Config) -> Result<crate::store::credentials::Cipher, OpError> {
    crate::startup::credential_cipher(config)
        .map_err(|e| OpError::Failed(e.to_string()))?
        .ok_or_else(|| {
            OpError::Failed("no encryption key is configured (WEFT_ENCRYPTION_KEY)".into())
        })
}

fn exported(c: &Transferred) -> Value {
    let time = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(SecondsFormat::AutoSi, true);
    let data = match &c.data {
        TransferredData::Sealed(bytes) => Value::String(STANDARD.encode(bytes)),
        TransferredData::Open(map) => Value::Object(map.clone()),
    };
    json!({
        "id": c.id.to_string(), "name": c.name, "type": c.credential_type, "data": data,
        "createdAt": time(c.created_at), "updatedAt": time(c.updated_at),
    })
}

pub async fn export(db: &Db, config: &Config, a: &ExportArgs) -> Result<(), OpError> {
    let (pretty, separate, dir) = export_target(a)?;
    let opener = if a.decrypted {
        eprintln!("WARNING: --decrypted writes every credential's secrets in plain text.");
        Some(cipher(config)?)
    } else {
        None
    };
    let only =
        match &a.id {
            Some(id) => Some(uuid::Uuid::try_parse(id.trim()).map_err(|_| {
                OpError::Failed("No credentials found with specified filters".into())
            })?),
            None => None,
        };
    let all = transfer::export(db, only, opener.as_ref()).await?;
    if all.is_empty() {
        return Err(OpError::Failed(
            "No credentials found with specified filters".into(),
        ));
    }
    match dir {
        Some(dir) if separate => {
            for c in &all {
                write_json(
                    &exported(c),
                    pretty,
                    Some(&dir.join(format!("{}.json", c.id))),
                )?;
            }
        }
        _ => write_json(
            &Value::Array(all.iter().map(exported).collect()),
            pretty,
            a.output.as_deref(),
        )?,
    }
    if a.output.is_some() {
        eprintln!("Successfully exported {} credentials.", all.len());
    }
    Ok(())
}

fn parse(item: &Value) -> Result<Transferred, OpError> {
    let bad = |why: &str| {
        OpError::Failed(format!(
            "File does not seem to contain credentials ({why})."
        ))
    };
    let id = item["id"]
        .as_str()
        .and_then(|s| uuid::Uuid::try_parse(s).ok())
        .ok_or_else(|| bad("each needs an id that is a UUID"))?;
    let name = item["name"]
        .as_str()
        .ok_or_else(|| bad("each needs a name"))?;
    let credential_type = item["type"]
        .as_str()
        .ok_or_else(|| bad("each needs a type"))?;
    let data = match &item["data"] {
        Value::String(s) => TransferredData::Sealed(
            STANDARD
                .decode(s)
                .map_err(|_| bad("encrypted data must be base64"))?,
        ),
        Value::Object(map) => TransferredData::Open(map.clone()),
        _ => return Err(bad("data must be encrypted text or an object")),
    };
    let time = |v: &Value| {
        v.as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map_or_else(crate::store::now, |t| t.with_timezone(&chrono::Utc))
    };
    Ok(Transferred {
        id,
        name: name.to_owned(),
        credential_type: credential_type.to_owned(),
        data,
        created_at: time(&item["createdAt"]),
        updated_at: time(&item["updatedAt"]),
    })
}

pub async fn import(db: &Db, config: &Config, a: &ImportArgs) -> Result<(), OpError> {
    let items = read_items(a)?;
    let owner = importer(db, a.user_id.as_deref()).await?;
    let cipher = cipher(config)?;
    let parsed: Vec<Transferred> = items.iter().map(parse).collect::<Result<_, _>>()?;
    for c in &parsed {
        transfer::import(db, &cipher, c, owner).await?;
    }
    let n = parsed.len();
    eprintln!(
        "Successfully imported {n} {}.",
        if n == 1 { "credential" } else { "credentials" }
    );
    Ok(())
}
