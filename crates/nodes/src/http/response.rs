//! HTTP responses into items as n8n's HTTP Request node shapes them: JSON objects as items, arrays
//! split into items, text under `data`, files as binary, the full response on request, and
//! n8n's error messages for 4xx/5xx answers unless "Never Error" is set.

use serde_json::{Map, Value, json};
use weft_engine::run::{Item, NodeError};

use super::Answer;
pub use super::errors::{status_error, status_error_item};
use crate::util::paired;

pub(super) fn header_map(answer: &Answer) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, value) in &answer.headers {
        let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match out.get_mut(name.as_str()) {
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(&v);
            }
            _ => {
                out.insert(name.as_str().to_owned(), Value::String(v));
            }
        }
    }
    out
}

fn content_type(answer: &Answer) -> String {
    answer
        .headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

fn is_textual(mime: &str) -> bool {
    mime.is_empty()
        || mime.starts_with("text/")
        || mime.contains("json")
        || mime.contains("xml")
        || mime.contains("javascript")
        || mime.contains("x-www-form-urlencoded")
}

enum Parsed {
    Json(Value),
    Text(String),
    File,
}

fn parse(answer: &Answer, format: &str) -> Result<Parsed, NodeError> {
    let mime = content_type(answer);
    let text = || String::from_utf8_lossy(&answer.body).into_owned();
    match format {
        "json" => {
            if answer.body.is_empty() {
                return Ok(Parsed::Json(Value::Object(Map::new())));
            }
            serde_json::from_slice(&answer.body)
                .map(Parsed::Json)
                .map_err(|_| {
                    NodeError::new(
                        "Response body is not valid JSON. Change \"Response Format\" to \"Text\"",
                    )
                })
        }
        "text" => Ok(Parsed::Text(text())),
        "file" => Ok(Parsed::File),
        _ if mime.contains("json") => Ok(serde_json::from_slice(&answer.body)
            .map(Parsed::Json)
            .unwrap_or_else(|_| Parsed::Text(text()))),
        _ if is_textual(&mime) => Ok(Parsed::Text(text())),
        _ => Ok(Parsed::File),
    }
}

fn file_entry(answer: &Answer, url_name: &str) -> Value {
    let mime = content_type(answer);
    let mime = mime.split(';').next().unwrap_or_default().trim().to_owned();
    let mime = if mime.is_empty() {
        "application/octet-stream".to_owned()
    } else {
        mime
    };
    let name = (!url_name.is_empty()).then_some(url_name);
    crate::files::entry_for(&answer.body, name, Some(&mime))
}

/// Whether `answer` is one the node fails on: an error status without "Never Error".
pub fn fails(answer: &Answer, options: &Value) -> bool {
    answer.status.as_u16() >= 400
        && options
            .pointer("/response/response/neverError")
            .and_then(Value::as_bool)
            != Some(true)
}

/// The output items for one request's answer to input item `index` (an answer the node does
/// not fail on, see [`fails`]).
pub fn items(answer: Answer, options: &Value, index: usize) -> Result<Vec<Item>, NodeError> {
    let response = options
        .pointer("/response/response")
        .cloned()
        .unwrap_or(Value::Null);
    let flag = |k: &str| response.get(k).and_then(Value::as_bool).unwrap_or(false);
    let status = answer.status.as_u16();
    let format = response
        .get("responseFormat")
        .and_then(Value::as_str)
        .unwrap_or("autodetect");
    let property = response
        .get("outputPropertyName")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or("data")
        .to_owned();
    let parsed = parse(&answer, format)?;
    if flag("fullResponse") {
        let body = match &parsed {
            Parsed::Json(v) => v.clone(),
            Parsed::Text(t) => Value::String(t.clone()),
            Parsed::File => Value::Null,
        };
        let mut item = Item::new(
            json!({
                "headers": header_map(&answer),
                "statusCode": status,
                "statusMessage": answer.status.canonical_reason().unwrap_or_default(),
                "body": body,
            })
            .as_object()
            .cloned()
            .unwrap_or_default(),
        );
        if matches!(parsed, Parsed::File) {
            let mut binary = Map::new();
            binary.insert(property, file_entry(&answer, ""));
            item.binary = Some(binary);
        }
        return Ok(vec![paired(item, index)]);
    }
    Ok(match parsed {
        Parsed::Json(Value::Array(list)) => list
            .into_iter()
            .map(|v| paired(Item::from_value(v), index))
            .collect(),
        Parsed::Json(v) => vec![paired(Item::from_value(v), index)],
        Parsed::Text(t) => {
            let mut json = Map::new();
            json.insert(property, Value::String(t));
            vec![paired(Item::new(json), index)]
        }
        Parsed::File => {
            let mut binary = Map::new();
            binary.insert(property, file_entry(&answer, ""));
            vec![paired(
                Item {
                    binary: Some(binary),
                    ..Item::default()
                },
                index,
            )]
        }
    })
}

#[cfg(test)]
mod tests {
    use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};

    use super::*;

    fn answer(status: u16, mime: &str, body: &str) -> Answer {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_str(mime).unwrap());
        Answer {
            status: reqwest::StatusCode::from_u16(status).unwrap(),
            headers,
            body: body.as_bytes().to_vec(),
            url: reqwest::Url::parse("https://example.com/a").unwrap(),
        }
    }

    #[test]
    fn json_arrays_split_into_items_and_text_lands_under_data() {
        let out = items(
            answer(200, "application/json", "[{\"a\":1},{\"a\":2}]"),
            &Value::Null,
            0,
        )
        .unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].json["a"], 2);
        let out = items(answer(200, "text/plain", "hi"), &Value::Null, 0).unwrap();
        assert_eq!(out[0].json["data"], "hi");
    }

    #[test]
    fn error_statuses_fail_unless_never_error() {
        let failed = answer(404, "application/json", "{\"message\":\"nope\"}");
        assert!(fails(&failed, &Value::Null));
        let err = status_error(&failed);
        assert_eq!(
            err.message,
            "The resource you are requesting could not be found"
        );
        assert_eq!(err.description.as_deref(), Some("nope"));
        let detail = status_error(&answer(418, "application/json", "{\"detail\":\"teapot\"}"));
        assert_eq!(
            detail.message,
            "Your request is invalid or could not be processed by the service"
        );
        assert_eq!(detail.description.as_deref(), Some("teapot"));
        let options = json!({"response": {"response": {"neverError": true, "fullResponse": true}}});
        assert!(!fails(&failed, &options));
        let out = items(
            answer(404, "application/json", "{\"message\":\"nope\"}"),
            &options,
            0,
        )
        .unwrap();
        assert_eq!(out[0].json["statusCode"], 404);
        assert_eq!(out[0].json["body"]["message"], "nope");
    }

    #[test]
    fn binary_answers_become_files() {
        let out = items(answer(200, "image/png", "\u{89}PNG"), &Value::Null, 0).unwrap();
        let entry = &out[0].binary.as_ref().unwrap()["data"];
        assert_eq!(entry["mimeType"], "image/png");
    }
}
