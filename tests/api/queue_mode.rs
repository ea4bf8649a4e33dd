//! Queue mode with real processes: the API here (EXECUTIONS_MODE=queue) enqueues on Redis, and
//! `weft worker` processes (the real binary) run the executions.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TEST_JWT_SECRET, TestApp, redis_url, slow_workflow};
use crate::webhooks::{activate, hook};

/// A `weft worker` child process; killed when dropped.
pub struct WorkerProcess {
    child: Child,
    port: u16,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl WorkerProcess {
    /// Starts a worker on `app`'s database and waits until it is ready.
    pub async fn start(app: &TestApp, concurrency: usize, lease_ms: u64) -> Self {
        Self::start_on(app, &redis_url(), concurrency, lease_ms).await
    }

    /// The same, on the Redis at `redis`.
    pub async fn start_on(app: &TestApp, redis: &str, concurrency: usize, lease_ms: u64) -> Self {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_weft"))
            .args(["worker", "--concurrency", &concurrency.to_string()])
            .env("DATABASE_URL", app.database_url())
            .env("REDIS_URL", redis)
            .env("EXECUTIONS_MODE", "queue")
            .env("WEFT_WORKER_LISTEN", format!("127.0.0.1:{port}"))
            .env("WEFT_ENCRYPTION_KEY", "weft-test-encryption-key")
            .env("WEFT_JWT_SECRET", TEST_JWT_SECRET)
            .env("WEFT_LEASE_MS", lease_ms.to_string())
            .env("WEFT_RECONCILE_EVERY_MS", "300")
            .env("WEFT_SHUTDOWN_TIMEOUT_SECS", "20")
            .env("DATABASE_POOL_MAX", "4")
            .env("DATABASE_POOL_MIN", "0")
            .env("WEFT_HTTP_ALLOW", "127.0.0.1")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("start weft worker");
        let mut worker = Self { child, port };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = client
                .get(format!("http://127.0.0.1:{port}/healthz/readiness"))
                .send()
                .await
                .is_ok_and(|r| r.status() == StatusCode::OK);
            if ready {
                return worker;
            }
            if let Some(status) = worker.child.try_wait().unwrap() {
                panic!("the worker exited at start ({status})");
            }
            assert!(
                Instant::now() < deadline,
                "the worker on port {} did not become ready",
                worker.port
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `kill -9`.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits for the exit.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = rustix::process::Pid::from_raw(self.child.id() as i32).unwrap();
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
        let status = self.child.wait().unwrap();
        std::mem::forget(self);
        status
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An API process in queue mode on a fresh Postgres database.
pub async fn queue_api(adjust: impl FnOnce(&mut weft::cli::SettingsArgs)) -> TestApp {
    TestApp::spawn_with(Backend::Postgres, |s| {
        s.redis_url = Some(redis_url());
        s.executions_mode = "queue".into();
        s.reconcile_every_ms = "300".into();
        adjust(s);
    })
    .await
}

/// Polls the execution until it leaves `new`/`running`.
pub async fn finished(app: &TestApp, id: &str, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let ex: Value = app
            .get(&format!("/api/v1/executions/{id}?includeData=true"))
            .await
            .json()
            .await
            .unwrap();
        if !matches!(ex["status"].as_str(), Some("new" | "running")) {
            return ex;
        }
        assert!(Instant::now() < deadline, "still {} : {ex}", ex["status"]);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Starts `workflow` through the run API (answered 202: it outlasts the wait) and waits until a
/// worker runs it; returns its execution id.
async fn start_and_wait_running(app: &TestApp, workflow: &Value) -> String {
    let path = format!("/api/v1/workflows/{}/run", workflow["id"].as_str().unwrap());
    let res = app.post_json(&path, &json!({})).await;
    assert_eq!(
        res.status(),
        StatusCode::ACCEPTED,
        "the run outlasts the wait"
    );
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let id = location.rsplit('/').next().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(20);
    while app
        .count(&format!(
            "SELECT COUNT(*) FROM executions WHERE id = '{id}' AND status = 'running'"
        ))
        .await
        == 0
    {
        assert!(Instant::now() < deadline, "the execution never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    id
}

/// How many times a worker started execution `id`.
async fn attempts(app: &TestApp, id: &str) -> i64 {
    app.count(&format!(
        "SELECT attempts::bigint FROM executions WHERE id = '{id}'"
    ))
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_and_run_requests_are_answered_by_the_api_while_a_worker_process_runs_them() {
    let app = queue_api(|_| {}).await;
    let _worker = WorkerProcess::start(&app, 4, 30_000).await;
    // lastNode: the API answers with the last node's item, computed in the worker.
    activate(&app, &hook("q-last", "q-last", "POST", "lastNode")).await;
    let res = app
        .client
        .post(app.url("/webhook/q-last?q=yes"))
        .json(&json!({"qty": 21}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["got"], 42, "{body}");
    assert_eq!(body["q"], "yes");
    // responseNode: the Respond to Webhook node's answer crosses from the worker.
    let respond = json!({
        "name": "respond", "settings": {"executionOrder": "v1"},
        "nodes": [
            {"name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [0, 0],
             "parameters": {"path": "q-respond", "httpMethod": "POST", "responseMode": "responseNode", "options": {}}},
            {"name": "Respond", "type": "n8n-nodes-base.respondToWebhook", "typeVersion": 1.1, "position": [200, 0],
             "parameters": {"respondWith": "json", "responseBody": "={{ { \"doubled\": $json.body.n * 2 } }}",
                            "options": {"responseCode": 201}}}
        ],
        "connections": {"Webhook": {"main": [[{"node": "Respond", "type": "main", "index": 0}]]}}
    });
    let respond = activate(&app, &respond).await;
    let res = app
        .client
        .post(app.url("/webhook/q-respond"))
        .json(&json!({"n": 4}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body, json!({"doubled": 8}));
    // A repeat taking over the Idempotency-Key claim of a call whose API process died after
    // starting that execution gets the response the worker published, and runs nothing.
    let respond_id = respond["id"].as_str().unwrap();
    let list: Value = app
        .get(&format!("/api/v1/executions?workflowId={respond_id}"))
        .await
        .json()
        .await
        .unwrap();
    let execution = list["data"][0]["id"].as_str().unwrap();
    crate::webhook_idempotency::leave_claim(
        &app,
        respond_id,
        "died",
        chrono::Duration::hours(2),
        Some(execution),
    )
    .await;
    let res = app
        .client
        .post(app.url("/webhook/q-respond"))
        .header("idempotency-key", "died")
        .json(&json!({"n": 50}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"doubled": 8}));
    // onReceived: answered at once, run by the worker.
    activate(&app, &hook("q-bg", "q-bg", "POST", "onReceived")).await;
    let res = app
        .client
        .post(app.url("/webhook/q-bg"))
        .json(&json!({"qty": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // The run API waits for the outcome.
    let wf = app.create_workflow(&slow_workflow(1)).await;
    let res = app
        .post_json(
            &format!("/api/v1/workflows/{}/run", wf["id"].as_str().unwrap()),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let run: Value = res.json().await.unwrap();
    assert_eq!(run["status"], "success", "{run}");
    // Every execution ran in the worker process (claimed under its name) exactly once.
    let deadline = Instant::now() + Duration::from_secs(20);
    while app
        .count("SELECT COUNT(*) FROM executions WHERE status <> 'success'")
        .await
        > 0
    {
        assert!(Instant::now() < deadline, "executions did not all finish");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM executions").await, 4);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM executions WHERE attempts = 1 AND worker_id IS NOT NULL")
            .await,
        4
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_sync_webhooks_in_the_api_a_call_that_waits_runs_there_and_the_rest_waits_for_workers()
{
    let app = queue_api(|s| s.sync_webhooks_in_api = "true".into()).await;
    // No worker yet: the lastNode call is run by the API process holding it.
    activate(&app, &hook("q-sync", "q-sync", "POST", "lastNode")).await;
    let res = app
        .client
        .post(app.url("/webhook/q-sync"))
        .json(&json!({"qty": 21}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["got"], 42);
    // An onReceived call goes to the workers and waits for one.
    activate(&app, &hook("q-later", "q-later", "POST", "onReceived")).await;
    let res = app
        .client
        .post(app.url("/webhook/q-later"))
        .json(&json!({"qty": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM executions WHERE status = 'new'")
            .await,
        1,
        "the onReceived run waits for a worker"
    );
    let _worker = WorkerProcess::start(&app, 2, 30_000).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while app
        .count("SELECT COUNT(*) FROM executions WHERE status = 'success'")
        .await
        < 2
    {
        assert!(Instant::now() < deadline, "the queued run did not finish");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        app.count("SELECT COUNT(DISTINCT worker_id) FROM executions")
            .await,
        2,
        "one ran in the API process, the other on the worker"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_execution_whose_worker_is_killed_runs_again_on_another_worker_with_attempts_2() {
    let app = queue_api(|s| s.run_wait_ms = "100".into()).await;
    let mut first = WorkerProcess::start(&app, 2, 1_500).await;
    let wf = app.create_workflow(&slow_workflow(8)).await;
    let id = start_and_wait_running(&app, &wf).await;
    first.kill();
    let _second = WorkerProcess::start(&app, 2, 1_500).await;
    let ex = finished(&app, &id, Duration::from_secs(60)).await;
    assert_eq!(ex["status"], "success", "{ex}");
    assert_eq!(attempts(&app, &id).await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_running_executions_finish_and_the_worker_exits_0() {
    let app = queue_api(|s| s.run_wait_ms = "100".into()).await;
    let worker = WorkerProcess::start(&app, 2, 1_000).await;
    // A CPU-bound run of about 3.2 s: over three times the lease (1 s), which must hold.
    let wf = app.create_workflow(&slow_workflow(8)).await;
    let id = start_and_wait_running(&app, &wf).await;
    let status = tokio::task::spawn_blocking(move || worker.terminate())
        .await
        .unwrap();
    assert!(status.success(), "the worker exited with {status}");
    let ex = finished(&app, &id, Duration::from_secs(5)).await;
    assert_eq!(ex["status"], "success", "{ex}");
    // It kept its lease throughout: one attempt, never taken over.
    assert_eq!(attempts(&app, &id).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_lost_with_redis_are_queued_again_from_the_database() {
    let app = queue_api(|_| {}).await;
    activate(&app, &hook("q-lost", "q-lost", "POST", "onReceived")).await;
    for n in 0..20 {
        let res = app
            .client
            .post(app.url("/webhook/q-lost"))
            .json(&json!({"qty": n}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    // Redis loses this deployment's queue before any worker ran (as a flush would).
    let client = redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let config =
        weft::config::Config::from_args(&crate::helpers::settings(app.database_url().to_owned()))
            .unwrap();
    let bus = weft::bus::Bus::new(client.clone(), &weft::startup::database_scope(&config));
    let prefix = bus.key("queue");
    for suffix in ["high", "normal", "delayed", "queued"] {
        redis::cmd("DEL")
            .arg(format!("{prefix}:{suffix}"))
            .query_async::<i64>(&mut conn)
            .await
            .unwrap();
    }
    let _worker = WorkerProcess::start(&app, 4, 30_000).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while app
        .count("SELECT COUNT(*) FROM executions WHERE status = 'success'")
        .await
        < 20
    {
        assert!(
            Instant::now() < deadline,
            "only {} of 20 ran",
            app.count("SELECT COUNT(*) FROM executions WHERE status = 'success'")
                .await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM executions").await, 20);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM executions WHERE attempts <> 1")
            .await,
        0
    );
}

#[test]
fn queue_mode_without_redis_refuses_to_start_with_one_clear_line() {
    let out = Command::new(env!("CARGO_BIN_EXE_weft"))
        .arg("serve")
        .env_remove("REDIS_URL")
        .env("EXECUTIONS_MODE", "queue")
        .env("DATABASE_URL", "sqlite::memory:")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("EXECUTIONS_MODE") && err.contains("REDIS_URL"),
        "{err}"
    );
}
