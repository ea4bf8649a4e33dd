//! Authentication and scopes on `/api/v1`: every operation has a rule, no key or a bad one is
//! 401 with n8n's message, a key without the scope is 403, expired, revoked and disabled-user
//! keys are refused, and keys are shown once.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use weft::api::access::rules::{RULES, Rule};
use weft::auth::Scopes;
use weft::store;

use crate::helpers::{Backend, TestApp};

/// `path` with its parameters filled with values that route (the answer after the guard may be
/// 404; what matters is what the guard answers first).
fn concrete(path: &str) -> String {
    path.replace("{id}", "01900000-0000-7000-8000-000000000000")
        .replace("{credentialTypeName}", "httpBasicAuth")
}

#[test]
fn every_api_operation_has_an_access_rule_and_every_rule_names_an_operation() {
    let doc = serde_json::to_value(weft::api::openapi()).expect("the document");
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() && path.starts_with("/api/v1") {
                operations.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    for (method, path) in &operations {
        assert!(
            RULES.iter().any(|(m, p, _, _)| m == method && p == path),
            "{method} {path} has no access rule in api::access::rules::RULES"
        );
    }
    for (method, path, _, _) in RULES {
        assert!(
            operations.iter().any(|(m, p)| m == method && p == path),
            "the rule for {method} {path} names no operation"
        );
    }
    // And the document states each rule.
    for (method, path, rule, _) in RULES {
        let op = &doc["paths"][path][method.to_lowercase()];
        if *rule == Rule::Public {
            assert!(op.get("security").is_none(), "{method} {path}");
        } else {
            assert!(
                op["security"][0].get("ApiKeyAuth").is_some(),
                "{method} {path}"
            );
            assert!(op["responses"].get("401").is_some(), "{method} {path}");
        }
    }
}

async fn no_key_or_a_bad_key_is_401_on_every_protected_operation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let anonymous = reqwest::Client::new();
    for (method, path, rule, _) in RULES {
        if *rule == Rule::Public {
            continue;
        }
        let method = Method::from_bytes(method.as_bytes()).expect("a method");
        let url = app.url(&concrete(path));
        for (key, message) in [
            (None, "'X-N8N-API-KEY' header required"),
            (
                Some("weft_000000000000aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
                "unauthorized",
            ),
            (Some("not even a key"), "unauthorized"),
        ] {
            let mut req = anonymous.request(method.clone(), &url).json(&json!({}));
            if let Some(key) = key {
                req = req.header("X-N8N-API-KEY", key);
            }
            let res = req.send().await.expect("answers");
            assert_eq!(
                res.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path} {key:?}"
            );
            assert!(res.headers().contains_key("www-authenticate"));
            let body: Value = res.json().await.expect("problem JSON");
            assert_eq!(body["message"], message, "{method} {path}");
        }
    }
    // Percent-encoding a letter routes to the same operation: the guard must see it too.
    for (method, path, rule, _) in RULES {
        if *rule == Rule::Public {
            continue;
        }
        let concrete = concrete(path);
        let (head, tail) = concrete.split_at("/api/v1/".len());
        let mut chars = tail.chars();
        let first = chars.next().expect("a segment");
        let encoded = format!("{head}%{:02X}{}", first as u32, chars.as_str());
        let method = Method::from_bytes(method.as_bytes()).expect("a method");
        let res = anonymous
            .request(method.clone(), app.url(&encoded))
            .json(&json!({}))
            .send()
            .await
            .expect("answers");
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {encoded}");
    }
    // Unknown paths and methods are answered before authentication, as before.
    let res = anonymous
        .get(app.url("/api/v1/nothing-here"))
        .send()
        .await
        .expect("answers");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = anonymous
        .patch(app.url("/api/v1/workflows"))
        .send()
        .await
        .expect("answers");
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        res.headers()["allow"]
            .to_str()
            .unwrap_or_default()
            .contains("POST")
    );
    // Health and the document stay open.
    for open in ["/healthz", "/healthz/readiness", "/api/v1/openapi.json"] {
        let res = anonymous.get(app.url(open)).send().await.expect("answers");
        assert_eq!(res.status(), StatusCode::OK, "{open}");
    }
}

