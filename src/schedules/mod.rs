//! Schedule triggers (Schedule Trigger, Cron, Interval) of active workflows. Every `weft serve`
//! process arms every schedule and, at each tick, tries to fire it; the tick's claim, written in
//! the same transaction as the execution it starts (`schedule_ticks`' primary key), lets exactly
//! one process fire each tick, however many there are and whichever of them dies. Schedules are
//! re-read when a workflow changes (the change generation, shared through the Redis change feed;
//! every 5 s where caches cannot trust it).

mod armed;
mod fire;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::runner::Runner;
use armed::Armed;

/// How the scheduler works.
#[derive(Debug, Clone)]
pub struct ScheduleSettings {
    /// `GENERIC_TIMEZONE`: the zone of workflows whose settings name none.
    pub generic_timezone: String,
    /// `WEFT_SCHEDULE_CATCH_UP_SECS`: at start-up, each trigger fires once for its latest tick
    /// missed within this long (0: none, as n8n).
    pub catch_up: Duration,
}

/// Longest sleep between looks at the schedules (a change is noticed within it).
const LOOK_EVERY: Duration = Duration::from_secs(1);
/// How often schedules are re-read when the change generation cannot be trusted.
const RELOAD_UNTRUSTED: Duration = Duration::from_secs(5);
/// Most ticks one rule fires in one round (a clock jump must not start a storm).
const MOST_PER_ROUND: usize = 10;

/// Runs the scheduler of this process forever (spawn it).
pub async fn run(runner: Arc<Runner>, settings: ScheduleSettings) {
    let db = runner.db().clone();
    let started = Utc::now();
    let mut armed: Vec<Armed> = Vec::new();
    let mut generation = None;
    let mut loaded_at = std::time::Instant::now();
    let mut last = started;
    let mut first = true;
    loop {
        let now_gen = db.workflow_generation();
        let stale = !db.caches_are_coherent() && loaded_at.elapsed() >= RELOAD_UNTRUSTED;
        if generation != Some(now_gen) || stale {
            match armed::load(&db, &settings, &armed, Utc::now()).await {
                Ok(fresh) => {
                    armed = fresh;
                    generation = Some(now_gen);
                    loaded_at = std::time::Instant::now();
                }
                Err(e) => tracing::warn!(error = %e, "schedules could not be read; trying again"),
            }
            if first && generation.is_some() {
                first = false;
                if !settings.catch_up.is_zero() {
                    catch_up(&runner, &armed, started, settings.catch_up).await;
                }
            }
        }
        let now = Utc::now();
        for a in &armed {
            for (index, rule) in a.rules.iter().enumerate() {
                let mut from = last.max(a.armed_at);
                for _ in 0..MOST_PER_ROUND {
                    let Some(tick) = weft_engine::schedule::next_after(rule, from, a.tz) else {
                        break;
                    };
                    if tick > now {
                        break;
                    }
                    fire::fire(&runner, a, index, tick).await;
                    from = tick;
                }
            }
        }
        last = now;
        let next = armed
            .iter()
            .flat_map(|a| {
                a.rules
                    .iter()
                    .filter_map(move |r| weft_engine::schedule::next_after(r, now, a.tz))
            })
            .min();
        tokio::time::sleep(until(next, Utc::now())).await;
    }
}

/// How long to sleep before `next` (at most [`LOOK_EVERY`]).
fn until(next: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Duration {
    next.and_then(|n| (n - now).to_std().ok())
        .map_or(LOOK_EVERY, |d| d.min(LOOK_EVERY))
}

/// One run per trigger rule for its latest tick missed in the `window` before `started`
/// (a tick fired before the stop is claimed already and does not run again).
async fn catch_up(runner: &Arc<Runner>, armed: &[Armed], started: DateTime<Utc>, window: Duration) {
    let Ok(window) = chrono::Duration::from_std(window) else {
        return;
    };
    for a in armed {
        for (index, rule) in a.rules.iter().enumerate() {
            let mut from = started - window;
            let mut latest = None;
            while let Some(tick) = weft_engine::schedule::next_after(rule, from, a.tz) {
                if tick > started {
                    break;
                }
                latest = Some(tick);
                from = tick;
            }
            if let Some(tick) = latest {
                tracing::info!(workflow = %a.workflow_id, node = %a.node, %tick, "catching up a tick missed while stopped");
                fire::fire(runner, a, index, tick).await;
            }
        }
    }
}
