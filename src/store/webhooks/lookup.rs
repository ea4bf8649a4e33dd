//! Finding the route for a request: an exact path first, then the dynamic (`:param`) routes.

use entity::webhook;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;
use weft_engine::workflow::match_path;

use crate::db::Db;
use crate::store::StoreError;

/// The workflow and Webhook node a request reaches, with its path parameters.
#[derive(Debug, Clone)]
pub struct WebhookMatch {
    pub workflow_id: Uuid,
    pub node: String,
    pub params: Vec<(String, String)>,
}

pub async fn lookup(db: &Db, method: &str, path: &str) -> Result<Option<WebhookMatch>, StoreError> {
    if let Some(row) = webhook::Entity::find_by_id((method.to_owned(), path.to_owned()))
        .one(db.reader())
        .await?
        && !row.is_dynamic
    {
        return Ok(Some(WebhookMatch {
            workflow_id: row.workflow_id,
            node: row.node,
            params: Vec::new(),
        }));
    }
    let segments = path.split('/').count() as i32;
    let candidates = webhook::Entity::find()
        .filter(webhook::Column::Method.eq(method))
        .filter(webhook::Column::IsDynamic.eq(true))
        .filter(webhook::Column::PathSegments.eq(segments))
        .all(db.reader())
        .await?;
    Ok(candidates.into_iter().find_map(|row| {
        match_path(&row.path, path).map(|params| WebhookMatch {
            workflow_id: row.workflow_id,
            node: row.node,
            params,
        })
    }))
}

/// The methods some route answers for `path` (for the "did you mean" hint).
pub async fn methods_for(db: &Db, path: &str) -> Result<Vec<String>, StoreError> {
    let segments = path.split('/').count() as i32;
    let rows = webhook::Entity::find()
        .filter(webhook::Column::PathSegments.eq(segments))
        .all(db.reader())
        .await?;
    let mut methods: Vec<String> = rows
        .into_iter()
        // A static pattern matches only itself.
        .filter(|r| match_path(&r.path, path).is_some())
        .map(|r| r.method)
        .collect();
    methods.sort();
    methods.dedup();
    Ok(methods)
}
