//! Webhooks answered by a Respond to Webhook node (`responseMode: responseNode`).

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;
use crate::webhooks::activate;

on_both_backends!(
    the_respond_node_answers_with_its_status_headers_and_body_while_the_run_goes_on,
    the_respond_node_answers_with_text_redirects_and_all_items,
    a_run_that_ends_without_responding_still_answers_the_caller,
    an_n8n_export_with_webhook_set_and_respond_answers_as_n8n_does,
    the_respond_node_answers_with_binary_data_of_the_first_item,
    the_respond_node_answers_with_a_jwt_signed_by_its_credential,
);

/// Webhook (responseNode) → `middle` nodes → Respond → Wait `wait_s` seconds.
fn workflow(path: &str, respond: Value, middle: Vec<Value>, wait_s: f64) -> Value {
    let mut nodes = vec![json!({
        "name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [0, 0],
        "parameters": {"path": path, "httpMethod": "POST", "responseMode": "responseNode", "options": {}}
    })];
    let mut names = vec!["Webhook".to_owned()];
    for node in middle {
        names.push(node["name"].as_str().unwrap().to_owned());
        nodes.push(node);
    }
    nodes.push(
        json!({"name": "Respond", "type": "n8n-nodes-base.respondToWebhook",
        "typeVersion": 1.1, "position": [400, 0], "parameters": respond}),
    );
    names.push("Respond".into());
    nodes.push(json!({"name": "Later", "type": "n8n-nodes-base.wait", "typeVersion": 1.1,
        "position": [600, 0], "parameters": {"resume": "timeInterval", "amount": wait_s, "unit": "seconds"}}));
    names.push("Later".into());
    let mut connections = serde_json::Map::new();
    for pair in names.windows(2) {
        connections.insert(
            pair[0].clone(),
            json!({"main": [[{"node": pair[1], "type": "main", "index": 0}]]}),
        );
    }
    json!({"name": path, "nodes": nodes, "connections": connections,
           "settings": {"executionOrder": "v1"}})
}

async fn post(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/webhook/{path}")))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn the_respond_node_answers_with_its_status_headers_and_body_while_the_run_goes_on(
    b: Backend,
) {
    let app = TestApp::spawn(b).await;
    let respond = json!({
        "respondWith": "json",
        "responseBody": "={{ JSON.stringify({ doubled: $json.body.qty * 2 }) }}",
        "options": {"responseCode": 201,
                    "responseHeaders": {"entries": [{"name": "X-Order", "value": "={{ $json.body.qty }}"}]}}
    });
    let wf = activate(&app, &workflow("slow", respond, vec![], 2.0)).await;
    let started = Instant::now();
    let res = post(&app, "slow", json!({"qty": 21})).await;
    let waited = started.elapsed();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["x-order"], "21");
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"doubled": 42}));
    assert!(
        waited < Duration::from_millis(1500),
        "answered before the 2 s wait after the Respond node ended ({waited:?})"
    );

    // The execution finishes afterwards, with the Respond node's items passed on.
    let list_path = format!(
        "/api/v1/executions?workflowId={}",
        wf["id"].as_str().unwrap()
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let execution = loop {
        let list: Value = app.get(&list_path).await.json().await.unwrap();
        if list["data"][0]["status"] == "success" {
            break list["data"][0].clone();
        }
        assert!(
            Instant::now() < deadline,
            "execution never finished: {list}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let full: Value = app
        .get(&format!(
            "/api/v1/executions/{}?includeData=true",
            execution["id"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    let later = &full["data"]["resultData"]["runData"]["Later"][0]["data"]["main"][0][0]["json"];
    assert_eq!(later["body"]["qty"], 21);
}

async fn the_respond_node_answers_with_text_redirects_and_all_items(b: Backend) {
    let app = TestApp::spawn(b).await;
    let text = json!({"respondWith": "text", "responseBody": "=<b>{{ $json.body.who }}</b>", "options": {}});
    activate(&app, &workflow("text", text, vec![], 0.0)).await;
    let res = post(&app, "text", json!({"who": "ada"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"],
        "text/plain; charset=utf-8",
        "user text is never served as HTML unless the workflow says so"
    );
    assert_eq!(res.text().await.unwrap(), "<b>ada</b>");

    let redirect = json!({"respondWith": "redirect", "redirectURL": "https://example.com/done", "options": {}});
    activate(&app, &workflow("go", redirect, vec![], 0.0)).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = client
        .post(app.url("/webhook/go"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(res.headers()["location"], "https://example.com/done");

    let split = json!({"name": "Split", "type": "n8n-nodes-base.splitOut", "typeVersion": 1,
        "position": [200, 0], "parameters": {"fieldToSplitOut": "body.rows", "options": {}}});
    let all = json!({"respondWith": "allIncomingItems", "options": {"responseKey": "rows"}});
    activate(&app, &workflow("all", all, vec![split], 0.0)).await;
    let res = post(&app, "all", json!({"rows": [{"n": 1}, {"n": 2}]})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"rows": [{"n": 1}, {"n": 2}]})
    );
}

async fn a_run_that_ends_without_responding_still_answers_the_caller(b: Backend) {
    let app = TestApp::spawn(b).await;
    let gate = json!({"name": "Gate", "type": "n8n-nodes-base.filter", "typeVersion": 2,
        "position": [200, 0], "parameters": {"conditions": {
            "options": {"caseSensitive": true, "typeValidation": "strict"},
            "conditions": [{"id": "c", "leftValue": "={{ $json.body.ok }}", "rightValue": "",
                            "operator": {"type": "boolean", "operation": "true", "singleValue": true}}],
            "combinator": "and"}, "options": {}}});
    let respond = json!({"respondWith": "firstIncomingItem", "options": {}});
    activate(&app, &workflow("gate", respond, vec![gate], 0.0)).await;
    let res = post(&app, "gate", json!({"ok": false})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"message": "Workflow executed successfully"})
    );
    let res = post(&app, "gate", json!({"ok": true})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["body"]["ok"], true);

    let broken = json!({"respondWith": "json", "responseBody": "{not json", "options": {}});
    activate(&app, &workflow("broken", broken, vec![], 0.0)).await;
    let res = post(&app, "broken", json!({})).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"message": "Error in workflow"})
    );
}

async fn an_n8n_export_with_webhook_set_and_respond_answers_as_n8n_does(b: Backend) {
    let app = TestApp::spawn(b).await;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/webhook-set-respond.json");
    let export: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    activate(&app, &export).await;
    let res = post(
        &app,
        "orders/intake",
        json!({"id": "A-17", "qty": 3, "price": 2.5, "customer": {}}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["x-order-id"], "A-17");
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"accepted": true, "order": {
            "orderId": "A-17",
            "total": 7.5,
            "note": "Customer: ",
            "coupon": null
        }}),
        "a missing field is \"\" inside text and null as a whole value"
    );
}

