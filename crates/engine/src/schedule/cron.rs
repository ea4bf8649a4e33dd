//! Cron expressions as n8n's schedules use them: five fields (minute hour day-of-month month
//! day-of-week) or six with seconds first; `*`, `?`, numbers, names (`JAN`–`DEC`, `SUN`–`SAT`),
//! ranges, lists and steps (`*/5`, `1-30/2`, `10/15`); day-of-week 0 and 7 are Sunday. As in
//! classic cron, when both day fields are restricted a day matching either one matches.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

/// A parsed cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    seconds: u64,
    minutes: u64,
    hours: u64,
    days: u64,
    months: u64,
    weekdays: u64,
    days_restricted: bool,
    weekdays_restricted: bool,
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// One field's bounds and names.
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
    /// The value the first name stands for.
    first_named: u32,
}

const SECOND: Field = Field {
    name: "second",
    min: 0,
    max: 59,
    names: &[],
    first_named: 0,
};
const MINUTE: Field = Field {
    name: "minute",
    min: 0,
    max: 59,
    names: &[],
    first_named: 0,
};
const HOUR: Field = Field {
    name: "hour",
    min: 0,
    max: 23,
    names: &[],
    first_named: 0,
};
const DAY: Field = Field {
    name: "day of month",
    min: 1,
    max: 31,
    names: &[],
    first_named: 0,
};
const MONTH: Field = Field {
    name: "month",
    min: 1,
    max: 12,
    names: &MONTHS,
    first_named: 1,
};
const WEEKDAY: Field = Field {
    name: "day of week",
    min: 0,
    max: 7,
    names: &WEEKDAYS,
    first_named: 0,
};

impl Field {
    fn value(&self, raw: &str) -> Result<u32, String> {
        let upper = raw.to_ascii_uppercase();
        if let Some(i) = self.names.iter().position(|n| *n == upper) {
            return Ok(self.first_named + i as u32);
        }
        let v: u32 = raw
            .parse()
            .map_err(|_| format!("{raw:?} is not a valid {}", self.name))?;
        if v < self.min || v > self.max {
            return Err(format!(
                "{} {v} is out of range ({}-{})",
                self.name, self.min, self.max
            ));
        }
        Ok(v)
    }

    /// The set of values `spec` names, and whether it restricts anything (`*`/`?` do not).
    fn parse(&self, spec: &str) -> Result<(u64, bool), String> {
        let mut set = 0u64;
        let mut restricted = true;
        for part in spec.split(',') {
            if part.is_empty() {
                return Err(format!("empty item in the {} field", self.name));
            }
            let (range, step) = match part.split_once('/') {
                Some((r, s)) => {
                    let step: u32 = s.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                        format!("{s:?} is not a valid step in the {} field", self.name)
                    })?;
                    (r, Some(step))
                }
                None => (part, None),
            };
            let (lo, hi) = if range == "*" || range == "?" {
                if step.is_none() && spec.split(',').count() == 1 {
                    restricted = false;
                }
                (self.min, self.max)
            } else if let Some((a, b)) = range.split_once('-') {
                let (a, b) = (self.value(a)?, self.value(b)?);
                if a > b {
                    return Err(format!(
                        "range {range} of the {} field runs backwards",
                        self.name
                    ));
                }
                (a, b)
            } else {
                let a = self.value(range)?;
                // `10/15`: from 10 to the end in steps of 15.
                (a, if step.is_some() { self.max } else { a })
            };
            let step = step.unwrap_or(1);
            let mut v = lo;
            while v <= hi {
                set |= 1 << v;
                v += step;
            }
        }
        Ok((set, restricted))
    }
}

impl Cron {
    pub fn parse(expression: &str) -> Result<Self, String> {
        let fields: Vec<&str> = expression.split_whitespace().collect();
        let fields: Vec<&str> = match fields.len() {
            5 => std::iter::once("0").chain(fields).collect(),
            6 => fields,
            n => {
                return Err(format!(
                    "a cron expression has 5 or 6 fields, {expression:?} has {n}"
                ));
            }
        };
        let (seconds, _) = SECOND.parse(fields[0])?;
        let (minutes, _) = MINUTE.parse(fields[1])?;
        let (hours, _) = HOUR.parse(fields[2])?;
        let (days, days_restricted) = DAY.parse(fields[3])?;
        let (months, _) = MONTH.parse(fields[4])?;
        let (mut weekdays, weekdays_restricted) = WEEKDAY.parse(fields[5])?;
        if weekdays & (1 << 7) != 0 {
            weekdays = (weekdays | 1) & !(1 << 7);
        }
        Ok(Self {
            seconds,
            minutes,
            hours,
            days,
            months,
            weekdays,
            days_restricted,
            weekdays_restricted,
        })
    }

