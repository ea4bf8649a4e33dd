//! User-shaped data that used to overflow the stack or ask for absurd allocations: each is now
//! a node error, and the server goes on.

use serde_json::{Value, json};

use crate::server::{Server, assert_node_error, manual, webhook};

fn set_v2(field: &str) -> Value {
    json!({"type": "n8n-nodes-base.set", "typeVersion": 2, "parameters": {
        "values": {"string": [{"name": field, "value": "x"}]}, "options": {"dotNotation": true}}})
}

#[tokio::test]
async fn a_webhook_body_of_ten_thousand_nested_xml_elements_is_a_node_error() {
    let mut server = Server::start(&[]).await;
    let wf = webhook(
        json!({"path": "xml", "httpMethod": "POST", "responseMode": "lastNode"}),
        "a1",
        Some(json!({"type": "n8n-nodes-base.xml", "typeVersion": 1,
            "parameters": {"mode": "xmlToJson", "dataPropertyName": "body", "options": {}}})),
    );
    let id = server.create(&wf).await;
    server.activate(&id).await;
    let body = "<a>".repeat(10_000) + &"</a>".repeat(10_000);
    let res = server
        .client
        .post(server.url("/webhook/xml"))
        .header("content-type", "text/xml")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 500);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"message": "Error in workflow"})
    );
    let runs = server.executions(&id).await;
    assert_eq!(runs.len(), 1);
    assert_node_error(&runs[0], "nested more than");
    server.assert_healthy().await;
}

#[tokio::test]
async fn a_set_field_name_with_thousands_of_dotted_segments_is_a_node_error() {
    let mut server = Server::start(&[]).await;
    let field = vec!["a"; 5_000].join(".");
    let ex = server
        .run_new(&manual("deep set", set_v2(&field)), None)
        .await;
    assert_node_error(&ex, "nested more than");
    server.assert_healthy().await;
}

#[tokio::test]
async fn huge_array_indexes_in_a_field_name_are_a_node_error() {
    let mut server = Server::start(&[]).await;
    for field in ["a[100000000000000]", "a[18446744073709551615]"] {
        let ex = server.run_new(&manual("index", set_v2(field)), None).await;
        assert_node_error(&ex, "is larger than");
    }
    // Many large indexes add up against one budget per node run.
    let code = json!({"type": "n8n-nodes-base.set", "typeVersion": 3.4, "parameters": {
        "mode": "raw", "jsonOutput": "={{ JSON.stringify(Object.fromEntries(Array.from({length: 50}, (_, i) => ['k' + i + '[999999]', 1]))) }}",
        "options": {"dotNotation": true}}});
    let ex = server.run_new(&manual("many", code), None).await;
    assert_node_error(&ex, "field paths may create");
    server.assert_healthy().await;
}

#[tokio::test]
async fn html_to_markdown_over_deeply_nested_divs_is_a_node_error() {
    let mut server = Server::start(&[]).await;
    let markdown = json!({"type": "n8n-nodes-base.markdown", "typeVersion": 1, "parameters": {
        "mode": "htmlToMarkdown", "html": "={{ $json.html }}", "destinationKey": "md", "options": {}}});
    let id = server.create(&manual("markdown", markdown)).await;
    for html in [
        "<div>".repeat(20_000),
        "<div>".repeat(100_000),
        "<span></div>".repeat(20_000),
    ] {
        let ex = server
            .run(&id, Some(json!([{"json": {"html": html}}])))
            .await;
        assert_node_error(&ex, "nested more than");
    }
    server.assert_healthy().await;
}

#[tokio::test]
async fn a_switch_asking_for_a_hundred_billion_outputs_gets_at_most_the_connectable_ones() {
    let mut server = Server::start(&[]).await;
    let switch = json!({"type": "n8n-nodes-base.switch", "typeVersion": 3, "parameters": {
        "mode": "expression", "numberOutputs": 100_000_000_000_u64, "output": "={{ 0 }}"}});
    let ex = server.run_new(&manual("switch", switch), None).await;
    assert_eq!(ex["status"], "success", "{ex}");
    server.assert_healthy().await;
}

#[tokio::test]
async fn numbers_at_the_edge_of_their_types_are_node_errors() {
    let mut server = Server::start(&[]).await;
    let ical = json!({"type": "n8n-nodes-base.convertToFile", "typeVersion": 1.1, "parameters": {
        "operation": "iCal", "title": "far", "start": "+262142-12-31", "end": "", "allDay": true}});
    let ex = server.run_new(&manual("ical", ical), None).await;
    assert_node_error(&ex, "out of range");

    let wait = json!({"type": "n8n-nodes-base.wait", "typeVersion": 1.1, "parameters": {
        "resume": "timeInterval", "amount": 1e300, "unit": "hours"}});
    let ex = server.run_new(&manual("wait", wait), None).await;
    assert_node_error(&ex, "100 years");

    let merge = json!({
        "name": "merge",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
            {"name": "Merge", "type": "n8n-nodes-base.merge", "typeVersion": 3, "position": [200, 0],
             "parameters": {"mode": "chooseBranch", "useDataOfInput": 0}}
        ],
        "connections": {"Start": {"main": [[
            {"node": "Merge", "type": "main", "index": 0},
            {"node": "Merge", "type": "main", "index": 1}
        ]]}},
        "settings": {"executionOrder": "v1"}
    });
    let ex = server.run_new(&merge, None).await;
    assert_node_error(&ex, "Input 0 doesn't exist");

    let mut timed = manual(
        "timeout",
        json!({"type": "n8n-nodes-base.noOp", "typeVersion": 1, "parameters": {}}),
    );
    timed["settings"]["executionTimeout"] = json!(1e20);
    let ex = server.run_new(&timed, None).await;
    assert_eq!(ex["status"], "success", "{ex}");
    server.assert_healthy().await;
}
