//! Floods and slow clients: workflows that start themselves, bodies trickling in, workflow
//! data that would split a response header, and addresses that hide a blocked IPv4 address.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::server::{Server, assert_node_error, manual, webhook};

fn call_node(target: &str, each: bool) -> Value {
    json!({"name": "Call", "type": "n8n-nodes-base.executeWorkflow", "typeVersion": 1.2, "position": [400, 0],
           "parameters": {"source": "database", "workflowId": {"__rl": true, "value": target, "mode": "id"},
                          "mode": if each { "each" } else { "once" },
                          "options": {"waitForSubWorkflow": false}}})
}

/// Polls until the number of executions of `id` stops changing; returns them.
async fn settled_executions(server: &Server, id: &str) -> Vec<Value> {
    let mut last = usize::MAX;
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let runs = server.executions(id).await;
        let finished = runs
            .iter()
            .all(|r| r["finished"] == true || r["status"] == "error");
        if runs.len() == last && finished {
            return runs;
        }
        last = runs.len();
    }
    server.executions(id).await
}

#[tokio::test]
async fn a_workflow_starting_itself_without_waiting_stops_at_the_call_depth_limit() {
    let mut server = Server::start(&[]).await;
    let shape = |target: &str| {
        json!({
            "name": "fork",
            "nodes": [
                {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
                {"name": "Called", "type": "n8n-nodes-base.executeWorkflowTrigger", "typeVersion": 1.1, "position": [0, 200], "parameters": {"inputSource": "passthrough"}},
                call_node(target, false)
            ],
            "connections": {
                "Start": {"main": [[{"node": "Call", "type": "main", "index": 0}]]},
                "Called": {"main": [[{"node": "Call", "type": "main", "index": 0}]]}
            },
            "settings": {"executionOrder": "v1"}
        })
    };
    let id = server.create(&shape("placeholder")).await;
    let res = server
        .client
        .put(server.url(&format!("/api/v1/workflows/{id}")))
        .json(&shape(&id))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Active, so that its calls (not started by hand) may run it.
    server.activate(&id).await;
    server.run(&id, None).await;
    let runs = settled_executions(&server, &id).await;
    // One manual run and sixteen levels of calls; the seventeenth start is refused.
    assert_eq!(runs.len(), 17, "{} executions", runs.len());
    assert!(
        runs.iter()
            .any(|r| crate::server::error_of(r).contains("levels deep")),
        "no run names the depth limit"
    );
    server.assert_healthy().await;
}

#[tokio::test]
async fn sub_workflow_starts_per_workflow_and_minute_are_capped() {
    let mut server = Server::start(&[("WEFT_SUBWORKFLOW_STARTS_PER_MINUTE", "5")]).await;
    let sub = json!({
        "name": "sub",
        "nodes": [
            {"name": "Called", "type": "n8n-nodes-base.executeWorkflowTrigger", "typeVersion": 1.1, "position": [0, 0], "parameters": {"inputSource": "passthrough"}},
            {"name": "Done", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [200, 0], "parameters": {}}
        ],
        "connections": {"Called": {"main": [[{"node": "Done", "type": "main", "index": 0}]]}},
        "settings": {}
    });
    let sub_id = server.create(&sub).await;
    let caller = manual("caller", call_node(&sub_id, true));
    let items: Vec<Value> = (0..20).map(|n| json!({"json": {"n": n}})).collect();
    let ex = server.run_new(&caller, Some(json!(items))).await;
    assert_node_error(&ex, "WEFT_SUBWORKFLOW_STARTS_PER_MINUTE");
    let runs = settled_executions(&server, &sub_id).await;
    assert_eq!(runs.len(), 5);
    server.assert_healthy().await;
}

/// Sends a request whose body trickles in a byte at a time; returns the status line, and how
/// long the answer took.
fn trickle(addr: &str, head: &str) -> (String, Duration) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let started = Instant::now();
    stream.write_all(head.as_bytes()).unwrap();
    for _ in 0..30 {
        if stream.write_all(b" ").is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
        stream.set_nonblocking(true).unwrap();
        let mut peek = [0u8; 1];
        let answered = matches!(stream.peek(&mut peek), Ok(n) if n > 0);
        stream.set_nonblocking(false).unwrap();
        if answered {
            break;
        }
    }
    let mut answer = String::new();
    let mut buf = [0u8; 4096];
    if let Ok(n) = stream.read(&mut buf) {
        answer.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    (
        answer.lines().next().unwrap_or_default().to_owned(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn a_body_sent_a_byte_at_a_time_is_refused_with_408() {
    let mut server = Server::start(&[("WEFT_BODY_TIMEOUT_MS", "1000")]).await;
    let wf = webhook(json!({"path": "slow", "httpMethod": "POST"}), "b1", None);
    let id = server.create(&wf).await;
    server.activate(&id).await;
    let addr = server.addr();
    for path in ["/api/v1/workflows", "/webhook/slow"] {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nX-N8N-API-KEY: {}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
            server.api_key
        );
        let a = addr.clone();
        let (status, took) = tokio::task::spawn_blocking(move || trickle(&a, &head))
            .await
            .unwrap();
        assert!(status.contains(" 408 "), "{path}: {status:?}");
        assert!(took < Duration::from_secs(5), "{path}: {took:?}");
    }
    server.assert_healthy().await;
}

#[tokio::test]
async fn a_redirect_url_with_a_line_break_is_a_node_error_not_a_split_header() {
    let mut server = Server::start(&[]).await;
    let wf = webhook(
        json!({"path": "go", "httpMethod": "GET", "responseMode": "responseNode"}),
        "c1",
        Some(
            json!({"type": "n8n-nodes-base.respondToWebhook", "typeVersion": 1.1, "parameters": {
            "respondWith": "redirect",
            "redirectURL": "={{ 'https://example.com/\\r\\nSet-Cookie: session=stolen' }}",
            "options": {}}}),
        ),
    );
    let id = server.create(&wf).await;
    server.activate(&id).await;
    let res = server
        .client
        .get(server.url("/webhook/go"))
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("set-cookie").is_none());
    assert_eq!(res.status(), 500);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"message": "Error in workflow"})
    );
    let runs = server.executions(&id).await;
    assert_node_error(&runs[0], "Redirect URL");
    server.assert_healthy().await;
}

#[tokio::test]
async fn ipv6_addresses_carrying_a_blocked_ipv4_address_are_refused() {
    let mut server = Server::start(&[]).await;
    for url in [
        "http://[64:ff9b::7f00:1]/",
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
        "http://[2002:7f00:1::]/",
        "http://[::127.0.0.1]/",
    ] {
        let http = json!({"type": "n8n-nodes-base.httpRequest", "typeVersion": 4.2, "parameters": {
            "method": "GET", "url": url, "options": {"timeout": 2000}}});
        let ex = server.run_new(&manual("ssrf", http), None).await;
        assert_node_error(&ex, "was refused");
    }
    server.assert_healthy().await;
}
