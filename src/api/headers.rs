//! Headers on every answer outside webhooks: no content sniffing, no referrer, no framing, a
//! strict content security policy on `/docs`, and CORS — closed unless `WEFT_CORS_ORIGINS`
//! names the browser origins allowed to call the API. (Webhooks answer as their workflow says,
//! with the Webhook node's own `allowedOrigins`.)

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};

use crate::state::AppState;

pub use crate::config::CorsOrigins;

/// The policy of the Swagger UI pages: only their own scripts, styles and the document.
const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
    form-action 'none'";

const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE";
const ALLOW_HEADERS: &str = "Content-Type, X-N8N-API-KEY, Authorization, If-Match";
const EXPOSE_HEADERS: &str =
    "ETag, Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset";

fn is_webhook(path: &str) -> bool {
    ["/webhook/", "/webhook-test/", "/webhook-waiting/"]
        .iter()
        .any(|p| path.starts_with(p))
}

fn set<B>(res: &mut ServiceResponse<B>, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        res.headers_mut()
            .insert(HeaderName::from_static(name), value);
    }
}

pub async fn security_and_cors(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    // The decoded path, as routed (`/%64ocs/` is `/docs/`).
    let path = req.match_info().as_str().to_owned();
    if is_webhook(&path) {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let cors = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.cors.clone())
        .unwrap_or_default();
    let origin = req
        .headers()
        .get("origin")
        .and_then(|o| o.to_str().ok())
        .filter(|o| cors.allows(o))
        .map(str::to_owned);
    let preflight = req.method() == actix_web::http::Method::OPTIONS
        && req.headers().contains_key("access-control-request-method");
    let mut res = match (&origin, preflight) {
        (Some(_), true) => req
            .into_response(HttpResponse::NoContent().finish())
            .map_into_right_body(),
        _ => next.call(req).await?.map_into_left_body(),
    };
    set(&mut res, "x-content-type-options", "nosniff");
    set(&mut res, "referrer-policy", "no-referrer");
    set(&mut res, "x-frame-options", "DENY");
    if path == "/docs" || path.starts_with("/docs/") {
        set(&mut res, "content-security-policy", DOCS_CSP);
    }
    if let Some(origin) = origin {
        set(&mut res, "access-control-allow-origin", &origin);
        set(&mut res, "vary", "Origin");
        if preflight {
            set(&mut res, "access-control-allow-methods", ALLOW_METHODS);
            set(&mut res, "access-control-allow-headers", ALLOW_HEADERS);
            set(&mut res, "access-control-max-age", "600");
        } else {
            set(&mut res, "access-control-expose-headers", EXPOSE_HEADERS);
        }
    }
    Ok(res)
}
