//! Test webhook routes kept in Redis, so a test call may reach any API instance: one hash of
//! the deployment (`weft:test-webhooks:<database>`), a field per listening workflow holding its
//! routes and deadline. Taking a route deletes the field; the one `HDEL` that answers 1 owns
//! the call, so the call runs once however many instances race for it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use uuid::Uuid;
use weft_engine::workflow::{WebhookRoute, match_path};

use super::test_registry::Taken;
use crate::bus::Bus;
use crate::store::webhooks::WebhookMatch;

#[derive(Debug, Serialize, Deserialize)]
struct Listening {
    /// Milliseconds since the epoch.
    expires: u64,
    routes: Vec<Route>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Route {
    method: String,
    path: String,
    node: String,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Why a registration failed.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error(transparent)]
    Taken(#[from] Taken),
    #[error("test webhooks cannot be registered: Redis is unavailable ({0})")]
    Unavailable(String),
}

/// The live registrations, expired ones dropped (and deleted).
async fn listening(bus: &Bus) -> redis::RedisResult<Vec<(Uuid, Listening)>> {
    let mut conn = bus.conn().await?;
    let key = bus.key("test-webhooks");
    let all: Vec<(String, String)> = redis::cmd("HGETALL")
        .arg(&key)
        .query_async(&mut conn)
        .await?;
    let now = now_ms();
    let mut live = Vec::new();
    let mut stale = Vec::new();
    for (field, value) in all {
        match (
            Uuid::parse_str(&field),
            serde_json::from_str::<Listening>(&value),
        ) {
            (Ok(id), Ok(entry)) if entry.expires > now => live.push((id, entry)),
            _ => stale.push(field),
        }
    }
    if !stale.is_empty() {
        redis::cmd("HDEL")
            .arg(&key)
            .arg(&stale)
            .query_async::<i64>(&mut conn)
            .await?;
    }
    Ok(live)
}

pub async fn register(
    bus: &Bus,
    ttl: Duration,
    workflow_id: Uuid,
    routes: &[WebhookRoute],
) -> Result<(), RegisterError> {
    let unavailable = |e: redis::RedisError| RegisterError::Unavailable(e.to_string());
    for (other, entry) in listening(bus).await.map_err(unavailable)? {
        if other == workflow_id {
            continue;
        }
        if let Some(route) = routes.iter().find(|r| {
            entry
                .routes
                .iter()
                .any(|e| e.method == r.method && e.path == r.path)
        }) {
            return Err(Taken {
                method: route.method.clone(),
                path: route.path.clone(),
                workflow_id: other,
            }
            .into());
        }
    }
    let entry = Listening {
        expires: now_ms() + ttl.as_millis() as u64,
        routes: routes
            .iter()
            .map(|r| Route {
                method: r.method.clone(),
                path: r.path.clone(),
                node: r.node.clone(),
            })
            .collect(),
    };
    let value = serde_json::to_string(&entry).unwrap_or_default();
    let key = bus.key("test-webhooks");
    let mut conn = bus.conn().await.map_err(unavailable)?;
    redis::pipe()
        .hset(&key, workflow_id.to_string(), value)
        .ignore()
        // The hash outlives its newest entry by a little, never forever.
        .expire(&key, (ttl.as_secs() + 60) as i64)
        .ignore()
        .query_async::<()>(&mut conn)
        .await
        .map_err(unavailable)
}

/// The route a call reaches, claimed for this call alone; `None` if none waits for it.
pub async fn take(bus: &Bus, method: &str, path: &str) -> redis::RedisResult<Option<WebhookMatch>> {
    for (workflow_id, entry) in listening(bus).await? {
        let found = entry.routes.iter().find_map(|r| {
            if r.method != method {
                return None;
            }
            let params = match_path(&r.path, path)?;
            Some(WebhookMatch {
                workflow_id,
                node: r.node.clone(),
                params,
            })
        });
        let Some(found) = found else { continue };
        let mut conn = bus.conn().await?;
        let removed: i64 = redis::cmd("HDEL")
            .arg(bus.key("test-webhooks"))
            .arg(workflow_id.to_string())
            .query_async(&mut conn)
            .await?;
        // Another instance took it first: the call is theirs, this one finds nothing.
        return Ok((removed == 1).then_some(found));
    }
    Ok(None)
}

/// The methods waiting on `path`.
pub async fn methods_for(bus: &Bus, path: &str) -> redis::RedisResult<Vec<String>> {
    let mut methods: Vec<String> = listening(bus)
        .await?
        .into_iter()
        .flat_map(|(_, entry)| entry.routes)
        .filter(|r| match_path(&r.path, path).is_some())
        .map(|r| r.method)
        .collect();
    methods.sort();
    methods.dedup();
    Ok(methods)
}
