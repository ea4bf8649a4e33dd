//! HTTP Request beyond pinned workflows: a breaker closing again after its cool-down, and the
//! SSRF guard refusing a host *name* that resolves to loopback.

mod support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::{Value, json};
use weft_engine::run::{Executor, Item, NodeRegistry, RunOptions};
use weft_engine::{WorkflowDefinition, WorkflowDraft};
use weft_nodes::http::HttpSettings;
use weft_nodes::http::guard::Allowlist;

fn registry(allow: &str, failures: u32, cooldown: Duration) -> NodeRegistry {
    weft_nodes::registry_with(&weft_nodes::Settings {
        http: HttpSettings {
            allow: Allowlist::parse(allow).unwrap(),
            breaker_failures: failures,
            breaker_cooldown: cooldown,
        },
        ..Default::default()
    })
}

/// Runs one GET and returns the node's first output item, or the execution's error message.
async fn get(registry: &NodeRegistry, url: &str) -> Result<Value, String> {
    let draft: WorkflowDraft = serde_json::from_value(json!({
        "name": "get",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}, "position": [0, 0]},
            {"name": "Get", "type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2, "parameters": {"url": url, "options": {}}, "position": [200, 0]}
        ],
        "connections": {"Start": {"main": [[{"node": "Get", "type": "main", "index": 0}]]}},
        "settings": {"executionOrder": "v1"}
    }))
    .unwrap();
    let def = WorkflowDefinition::try_from(draft).unwrap();
    let result = Executor::new(&def, registry)
        .run(RunOptions {
            start_node: "Start".into(),
            start_items: vec![Item::default()],
            ..RunOptions::default()
        })
        .await;
    if let Some(e) = result.result_data.error {
        return Err(e.message);
    }
    let runs = &result.result_data.run_data["Get"];
    Ok(Value::Object(
        runs[0].data.as_ref().unwrap().main[0][0].json.clone(),
    ))
}

#[tokio::test(flavor = "current_thread")]
async fn an_open_breaker_fails_fast_then_closes_after_a_good_trial() {
    let (base, server) = support::serve().await;
    let registry = registry("127.0.0.1", 2, Duration::from_millis(300));
    let down = format!("{base}/down");
    for _ in 0..2 {
        let err = get(&registry, &down).await.unwrap_err();
        assert!(err.starts_with("Service unavailable"), "{err}");
    }
    assert_eq!(server.down_hits.load(Ordering::SeqCst), 2);
    let err = get(&registry, &down).await.unwrap_err();
    assert!(err.contains("circuit breaker"), "{err}");
    assert_eq!(
        server.down_hits.load(Ordering::SeqCst),
        2,
        "an open breaker sends nothing"
    );
    server.healthy.store(true, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(get(&registry, &down).await.unwrap(), json!({"up": true}));
    assert_eq!(get(&registry, &down).await.unwrap(), json!({"up": true}));
    assert_eq!(server.down_hits.load(Ordering::SeqCst), 4, "closed again");
}

#[tokio::test(flavor = "current_thread")]
async fn a_host_name_resolving_to_loopback_is_refused_unless_allowed() {
    let (base, _server) = support::serve().await;
    let by_name = base.replace("127.0.0.1", "localhost");
    let strict = registry("", 5, Duration::from_secs(30));
    let err = get(&strict, &format!("{by_name}/json")).await.unwrap_err();
    assert!(
        err.starts_with("The request to localhost was refused:") && err.contains("loopback"),
        "{err}"
    );
    let err = get(&strict, &format!("{base}/json")).await.unwrap_err();
    assert!(err.contains("127.0.0.1 is a loopback address"), "{err}");
    let allowed = registry("localhost", 5, Duration::from_secs(30));
    assert_eq!(
        get(&allowed, &format!("{by_name}/json")).await.unwrap(),
        json!({"hello": "world", "n": 1})
    );
}
