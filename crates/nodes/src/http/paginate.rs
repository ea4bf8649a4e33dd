//! HTTP Request pagination, as n8n's `requestWithAuthenticationPaginated` runs it: every request
//! (the first too) evaluates the pagination parameters with `$response` (the previous page's
//! `{body, headers, statusCode}`), `$pageCount` (pages fetched so far), `$request` and `$version`
//! in scope; every page is kept; paging ends when the "complete" condition holds, at the page
//! limit, or with an error when a page that would continue is not a 2xx answer.

use std::time::Duration;

use serde_json::{Map, Value, json};
use weft_engine::run::{NodeContext, NodeError};

use super::request::{Body, Prepared, plain};
use super::{Answer, Failure, HttpRequest, qs, response};

/// What one parameter update changes on each request.
enum Target {
    Query,
    Header,
    Body,
}

enum Mode {
    Parameters(Vec<(Target, String, Value)>),
    NextUrl(Value),
}

/// The node's pagination settings, unevaluated (their expressions run per request).
pub struct Pagination {
    mode: Mode,
    /// The expression deciding whether another page is wanted.
    more: Value,
    max_requests: Option<Value>,
    interval: Value,
}

fn text(p: &Map<String, Value>, key: &str) -> String {
    p.get(key).map(crate::util::js_string).unwrap_or_default()
}

impl Pagination {
    /// The raw `options.pagination.pagination` of the node, if pagination is on; n8n's
    /// defaults fill what the export leaves out.
    pub fn of(parameters: &Value, never_error: bool) -> Result<Option<Self>, NodeError> {
        let Some(Value::Object(p)) = parameters
            .get("options")
            .and_then(|o| o.get("pagination"))
            .and_then(|o| o.get("pagination"))
        else {
            return Ok(None);
        };
        let mode = match p.get("paginationMode").and_then(Value::as_str) {
            Some("off") => return Ok(None),
            Some("responseContainsNextURL") => {
                Mode::NextUrl(p.get("nextURL").cloned().unwrap_or(Value::Null))
            }
            _ => Mode::Parameters(parameter_updates(p)?),
        };
        let more = match p.get("paginationCompleteWhen").and_then(Value::as_str) {
            Some("receiveSpecificStatusCodes") => {
                let codes: Vec<Value> = text(p, "statusCodesWhenComplete")
                    .split(',')
                    .map(|c| {
                        let digits: String =
                            c.trim().chars().take_while(char::is_ascii_digit).collect();
                        digits.parse::<u64>().map_or(Value::Null, Value::from)
                    })
                    .collect();
                format!("!{}.includes($response.statusCode)", Value::Array(codes))
            }
            Some("other") => {
                let raw = text(p, "completeExpression");
                let raw = raw.trim();
                if !raw.starts_with('=') {
                    return Err(NodeError::new("Invalid or empty Complete Expression"));
                }
                // n8n cuts "={{" and "}}" off the ends.
                let inner: String = raw
                    .chars()
                    .skip(3)
                    .take(raw.chars().count().saturating_sub(5))
                    .collect();
                if never_error {
                    format!("!({inner})")
                } else {
                    format!(
                        "!({inner}) || ($response.statusCode < 200 || $response.statusCode >= 300)"
                    )
                }
            }
            _ => "Array.isArray($response.body) ? $response.body.length : !!$response.body".into(),
        };
        let limited = p.get("limitPagesFetched").and_then(Value::as_bool) == Some(true);
        Ok(Some(Self {
            mode,
            more: Value::String(format!("={{{{ {more} }}}}")),
            max_requests: limited.then(|| p.get("maxRequests").cloned().unwrap_or(json!(100))),
            interval: p.get("requestInterval").cloned().unwrap_or(json!(0)),
        }))
    }
}

