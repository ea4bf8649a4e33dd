//! What a Webhook node's options allow before its workflow runs: the caller's IP
//! (`ipWhitelist`), bots (`ignoreBots`) and browser origins (`allowedOrigins`, CORS).

use std::net::IpAddr;

use actix_web::http::header::{HeaderValue, ORIGIN, USER_AGENT};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;

/// The refusal, when the node's options refuse this request.
pub fn check(req: &HttpRequest, options: &Value) -> Option<super::error::WebhookError> {
    if let Some(list) = options
        .get("ipWhitelist")
        .and_then(Value::as_str)
        .filter(|l| !l.trim().is_empty())
    {
        // Only the TCP peer counts: X-Forwarded-For is whatever the caller wants it to be.
        let peer = req.peer_addr().map(|a| a.ip());
        if !peer.is_some_and(|ip| ip_allowed(list, ip)) {
            return Some(super::error::WebhookError::IpNotAllowed);
        }
    }
    if options.get("ignoreBots").and_then(Value::as_bool) == Some(true) {
        let agent = req
            .headers()
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if is_bot(agent) {
            // n8n refuses bots as it refuses wrong credentials.
            return Some(super::auth::forbidden());
        }
    }
    None
}

fn ip_allowed(list: &str, ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    };
    list.split(',')
        .map(str::trim)
        .filter_map(|entry| entry.parse::<IpAddr>().ok())
        .any(|allowed| allowed == ip)
}

const BOT_MARKERS: &[&str] = &[
    "bot",
    "crawl",
    "spider",
    "slurp",
    "facebookexternalhit",
    "embedly",
    "link preview",
    "whatsapp",
    "headlesschrome",
    "lighthouse",
    "pingdom",
    "preview",
];

/// A link-preview fetcher or crawler (the common markers the `isbot` list is built on).
pub fn is_bot(agent: &str) -> bool {
    let agent = agent.to_ascii_lowercase();
    BOT_MARKERS.iter().any(|m| agent.contains(m))
}

/// The `Access-Control-Allow-Origin` value for this request, if its origin is allowed.
pub fn allowed_origin(req: &HttpRequest, options: &Value) -> Option<HeaderValue> {
    let origin = req.headers().get(ORIGIN)?;
    let allowed = options
        .get("allowedOrigins")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("*");
    if allowed == "*" {
        return Some(HeaderValue::from_static("*"));
    }
    let origin_str = origin.to_str().ok()?;
    allowed
        .split(',')
        .map(str::trim)
        .any(|o| o.eq_ignore_ascii_case(origin_str))
        .then(|| origin.clone())
}

/// n8n's answer to a CORS preflight for a registered webhook path.
pub fn preflight(req: &HttpRequest, options: &Value, methods: &[String]) -> HttpResponse {
    let mut res = HttpResponse::NoContent();
    if let Some(origin) = allowed_origin(req, options) {
        let mut allow = methods.to_vec();
        allow.push("OPTIONS".into());
        res.insert_header(("access-control-allow-origin", origin))
            .insert_header(("access-control-allow-methods", allow.join(", ")))
            .insert_header(("access-control-max-age", "300"));
        if let Some(h) = req.headers().get("access-control-request-headers") {
            res.insert_header(("access-control-allow-headers", h.clone()));
        }
    }
    res.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_lists_match_exact_addresses_including_v4_mapped_v6() {
        assert!(ip_allowed(
            "10.0.0.1, 127.0.0.1",
            "127.0.0.1".parse().unwrap()
        ));
        assert!(ip_allowed("127.0.0.1", "::ffff:127.0.0.1".parse().unwrap()));
        assert!(!ip_allowed("10.0.0.1", "127.0.0.1".parse().unwrap()));
        assert!(!ip_allowed("not-an-ip", "127.0.0.1".parse().unwrap()));
    }

    #[test]
    fn crawlers_and_link_previews_are_bots_and_browsers_are_not() {
        assert!(is_bot("Mozilla/5.0 (compatible; Googlebot/2.1)"));
        assert!(is_bot("facebookexternalhit/1.1"));
        assert!(is_bot("Slackbot-LinkExpanding 1.0"));
        assert!(!is_bot(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
        ));
        assert!(!is_bot("curl/8.5.0"));
    }
}
