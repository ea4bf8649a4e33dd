//! The rules of a schedule node, as n8n builds them: Schedule Trigger (every version) rules become
//! six-field cron expressions, with the second (and any minute, hour or day of month left unset)
//! derived from a hash of the workflow and node ids, as n8n does, so every process and every
//! activation agrees; intervals a cron step cannot express ("every 7 minutes", "every 2 weeks")
//! fire on the cron and are thinned by a [`Recurrence`]. The legacy Cron node's modes and the
//! Interval node are read too.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{Cron, Recurrence};
use crate::workflow::Node;

/// Node types that fire on a schedule.
pub const SCHEDULE_TYPES: &[&str] = &[
    "n8n-nodes-base.scheduleTrigger",
    "n8n-nodes-base.cron",
    "n8n-nodes-base.interval",
];

/// When a rule fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Timing {
    Cron(Cron),
    /// Every this many seconds, counted from the Unix epoch (the Interval node).
    Every(u64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub timing: Timing,
    pub recurrence: Option<Recurrence>,
}

/// n8n's `stableInt`: `min + (first four bytes of sha256("{seed}:{label}") mod (max - min))`.
pub fn stable_int(seed: &str, label: &str, min: u32, max: u32) -> u32 {
    let digest = Sha256::digest(format!("{seed}:{label}").as_bytes());
    let n = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
    min + n % (max - min)
}

fn number(v: &Value, key: &str) -> Option<i64> {
    let v = v.get(key)?;
    v.as_i64()
        .or_else(|| v.as_f64().map(|f| f as i64))
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

fn cron(expr: &str) -> Result<Timing, String> {
    Cron::parse(expr).map(Timing::Cron)
}

/// One Schedule Trigger rule (`rule.interval[i]`). `filled`: n8n fills the parameters' defaults
/// into each stored rule (hour and minute 0, day of month 1) before it runs; only a rule list
/// stored empty leaves them unset, and they come from the hash then.
fn schedule_rule(item: &Value, seed: &str, version: f64, filled: bool) -> Result<Rule, String> {
    let field = item["field"].as_str().unwrap_or("days");
    let size = |key: &str, default: i64| number(item, key).unwrap_or(default);
    let second = stable_int(seed, "second", 0, 60);
    let unset = |key: &str, label: &str, min: u32, max: u32, default: i64| {
        number(item, key).unwrap_or(if filled {
            default
        } else {
            i64::from(stable_int(seed, label, min, max))
        })
    };
    let minute = || unset("triggerAtMinute", "minute", 0, 60, 0);
    let hour = || unset("triggerAtHour", "hour", 0, 24, 0);
    let check = |ok: bool, message: &str| {
        if version >= 1.3 && !ok {
            Err(format!("Invalid interval: {message}"))
        } else {
            Ok(())
        }
    };
    let positive = |n: i64, what: &str| {
        u32::try_from(n)
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("Invalid interval: {what} must be at least 1"))
    };
    let (timing, recurrence) = match field {
        "cronExpression" => {
            let expr = item["expression"].as_str().unwrap_or_default();
            (
                cron(expr).map_err(|e| format!("Invalid cron expression: {e}"))?,
                None,
            )
        }
        "seconds" => {
            let n = size("secondsInterval", 30);
            check((1..=59).contains(&n), "Seconds must be in range 1-59")?;
            (
                cron(&format!("*/{} * * * * *", positive(n, "Seconds")?))?,
                None,
            )
        }
        "minutes" => {
            let n = size("minutesInterval", 5);
            check((1..=59).contains(&n), "Minutes must be in range 1-59")?;
            let n = positive(n, "Minutes")?;
            if 60 % n == 0 {
                (cron(&format!("{second} */{n} * * * *"))?, None)
            } else {
                (
                    cron(&format!("{second} * * * * *"))?,
                    Some(Recurrence::Minutes(n)),
                )
            }
        }
        "hours" => {
            let n = size("hoursInterval", 1);
            check((1..=23).contains(&n), "Hours must be in range 1-23")?;
            let n = positive(n, "Hours")?;
            let m = minute();
            let recurrence = (n != 1).then_some(Recurrence::Hours(n));
            if 24 % n == 0 {
                (cron(&format!("{second} {m} */{n} * * *"))?, recurrence)
            } else {
                (cron(&format!("{second} {m} * * * *"))?, recurrence)
            }
        }
        "weeks" => {
            let n = positive(size("weeksInterval", 1), "Weeks")?;
            let days: Vec<String> = match item.get("triggerAtDay") {
                Some(Value::Array(days)) => days
                    .iter()
                    .filter_map(|d| d.as_i64().or_else(|| d.as_str()?.parse().ok()))
                    .map(|d| d.to_string())
                    .collect(),
                _ => vec!["0".into()],
            };
            let days = if days.is_empty() {
                "*".into()
            } else {
                days.join(",")
            };
            (
                cron(&format!("{second} {} {} * * {days}", minute(), hour()))?,
                (n != 1).then_some(Recurrence::Weeks(n)),
            )
        }
        "months" => {
            let n = size("monthsInterval", 1);
            check(n >= 1, "Months must be larger than 0")?;
            let n = positive(n, "Months")?;
            let day = unset("triggerAtDayOfMonth", "dayOfMonth", 1, 29, 1);
            let recurrence = (n != 1).then_some(Recurrence::Months(n));
            let months = if 12 % n == 0 {
                format!("*/{n}")
            } else {
                "*".into()
            };
            (
                cron(&format!(
                    "{second} {} {} {day} {months} *",
                    minute(),
                    hour()
                ))?,
                recurrence,
            )
        }
        // `days`, and anything unknown (n8n reads it as days).
        _ => {
            let n = size("daysInterval", 1);
            check((1..=31).contains(&n), "Days must be in range 1-31")?;
            let n = positive(n, "Days")?;
            (
                cron(&format!("{second} {} {} * * *", minute(), hour()))?,
                (n != 1).then_some(Recurrence::Days(n)),
            )
        }
    };
    Ok(Rule { timing, recurrence })
}

