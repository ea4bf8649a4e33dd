//! HTTP Request v1 and v2: their parameters (`requestMethod`, `jsonParameters`,
//! `…ParametersUi.parameter`, `responseFormat` json/string/file, `options.bodyContentType`, …)
//! rewritten into the v3 shape [`super::request::prepare`] reads, and their answers shaped as
//! those versions did (a file answer keeps the input item; `splitIntoItems`; a string answer
//! that is JSON arrives parsed).

use serde_json::{Map, Value, json};
use weft_engine::run::{Item, NodeError};

use super::{Answer, response};
use crate::util::{js_string, paired};

/// How a v1/v2 node wants its answer.
pub struct Shape {
    format: String,
    full: bool,
    split: bool,
    property: String,
    raw: bool,
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).map(js_string).unwrap_or_default()
}

/// `{parameter: [{name, value}]}` rows as pairs.
fn rows(p: &Value, key: &str) -> Vec<(String, Value)> {
    p.pointer(&format!("/{key}/parameter"))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|r| {
                    let name = text(r, "name");
                    (!name.is_empty())
                        .then(|| (name, r.get("value").cloned().unwrap_or(Value::Null)))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A JSON-mode parameter: `''` is none; text is parsed unless the body is raw.
fn json_mode(p: &Value, key: &str, what: &str, raw: bool) -> Result<Option<Value>, NodeError> {
    match p.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) if raw => Ok(Some(Value::String(s.clone()))),
        Some(Value::String(s)) => serde_json::from_str(s).map(Some).map_err(|_| {
            NodeError::new(format!(
                "The data in \"{what}\" is no valid JSON. Set Body Content Type to \"RAW/Custom\" for XML or other types of payloads"
            ))
        }),
        Some(v) => Ok(Some(v.clone())),
    }
}

/// The v3-shaped parameters for a v1/v2 node's resolved parameters `p`, and how it wants its
/// answer.
pub fn translate(p: &Value) -> Result<(Value, Shape), NodeError> {
    let options = p.get("options").cloned().unwrap_or_else(|| json!({}));
    let method = p
        .get("requestMethod")
        .and_then(Value::as_str)
        .unwrap_or("GET")
        .to_ascii_uppercase();
    let content = options
        .get("bodyContentType")
        .and_then(Value::as_str)
        .unwrap_or("json")
        .to_owned();
    let raw = content == "raw";
    let format = p
        .get("responseFormat")
        .and_then(Value::as_str)
        .unwrap_or("json")
        .to_owned();
    let json_parameters = flag(p, "jsonParameters");
    let follow = flag(&options, "followAllRedirects")
        || (options.get("followRedirect").and_then(Value::as_bool) != Some(false)
            && matches!(method.as_str(), "GET" | "HEAD"));
    let mut v3 = json!({
        "method": method,
        "url": p.get("url").cloned().unwrap_or(Value::Null),
        "options": {
            "allowUnauthorizedCerts": flag(p, "allowUnauthorizedCerts"),
            "timeout": options.get("timeout").and_then(Value::as_u64).filter(|t| *t > 0).unwrap_or(3_600_000),
            "redirect": {"redirect": {"followRedirects": follow}},
            "response": {"response": {
                "responseFormat": match format.as_str() { "string" => "text", other => other },
                "neverError": flag(&options, "ignoreResponseCode"),
            }},
            "queryParameterArrays": if flag(&options, "useQueryString") { "repeat" } else { "indices" },
        },
    });
    // Query: repeated names collect into arrays.
    let query = if json_parameters {
        json_mode(p, "queryParametersJson", "Query Parameters", raw)?
    } else {
        let mut q = Map::new();
        for (name, value) in rows(p, "queryParametersUi") {
            match q.get_mut(&name) {
                Some(Value::Array(list)) => list.push(value),
                Some(old) => *old = Value::Array(vec![old.take(), value]),
                None => {
                    q.insert(name, value);
                }
            }
        }
        (!q.is_empty()).then_some(Value::Object(q))
    };
    if let Some(q) = query {
        v3["sendQuery"] = json!(true);
        v3["specifyQuery"] = json!("json");
        v3["jsonQuery"] = q;
    }
    // Headers: names lowercased in key/value mode.
    let mut headers = if json_parameters {
        match json_mode(p, "headerParametersJson", "Headers", raw)? {
            Some(Value::Object(h)) => h,
            Some(_) | None => Map::new(),
        }
    } else {
        rows(p, "headerParametersUi")
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect()
    };
    if let Some(mime) = options
        .get("bodyContentCustomMimeType")
        .and_then(Value::as_str)
    {
        headers.insert("content-type".into(), json!(mime));
    }
    if !headers.is_empty() {
        v3["sendHeaders"] = json!(true);
        v3["specifyHeaders"] = json!("json");
        v3["jsonHeaders"] = Value::Object(headers);
    }
    if matches!(method.as_str(), "PATCH" | "POST" | "PUT" | "DELETE") {
        body(p, &mut v3, &content, json_parameters, raw)?;
    }
    Ok((
        v3,
        Shape {
            format,
            full: flag(&options, "fullResponse"),
            split: flag(&options, "splitIntoItems"),
            property: p
                .get("dataPropertyName")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .unwrap_or("data")
                .to_owned(),
            raw,
        },
    ))
}