async fn the_respond_node_answers_with_binary_data_of_the_first_item(b: Backend) {
    let app = TestApp::spawn(b).await;
    let respond = json!({"respondWith": "binary", "options": {}});
    activate(&app, &workflow("echo-file", respond, vec![], 0.0)).await;
    let bytes: &'static [u8] = b"%PDF-1.7\n\x00\x01\x02 binary";
    let res = app
        .client
        .post(app.url("/webhook/echo-file"))
        .header("content-type", "application/pdf")
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.bytes().await.unwrap().as_ref(), bytes);

    let none = json!({"respondWith": "binary", "options": {}});
    activate(&app, &workflow("no-file", none, vec![], 0.0)).await;
    let res = post(&app, "no-file", json!({"not": "binary"})).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"message": "Error in workflow"})
    );
}

async fn the_respond_node_answers_with_a_jwt_signed_by_its_credential(b: Backend) {
    let app = TestApp::spawn(b).await;
    let data = json!({"keyType": "passphrase", "secret": "signing-secret", "algorithm": "HS384"});
    let cred = crate::credentials::create_credential(&app, "Signer", "jwtAuth", data.clone()).await;
    let mut wf = workflow(
        "token",
        json!({"respondWith": "jwt", "payload": "={{ JSON.stringify({sub: $json.body.user, scope: 'orders'}) }}"}),
        vec![],
        0.0,
    );
    wf["nodes"][1]["credentials"] = json!({"jwtAuth": {"id": cred["id"], "name": "Signer"}});
    activate(&app, &wf).await;
    let res = post(&app, "token", json!({"user": "u-1"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    let token = body["token"].as_str().expect("a token");
    let verifier = weft_nodes::jwt::JwtCredential::parse(data.as_object().unwrap()).unwrap();
    let claims = verifier.verify(token).expect("signed with the credential");
    assert_eq!(claims["sub"], "u-1");
    assert_eq!(claims["scope"], "orders");
    assert!(claims["iat"].is_i64());

    // Without its credential the node fails, and the caller gets n8n's error answer.
    let mut bare = workflow(
        "token2",
        json!({"respondWith": "jwt", "payload": "{}"}),
        vec![],
        0.0,
    );
    bare["name"] = json!("bare");
    activate(&app, &bare).await;
    let res = post(&app, "token2", json!({})).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        res.json::<Value>().await.unwrap()["message"],
        "Error in workflow"
    );
}
