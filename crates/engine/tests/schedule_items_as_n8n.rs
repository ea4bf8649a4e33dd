//! The items real n8n 2.41.1 emitted from its schedule triggers (`tests/n8n/recorded/
//! schedule-items.json`: a 1-second Schedule Trigger of every version in two zones, and a
//! 1-second Interval node), replayed: Weft accepts each node, ticks it every second, and emits
//! the same item for the same moment.

use chrono::{DateTime, Duration, DurationRound, Utc};
use chrono_tz::Tz;
use serde_json::Value;
use weft_engine::Node;
use weft_engine::schedule::{next_after, rules_of, trigger_item};

fn recording() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/n8n/recorded/schedule-items.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("the recording")).unwrap()
}

#[test]
fn every_recorded_schedule_item_is_emitted_the_same_for_the_same_moment() {
    let recording = recording();
    let cases = recording["cases"].as_array().unwrap();
    assert_eq!(
        cases.len(),
        11,
        "five Schedule Trigger versions in two zones, and Interval"
    );
    let mut compared = 0;
    for case in cases {
        let mut node = case["node"].clone();
        node["id"] = "n".into();
        let node: Node = serde_json::from_value(node).unwrap();
        let tz: Tz = case["timezone"].as_str().unwrap().parse().unwrap();
        let rule = rules_of(&node, "w")
            .unwrap_or_else(|e| panic!("{} v{}: {e:?}", node.node_type, node.type_version))
            .remove(0);
        let items = case["items"].as_array().unwrap();
        assert!(items.len() >= 3, "{case}");
        for item in items {
            let at = match item["timestamp"].as_str() {
                Some(t) => DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc),
                // The Interval node's item is empty: any moment.
                None => "2026-12-04T23:34:52Z".parse().unwrap(),
            };
            let ours = Value::Object(trigger_item(&node.node_type, at, tz));
            assert_eq!(
                &ours, item,
                "{} v{} in {tz}",
                node.node_type, node.type_version
            );
            // n8n's timer ran a few milliseconds after the second; Weft's tick is the second.
            let tick = at.duration_trunc(Duration::seconds(1)).unwrap();
            assert_eq!(
                next_after(&rule, tick, tz)
                    .unwrap()
                    .signed_duration_since(tick),
                Duration::seconds(1),
                "{} v{} ticks every second",
                node.node_type,
                node.type_version
            );
            compared += 1;
        }
    }
    println!("schedule items: {compared} recorded items compared");
}
