//! The webhook fast path serves from memory, yet every committed change shows at once.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;
use crate::webhooks::{activate, hook};

on_both_backends!(
    a_change_to_an_active_workflow_shows_on_the_next_call,
    static_data_a_run_saves_is_seen_by_the_next_call,
);

async fn call(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/webhook/{path}")))
        .json(&json!({"qty": 1}))
        .send()
        .await
        .unwrap()
}

async fn a_change_to_an_active_workflow_shows_on_the_next_call(b: Backend) {
    let app = TestApp::spawn(b).await;
    let wf = hook("hot", "hot", "POST", "lastNode");
    let created = activate(&app, &wf).await;
    let id = created["id"].as_str().unwrap();
    for _ in 0..3 {
        let body: Value = call(&app, "hot").await.json().await.unwrap();
        assert_eq!(body["got"], 2);
    }
    let mut changed = wf.clone();
    changed["nodes"][1]["parameters"]["assignments"]["assignments"][0]["value"] =
        json!("={{ $json.body.qty * 100 }}");
    changed["nodes"][0]["parameters"]["path"] = json!("hot-v2");
    let res = app
        .put_json(&format!("/api/v1/workflows/{id}"), &changed)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        call(&app, "hot").await.status(),
        StatusCode::NOT_FOUND,
        "the old path is gone at once"
    );
    let body: Value = call(&app, "hot-v2").await.json().await.unwrap();
    assert_eq!(body["got"], 100, "the new definition runs at once");
}

async fn static_data_a_run_saves_is_seen_by_the_next_call(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut wf = hook("count", "count", "POST", "lastNode");
    wf["nodes"][1] = json!({"name": "Shape", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200, 0],
        "parameters": {"jsCode": "const s = $getWorkflowStaticData('global'); s.n = (s.n || 0) + 1; return [{json: {n: s.n}}];"}});
    activate(&app, &wf).await;
    for expected in 1..=3 {
        let body: Value = call(&app, "count").await.json().await.unwrap();
        assert_eq!(body["n"], expected);
    }
}

/// Two API instances on one Postgres database with Redis: A and B, both caching.
async fn two_instances() -> (TestApp, TestApp) {
    let redis = crate::helpers::redis_url();
    let a = TestApp::spawn_with(Backend::Postgres, |s| s.redis_url = Some(redis.clone())).await;
    let b = a.spawn_beside(|s| s.redis_url = Some(redis.clone())).await;
    for _ in 0..200 {
        if a.db.caches_are_coherent() && b.db.caches_are_coherent() {
            return (a, b);
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the change feed did not come up");
}

/// Calls `path` on `app` until `check` holds or a second passes (events cross Redis).
async fn eventually(app: &TestApp, path: &str, check: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    for _ in 0..50 {
        last = call(app, path).await.json().await.unwrap_or(Value::Null);
        if check(&last) {
            return last;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{path} still answers {last}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_postgres_and_redis_an_instance_caches_and_drops_what_another_changed() {
    let (a, b) = two_instances().await;
    let wf = hook("shared", "shared", "POST", "lastNode");
    let before = b.db.workflow_generation();
    let created = activate(&a, &wf).await;
    let id = created["id"].as_str().unwrap();
    // A's change events reach B's generation, then it settles.
    let mut seen = b.db.workflow_generation();
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let now = b.db.workflow_generation();
        if now > before && now == seen {
            break;
        }
        seen = now;
    }
    assert!(b.db.workflow_generation() > before, "A's change reached B");
    let body: Value = call(&b, "shared").await.json().await.unwrap();
    assert_eq!(body["got"], 2);

    // A change behind the API's back publishes nothing: B keeps serving what it cached.
    use sea_orm::{ConnectionTrait, Statement};
    let mut sneaky = wf["nodes"].clone();
    sneaky[1]["parameters"]["assignments"]["assignments"][0]["value"] =
        json!("={{ $json.body.qty * 7 }}");
    a.db.writer()
        .execute_raw(Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "UPDATE workflows SET nodes = $1 WHERE id = $2::uuid",
            [sneaky.into(), id.into()],
        ))
        .await
        .unwrap();
    let body: Value = call(&b, "shared").await.json().await.unwrap();
    assert_eq!(body["got"], 2, "B answers from memory");

    // A change through A's API reaches B's cache through Redis.
    let mut changed = wf.clone();
    changed["nodes"][1]["parameters"]["assignments"]["assignments"][0]["value"] =
        json!("={{ $json.body.qty * 100 }}");
    let res = a
        .put_json(&format!("/api/v1/workflows/{id}"), &changed)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    eventually(&b, "shared", |body| body["got"] == 100).await;

    // Deactivating on B removes the route on A.
    let res = b
        .client
        .post(b.url(&format!("/api/v1/workflows/{id}/deactivate")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    for _ in 0..50 {
        if call(&a, "shared").await.status() == StatusCode::NOT_FOUND {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(call(&a, "shared").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_two_instances_static_data_saved_by_one_is_seen_by_the_other_at_once() {
    let (a, b) = two_instances().await;
    let mut wf = hook("tally", "tally", "POST", "lastNode");
    wf["nodes"][1] = json!({"name": "Shape", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200, 0],
        "parameters": {"jsCode": "const s = $getWorkflowStaticData('global'); s.n = (s.n || 0) + 1; return [{json: {n: s.n}}];"}});
    activate(&a, &wf).await;
    for expected in 1..=6 {
        let app = if expected % 2 == 0 { &a } else { &b };
        let body: Value = call(app, "tally").await.json().await.unwrap();
        assert_eq!(body["n"], expected, "no instance runs on stale static data");
    }
}
