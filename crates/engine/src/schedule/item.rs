//! The item a schedule tick emits: the Schedule Trigger's fields (n8n's names and formats, in the
//! workflow's zone, for the tick's time); the legacy Cron and Interval nodes emit `{}`.

use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value, json};

fn ordinal(day: u32) -> String {
    let suffix = match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{day}{suffix}")
}

/// The item of a tick at `at` of a node of `node_type`, in zone `tz`.
pub fn trigger_item(node_type: &str, at: DateTime<Utc>, tz: Tz) -> Map<String, Value> {
    if node_type != "n8n-nodes-base.scheduleTrigger" {
        return Map::new();
    }
    let local = tz.from_utc_datetime(&at.naive_utc());
    let (pm, hour12) = local.hour12();
    let clock = format!(
        "{hour12}:{:02}:{:02} {}",
        local.minute(),
        local.second(),
        if pm { "pm" } else { "am" }
    );
    let item = json!({
        "timestamp": local.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string(),
        "Readable date": format!("{} {} {}, {clock}", local.format("%B"), ordinal(local.day()), local.year()),
        "Readable time": clock,
        "Day of week": local.format("%A").to_string(),
        "Year": local.format("%Y").to_string(),
        "Month": local.format("%B").to_string(),
        "Day of month": local.format("%d").to_string(),
        "Hour": local.format("%H").to_string(),
        "Minute": local.format("%M").to_string(),
        "Second": local.format("%S").to_string(),
        "Timezone": format!("{} (UTC{})", tz.name(), local.format("%:z")),
    });
    match item {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::trigger_item;
    use chrono::{DateTime, Utc};
    use serde_json::{Value, json};

    #[test]
    fn a_schedule_tick_carries_n8ns_fields_in_the_workflow_zone() {
        let at: DateTime<Utc> = "2023-12-28T14:47:13Z".parse().unwrap();
        let item = trigger_item(
            "n8n-nodes-base.scheduleTrigger",
            at,
            "Europe/Berlin".parse().unwrap(),
        );
        assert_eq!(
            Value::Object(item),
            json!({
                "timestamp": "2023-12-28T15:47:13.000+01:00",
                "Readable date": "December 28th 2023, 3:47:13 pm",
                "Readable time": "3:47:13 pm",
                "Day of week": "Thursday",
                "Year": "2023",
                "Month": "December",
                "Day of month": "28",
                "Hour": "15",
                "Minute": "47",
                "Second": "13",
                "Timezone": "Europe/Berlin (UTC+01:00)"
            })
        );
        let at: DateTime<Utc> = "2024-01-02T00:04:05Z".parse().unwrap();
        let item = trigger_item("n8n-nodes-base.scheduleTrigger", at, "UTC".parse().unwrap());
        assert_eq!(item["Readable date"], "January 2nd 2024, 12:04:05 am");
        assert_eq!(item["Timezone"], "UTC (UTC+00:00)");
        assert!(trigger_item("n8n-nodes-base.cron", at, "UTC".parse().unwrap()).is_empty());
    }
}
