//! The generic cell rate algorithm: each subject has a theoretical arrival time (TAT); a call
//! moves it one emission interval on, and is refused while the TAT would run more than a
//! whole burst ahead of now. The same steps run in Redis (one Lua script, atomic, on Redis's
//! clock) and in memory.

/// What one call was told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// Calls per window.
    pub limit: u32,
    /// Calls left right now.
    pub remaining: u32,
    /// Seconds until the full budget is back.
    pub reset_secs: u64,
    /// Seconds to wait before the next call can pass (0 when allowed).
    pub retry_after_secs: u64,
}

/// One step: the call at `now_ms` against the stored `tat_ms`, `limit` calls per `period_ms`.
/// Returns the decision and the TAT to store (unchanged when refused).
pub fn step(tat_ms: Option<i64>, now_ms: i64, limit: u32, period_ms: i64) -> (Decision, i64) {
    let limit_i = i64::from(limit.max(1));
    let interval = (period_ms / limit_i).max(1);
    let tat = tat_ms.unwrap_or(now_ms).max(now_ms);
    let new_tat = tat + interval;
    let allow_at = new_tat - limit_i * interval;
    let secs = |ms: i64| (ms.max(0) as u64).div_ceil(1000);
    if now_ms < allow_at {
        let decision = Decision {
            allowed: false,
            limit,
            remaining: 0,
            reset_secs: secs(tat - now_ms),
            retry_after_secs: secs(allow_at - now_ms).max(1),
        };
        return (decision, tat);
    }
    let remaining = ((now_ms - allow_at) / interval).clamp(0, limit_i) as u32;
    let decision = Decision {
        allowed: true,
        limit,
        remaining,
        reset_secs: secs(new_tat - now_ms),
        retry_after_secs: 0,
    };
    (decision, new_tat)
}

/// The same step in Redis: `KEYS[1]` the subject, `ARGV` limit and period (ms); answers
/// `{allowed, remaining, reset_ms, retry_ms}` on Redis's own clock, so every instance agrees.
pub const LUA: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local interval = math.max(1, math.floor(tonumber(ARGV[2]) / limit))
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - limit * interval
if now < allow_at then
  return {0, 0, tat - now, allow_at - now}
end
redis.call('SET', KEYS[1], new_tat, 'PX', math.max(1, new_tat - now))
local remaining = math.floor((now - allow_at) / interval)
if remaining > limit then remaining = limit end
return {1, remaining, new_tat - now, 0}
"#;

#[cfg(test)]
mod tests {
    use super::step;

    #[test]
    fn a_burst_of_the_limit_passes_then_calls_wait_one_interval_each() {
        let (mut tat, now) = (None, 1_000_000);
        for left in (0..10).rev() {
            let (d, next) = step(tat, now, 10, 60_000);
            assert!(d.allowed);
            assert_eq!(d.remaining, left);
            tat = Some(next);
        }
        let (d, same) = step(tat, now, 10, 60_000);
        assert!(!d.allowed);
        assert_eq!(d.retry_after_secs, 6, "one interval of 60 s / 10");
        assert_eq!(d.reset_secs, 60);
        assert_eq!(Some(same), tat, "a refused call costs nothing");
        let (d, _) = step(tat, now + 6_000, 10, 60_000);
        assert!(d.allowed, "one interval later one more passes");
    }
}
