//! "Every N units" rules beyond what a cron step expresses (every 7 minutes, every 2 weeks):
//! n8n's elapsed-time check, counted from the rule's last fired tick.

use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// "Every N units" beyond what the cron expresses: a tick fires only when at least N units
/// passed since the rule's last tick (the first tick always fires), n8n's elapsed-time check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recurrence {
    Minutes(u32),
    Hours(u32),
    Days(u32),
    Weeks(u32),
    Months(u32),
}

/// Sunday-start week number, week 1 holding 1 January (moment's `week()` in the `en` locale).
fn week_of(date: chrono::NaiveDate) -> u32 {
    let jan1 = chrono::NaiveDate::from_ymd_opt(date.year(), 1, 1).unwrap_or(date);
    let offset = jan1.weekday().num_days_from_sunday();
    (date.ordinal0() + offset) / 7 + 1
}

impl Recurrence {
    /// Whether a tick at `tick` fires, the rule's last fired tick being `last`.
    pub fn allows(&self, tick: DateTime<Utc>, last: Option<DateTime<Utc>>, tz: Tz) -> bool {
        let Some(last) = last else { return true };
        let (now, then) = (
            tz.from_utc_datetime(&tick.naive_utc()),
            tz.from_utc_datetime(&last.naive_utc()),
        );
        match *self {
            Recurrence::Minutes(n) => {
                (tick.timestamp() / 60 - last.timestamp() / 60) >= i64::from(n)
            }
            Recurrence::Hours(n) => (now.hour() + 24 - then.hour()) % 24 >= n,
            Recurrence::Days(n) => (now.ordinal() + 365 - then.ordinal()) % 365 >= n,
            Recurrence::Weeks(n) => {
                let (w, l) = (week_of(now.date_naive()), week_of(then.date_naive()));
                w == l || (w + 52 - l) % 52 >= n
            }
            Recurrence::Months(n) => {
                let abs = |d: &DateTime<Tz>| d.year() * 12 + d.month0() as i32;
                abs(&now) - abs(&then) >= n as i32
            }
        }
    }
}
