//! `weft import:workflow`: workflows from an export (n8n's or ours). Ids that are ours are kept
//! (a workflow with the id is replaced, as in n8n); n8n's, which are not UUIDs, get new ones.
//! Imported workflows are inactive unless `--activate` (then those the export marks active are
//! activated, each checked as the API checks it).

use serde_json::Value;
use weft_engine::{WorkflowDefinition, WorkflowDraft};

use super::args::ImportArgs;
use super::{OpError, importer, read_items};
use crate::db::Db;
use crate::store::tags::TagName;
use crate::store::workflows::{ImportedTag, ImportedWorkflow};
use crate::store::{self};

fn time(v: &Value) -> Option<chrono::DateTime<chrono::Utc>> {
    v.as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&chrono::Utc))
}

fn uuid(v: &Value) -> Option<uuid::Uuid> {
    v.as_str().and_then(|s| uuid::Uuid::try_parse(s).ok())
}

/// One export item, checked as a saved workflow is.
fn parse(item: &Value, index: usize) -> Result<ImportedWorkflow, OpError> {
    let invalid = |why: String| {
        OpError::Failed(format!(
            "File does not seem to contain valid workflows (item {index}: {why})."
        ))
    };
    if !item.is_object() || item.get("nodes").is_none() || item.get("connections").is_none() {
        return Err(invalid("no nodes and connections".into()));
    }
    let draft: WorkflowDraft =
        serde_json::from_value(item.clone()).map_err(|e| invalid(e.to_string()))?;
    let definition = WorkflowDefinition::try_from(draft).map_err(|e| invalid(format!("{e:?}")))?;
    let tags = item["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| {
            let name = t["name"].as_str().or_else(|| t.as_str())?;
            Some(ImportedTag {
                id: uuid(&t["id"]),
                name: TagName::parse(name).ok()?,
                created_at: time(&t["createdAt"]),
                updated_at: time(&t["updatedAt"]),
            })
        })
        .collect();
    Ok(ImportedWorkflow {
        id: uuid(&item["id"]),
        definition,
        version_id: uuid(&item["versionId"]),
        created_at: time(&item["createdAt"]),
        updated_at: time(&item["updatedAt"]),
        tags,
    })
}

pub async fn run(db: &Db, a: &ImportArgs) -> Result<(), OpError> {
    let items = read_items(a)?;
    let owner = importer(db, a.user_id.as_deref()).await?;
    let parsed: Vec<(ImportedWorkflow, bool)> = items
        .iter()
        .enumerate()
        .map(|(i, item)| Ok((parse(item, i)?, item["active"] == Value::Bool(true))))
        .collect::<Result<_, OpError>>()?;
    eprintln!("Importing {} workflows...", parsed.len());
    let mut failed_activations = 0;
    for (w, was_active) in &parsed {
        let (saved, _) = store::workflows::import(db, w, owner).await?;
        if *was_active && a.activate {
            if let Err(e) = store::workflows::set_active(db, saved.id, true).await {
                eprintln!(
                    "Failed to activate workflow \"{}\" ({}): {e}",
                    saved.name, saved.id
                );
                failed_activations += 1;
            }
        } else if *was_active {
            eprintln!("Deactivating workflow \"{}\".", saved.name);
        }
    }
    let n = parsed.len();
    eprintln!(
        "Successfully imported {n} {}.",
        if n == 1 { "workflow" } else { "workflows" }
    );
    if failed_activations > 0 {
        return Err(OpError::Failed(format!(
            "{failed_activations} imported workflows could not be activated"
        )));
    }
    Ok(())
}
