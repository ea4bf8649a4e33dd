//! iCalendar files: one VEVENT written as the `ics` package writes it for n8n, and `.ics` text
//! read into ts-ics's object shape (`{version, prodId, method, events: [...]}`).

use chrono::{NaiveDate, NaiveDateTime, Utc};
use serde_json::{Map, Value, json};
use weft_engine::run::NodeError;

use crate::util::js_string;

/// A start/end parameter: an ISO date-time (an offset converts it to UTC; without one the wall
/// clock is taken as UTC, as n8n does on a UTC server) or a date.
fn parse_time(raw: &str, what: &str) -> Result<NaiveDateTime, NodeError> {
    let raw = raw.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(t.naive_utc());
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(raw, format) {
            return Ok(t);
        }
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight exists"))
        .map_err(|_| NodeError::new(format!("The {what} \"{raw}\" is not a valid date")))
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace(';', "\\;")
        .replace(',', "\\,")
}

/// Folds a content line at 75 characters, continuing with a tab.
fn fold(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= 75 {
        return line.to_owned();
    }
    let mut parts = vec![chars[..75].iter().collect::<String>()];
    for chunk in chars[75..].chunks(74) {
        parts.push(chunk.iter().collect());
    }
    parts.join("\r\n\t")
}

/// The `.ics` text of one event from the node's parameters.
pub fn create(
    title: &str,
    start: &str,
    end: &str,
    all_day: bool,
    fields: &Map<String, Value>,
) -> Result<String, NodeError> {
    let start_t = parse_time(start, "start")?;
    let end_t = if end.trim().is_empty() {
        start_t
    } else {
        parse_time(end, "end")?
    };
    let field = |k: &str| fields.get(k).map(js_string).filter(|s| !s.is_empty());
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".into(),
        "CALSCALE:GREGORIAN".into(),
        "PRODID:adamgibbons/ics".into(),
        "METHOD:PUBLISH".into(),
    ];
    if let Some(name) = field("calName") {
        lines.push(format!("X-WR-CALNAME:{}", escape(&name)));
    }
    lines.push("X-PUBLISHED-TTL:PT1H".into());
    lines.push("BEGIN:VEVENT".into());
    lines.push(format!(
        "UID:{}",
        field("uid").unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
    ));
    if !title.is_empty() {
        lines.push(format!("SUMMARY:{}", escape(title)));
    }
    lines.push(format!("DTSTAMP:{}", Utc::now().format("%Y%m%dT%H%M00Z")));
    if all_day {
        let end_day = end_t
            .date()
            .succ_opt()
            .ok_or_else(|| NodeError::new("The event's end date is out of range"))?;
        lines.push(format!("DTSTART;VALUE=DATE:{}", start_t.format("%Y%m%d")));
        if end_day != start_t.date() {
            lines.push(format!("DTEND;VALUE=DATE:{}", end_day.format("%Y%m%d")));
        }
    } else {
        lines.push(format!("DTSTART:{}", start_t.format("%Y%m%dT%H%M%SZ")));
        if end_t != start_t {
            lines.push(format!("DTEND:{}", end_t.format("%Y%m%dT%H%M%SZ")));
        }
    }
    if let Some(seq) = field("sequence") {
        lines.push(format!("SEQUENCE:{seq}"));
    }
    for (key, name) in [("description", "DESCRIPTION"), ("url", "URL")] {
        if let Some(v) = field(key) {
            let v = if key == "url" { v } else { escape(&v) };
            lines.push(format!("{name}:{v}"));
        }
    }
    if let Some(geo) = fields
        .get("geolocationUi")
        .and_then(|g| g.get("geolocationValues"))
    {
        let (lat, lon) = (geo.get("lat").map(js_string), geo.get("lon").map(js_string));
        if let (Some(lat), Some(lon)) = (lat, lon) {
            lines.push(format!("GEO:{lat};{lon}"));
        }
    }
    if let Some(location) = field("location") {
        lines.push(format!("LOCATION:{}", escape(&location)));
    }
    if let Some(status) = field("status") {
        lines.push(format!("STATUS:{status}"));
    }
    if let Some(org) = fields
        .get("organizerUi")
        .and_then(|g| g.get("organizerValues"))
    {
        let name = org.get("name").map(js_string).unwrap_or_default();
        let email = org.get("email").map(js_string).unwrap_or_default();
        lines.push(format!("ORGANIZER;CN={name}:mailto:{email}"));
    }
    if let Some(busy) = field("busyStatus") {
        lines.push(format!("X-MICROSOFT-CDO-BUSYSTATUS:{busy}"));
    }
    if let Some(list) = fields
        .get("attendeesUi")
        .and_then(|g| g.get("attendeeValues"))
        .and_then(Value::as_array)
    {
        for a in list {
            let rsvp = a.get("rsvp").and_then(Value::as_bool).unwrap_or(false);
            let name = a.get("name").map(js_string).unwrap_or_default();
            let email = a.get("email").map(js_string).unwrap_or_default();
            lines.push(format!(
                "ATTENDEE;RSVP={};CN={name}:mailto:{email}",
                if rsvp { "TRUE" } else { "FALSE" }
            ));
        }
    }
    if let Some(rule) = field("recurrenceRule") {
        lines.push(format!("RRULE:{}", rule.trim_start_matches("RRULE:")));
    }
    lines.push("END:VEVENT".into());
    lines.push("END:VCALENDAR".into());
    Ok(lines.iter().map(|l| fold(l) + "\r\n").collect())
}