async fn a_key_is_limited_to_its_scopes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app
        .post_json(
            "/api/v1/api-keys",
            &json!({"label": "reader", "scopes": ["workflow:read", "tag:*"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.expect("JSON");
    let key = created["apiKey"]
        .as_str()
        .expect("the key, once")
        .to_owned();
    assert_eq!(
        created["scopes"],
        json!(["workflow:read", "tag:read", "tag:write"])
    );
    let client = reqwest::Client::new();
    let call = |method: Method, path: &str| {
        client
            .request(method, app.url(path))
            .header("X-N8N-API-KEY", &key)
            .json(&json!({"name": "t", "nodes": [], "connections": {}, "settings": {}}))
            .send()
    };
    // n8n's client path: the key header on the workflow list, n8n's page shape.
    let res = call(Method::GET, "/api/v1/workflows")
        .await
        .expect("answers");
    assert_eq!(res.status(), StatusCode::OK);
    let page: Value = res.json().await.expect("JSON");
    assert!(
        page["data"].is_array() && page.get("nextCursor").is_some(),
        "{page}"
    );
    assert_eq!(
        call(Method::POST, "/api/v1/tags")
            .await
            .expect("answers")
            .status(),
        StatusCode::CREATED
    );
    for (method, path) in [
        (Method::POST, "/api/v1/workflows"),
        (Method::GET, "/api/v1/executions"),
        (Method::GET, "/api/v1/credentials"),
        // Managing keys needs every scope: a limited key cannot mint an unlimited one.
        (Method::GET, "/api/v1/api-keys"),
        (Method::POST, "/api/v1/api-keys"),
    ] {
        let res = call(method.clone(), path).await.expect("answers");
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{method} {path}");
        let body: Value = res.json().await.expect("JSON");
        assert_eq!(body["message"], "Forbidden");
    }
}

async fn expired_revoked_and_disabled_users_keys_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner = store::users::owner(&app.db)
        .await
        .expect("read")
        .expect("an owner");
    let get_with = |key: String| {
        let url = app.url("/api/v1/workflows");
        async move {
            reqwest::Client::new()
                .get(url)
                .header("X-N8N-API-KEY", key)
                .send()
                .await
                .expect("answers")
                .status()
        }
    };
    let (_, expired) = store::api_keys::create(
        &app.db,
        &store::api_keys::NewApiKey {
            user_id: owner.id,
            label: "old".into(),
            scopes: Scopes::All,
            expires_at: Some(store::now() - chrono::Duration::seconds(1)),
        },
    )
    .await
    .expect("a key");
    assert_eq!(
        get_with(expired.expose().to_owned()).await,
        StatusCode::UNAUTHORIZED
    );

    let res = app
        .post_json(
            "/api/v1/api-keys",
            &json!({"label": "short-lived", "expiresInDays": 1}),
        )
        .await;
    let created: Value = res.json().await.expect("JSON");
    let key = created["apiKey"].as_str().expect("key").to_owned();
    assert_eq!(get_with(key.clone()).await, StatusCode::OK);
    let listed: Value = app
        .get("/api/v1/api-keys")
        .await
        .json()
        .await
        .expect("JSON");
    let mine = listed
        .as_array()
        .expect("a list")
        .iter()
        .find(|k| k["id"] == created["id"])
        .expect("listed")
        .clone();
    assert!(
        mine.get("apiKey").is_none(),
        "the key is shown once: {mine}"
    );
    assert_eq!(mine["prefix"].as_str(), Some(&key[5..17]));
    assert!(mine["expiresAt"].is_string());
    let id = created["id"].as_str().expect("id");
    assert_eq!(
        app.delete(&format!("/api/v1/api-keys/{id}")).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(get_with(key).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.delete(&format!("/api/v1/api-keys/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );

    // A disabled user's keys stop working, the test client's own included.
    store::users::set_disabled(&app.db, owner.id, true)
        .await
        .expect("disable the owner");
    assert_eq!(
        app.get("/api/v1/workflows").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn bad_key_requests_are_400_with_the_field_named(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for (body, field) in [
        (json!({"label": ""}), "label"),
        (json!({"label": "x", "scopes": []}), "scopes"),
        (json!({"label": "x", "scopes": ["workflow:fly"]}), "scopes"),
        (json!({"label": "x", "expiresInDays": 0}), "expiresInDays"),
    ] {
        let res = app.post_json("/api/v1/api-keys", &body).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
        let problem: Value = res.json().await.expect("JSON");
        assert!(problem.to_string().contains(field), "{body}: {problem}");
    }
}

crate::on_both_backends!(
    no_key_or_a_bad_key_is_401_on_every_protected_operation,
    a_key_is_limited_to_its_scopes,
    expired_revoked_and_disabled_users_keys_are_refused,
    bad_key_requests_are_400_with_the_field_named,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_revoked_on_one_instance_stops_working_on_another_before_its_cache_entry_expires() {
    let first = TestApp::spawn_with(Backend::Postgres, |a| {
        a.redis_url = Some(crate::helpers::redis_url());
    })
    .await;
    let second = first
        .spawn_beside(|a| a.redis_url = Some(crate::helpers::redis_url()))
        .await;
    let created: Value = first
        .post_json("/api/v1/api-keys", &json!({"label": "shared"}))
        .await
        .json()
        .await
        .expect("JSON");
    let key = created["apiKey"].as_str().expect("key").to_owned();
    let on_second = || {
        let url = second.url("/api/v1/workflows");
        let key = key.clone();
        async move {
            reqwest::Client::new()
                .get(url)
                .header("X-N8N-API-KEY", key)
                .send()
                .await
                .expect("answers")
                .status()
        }
    };
    // Let the second instance's change feed come up, then have it cache the key.
    let started = std::time::Instant::now();
    while on_second().await != StatusCode::OK {
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(on_second().await, StatusCode::OK);
    let id = created["id"].as_str().expect("id");
    let revoked = std::time::Instant::now();
    assert_eq!(
        first
            .delete(&format!("/api/v1/api-keys/{id}"))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    while on_second().await != StatusCode::UNAUTHORIZED {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(
            revoked.elapsed() < std::time::Duration::from_secs(4),
            "the second instance still accepts a revoked key"
        );
    }
}
