//! Idempotency keys of webhook calls: the first call with a key claims it; repeats within the
//! window see it running or get its stored response. The primary key makes the claim atomic
//! across API instances. A claim records the execution its call started, so a repeat taking
//! over a claim whose call was left unanswered (its process died) follows that execution
//! instead of running the workflow a second time.

use chrono::{DateTime, Utc};
use entity::webhook_idempotency as row;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use uuid::Uuid;

use crate::db::Db;
use crate::store::StoreError;

/// A response as the first call got it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(Debug)]
pub enum Claim {
    /// This call is the first: run it, then `complete`.
    New,
    /// The first call is still being answered.
    Running,
    /// The first call was left unanswered after starting this execution; the claim is now this
    /// call's: answer from that execution, then `complete`.
    Follow(Uuid),
    /// The first call's response, to replay.
    Done(StoredResponse),
}

/// `window`: how long a key is remembered; `abandoned_after`: how long a first call may take
/// to be answered before its claim counts as left behind by a crashed process and is taken over.
/// `ago` before `now`; the earliest time there is when that reaches past it.
fn before(now: DateTime<Utc>, ago: std::time::Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(ago)
        .ok()
        .and_then(|d| now.checked_sub_signed(d))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

pub async fn claim(
    db: &Db,
    webhook: &str,
    key: &str,
    window: std::time::Duration,
    abandoned_after: std::time::Duration,
) -> Result<Claim, StoreError> {
    let now = Utc::now();
    let cutoff = before(now, window);
    row::Entity::delete_many()
        .filter(row::Column::Webhook.eq(webhook))
        .filter(row::Column::Key.eq(key))
        .filter(row::Column::CreatedAt.lt(cutoff))
        .exec(db.writer())
        .await?;
    let inserted = row::Entity::insert(row::ActiveModel {
        webhook: Set(webhook.to_owned()),
        key: Set(key.to_owned()),
        done: Set(false),
        status: Set(None),
        headers: Set(None),
        body: Set(None),
        created_at: Set(now),
        execution_id: Set(None),
    })
    .on_conflict(
        OnConflict::columns([row::Column::Webhook, row::Column::Key])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db.writer())
    .await?;
    if inserted == 1 {
        return Ok(Claim::New);
    }
    let Some(found) = row::Entity::find_by_id((webhook.to_owned(), key.to_owned()))
        .one(db.writer())
        .await?
    else {
        // Swept between the insert and the read: the caller may simply retry.
        return Ok(Claim::Running);
    };
    if !found.done {
        if found.created_at < before(now, abandoned_after) {
            let taken = row::Entity::update_many()
                .col_expr(row::Column::CreatedAt, now.into())
                .filter(row::Column::Webhook.eq(webhook))
                .filter(row::Column::Key.eq(key))
                .filter(row::Column::Done.eq(false))
                .filter(row::Column::CreatedAt.eq(found.created_at))
                .exec(db.writer())
                .await?;
            if taken.rows_affected == 1 {
                return Ok(match found.execution_id {
                    Some(execution) => Claim::Follow(execution),
                    None => Claim::New,
                });
            }
        }
        return Ok(Claim::Running);
    }
    let headers = found
        .headers
        .and_then(|h| serde_json::from_value::<Vec<(String, String)>>(h).ok())
        .unwrap_or_default();
    Ok(Claim::Done(StoredResponse {
        status: found
            .status
            .and_then(|s| u16::try_from(s).ok())
            .ok_or_else(|| StoreError::Corrupt("idempotency row without a status".into()))?,
        headers,
        body: found.body.unwrap_or_default(),
    }))
}

/// Records the execution the claiming call started.
pub async fn attach(db: &Db, webhook: &str, key: &str, execution: Uuid) -> Result<(), StoreError> {
    row::Entity::update_many()
        .col_expr(row::Column::ExecutionId, execution.into())
        .filter(row::Column::Webhook.eq(webhook))
        .filter(row::Column::Key.eq(key))
        .filter(row::Column::Done.eq(false))
        .exec(db.writer())
        .await?;
    Ok(())
}

/// Stores the first call's response for its repeats.
pub async fn complete(
    db: &Db,
    webhook: &str,
    key: &str,
    response: &StoredResponse,
) -> Result<(), StoreError> {
    let headers: Value =
        serde_json::to_value(&response.headers).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    row::Entity::update_many()
        .col_expr(row::Column::Done, true.into())
        .col_expr(row::Column::Status, i32::from(response.status).into())
        .col_expr(row::Column::Headers, headers.into())
        .col_expr(row::Column::Body, response.body.clone().into())
        .filter(row::Column::Webhook.eq(webhook))
        .filter(row::Column::Key.eq(key))
        .exec(db.writer())
        .await?;
    Ok(())
}

/// Deletes keys older than the window; returns how many.
pub async fn sweep(db: &Db, window: std::time::Duration) -> Result<u64, StoreError> {
    let cutoff = before(Utc::now(), window);
    let done = row::Entity::delete_many()
        .filter(row::Column::CreatedAt.lt(cutoff))
        .exec(db.writer())
        .await?;
    Ok(done.rows_affected)
}
