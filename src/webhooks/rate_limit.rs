//! Per-webhook rate limits (`settings.webhookRateLimit`): fixed one-minute windows, counted in
//! Redis when it is configured (shared by every API instance) and in memory otherwise.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

const WINDOW_SECS: u64 = 60;
/// In-memory counters kept before old windows are swept.
const SWEEP_AT: usize = 10_000;

#[derive(Default)]
pub struct RateLimiter {
    memory: Mutex<HashMap<String, (u64, u32)>>,
}

/// Over the limit: seconds until the window resets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

impl RateLimiter {
    /// Counts one call of webhook `key`; refuses it when the window already had `per_minute`.
    pub async fn hit(
        &self,
        redis: Option<&crate::bus::Bus>,
        key: &str,
        per_minute: u32,
    ) -> Result<(), RetryAfter> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let window = now / WINDOW_SECS;
        let retry = RetryAfter(WINDOW_SECS - now % WINDOW_SECS);
        let count = match redis {
            Some(bus) => match count_in_redis(bus, key, window).await {
                Ok(n) => n,
                Err(e) => {
                    // Losing Redis must not take webhooks down: count here until it is back.
                    tracing::warn!(error = %e, "webhook rate limit: Redis unavailable, counting in memory");
                    self.count_in_memory(key, window)
                }
            },
            None => self.count_in_memory(key, window),
        };
        if count > u64::from(per_minute) {
            Err(retry)
        } else {
            Ok(())
        }
    }

    fn count_in_memory(&self, key: &str, window: u64) -> u64 {
        let mut counters = self
            .memory
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if counters.len() > SWEEP_AT {
            counters.retain(|_, (w, _)| *w == window);
        }
        let entry = counters.entry(key.to_owned()).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        u64::from(entry.1)
    }
}

async fn count_in_redis(bus: &crate::bus::Bus, key: &str, window: u64) -> redis::RedisResult<u64> {
    let mut conn = bus.conn().await?;
    let redis_key = format!("weft:webhook-rate:{key}:{window}");
    let (count,): (u64,) = redis::pipe()
        .atomic()
        .incr(&redis_key, 1)
        .expire(&redis_key, (2 * WINDOW_SECS) as i64)
        .ignore()
        .query_async(&mut conn)
        .await?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_call_past_the_limit_is_refused_with_the_seconds_left() {
        let limiter = RateLimiter::default();
        assert!(limiter.hit(None, "wf:a", 2).await.is_ok());
        assert!(limiter.hit(None, "wf:a", 2).await.is_ok());
        let RetryAfter(secs) = limiter.hit(None, "wf:a", 2).await.unwrap_err();
        assert!((1..=60).contains(&secs));
        assert!(
            limiter.hit(None, "wf:b", 2).await.is_ok(),
            "each webhook counts alone"
        );
    }
}
