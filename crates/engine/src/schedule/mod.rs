//! Schedules of the Schedule Trigger (v1–v1.4), the legacy Cron node and the Interval node: the
//! rules a node's parameters describe, their next ticks in a time zone, and the item a tick emits.
//! Pure computation; firing, claiming and timers are the server's.

mod cron;
mod item;
mod recurrence;
mod rules;
mod zone;

pub use cron::Cron;
pub use item::trigger_item;
pub use recurrence::Recurrence;
pub use rules::{Rule, SCHEDULE_TYPES, Timing, rules_of, stable_int};
pub use zone::{next_after, workflow_zone};