fn parameter_updates(p: &Map<String, Value>) -> Result<Vec<(Target, String, Value)>, NodeError> {
    let rows = p
        .get("parameters")
        .and_then(|v| v.get("parameters"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_else(|| vec![json!({"type": "qs", "name": "", "value": ""})]);
    let blank = |r: &Value, k: &str| {
        r.get(k)
            .map(crate::util::js_string)
            .unwrap_or_default()
            .is_empty()
    };
    if rows.len() == 1 && blank(&rows[0], "name") && blank(&rows[0], "value") {
        return Err(NodeError::new(
            "At least one entry with 'Name' and 'Value' filled must be included in 'Parameters' to use 'Update a Parameter in Each Request' mode ",
        ));
    }
    let mut out = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let name = r
            .get("name")
            .map(crate::util::js_string)
            .unwrap_or_default();
        if name.is_empty() {
            return Err(NodeError::new(format!(
                "Parameter name must be set for parameter [{}] in pagination settings",
                i + 1
            )));
        }
        let target = match r.get("type").and_then(Value::as_str).unwrap_or("qs") {
            "qs" => Target::Query,
            "headers" => Target::Header,
            "body" => Target::Body,
            _ => {
                return Err(NodeError::new(format!(
                    "Parameter type must be one of: body, headers, qs for parameter [{}] in pagination settings",
                    i + 1
                )));
            }
        };
        if blank(r, "value") {
            return Err(NodeError::new(format!(
                "Some value must be provided for parameter [{}] in pagination settings, omitting it will result in an infinite loop",
                i + 1
            )));
        }
        out.push((target, name, r.get("value").cloned().unwrap_or(Value::Null)));
    }
    Ok(out)
}

/// `$response` for the expressions: the body as JSON when the answer says it is JSON (`{}`
/// when it does not parse), else as text.
fn response_value(answer: &Answer) -> Value {
    let mime = answer
        .headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let body = if mime.contains("application/json") {
        serde_json::from_slice(&answer.body).unwrap_or_else(|_| json!({}))
    } else {
        Value::String(String::from_utf8_lossy(&answer.body).into_owned())
    };
    json!({
        "body": body,
        "headers": response::header_map(answer),
        "statusCode": answer.status.as_u16(),
    })
}

/// `$request`: the first request, credentials left out.
fn request_value(prepared: &Prepared) -> Value {
    let qs: Map<String, Value> = prepared
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    let headers: Map<String, Value> = prepared
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), Value::String(v.clone())))
        .collect();
    let body = match &prepared.body {
        Body::Json(v) => v.clone(),
        Body::Form(pairs) => Value::Object(pairs.iter().cloned().collect()),
        _ => Value::Null,
    };
    json!({
        "method": prepared.method.as_str(),
        "uri": prepared.url.as_str(),
        "qs": qs,
        "headers": headers,
        "body": body,
    })
}

/// `url` with the query parameter `name` set to `value` (replacing any it had).
fn with_query(url: &mut reqwest::Url, name: &str, value: &Value) {
    let kept: Vec<String> = url
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|part| !part.is_empty())
        .filter(|part| {
            let key = part.split('=').next().unwrap_or_default();
            url::form_urlencoded::parse(key.as_bytes())
                .next()
                .is_none_or(|(k, _)| k != name)
        })
        .map(str::to_owned)
        .collect();
    let mut all = kept;
    all.push(qs::stringify(
        &[(name.to_owned(), value.clone())],
        qs::ArrayFormat::Indices,
    ));
    url.set_query(Some(&all.join("&")));
}

/// The next URL: absolute only (n8n does not resolve relative ones), with the first request's
/// query parameters the next URL does not already carry.
fn next_url(first: &reqwest::Url, next: &str) -> Result<reqwest::Url, NodeError> {
    let invalid = || {
        NodeError::new(format!("'{next}' is not a valid URL."))
            .with_description("Make sure the \"Next URL\" parameter evaluates to a valid URL.")
    };
    let mut url = reqwest::Url::parse(next).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid());
    }
    let present: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    for (k, v) in first.query_pairs() {
        if !present.contains(&k.to_string()) {
            url.query_pairs_mut().append_pair(&k, &v);
        }
    }
    Ok(url)
}

