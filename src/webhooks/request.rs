//! Turning a webhook request into n8n's item `{headers, params, query, body, webhookUrl,
//! executionMode}`, parsing the body strictly by its declared content type.

use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpRequest, web};
use base64::Engine as _;
use serde_json::{Map, Value, json};
use weft_engine::run::Item;

use super::error::WebhookError;
use crate::store::webhooks::WebhookMatch;

fn parse_failure(hint: String) -> WebhookError {
    WebhookError::Unparsable { hint }
}

/// The item a Webhook node emits for this request, or the answer that refuses it.
pub async fn item(
    req: &HttpRequest,
    payload: web::Payload,
    route: &WebhookMatch,
    limits: crate::body::BodyLimits,
    mode: super::Mode,
    options: &Value,
) -> Result<Item, WebhookError> {
    let bytes = crate::body::read(payload, limits)
        .await
        .map_err(WebhookError::Body)?;
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let (body, binary) = parse_body(&bytes, &content_type, options).map_err(parse_failure)?;
    let headers: Map<String, Value> = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                Value::String(v.to_str().unwrap_or("").to_owned()),
            )
        })
        .collect();
    let query: Map<String, Value> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    let params: Map<String, Value> = route
        .params
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let info = req.connection_info();
    let url = format!("{}://{}{}", info.scheme(), info.host(), req.path());
    let mut item = Item::from_value(json!({
        "headers": headers,
        "params": params,
        "query": query,
        "body": body,
        "webhookUrl": url,
        "executionMode": mode.item_mode(),
    }));
    if let Some(Value::Object(b)) = binary {
        item.binary = Some(b);
    }
    Ok(item)
}

/// The request body as n8n's `body`, parsed strictly by its declared content type, and the
/// binary data it carries (multipart files, or a body of any other type); the reason when it
/// does not parse. Pure, so it can be tested on arbitrary input.
pub fn parse_body(
    bytes: &[u8],
    content_type: &str,
    options: &Value,
) -> Result<(Value, Option<Value>), String> {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let mut binary = None;
    let body = if bytes.is_empty() {
        Value::Object(Map::new())
    } else if essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
    {
        serde_json::from_slice::<Value>(bytes).map_err(|e| e.to_string())?
    } else if essence == "application/x-www-form-urlencoded" {
        let mut map = Map::new();
        for (k, v) in url::form_urlencoded::parse(bytes) {
            map.insert(k.into_owned(), Value::String(v.into_owned()));
        }
        Value::Object(map)
    } else if essence == "multipart/form-data" {
        let binary_name = options_binary_name(options);
        let parsed = super::multipart::parse(bytes, content_type, binary_name.as_deref())?;
        if !parsed.files.is_empty() {
            binary = Some(Value::Object(parsed.files));
        }
        Value::Object(parsed.fields)
    } else if essence.starts_with("text/") {
        Value::String(String::from_utf8(bytes.to_vec()).map_err(|e| e.to_string())?)
    } else {
        // Anything else is kept as binary data; its metadata comes from us, not the client.
        let mime = if essence.is_empty() {
            "application/octet-stream".to_owned()
        } else {
            essence.clone()
        };
        binary = Some(json!({"data": {
            "data": base64::engine::general_purpose::STANDARD.encode(bytes),
            "mimeType": mime,
            "fileSize": bytes.len(),
        }}));
        Value::Object(Map::new())
    };
    Ok((body, binary))
}

/// The Webhook node's `binaryPropertyName` option, when set.
fn options_binary_name(options: &Value) -> Option<String> {
    options
        .get("binaryPropertyName")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}