fn date_value(value: &str, params: &str) -> Value {
    let is_date = params.contains("VALUE=DATE") && !params.contains("VALUE=DATE-TIME");
    let parsed = if is_date || value.len() == 8 {
        NaiveDate::parse_from_str(value, "%Y%m%d")
            .ok()
            .map(|d| (d.and_hms_opt(0, 0, 0).expect("midnight exists"), "DATE"))
    } else {
        NaiveDateTime::parse_from_str(value.trim_end_matches('Z'), "%Y%m%dT%H%M%S")
            .ok()
            .map(|t| (t, "DATE-TIME"))
    };
    match parsed {
        Some((t, kind)) => {
            json!({"date": t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(), "type": kind})
        }
        None => Value::String(value.to_owned()),
    }
}

/// Reads `.ics` text: calendar properties and its events (text values stay escaped, as ts-ics
/// leaves them).
pub fn parse(text: &str) -> Result<Value, NodeError> {
    let unfolded = text
        .replace("\r\n ", "")
        .replace("\r\n\t", "")
        .replace("\n ", "")
        .replace("\n\t", "");
    if !unfolded.trim_start().starts_with("BEGIN:VCALENDAR") {
        return Err(NodeError::new(
            "The file is not an iCalendar file (no BEGIN:VCALENDAR)",
        ));
    }
    let mut calendar = Map::new();
    let mut events = Vec::new();
    let mut event: Option<Map<String, Value>> = None;
    for line in unfolded.lines() {
        let Some((head, value)) = line.split_once(':') else {
            continue;
        };
        let (name, params) = head.split_once(';').unwrap_or((head, ""));
        match (name.to_ascii_uppercase().as_str(), event.as_mut()) {
            ("BEGIN", None) if value == "VEVENT" => event = Some(Map::new()),
            ("END", Some(_)) if value == "VEVENT" => events.extend(event.take().map(Value::Object)),
            ("VERSION", None) => {
                calendar.insert("version".into(), json!(value));
            }
            ("PRODID", None) => {
                calendar.insert("prodId".into(), json!(value));
            }
            ("METHOD", None) => {
                calendar.insert("method".into(), json!(value));
            }
            (key, Some(e)) => {
                let (field, v) = match key {
                    "UID" => ("uid", json!(value)),
                    "SUMMARY" => ("summary", json!(value)),
                    "DESCRIPTION" => ("description", json!(value)),
                    "LOCATION" => ("location", json!(value)),
                    "URL" => ("url", json!(value)),
                    "STATUS" => ("status", json!(value)),
                    "GEO" => ("geo", json!(value)),
                    "DTSTAMP" => ("stamp", date_value(value, params)),
                    "DTSTART" => ("start", date_value(value, params)),
                    "DTEND" => ("end", date_value(value, params)),
                    "ORGANIZER" => {
                        let name = params.split(';').find_map(|p| p.strip_prefix("CN="));
                        let email = value.trim_start_matches("mailto:");
                        ("organizer", json!({"name": name, "email": email}))
                    }
                    "ATTENDEE" => {
                        let name = params.split(';').find_map(|p| p.strip_prefix("CN="));
                        let email = value.trim_start_matches("mailto:");
                        let list = e.entry("attendees").or_insert_with(|| json!([]));
                        if let Value::Array(a) = list {
                            a.push(json!({"email": email, "name": name}));
                        }
                        continue;
                    }
                    _ => continue,
                };
                e.insert(field.into(), v);
            }
            _ => {}
        }
    }
    calendar.insert("events".into(), Value::Array(events));
    Ok(Value::Object(calendar))
}

/// `n8n-nodes-base.iCal` v1 (legacy iCalendar): "Create Event File", the event Convert to
/// File's `iCal` operation also makes, one file per item.
pub struct ICalendar;

impl weft_engine::run::NodeType for ICalendar {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.iCal"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0]
    }
    fn execute<'a>(
        &'a self,
        ctx: weft_engine::run::NodeContext<'a>,
    ) -> weft_engine::run::NodeFuture<'a> {
        Box::pin(async move {
            match ctx.parameter("operation", 0)?.as_str() {
                None | Some("createEventFile") => super::per_item(&ctx, "iCal"),
                Some(other) => Err(NodeError::new(format!(
                    "The operation \"{other}\" is not known"
                ))),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_all_day_event_ends_the_day_after_its_end_date() {
        let mut fields = Map::new();
        fields.insert("description".into(), json!("event, description"));
        let ics = create(
            "",
            "2024-01-03T00:00:00",
            "2024-01-04T00:00:00",
            true,
            &fields,
        )
        .unwrap();
        assert!(ics.contains("DTSTART;VALUE=DATE:20240103\r\n"));
        assert!(ics.contains("DTEND;VALUE=DATE:20240105\r\n"));
        assert!(ics.contains("DESCRIPTION:event\\, description\r\n"));
        let parsed = parse(&ics).unwrap();
        assert_eq!(
            parsed["events"][0]["start"]["date"],
            "2024-01-03T00:00:00.000Z"
        );
        assert_eq!(parsed["events"][0]["end"]["type"], "DATE");
        assert_eq!(parsed["prodId"], "adamgibbons/ics");
    }

    #[test]
    fn long_lines_fold_and_unfold() {
        let mut fields = Map::new();
        fields.insert("description".into(), json!("x".repeat(200)));
        let ics = create("T", "2024-01-03T10:30:00Z", "", false, &fields).unwrap();
        assert!(ics.lines().all(|l| l.chars().count() <= 76));
        assert_eq!(
            parse(&ics).unwrap()["events"][0]["description"],
            "x".repeat(200)
        );
    }

    #[test]
    fn a_bad_date_is_a_clear_error() {
        let err = create("T", "yesterday", "", false, &Map::new()).unwrap_err();
        assert!(err.message.contains("start"), "{}", err.message);
    }
}