/// One legacy Cron node item (`triggerTimes.item[i]`); its second is hash-derived too (n8n draws
/// a random one at every activation, which several processes could not agree on).
fn cron_node_rule(item: &Value, seed: &str, index: usize) -> Result<Rule, String> {
    let second = stable_int(seed, &format!("second:{index}"), 0, 60);
    let hour = number(item, "hour").unwrap_or(14);
    let minute = number(item, "minute").unwrap_or(0);
    let expr = match item["mode"].as_str().unwrap_or("everyDay") {
        "everyMinute" => format!("{second} * * * * *"),
        "everyHour" => format!("{second} {minute} * * * *"),
        "everyX" => {
            let value = number(item, "value").unwrap_or(2);
            if value < 1 {
                return Err("Invalid interval: the value must be at least 1".into());
            }
            match item["unit"].as_str().unwrap_or("hours") {
                "minutes" => format!("{second} */{value} * * * *"),
                _ => format!(
                    "{second} {} */{value} * * *",
                    stable_int(seed, &format!("minute:{index}"), 0, 60)
                ),
            }
        }
        "everyWeek" => {
            let weekday = number(item, "weekday").unwrap_or(1);
            format!("{second} {minute} {hour} * * {weekday}")
        }
        "everyMonth" => {
            let day = number(item, "dayOfMonth").unwrap_or(1);
            format!("{second} {minute} {hour} {day} * *")
        }
        "custom" => item["cronExpression"]
            .as_str()
            .unwrap_or("* * * * * *")
            .trim()
            .to_owned(),
        _ => format!("{second} {minute} {hour} * * *"),
    };
    Ok(Rule {
        timing: cron(&expr).map_err(|e| format!("Invalid cron expression: {e}"))?,
        recurrence: None,
    })
}

