//! `/api/v1/variables` with n8n's shapes and errors, and `$vars` in runs.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use weft::auth::{Role, Scopes};

use crate::authz_matrix::{key, user};
use crate::helpers::{Backend, TestApp, redis_url};
use crate::on_both_backends;

on_both_backends!(
    variables_are_created_listed_updated_and_deleted_in_n8ns_shapes,
    bad_keys_long_values_and_taken_keys_are_400_with_n8ns_messages,
    members_read_variables_and_only_the_owner_and_admins_write_them,
    set_and_code_nodes_read_vars_and_cannot_change_them,
);

async fn create(app: &TestApp, key: &str, value: &str) -> reqwest::Response {
    app.post_json("/api/v1/variables", &json!({"key": key, "value": value}))
        .await
}

async fn variables_are_created_listed_updated_and_deleted_in_n8ns_shapes(b: Backend) {
    let app = TestApp::spawn(b).await;
    let res = create(&app, "API_BASE", "https://api.example.com").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created,
        json!({"id": id, "key": "API_BASE", "value": "https://api.example.com", "type": "string"})
    );
    for i in 0..3 {
        assert_eq!(
            create(&app, &format!("more_{i}"), "").await.status(),
            StatusCode::CREATED
        );
    }
    let page: Value = app
        .get("/api/v1/variables?limit=2")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert_eq!(page["data"][0]["key"], "API_BASE", "oldest first");
    let cursor = page["nextCursor"].as_str().unwrap();
    let rest: Value = app
        .get(&format!("/api/v1/variables?limit=2&cursor={cursor}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["data"].as_array().unwrap().len(), 2);
    assert_eq!(rest["nextCursor"], Value::Null);
    let empty: Value = app
        .get("/api/v1/variables?state=empty")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(empty["data"].as_array().unwrap().len(), 3);

    let path = format!("/api/v1/variables/{id}");
    let res = app
        .put_json(
            &path,
            &json!({"key": "API_BASE", "value": "https://v2.example.com"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let all: Value = app.get("/api/v1/variables").await.json().await.unwrap();
    assert_eq!(all["data"][0]["value"], "https://v2.example.com");

    assert_eq!(app.delete(&path).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.delete(&path).await.status(), StatusCode::NOT_FOUND);
    let res = app
        .put_json(&path, &json!({"key": "GONE", "value": "x"}))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app.delete("/api/v1/variables/not-an-id").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

async fn message_of(res: reqwest::Response) -> String {
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    body["message"].as_str().unwrap().to_owned()
}

async fn bad_keys_long_values_and_taken_keys_are_400_with_n8ns_messages(b: Backend) {
    let app = TestApp::spawn(b).await;
    for (key, value, says) in [
        (
            "2fast",
            "x",
            "key can only contain letters, numbers (not as first character), and underscores (A-Za-z0-9_)",
        ),
        ("has-dash", "x", "key can only contain letters"),
        ("", "x", "key must be at least 1 character long"),
        (
            &"k".repeat(51),
            "x",
            "key cannot be longer than 50 characters",
        ),
        (
            "long_value",
            &"v".repeat(1001),
            "value cannot be longer than 1000 characters",
        ),
    ] {
        let message = message_of(create(&app, key, value).await).await;
        assert!(message.contains(says), "{key:?}: {message}");
    }
    let res = app
        .post_json("/api/v1/variables", &json!({"key": "no_value"}))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app
        .post_json(
            "/api/v1/variables",
            &json!({"key": "typed", "value": "1", "type": "number"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    assert_eq!(
        create(&app, "TAKEN", "1").await.status(),
        StatusCode::CREATED
    );
    let message = message_of(create(&app, "TAKEN", "2").await).await;
    assert!(message.contains("already exists"), "{message}");
    let other: Value = create(&app, "OTHER", "3").await.json().await.unwrap();
    let res = app
        .put_json(
            &format!("/api/v1/variables/{}", other["id"].as_str().unwrap()),
            &json!({"key": "TAKEN", "value": "4"}),
        )
        .await;
    assert!(message_of(res).await.contains("already exists"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM variables").await,
        2,
        "nothing written by a refused request"
    );
}

async fn send(
    app: &TestApp,
    secret: &weft::auth::ApiKeySecret,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> StatusCode {
    let mut req = reqwest::Client::new()
        .request(method, app.url(path))
        .header("X-N8N-API-KEY", secret.expose());
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send().await.unwrap().status()
}

async fn members_read_variables_and_only_the_owner_and_admins_write_them(b: Backend) {
    let app = TestApp::spawn(b).await;
    let created: Value = create(&app, "SHARED", "1").await.json().await.unwrap();
    let path = format!("/api/v1/variables/{}", created["id"].as_str().unwrap());
    let member = key(
        &app,
        user(&app, "m@example.com", Role::Member).await,
        Scopes::All,
        None,
    )
    .await
    .1;
    let admin = key(
        &app,
        user(&app, "a@example.com", Role::Admin).await,
        Scopes::All,
        None,
    )
    .await
    .1;
    assert_eq!(
        send(&app, &member, Method::GET, "/api/v1/variables", None).await,
        StatusCode::OK
    );
    let write = json!({"key": "MINE", "value": "2"});
    assert_eq!(
        send(
            &app,
            &member,
            Method::POST,
            "/api/v1/variables",
            Some(write.clone())
        )
        .await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(&app, &member, Method::PUT, &path, Some(write.clone())).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(&app, &member, Method::DELETE, &path, None).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(&app, &admin, Method::PUT, &path, Some(write)).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        send(&app, &admin, Method::DELETE, &path, None).await,
        StatusCode::NO_CONTENT
    );
}

/// Manual trigger → Set (`$vars` in an expression) → Code (`$vars` in code, and an attempt to
/// change it).
fn vars_workflow() -> Value {
    let code = "let changed; try { $vars.GREETING = 'changed'; changed = $vars.GREETING; } \
                catch (e) { changed = 'refused'; } \
                return [{json: {...$json, fromCode: $vars.GREETING + '!', afterWrite: changed, missing: $vars.NOPE === undefined}}];";
    json!({
        "name": "vars",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
            {"name": "Set", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [200, 0],
             "parameters": {"assignments": {"assignments": [
                {"id": "a", "name": "fromSet", "value": "={{ $vars.GREETING }} world", "type": "string"}]}}},
            {"name": "Code", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [400, 0],
             "parameters": {"jsCode": code}}
        ],
        "connections": {
            "Start": {"main": [[{"node": "Set", "type": "main", "index": 0}]]},
            "Set": {"main": [[{"node": "Code", "type": "main", "index": 0}]]}
        },
        "settings": {"executionOrder": "v1"}
    })
}

/// Runs `workflow_id` through the run API; the Code node's output.
async fn run_output(app: &TestApp, workflow_id: &str) -> Value {
    let res = app
        .post_json(&format!("/api/v1/workflows/{workflow_id}/run"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let run: Value = res.json().await.unwrap();
    assert_eq!(run["status"], "success", "{run}");
    run["data"]["resultData"]["runData"]["Code"][0]["data"]["main"][0][0]["json"].clone()
}

async fn set_and_code_nodes_read_vars_and_cannot_change_them(b: Backend) {
    let app = TestApp::spawn(b).await;
    assert_eq!(
        create(&app, "GREETING", "hello").await.status(),
        StatusCode::CREATED
    );
    let wf = app.create_workflow(&vars_workflow()).await;
    let out = run_output(&app, wf["id"].as_str().unwrap()).await;
    assert_eq!(out["fromSet"], "hello world");
    assert_eq!(out["fromCode"], "hello!");
    assert_ne!(out["afterWrite"], "changed", "$vars is read-only: {out}");
    assert_eq!(out["missing"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_is_seen_by_the_next_execution_on_another_instance() {
    let redis = redis_url();
    let a = TestApp::spawn_with(Backend::Postgres, |s| s.redis_url = Some(redis.clone())).await;
    let b = a.spawn_beside(|s| s.redis_url = Some(redis.clone())).await;
    let created: Value = create(&a, "GREETING", "hello").await.json().await.unwrap();
    let wf = a.create_workflow(&vars_workflow()).await;
    let id = wf["id"].as_str().unwrap();
    // Instance b runs it once, so it holds the variables in its cache.
    assert_eq!(run_output(&b, id).await["fromSet"], "hello world");
    let res = a
        .put_json(
            &format!("/api/v1/variables/{}", created["id"].as_str().unwrap()),
            &json!({"key": "GREETING", "value": "bonjour"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    // The change reaches b through the change feed; its next execution sees it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let out = run_output(&b, id).await;
        if out["fromSet"] == "bonjour world" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "instance b still sees {out}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
