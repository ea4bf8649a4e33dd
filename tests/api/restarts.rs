//! Restarts in regular mode, with real processes killed with `kill -9`: on the embedded
//! database a restart ends what was running as `crashed` (with a reason) and resumes what was
//! waiting; on Postgres another process sharing the database does the same for a process that
//! died, once its lease lapses.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, regular_only};
use crate::processes::ServeProcess;

/// Webhook at `path` (answers at once) → `node`.
fn hook_then(name: &str, path: &str, node: Value) -> Value {
    let node_name = node["name"].as_str().unwrap().to_owned();
    json!({
        "name": name, "settings": {"executionOrder": "v1"},
        "nodes": [
            {"name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [0, 0],
             "parameters": {"path": path, "httpMethod": "POST", "responseMode": "onReceived", "options": {}}},
            node
        ],
        "connections": {"Webhook": {"main": [[{"node": node_name, "type": "main", "index": 0}]]}}
    })
}

fn busy(seconds: u32) -> Value {
    json!({"name": "Busy", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200, 0],
           "parameters": {"jsCode": format!("const end = Date.now() + {seconds}000; while (Date.now() < end) {{}} return $input.all();")}})
}

fn wait(seconds: u32) -> Value {
    json!({"name": "Wait", "type": "n8n-nodes-base.wait", "typeVersion": 1.1, "position": [200, 0],
           "parameters": {"resume": "timeInterval", "amount": seconds, "unit": "seconds"}})
}

/// An API client of one process.
struct Api {
    base: String,
    key: String,
    client: reqwest::Client,
}

impl Api {
    fn of(serve: &ServeProcess, key: &str) -> Self {
        Self {
            base: serve.url(""),
            key: key.to_owned(),
            client: reqwest::Client::new(),
        }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("X-N8N-API-KEY", &self.key);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
        res.json().await.unwrap_or(Value::Null)
    }

    async fn create(&self, wf: Value) -> String {
        let created = self
            .send(reqwest::Method::POST, "/api/v1/workflows", Some(wf))
            .await;
        created["id"].as_str().unwrap().to_owned()
    }

    async fn activate(&self, wf: Value) -> String {
        let id = self.create(wf).await;
        self.send(
            reqwest::Method::POST,
            &format!("/api/v1/workflows/{id}/activate"),
            None,
        )
        .await;
        id
    }

    async fn call(&self, path: &str) {
        let res = self
            .client
            .post(format!("{}/webhook/{path}", self.base))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }

    /// The only execution of `workflow`, once `done` says it is as wanted.
    async fn execution(
        &self,
        workflow: &str,
        done: impl Fn(&Value) -> bool,
        within: Duration,
    ) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let list = self
                .send(
                    reqwest::Method::GET,
                    &format!("/api/v1/executions?workflowId={workflow}&includeData=true"),
                    None,
                )
                .await;
            if let Some(ex) = list["data"].as_array().and_then(|d| d.first())
                && done(ex)
            {
                return ex.clone();
            }
            assert!(Instant::now() < deadline, "not yet: {list}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn status_is(status: &'static str) -> impl Fn(&Value) -> bool {
    move |ex: &Value| ex["status"] == status
}

fn error_message(ex: &Value) -> String {
    ex["data"]["resultData"]["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_embedded_server_crashes_what_was_running_runs_its_error_workflow_and_resumes_what_was_waiting()
 {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/weft.db?mode=rwc", dir.path().display());
    let made = std::process::Command::new(env!("CARGO_BIN_EXE_weft"))
        .args([
            "api-key",
            "create",
            "--owner",
            "--label",
            "restart",
            "--database-url",
            &url,
        ])
        .env("WEFT_ENCRYPTION_KEY", "weft-test-encryption-key")
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let key = String::from_utf8(made.stdout).unwrap().trim().to_owned();
    let vars = [
        ("DATABASE_URL", url.clone()),
        ("WEFT_WAIT_PAUSE_AFTER_SECS", "1".into()),
        ("WEFT_EXPRESSION_TIMEOUT_MS", "60000".into()),
    ];
    let mut first = ServeProcess::start(&vars).await;
    let api = Api::of(&first, &key);
    let handler = api
        .activate(json!({
            "name": "on error", "settings": {"executionOrder": "v1"},
            "nodes": [{"name": "Error Trigger", "type": "n8n-nodes-base.errorTrigger", "typeVersion": 1,
                       "position": [0, 0], "parameters": {}}],
            "connections": {}
        }))
        .await;
    let waits = api.activate(hook_then("waits", "waits", wait(5))).await;
    let mut working = hook_then("works", "works", busy(30));
    working["settings"]["errorWorkflow"] = json!(handler);
    let works = api.activate(working).await;
    api.call("waits").await;
    api.call("works").await;
    api.execution(&waits, status_is("waiting"), Duration::from_secs(20))
        .await;
    api.execution(&works, status_is("running"), Duration::from_secs(20))
        .await;

    first.kill();
    let second = ServeProcess::start(&vars).await;
    let api = Api::of(&second, &key);
    let crashed = api
        .execution(&works, status_is("crashed"), Duration::from_secs(10))
        .await;
    assert!(
        error_message(&crashed).contains("stopped while this execution ran"),
        "{crashed}"
    );
    // Its error workflow runs once, with the crashed execution's payload.
    let handled = api
        .execution(&handler, status_is("success"), Duration::from_secs(10))
        .await;
    let item =
        &handled["data"]["resultData"]["runData"]["Error Trigger"][0]["data"]["main"][0][0]["json"];
    assert_eq!(item["execution"]["id"], crashed["id"], "{item}");
    assert_eq!(item["workflow"]["name"], "works");
    let resumed = api
        .execution(&waits, status_is("success"), Duration::from_secs(30))
        .await;
    assert!(
        resumed["data"]["resultData"]["runData"]["Wait"].is_array(),
        "the Wait node finished: {resumed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_another_process_ends_a_killed_ones_running_execution_as_crashed() {
    // Regular mode's sweep (queue mode's reconciler is tested with the queue).
    let app = TestApp::spawn_with(Backend::Postgres, |s| {
        regular_only(s);
        s.reconcile_every_ms = "300".into();
    })
    .await;
    let key = crate::helpers::owner_key(&app.db).await;
    let mut doomed = ServeProcess::start(&[
        ("DATABASE_URL", app.database_url().to_owned()),
        ("WEFT_LEASE_MS", "1000".into()),
        ("WEFT_EXPRESSION_TIMEOUT_MS", "60000".into()),
    ])
    .await;
    let api = Api::of(&doomed, key.expose());
    let works = api.activate(hook_then("works", "works", busy(30))).await;
    api.call("works").await;
    api.execution(&works, status_is("running"), Duration::from_secs(20))
        .await;
    let killed = Instant::now();
    doomed.kill();
    let deadline = Instant::now() + Duration::from_secs(15);
    let ex = loop {
        let list: Value = app
            .get(&format!(
                "/api/v1/executions?workflowId={works}&includeData=true"
            ))
            .await
            .json()
            .await
            .unwrap();
        let ex = list["data"][0].clone();
        if ex["status"] == "crashed" {
            break ex;
        }
        assert!(Instant::now() < deadline, "still {}", ex["status"]);
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    println!(
        "the killed process's execution ended crashed {:.1} s after the kill",
        killed.elapsed().as_secs_f64()
    );
    assert!(
        error_message(&ex).contains("server running this execution stopped"),
        "{ex}"
    );
}
