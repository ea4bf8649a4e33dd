//! API keys found recently, so an API call does not query its key and user again: an entry is
//! used for up to 5 s, and only while no key, user, workflow or credential change has
//! committed since it was read (`Db::workflow_generation`; across instances through the Redis
//! change feed, and not at all on Postgres without it). Revoking a key or disabling a user
//! therefore takes effect at once on every instance.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::db::Db;
use crate::store::{self, StoreError, api_keys::ApiKeyRecord, users::UserRecord};

const FRESH_FOR: Duration = Duration::from_secs(5);
/// Entries kept before the cache starts over.
const MAX_ENTRIES: usize = 10_000;

type Entry = (u64, Instant, ApiKeyRecord, UserRecord);

#[derive(Default)]
pub struct KeyCache {
    entries: Mutex<HashMap<String, Entry>>,
    /// When this process last wrote each key's `last_used_at`.
    touched: Mutex<HashMap<uuid::Uuid, Instant>>,
}

/// Uses of a key closer together than this are not written back (`last_used_at` is a hint).
const TOUCH_EVERY: Duration = Duration::from_secs(60);

impl KeyCache {
    /// Whether this use of key `id` should be written back: at most once a minute per key and
    /// process, however many calls arrive while the write is under way.
    pub fn should_touch(&self, id: uuid::Uuid) -> bool {
        let mut touched = self
            .touched
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if touched.len() >= MAX_ENTRIES {
            touched.clear();
        }
        match touched.get(&id) {
            Some(at) if at.elapsed() < TOUCH_EVERY => false,
            _ => {
                touched.insert(id, Instant::now());
                true
            }
        }
    }

    /// The key stored under `prefix` and its user, from the cache when it can be trusted.
    pub async fn find(
        &self,
        db: &Db,
        prefix: &str,
    ) -> Result<Option<(ApiKeyRecord, UserRecord)>, StoreError> {
        let coherent = db.caches_are_coherent();
        let generation = db.workflow_generation();
        if coherent {
            let entries = self
                .entries
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some((g, at, key, user)) = entries.get(prefix)
                && *g == generation
                && at.elapsed() < FRESH_FOR
            {
                return Ok(Some((key.clone(), user.clone())));
            }
        }
        let found = store::api_keys::find_with_user(db, prefix).await?;
        if coherent && let Some((key, user)) = &found {
            let mut entries = self
                .entries
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(
                prefix.to_owned(),
                (generation, Instant::now(), key.clone(), user.clone()),
            );
        }
        Ok(found)
    }
}
