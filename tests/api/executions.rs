//! Running stored workflows and the executions API: run, read, list, retry, stop, delete.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_problem};
use crate::on_both_backends;

on_both_backends!(
    running_a_workflow_answers_with_the_finished_execution_and_its_data,
    a_failed_execution_can_be_retried_and_points_to_its_successful_retry,
    run_items_and_pinned_data_replace_what_nodes_would_produce,
    bad_run_requests_are_refused_with_a_problem,
    a_long_execution_answers_202_and_can_be_stopped,
    executions_are_listed_newest_first_and_can_be_deleted,
    save_settings_decide_whether_an_execution_is_kept,
    runaway_code_ends_as_a_node_error_while_the_server_keeps_answering,
);

fn code_workflow(name: &str, js: &str, settings: Value) -> Value {
    json!({
        "name": name,
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
            {"name": "Code", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200, 0], "parameters": {"jsCode": js}}
        ],
        "connections": {"Start": {"main": [[{"node": "Code", "type": "main", "index": 0}]]}},
        "settings": settings
    })
}

async fn run(app: &TestApp, id: &str, body: Option<Value>) -> reqwest::Response {
    let req = app
        .client
        .post(app.url(&format!("/api/v1/workflows/{id}/run")));
    match body {
        Some(b) => req.json(&b),
        None => req,
    }
    .send()
    .await
    .unwrap()
}

