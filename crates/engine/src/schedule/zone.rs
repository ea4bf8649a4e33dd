//! A rule's next tick in a time zone, with daylight-saving transitions handled as n8n's cron
//! library handles them, minus its bug:
//! - a wall-clock time skipped by a spring-forward gap fires once, at the first instant after the
//!   gap (02:30 → 03:00:00, with the rule's seconds);
//! - a wall-clock time repeated by a fall-back fires once, at its first occurrence, unless the
//!   rule fires every hour (its hour field is `*`): then it fires in both copies of the hour.
//!
//! n8n (cron 4.4.0) also fires a rule set for the hour after the repeated one an hour early; that
//! extra run is a library bug and is not reproduced.

use chrono::offset::LocalResult;
use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use super::{Rule, Timing};

/// A workflow's zone: `settings.timezone`, else `generic` (`GENERIC_TIMEZONE`), else UTC.
pub fn workflow_zone(settings: &serde_json::Map<String, serde_json::Value>, generic: &str) -> Tz {
    settings
        .get("timezone")
        .and_then(serde_json::Value::as_str)
        .filter(|z| !z.is_empty() && *z != "DEFAULT")
        .and_then(|z| z.parse().ok())
        .or_else(|| generic.parse().ok())
        .unwrap_or(Tz::UTC)
}

/// The instant of wall-clock time `local`, or the instants (a repeated time has two; a skipped
/// one becomes the first instant after its gap, with its seconds).
fn resolve(tz: Tz, local: NaiveDateTime) -> Vec<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => vec![t.with_timezone(&Utc)],
        LocalResult::Ambiguous(a, b) => {
            let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
            if a <= b { vec![a, b] } else { vec![b, a] }
        }
        LocalResult::None => {
            // Walk to the end of the gap, minute by minute (gaps are at most a few hours).
            let mut probe = local.with_second(0).unwrap_or(local);
            for _ in 0..(6 * 60) {
                probe += Duration::minutes(1);
                if let Some(t) = tz.from_local_datetime(&probe).earliest() {
                    // The first instant after the gap is this minute's start or earlier.
                    let mut first = t.with_timezone(&Utc);
                    while tz
                        .from_utc_datetime(&(first - Duration::minutes(1)).naive_utc())
                        .naive_local()
                        > local
                    {
                        first -= Duration::minutes(1);
                    }
                    return vec![first + Duration::seconds(i64::from(local.second()))];
                }
            }
            Vec::new()
        }
    }
}

/// The first tick of `rule` strictly after `after`, in zone `tz` (recurrence filters aside).
pub fn next_after(rule: &Rule, after: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
    let cron = match &rule.timing {
        Timing::Every(secs) => {
            // Counted from the Unix epoch, so every process agrees on the ticks.
            let secs = (*secs).max(1) as i64;
            let now = after.timestamp();
            let next = (now.div_euclid(secs) + 1) * secs;
            return DateTime::from_timestamp(next, 0);
        }
        Timing::Cron(cron) => cron,
    };
    let both_copies = cron.every_hour();
    let local = |t: DateTime<Utc>| tz.from_utc_datetime(&t.naive_utc()).naive_local();
    // Naive order and real order differ by at most the largest DST shift (an hour here, 30
    // minutes at Lord Howe): start an hour early and keep the earliest instant found.
    let mut cursor = local(after) - Duration::hours(1) - Duration::seconds(1);
    let mut best: Option<(DateTime<Utc>, NaiveDateTime)> = None;
    for _ in 0..100_000 {
        let candidate = cron.next_local_after(cursor)?;
        if let Some((_, found_at)) = best
            && candidate > found_at + Duration::hours(2)
        {
            break;
        }
        let instants = resolve(tz, candidate);
        let usable = if both_copies || instants.len() < 2 {
            &instants[..]
        } else {
            &instants[..1]
        };
        for t in usable.iter().copied().filter(|t| *t > after) {
            if best.is_none_or(|(b, _)| t < b) {
                best = Some((t, candidate));
            }
        }
        cursor = candidate;
    }
    best.map(|(t, _)| t)
}

#[cfg(test)]
mod tests {
    use super::next_after;
    use crate::schedule::{Cron, Rule, Timing};
    use chrono::{DateTime, Utc};
    use chrono_tz::Tz;

