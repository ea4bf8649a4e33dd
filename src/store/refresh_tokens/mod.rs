//! Refresh tokens: issued at login, exchanged once each for the next of their family; reusing
//! one that was already exchanged (a stolen copy) revokes the whole family.

use chrono::{DateTime, Utc};
use entity::refresh_token;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::Db;
use crate::store::{StoreError, new_id, now};

/// The stored form of a token.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Stores a new token of `family` for `user`.
pub async fn create(
    db: &Db,
    user: Uuid,
    family: Uuid,
    token: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    refresh_token::ActiveModel {
        id: Set(new_id()),
        user_id: Set(user),
        family_id: Set(family),
        token_hash: Set(hash(token)),
        created_at: Set(now()),
        expires_at: Set(expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db.writer())
    .await?;
    Ok(())
}

/// What exchanging a presented token found.
#[derive(Debug, PartialEq, Eq)]
pub enum Exchange {
    /// Sound: it is now used; issue the next token of `family` to `user`.
    Granted { user: Uuid, family: Uuid },
    /// Unknown, expired or revoked.
    Refused(&'static str),
    /// Already exchanged once: its family is now revoked.
    Reused,
}

/// Marks `token` used if it is current, exactly once even under concurrent calls.
pub async fn exchange(db: &Db, token: &str) -> Result<Exchange, StoreError> {
    let at = now();
    let Some(row) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash(token)))
        .one(db.writer())
        .await?
    else {
        return Ok(Exchange::Refused("unknown refresh token"));
    };
    if row.revoked_at.is_some() {
        return Ok(Exchange::Refused("revoked refresh token"));
    }
    if row.used_at.is_some() {
        revoke_family(db, row.family_id).await?;
        return Ok(Exchange::Reused);
    }
    if row.expires_at <= at {
        return Ok(Exchange::Refused("expired refresh token"));
    }
    let won = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(at))
        .filter(refresh_token::Column::Id.eq(row.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db.writer())
        .await?;
    if won.rows_affected == 0 {
        // Exchanged by a concurrent call a moment ago: two users of one token.
        revoke_family(db, row.family_id).await?;
        return Ok(Exchange::Reused);
    }
    Ok(Exchange::Granted {
        user: row.user_id,
        family: row.family_id,
    })
}

/// The family of `token`, if the token is known.
pub async fn family_of(db: &Db, token: &str) -> Result<Option<Uuid>, StoreError> {
    Ok(refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash(token)))
        .one(db.writer())
        .await?
        .map(|row| row.family_id))
}

/// Whether any token of `family` was revoked (the whole sign-in then is).
pub async fn family_revoked(db: &Db, family: Uuid) -> Result<bool, StoreError> {
    Ok(refresh_token::Entity::find()
        .filter(refresh_token::Column::FamilyId.eq(family))
        .filter(refresh_token::Column::RevokedAt.is_not_null())
        .one(db.writer())
        .await?
        .is_some())
}

/// Revokes every token of `family` (logout, or a reused token).
pub async fn revoke_family(db: &Db, family: Uuid) -> Result<(), StoreError> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now()))
        .filter(refresh_token::Column::FamilyId.eq(family))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db.writer())
        .await?;
    Ok(())
}
