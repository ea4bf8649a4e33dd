//! The HTTP Request node's parameters (v3–v4.x) for one item, parsed into the request to send:
//! method, URL with query, headers, and a JSON, form, multipart, raw or binary body; repeated
//! names, array formats and dotted JSON names as the node's version writes them.

use base64::Engine;
use reqwest::Method;
use serde_json::{Map, Value};
use weft_engine::run::{Item, NodeError};

use super::qs::{self, ArrayFormat};
use crate::util::js_string;

#[derive(Clone)]
pub enum Body {
    None,
    Json(Value),
    /// Fields, written as `qs` writes a form (arrays with indices).
    Form(Vec<(String, Value)>),
    Multipart(Vec<Part>),
    Raw {
        bytes: Vec<u8>,
        content_type: Option<String>,
    },
}

#[derive(Clone)]
pub struct Part {
    pub name: String,
    pub value: PartValue,
}

#[derive(Clone)]
pub enum PartValue {
    Text(String),
    File {
        bytes: Vec<u8>,
        file_name: String,
        mime: String,
    },
}

#[derive(Clone)]
pub struct Prepared {
    pub method: Method,
    pub url: reqwest::Url,
    pub headers: Vec<(String, String)>,
    /// Credential headers: sent to the first origin only, never after a redirect elsewhere.
    pub secret_headers: Vec<(String, String)>,
    pub body: Body,
}

