//! Schedule triggers: ticks fire executions with n8n's item, activation refuses schedules that
//! cannot run, and each tick fires exactly once however many `weft serve` processes arm it, also
//! when one of them is killed.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::counting_server;
use crate::helpers::{Backend, TestApp, redis_url};
use crate::on_both_backends;
use crate::processes::ServeProcess;
use crate::queue_mode::{WorkerProcess, queue_api};
use crate::webhooks::{activate, send_activate};

on_both_backends!(
    an_active_schedule_fires_each_second_with_n8ns_item_and_stops_when_deactivated,
    schedules_that_cannot_run_are_refused_at_activation,
    a_schedule_workflow_run_by_hand_gets_n8ns_item_for_now,
);

async fn a_schedule_workflow_run_by_hand_gets_n8ns_item_for_now(b: Backend) {
    let app = TestApp::spawn(b).await;
    let wf = app
        .create_workflow(&every_second("http://127.0.0.1:9"))
        .await;
    let mut wf_only_trigger = wf.clone();
    wf_only_trigger["nodes"] = json!([wf["nodes"][0]]);
    wf_only_trigger["connections"] = json!({});
    let wf = app
        .create_workflow(&json!({
            "name": "by hand", "settings": {"timezone": "Europe/Berlin"},
            "nodes": wf_only_trigger["nodes"], "connections": {}
        }))
        .await;
    let res = app
        .post_json(
            &format!("/api/v1/workflows/{}/run", wf["id"].as_str().unwrap()),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let run: Value = res.json().await.unwrap();
    let item =
        &run["data"]["resultData"]["runData"]["Schedule Trigger"][0]["data"]["main"][0][0]["json"];
    assert!(
        item["Timezone"]
            .as_str()
            .unwrap()
            .starts_with("Europe/Berlin (UTC+0"),
        "{item}"
    );
    let at = chrono::DateTime::parse_from_rfc3339(item["timestamp"].as_str().unwrap()).unwrap();
    assert!(
        (chrono::Utc::now() - at.with_timezone(&chrono::Utc))
            .num_seconds()
            .abs()
            < 60,
        "{item}"
    );
    assert!(item["Readable date"].is_string() && item["Day of week"].is_string());
}

/// Schedule Trigger every second (rule list `rules`) → HTTP Request to `base/tick/HHMMSS`.
fn every_second(base: &str) -> Value {
    json!({
        "name": "ticker", "settings": {"executionOrder": "v1", "timezone": "Europe/Berlin"},
        "nodes": [
            {"name": "Schedule Trigger", "type": "n8n-nodes-base.scheduleTrigger", "typeVersion": 1.2,
             "id": "0c8e5f5a-0000-4000-8000-000000000001", "position": [0, 0],
             "parameters": {"rule": {"interval": [{"field": "seconds", "secondsInterval": 1}]}}},
            {"name": "Call", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2, "position": [200, 0],
             "parameters": {"method": "GET",
                "url": format!("={base}/tick/{{{{ $json.Hour }}}}{{{{ $json.Minute }}}}{{{{ $json.Second }}}}"),
                "options": {}}}
        ],
        "connections": {"Schedule Trigger": {"main": [[{"node": "Call", "type": "main", "index": 0}]]}}
    })
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.count(sql).await
}

async fn an_active_schedule_fires_each_second_with_n8ns_item_and_stops_when_deactivated(
    b: Backend,
) {
    let (base, calls) = counting_server::start(0).await;
    let app = TestApp::spawn_with(b, |s| s.nodes.http_allow = "127.0.0.1".into()).await;
    let wf = activate(&app, &every_second(&base)).await;
    let id = wf["id"].as_str().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while count(
        &app,
        "SELECT COUNT(*) FROM executions WHERE status = 'success'",
    )
    .await
        < 3
    {
        assert!(Instant::now() < deadline, "fewer than 3 ticks fired");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let list: Value = app
        .get(&format!(
            "/api/v1/executions?workflowId={id}&status=success&includeData=true&limit=1"
        ))
        .await
        .json()
        .await
        .unwrap();
    let run = &list["data"][0];
    assert_eq!(run["mode"], "trigger");
    let item =
        &run["data"]["resultData"]["runData"]["Schedule Trigger"][0]["data"]["main"][0][0]["json"];
    for field in [
        "timestamp",
        "Readable date",
        "Readable time",
        "Day of week",
        "Year",
        "Month",
        "Day of month",
        "Hour",
        "Minute",
        "Second",
        "Timezone",
    ] {
        assert!(item[field].is_string(), "{field} in {item}");
    }
    assert!(
        item["Timezone"]
            .as_str()
            .unwrap()
            .starts_with("Europe/Berlin (UTC+0"),
        "{item}"
    );
    assert!(
        item["timestamp"].as_str().unwrap().ends_with(".000+01:00")
            || item["timestamp"].as_str().unwrap().ends_with(".000+02:00")
    );

    let res = app
        .post_json(&format!("/api/v1/workflows/{id}/deactivate"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let after = count(&app, "SELECT COUNT(*) FROM executions").await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM executions").await,
        after,
        "no tick after deactivation"
    );
    assert!(
        calls.counts().values().all(|n| *n == 1),
        "{:?}",
        calls.counts()
    );
}

async fn schedules_that_cannot_run_are_refused_at_activation(b: Backend) {
    let app = TestApp::spawn(b).await;
    for (rule, says) in [
        (
            json!({"field": "cronExpression", "expression": "100 * * * *"}),
            "Invalid cron expression",
        ),
        (
            json!({"field": "days", "daysInterval": 40}),
            "Days must be in range 1-31",
        ),
    ] {
        let wf = json!({
            "name": "bad schedule",
            "nodes": [{"name": "Schedule Trigger", "type": "n8n-nodes-base.scheduleTrigger", "typeVersion": 1.3,
                       "position": [0, 0], "parameters": {"rule": {"interval": [rule]}}}],
            "connections": {}
        });
        let created = app.create_workflow(&wf).await;
        let res = send_activate(&app, &created).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let body: Value = res.json().await.unwrap();
        assert!(body["message"].as_str().unwrap().contains(says), "{body}");
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM workflows WHERE active").await,
        0
    );
}

/// A `weft serve` on `app`'s database, in `mode`.
async fn serve_beside(app: &TestApp, mode: &str) -> ServeProcess {
    ServeProcess::start(&[
        ("DATABASE_URL", app.database_url().to_owned()),
        ("REDIS_URL", redis_url()),
        ("EXECUTIONS_MODE", mode.to_owned()),
    ])
    .await
}

/// Runs a one-second schedule for `ticks` seconds with every process of `processes` arming it,
/// kills the first of them half-way, and checks that each second in between fired once.
async fn each_tick_once(
    app: &TestApp,
    mut processes: Vec<ServeProcess>,
    calls: &counting_server::Calls,
    seconds: u64,
) {
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds / 2)).await;
    processes[0].kill();
    let killed_at = started.elapsed();
    tokio::time::sleep(Duration::from_secs(seconds - seconds / 2)).await;
    // Let the last runs finish.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let counts: HashMap<String, usize> = calls.counts();
    let mut ticks: Vec<u32> = counts
        .keys()
        .filter_map(|k| k.strip_prefix("/tick/"))
        .map(|t| {
            let t: u32 = t.parse().unwrap();
            (t / 10000) * 3600 + (t / 100 % 100) * 60 + t % 100
        })
        .collect();
    ticks.sort_unstable();
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n != 1).collect();
    let gaps: Vec<_> = ticks.windows(2).filter(|w| w[1] - w[0] != 1).collect();
    println!(
        "{} ticks, each fired {}; one of {} processes killed after {:.1} s; gaps {:?}",
        ticks.len(),
        if twice.is_empty() {
            "once"
        } else {
            "MORE than once"
        },
        processes.len() + 1,
        killed_at.as_secs_f64(),
        gaps
    );
    assert!(
        ticks.len() as u64 >= seconds - 2,
        "only {} ticks",
        ticks.len()
    );
    assert!(twice.is_empty(), "ticks fired more than once: {twice:?}");
    assert!(gaps.is_empty(), "ticks lost: {gaps:?}");
    let executions = count(
        app,
        "SELECT COUNT(*) FROM executions WHERE mode = 'trigger'",
    )
    .await;
    let claims = count(app, "SELECT COUNT(*) FROM schedule_ticks").await;
    assert_eq!(executions, claims, "one execution per claimed tick");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_serve_processes_fire_each_tick_of_a_one_second_schedule_once_even_when_one_is_killed()
{
    let (base, calls) = counting_server::start(0).await;
    let app = TestApp::spawn_with(Backend::Postgres, |s| {
        s.redis_url = Some(redis_url());
        s.nodes.http_allow = "127.0.0.1".into();
    })
    .await;
    let serves = vec![
        serve_beside(&app, "regular").await,
        serve_beside(&app, "regular").await,
    ];
    activate(&app, &every_second(&base)).await;
    each_tick_once(&app, serves, &calls, 22).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_queue_mode_each_tick_runs_once_on_the_workers_even_when_a_serve_process_is_killed() {
    let (base, calls) = counting_server::start(0).await;
    let app = queue_api(|_| {}).await;
    let serves = vec![serve_beside(&app, "queue").await];
    let _workers = (
        WorkerProcess::start(&app, 4, 30_000).await,
        WorkerProcess::start(&app, 4, 30_000).await,
    );
    let wf = activate(&app, &every_second(&base)).await;
    each_tick_once(&app, serves, &calls, 22).await;
    // No more ticks; the last ones finish on the workers.
    let res = app
        .post_json(
            &format!(
                "/api/v1/workflows/{}/deactivate",
                wf["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let deadline = Instant::now() + Duration::from_secs(20);
    while count(
        &app,
        "SELECT COUNT(*) FROM executions WHERE status IN ('new', 'running')",
    )
    .await
        > 0
    {
        assert!(
            Instant::now() < deadline,
            "trigger executions still running"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM executions WHERE mode = 'trigger' AND status <> 'success'"
        )
        .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_with_catch_up_runs_each_trigger_once_for_its_latest_missed_tick() {
    // Every six hours: a tick lies within the last six, and none comes during the test.
    let app = TestApp::spawn(Backend::Postgres).await;
    let wf = json!({
        "name": "six-hourly", "settings": {"executionOrder": "v1", "timezone": "UTC"},
        "nodes": [{"name": "Schedule Trigger", "type": "n8n-nodes-base.scheduleTrigger", "typeVersion": 1.2,
                   "position": [0, 0],
                   "parameters": {"rule": {"interval": [{"field": "cronExpression", "expression": "0 0 */6 * * *"}]}}}],
        "connections": {}
    });
    activate(&app, &wf).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM executions").await,
        0,
        "without catch-up, a missed tick is skipped (as n8n)"
    );
    let catch_up = |s: &mut weft::cli::SettingsArgs| s.schedule_catch_up_secs = "21700".into();
    let restarted = app.spawn_beside(catch_up).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while count(
        &app,
        "SELECT COUNT(*) FROM executions WHERE mode = 'trigger'",
    )
    .await
        < 1
    {
        assert!(Instant::now() < deadline, "no catch-up run");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let tick_hour = count(
        &app,
        "SELECT CAST(EXTRACT(HOUR FROM tick_at AT TIME ZONE 'UTC') AS BIGINT) FROM schedule_ticks",
    )
    .await;
    assert_eq!(tick_hour % 6, 0, "the latest six-hourly tick");
    // Another start with catch-up finds the tick claimed: nothing runs twice.
    let _again = restarted.spawn_beside(catch_up).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM executions").await, 1);
}
