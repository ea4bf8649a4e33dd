//! Workflow CRUD, versions, activation and tags, on Postgres and on SQLite.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_problem, manual_workflow, webhook_workflow};
use crate::on_both_backends;

on_both_backends!(
    a_node_version_newer_than_any_known_runs_as_the_newest_with_a_warning,
    creating_a_workflow_returns_it_inactive_with_an_id_version_and_timestamps,
    real_n8n_exports_round_trip_with_nodes_connections_and_settings_unchanged,
    updating_a_workflow_saves_a_new_version_and_records_it_in_history,
    an_update_with_a_stale_if_match_is_refused_with_412,
    deleting_a_workflow_returns_it_and_it_is_gone_afterwards,
    activation_needs_a_trigger_node_and_publish_is_the_same_as_activate,
    an_active_workflow_cannot_be_saved_without_a_trigger,
    excluding_pinned_data_leaves_pin_data_out,
    workflow_tags_can_be_replaced_and_read_back,
    setting_a_tag_that_does_not_exist_is_404,
);

async fn creating_a_workflow_returns_it_inactive_with_an_id_version_and_timestamps(b: Backend) {
    let app = TestApp::spawn(b).await;
    let res = app
        .post_json("/api/v1/workflows", &manual_workflow("First"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let wf: Value = res.json().await.unwrap();
    assert_eq!(wf["name"], "First");
    assert_eq!(wf["active"], false);
    let id = uuid::Uuid::parse_str(wf["id"].as_str().unwrap()).unwrap();
    assert_eq!(id.get_version_num(), 7, "ids are UUIDv7");
    assert_eq!(etag, format!("\"{}\"", wf["versionId"].as_str().unwrap()));
    assert_eq!(wf["createdAt"], wf["updatedAt"]);
    assert!(wf["createdAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(wf["tags"], json!([]));
    let got: Value = app
        .get(&format!("/api/v1/workflows/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got, wf);
    assert_eq!(app.count("SELECT COUNT(*) FROM workflow_history").await, 1);
}

async fn real_n8n_exports_round_trip_with_nodes_connections_and_settings_unchanged(b: Backend) {
    let app = TestApp::spawn(b).await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let export: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let created = app.create_workflow(&export).await;
        let got: Value = app
            .get(&format!(
                "/api/v1/workflows/{}",
                created["id"].as_str().unwrap()
            ))
            .await
            .json()
            .await
            .unwrap();
        for key in ["nodes", "connections", "settings", "pinData", "meta"] {
            let expected = export.get(key).cloned().unwrap_or(Value::Null);
            let expected = if key == "pinData" && expected.is_null() {
                json!({})
            } else {
                expected
            };
            assert_eq!(got[key], expected, "{} differs in {}", key, path.display());
        }
        assert_eq!(got["name"], export["name"]);
        assert_eq!(got["active"], false, "an export's `active` is read-only");
        assert_ne!(got["id"], export["id"], "an export's `id` is read-only");
        checked += 1;
    }
    assert!(checked >= 3, "expected the fixtures in tests/fixtures");
}

async fn updating_a_workflow_saves_a_new_version_and_records_it_in_history(b: Backend) {
    let app = TestApp::spawn(b).await;
    let wf = app.create_workflow(&manual_workflow("v1")).await;
    let id = wf["id"].as_str().unwrap();
    let mut next = manual_workflow("v2");
    next["nodes"][1]["parameters"] = json!({"keepOnlySet": true});
    let res = app
        .put_json(&format!("/api/v1/workflows/{id}"), &next)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let saved: Value = res.json().await.unwrap();
    assert_eq!(saved["name"], "v2");
    assert_eq!(saved["nodes"], next["nodes"]);
    assert_ne!(saved["versionId"], wf["versionId"]);
    assert_eq!(saved["createdAt"], wf["createdAt"]);
    assert!(saved["updatedAt"].as_str() >= wf["updatedAt"].as_str());
    assert_eq!(app.count("SELECT COUNT(*) FROM workflow_history").await, 2);
    let missing = app
        .put_json(
            &format!("/api/v1/workflows/{}", uuid::Uuid::now_v7()),
            &next,
        )
        .await;
    assert_problem(missing, StatusCode::NOT_FOUND, "not-found").await;
}

async fn an_update_with_a_stale_if_match_is_refused_with_412(b: Backend) {
    let app = TestApp::spawn(b).await;
    let wf = app.create_workflow(&manual_workflow("v1")).await;
    let id = wf["id"].as_str().unwrap();
    let first_tag = format!("\"{}\"", wf["versionId"].as_str().unwrap());
    let put = |tag: String, name: &str| {
        app.client
            .put(app.url(&format!("/api/v1/workflows/{id}")))
            .header("If-Match", tag)
            .json(&manual_workflow(name))
            .send()
    };
    let ok = put(first_tag.clone(), "v2").await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let stale = put(first_tag, "v3").await.unwrap();
    let problem = assert_problem(
        stale,
        StatusCode::PRECONDITION_FAILED,
        "precondition-failed",
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("If-Match"));
    let current: Value = app
        .get(&format!("/api/v1/workflows/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(current["name"], "v2", "the refused write changed nothing");
    let any = put("*".into(), "v4").await.unwrap();
    assert_eq!(any.status(), StatusCode::OK);
}

async fn deleting_a_workflow_returns_it_and_it_is_gone_afterwards(b: Backend) {
    let app = TestApp::spawn(b).await;
    let wf = app.create_workflow(&manual_workflow("doomed")).await;
    let path = format!("/api/v1/workflows/{}", wf["id"].as_str().unwrap());
    let res = app.delete(&path).await;
    assert_eq!(res.status(), StatusCode::OK);
    let deleted: Value = res.json().await.unwrap();
    assert_eq!(deleted["id"], wf["id"]);
    assert_eq!(deleted["nodes"], wf["nodes"]);
    assert_problem(app.get(&path).await, StatusCode::NOT_FOUND, "not-found").await;
    assert_problem(app.delete(&path).await, StatusCode::NOT_FOUND, "not-found").await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM workflow_history").await,
        0,
        "history goes with it"
    );
}

async fn activation_needs_a_trigger_node_and_publish_is_the_same_as_activate(b: Backend) {
    let app = TestApp::spawn(b).await;
    let manual = app.create_workflow(&manual_workflow("manual only")).await;
    let res = app
        .post_json(
            &format!(
                "/api/v1/workflows/{}/activate",
                manual["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await;
    let problem = assert_problem(res, StatusCode::BAD_REQUEST, "bad-request").await;
    assert!(
        problem["detail"].as_str().unwrap().contains("no trigger"),
        "{problem}"
    );

    let hook = app.create_workflow(&webhook_workflow("hook")).await;
    let id = hook["id"].as_str().unwrap();
    for (action, active) in [
        ("activate", true),
        ("deactivate", false),
        ("publish", true),
        ("unpublish", false),
    ] {
        let res = app
            .client
            .post(app.url(&format!("/api/v1/workflows/{id}/{action}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{action}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["active"], active, "{action}");
        assert_eq!(body["triggerCount"], if active { 1 } else { 0 }, "{action}");
        let stored: Value = app
            .get(&format!("/api/v1/workflows/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(stored["active"], active, "{action} is stored");
    }
    let missing = app
        .client
        .post(app.url(&format!(
            "/api/v1/workflows/{}/activate",
            uuid::Uuid::now_v7()
        )))
        .send()
        .await
        .unwrap();
    assert_problem(missing, StatusCode::NOT_FOUND, "not-found").await;
}

async fn an_active_workflow_cannot_be_saved_without_a_trigger(b: Backend) {
    let app = TestApp::spawn(b).await;
    let hook = app.create_workflow(&webhook_workflow("hook")).await;
    let id = hook["id"].as_str().unwrap();
    app.client
        .post(app.url(&format!("/api/v1/workflows/{id}/activate")))
        .send()
        .await
        .unwrap();
    let res = app
        .put_json(
            &format!("/api/v1/workflows/{id}"),
            &manual_workflow("no trigger"),
        )
        .await;
    assert_problem(res, StatusCode::BAD_REQUEST, "bad-request").await;
    let mut renamed = webhook_workflow("hook renamed");
    renamed["settings"] = json!({"timezone": "UTC"});
    let res = app
        .put_json(&format!("/api/v1/workflows/{id}"), &renamed)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        (body["active"].clone(), body["triggerCount"].clone()),
        (json!(true), json!(1))
    );
}

async fn excluding_pinned_data_leaves_pin_data_out(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut wf = manual_workflow("pinned");
    wf["pinData"] = json!({"Set": [{"json": {"x": 1}}]});
    let created = app.create_workflow(&wf).await;
    let id = created["id"].as_str().unwrap();
    let full: Value = app
        .get(&format!("/api/v1/workflows/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(full["pinData"], wf["pinData"]);
    let lean: Value = app
        .get(&format!("/api/v1/workflows/{id}?excludePinnedData=true"))
        .await
        .json()
        .await
        .unwrap();
    assert!(lean.get("pinData").is_none());
    let list: Value = app
        .get("/api/v1/workflows?excludePinnedData=true")
        .await
        .json()
        .await
        .unwrap();
    assert!(list["data"][0].get("pinData").is_none());
}

async fn workflow_tags_can_be_replaced_and_read_back(b: Backend) {
    let app = TestApp::spawn(b).await;
    let wf = app.create_workflow(&manual_workflow("tagged")).await;
    let path = format!("/api/v1/workflows/{}/tags", wf["id"].as_str().unwrap());
    let prod = app.create_tag("prod").await;
    let billing = app.create_tag("billing").await;
    let empty: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(empty, json!([]));
    let body = json!([{"id": prod["id"]}, {"id": billing["id"]}, {"id": prod["id"]}]);
    let res = app.put_json(&path, &body).await;
    assert_eq!(res.status(), StatusCode::OK);
    let tags: Value = res.json().await.unwrap();
    let names: Vec<&str> = tags
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["billing", "prod"], "deduplicated, by name");
    let wf_now: Value = app
        .get(&format!("/api/v1/workflows/{}", wf["id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(wf_now["tags"].as_array().unwrap().len(), 2);
    let cleared: Value = app.put_json(&path, &json!([])).await.json().await.unwrap();
    assert_eq!(cleared, json!([]));
    let missing_wf = format!("/api/v1/workflows/{}/tags", uuid::Uuid::now_v7());
    assert_problem(
        app.get(&missing_wf).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
}

async fn setting_a_tag_that_does_not_exist_is_404(b: Backend) {
    let app = TestApp::spawn(b).await;
    let wf = app.create_workflow(&manual_workflow("tagged")).await;
    let path = format!("/api/v1/workflows/{}/tags", wf["id"].as_str().unwrap());
    let prod = app.create_tag("prod").await;
    app.put_json(&path, &json!([{"id": prod["id"]}])).await;
    for bad in [
        json!([{"id": uuid::Uuid::now_v7()}]),
        json!([{"id": "nope"}]),
    ] {
        let res = app.put_json(&path, &bad).await;
        assert_problem(res, StatusCode::NOT_FOUND, "not-found").await;
    }
    let kept: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(
        kept.as_array().unwrap().len(),
        1,
        "a refused change leaves the tags as they were"
    );
}

mod node_types {
    use reqwest::StatusCode;
    use serde_json::{Value, json};

    use crate::helpers::{Backend, TestApp, assert_problem, manual_workflow, webhook_workflow};

    #[tokio::test]
    async fn node_types_lists_what_this_server_runs() {
        let app = TestApp::spawn(Backend::Sqlite).await;
        let res = app.get("/api/v1/node-types").await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        let list = body["data"].as_array().unwrap();
        let set = list
            .iter()
            .find(|t| t["name"] == "n8n-nodes-base.set")
            .expect("set is listed");
        assert!(set["versions"].as_array().unwrap().contains(&json!(3.4)));
        let webhook = list
            .iter()
            .find(|t| t["name"] == "n8n-nodes-base.webhook")
            .expect("webhook is listed");
        assert_eq!(webhook["kind"], "trigger");
    }

    #[tokio::test]
    async fn a_workflow_with_unsupported_node_types_is_refused_with_each_listed() {
        let app = TestApp::spawn(Backend::Sqlite).await;
        let mut wf = manual_workflow("unsupported");
        wf["nodes"][1]["type"] = json!("n8n-nodes-base.notAThing");
        wf["nodes"].as_array_mut().unwrap().push(
            json!({"name": "Old Set", "type": "n8n-nodes-base.set", "typeVersion": 0.5, "parameters": {}}),
        );
        let res = app.post_json("/api/v1/workflows", &wf).await;
        let problem = assert_problem(res, StatusCode::BAD_REQUEST, "validation").await;
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains("n8n-nodes-base.notAThing@3.4")
                && detail.contains("n8n-nodes-base.set@0.5"),
            "{detail}"
        );
        let paths: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["path"].as_str().unwrap())
            .collect();
        assert_eq!(paths, ["nodes[1].type", "nodes[2].type"]);

        let ok = app.create_workflow(&webhook_workflow("hook")).await;
        let id = ok["id"].as_str().unwrap();
        let res = app.put_json(&format!("/api/v1/workflows/{id}"), &wf).await;
        assert_problem(res, StatusCode::BAD_REQUEST, "validation").await;
    }
}

async fn a_node_version_newer_than_any_known_runs_as_the_newest_with_a_warning(b: Backend) {
    let app = TestApp::spawn(b).await;
    let types: Value = app.get("/api/v1/node-types").await.json().await.unwrap();
    let newest = types["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "n8n-nodes-base.set")
        .and_then(|t| t["versions"].as_array())
        .and_then(|v| v.iter().filter_map(Value::as_f64).reduce(f64::max))
        .expect("Set's versions");
    let mut wf = manual_workflow("from a newer n8n");
    wf["nodes"][1]["typeVersion"] = json!(99.5);
    let res = app.post_json("/api/v1/workflows", &wf).await;
    assert_eq!(res.status(), StatusCode::OK);
    let saved: Value = res.json().await.unwrap();
    assert_eq!(saved["nodes"][1]["typeVersion"], 99.5, "stored as sent");
    assert_eq!(
        saved["warnings"],
        json!([format!(
            "n8n-nodes-base.set version 99.5 is newer than any this server knows; it runs as version {newest}"
        )])
    );
    let id = saved["id"].as_str().unwrap();
    let ex: Value = app
        .post_json(&format!("/api/v1/workflows/{id}/run"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ex["status"], "success", "{ex}");
    assert_eq!(
        ex["data"]["resultData"]["runData"]["Set"][0]["data"]["main"][0][0]["json"],
        json!({"x": 1})
    );
    // A plain read carries no warnings; an unknown type or an older unknown version stays refused.
    let read: Value = app
        .get(&format!("/api/v1/workflows/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(read.get("warnings").is_none());
    for (node_type, version) in [
        ("n8n-nodes-base.nope", json!(1)),
        ("n8n-nodes-base.set", json!(0.5)),
    ] {
        let mut wf = manual_workflow("refused");
        wf["nodes"][1]["type"] = json!(node_type);
        wf["nodes"][1]["typeVersion"] = version;
        let res = app.post_json("/api/v1/workflows", &wf).await;
        assert_problem(res, StatusCode::BAD_REQUEST, "validation").await;
    }
}