fn body(
    p: &Value,
    v3: &mut Value,
    content: &str,
    json_parameters: bool,
    raw: bool,
) -> Result<(), NodeError> {
    if json_parameters && flag(p, "sendBinaryData") {
        let property = p
            .get("binaryPropertyName")
            .and_then(Value::as_str)
            .unwrap_or("data");
        v3["sendBody"] = json!(true);
        match content {
            "raw" => {
                v3["contentType"] = json!("binaryData");
                v3["inputDataFieldName"] = json!(property);
            }
            "multipart-form-data" => {
                let names: Vec<&str> = property.split(',').map(str::trim).collect();
                if names.len() > 1 && names.iter().any(|n| !n.contains(':')) {
                    return Err(NodeError::new(
                        "If more than one property should be send it is needed to define the in the format:<code>\"sendKey1:binaryProperty1,sendKey2:binaryProperty2\"</code>",
                    ));
                }
                let parts: Vec<Value> = names
                    .iter()
                    .map(|n| {
                        let (key, field) = n.split_once(':').unwrap_or(("file", n));
                        json!({"parameterType": "formBinaryData", "name": key.trim(), "inputDataFieldName": field.trim()})
                    })
                    .collect();
                v3["contentType"] = json!("multipart-form-data");
                v3["bodyParameters"] = json!({ "parameters": parts });
            }
            _ => {
                return Err(NodeError::new(
                    "Sending binary data is only supported when option \"Body Content Type\" is set to \"RAW/CUSTOM\" or \"FORM-DATA/MULTIPART\"!",
                ));
            }
        }
        return Ok(());
    }
    let body = if json_parameters {
        json_mode(p, "bodyParametersJson", "Body Parameters", raw)?
    } else {
        let fields: Map<String, Value> = rows(p, "bodyParametersUi").into_iter().collect();
        (!fields.is_empty()).then_some(Value::Object(fields))
    };
    let Some(body) = body else {
        return Ok(());
    };
    v3["sendBody"] = json!(true);
    match content {
        "raw" => {
            v3["contentType"] = json!("raw");
            v3["body"] = json!(js_string(&body));
        }
        "multipart-form-data" => {
            let parts: Vec<Value> = body
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| json!({"name": k, "value": v}))
                .collect();
            v3["contentType"] = json!("multipart-form-data");
            v3["bodyParameters"] = json!({ "parameters": parts });
        }
        "form-urlencoded" => {
            v3["contentType"] = json!("form-urlencoded");
            v3["specifyBody"] = json!("json");
            v3["jsonBody"] = body;
        }
        _ => {
            v3["contentType"] = json!("json");
            v3["specifyBody"] = json!("json");
            v3["jsonBody"] = body;
        }
    }
    Ok(())
}

