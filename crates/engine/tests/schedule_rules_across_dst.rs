//! Every schedule rule kind, through `rules_of` and `next_after`, across a daylight-saving change
//! in two zones: Europe/Berlin springs forward on 2025-03-30 (02:00 +01 → 03:00 +02) and
//! America/New_York falls back on 2025-11-02 (02:00 -04 → 01:00 -05). The expected times are
//! worked out by hand from the rules in `schedule::zone` (a skipped time fires once at the end of
//! the gap, with its seconds; a repeated time fires at its first occurrence, both copies for
//! rules that fire every hour); `s` is the rule's hash-derived second.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};
use weft_engine::Node;
use weft_engine::schedule::{next_after, rules_of, stable_int};

const WORKFLOW: &str = "w";
const NODE_ID: &str = "n";

fn node(node_type: &str, version: f64, parameters: Value) -> Node {
    serde_json::from_value(json!({
        "name": "Trigger", "type": node_type, "typeVersion": version, "id": NODE_ID,
        "parameters": parameters
    }))
    .unwrap()
}

fn schedule(rule: Value) -> Node {
    node(
        "n8n-nodes-base.scheduleTrigger",
        1.2,
        json!({"rule": {"interval": [rule]}}),
    )
}

/// The next `n` ticks of the node's first rule after `from`, as local RFC 3339 times.
fn ticks(node: &Node, zone: &str, from: &str, n: usize) -> Vec<String> {
    let tz: Tz = zone.parse().unwrap();
    let rule = rules_of(node, WORKFLOW).unwrap().remove(0);
    let mut at: DateTime<Utc> = DateTime::parse_from_rfc3339(from)
        .unwrap()
        .with_timezone(&Utc);
    (0..n)
        .map(|_| {
            at = next_after(&rule, at, tz).unwrap();
            at.with_timezone(&tz).to_rfc3339()
        })
        .collect()
}

fn s() -> u32 {
    stable_int(&format!("{WORKFLOW}:{NODE_ID}"), "second", 0, 60)
}

const BERLIN: &str = "Europe/Berlin";
const NEW_YORK: &str = "America/New_York";

#[test]
fn seconds_rules_run_on_through_both_changes() {
    let every_30 = schedule(json!({"field": "seconds", "secondsInterval": 30}));
    assert_eq!(
        ticks(&every_30, BERLIN, "2025-03-30T01:59:00+01:00", 3),
        [
            "2025-03-30T01:59:30+01:00",
            "2025-03-30T03:00:00+02:00",
            "2025-03-30T03:00:30+02:00"
        ]
    );
    assert_eq!(
        ticks(&every_30, NEW_YORK, "2025-11-02T01:59:00-04:00", 3),
        [
            "2025-11-02T01:59:30-04:00",
            "2025-11-02T01:00:00-05:00",
            "2025-11-02T01:00:30-05:00"
        ]
    );
}

#[test]
fn minutes_rules_skip_the_gap_and_repeat_the_repeated_hour() {
    let s = s();
    let every_15 = schedule(json!({"field": "minutes", "minutesInterval": 15}));
    assert_eq!(
        ticks(&every_15, BERLIN, "2025-03-30T01:50:00+01:00", 2),
        [
            format!("2025-03-30T03:00:{s:02}+02:00"),
            format!("2025-03-30T03:15:{s:02}+02:00")
        ]
    );
    assert_eq!(
        ticks(&every_15, NEW_YORK, "2025-11-02T01:40:00-04:00", 3),
        [
            format!("2025-11-02T01:45:{s:02}-04:00"),
            format!("2025-11-02T01:00:{s:02}-05:00"),
            format!("2025-11-02T01:15:{s:02}-05:00")
        ]
    );
}

#[test]
fn hours_rules_fire_after_the_gap_and_in_both_copies_of_the_repeated_hour() {
    let s = s();
    let hourly = schedule(json!({"field": "hours", "hoursInterval": 1, "triggerAtMinute": 30}));
    assert_eq!(
        ticks(&hourly, BERLIN, "2025-03-30T01:00:00+01:00", 3),
        [
            format!("2025-03-30T01:30:{s:02}+01:00"),
            format!("2025-03-30T03:00:{s:02}+02:00"),
            format!("2025-03-30T03:30:{s:02}+02:00")
        ]
    );
    assert_eq!(
        ticks(&hourly, NEW_YORK, "2025-11-02T01:00:00-04:00", 3),
        [
            format!("2025-11-02T01:30:{s:02}-04:00"),
            format!("2025-11-02T01:30:{s:02}-05:00"),
            format!("2025-11-02T02:30:{s:02}-05:00")
        ]
    );
}

