//! `settings.maxConcurrency` in queue mode: a cap on one workflow's running executions that
//! holds across every worker; executions over it wait their turn in the queue, holding no
//! worker, and none is dropped.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::json;

use crate::queue_mode::{WorkerProcess, queue_api};
use crate::webhooks::activate;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_concurrency_2_holds_under_50_simultaneous_triggers_across_two_workers() {
    const N: usize = 50;
    let app = queue_api(|_| {}).await;
    let busy = "const end = Date.now() + 150; while (Date.now() < end) {} return $input.all();";
    let wf = activate(
        &app,
        &json!({
            "name": "capped", "settings": {"executionOrder": "v1", "maxConcurrency": 2},
            "nodes": [
                {"name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [0, 0],
                 "parameters": {"path": "capped", "httpMethod": "POST", "responseMode": "onReceived", "options": {}}},
                {"name": "Busy", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200, 0],
                 "parameters": {"jsCode": busy}}
            ],
            "connections": {"Webhook": {"main": [[{"node": "Busy", "type": "main", "index": 0}]]}}
        }),
    )
    .await;
    let workflow = wf["id"].as_str().unwrap().to_owned();
    let _a = WorkerProcess::start(&app, 10, 30_000).await;
    let _b = WorkerProcess::start(&app, 10, 30_000).await;
    // Sample the rows all along: the most running at once.
    let peak = Arc::new(AtomicI64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (db, peak, stop, workflow) =
            (app.db.clone(), peak.clone(), stop.clone(), workflow.clone());
        tokio::spawn(async move {
            use sea_orm::{ConnectionTrait, Statement};
            let sql = format!(
                "SELECT COUNT(*) FROM executions WHERE workflow_id = '{workflow}' AND status = 'running'"
            );
            while !stop.load(Ordering::Relaxed) {
                let row = db
                    .writer()
                    .query_one_raw(Statement::from_string(
                        sea_orm::DbBackend::Postgres,
                        sql.clone(),
                    ))
                    .await
                    .unwrap()
                    .unwrap();
                let n: i64 = row.try_get_by_index(0).unwrap();
                peak.fetch_max(n, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let url = app.url("/webhook/capped");
    let accepted = futures_util::stream::iter(0..N)
        .map(|n| {
            let (client, url) = (app.client.clone(), url.clone());
            async move {
                client
                    .post(&url)
                    .json(&json!({"n": n}))
                    .send()
                    .await
                    .map(|r| r.status())
            }
        })
        .buffer_unordered(N)
        .filter(|r| futures_util::future::ready(matches!(r, Ok(StatusCode::OK))))
        .count()
        .await;
    assert_eq!(accepted, N);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(90);
    loop {
        let done = app
            .count("SELECT COUNT(*) FROM executions WHERE status = 'success'")
            .await;
        if done == N as i64 {
            break;
        }
        assert!(Instant::now() < deadline, "only {done} of {N} finished");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, Ordering::Relaxed);
    sampler.await.unwrap();
    let peak = peak.load(Ordering::Relaxed);
    println!(
        "maxConcurrency 2: {N} executions in {:.1} s, peak running {peak}",
        started.elapsed().as_secs_f64()
    );
    assert!(peak <= 2, "peak {peak}");
    assert!(peak >= 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM executions").await, N as i64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_status_shows_waiting_work_its_age_and_the_workers_with_their_slots() {
    let app = queue_api(|_| {}).await;
    activate(
        &app,
        &crate::webhooks::hook("q-status", "q-status", "POST", "onReceived"),
    )
    .await;
    for n in 0..3 {
        let res = app
            .client
            .post(app.url("/webhook/q-status"))
            .json(&json!({"qty": n}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let status: serde_json::Value = app.get("/api/v1/queue").await.json().await.unwrap();
    assert_eq!(status["mode"], "queue");
    assert_eq!(status["waiting"], 3, "{status}");
    assert_eq!(status["active"], 0);
    assert!(
        status["oldestWaitingMs"].as_u64().unwrap() >= 50,
        "{status}"
    );
    assert_eq!(status["workers"], json!([]));
    let _worker = WorkerProcess::start(&app, 3, 30_000).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        let status: serde_json::Value = app.get("/api/v1/queue").await.json().await.unwrap();
        if status["waiting"] == 0
            && status["oldestWaitingMs"].is_null()
            && status["active"] == 0
            && status["workers"].as_array().is_some_and(|w| w.len() == 1)
        {
            break status;
        }
        assert!(Instant::now() < deadline, "{status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(status["workers"][0]["slots"], 3, "{status}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM executions WHERE status = 'success'")
            .await,
        3
    );
}