impl HttpRequest {
    /// Every page item `index`'s request fetches, in order.
    pub(super) async fn paginate(
        &self,
        ctx: &NodeContext<'_>,
        pagination: &Pagination,
        first: Prepared,
        options: &Value,
        version: f64,
        index: usize,
    ) -> Result<Vec<Answer>, Failure> {
        let mut extras = json!({
            "$response": {},
            "$request": request_value(&first),
            "$pageCount": 0,
            "$version": version,
        });
        let mut pages: Vec<Answer> = Vec::new();
        let mut fingerprints: Vec<(usize, Vec<u8>)> = Vec::new();
        loop {
            let mut page = first.clone();
            match &pagination.mode {
                Mode::NextUrl(raw) => match ctx.resolve_with(raw, index, &extras)? {
                    // An expression that fails (as `$response.body.next` on the first request)
                    // leaves the URL as it was.
                    Value::Null if pages.is_empty() => {}
                    Value::Null => return Err(next_url(&first.url, "null").unwrap_err().into()),
                    v => page.url = next_url(&first.url, &plain(&v))?,
                },
                Mode::Parameters(updates) => {
                    for (target, name, raw) in updates {
                        let value = ctx.resolve_with(raw, index, &extras)?;
                        if value.is_null() {
                            continue;
                        }
                        match target {
                            Target::Query => with_query(&mut page.url, name, &value),
                            Target::Header => {
                                page.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
                                page.headers.push((name.clone(), plain(&value)));
                            }
                            Target::Body => match &mut page.body {
                                Body::Json(Value::Object(map)) => {
                                    map.insert(name.clone(), value);
                                }
                                Body::Form(pairs) => {
                                    pairs.retain(|(k, _)| k != name);
                                    pairs.push((name.clone(), value));
                                }
                                body => {
                                    let mut map = Map::new();
                                    map.insert(name.clone(), value);
                                    *body = Body::Json(Value::Object(map));
                                }
                            },
                        }
                    }
                }
            }
            let answer = self.send(page, options, version).await?;
            let fingerprint = (
                answer
                    .headers
                    .get(reqwest::header::CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0),
                answer
                    .headers
                    .get(reqwest::header::ETAG)
                    .map_or_else(|| answer.body.clone(), |e| e.as_bytes().to_vec()),
            );
            if fingerprints.len() >= 4
                && fingerprints.iter().rev().take(4).all(|f| *f == fingerprint)
            {
                return Err(NodeError::new(
                    "The returned response was identical 5x, so requests got stopped",
                )
                .with_description(
                    "Check if \"Pagination Completed When\" has been configured correctly.",
                )
                .into());
            }
            fingerprints.push(fingerprint);
            extras["$response"] = response_value(&answer);
            let status = answer.status;
            pages.push(answer);
            extras["$pageCount"] = json!(pages.len());
            if let Some(max) = &pagination.max_requests {
                let max = ctx
                    .resolve_with(max, index, &extras)?
                    .as_f64()
                    .unwrap_or(0.0);
                if max > 0.0 && pages.len() as f64 >= max {
                    break;
                }
            }
            if !crate::util::truthy(&ctx.resolve_with(&pagination.more, index, &extras)?) {
                break;
            }
            let pause = ctx
                .resolve_with(&pagination.interval, index, &extras)?
                .as_f64()
                .unwrap_or(0.0);
            if pause > 0.0 {
                ctx.clock.sleep(Duration::from_millis(pause as u64)).await;
            }
            if !status.is_success() {
                let last = pages.pop().expect("just pushed");
                return Err(Failure::Status(last));
            }
        }
        Ok(pages)
    }
}
