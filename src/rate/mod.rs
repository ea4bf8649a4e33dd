//! Rate limits of the API: sign-in attempts per client IP and per account, and calls per API
//! key or user. One budget across every API instance when Redis is configured (an atomic GCRA
//! step in one Lua script); in this process otherwise, or while Redis is unreachable.

mod client_ip;
mod gcra;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

pub use client_ip::{TrustedProxies, client_ip};
pub use gcra::Decision;

const PERIOD_MS: i64 = 60_000;
/// In-memory subjects kept before stale ones are swept.
const SWEEP_AT: usize = 100_000;

/// Calls per minute of each class (0: no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateSettings {
    pub login_per_minute: u32,
    pub api_per_minute: u32,
}

pub struct RateLimits {
    pub settings: RateSettings,
    redis: Option<Arc<crate::bus::Bus>>,
    memory: Mutex<HashMap<String, i64>>,
    script: redis::Script,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl RateLimits {
    pub fn new(settings: RateSettings, redis: Option<Arc<crate::bus::Bus>>) -> Self {
        Self {
            settings,
            redis,
            memory: Mutex::new(HashMap::new()),
            script: redis::Script::new(gcra::LUA),
        }
    }

    /// Counts one call of `subject` in `class` against `per_minute`; `None` when unlimited.
    pub async fn hit(&self, class: &str, subject: &str, per_minute: u32) -> Option<Decision> {
        if per_minute == 0 {
            return None;
        }
        let key = format!("{class}:{subject}");
        if let Some(bus) = &self.redis {
            match self.in_redis(bus, &key, per_minute).await {
                Ok(decision) => return Some(decision),
                Err(e) => tracing::warn!(
                    error = %e,
                    "rate limit: Redis unavailable, counting in this process"
                ),
            }
        }
        Some(self.in_memory(&key, per_minute))
    }

    async fn in_redis(
        &self,
        bus: &crate::bus::Bus,
        key: &str,
        limit: u32,
    ) -> redis::RedisResult<Decision> {
        let mut conn = bus.conn().await?;
        let (allowed, remaining, reset_ms, retry_ms): (i64, i64, i64, i64) = self
            .script
            .key(bus.key(&format!("rate:{key}")))
            .arg(limit)
            .arg(PERIOD_MS)
            .invoke_async(&mut conn)
            .await?;
        let secs = |ms: i64| (ms.max(0) as u64).div_ceil(1000);
        Ok(Decision {
            allowed: allowed == 1,
            limit,
            remaining: remaining.clamp(0, i64::from(limit)) as u32,
            reset_secs: secs(reset_ms),
            retry_after_secs: if allowed == 1 {
                0
            } else {
                secs(retry_ms).max(1)
            },
        })
    }

    fn in_memory(&self, key: &str, limit: u32) -> Decision {
        let now = now_ms();
        let mut tats = self
            .memory
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if tats.len() > SWEEP_AT {
            tats.retain(|_, tat| *tat > now);
        }
        let (decision, tat) = gcra::step(tats.get(key).copied(), now, limit, PERIOD_MS);
        tats.insert(key.to_owned(), tat);
        decision
    }
}
