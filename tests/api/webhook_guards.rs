//! Webhook node options enforced before a run: IP allowlist, bots, CORS, response headers.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_problem, redis_url};
use crate::on_both_backends;
use crate::webhooks::{activate, hook};

on_both_backends!(
    an_ip_allowlist_refuses_other_callers_with_403,
    bots_are_refused_when_the_node_ignores_them,
    cors_preflight_and_responses_follow_allowed_origins,
    the_webhook_nodes_response_headers_are_sent,
    a_rate_limited_webhook_answers_429_with_retry_after,
    rate_limits_are_counted_in_redis_when_it_is_configured,
    a_bad_rate_limit_setting_is_refused_on_save,
);

fn with_options(path: &str, options: Value) -> Value {
    let mut wf = hook(path, path, "POST", "lastNode");
    wf["nodes"][0]["parameters"]["options"] = options;
    wf
}

async fn post(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app
        .client
        .post(app.url(&format!("/webhook/{path}")))
        .json(&json!({"qty": 1}));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

async fn an_ip_allowlist_refuses_other_callers_with_403(b: Backend) {
    let app = TestApp::spawn(b).await;
    activate(
        &app,
        &with_options("far", json!({"ipWhitelist": "10.1.2.3"})),
    )
    .await;
    let res = post(&app, "far", &[("x-forwarded-for", "10.1.2.3")]).await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "a forged X-Forwarded-For does not pass"
    );
    assert_eq!(
        res.text().await.unwrap(),
        "IP is not whitelisted to access the webhook!"
    );
    let count = app.count("SELECT COUNT(*) FROM executions").await;
    assert_eq!(count, 0, "a refused call starts no execution");

    activate(
        &app,
        &with_options("near", json!({"ipWhitelist": "10.1.2.3, 127.0.0.1"})),
    )
    .await;
    assert_eq!(post(&app, "near", &[]).await.status(), StatusCode::OK);
}

async fn bots_are_refused_when_the_node_ignores_them(b: Backend) {
    let app = TestApp::spawn(b).await;
    activate(&app, &with_options("nobots", json!({"ignoreBots": true}))).await;
    let bot = post(
        &app,
        "nobots",
        &[("user-agent", "Slackbot-LinkExpanding 1.0")],
    )
    .await;
    assert_eq!(bot.status(), StatusCode::FORBIDDEN);
    assert_eq!(bot.text().await.unwrap(), "Authorization data is wrong!");
    let person = post(
        &app,
        "nobots",
        &[(
            "user-agent",
            "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0",
        )],
    )
    .await;
    assert_eq!(person.status(), StatusCode::OK);
}

async fn cors_preflight_and_responses_follow_allowed_origins(b: Backend) {
    let app = TestApp::spawn(b).await;
    activate(
        &app,
        &with_options("cors", json!({"allowedOrigins": "https://app.example"})),
    )
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/webhook/cors"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let ok = preflight("https://app.example").await.unwrap();
    assert_eq!(ok.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    assert_eq!(
        ok.headers()["access-control-allow-methods"],
        "POST, OPTIONS"
    );
    assert_eq!(ok.headers()["access-control-allow-headers"], "content-type");
    let other = preflight("https://evil.example").await.unwrap();
    assert_eq!(other.status(), StatusCode::NO_CONTENT);
    assert!(other.headers().get("access-control-allow-origin").is_none());

    let res = post(&app, "cors", &[("origin", "https://app.example")]).await;
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    let res = post(&app, "cors", &[("origin", "https://evil.example")]).await;
    assert!(res.headers().get("access-control-allow-origin").is_none());

    let missing = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/webhook/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

async fn the_webhook_nodes_response_headers_are_sent(b: Backend) {
    let app = TestApp::spawn(b).await;
    let options =
        json!({"responseHeaders": {"entries": [{"name": "X-Served-By", "value": "weft"}]}});
    activate(&app, &with_options("hdr", options)).await;
    let res = post(&app, "hdr", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["x-served-by"], "weft");
}

fn limited(path: &str, limit: Value) -> Value {
    let mut wf = hook(path, path, "POST", "onReceived");
    wf["settings"]["webhookRateLimit"] = limit;
    wf
}

async fn a_rate_limited_webhook_answers_429_with_retry_after(b: Backend) {
    let app = TestApp::spawn(b).await;
    activate(&app, &limited("capped", json!(2))).await;
    activate(&app, &hook("free", "free", "POST", "onReceived")).await;
    for _ in 0..2 {
        assert_eq!(post(&app, "capped", &[]).await.status(), StatusCode::OK);
    }
    let refused = post(&app, "capped", &[]).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(refused.json::<Value>().await.unwrap()["code"], 429);
    for _ in 0..5 {
        assert_eq!(
            post(&app, "free", &[]).await.status(),
            StatusCode::OK,
            "limits are off unless the workflow sets one"
        );
    }
}

async fn rate_limits_are_counted_in_redis_when_it_is_configured(b: Backend) {
    let app = TestApp::spawn_with(b, |s| s.redis_url = Some(redis_url())).await;
    let wf = activate(&app, &limited("shared", json!(1))).await;
    assert_eq!(post(&app, "shared", &[]).await.status(), StatusCode::OK);
    assert_eq!(
        post(&app, "shared", &[]).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let client = redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!(
            "weft:webhook-rate:{}:*",
            wf["id"].as_str().unwrap()
        ))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(keys.len(), 1, "the counter lives in Redis: {keys:?}");
}

async fn a_bad_rate_limit_setting_is_refused_on_save(b: Backend) {
    let app = TestApp::spawn(b).await;
    let res = app
        .post_json("/api/v1/workflows", &limited("bad", json!("lots")))
        .await;
    let problem = assert_problem(res, StatusCode::BAD_REQUEST, "validation").await;
    assert_eq!(problem["errors"][0]["path"], "settings.webhookRateLimit");
}
