//! The webhook fast path: route lookups and loaded workflows kept in memory, so a cached call
//! makes no query before its execution row. An entry is good while no workflow change was
//! committed since it was read (`Db::workflow_generation`) and for at most a few seconds.
//! Only in embedded mode (SQLite: one process owns the database); with Postgres, other
//! instances' changes would go unseen until the cache issue adds Redis invalidation events.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::HttpResponse;
use uuid::Uuid;

use super::respond::{self, Target};
use crate::api::state::AppState;
use crate::db::Db;
use crate::store::StoreError;
use crate::store::webhooks::{self, WebhookMatch};

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
    enabled: bool,
    routes: Map<(String, String), Option<WebhookMatch>>,
    targets: Map<(Uuid, String), Target>,
}

impl WebhookCache {
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
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
        if !self.enabled {
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
    ) -> Result<Target, HttpResponse> {
        if !self.enabled {
            return respond::load(state, route).await;
        }
        let generation = state.db.workflow_generation();
        let key = (route.workflow_id, route.node.clone());
        if let Some(hit) = self.targets.get(&key, generation) {
            return Ok(hit);
        }
        let target = respond::load(state, route).await?;
        self.targets.put(key, generation, target.clone());
        Ok(target)
    }
}
