//! The webhook fast path: route lookups and loaded workflows kept in memory, so a cached call
//! makes no query before its execution row. An entry is good while no change was committed
//! since it was read (`Db::workflow_generation`, which other instances' changes bump through the
//! Redis change feed) and for at most a few seconds. Used while `Db::caches_are_coherent`: always
//! with SQLite, with Postgres only while the change feed is live.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::respond::{self, Target};
use crate::db::Db;
use crate::state::AppState;
use crate::store::webhooks::{self, WebhookMatch};
use crate::store::{self, StoreError};

const TTL: Duration = Duration::from_secs(5);
const MAX_ENTRIES: usize = 10_000;

struct Stamped<V> {
    generation: u64,
    at: Instant,
    value: V,
}

struct Map<K, V>(Mutex<HashMap<K, Stamped<V>>>);

impl<K: Eq + Hash, V: Clone> Map<K, V> {
    fn new() -> Self {
        Self(Mutex::new(HashMap::new()))
    }

    fn get(&self, key: &K, generation: u64) -> Option<V> {
        let map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(key)
            .filter(|e| e.generation == generation && e.at.elapsed() < TTL)
            .map(|e| e.value.clone())
    }

    fn put(&self, key: K, generation: u64, value: V) {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(
            key,
            Stamped {
                generation,
                at: Instant::now(),
                value,
            },
        );
    }
}

pub struct WebhookCache {
    routes: Map<(String, String), Option<WebhookMatch>>,
    targets: Map<(Uuid, String), Target>,
}

impl Default for WebhookCache {
    fn default() -> Self {
        Self::new()
    }
}

impl WebhookCache {
    pub fn new() -> Self {
        Self {
            routes: Map::new(),
            targets: Map::new(),
        }
    }

    /// The route for `(method, path)`, from memory when possible.
    pub async fn lookup(
        &self,
        db: &Db,
        method: &str,
        path: &str,
    ) -> Result<Option<WebhookMatch>, StoreError> {
        if !db.caches_are_coherent() {
            return webhooks::lookup(db, method, path).await;
        }
        let generation = db.workflow_generation();
        let key = (method.to_owned(), path.to_owned());
        if let Some(hit) = self.routes.get(&key, generation) {
            return Ok(hit);
        }
        let found = webhooks::lookup(db, method, path).await?;
        self.routes.put(key, generation, found.clone());
        Ok(found)
    }

    /// The workflow behind `route`, from memory when possible.
    pub async fn target(
        &self,
        state: &AppState,
        route: &WebhookMatch,
    ) -> Result<Target, super::WebhookError> {
        if !state.db.caches_are_coherent() {
            return respond::load(state, route).await;
        }
        let generation = state.db.workflow_generation();
        let key = (route.workflow_id, route.node.clone());
        if let Some(mut hit) = self.targets.get(&key, generation) {
            // Another instance's run may have saved static data a moment ago; its change event
            // may still be on its way, so read the static data itself (one small query).
            if hit.uses_static_data && state.db.backend() != sea_orm::DbBackend::Sqlite {
                hit.static_data = store::workflows::static_data(&state.db, route.workflow_id)
                    .await
                    .map_err(|e| {
                        tracing::error!(error = %e, "webhook static data load failed");
                        super::WebhookError::WorkflowFailed
                    })?;
            }
            return Ok(hit);
        }
        let target = respond::load(state, route).await?;
        self.targets.put(key, generation, target.clone());
        Ok(target)
    }
}
