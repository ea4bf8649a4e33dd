//! Retention: finished executions past the age or count limit are hidden, then removed with
//! their data after the buffer; live ones never; and on Postgres 100,000 executions churned
//! through the limits leave the tables and the list pages as they were.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::Value;
use weft::config::RetentionConfig;

use crate::helpers::{Backend, TestApp, manual_workflow};
use crate::on_both_backends;

on_both_backends!(finished_executions_past_the_limits_are_hidden_then_removed_and_live_ones_never,);

fn config(max_age_hours: u64, max_count: u64, buffer: Duration) -> RetentionConfig {
    RetentionConfig {
        prune: true,
        max_age: Duration::from_secs(max_age_hours * 3600),
        max_count,
        hard_delete_buffer: buffer,
        soft_delete_every: Duration::from_secs(3600),
        hard_delete_every: Duration::from_secs(900),
    }
}

async fn sql(app: &TestApp, statement: &str) {
    app.db
        .writer()
        .execute_unprepared(statement)
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
}

/// Writes one execution (and its data row) with `status`, started and stopped `age_days` ago.
async fn execution(app: &TestApp, workflow: &str, status: &str, age_days: i64) -> String {
    use sea_orm::{ActiveModelTrait, Set};
    let id = uuid::Uuid::now_v7();
    let at = weft::store::now() - chrono::Duration::days(age_days);
    let live = matches!(status, "new" | "running" | "waiting");
    entity::execution::ActiveModel {
        id: Set(id),
        workflow_id: Set(workflow.parse().unwrap()),
        mode: Set("trigger".into()),
        status: Set(status.into()),
        retry_of: Set(None),
        retry_success_id: Set(None),
        started_at: Set(at),
        stopped_at: Set((!live).then_some(at)),
        wait_till: Set(None),
        worker_id: Set(None),
        lease_expires_at: Set(None),
        attempts: Set(1),
        parent_execution_id: Set(None),
        call_depth: Set(0),
        next_attempt_at: Set(None),
        retry_attempts: Set(0),
        deleted_at: Set(None),
    }
    .insert(app.db.writer())
    .await
    .unwrap();
    entity::execution_data::ActiveModel {
        execution_id: Set(id),
        workflow_data: Set(serde_json::json!({})),
        data: Set(Vec::new()),
        data_encoding: Set("none".into()),
        run_request: Set(None),
        run_request_encoding: Set(None),
    }
    .insert(app.db.writer())
    .await
    .unwrap();
    id.to_string()
}

async fn visible(app: &TestApp) -> Vec<String> {
    let list: Value = app
        .get("/api/v1/executions?limit=250")
        .await
        .json()
        .await
        .unwrap();
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn finished_executions_past_the_limits_are_hidden_then_removed_and_live_ones_never(
    b: Backend,
) {
    let app = TestApp::spawn(b).await;
    let wf = app.create_workflow(&manual_workflow("kept")).await;
    let wf = wf["id"].as_str().unwrap();
    let mut old = Vec::new();
    for status in ["success", "error", "crashed", "canceled"] {
        old.push(execution(&app, wf, status, 20).await);
    }
    let mut live = Vec::new();
    for status in ["new", "running", "waiting"] {
        live.push(execution(&app, wf, status, 20).await);
    }
    let mut recent = Vec::new();
    for _ in 0..3 {
        recent.push(execution(&app, wf, "success", 0).await);
    }

    // Past the age limit (336 h): hidden at once, kept for the buffer.
    let pruned = weft::retention::prune_now(&app.db, &config(336, 0, Duration::from_secs(3600)))
        .await
        .unwrap();
    assert_eq!((pruned.marked, pruned.removed), (4, 0));
    let shown = visible(&app).await;
    assert!(old.iter().all(|id| !shown.contains(id)), "old ones hidden");
    assert!(live.iter().chain(&recent).all(|id| shown.contains(id)));
    let res = app.get(&format!("/api/v1/executions/{}", old[0])).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) FROM executions").await, 10);

    // After the buffer: removed, data first.
    let pruned = weft::retention::prune_now(&app.db, &config(336, 0, Duration::ZERO))
        .await
        .unwrap();
    assert_eq!(pruned.removed, 4);
    assert_eq!(app.count("SELECT COUNT(*) FROM executions").await, 6);
    assert_eq!(app.count("SELECT COUNT(*) FROM execution_data").await, 6);

    // Past the count limit: only the newest 2 finished ones stay; live ones always stay.
    let pruned = weft::retention::prune_now(&app.db, &config(100_000, 2, Duration::ZERO))
        .await
        .unwrap();
    assert_eq!((pruned.marked, pruned.removed), (1, 1));
    let shown = visible(&app).await;
    assert!(!shown.contains(&recent[0]));
    assert!(shown.contains(&recent[1]) && shown.contains(&recent[2]));
    assert!(
        live.iter().all(|id| shown.contains(id)),
        "new, running and waiting stay"
    );
    for (id, status) in live.iter().zip(["new", "running", "waiting"]) {
        let res = app.get(&format!("/api/v1/executions/{id}")).await;
        let ex: Value = res.json().await.unwrap();
        assert_eq!(ex["status"], status);
    }
    // Everything past every limit, and still the live ones stay.
    weft::retention::prune_now(&app.db, &config(0, 1, Duration::ZERO))
        .await
        .unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM executions").await, 3);
}

