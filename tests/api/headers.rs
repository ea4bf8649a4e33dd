//! Security headers on API and docs answers, and CORS: closed by default, opened per origin by
//! `WEFT_CORS_ORIGINS`.

use reqwest::{Method, StatusCode};

use crate::helpers::{Backend, TestApp};

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    reqwest::Client::new()
        .request(Method::OPTIONS, app.url("/api/v1/workflows"))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "x-n8n-api-key, content-type",
        )
        .send()
        .await
        .expect("answers")
}

async fn api_and_docs_answers_carry_security_headers_and_cors_is_closed_by_default(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    for path in ["/api/v1/workflows", "/healthz", "/docs/"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(
            h.contains_key("content-security-policy"),
            path == "/docs/",
            "{path}"
        );
    }
    let csp = app.get("/docs/").await.headers()["content-security-policy"].clone();
    let encoded = app.get("/%64ocs/").await;
    assert_eq!(
        encoded.headers()["content-security-policy"],
        csp,
        "an encoded path too"
    );
    assert!(
        csp.to_str()
            .unwrap_or_default()
            .contains("default-src 'self'")
    );
    let res = preflight(&app, "https://evil.example").await;
    assert!(!res.headers().contains_key("access-control-allow-origin"));
    assert_ne!(res.status(), StatusCode::NO_CONTENT);
    let res = reqwest::Client::new()
        .get(app.url("/healthz"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .expect("answers");
    assert!(!res.headers().contains_key("access-control-allow-origin"));
}

async fn configured_origins_may_call_the_api_from_a_browser_and_no_others(backend: Backend) {
    let app = TestApp::spawn_with(backend, |a| {
        a.cors_origins = "https://app.example.com, http://localhost:3000".into();
    })
    .await;
    let res = preflight(&app, "https://app.example.com").await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let h = res.headers();
    assert_eq!(h["access-control-allow-origin"], "https://app.example.com");
    assert!(
        h["access-control-allow-headers"]
            .to_str()
            .unwrap_or_default()
            .contains("X-N8N-API-KEY")
    );
    assert!(
        h["access-control-allow-methods"]
            .to_str()
            .unwrap_or_default()
            .contains("POST")
    );
    assert_eq!(h["vary"], "Origin");
    let res = preflight(&app, "https://app.example.com.evil.example").await;
    assert!(!res.headers().contains_key("access-control-allow-origin"));
    let res = app
        .client
        .get(app.url("/api/v1/workflows"))
        .header("Origin", "http://localhost:3000")
        .send()
        .await
        .expect("answers");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    assert!(
        res.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap_or_default()
            .contains("ETag")
    );
}

crate::on_both_backends!(
    api_and_docs_answers_carry_security_headers_and_cors_is_closed_by_default,
    configured_origins_may_call_the_api_from_a_browser_and_no_others,
);