#[test]
fn days_rules_fire_once_on_the_day_of_either_change() {
    let s = s();
    let at_2_30 = schedule(json!({"field": "days", "triggerAtHour": 2, "triggerAtMinute": 30}));
    assert_eq!(
        ticks(&at_2_30, BERLIN, "2025-03-29T12:00:00Z", 2),
        [
            format!("2025-03-30T03:00:{s:02}+02:00"),
            format!("2025-03-31T02:30:{s:02}+02:00")
        ]
    );
    let at_1_30 = schedule(json!({"field": "days", "triggerAtHour": 1, "triggerAtMinute": 30}));
    assert_eq!(
        ticks(&at_1_30, NEW_YORK, "2025-11-01T12:00:00Z", 2),
        [
            format!("2025-11-02T01:30:{s:02}-04:00"),
            format!("2025-11-03T01:30:{s:02}-05:00")
        ]
    );
}

#[test]
fn weeks_rules_fire_once_on_a_sunday_of_a_change() {
    let s = s();
    // Both changes fall on a Sunday (day 0).
    let sunday = |hour: u32| {
        schedule(
            json!({"field": "weeks", "triggerAtDay": [0], "triggerAtHour": hour, "triggerAtMinute": 30}),
        )
    };
    assert_eq!(
        ticks(&sunday(2), BERLIN, "2025-03-29T12:00:00Z", 2),
        [
            format!("2025-03-30T03:00:{s:02}+02:00"),
            format!("2025-04-06T02:30:{s:02}+02:00")
        ]
    );
    assert_eq!(
        ticks(&sunday(1), NEW_YORK, "2025-11-01T12:00:00Z", 2),
        [
            format!("2025-11-02T01:30:{s:02}-04:00"),
            format!("2025-11-09T01:30:{s:02}-05:00")
        ]
    );
}

#[test]
fn months_rules_fire_once_on_the_day_of_a_change() {
    let s = s();
    let on = |day: u32, hour: u32| {
        schedule(
            json!({"field": "months", "triggerAtDayOfMonth": day, "triggerAtHour": hour, "triggerAtMinute": 30}),
        )
    };
    assert_eq!(
        ticks(&on(30, 2), BERLIN, "2025-03-01T00:00:00Z", 2),
        [
            format!("2025-03-30T03:00:{s:02}+02:00"),
            format!("2025-04-30T02:30:{s:02}+02:00")
        ]
    );
    assert_eq!(
        ticks(&on(2, 1), NEW_YORK, "2025-10-15T00:00:00Z", 2),
        [
            format!("2025-11-02T01:30:{s:02}-04:00"),
            format!("2025-12-02T01:30:{s:02}-05:00")
        ]
    );
}

#[test]
fn custom_cron_rules_follow_the_same_transitions() {
    let berlin = schedule(json!({"field": "cronExpression", "expression": "0 30 2 * * *"}));
    assert_eq!(
        ticks(&berlin, BERLIN, "2025-03-29T12:00:00Z", 2),
        ["2025-03-30T03:00:00+02:00", "2025-03-31T02:30:00+02:00"]
    );
    let new_york = schedule(json!({"field": "cronExpression", "expression": "*/20 1 * * *"}));
    assert_eq!(
        ticks(&new_york, NEW_YORK, "2025-11-02T00:59:00-04:00", 4),
        [
            "2025-11-02T01:00:00-04:00",
            "2025-11-02T01:20:00-04:00",
            "2025-11-02T01:40:00-04:00",
            "2025-11-03T01:00:00-05:00"
        ],
        "an hour-restricted rule fires in the first copy of the repeated hour only"
    );
}

#[test]
fn the_cron_node_and_the_interval_node_across_the_changes() {
    let second = stable_int(&format!("{WORKFLOW}:{NODE_ID}"), "second:0", 0, 60);
    let daily = node(
        "n8n-nodes-base.cron",
        1.0,
        json!({"triggerTimes": {"item": [{"mode": "everyDay", "hour": 2, "minute": 30}]}}),
    );
    assert_eq!(
        ticks(&daily, BERLIN, "2025-03-29T12:00:00Z", 2),
        [
            format!("2025-03-30T03:00:{second:02}+02:00"),
            format!("2025-03-31T02:30:{second:02}+02:00")
        ]
    );
    // The Interval node counts real time: every hour of the night, whatever the clock says.
    let hourly = node(
        "n8n-nodes-base.interval",
        1.0,
        json!({"interval": 1, "unit": "hours"}),
    );
    assert_eq!(
        ticks(&hourly, NEW_YORK, "2025-11-02T00:30:00-04:00", 3),
        [
            "2025-11-02T01:00:00-04:00",
            "2025-11-02T01:00:00-05:00",
            "2025-11-02T02:00:00-05:00"
        ]
    );
    assert_eq!(
        ticks(&hourly, BERLIN, "2025-03-30T01:30:00+01:00", 2),
        ["2025-03-30T03:00:00+02:00", "2025-03-30T04:00:00+02:00"]
    );
}
