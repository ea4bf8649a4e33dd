//! Workflow settings Weft adds for queue mode: `settings.retry` (run a failed execution again,
//! later, with exponential backoff) and `settings.maxConcurrency` (most executions of the
//! workflow running at once, across all workers). Checked when a workflow is saved.

use std::time::Duration;

use serde_json::{Map, Value};

/// `settings.retry`: `{maxAttempts, initialDelayMs, factor, maxDelayMs}`, each optional.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    pub initial_delay: Duration,
    pub factor: f64,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_delay: Duration::from_millis(1000),
            factor: 2.0,
            max_delay: Duration::from_millis(60_000),
        }
    }
}

impl RetryPolicy {
    /// The delay before the retry that follows `retries_done` earlier retries, for a random
    /// `unit` in [0, 1): between half and all of `min(initial × factor^retries_done, max)`
    /// ("equal jitter": spread out, yet each wait at least as long as the one before).
    pub fn delay(&self, retries_done: u32, unit: f64) -> Duration {
        let exp = self.factor.powi(retries_done.min(64) as i32);
        let cap = (self.initial_delay.as_secs_f64() * exp).min(self.max_delay.as_secs_f64());
        let unit = unit.clamp(0.0, 1.0);
        Duration::from_secs_f64((cap / 2.0) * (1.0 + unit))
    }
}

fn whole(
    map: &Map<String, Value>,
    key: &str,
    range: std::ops::RangeInclusive<u64>,
) -> Result<Option<u64>, String> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .filter(|n| range.contains(n))
            .map(Some)
            .ok_or_else(|| {
                format!(
                    "{key} must be a whole number from {} to {}",
                    range.start(),
                    range.end()
                )
            }),
    }
}

/// `settings.retry`: off when absent, `null` or `false`; `true` is the defaults (3 attempts,
/// 1 s, ×2, at most 60 s); an object sets any of them.
pub fn retry_policy(settings: &Map<String, Value>) -> Result<Option<RetryPolicy>, String> {
    let map = match settings.get("retry") {
        None | Some(Value::Null) | Some(Value::Bool(false)) => return Ok(None),
        Some(Value::Bool(true)) => return Ok(Some(RetryPolicy::default())),
        Some(Value::Object(map)) => map,
        Some(_) => {
            return Err("must be true, false or an object {maxAttempts, initialDelayMs, factor, maxDelayMs}".into());
        }
    };
    let mut policy = RetryPolicy::default();
    if let Some(n) = whole(map, "maxAttempts", 1..=100)? {
        policy.max_attempts = n as u32;
    }
    if let Some(ms) = whole(map, "initialDelayMs", 0..=86_400_000)? {
        policy.initial_delay = Duration::from_millis(ms);
    }
    if let Some(ms) = whole(map, "maxDelayMs", 0..=86_400_000)? {
        policy.max_delay = Duration::from_millis(ms);
    }
    match map.get("factor") {
        None | Some(Value::Null) => {}
        Some(v) => match v.as_f64().filter(|f| (1.0..=10.0).contains(f)) {
            Some(f) => policy.factor = f,
            None => return Err("factor must be a number from 1 to 10".into()),
        },
    }
    if policy.max_delay < policy.initial_delay {
        return Err("maxDelayMs must be at least initialDelayMs".into());
    }
    if let Some(other) = map
        .keys()
        .find(|k| !["maxAttempts", "initialDelayMs", "factor", "maxDelayMs"].contains(&k.as_str()))
    {
        return Err(format!(
            "{other:?} is not a retry setting (maxAttempts, initialDelayMs, factor, maxDelayMs)"
        ));
    }
    Ok(Some(policy))
}

/// `settings.maxConcurrency`: no limit when absent or `null`; else 1 to 10000.
pub fn max_concurrency(settings: &Map<String, Value>) -> Result<Option<u32>, String> {
    match settings.get("maxConcurrency") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .filter(|n| (1..=10_000).contains(n))
            .map(|n| Some(n as u32))
            .ok_or_else(|| "must be a whole number from 1 to 10000".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn settings(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn retry_is_off_unless_asked_for_and_true_means_the_defaults() {
        assert_eq!(retry_policy(&settings(json!({}))), Ok(None));
        assert_eq!(retry_policy(&settings(json!({"retry": false}))), Ok(None));
        assert_eq!(
            retry_policy(&settings(json!({"retry": true}))),
            Ok(Some(RetryPolicy::default()))
        );
        let p = retry_policy(&settings(
            json!({"retry": {"maxAttempts": 5, "initialDelayMs": 200}}),
        ))
        .unwrap()
        .unwrap();
        assert_eq!(
            (p.max_attempts, p.initial_delay),
            (5, Duration::from_millis(200))
        );
    }

    #[test]
    fn bad_retry_settings_are_refused_with_the_reason() {
        for bad in [
            json!({"retry": "yes"}),
            json!({"retry": {"maxAttempts": 0}}),
            json!({"retry": {"factor": 0.5}}),
            json!({"retry": {"initialDelayMs": 5000, "maxDelayMs": 1000}}),
            json!({"retry": {"attempts": 3}}),
        ] {
            assert!(retry_policy(&settings(bad.clone())).is_err(), "{bad}");
        }
    }

    #[test]
    fn each_wait_is_between_half_and_all_of_its_exponential_cap_so_waits_grow() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(0, 0.0), Duration::from_millis(500));
        assert_eq!(p.delay(0, 1.0), Duration::from_millis(1000));
        assert_eq!(p.delay(1, 0.0), Duration::from_millis(1000));
        assert_eq!(p.delay(2, 1.0), Duration::from_millis(4000));
        // Capped at maxDelayMs.
        assert_eq!(p.delay(20, 1.0), Duration::from_millis(60_000));
        for n in 0..8 {
            assert!(p.delay(n + 1, 0.0) >= p.delay(n, 1.0).min(p.max_delay / 2));
        }
    }

    #[test]
    fn max_concurrency_is_a_whole_number_from_1() {
        assert_eq!(max_concurrency(&settings(json!({}))), Ok(None));
        assert_eq!(
            max_concurrency(&settings(json!({"maxConcurrency": 2}))),
            Ok(Some(2))
        );
        assert!(max_concurrency(&settings(json!({"maxConcurrency": 0}))).is_err());
        assert!(max_concurrency(&settings(json!({"maxConcurrency": "2"}))).is_err());
    }
}