async fn running_a_workflow_answers_with_the_finished_execution_and_its_data(b: Backend) {
    let app = TestApp::spawn(b).await;
    let wf = app
        .create_workflow(&code_workflow(
            "sum",
            "return [{json: {sum: 1 + 2, mode: $execution.mode}}];",
            json!({"executionOrder": "v1"}),
        ))
        .await;
    let res = run(&app, wf["id"].as_str().unwrap(), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let ex: Value = res.json().await.unwrap();
    assert_eq!(ex["status"], "success");
    assert_eq!(ex["finished"], true);
    assert_eq!(ex["mode"], "manual");
    assert_eq!(ex["workflowId"], wf["id"]);
    assert!(ex["stoppedAt"].is_string());
    let result = &ex["data"]["resultData"];
    assert_eq!(result["lastNodeExecuted"], "Code");
    assert_eq!(
        result["runData"]["Code"][0]["data"]["main"][0][0]["json"],
        json!({"sum": 3, "mode": "manual"})
    );

    let path = format!("/api/v1/executions/{}", ex["id"].as_str().unwrap());
    let plain: Value = app.get(&path).await.json().await.unwrap();
    assert!(plain.get("data").is_none(), "no data unless asked");
    assert_eq!(plain["status"], "success");
    let full: Value = app
        .get(&format!("{path}?includeData=true"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(full["data"], ex["data"]);
}

async fn a_failed_execution_can_be_retried_and_points_to_its_successful_retry(b: Backend) {
    let app = TestApp::spawn(b).await;
    let js = "if ($execution.mode === 'manual') throw new Error('flaky upstream'); return [{json: {ok: true}}];";
    let wf = app
        .create_workflow(&code_workflow("flaky", js, json!({})))
        .await;
    let failed: Value = run(&app, wf["id"].as_str().unwrap(), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(failed["status"], "error");
    assert_eq!(failed["finished"], false);
    let error = &failed["data"]["resultData"]["error"];
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("flaky upstream"),
        "{error}"
    );
    assert_eq!(error["node"]["name"], "Code");

    let id = failed["id"].as_str().unwrap();
    let res = app
        .client
        .post(app.url(&format!("/api/v1/executions/{id}/retry")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let retry: Value = res.json().await.unwrap();
    assert_eq!(retry["mode"], "retry");
    assert_eq!(retry["retryOf"], failed["id"]);
    assert_eq!(retry["status"], "success");
    let original: Value = app
        .get(&format!("/api/v1/executions/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(original["retrySuccessId"], retry["id"]);

    let again = app
        .client
        .post(app.url(&format!(
            "/api/v1/executions/{}/retry",
            retry["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_problem(again, StatusCode::CONFLICT, "conflict").await;
}

async fn run_items_and_pinned_data_replace_what_nodes_would_produce(b: Backend) {
    let app = TestApp::spawn(b).await;
    let js = "return $input.all().map(i => ({json: {doubled: i.json.n * 2}}));";
    let wf = app
        .create_workflow(&code_workflow("double", js, json!({})))
        .await;
    let id = wf["id"].as_str().unwrap();
    let ex: Value = run(
        &app,
        id,
        Some(json!({"items": [{"n": 2}, {"json": {"n": 5}}]})),
    )
    .await
    .json()
    .await
    .unwrap();
    let out = &ex["data"]["resultData"]["runData"]["Code"][0]["data"]["main"][0];
    assert_eq!(out[0]["json"]["doubled"], 4);
    assert_eq!(out[1]["json"]["doubled"], 10);
    let pinned: Value = run(
        &app,
        id,
        Some(json!({"pinData": {"Code": [{"json": {"pinned": 1}}]}})),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        pinned["data"]["resultData"]["runData"]["Code"][0]["data"]["main"][0][0]["json"],
        json!({"pinned": 1})
    );
}

async fn bad_run_requests_are_refused_with_a_problem(b: Backend) {
    let app = TestApp::spawn(b).await;
    let wf = app
        .create_workflow(&code_workflow("w", "return [];", json!({})))
        .await;
    let id = wf["id"].as_str().unwrap();
    let missing = run(&app, &uuid::Uuid::now_v7().to_string(), None).await;
    assert_problem(missing, StatusCode::NOT_FOUND, "not-found").await;
    let bad_start = run(&app, id, Some(json!({"startNode": "Nope"}))).await;
    assert_problem(bad_start, StatusCode::BAD_REQUEST, "bad-request").await;
    let bad_items = run(&app, id, Some(json!({"items": [1, 2]}))).await;
    assert_problem(bad_items, StatusCode::BAD_REQUEST, "validation").await;
    let unknown_key = run(&app, id, Some(json!({"item": []}))).await;
    assert_problem(unknown_key, StatusCode::BAD_REQUEST, "validation").await;
    let malformed = app
        .post_raw(
            &format!("/api/v1/workflows/{id}/run"),
            "application/json",
            "{",
        )
        .await;
    assert_problem(malformed, StatusCode::BAD_REQUEST, "malformed-json").await;

    let list = app.get("/api/v1/executions?status=bogus").await;
    assert_problem(list, StatusCode::BAD_REQUEST, "validation").await;
}

async fn a_long_execution_answers_202_and_can_be_stopped(b: Backend) {
    let app = TestApp::spawn_with(b, |s| s.run_wait_ms = "100".into()).await;
    // Five nodes of ~400 ms each (under the 1 s expression limit): about two seconds in all.
    let wf = app.create_workflow(&crate::helpers::slow_workflow(5)).await;
    let res = run(&app, wf["id"].as_str().unwrap(), None).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let started: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/executions/{}", started["id"].as_str().unwrap())
    );
    let stop = app
        .client
        .post(app.url(&format!("{location}/stop")))
        .send()
        .await
        .unwrap();
    assert_eq!(stop.status(), StatusCode::OK);
    let mut status = Value::Null;
    for _ in 0..100 {
        let ex: Value = app
            .get(&format!("{location}?includeData=true"))
            .await
            .json()
            .await
            .unwrap();
        status = ex["status"].clone();
        if status != "running" && status != "new" {
            let ran = ex["data"]["resultData"]["runData"]
                .as_object()
                .map_or(0, |m| m.len());
            assert!(ran < 6, "stopped before the end ({ran} nodes ran)");
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "canceled");
}

async fn executions_are_listed_newest_first_and_can_be_deleted(b: Backend) {
    let app = TestApp::spawn(b).await;
    let ok = app
        .create_workflow(&code_workflow("ok", "return [{json: {}}];", json!({})))
        .await;
    let bad = app
        .create_workflow(&code_workflow("bad", "throw new Error('no')", json!({})))
        .await;
    let mut ids = Vec::new();
    for wf in [&ok, &bad, &ok] {
        let ex: Value = run(&app, wf["id"].as_str().unwrap(), None)
            .await
            .json()
            .await
            .unwrap();
        ids.push(ex["id"].as_str().unwrap().to_owned());
    }
    let all: Value = app
        .get("/api/v1/executions?limit=2")
        .await
        .json()
        .await
        .unwrap();
    let first: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(first, [ids[2].as_str(), ids[1].as_str()]);
    let cursor = all["nextCursor"].as_str().unwrap();
    let rest: Value = app
        .get(&format!("/api/v1/executions?limit=2&cursor={cursor}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["data"][0]["id"], ids[0].as_str());
    assert_eq!(rest["nextCursor"], Value::Null);

    let errors: Value = app
        .get("/api/v1/executions?status=error")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(errors["data"].as_array().unwrap().len(), 1);
    let of_ok: Value = app
        .get(&format!(
            "/api/v1/executions?workflowId={}&includeData=true",
            ok["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(of_ok["data"].as_array().unwrap().len(), 2);
    assert!(of_ok["data"][0]["data"]["resultData"].is_object());

    let path = format!("/api/v1/executions/{}", ids[1]);
    let deleted = app.delete(&path).await;
    assert_eq!(deleted.status(), StatusCode::OK);
    assert_problem(app.get(&path).await, StatusCode::NOT_FOUND, "not-found").await;
    assert_problem(
        app.get("/api/v1/executions/nope").await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
}

async fn save_settings_decide_whether_an_execution_is_kept(b: Backend) {
    let app = TestApp::spawn(b).await;
    let not_kept = app
        .create_workflow(&code_workflow(
            "n",
            "return [{json: {}}];",
            json!({"saveManualExecutions": false}),
        ))
        .await;
    let ex: Value = run(&app, not_kept["id"].as_str().unwrap(), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        ex["status"], "success",
        "the run still answers with its result"
    );
    let gone = app
        .get(&format!(
            "/api/v1/executions/{}",
            ex["id"].as_str().unwrap()
        ))
        .await;
    assert_problem(gone, StatusCode::NOT_FOUND, "not-found").await;
    let errors_only = app
        .create_workflow(&code_workflow(
            "e",
            "return [{json: {}}];",
            json!({"saveDataSuccessExecution": "none"}),
        ))
        .await;
    let ex: Value = run(&app, errors_only["id"].as_str().unwrap(), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        app.get(&format!(
            "/api/v1/executions/{}",
            ex["id"].as_str().unwrap()
        ))
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
}

async fn runaway_code_ends_as_a_node_error_while_the_server_keeps_answering(b: Backend) {
    let app = std::sync::Arc::new(TestApp::spawn(b).await);
    let endless = app
        .create_workflow(&code_workflow("endless", "while (true) {}", json!({})))
        .await;
    let bomb = app
        .create_workflow(&code_workflow(
            "bomb",
            "const a = []; while (true) a.push('x'.repeat(1 << 16) + a.length);",
            json!({}),
        ))
        .await;
    for (wf, expect) in [(endless, "timed out"), (bomb, "memory")] {
        let runner = {
            let app = app.clone();
            let id = wf["id"].as_str().unwrap().to_owned();
            tokio::spawn(async move { run(&app, &id, None).await.json::<Value>().await.unwrap() })
        };
        // While the runaway code spins, the API answers promptly.
        for _ in 0..5 {
            let started = std::time::Instant::now();
            assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
            assert!(
                started.elapsed() < Duration::from_millis(500),
                "{:?}",
                started.elapsed()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let ex = runner.await.unwrap();
        assert_eq!(ex["status"], "error", "{ex}");
        let message = ex["data"]["resultData"]["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            message.contains(expect) || message.contains("timed out"),
            "{message}"
        );
        assert_eq!(ex["data"]["resultData"]["error"]["node"]["name"], "Code");
    }
}