    fn rule(expr: &str) -> Rule {
        Rule {
            timing: Timing::Cron(Cron::parse(expr).unwrap()),
            recurrence: None,
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// The next `n` ticks after `from`, each as RFC 3339 in the zone.
    fn ticks(expr: &str, zone: &str, from: &str, n: usize) -> Vec<String> {
        let tz: Tz = zone.parse().unwrap();
        let r = rule(expr);
        let mut at = utc(from);
        (0..n)
            .map(|_| {
                at = next_after(&r, at, tz).unwrap();
                at.with_timezone(&tz).to_rfc3339()
            })
            .collect()
    }

    // Times worked out by hand: Berlin springs forward on 2025-03-30 at 02:00 (+01 → +02) and
    // falls back on 2025-10-26 at 03:00 (+02 → +01); New York springs forward on 2025-03-09 at
    // 02:00 (-05 → -04) and falls back on 2025-11-02 at 02:00 (-04 → -05).

    #[test]
    fn a_daily_time_inside_the_spring_gap_fires_once_at_the_end_of_the_gap() {
        assert_eq!(
            ticks("0 30 2 * * *", "Europe/Berlin", "2025-03-29T00:00:00Z", 3),
            [
                "2025-03-29T02:30:00+01:00",
                "2025-03-30T03:00:00+02:00",
                "2025-03-31T02:30:00+02:00"
            ]
        );
        assert_eq!(
            ticks("13 47 2 * * *", "Europe/Berlin", "2025-03-30T00:00:00Z", 1),
            ["2025-03-30T03:00:13+02:00"]
        );
        assert_eq!(
            ticks(
                "0 30 2 * * *",
                "America/New_York",
                "2025-03-09T05:00:00Z",
                2
            ),
            ["2025-03-09T03:00:00-04:00", "2025-03-10T02:30:00-04:00"]
        );
    }

    #[test]
    fn hourly_and_finer_rules_skip_the_gap_and_fire_once_after_it() {
        assert_eq!(
            ticks(
                "0 0 * * * *",
                "Europe/Berlin",
                "2025-03-30T00:30:00+01:00",
                3
            ),
            [
                "2025-03-30T01:00:00+01:00",
                "2025-03-30T03:00:00+02:00",
                "2025-03-30T04:00:00+02:00"
            ]
        );
        assert_eq!(
            ticks(
                "0 */20 * * * *",
                "Europe/Berlin",
                "2025-03-30T01:30:00+01:00",
                3
            ),
            [
                "2025-03-30T01:40:00+01:00",
                "2025-03-30T03:00:00+02:00",
                "2025-03-30T03:20:00+02:00"
            ]
        );
    }

    #[test]
    fn a_daily_time_in_the_repeated_hour_fires_once_at_its_first_occurrence() {
        assert_eq!(
            ticks("0 30 2 * * *", "Europe/Berlin", "2025-10-25T12:00:00Z", 2),
            ["2025-10-26T02:30:00+02:00", "2025-10-27T02:30:00+01:00"]
        );
        assert_eq!(
            ticks(
                "0 30 1 * * *",
                "America/New_York",
                "2025-11-01T12:00:00Z",
                2
            ),
            ["2025-11-02T01:30:00-04:00", "2025-11-03T01:30:00-05:00"]
        );
        // The hour after the repeated one fires once (n8n's library also fires it an hour early).
        assert_eq!(
            ticks("0 0 3 * * *", "Europe/Berlin", "2025-10-25T12:00:00Z", 2),
            ["2025-10-26T03:00:00+01:00", "2025-10-27T03:00:00+01:00"]
        );
        // Asked again from inside the second copy of the hour, it does not fire a second time.
        assert_eq!(
            ticks(
                "0 30 2 * * *",
                "Europe/Berlin",
                "2025-10-26T02:10:00+01:00",
                1
            ),
            ["2025-10-27T02:30:00+01:00"]
        );
    }

    #[test]
    fn hourly_and_finer_rules_fire_in_both_copies_of_the_repeated_hour() {
        assert_eq!(
            ticks(
                "0 0 * * * *",
                "Europe/Berlin",
                "2025-10-26T00:30:00+02:00",
                4
            ),
            [
                "2025-10-26T01:00:00+02:00",
                "2025-10-26T02:00:00+02:00",
                "2025-10-26T02:00:00+01:00",
                "2025-10-26T03:00:00+01:00"
            ]
        );
        assert_eq!(
            ticks(
                "0 */20 * * * *",
                "America/New_York",
                "2025-11-02T00:50:00-04:00",
                7
            ),
            [
                "2025-11-02T01:00:00-04:00",
                "2025-11-02T01:20:00-04:00",
                "2025-11-02T01:40:00-04:00",
                "2025-11-02T01:00:00-05:00",
                "2025-11-02T01:20:00-05:00",
                "2025-11-02T01:40:00-05:00",
                "2025-11-02T02:00:00-05:00"
            ]
        );
    }

    #[test]
    fn intervals_count_from_the_epoch_so_every_process_agrees() {
        let r = Rule {
            timing: Timing::Every(90),
            recurrence: None,
        };
        let tz: Tz = "UTC".parse().unwrap();
        assert_eq!(
            next_after(&r, utc("1970-01-01T00:01:00Z"), tz).unwrap(),
            utc("1970-01-01T00:01:30Z")
        );
        assert_eq!(
            next_after(&r, utc("1970-01-01T00:01:30Z"), tz).unwrap(),
            utc("1970-01-01T00:03:00Z")
        );
    }
}