/// Sizes of the executions tables, in bytes: (executions, execution_data, executions' indexes).
async fn sizes(app: &TestApp) -> (i64, i64, i64) {
    let one = |sql: &'static str| async move { app.count(sql).await };
    (
        one("SELECT pg_table_size('executions')").await,
        one("SELECT pg_total_relation_size('execution_data')").await,
        one("SELECT pg_indexes_size('executions')").await,
    )
}

/// Median time of 15 list pages.
async fn list_median(app: &TestApp) -> Duration {
    let mut times = Vec::new();
    for _ in 0..15 {
        let started = Instant::now();
        let res = app.get("/api/v1/executions?limit=100").await;
        assert_eq!(res.status(), StatusCode::OK);
        let _ = res.bytes().await;
        times.push(started.elapsed());
    }
    times.sort();
    times[times.len() / 2]
}

/// `n` finished executions of `workflow` with about 600 bytes of data each, in one statement per
/// thousand.
async fn insert_finished(app: &TestApp, workflow: &str, n: usize) {
    for chunk in 0..n.div_ceil(1000) {
        let ids: Vec<uuid::Uuid> = (0..1000.min(n - chunk * 1000))
            .map(|_| uuid::Uuid::now_v7())
            .collect();
        let rows: Vec<String> = ids
            .iter()
            .map(|id| {
                format!("('{id}', '{workflow}', 'trigger', 'success', now(), now(), 1, 0, 0)")
            })
            .collect();
        sql(app, &format!(
            "INSERT INTO executions (id, workflow_id, mode, status, started_at, stopped_at, attempts, call_depth, retry_attempts) VALUES {}",
            rows.join(",")
        )).await;
        let data: Vec<String> = ids
            .iter()
            .map(|id| format!("('{id}', '{{}}', decode(repeat(md5('{id}'), 19), 'hex'), 'none')"))
            .collect();
        sql(app, &format!(
            "INSERT INTO execution_data (execution_id, workflow_data, data, data_encoding) VALUES {}",
            data.join(",")
        )).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_executions_churned_through_the_limits_leave_no_bloat_on_postgres() {
    const KEEP: usize = 10_000;
    let app = TestApp::spawn(Backend::Postgres).await;
    let wf = app.create_workflow(&manual_workflow("churn")).await;
    let wf = wf["id"].as_str().unwrap().to_owned();
    let limits = config(336, KEEP as u64, Duration::ZERO);
    insert_finished(&app, &wf, KEEP).await;
    let list_start = list_median(&app).await;
    let started = Instant::now();
    let mut churned = KEEP;
    let mut rounds = Vec::new();
    // The tables hold up to twice the limit between passes (the kept ones and the new ones): the
    // size after the first rounds is what must not grow.
    while churned < 100_000 {
        insert_finished(&app, &wf, KEEP).await;
        let pruned = weft::retention::prune_now(&app.db, &limits).await.unwrap();
        assert_eq!(
            pruned.removed, KEEP as u64,
            "each round removes what it marks"
        );
        churned += KEEP;
        rounds.push(sizes(&app).await);
    }
    let took = started.elapsed();
    // VACUUM gives trailing empty pages back on some rounds and not others, so sizes swing
    // between two values: compare the largest of rounds 2–3 with the largest of the last two.
    let peak = |r: &[(i64, i64, i64)]| {
        r.iter()
            .fold((0, 0, 0), |m, s| (m.0.max(s.0), m.1.max(s.1), m.2.max(s.2)))
    };
    let before = peak(&rounds[1..3]);
    let after = peak(&rounds[rounds.len() - 2..]);
    let list_after = list_median(&app).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM executions").await,
        KEEP as i64
    );
    let mib = |b: i64| b as f64 / (1 << 20) as f64;
    println!(
        "100,000 executions through EXECUTIONS_DATA_PRUNE_MAX_COUNT={KEEP} in {:.1} s; largest sizes \
         at 30,000–40,000 → at 90,000–100,000: executions {:.2} → {:.2} MiB, its indexes {:.2} → {:.2} MiB, \
         execution_data {:.2} → {:.2} MiB; list page (100) median {:.1} ms at 10,000 → {:.1} ms at \
         the end; each round (executions, data, indexes) MiB: {}",
        took.as_secs_f64(),
        mib(before.0),
        mib(after.0),
        mib(before.2),
        mib(after.2),
        mib(before.1),
        mib(after.1),
        list_start.as_secs_f64() * 1000.0,
        list_after.as_secs_f64() * 1000.0,
        rounds
            .iter()
            .map(|(e, d, i)| format!("({:.1}, {:.1}, {:.1})", mib(*e), mib(*d), mib(*i)))
            .collect::<Vec<_>>()
            .join(" ")
    );
    // Reused space, no growth between 30,000 and 100,000 (10 % slack).
    let grew = |a: i64, b: i64| a * 10 > b * 11;
    assert!(
        !grew(after.0, before.0),
        "executions grew: {before:?} → {after:?}"
    );
    assert!(
        !grew(after.1, before.1),
        "execution_data grew: {before:?} → {after:?}"
    );
    assert!(
        !grew(after.2, before.2),
        "indexes grew: {before:?} → {after:?}"
    );
    assert!(
        list_after <= list_start * 3 + Duration::from_millis(20),
        "list pages slowed: {list_start:?} → {list_after:?}"
    );
}
