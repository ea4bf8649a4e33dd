//! Production webhooks: registration on activation, routing, body parsing, response modes.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_problem};
use crate::on_both_backends;

on_both_backends!(
    an_active_webhook_runs_its_workflow_and_answers_with_the_last_node,
    on_received_answers_at_once_and_runs_in_the_background,
    path_parameters_reach_the_item,
    unknown_paths_and_wrong_methods_answer_n8ns_404s,
    a_path_taken_by_another_active_workflow_is_409,
    bodies_are_parsed_strictly_by_their_content_type,
    multipart_fields_and_files_reach_the_item_and_json_posing_as_multipart_is_422,
    every_http_method_reaches_its_own_webhook,
    last_node_mode_answers_with_the_last_node_that_ran,
    last_node_answers_even_when_the_workflow_keeps_no_execution_data,
);

pub(crate) fn hook(name: &str, path: &str, method: &str, mode: &str) -> Value {
    json!({
        "name": name,
        "nodes": [
            {"name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [0, 0],
             "webhookId": "5f0c9a36-0000-4000-8000-00000000beef",
             "parameters": {"path": path, "httpMethod": method, "responseMode": mode, "options": {}}},
            {"name": "Shape", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [200, 0],
             "parameters": {"assignments": {"assignments": [
                {"id": "a", "name": "got", "value": "={{ $json.body.qty * 2 }}", "type": "number"},
                {"id": "b", "name": "id", "value": "={{ $json.params.id }}", "type": "string"},
                {"id": "c", "name": "q", "value": "={{ $json.query.q }}", "type": "string"}]}}}
        ],
        "connections": {"Webhook": {"main": [[{"node": "Shape", "type": "main", "index": 0}]]}},
        "settings": {"executionOrder": "v1"}
    })
}

