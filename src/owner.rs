//! The first user: made at start when there is none — from `WEFT_OWNER_EMAIL` and its password
//! file, or, on the embedded database, as a password-less owner whose first API key is written
//! to `<data dir>/owner-api-key` (mode 0600) — the `weft api-key create` and `weft user create` commands.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::auth::{Scopes, hash_password};
use crate::config::{Config, DatabaseUrl};
use crate::db::Db;
use crate::store::{self, api_keys::NewApiKey, users::UserRecord};

/// The email of an owner made without one (`.invalid` is reserved: nobody can be mailed there).
pub const DEFAULT_OWNER_EMAIL: &str = "owner@weft.invalid";

/// The file the embedded first start writes the owner's key to.
pub fn key_file(data_dir: &Path) -> PathBuf {
    data_dir.join("owner-api-key")
}

/// Makes the owner at start if there is no user yet, as described in the module doc.
pub async fn bootstrap(db: &Db, config: &Config) -> anyhow::Result<()> {
    if store::users::any_exists(db).await? {
        return Ok(());
    }
    let embedded = matches!(config.database.url, DatabaseUrl::Sqlite(_));
    let created = match &config.owner {
        Some(owner) => {
            let hash = hash_password(owner.password.expose())
                .map_err(|e| anyhow::anyhow!("WEFT_OWNER_PASSWORD_FILE: {e}"))?;
            store::users::create_owner_if_none(db, &owner.email, Some(hash)).await?
        }
        None if embedded => {
            store::users::create_owner_if_none(db, DEFAULT_OWNER_EMAIL, None).await?
        }
        None => {
            tracing::warn!(
                "there is no user yet, so every /api/v1 request is refused: create the owner \
                 with `weft api-key create --owner`, or start with WEFT_OWNER_EMAIL and \
                 WEFT_OWNER_PASSWORD_FILE"
            );
            return Ok(());
        }
    };
    let Some(owner) = created else {
        // Another process made the owner a moment ago.
        return Ok(());
    };
    tracing::info!(user = %owner.id, email = owner.email, "owner created");
    if embedded {
        let (_, key) = store::api_keys::create(
            db,
            &NewApiKey {
                user_id: owner.id,
                label: "owner's first key".into(),
                scopes: Scopes::All,
                expires_at: None,
            },
        )
        .await?;
        let path = key_file(&config.data_dir);
        write_private(&path, key.expose())
            .with_context(|| format!("cannot write {}", path.display()))?;
        tracing::info!(
            path = %path.display(),
            "the owner's API key is in this file; send it as X-N8N-API-KEY"
        );
    }
    Ok(())
}

/// Writes `text` to a file only its owner can read (0600), replacing one left from an
/// earlier database: written to a new file (never through a planted symlink) and renamed
/// over the old name, so no reader sees a partial key or an old mode.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)?;
    let staging = dir.join(format!(".owner-api-key.{}", uuid::Uuid::now_v7().simple()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&staging)?;
    writeln!(file, "{text}")?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&staging, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&staging);
    })
}

/// `weft api-key create --owner|--user EMAIL`: prints a new key of the owner (making the owner
/// first if there is no user yet, from `WEFT_OWNER_EMAIL` when set) or of the user named.
pub async fn create_key(
    config: &Config,
    args: &crate::cli::ApiKeyCreateArgs,
) -> anyhow::Result<()> {
    let names: Vec<&str> = args
        .scopes
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let scopes = Scopes::parse(&names).map_err(|e| anyhow::anyhow!("--scopes: {e}"))?;
    let expires_at = match args.expires_in {
        None => None,
        Some(days @ 1..=3650) => Some(store::now() + chrono::Duration::days(i64::from(days))),
        Some(_) => anyhow::bail!("--expires-in: must be between 1 and 3650 days"),
    };
    let db = Db::connect(&config.database)
        .await
        .context("cannot connect to the database")?;
    db.migrate().await.context("cannot apply migrations")?;
    let owner = match &args.user {
        Some(email) => store::users::by_id_or_email(&db, email)
            .await?
            .with_context(|| format!("--user: no user has the email {email:?}"))?,
        None => owner_or_new(&db, config).await?,
    };
    let (record, key) = store::api_keys::create(
        &db,
        &NewApiKey {
            user_id: owner.id,
            label: args.label.clone(),
            scopes,
            expires_at,
        },
    )
    .await?;
    db.close().await;
    tracing::info!(key_prefix = record.prefix, "API key created");
    println!("{}", key.expose());
    Ok(())
}

async fn owner_or_new(db: &Db, config: &Config) -> anyhow::Result<UserRecord> {
    if let Some(owner) = store::users::owner(db).await? {
        return Ok(owner);
    }
    let (email, hash) = match &config.owner {
        Some(o) => (
            o.email.clone(),
            Some(hash_password(o.password.expose()).map_err(|e| anyhow::anyhow!("{e}"))?),
        ),
        None => (DEFAULT_OWNER_EMAIL.to_owned(), None),
    };
    store::users::create_owner_if_none(db, &email, hash).await?;
    store::users::owner(db)
        .await?
        .context("there are users but no owner; create the key as one of them")
}

/// `weft user create`: makes a user with the password given on standard input.
pub async fn create_user(config: &Config, args: &crate::cli::UserCreateArgs) -> anyhow::Result<()> {
    use std::io::Read;
    let email =
        crate::auth::Email::parse(&args.email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let role =
        crate::auth::Role::parse(&args.role).context("--role: must be owner, admin or member")?;
    for (flag, name) in [
        ("--first-name", &args.first_name),
        ("--last-name", &args.last_name),
    ] {
        if name.as_ref().is_some_and(|n| n.chars().count() > 32) {
            anyhow::bail!("{flag}: must be at most 32 characters");
        }
    }
    let mut input = String::new();
    std::io::stdin()
        .take(1024)
        .read_to_string(&mut input)
        .context("cannot read the password from standard input")?;
    let password = input.trim_end_matches(['\r', '\n']);
    let password_hash = if password.is_empty() {
        None
    } else {
        Some(hash_password(password).map_err(|e| anyhow::anyhow!("the password: {e}"))?)
    };
    let db = Db::connect(&config.database)
        .await
        .context("cannot connect to the database")?;
    db.migrate().await.context("cannot apply migrations")?;
    let new = store::users::NewUser {
        email: email.to_string(),
        role,
        password_hash,
        first_name: args.first_name.clone(),
        last_name: args.last_name.clone(),
    };
    let created = store::users::create(&db, &new).await;
    db.close().await;
    let user = created?;
    tracing::info!(user = %user.id, role = %user.role, "user created");
    println!("{}", user.id);
    Ok(())
}