/// The rules of a schedule node (empty for other types). `workflow_id` seeds the hash-derived
/// fields, with the node's id, as n8n's `${workflowId}:${nodeId}`.
pub fn rules_of(node: &Node, workflow_id: &str) -> Result<Vec<Rule>, String> {
    let node_id = node
        .extra
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let seed = format!("{workflow_id}:{node_id}");
    let params = &node.parameters;
    match node.node_type.as_str() {
        "n8n-nodes-base.scheduleTrigger" => {
            let version = node.type_version.as_f64().unwrap_or(1.0);
            let (items, filled) = match params.pointer("/rule/interval") {
                Some(Value::Array(items)) => (items.clone(), true),
                // No `rule` at all: n8n's default rule, days (at midnight once filled).
                None if params.get("rule").is_none() => {
                    (vec![serde_json::json!({"field": "days"})], true)
                }
                // A rule list stored empty: one rule of all-unset fields.
                _ => (vec![Value::Object(Default::default())], false),
            };
            items
                .iter()
                .map(|item| schedule_rule(item, &seed, version, filled))
                .collect()
        }
        "n8n-nodes-base.cron" => params
            .pointer("/triggerTimes/item")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| cron_node_rule(item, &seed, i))
                    .collect()
            })
            .unwrap_or_else(|| Ok(Vec::new())),
        "n8n-nodes-base.interval" => {
            let n = number(params, "interval").unwrap_or(1);
            if n < 1 {
                return Err("The interval has to be set to at least 1 or higher!".into());
            }
            let unit = match params["unit"].as_str().unwrap_or("seconds") {
                "minutes" => 60,
                "hours" => 3600,
                _ => 1,
            };
            let secs = (n as u64).saturating_mul(unit);
            if secs.saturating_mul(1000) > 2_147_483_647 {
                return Err("The interval value is too large.".into());
            }
            Ok(vec![Rule {
                timing: Timing::Every(secs),
                recurrence: None,
            }])
        }
        _ => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::{Recurrence, rules_of, stable_int};
    use crate::schedule::{Cron, Timing};
    use crate::workflow::Node;
    use serde_json::json;

    #[test]
    fn hash_derived_fields_match_n8ns_test_vector() {
        assert_eq!(stable_int("test-key", "second", 0, 60), 56);
        assert_eq!(stable_int("test-key", "minute", 0, 60), 19);
        assert_eq!(stable_int("test-key", "hour", 0, 24), 14);
        assert_eq!(stable_int("test-key", "dayOfMonth", 1, 29), 22);
    }

    fn schedule(rules: serde_json::Value) -> Vec<super::Rule> {
        let node: Node = serde_json::from_value(json!({
            "name": "Schedule Trigger", "type": "n8n-nodes-base.scheduleTrigger", "typeVersion": 1.2,
            "id": "key", "parameters": {"rule": {"interval": rules}}
        }))
        .unwrap();
        rules_of(&node, "test").unwrap()
    }

    fn cron(expr: &str) -> Timing {
        Timing::Cron(Cron::parse(expr).unwrap())
    }

    #[test]
    fn schedule_rules_become_n8ns_cron_expressions() {
        // The seed "test:key" is "test-key"'s shape; its own values are checked through the
        // expressions n8n would build with them.
        let s = stable_int("test:key", "second", 0, 60);
        let r = schedule(json!([
            {"field": "seconds", "secondsInterval": 10},
            {"field": "minutes", "minutesInterval": 30},
            {"field": "minutes", "minutesInterval": 7},
            {"field": "hours", "hoursInterval": 3, "triggerAtMinute": 22},
            {"field": "days", "daysInterval": 4, "triggerAtHour": 10, "triggerAtMinute": 30},
            {"field": "weeks", "weeksInterval": 2, "triggerAtDay": [1, 3, 5], "triggerAtHour": 9, "triggerAtMinute": 0},
            {"field": "months", "monthsInterval": 5, "triggerAtDayOfMonth": 1, "triggerAtHour": 0, "triggerAtMinute": 0},
            {"field": "cronExpression", "expression": "0 15 * 1 sun"},
            {"field": "hours"}
        ]));
        assert_eq!(r[0].timing, cron("*/10 * * * * *"));
        assert_eq!(r[1].timing, cron(&format!("{s} */30 * * * *")));
        assert_eq!(r[2].timing, cron(&format!("{s} * * * * *")));
        assert_eq!(r[2].recurrence, Some(Recurrence::Minutes(7)));
        assert_eq!(r[3].timing, cron(&format!("{s} 22 */3 * * *")));
        assert_eq!(r[3].recurrence, Some(Recurrence::Hours(3)));
        assert_eq!(r[4].timing, cron(&format!("{s} 30 10 * * *")));
        assert_eq!(r[4].recurrence, Some(Recurrence::Days(4)));
        assert_eq!(r[5].timing, cron(&format!("{s} 0 9 * * 1,3,5")));
        assert_eq!(r[5].recurrence, Some(Recurrence::Weeks(2)));
        assert_eq!(r[6].timing, cron(&format!("{s} 0 0 1 * *")));
        assert_eq!(r[6].recurrence, Some(Recurrence::Months(5)));
        assert_eq!(r[7].timing, cron("0 0 15 * 1 0"));
        // Defaults filled, as n8n fills them: minute 0.
        assert_eq!(r[8].timing, cron(&format!("{s} 0 */1 * * *")));
        assert_eq!(r[8].recurrence, None);
    }

    #[test]
    fn version_1_3_refuses_out_of_range_intervals_and_every_version_bad_cron() {
        let node = |version: f64, rule: serde_json::Value| -> Node {
            serde_json::from_value(json!({
                "name": "S", "type": "n8n-nodes-base.scheduleTrigger", "typeVersion": version,
                "parameters": {"rule": {"interval": [rule]}}
            }))
            .unwrap()
        };
        let err = rules_of(
            &node(1.3, json!({"field": "days", "daysInterval": 40})),
            "w",
        )
        .unwrap_err();
        assert!(err.contains("Days must be in range 1-31"), "{err}");
        assert!(
            rules_of(
                &node(1.2, json!({"field": "days", "daysInterval": 40})),
                "w"
            )
            .is_ok()
        );
        let err = rules_of(
            &node(
                1.0,
                json!({"field": "cronExpression", "expression": "100 * * * *"}),
            ),
            "w",
        )
        .unwrap_err();
        assert!(err.starts_with("Invalid cron expression"), "{err}");
    }

    #[test]
    fn recurrences_fire_the_first_tick_then_every_n_units() {
        use chrono::{DateTime, Utc};
        let tz: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let days = Recurrence::Days(3);
        assert!(days.allows(t("2026-01-21T10:00:00+01:00"), None, tz));
        let last = Some(t("2026-01-21T10:00:00+01:00"));
        assert!(!days.allows(t("2026-01-23T10:00:00+01:00"), last, tz));
        assert!(days.allows(t("2026-01-24T10:00:00+01:00"), last, tz));
        let weeks = Recurrence::Weeks(2);
        // 2026-01-05 (Mon) is in week 2, 2026-01-12 in week 3, 2026-01-19 in week 4.
        let last = Some(t("2026-01-05T09:00:00+01:00"));
        assert!(
            weeks.allows(t("2026-01-07T09:00:00+01:00"), last, tz),
            "same week"
        );
        assert!(!weeks.allows(t("2026-01-12T09:00:00+01:00"), last, tz));
        assert!(weeks.allows(t("2026-01-19T09:00:00+01:00"), last, tz));
        let months = Recurrence::Months(12);
        let last = Some(t("2026-01-01T00:00:00+01:00"));
        assert!(!months.allows(t("2026-11-01T00:00:00+01:00"), last, tz));
        assert!(months.allows(t("2027-01-01T00:00:00+01:00"), last, tz));
        let minutes = Recurrence::Minutes(7);
        let last = Some(t("2026-01-01T00:00:00Z"));
        assert!(!minutes.allows(t("2026-01-01T00:06:00Z"), last, tz));
        assert!(minutes.allows(t("2026-01-01T00:07:00Z"), last, tz));
    }

    #[test]
    fn the_cron_node_and_the_interval_node_are_read_too() {
        let node: Node = serde_json::from_value(json!({
            "name": "Cron", "type": "n8n-nodes-base.cron", "typeVersion": 1, "id": "c",
            "parameters": {"triggerTimes": {"item": [
                {"mode": "everyWeek", "hour": 9, "minute": 15, "weekday": "3"},
                {"mode": "custom", "cronExpression": "0 0 1 * *"}
            ]}}
        }))
        .unwrap();
        let rules = rules_of(&node, "w").unwrap();
        let s = stable_int("w:c", "second:0", 0, 60);
        assert_eq!(rules[0].timing, cron(&format!("{s} 15 9 * * 3")));
        assert_eq!(rules[1].timing, cron("0 0 1 * *"));
        let node: Node = serde_json::from_value(json!({
            "name": "Interval", "type": "n8n-nodes-base.interval", "typeVersion": 1,
            "parameters": {"interval": 5, "unit": "minutes"}
        }))
        .unwrap();
        assert_eq!(rules_of(&node, "w").unwrap()[0].timing, Timing::Every(300));
    }
}
