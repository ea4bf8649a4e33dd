//! Liveness and readiness probes.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, redis_url};

#[tokio::test]
async fn liveness_answers_ok() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"status": "ok"}));
}

#[tokio::test]
async fn readiness_reports_the_database_up_and_redis_disabled_when_embedded() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = TestApp::spawn_with(backend, crate::helpers::regular_only).await;
        let res = app.get("/healthz/readiness").await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status"], "ok");
        assert_eq!(body["checks"]["database"]["status"], "up");
        assert_eq!(body["checks"]["redis"]["status"], "disabled");
    }
}

#[tokio::test]
async fn readiness_checks_redis_when_it_is_configured() {
    let app = TestApp::spawn_with(Backend::Postgres, |s| s.redis_url = Some(redis_url())).await;
    let body: Value = app.get("/healthz/readiness").await.json().await.unwrap();
    assert_eq!(body["checks"]["redis"]["status"], "up", "{body}");
}

#[tokio::test]
async fn readiness_is_503_naming_redis_when_redis_is_down() {
    // Nothing listens on port 1.
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        crate::helpers::regular_only(s);
        s.redis_url = Some("redis://127.0.0.1:1".into())
    })
    .await;
    let res = app.get("/healthz/readiness").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["checks"]["database"]["status"], "up");
    assert_eq!(body["checks"]["redis"]["status"], "down");
    assert!(body["checks"]["redis"]["error"].is_string());
}