/// Asks to activate the stored workflow `created`; the answer, whatever it is.
pub(crate) async fn send_activate(app: &TestApp, created: &Value) -> reqwest::Response {
    app.client
        .post(app.url(&format!(
            "/api/v1/workflows/{}/activate",
            created["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap()
}

pub(crate) async fn activate(app: &TestApp, wf: &Value) -> Value {
    let created = app.create_workflow(wf).await;
    let res = send_activate(app, &created).await;
    let status = res.status();
    assert_eq!(
        status,
        StatusCode::OK,
        "activation: {}",
        res.text().await.unwrap_or_default()
    );
    created
}

async fn an_active_webhook_runs_its_workflow_and_answers_with_the_last_node(b: Backend) {
    let app = TestApp::spawn(b).await;
    let wf = activate(&app, &hook("orders", "orders", "POST", "lastNode")).await;
    let res = app
        .client
        .post(app.url("/webhook/orders?q=yes"))
        .json(&json!({"qty": 21}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["got"], 42);
    assert_eq!(body["q"], "yes");
    let list: Value = app
        .get(&format!(
            "/api/v1/executions?workflowId={}",
            wf["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["data"][0]["mode"], "webhook");
    assert_eq!(list["data"][0]["status"], "success");

    app.client
        .post(app.url(&format!(
            "/api/v1/workflows/{}/deactivate",
            wf["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    let gone = app
        .client
        .post(app.url("/webhook/orders"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        gone.status(),
        StatusCode::NOT_FOUND,
        "deactivation removes the route"
    );
}

async fn on_received_answers_at_once_and_runs_in_the_background(b: Backend) {
    let app = TestApp::spawn(b).await;
    activate(&app, &hook("bg", "bg", "POST", "onReceived")).await;
    let res = app
        .client
        .post(app.url("/webhook/bg"))
        .json(&json!({"qty": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"message": "Workflow was started"})
    );
    for _ in 0..50 {
        let list: Value = app
            .get("/api/v1/executions?status=success")
            .await
            .json()
            .await
            .unwrap();
        if !list["data"].as_array().unwrap().is_empty() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the background execution never finished");
}

async fn path_parameters_reach_the_item(b: Backend) {
    let app = TestApp::spawn(b).await;
    activate(&app, &hook("params", "orders/:id", "GET", "lastNode")).await;
    let res = app
        .get("/webhook/5f0c9a36-0000-4000-8000-00000000beef/orders/77")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["id"], "77");
}

async fn unknown_paths_and_wrong_methods_answer_n8ns_404s(b: Backend) {
    let app = TestApp::spawn(b).await;
    activate(&app, &hook("m", "only-post", "POST", "lastNode")).await;
    let res = app.get("/webhook/only-post").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["message"],
        "This webhook is not registered for GET requests. Did you mean to make a POST request?"
    );
    let res = app
        .client
        .post(app.url("/webhook/nowhere"))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], 404);
    assert_eq!(
        body["message"],
        "The requested webhook \"POST nowhere\" is not registered."
    );
    assert!(body["hint"].as_str().unwrap().contains("must be active"));
    let options = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/webhook/only-post"))
        .send()
        .await
        .unwrap();
    assert_eq!(options.status(), StatusCode::NO_CONTENT);
}

async fn a_path_taken_by_another_active_workflow_is_409(b: Backend) {
    let app = TestApp::spawn(b).await;
    activate(&app, &hook("first", "shared", "POST", "lastNode")).await;
    let second = app
        .create_workflow(&hook("second", "shared", "POST", "lastNode"))
        .await;
    let res = send_activate(&app, &second).await;
    let problem = assert_problem(res, StatusCode::CONFLICT, "conflict").await;
    assert!(
        problem["detail"].as_str().unwrap().contains("\"first\""),
        "{problem}"
    );
    let still: Value = app
        .get(&format!(
            "/api/v1/workflows/{}",
            second["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        still["active"], false,
        "a refused activation changes nothing"
    );
}

async fn bodies_are_parsed_strictly_by_their_content_type(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut wf = hook("echo", "echo", "POST", "lastNode");
    wf["nodes"][1] = json!({"name": "Shape", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200, 0],
        "parameters": {"jsCode": "return [{json: {body: $json.body, hasBinary: !!$input.first().binary}}];"}});
    activate(&app, &wf).await;
    let post = |ct: &'static str, body: &'static str| {
        app.client
            .post(app.url("/webhook/echo"))
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let bad = post(
        "application/json",
        "{\"files\": [{\"filepath\": \"/etc/passwd\"}",
    )
    .await
    .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(
        (body["code"].clone(), body["message"].clone()),
        (json!(422), json!("Failed to parse request body"))
    );
    let form: Value = post("application/x-www-form-urlencoded", "a=1&b=two")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(form["body"], json!({"a": "1", "b": "two"}));
    let text: Value = post("text/plain", "hello")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(text["body"], json!("hello"));
    let raw: Value = post("application/octet-stream", "\u{1}\u{2}")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(raw["hasBinary"], true);
    let smuggled: Value = post(
        "application/json",
        "{\"files\": [{\"filepath\": \"/etc/passwd\"}]}",
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(
        smuggled["body"]["files"][0]["filepath"], "/etc/passwd",
        "a path in a body is just data"
    );
    assert_eq!(smuggled["hasBinary"], false, "no file was read");
}

async fn multipart_fields_and_files_reach_the_item_and_json_posing_as_multipart_is_422(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut wf = hook("up", "upload", "POST", "lastNode");
    wf["nodes"][1] = json!({"name": "Shape", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200, 0],
        "parameters": {"jsCode": "const i = $input.first(); return [{json: {body: i.json.body, binary: i.binary}}];"}});
    activate(&app, &wf).await;
    let send = |ct: &'static str, body: &'static [u8]| {
        app.client
            .post(app.url("/webhook/upload"))
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let ok: Value = send(
        "multipart/form-data; boundary=b0undary",
        b"--b0undary\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--b0undary\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"/tmp/report.csv\"\r\nContent-Type: text/csv\r\n\r\na,b\n1,2\r\n--b0undary--\r\n",
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(ok["body"], json!({"note": "hello"}));
    assert_eq!(ok["binary"]["doc"]["fileName"], "report.csv");
    assert_eq!(ok["binary"]["doc"]["mimeType"], "text/csv");
    assert_eq!(ok["binary"]["doc"]["fileSize"], 7);

    let smuggled = send(
        "multipart/form-data; boundary=b0undary",
        br#"{"files": [{"filepath": "/etc/passwd", "originalFilename": "x"}]}"#,
    )
    .await
    .unwrap();
    assert_eq!(smuggled.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = smuggled.json().await.unwrap();
    assert_eq!(body["message"], "Failed to parse request body");
    assert_eq!(app.count("SELECT COUNT(*) FROM executions").await, 1);
}

async fn every_http_method_reaches_its_own_webhook(b: Backend) {
    let app = TestApp::spawn(b).await;
    let methods = ["DELETE", "GET", "HEAD", "PATCH", "POST", "PUT"];
    let mut nodes = Vec::new();
    for (i, m) in methods.iter().enumerate() {
        nodes.push(json!({"name": format!("Hook {m}"), "type": "n8n-nodes-base.webhook", "typeVersion": 2,
            "position": [0, i * 100],
            "parameters": {"path": "every", "httpMethod": m, "responseMode": "lastNode", "options": {}}}));
    }
    let wf = json!({"name": "every", "nodes": nodes, "connections": {}, "settings": {"executionOrder": "v1"}});
    activate(&app, &wf).await;
    for m in methods {
        let method = reqwest::Method::from_bytes(m.as_bytes()).unwrap();
        let res = app
            .client
            .request(method, app.url("/webhook/every?via=test"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{m}");
        if m != "HEAD" {
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["query"]["via"], "test", "{m}");
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM executions").await, 6);
}

async fn last_node_mode_answers_with_the_last_node_that_ran(b: Backend) {
    let app = TestApp::spawn(b).await;
    let set = |name: &str, value: &str, x: i64, y: i64| {
        json!({"name": name, "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [x, y],
            "parameters": {"assignments": {"assignments": [
                {"id": "a", "name": "from", "value": value, "type": "string"}]}, "options": {}}})
    };
    let wf = json!({
        "name": "branches",
        "nodes": [
            {"name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [0, 0],
             "parameters": {"path": "branches", "httpMethod": "POST", "responseMode": "lastNode", "options": {}}},
            set("First", "first", 200, -100),
            set("Second", "second", 200, 100),
            set("After first", "after first", 400, -100)
        ],
        "connections": {
            "Webhook": {"main": [[
                {"node": "First", "type": "main", "index": 0},
                {"node": "Second", "type": "main", "index": 0}
            ]]},
            "First": {"main": [[{"node": "After first", "type": "main", "index": 0}]]}
        },
        "settings": {"executionOrder": "v1"}
    });
    activate(&app, &wf).await;
    let res = app
        .client
        .post(app.url("/webhook/branches"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // v1 order runs the First branch to its end, then Second: Second ran last.
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"from": "second"})
    );
}

async fn last_node_answers_even_when_the_workflow_keeps_no_execution_data(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut wf = hook("unsaved", "unsaved", "POST", "lastNode");
    wf["settings"]["saveDataSuccessExecution"] = json!("none");
    activate(&app, &wf).await;
    let res = app
        .client
        .post(app.url("/webhook/unsaved"))
        .json(&json!({"qty": 21}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["got"], 42);
    assert_eq!(app.count("SELECT COUNT(*) FROM executions").await, 0);
}
