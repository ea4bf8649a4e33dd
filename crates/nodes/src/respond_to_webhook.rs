//! `n8n-nodes-base.respondToWebhook`: answers the waiting webhook call (Webhook node in
//! "Using 'Respond to Webhook' node" mode) while the execution goes on; passes its items through.
//! From 1.1 it needs a Webhook (or Form Trigger, Chat Trigger, Wait) upstream; 1.3 always, and
//! 1.4+ with `enableResponseOutput`, add a second output carrying the response sent. 1.5's
//! streaming applies to streaming webhooks only, which Weft does not offer, so it answers as 1.4.

use serde_json::{Map, Value};
use weft_engine::run::{
    NodeContext, NodeError, NodeFuture, NodeType, ResponseBody, WebhookResponse,
};

use crate::util::first_input;

pub struct RespondToWebhook;

impl NodeType for RespondToWebhook {
    fn type_name(&self) -> &'static str {
        "n8n-nodes-base.respondToWebhook"
    }
    fn versions(&self) -> &'static [f64] {
        &[1.0, 1.1, 1.2, 1.3, 1.4, 1.5]
    }
    fn outputs(&self, node: &weft_engine::Node) -> usize {
        if response_output(node) { 2 } else { 1 }
    }
    fn execute<'a>(&'a self, ctx: NodeContext<'a>) -> NodeFuture<'a> {
        Box::pin(async move {
            let version = ctx.node.type_version.as_f64().unwrap_or(1.0);
            if version >= 1.1
                && !ctx
                    .ancestor_types()
                    .iter()
                    .any(|t| WEBHOOK_NODE_TYPES.contains(t))
            {
                return Err(NodeError {
                    description: Some(
                        "Insert a Webhook node to your workflow and set the “Respond” parameter to \
                         “Using Respond to Webhook Node” "
                            .into(),
                    ),
                    ..NodeError::new("No Webhook node found in the workflow")
                });
            }
            let items = first_input(ctx.inputs);
            let response = build(&ctx, &items).await?;
            let sent = response_output(ctx.node).then(|| sent_item(&response));
            // Outside a waiting webhook call (a manual run, a second Respond node) nobody
            // listens; n8n ignores the response then too.
            ctx.responder.respond(response);
            Ok(Some(match sent {
                Some(item) => vec![items, vec![item]],
                None => vec![items],
            }))
        })
    }
}

/// The node types a Respond to Webhook node (1.1+) needs upstream.
const WEBHOOK_NODE_TYPES: [&str; 4] = [
    "n8n-nodes-base.webhook",
    "n8n-nodes-base.formTrigger",
    "@n8n/n8n-nodes-langchain.chatTrigger",
    "n8n-nodes-base.wait",
];

/// Whether the node has the second "Response" output: always in 1.3, with
/// `enableResponseOutput` from 1.4.
fn response_output(node: &weft_engine::Node) -> bool {
    let version = node.type_version.as_f64().unwrap_or(1.0);
    (version - 1.3).abs() < 1e-9
        || (version >= 1.4
            && node
                .parameters
                .get("enableResponseOutput")
                .and_then(Value::as_bool)
                == Some(true))
}

/// The item of the "Response" output: `{response: {body, headers, statusCode}}`, the body as
/// n8n holds it (a Buffer's JSON form for bytes, absent when there is none).
fn sent_item(response: &WebhookResponse) -> weft_engine::run::Item {
    let mut sent = Map::new();
    match &response.body {
        ResponseBody::Json(v) => {
            sent.insert("body".into(), v.clone());
        }
        ResponseBody::Text(t) => {
            sent.insert("body".into(), Value::String(t.clone()));
        }
        ResponseBody::Bytes(b) => {
            sent.insert(
                "body".into(),
                serde_json::json!({"type": "Buffer", "data": b}),
            );
        }
        ResponseBody::Empty => {}
    }
    let headers: Map<String, Value> = response
        .headers
        .iter()
        .map(|(n, v)| (n.clone(), Value::String(v.clone())))
        .collect();
    sent.insert("headers".into(), Value::Object(headers));
    sent.insert("statusCode".into(), Value::from(response.status));
    let mut json = Map::new();
    json.insert("response".into(), Value::Object(sent));
    weft_engine::run::Item {
        json,
        ..Default::default()
    }
}

