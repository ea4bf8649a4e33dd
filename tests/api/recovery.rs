//! Executions a stopped process left behind: with SQLite in regular mode one process owns the
//! database, so a new start knows that nothing still runs what the last one left `new` or
//! `running` (in queue mode workers may still hold them: the reconciler decides there).

use serde_json::{Value, json};
use weft::store::executions::{self, ExecutionMode, NewExecution};

use crate::helpers::{Backend, TestApp, regular_only};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_on_sqlite_ends_what_the_last_process_left_running_as_crashed() {
    let first = TestApp::spawn_with(Backend::Sqlite, regular_only).await;
    let wf = first
        .create_workflow(&json!({
            "name": "left behind",
            "nodes": [{"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}}],
            "connections": {},
            "settings": {}
        }))
        .await;
    let workflow_id = uuid::Uuid::parse_str(wf["id"].as_str().unwrap()).unwrap();
    let row = |db| {
        executions::create(
            db,
            NewExecution {
                workflow_id,
                mode: ExecutionMode::Manual,
                retry_of: None,
                workflow: json!({}),
                parent: None,
                request: Default::default(),
                tick: None,
            },
        )
    };
    let waiting_to_start = row(&first.db).await.unwrap();
    let running = row(&first.db).await.unwrap();
    let lease = std::time::Duration::from_secs(30);
    assert!(
        executions::claim(&first.db, running.id, "worker-a", lease, None)
            .await
            .unwrap()
            == executions::Claim::Claimed
    );
    // The process stops with both unfinished; the next one starts on the same file.
    let second = first.spawn_beside(regular_only).await;
    for (id, why) in [
        (waiting_to_start.id, "before this execution started"),
        (running.id, "while this execution ran"),
    ] {
        let ex: Value = second
            .get(&format!("/api/v1/executions/{id}?includeData=true"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(ex["status"], "crashed", "{ex}");
        assert!(ex["stoppedAt"].is_string(), "{ex}");
        let message = ex["data"]["resultData"]["error"]["message"]
            .as_str()
            .unwrap_or_default();
        assert!(message.contains(why), "{message}");
    }
}
