//! Tag CRUD: unique names, paging, deleting a tag a workflow carries.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_problem, manual_workflow};
use crate::on_both_backends;

on_both_backends!(
    tags_can_be_created_read_renamed_and_deleted,
    a_duplicate_tag_name_is_409,
    tags_page_oldest_first,
    deleting_a_tag_removes_it_from_workflows,
);

async fn tags_can_be_created_read_renamed_and_deleted(b: Backend) {
    let app = TestApp::spawn(b).await;
    let tag = app.create_tag("  prod ").await;
    assert_eq!(tag["name"], "prod", "names are trimmed");
    let path = format!("/api/v1/tags/{}", tag["id"].as_str().unwrap());
    let got: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(got, tag);
    let renamed: Value = app
        .put_json(&path, &json!({"name": "production"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(renamed["name"], "production");
    assert_eq!(renamed["createdAt"], tag["createdAt"]);
    let deleted = app.delete(&path).await;
    assert_eq!(deleted.status(), StatusCode::OK);
    assert_eq!(deleted.json::<Value>().await.unwrap()["name"], "production");
    assert_problem(app.get(&path).await, StatusCode::NOT_FOUND, "not-found").await;
    assert_problem(
        app.get("/api/v1/tags/not-a-uuid").await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    for bad in [
        json!({"name": ""}),
        json!({"name": "x".repeat(25)}),
        json!({"name": 3}),
        json!({}),
    ] {
        assert_problem(
            app.post_json("/api/v1/tags", &bad).await,
            StatusCode::BAD_REQUEST,
            "validation",
        )
        .await;
    }
}

async fn a_duplicate_tag_name_is_409(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.create_tag("prod").await;
    let other = app.create_tag("dev").await;
    let dup = app
        .post_json("/api/v1/tags", &json!({"name": "prod"}))
        .await;
    let problem = assert_problem(dup, StatusCode::CONFLICT, "conflict").await;
    assert!(problem["detail"].as_str().unwrap().contains("prod"));
    let rename = app
        .put_json(
            &format!("/api/v1/tags/{}", other["id"].as_str().unwrap()),
            &json!({"name": "prod"}),
        )
        .await;
    assert_problem(rename, StatusCode::CONFLICT, "conflict").await;
}

async fn tags_page_oldest_first(b: Backend) {
    let app = TestApp::spawn(b).await;
    for i in 0..5 {
        app.create_tag(&format!("t{i}")).await;
    }
    let mut names = Vec::new();
    let mut cursor = String::new();
    loop {
        let body: Value = app
            .get(&format!("/api/v1/tags?limit=2&cursor={cursor}"))
            .await
            .json()
            .await
            .unwrap();
        names.extend(
            body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["name"].as_str().unwrap().to_owned()),
        );
        match body["nextCursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    assert_eq!(names, ["t0", "t1", "t2", "t3", "t4"]);
}

async fn deleting_a_tag_removes_it_from_workflows(b: Backend) {
    let app = TestApp::spawn(b).await;
    let wf = app.create_workflow(&manual_workflow("w")).await;
    let tag = app.create_tag("gone").await;
    let tags_path = format!("/api/v1/workflows/{}/tags", wf["id"].as_str().unwrap());
    app.put_json(&tags_path, &json!([{"id": tag["id"]}])).await;
    app.delete(&format!("/api/v1/tags/{}", tag["id"].as_str().unwrap()))
        .await;
    let left: Value = app.get(&tags_path).await.json().await.unwrap();
    assert_eq!(left, json!([]));
}