async fn build(
    ctx: &NodeContext<'_>,
    items: &[weft_engine::run::Item],
) -> Result<WebhookResponse, NodeError> {
    let with = ctx.parameter("respondWith", 0)?;
    let with = with.as_str().unwrap_or("firstIncomingItem").to_owned();
    let options = ctx.parameter("options", 0)?;
    let mut status = match options.get("responseCode") {
        None | Some(Value::Null) => None,
        Some(code) => Some(status_code(code)?),
    };
    let mut headers = header_entries(&options)?;
    let key = options
        .get("responseKey")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty());
    let body = match with.as_str() {
        "firstIncomingItem" => {
            let first = items.first().map(|i| i.json.clone()).unwrap_or_default();
            ResponseBody::Json(wrap(key, Value::Object(first)))
        }
        "allIncomingItems" => {
            let all = items
                .iter()
                .map(|i| Value::Object(i.json.clone()))
                .collect();
            ResponseBody::Json(wrap(key, Value::Array(all)))
        }
        "json" => ResponseBody::Json(match ctx.parameter("responseBody", 0)? {
            Value::String(s) if s.trim().is_empty() => Value::Object(Map::new()),
            Value::String(s) => serde_json::from_str(&s).map_err(|e| NodeError {
                description: Some(e.to_string()),
                ..NodeError::new("Invalid JSON in 'Response Body' field")
            })?,
            Value::Null => Value::Object(Map::new()),
            other => other,
        }),
        "text" => {
            let text = ctx.parameter("responseBody", 0)?;
            ResponseBody::Text(
                text.as_str()
                    .map_or_else(|| text.to_string(), str::to_owned),
            )
        }
        "binary" => {
            let (bytes, mime) = binary_body(ctx, items)?;
            if !headers.iter().any(|(n, _)| n == "content-type") {
                headers.push(("content-type".into(), mime));
            }
            ResponseBody::Bytes(bytes)
        }
        "jwt" => ResponseBody::Json(serde_json::json!({ "token": jwt_token(ctx).await? })),
        "noData" => ResponseBody::Empty,
        "redirect" => {
            let url = ctx.parameter("redirectURL", 0)?;
            let url = url.as_str().unwrap_or_default().to_owned();
            if url.is_empty() {
                return Err(NodeError::new("The 'Redirect URL' parameter is empty"));
            }
            if !header_value_ok(&url) {
                return Err(NodeError::new(
                    "The 'Redirect URL' has a control character (such as a line break) that \
                     cannot be sent in a Location header",
                ));
            }
            headers.push(("location".into(), url));
            status = status.or(Some(307));
            ResponseBody::Empty
        }
        other => {
            return Err(NodeError::new(format!(
                "Responding with {other:?} is not supported by this server"
            )));
        }
    };
    Ok(WebhookResponse {
        status: status.unwrap_or(200),
        headers,
        body,
    })
}

/// Respond with a JWT: the `payload` parameter signed with the node's `jwtAuth` credential.
async fn jwt_token(ctx: &NodeContext<'_>) -> Result<String, NodeError> {
    let data = ctx.credential("jwtAuth").await?;
    let failed = |e: String| NodeError {
        description: Some(e),
        ..NodeError::new("Error signing JWT token")
    };
    let credential = crate::jwt::JwtCredential::parse(&data).map_err(failed)?;
    let payload = match ctx.parameter("payload", 0)? {
        Value::String(s) if s.trim().is_empty() => Value::Object(Map::new()),
        Value::String(s) => serde_json::from_str(&s).map_err(|e| failed(e.to_string()))?,
        Value::Null => Value::Object(Map::new()),
        other => other,
    };
    credential.sign(&payload).map_err(failed)
}

fn wrap(key: Option<&str>, value: Value) -> Value {
    match key {
        Some(k) => {
            let mut m = Map::new();
            m.insert(k.to_owned(), value);
            Value::Object(m)
        }
        None => value,
    }
}

fn status_code(code: &Value) -> Result<u16, NodeError> {
    code.as_u64()
        .or_else(|| code.as_str().and_then(|s| s.trim().parse().ok()))
        .filter(|c| (100..=599).contains(c))
        .map(|c| c as u16)
        .ok_or_else(|| NodeError::new(format!("Response code {code} is not an HTTP status")))
}

/// Whether `value` can be sent as an HTTP header value: no control characters but tab
/// (a CR or LF would split the response).
fn header_value_ok(value: &str) -> bool {
    !value.bytes().any(|b| b < 0x20 && b != b'\t' || b == 0x7f)
}

fn header_entries(options: &Value) -> Result<Vec<(String, String)>, NodeError> {
    let entries = options
        .pointer("/responseHeaders/entries")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut headers = Vec::new();
    for entry in entries {
        let name = entry["name"].as_str().unwrap_or_default().trim().to_owned();
        if name.is_empty() {
            continue;
        }
        if !name.bytes().all(is_token_byte) {
            return Err(NodeError::new(format!(
                "Response header name {name:?} is not a valid HTTP header name"
            )));
        }
        let value = match &entry["value"] {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        if !header_value_ok(&value) {
            return Err(NodeError::new(format!(
                "Response header {name:?} has a control character in its value"
            )));
        }
        headers.push((name.to_ascii_lowercase(), value));
    }
    Ok(headers)
}

/// RFC 9110 `tchar`.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The first item's binary property (`responseDataSource: set` names it in `inputFieldName`,
/// else the first one) as bytes, with its MIME type.
fn binary_body(
    ctx: &NodeContext<'_>,
    items: &[weft_engine::run::Item],
) -> Result<(Vec<u8>, String), NodeError> {
    use base64::Engine as _;
    let none = || NodeError::new("No binary data exists on the first item!");
    let binary = items
        .first()
        .and_then(|i| i.binary.as_ref())
        .filter(|b| !b.is_empty())
        .ok_or_else(none)?;
    let source = ctx.parameter("responseDataSource", 0)?;
    let name = if source.as_str() == Some("set") {
        let field = ctx.parameter("inputFieldName", 0)?;
        field.as_str().unwrap_or("data").to_owned()
    } else {
        binary.keys().next().cloned().ok_or_else(none)?
    };
    let entry = binary
        .get(&name)
        .ok_or_else(|| NodeError::new(format!("The item has no binary field '{name}' [item 0]")))?;
    let data = entry["data"].as_str().unwrap_or_default();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|e| NodeError::new(format!("Binary field '{name}' is not valid base64: {e}")))?;
    let mime = entry["mimeType"]
        .as_str()
        .filter(|m| !m.is_empty())
        .unwrap_or("application/octet-stream")
        .to_owned();
    Ok((bytes, mime))
}