/// The name of a file answer: the `content-disposition` file name, else the URL's last segment.
fn file_name(answer: &Answer) -> Option<String> {
    let disposition = answer
        .headers
        .get(reqwest::header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if let Some(at) = disposition.find("filename=") {
        let name = disposition[at + 9..].split(';').next().unwrap_or_default();
        return Some(name.trim().trim_matches('"').to_owned()).filter(|n| !n.is_empty());
    }
    answer
        .url
        .path_segments()
        .and_then(|mut s| s.next_back().map(str::to_owned))
        .filter(|n| !n.is_empty())
}

/// The items for `answer` to input item `index` (`input`), as v1/v2 shape them.
pub fn items(
    answer: Answer,
    shape: &Shape,
    input: &Item,
    index: usize,
) -> Result<Vec<Item>, NodeError> {
    let headers = Value::Object(response::header_map(&answer));
    let status = answer.status.as_u16();
    let reason = answer.status.canonical_reason().unwrap_or_default();
    let meta = |json: &mut Map<String, Value>| {
        json.insert("headers".into(), headers.clone());
        json.insert("statusCode".into(), json!(status));
        json.insert("statusMessage".into(), json!(reason));
    };
    let body_text = String::from_utf8_lossy(&answer.body).into_owned();
    match shape.format.as_str() {
        "file" => {
            let mime = answer
                .headers
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(|m| m.split(';').next().unwrap_or_default().trim().to_owned());
            let entry = crate::files::entry_for(
                &answer.body,
                file_name(&answer).as_deref(),
                mime.as_deref(),
            );
            let mut json = if shape.full {
                Map::new()
            } else {
                input.json.clone()
            };
            if shape.full {
                meta(&mut json);
            }
            let mut binary = input.binary.clone().unwrap_or_default();
            binary.insert(shape.property.clone(), entry);
            Ok(vec![paired(
                Item {
                    json,
                    binary: Some(binary),
                    ..Item::default()
                },
                index,
            )])
        }
        "string" => {
            // A JSON answer arrives parsed (n8n's request library read it as JSON).
            let data = if shape.raw {
                Value::String(body_text)
            } else {
                serde_json::from_str(&body_text).unwrap_or(Value::String(body_text))
            };
            let mut json = Map::new();
            json.insert(shape.property.clone(), data);
            if shape.full {
                meta(&mut json);
            }
            Ok(vec![paired(Item::new(json), index)])
        }
        _ => {
            let parsed = if answer.body.is_empty() {
                json!({})
            } else {
                serde_json::from_str::<Value>(&body_text).map_err(|_| {
                    NodeError::new(
                        "Response body is not valid JSON. Change \"Response Format\" to \"String\"",
                    )
                })?
            };
            if shape.full {
                let mut json = Map::new();
                json.insert("body".into(), parsed);
                meta(&mut json);
                return Ok(vec![paired(Item::new(json), index)]);
            }
            Ok(match parsed {
                Value::Array(list) if shape.split => list
                    .into_iter()
                    .map(|v| paired(Item::from_value(v), index))
                    .collect(),
                Value::Null => vec![paired(Item::default(), index)],
                other => vec![paired(Item::from_value(other), index)],
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};

    use super::*;

    fn answer(body: &str) -> Answer {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Answer {
            status: reqwest::StatusCode::OK,
            headers,
            body: body.as_bytes().to_vec(),
            url: reqwest::Url::parse("https://example.com/files/report.json").unwrap(),
        }
    }

    #[test]
    fn v1_rows_become_v3_json_parameters_with_repeated_query_names_as_arrays() {
        let p = json!({
            "requestMethod": "POST", "url": "https://example.com",
            "queryParametersUi": {"parameter": [{"name": "a", "value": 1}, {"name": "a", "value": 2}]},
            "headerParametersUi": {"parameter": [{"name": "X-Key", "value": "k"}]},
            "bodyParametersUi": {"parameter": [{"name": "n", "value": 1}]},
            "options": {"bodyContentType": "form-urlencoded"}
        });
        let (v3, _) = translate(&p).unwrap();
        assert_eq!(v3["jsonQuery"], json!({"a": [1, 2]}));
        assert_eq!(v3["jsonHeaders"], json!({"x-key": "k"}));
        assert_eq!(v3["contentType"], "form-urlencoded");
        assert_eq!(v3["jsonBody"], json!({"n": 1}));
        let bad = json!({"requestMethod": "POST", "url": "x", "jsonParameters": true, "bodyParametersJson": "{no"});
        assert!(
            translate(&bad)
                .err()
                .unwrap()
                .message
                .contains("is no valid JSON")
        );
    }

    #[test]
    fn an_array_answer_is_split_only_when_asked_and_kept_under_data_otherwise() {
        let (_, mut shape) = translate(&json!({"url": "https://example.com"})).unwrap();
        let whole = items(answer("[1, 2]"), &shape, &Item::default(), 0).unwrap();
        assert_eq!(whole.len(), 1);
        assert_eq!(whole[0].json["data"], json!([1, 2]));
        shape.split = true;
        let split = items(answer("[{\"a\":1},{\"a\":2}]"), &shape, &Item::default(), 0).unwrap();
        assert_eq!(split.len(), 2);
        shape.format = "file".into();
        let file = items(answer("{}"), &shape, &Item::default(), 0).unwrap();
        assert_eq!(
            file[0].binary.as_ref().unwrap()["data"]["fileName"],
            "report.json"
        );
    }
}