    /// The hour field is `*`: the rule fires in every hour (so in both copies of a repeated one).
    pub fn every_hour(&self) -> bool {
        self.hours == (1 << 24) - 1
    }

    fn day_matches(&self, date: NaiveDate) -> bool {
        if self.months & (1 << date.month()) == 0 {
            return false;
        }
        let day = self.days & (1 << date.day()) != 0;
        let weekday = self.weekdays & (1 << date.weekday().num_days_from_sunday()) != 0;
        match (self.days_restricted, self.weekdays_restricted) {
            (true, true) => day || weekday,
            _ => day && weekday,
        }
    }

    /// The first time of day at or after `from` on a matching day, if any that day.
    fn time_on_or_after(&self, from: NaiveTime) -> Option<NaiveTime> {
        let bits = |set: u64, from: u32, max: u32| (from..=max).find(|v| set & (1 << v) != 0);
        let mut h = bits(self.hours, from.hour(), 23)?;
        loop {
            let (m_from, s_from) = if h == from.hour() {
                (from.minute(), from.second())
            } else {
                (0, 0)
            };
            let mut m = bits(self.minutes, m_from, 59);
            while let Some(mm) = m {
                let s_start = if h == from.hour() && mm == from.minute() {
                    s_from
                } else {
                    0
                };
                if let Some(s) = bits(self.seconds, s_start, 59) {
                    return NaiveTime::from_hms_opt(h, mm, s);
                }
                m = bits(self.minutes, mm + 1, 59);
            }
            h = bits(self.hours, h + 1, 23)?;
        }
    }

    /// The first wall-clock time of the schedule strictly after `after` (within 8 years, so
    /// even a 29 February schedule is found).
    pub fn next_local_after(&self, after: NaiveDateTime) -> Option<NaiveDateTime> {
        let start = after + Duration::seconds(1);
        let start = start.with_nanosecond(0)?;
        let mut date = start.date();
        let mut from = start.time();
        for _ in 0..(366 * 8) {
            if self.day_matches(date)
                && let Some(t) = self.time_on_or_after(from)
            {
                return Some(date.and_time(t));
            }
            date = date.succ_opt()?;
            from = NaiveTime::MIN;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::Cron;
    use chrono::NaiveDateTime;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn next(expr: &str, after: &str) -> String {
        Cron::parse(expr)
            .unwrap()
            .next_local_after(at(after))
            .unwrap()
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    }

    #[test]
    fn five_fields_start_at_second_zero_and_six_fields_have_seconds_first() {
        assert_eq!(
            next("*/5 * * * *", "2026-03-01 10:02:30"),
            "2026-03-01 10:05:00"
        );
        assert_eq!(
            next("*/10 * * * * *", "2026-03-01 10:02:30"),
            "2026-03-01 10:02:40"
        );
        assert_eq!(
            next("* * * * * *", "2026-03-01 23:59:59"),
            "2026-03-02 00:00:00"
        );
    }

    #[test]
    fn names_ranges_lists_and_steps() {
        assert_eq!(
            next("0 9 * * MON-FRI", "2026-03-06 09:00:00"),
            "2026-03-09 09:00:00"
        );
        assert_eq!(
            next("30 8 1,15 * *", "2026-03-02 00:00:00"),
            "2026-03-15 08:30:00"
        );
        assert_eq!(
            next("0 0 1 JAN,jul *", "2026-03-02 00:00:00"),
            "2026-07-01 00:00:00"
        );
        assert_eq!(
            next("0 10/15 * * *", "2026-03-02 00:00:00"),
            "2026-03-02 10:00:00"
        );
        assert_eq!(
            next("0 0 * * 7", "2026-03-02 00:00:00"),
            "2026-03-08 00:00:00"
        );
        assert_eq!(
            next("0 0 29 2 *", "2026-03-01 00:00:00"),
            "2028-02-29 00:00:00"
        );
    }

    #[test]
    fn restricted_day_of_month_and_day_of_week_match_either() {
        // The 13th, or any Friday.
        assert_eq!(
            next("0 0 13 * FRI", "2026-03-01 00:00:00"),
            "2026-03-06 00:00:00"
        );
        assert_eq!(
            next("0 0 13 * FRI", "2026-03-06 00:00:00"),
            "2026-03-13 00:00:00"
        );
    }

    #[test]
    fn malformed_expressions_are_refused_with_the_reason() {
        for bad in [
            "",
            "* * * *",
            "61 * * * *",
            "* * * * * * *",
            "*/0 * * * *",
            "5-1 * * * *",
            "x * * * *",
        ] {
            assert!(Cron::parse(bad).is_err(), "{bad:?}");
        }
    }
}