fn flag(p: &Value, key: &str) -> bool {
    p.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn text(p: &Value, key: &str) -> String {
    p.get(key).map(js_string).unwrap_or_default()
}

/// `{parameters: [{name, value}]}` as pairs (rows without a name are skipped).
fn pairs(p: &Value, key: &str) -> Vec<(String, Value)> {
    p.get(key)
        .and_then(|v| v.get("parameters"))
        .and_then(Value::as_array)
        .map(|rows| {
            rows.iter()
                .filter_map(|r| {
                    let name = r.get("name").map(js_string).unwrap_or_default();
                    (!name.is_empty())
                        .then(|| (name, r.get("value").cloned().unwrap_or(Value::Null)))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A JSON parameter given as text or as a value.
fn json_param(p: &Value, key: &str, what: &str) -> Result<Value, NodeError> {
    match p.get(key) {
        None | Some(Value::Null) => Ok(Value::Object(Map::new())),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(Value::Object(Map::new())),
        Some(Value::String(s)) => serde_json::from_str(s).map_err(|e| {
            NodeError::new("JSON parameter needs to be valid JSON")
                .with_description(format!("{what}: {e}"))
        }),
        Some(v) => Ok(v.clone()),
    }
}

fn object_pairs(value: &Value, what: &str) -> Result<Vec<(String, Value)>, NodeError> {
    match value {
        Value::Object(map) => Ok(map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        _ => Err(NodeError::new(format!("The {what} must be a JSON object"))),
    }
}

/// A value as text in a header, form field or query: objects and arrays as JSON.
pub(super) fn plain(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Object(_) | Value::Array(_) => v.to_string(),
        other => js_string(other),
    }
}

fn binary_of(item: &Item, field: &str) -> Result<(Vec<u8>, String, String), NodeError> {
    let entry = item
        .binary
        .as_ref()
        .and_then(|b| b.get(field))
        .ok_or_else(|| NodeError::new(format!("The item has no binary field '{field}'")))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(
            entry
                .get("data")
                .and_then(Value::as_str)
                .unwrap_or_default(),
        )
        .map_err(|e| NodeError::new(format!("Binary field '{field}' is not valid base64: {e}")))?;
    let name = entry
        .get("fileName")
        .and_then(Value::as_str)
        .unwrap_or(field)
        .to_owned();
    let mime = entry
        .get("mimeType")
        .and_then(Value::as_str)
        .unwrap_or("application/octet-stream")
        .to_owned();
    Ok((bytes, name, mime))
}

/// The `accept` header n8n sends when the request sets none, by response format.
fn default_accept(p: &Value) -> &'static str {
    match p
        .pointer("/options/response/response/responseFormat")
        .and_then(Value::as_str)
    {
        Some("json") => "application/json,text/*;q=0.99",
        Some("text") => {
            "application/json,text/html,application/xhtml+xml,application/xml,text/*;q=0.9, */*;q=0.1"
        }
        _ => {
            "application/json,text/html,application/xhtml+xml,application/xml,text/*;q=0.9, image/*;q=0.8, */*;q=0.7"
        }
    }
}

/// Refuses the `proxy` option (every version has one): a proxy would carry requests past the
/// SSRF guard, which checks the addresses this server connects to.
pub fn refuse_proxy(p: &Value) -> Result<(), NodeError> {
    match p.pointer("/options/proxy") {
        Some(Value::String(s)) if !s.trim().is_empty() => Err(NodeError::new(
            "The proxy option is not supported by this server",
        )
        .with_description(
            "Requests go out directly, through the server's guard on internal addresses; remove the proxy option",
        )),
        _ => Ok(()),
    }
}

/// The request item `item` asks for, from its resolved parameters `p`, as node `version` builds it.
pub fn prepare(p: &Value, item: &Item, version: f64) -> Result<Prepared, NodeError> {
    let method_name = p
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or("GET")
        .to_ascii_uppercase();
    let method = Method::from_bytes(method_name.as_bytes())
        .map_err(|_| NodeError::new(format!("The method \"{method_name}\" is not valid")))?;
    let raw_url = text(p, "url");
    if raw_url.trim().is_empty() {
        return Err(NodeError::new("The URL parameter is empty"));
    }
    let mut url = reqwest::Url::parse(raw_url.trim()).map_err(|e| {
        NodeError::new(format!("Invalid URL: {raw_url}")).with_description(e.to_string())
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(NodeError::new(format!(
            "Invalid URL: {raw_url}. URL must start with \"http\" or \"https\""
        )));
    }
    if flag(p, "sendQuery") {
        let query = if p.get("specifyQuery").and_then(Value::as_str) == Some("json") {
            object_pairs(&json_param(p, "jsonQuery", "Query Parameters")?, "query")?
        } else {
            qs::keyed(pairs(p, "queryParameters"), version)
        };
        let format = ArrayFormat::from_option(
            p.pointer("/options/queryParameterArrays")
                .and_then(Value::as_str),
        );
        let added = qs::stringify(&query, format);
        if !added.is_empty() {
            let joined = match url.query().filter(|q| !q.is_empty()) {
                Some(existing) => format!("{existing}&{added}"),
                None => added,
            };
            url.set_query(Some(&joined));
        }
    }
    let mut headers = Vec::new();
    if flag(p, "sendHeaders") {
        let list = if p.get("specifyHeaders").and_then(Value::as_str) == Some("json") {
            object_pairs(&json_param(p, "jsonHeaders", "Headers")?, "headers")?
        } else {
            qs::keyed(pairs(p, "headerParameters"), version)
        };
        for (k, v) in list {
            match v {
                Value::Array(values) => {
                    headers.extend(values.iter().map(|v| (k.clone(), plain(v))))
                }
                other => headers.push((k, plain(&other))),
            }
        }
    }
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("accept"))
    {
        headers.push(("accept".to_owned(), default_accept(p).to_owned()));
    }
    let body = if flag(p, "sendBody") {
        body(p, item, version)?
    } else {
        Body::None
    };
    Ok(Prepared {
        method,
        url,
        headers,
        secret_headers: Vec::new(),
        body,
    })
}

/// Key/value body rows as a JSON object: from v4 a dotted or bracketed name nests (lodash's
/// `set`), before it is a key as written.
fn json_rows(rows: Vec<(String, Value)>, version: f64) -> Result<Value, NodeError> {
    let mut out = Map::new();
    let mut slots = crate::set::path::Slots::default();
    for (name, value) in rows {
        crate::set::path::set(&mut out, &name, value, version >= 4.0, &mut slots)
            .map_err(|e| crate::set::path::path_error(&name, e))?;
    }
    Ok(Value::Object(out))
}

fn body(p: &Value, item: &Item, version: f64) -> Result<Body, NodeError> {
    let keypair = p.get("specifyBody").and_then(Value::as_str) != Some("json");
    match p
        .get("contentType")
        .and_then(Value::as_str)
        .unwrap_or("json")
    {
        "json" => Ok(Body::Json(if keypair {
            json_rows(pairs(p, "bodyParameters"), version)?
        } else {
            json_param(p, "jsonBody", "Body")?
        })),
        "form-urlencoded" => {
            let list = if keypair {
                qs::keyed(pairs(p, "bodyParameters"), version)
            } else if let Some(Value::String(s)) = p.get("body") {
                url::form_urlencoded::parse(s.as_bytes())
                    .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                    .collect()
            } else {
                object_pairs(&json_param(p, "jsonBody", "Body")?, "body")?
            };
            Ok(Body::Form(list))
        }
        "multipart-form-data" => {
            let rows = p
                .pointer("/bodyParameters/parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mut parts = Vec::new();
            for r in rows {
                let name = text(&r, "name");
                if r.get("parameterType").and_then(Value::as_str) == Some("formBinaryData") {
                    let field = text(&r, "inputDataFieldName");
                    let (bytes, file_name, mime) = binary_of(item, &field)?;
                    parts.push(Part {
                        name,
                        value: PartValue::File {
                            bytes,
                            file_name,
                            mime,
                        },
                    });
                } else {
                    parts.push(Part {
                        name,
                        value: PartValue::Text(plain(r.get("value").unwrap_or(&Value::Null))),
                    });
                }
            }
            Ok(Body::Multipart(parts))
        }
        "raw" => Ok(Body::Raw {
            bytes: text(p, "body").into_bytes(),
            content_type: p
                .get("rawContentType")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        }),
        "binaryData" => {
            let field = p
                .get("inputDataFieldName")
                .and_then(Value::as_str)
                .unwrap_or("data");
            let (bytes, _, mime) = binary_of(item, field)?;
            Ok(Body::Raw {
                bytes,
                content_type: Some(mime),
            })
        }
        other => Err(NodeError::new(format!(
            "The body content type \"{other}\" is not known"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn query_headers_and_a_json_body_come_from_key_value_rows() {
        let p = json!({
            "method": "POST", "url": "https://example.com/a?x=1",
            "sendQuery": true, "queryParameters": {"parameters": [{"name": "q", "value": "a b"}]},
            "sendHeaders": true, "headerParameters": {"parameters": [{"name": "X-Key", "value": 7}]},
            "sendBody": true, "bodyParameters": {"parameters": [{"name": "n", "value": 1}]}
        });
        let r = prepare(&p, &Item::default(), 4.2).unwrap();
        assert_eq!(r.method, Method::POST);
        assert_eq!(r.url.as_str(), "https://example.com/a?x=1&q=a%20b");
        assert_eq!(r.headers[0], ("X-Key".to_owned(), "7".to_owned()));
        assert_eq!(r.headers[1].0, "accept");
        assert!(matches!(r.body, Body::Json(ref v) if v == &json!({"n": 1})));
    }

    #[test]
    fn a_proxy_is_refused_with_a_clear_error() {
        assert!(refuse_proxy(&json!({"options": {"proxy": "http://proxy:3128"}})).is_err());
        assert!(refuse_proxy(&json!({"options": {"proxy": ""}})).is_ok());
        assert!(refuse_proxy(&json!({"options": {}})).is_ok());
    }

    #[test]
    fn bad_urls_and_json_are_node_errors() {
        assert!(prepare(&json!({"url": "ftp://x"}), &Item::default(), 4.2).is_err());
        assert!(prepare(&json!({"url": ""}), &Item::default(), 4.2).is_err());
        let bad = json!({"url": "https://x", "sendBody": true, "specifyBody": "json", "jsonBody": "{nope"});
        let err = prepare(&bad, &Item::default(), 4.2).err().unwrap();
        assert_eq!(err.message, "JSON parameter needs to be valid JSON");
    }
}
