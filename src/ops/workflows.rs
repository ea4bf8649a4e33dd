//! `weft list:workflow`, `weft update:workflow` and `weft executions:prune`.

use super::args::{ListArgs, UpdateArgs};
use super::{OpError, usage};
use crate::config::Config;
use crate::db::Db;
use crate::store;

fn active_flag(raw: Option<&str>, message: &str) -> Result<Option<bool>, OpError> {
    match raw {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(_) => Err(usage(message)),
    }
}

pub async fn list(db: &Db, a: &ListArgs) -> Result<(), OpError> {
    let active = active_flag(
        a.active.as_deref(),
        "The --active flag has to be passed using true or false",
    )?;
    for w in super::export_workflow::all(db).await? {
        if active.is_some_and(|want| want != w.active) {
            continue;
        }
        if a.only_id {
            println!("{}", w.id);
        } else {
            println!("{}|{}", w.id, w.name);
        }
    }
    Ok(())
}

pub async fn update(db: &Db, a: &UpdateArgs) -> Result<(), OpError> {
    match (a.all, &a.id) {
        (false, None) => return Err(usage("Either option \"--all\" or \"--id\" have to be set!")),
        (true, Some(_)) => {
            return Err(usage(
                "Either \"--all\" or \"--id\" can be set, never both!",
            ));
        }
        _ => {}
    }
    let Some(active) = active_flag(
        a.active.as_deref(),
        "Valid values for flag \"--active\" are only \"false\" or \"true\"!",
    )?
    else {
        return Err(usage("No update flag like \"--active=true\" has been set!"));
    };
    let ids = match &a.id {
        Some(id) => vec![
            uuid::Uuid::try_parse(id.trim())
                .map_err(|_| OpError::Failed(format!("Workflow \"{id}\" not found.")))?,
        ],
        None => super::export_workflow::all(db)
            .await?
            .into_iter()
            .filter(|w| w.active != active)
            .map(|w| w.id)
            .collect(),
    };
    let verb = if active { "Activating" } else { "Deactivating" };
    for id in ids {
        eprintln!("{verb} workflow with ID: {id}");
        match store::workflows::set_active(db, id, active).await {
            Ok(_) => {}
            Err(store::StoreError::NotFound { .. }) => {
                return Err(OpError::Failed(format!("Workflow \"{id}\" not found.")));
            }
            Err(e) => return Err(OpError::Failed(format!("Workflow \"{id}\": {e}"))),
        }
    }
    Ok(())
}

pub async fn prune(db: &Db, config: &Config) -> Result<(), OpError> {
    let done = crate::retention::prune_now(db, &config.retention).await?;
    eprintln!(
        "Marked {} executions past the retention limits deleted; removed {} marked longer ago than EXECUTIONS_DATA_HARD_DELETE_BUFFER.",
        done.marked, done.removed
    );
    Ok(())
}
