//! Queue mode under failure and load, with real processes: a worker killed with `kill -9` and
//! Redis flushed mid-run lose nothing and run nothing twice but what the dead worker held; a
//! 20,000-job backlog drains. Each test has a Redis server of its own, so flushing it touches
//! no other test.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::counting_server;
use crate::helpers::{Backend, TestApp};
use crate::queue_mode::WorkerProcess;
use crate::webhooks::activate;

/// A Redis server of the test's own (killed when dropped).
struct PrivateRedis {
    child: Child,
    url: String,
}

impl PrivateRedis {
    async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server (scripts/test installs it)");
        let server = Self {
            child,
            url: format!("redis://127.0.0.1:{port}"),
        };
        let client = redis::Client::open(server.url.as_str()).unwrap();
        for _ in 0..100 {
            if let Ok(mut c) = client.get_multiplexed_async_connection().await
                && redis::cmd("PING")
                    .query_async::<String>(&mut c)
                    .await
                    .is_ok()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the private redis-server did not start");
    }

    async fn flushall(&self) {
        let client = redis::Client::open(self.url.as_str()).unwrap();
        let mut c = client.get_multiplexed_async_connection().await.unwrap();
        redis::cmd("FLUSHALL")
            .query_async::<()>(&mut c)
            .await
            .unwrap();
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn api_on(redis: &PrivateRedis) -> TestApp {
    let url = redis.url.clone();
    TestApp::spawn_with(Backend::Postgres, |s| {
        s.redis_url = Some(url);
        s.executions_mode = "queue".into();
        s.reconcile_every_ms = "300".into();
    })
    .await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.count(sql).await
}

/// Executions in a final state.
async fn done(app: &TestApp) -> i64 {
    count(
        app,
        "SELECT COUNT(*) FROM executions WHERE status NOT IN ('new', 'running')",
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_executions_survive_a_killed_worker_and_a_flushed_redis() {
    const N: usize = 2000;
    let redis = PrivateRedis::start().await;
    let (base, calls) = counting_server::start(0).await;
    let app = api_on(&redis).await;
    let workflow = json!({
        "name": "chaos", "settings": {"executionOrder": "v1"},
        "nodes": [
            {"name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [0, 0],
             "parameters": {"path": "chaos", "httpMethod": "POST", "responseMode": "onReceived", "options": {}}},
            {"name": "Call", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2, "position": [200, 0],
             "parameters": {"method": "GET", "url": format!("={base}/exec/{{{{ $execution.id }}}}"), "options": {}}}
        ],
        "connections": {"Webhook": {"main": [[{"node": "Call", "type": "main", "index": 0}]]}}
    });
    activate(&app, &workflow).await;
    let mut doomed = WorkerProcess::start_on(&app, &redis.url, 8, 3_000).await;
    let _survivor = WorkerProcess::start_on(&app, &redis.url, 8, 3_000).await;
    let started = Instant::now();
    let url = app.url("/webhook/chaos");
    let accepted = futures_util::stream::iter(0..N)
        .map(|n| {
            let (client, url) = (app.client.clone(), url.clone());
            async move {
                let res = client.post(&url).json(&json!({"n": n})).send().await;
                res.map(|r| r.status())
            }
        })
        .buffer_unordered(16)
        .filter(|r| futures_util::future::ready(matches!(r, Ok(StatusCode::OK))))
        .count()
        .await;
    assert_eq!(accepted, N, "every call was accepted");
    // Kill one worker while executions run on it.
    let deadline = Instant::now() + Duration::from_secs(120);
    while done(&app).await < (N / 4) as i64 {
        assert!(Instant::now() < deadline, "too slow before the kill");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let running_on_killed = count(
        &app,
        "SELECT COUNT(*) FROM executions WHERE status = 'running'",
    )
    .await;
    doomed.kill();
    // Later, Redis loses everything.
    while done(&app).await < (N / 2) as i64 {
        assert!(Instant::now() < deadline, "too slow before the flush");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    redis.flushall().await;
    let deadline = Instant::now() + Duration::from_secs(240);
    while done(&app).await < N as i64 {
        assert!(
            Instant::now() < deadline,
            "only {} of {N} finished",
            done(&app).await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let elapsed = started.elapsed();
    // Exactly one final state each, all success; none lost.
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM executions").await,
        N as i64
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM executions WHERE status = 'success'"
        )
        .await,
        N as i64
    );
    // Side effects: every execution called; only those the dead worker held called twice,
    // and each of those shows attempts = 2.
    let by_path: HashMap<String, usize> = calls.counts();
    let mut twice = Vec::new();
    let ids: Vec<(String, i64)> = {
        use sea_orm::{ConnectionTrait, Statement};
        app.db
            .writer()
            .query_all_raw(Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT id::text, attempts::bigint FROM executions",
            ))
            .await
            .unwrap()
            .into_iter()
            .map(|r| {
                (
                    r.try_get_by_index(0).unwrap(),
                    r.try_get_by_index(1).unwrap(),
                )
            })
            .collect()
    };
    let mut once = 0;
    for (id, attempts) in &ids {
        let n = by_path.get(&format!("/exec/{id}")).copied().unwrap_or(0);
        match n {
            1 => once += 1,
            2 => {
                assert_eq!(
                    *attempts, 2,
                    "execution {id} called twice with attempts {attempts}"
                );
                twice.push(id.clone());
            }
            other => panic!("execution {id} called {other} times"),
        }
    }
    let rerun = count(&app, "SELECT COUNT(*) FROM executions WHERE attempts = 2").await;
    println!(
        "chaos: {N} executions in {:.1} s; {once} called once, {} twice (all attempts = 2); \
         {rerun} ran again after the kill ({running_on_killed} were running when it came); \
         {} with more attempts",
        elapsed.as_secs_f64(),
        twice.len(),
        count(&app, "SELECT COUNT(*) FROM executions WHERE attempts > 2").await,
    );
    assert!(twice.len() as i64 <= running_on_killed.max(16));
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM executions WHERE attempts > 2").await,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_of_twenty_thousand_jobs_drains_completely() {
    const N: i64 = 20_000;
    let redis = PrivateRedis::start().await;
    let app = api_on(&redis).await;
    let wf = app
        .create_workflow(&json!({
            "name": "backlog", "settings": {},
            "nodes": [
                {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
                {"name": "Pass", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [200, 0], "parameters": {}}
            ],
            "connections": {"Start": {"main": [[{"node": "Pass", "type": "main", "index": 0}]]}}
        }))
        .await;
    // One execution through the API (no worker yet: it stays queued), then its row copied.
    let res = app
        .post_json(
            &format!("/api/v1/workflows/{}/run", wf["id"].as_str().unwrap()),
            &json!({}),
        )
        .await;
    let first: Value = res.json().await.unwrap();
    let first = first["id"].as_str().unwrap().to_owned();
    {
        use sea_orm::ConnectionTrait;
        let db = app.db.writer();
        db.execute_unprepared(&format!(
            "INSERT INTO executions (id, workflow_id, mode, status, started_at, attempts, call_depth, retry_attempts)
             SELECT gen_random_uuid(), workflow_id, 'manual', 'new', now(), 0, 0, 0
             FROM executions, generate_series(2, {N}) WHERE id = '{first}'"
        ))
        .await
        .unwrap();
        db.execute_unprepared(&format!(
            "INSERT INTO execution_data (execution_id, workflow_data, data, data_encoding, run_request, run_request_encoding)
             SELECT e.id, d.workflow_data, d.data, d.data_encoding, d.run_request, d.run_request_encoding
             FROM executions e, execution_data d WHERE d.execution_id = '{first}' AND e.id <> '{first}'"
        ))
        .await
        .unwrap();
    }
    let config =
        weft::config::Config::from_args(&crate::helpers::settings(app.database_url().to_owned()))
            .unwrap();
    let bus = weft::bus::Bus::new(
        redis::Client::open(redis.url.as_str()).unwrap(),
        &weft::startup::database_scope(&config),
    );
    let streams = weft::queue::streams::Streams::connect(bus.client().clone(), &bus.key("queue"))
        .await
        .unwrap();
    let queue = weft::queue::Queue::Streams(streams);
    let ids: Vec<uuid::Uuid> = {
        use sea_orm::{ConnectionTrait, Statement};
        app.db
            .writer()
            .query_all_raw(Statement::from_string(
                sea_orm::DbBackend::Postgres,
                format!("SELECT id FROM executions WHERE id <> '{first}'"),
            ))
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.try_get_by_index(0).unwrap())
            .collect()
    };
    let pushed = Instant::now();
    futures_util::stream::iter(ids)
        .for_each_concurrent(32, |id| {
            let queue = queue.clone();
            async move {
                queue.push(id, weft::queue::Priority::Normal).await.unwrap();
            }
        })
        .await;
    let depth = queue.depth().await.unwrap();
    println!(
        "backlog: {N} jobs queued in {:.1} s; depth {depth:?}",
        pushed.elapsed().as_secs_f64()
    );
    assert!(depth.waiting >= (N - 1) as u64, "{depth:?}");
    let start = Instant::now();
    let _a = WorkerProcess::start_on(&app, &redis.url, 16, 30_000).await;
    let _b = WorkerProcess::start_on(&app, &redis.url, 16, 30_000).await;
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let done = count(
            &app,
            "SELECT COUNT(*) FROM executions WHERE status = 'success'",
        )
        .await;
        if done == N {
            break;
        }
        assert!(Instant::now() < deadline, "only {done} of {N} drained");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "backlog: {N} executions drained by 2 workers (concurrency 16, debug build) in {secs:.1} s: {:.0}/s",
        N as f64 / secs
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM executions WHERE attempts <> 1").await,
        0
    );
    // Jobs the reconciler made for rows it saw before they were queued are duplicates: their
    // claims fail and they are dropped, so the queue empties.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let depth = queue.depth().await.unwrap();
        if depth == weft::queue::Depth::default() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the queue did not empty: {depth:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
