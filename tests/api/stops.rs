//! Stopping an execution from any instance: with Postgres and Redis, the instance that took the
//! stop request is often not the one running the execution.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, redis_url, slow_workflow};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_sent_to_one_instance_stops_the_run_on_another() {
    let (a, _b, location) = slow_run_on_another_instance().await;
    // Instance a takes the stop request.
    let stop = a.post_json(&format!("{location}/stop"), &json!({})).await;
    assert_eq!(stop.status(), StatusCode::OK);
    assert_canceled_before_the_end(&a, &location).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_whose_message_the_running_instance_missed_still_stops_the_run() {
    let (a, _b, location) = slow_run_on_another_instance().await;
    let execution_id: uuid::Uuid = location.rsplit('/').next().unwrap().parse().unwrap();
    // Only the kept copy of a stop request, as when the message went out while the running
    // instance's subscription was down.
    let bus = a.bus();
    let mut conn = redis::Client::open(redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    redis::cmd("SET")
        .arg(weft::runner::stop_key(&bus, execution_id))
        .arg("1")
        .arg("EX")
        .arg(60)
        .query_async::<()>(&mut conn)
        .await
        .unwrap();
    assert_canceled_before_the_end(&a, &location).await;
}

/// Two instances on one Postgres and Redis; the second runs a 13-node workflow of 400 ms per
/// node (it outlasts its run wait, so it answered 202 at once). Answers both and the location.
async fn slow_run_on_another_instance() -> (TestApp, TestApp, String) {
    let redis = redis_url();
    let a = TestApp::spawn_with(Backend::Postgres, |s| s.redis_url = Some(redis.clone())).await;
    let b = a
        .spawn_beside(|s| {
            s.redis_url = Some(redis.clone());
            s.run_wait_ms = "100".into();
        })
        .await;
    let wf = a.create_workflow(&slow_workflow(12)).await;
    let id = wf["id"].as_str().unwrap();
    let started = b
        .post_json(&format!("/api/v1/workflows/{id}/run"), &json!({}))
        .await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let location = started.headers()["location"].to_str().unwrap().to_owned();
    (a, b, location)
}

/// Waits for the execution at `location` to end; it must be `canceled` before all 13 nodes ran.
async fn assert_canceled_before_the_end(app: &TestApp, location: &str) {
    let mut execution = Value::Null;
    for _ in 0..40 {
        execution = app
            .get(&format!("{location}?includeData=true"))
            .await
            .json()
            .await
            .unwrap();
        if !matches!(execution["status"].as_str(), Some("running" | "new")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(execution["status"], "canceled", "{execution}");
    let ran = execution["data"]["resultData"]["runData"]
        .as_object()
        .map_or(0, |m| m.len());
    assert!(ran < 13, "stopped before the end ({ran} nodes ran)");
}
