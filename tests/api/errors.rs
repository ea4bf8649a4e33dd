//! Bad input of every kind gets a 4xx problem+json, never a 500.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, TestApp, assert_problem, manual_workflow};
use crate::on_both_backends;

on_both_backends!(
    malformed_json_is_400,
    values_of_the_wrong_type_are_400_with_the_path_of_the_field,
    duplicate_node_names_are_400_naming_the_node,
    a_connection_to_a_missing_node_is_400,
    a_body_over_the_limit_is_413,
    an_unknown_or_malformed_id_is_404,
    a_body_that_is_not_json_is_415,
    an_unknown_route_is_a_404_problem,
    a_known_path_asked_with_another_method_is_a_405_naming_the_allowed_ones,
);

async fn malformed_json_is_400(b: Backend) {
    let app = TestApp::spawn(b).await;
    for body in ["{", "{\"name\": }", "[1,2", "{} trailing", ""] {
        let res = app
            .post_raw("/api/v1/workflows", "application/json", body)
            .await;
        assert_problem(res, StatusCode::BAD_REQUEST, "malformed-json").await;
    }
}

async fn values_of_the_wrong_type_are_400_with_the_path_of_the_field(b: Backend) {
    let app = TestApp::spawn(b).await;
    let cases = [
        (json!({"name": 5, "nodes": [], "connections": {}}), "name"),
        (
            json!({"name": "x", "nodes": "nope", "connections": {}}),
            "nodes",
        ),
        (
            json!({"name": "x", "nodes": [{"name": "A", "type": "t", "typeVersion": "1"}], "connections": {}}),
            "nodes[0]",
        ),
        (
            json!({"name": "x", "nodes": [{"name": "A", "typeVersion": 1}], "connections": {}}),
            "nodes[0]",
        ),
        (
            json!({"name": "x", "nodes": [], "connections": []}),
            "connections",
        ),
        (
            json!({"name": "x", "nodes": [], "connections": {}, "settings": "fast"}),
            "settings",
        ),
        (
            json!({"name": "   ", "nodes": [], "connections": {}}),
            "name",
        ),
        (json!({"nodes": [], "connections": {}}), "(body)"),
        (json!([1, 2]), "[0]"),
        (
            json!({"name": "x", "nodes": [{"name": "A", "type": "t", "typeVersion": 1}],
                   "connections": {"A": {"main": [[{"node": "A", "type": "main", "index": -1}]]}}}),
            "connections.A.main[0][0].index",
        ),
    ];
    for (body, path) in cases {
        let res = app.post_json("/api/v1/workflows", &body).await;
        let problem = assert_problem(res, StatusCode::BAD_REQUEST, "validation").await;
        let got = problem["errors"][0]["path"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            got.starts_with(path),
            "{body}: expected path {path}, got {got}"
        );
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
}

async fn duplicate_node_names_are_400_naming_the_node(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut wf = manual_workflow("dup");
    wf["nodes"][1]["name"] = json!("Start");
    wf["connections"] = json!({});
    let problem = assert_problem(
        app.post_json("/api/v1/workflows", &wf).await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    assert_eq!(problem["errors"][0]["path"], "nodes[1].name");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("duplicate")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM workflows").await,
        0,
        "nothing was stored"
    );
    // The same rule applies to a replace.
    let ok = app.create_workflow(&manual_workflow("ok")).await;
    let res = app
        .put_json(
            &format!("/api/v1/workflows/{}", ok["id"].as_str().unwrap()),
            &wf,
        )
        .await;
    assert_problem(res, StatusCode::BAD_REQUEST, "validation").await;
}

async fn a_connection_to_a_missing_node_is_400(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut wf = manual_workflow("dangling");
    wf["connections"]["Set"] = json!({"main": [[{"node": "Nowhere", "type": "main", "index": 0}]]});
    wf["connections"]["Ghost"] = json!({"main": [[{"node": "Set", "type": "main", "index": 0}]]});
    let problem = assert_problem(
        app.post_json("/api/v1/workflows", &wf).await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    let paths: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            r#"connections["Ghost"]"#,
            r#"connections["Set"].main[0][0].node"#
        ]
    );
}

async fn a_body_over_the_limit_is_413(b: Backend) {
    let app = TestApp::spawn_with(b, |s| s.max_body_bytes = "4096".into()).await;
    let mut wf = manual_workflow("big");
    wf["nodes"][1]["parameters"]["blob"] = json!("x".repeat(5000));
    let res = app.post_json("/api/v1/workflows", &wf).await;
    let problem = assert_problem(res, StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large").await;
    assert!(problem["detail"].as_str().unwrap().contains("4096"));
    // Chunked, with no Content-Length: the limit still holds while streaming.
    let chunks =
        futures_util::stream::iter((0..10).map(|_| Ok::<_, std::io::Error>("x".repeat(1000))));
    let res = app
        .post_raw(
            "/api/v1/workflows",
            "application/json",
            reqwest::Body::wrap_stream(chunks),
        )
        .await;
    assert_problem(res, StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large").await;
    let small = app
        .post_json("/api/v1/workflows", &manual_workflow("small"))
        .await;
    assert_eq!(small.status(), StatusCode::OK);
}

async fn an_unknown_or_malformed_id_is_404(b: Backend) {
    let app = TestApp::spawn(b).await;
    for id in [
        uuid::Uuid::now_v7().to_string(),
        "not-a-uuid".into(),
        "123".into(),
    ] {
        let path = format!("/api/v1/workflows/{id}");
        assert_problem(app.get(&path).await, StatusCode::NOT_FOUND, "not-found").await;
        assert_problem(app.delete(&path).await, StatusCode::NOT_FOUND, "not-found").await;
    }
}

async fn a_body_that_is_not_json_is_415(b: Backend) {
    let app = TestApp::spawn(b).await;
    let body = serde_json::to_string(&manual_workflow("x")).unwrap();
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
    ] {
        let res = app.post_raw("/api/v1/workflows", ct, body.clone()).await;
        assert_problem(
            res,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
        )
        .await;
    }
    let res = app
        .client
        .post(app.url("/api/v1/workflows"))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_problem(
        res,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
    )
    .await;
    let ok = app
        .post_raw("/api/v1/workflows", "application/json; charset=utf-8", body)
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
}

async fn an_unknown_route_is_a_404_problem(b: Backend) {
    let app = TestApp::spawn(b).await;
    assert_problem(
        app.get("/api/v1/nothing-here").await,
        StatusCode::NOT_FOUND,
        "no-route",
    )
    .await;
    assert_problem(app.get("/nothing").await, StatusCode::NOT_FOUND, "no-route").await;
}

async fn a_known_path_asked_with_another_method_is_a_405_naming_the_allowed_ones(b: Backend) {
    let app = TestApp::spawn(b).await;
    let res = app
        .client
        .request(reqwest::Method::PATCH, app.url("/api/v1/workflows"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["allow"], "GET, POST");
    assert_problem(res, StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed").await;
    let id = "/api/v1/tags/0190b8a0-0000-7000-8000-000000000000";
    let res = app.post_json(id, &serde_json::json!({})).await;
    assert_eq!(res.headers()["allow"], "DELETE, GET, PUT");
    assert_problem(res, StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed").await;
    let res = app
        .client
        .request(reqwest::Method::TRACE, app.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
}
