//! `weft export:workflow`: workflows as JSON (n8n's fields; always an array, one object per file
//! with --separate), for backups and moving between instances.

use chrono::SecondsFormat;
use serde_json::{Value, json};

use super::args::ExportArgs;
use super::{OpError, export_target, write_json};
use crate::db::Db;
use crate::store::workflows::{StoredWorkflow, WorkflowFilter};
use crate::store::{self, PageRequest};

fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A workflow as an export holds it.
pub fn exported(w: &StoredWorkflow) -> Value {
    json!({
        "id": w.id.to_string(),
        "name": w.name,
        "active": w.active,
        "nodes": w.nodes,
        "connections": w.connections,
        "settings": w.settings,
        "staticData": w.static_data,
        "pinData": w.pin_data,
        "meta": w.meta,
        "versionId": w.version_id.to_string(),
        "triggerCount": w.trigger_count,
        "tags": w.tags.iter().map(|t| json!({
            "id": t.id.to_string(), "name": t.name,
            "createdAt": time(t.created_at), "updatedAt": time(t.updated_at),
        })).collect::<Vec<_>>(),
        "createdAt": time(w.created_at),
        "updatedAt": time(w.updated_at),
    })
}

/// Every workflow, oldest first (a stable order for backups).
pub async fn all(db: &Db) -> Result<Vec<StoredWorkflow>, OpError> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = store::workflows::list(
            db,
            &WorkflowFilter::default(),
            PageRequest { limit: 250, after },
        )
        .await?;
        out.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    out.sort_by_key(|w| (w.created_at, w.id));
    Ok(out)
}

pub async fn run(db: &Db, a: &ExportArgs) -> Result<(), OpError> {
    let (pretty, separate, dir) = export_target(a)?;
    let workflows = match &a.id {
        Some(id) => {
            let found = match uuid::Uuid::try_parse(id.trim()) {
                Ok(id) => match store::workflows::get(db, id).await {
                    Ok(w) => Some(w),
                    Err(store::StoreError::NotFound { .. }) => None,
                    Err(e) => return Err(e.into()),
                },
                Err(_) => None,
            };
            found.into_iter().collect()
        }
        None => all(db).await?,
    };
    if workflows.is_empty() {
        return Err(OpError::Failed(
            "No workflows found with specified filters".into(),
        ));
    }
    let n = workflows.len();
    match dir {
        Some(dir) if separate => {
            for w in &workflows {
                write_json(
                    &exported(w),
                    pretty,
                    Some(&dir.join(format!("{}.json", w.id))),
                )?;
            }
            eprintln!("Successfully exported {n} workflows.");
        }
        _ => {
            let list = Value::Array(workflows.iter().map(exported).collect());
            write_json(&list, pretty, a.output.as_deref())?;
            if a.output.is_some() {
                eprintln!(
                    "Successfully exported {n} {}.",
                    if n == 1 { "workflow" } else { "workflows" }
                );
            }
        }
    }
    Ok(())
}
