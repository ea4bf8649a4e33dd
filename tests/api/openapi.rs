//! The OpenAPI contract: committed, served, and browsable offline.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Backend, TestApp};

fn committed() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    std::fs::read_to_string(path).expect("openapi/openapi.json is committed")
}

#[test]
fn the_committed_spec_equals_what_weft_openapi_prints() {
    let generated = weft::api::openapi_json();
    assert!(
        committed().trim_end() == generated.trim_end(),
        "openapi/openapi.json is stale: run `cargo run -q -- openapi > openapi/openapi.json`"
    );
}

#[tokio::test]
async fn the_served_spec_equals_the_committed_one_and_documents_every_route() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let served: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let file: Value = serde_json::from_str(&committed()).unwrap();
    assert_eq!(served, file);
    let paths = served["paths"].as_object().unwrap();
    for p in [
        "/healthz",
        "/healthz/readiness",
        "/api/v1/workflows",
        "/api/v1/workflows/{id}",
        "/api/v1/workflows/{id}/activate",
        "/api/v1/workflows/{id}/deactivate",
        "/api/v1/workflows/{id}/publish",
        "/api/v1/workflows/{id}/unpublish",
        "/api/v1/workflows/{id}/tags",
        "/api/v1/tags",
        "/api/v1/tags/{id}",
    ] {
        assert!(paths.contains_key(p), "{p} is documented");
    }
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            assert!(op["summary"].is_string(), "{method} {path} has a summary");
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path}"
            );
        }
    }
}

#[tokio::test]
async fn swagger_ui_and_its_assets_are_served_without_any_network() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let res = app.get("/docs/").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    // Every asset the page loads is served by us: no absolute http(s) URLs.
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );
    for asset in [
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "swagger-ui.css",
        "swagger-initializer.js",
    ] {
        let res = app.get(&format!("/docs/{asset}")).await;
        assert_eq!(res.status(), StatusCode::OK, "{asset}");
        assert!(
            res.bytes().await.unwrap().len() > 100,
            "{asset} has content"
        );
    }
    let init = app
        .get("/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(init.contains("/api/v1/openapi.json"));
    let redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/docs"))
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(redirect.headers()["location"], "/docs/");
}
