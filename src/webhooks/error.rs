//! Why a webhook call is refused or failed, and the one place that turns each reason into the
//! answer n8n gives for it (JSON `{code, message, hint?}`, plain text for refusals, the headers
//! they carry).

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use serde_json::json;

use crate::body::BodyError;

#[derive(Debug)]
pub enum WebhookError {
    /// No active workflow listens on this method and path.
    NotRegistered {
        method: String,
        path: String,
        hint: &'static str,
    },
    /// Something listens on the path, for another method.
    WrongMethod { method: String, other: String },
    /// The route or its workflow could not be read.
    LookupFailed,
    /// The workflow did not run or failed (n8n's body has no `code` here).
    WorkflowFailed,
    /// `settings.webhookRateLimit` is used up; `retry_after` in seconds.
    RateLimited { per_minute: u32, retry_after: u64 },
    /// The Webhook node's IP allowlist does not name the caller.
    IpNotAllowed,
    /// The node's authentication refused the call (401 asks for credentials, 403 refuses them).
    AuthRefused { status: u16, message: String },
    /// The `Idempotency-Key` header is malformed.
    BadIdempotencyKey,
    /// A call with this `Idempotency-Key` is still being answered.
    IdempotencyRunning,
    /// The `Idempotency-Key` store could not be reached.
    IdempotencyUnavailable,
    /// The body could not be read.
    Body(BodyError),
    /// The body does not parse as its content type says.
    Unparsable { hint: String },
    /// Any other answer in n8n's `{code, message}` shape.
    Answer { status: StatusCode, message: String },
}

/// n8n's webhook answers are plain JSON `{code, message, hint?}`, not problem documents.
pub(crate) fn answer(status: StatusCode, message: String, hint: Option<&str>) -> HttpResponse {
    let mut body = json!({"code": status.as_u16(), "message": message});
    if let Some(h) = hint {
        body["hint"] = json!(h);
    }
    HttpResponse::build(status).json(body)
}

/// A plain-text refusal, as n8n sends them.
fn text(status: StatusCode) -> actix_web::HttpResponseBuilder {
    let mut builder = HttpResponse::build(status);
    builder.content_type("text/plain; charset=utf-8");
    builder
}

impl WebhookError {
    /// The answer the caller gets.
    pub fn response(&self) -> HttpResponse {
        match self {
            Self::NotRegistered { method, path, hint } => answer(
                StatusCode::NOT_FOUND,
                format!("The requested webhook \"{method} {path}\" is not registered."),
                Some(hint),
            ),
            Self::WrongMethod { method, other } => answer(
                StatusCode::NOT_FOUND,
                format!(
                    "This webhook is not registered for {method} requests. Did you mean to make a {other} request?"
                ),
                None,
            ),
            Self::LookupFailed => answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Error in workflow".into(),
                None,
            ),
            Self::WorkflowFailed => {
                HttpResponse::InternalServerError().json(json!({"message": "Error in workflow"}))
            }
            Self::RateLimited {
                per_minute,
                retry_after,
            } => {
                let mut res = answer(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("This webhook takes at most {per_minute} calls per minute"),
                    None,
                );
                res.headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(*retry_after));
                res
            }
            Self::IpNotAllowed => {
                text(StatusCode::FORBIDDEN).body("IP is not whitelisted to access the webhook!")
            }
            Self::AuthRefused { status, message } => {
                let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::FORBIDDEN);
                text(status)
                    .insert_header((WWW_AUTHENTICATE, "Basic realm=\"Webhook\""))
                    .body(message.clone())
            }
            Self::BadIdempotencyKey => answer(
                StatusCode::BAD_REQUEST,
                "The Idempotency-Key header must be 1 to 255 printable ASCII characters".into(),
                None,
            ),
            Self::IdempotencyRunning => answer(
                StatusCode::CONFLICT,
                "A request with this Idempotency-Key is still being answered".into(),
                None,
            ),
            Self::IdempotencyUnavailable => answer(
                StatusCode::SERVICE_UNAVAILABLE,
                "The Idempotency-Key could not be checked; try again".into(),
                None,
            ),
            Self::Body(e) => {
                let (status, message) = match e {
                    BodyError::TooLarge(limit) => (
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!("The request body is larger than the limit of {limit} bytes"),
                    ),
                    BodyError::TimedOut(ms) => (
                        StatusCode::REQUEST_TIMEOUT,
                        format!("The request body did not arrive within {ms} ms"),
                    ),
                    BodyError::Read(why) => (
                        StatusCode::BAD_REQUEST,
                        format!("Could not read the request body: {why}"),
                    ),
                };
                answer(status, message, None)
            }
            Self::Unparsable { hint } => HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY)
                .json(
                    json!({"code": 422, "message": "Failed to parse request body", "hint": hint}),
                ),
            Self::Answer { status, message } => answer(*status, message.clone(), None),
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::body::MessageBody;

    use super::*;

    fn parts(e: WebhookError) -> (u16, String, String) {
        let res = e.response();
        let status = res.status().as_u16();
        let kind = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = res.into_body().try_into_bytes().unwrap_or_default();
        (status, kind, String::from_utf8_lossy(&body).into_owned())
    }

    #[test]
    fn each_reason_has_n8ns_status_shape_and_body() {
        let (s, kind, body) = parts(WebhookError::WorkflowFailed);
        assert_eq!((s, kind.as_str()), (500, "application/json"));
        assert_eq!(body, r#"{"message":"Error in workflow"}"#);
        let (s, _, body) = parts(WebhookError::LookupFailed);
        assert_eq!(s, 500);
        assert!(body.contains(r#""code":500"#), "{body}");
        let (s, kind, body) = parts(WebhookError::IpNotAllowed);
        assert_eq!((s, kind.as_str()), (403, "text/plain; charset=utf-8"));
        assert_eq!(body, "IP is not whitelisted to access the webhook!");
        let refused = WebhookError::AuthRefused {
            status: 401,
            message: "Authorization is required!".into(),
        }
        .response();
        assert_eq!(refused.status().as_u16(), 401);
        assert_eq!(
            refused.headers().get("www-authenticate").unwrap(),
            "Basic realm=\"Webhook\""
        );
        let limited = WebhookError::RateLimited {
            per_minute: 3,
            retry_after: 7,
        }
        .response();
        assert_eq!(limited.status().as_u16(), 429);
        assert_eq!(limited.headers().get("retry-after").unwrap(), "7");
        let (s, _, body) = parts(WebhookError::Unparsable { hint: "h".into() });
        assert_eq!(s, 422);
        assert!(body.contains("Failed to parse request body"), "{body}");
    }
}
