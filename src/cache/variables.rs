//! The variables runs see as `$vars`, read once per change rather than once per run: the copy
//! is used only while no change has committed since it was read (`Db::workflow_generation`;
//! across instances through the Redis change feed, and not at all on Postgres without it), so
//! an update is seen by the next execution on every instance.

use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::db::Db;
use crate::store::{self, StoreError};

#[derive(Default)]
pub struct VariablesCache {
    current: Mutex<Option<(u64, Arc<Value>)>>,
}

impl VariablesCache {
    /// `{key: value, …}` of every variable.
    pub async fn get(&self, db: &Db) -> Result<Arc<Value>, StoreError> {
        let coherent = db.caches_are_coherent();
        let generation = db.workflow_generation();
        if coherent
            && let Some((g, vars)) = self
                .current
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .as_ref()
            && *g == generation
        {
            return Ok(vars.clone());
        }
        let vars = Arc::new(Value::Object(store::variables::all(db).await?));
        if coherent {
            *self
                .current
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) =
                Some((generation, vars.clone()));
        }
        Ok(vars)
    }
}
