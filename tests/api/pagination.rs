//! Keyset pagination and list filters of `GET /workflows` and `GET /tags`.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use futures_util::StreamExt as _;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_problem, manual_workflow, webhook_workflow};
use crate::on_both_backends;

on_both_backends!(
    paging_through_1000_workflows_during_concurrent_inserts_returns_each_existing_row_once,
    limit_defaults_to_100_and_must_be_between_1_and_250,
    a_cursor_this_server_did_not_issue_is_400,
    workflows_can_be_filtered_by_active_name_and_tags,
);

async fn create_many(app: &TestApp, n: usize) -> Vec<String> {
    futures_util::stream::iter(0..n)
        .map(|i| async move {
            let wf = app
                .create_workflow(&manual_workflow(&format!("bulk {i}")))
                .await;
            wf["id"].as_str().unwrap().to_owned()
        })
        .buffer_unordered(8)
        .collect()
        .await
}

async fn page(app: &TestApp, query: &str) -> Value {
    let res = app.get(&format!("/api/v1/workflows?{query}")).await;
    assert_eq!(res.status(), StatusCode::OK, "{query}");
    res.json().await.unwrap()
}

async fn paging_through_1000_workflows_during_concurrent_inserts_returns_each_existing_row_once(
    b: Backend,
) {
    let app = Arc::new(TestApp::spawn(b).await);
    let existing: HashSet<String> = create_many(&app, 1000).await.into_iter().collect();
    assert_eq!(existing.len(), 1000);

    let stop = Arc::new(AtomicBool::new(false));
    let inserted = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (app, stop, inserted) = (app.clone(), stop.clone(), inserted.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                app.create_workflow(&manual_workflow("concurrent")).await;
                inserted.fetch_add(1, Ordering::Relaxed);
            }
        })
    };

    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let query = match &cursor {
            None => "limit=37".to_owned(),
            Some(c) => format!("limit=37&cursor={c}"),
        };
        let body = page(&app, &query).await;
        let data = body["data"].as_array().unwrap();
        assert!(data.len() <= 37);
        seen.extend(data.iter().map(|w| w["id"].as_str().unwrap().to_owned()));
        pages += 1;
        // Let the writer land some rows between pages.
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        match body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();

    assert!(
        inserted.load(Ordering::Relaxed) > 0,
        "rows were inserted while paging"
    );
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no row repeats");
    let missing = existing.iter().filter(|id| !unique.contains(id)).count();
    assert_eq!(
        missing, 0,
        "every pre-existing row appears once ({pages} pages)"
    );
}

async fn limit_defaults_to_100_and_must_be_between_1_and_250(b: Backend) {
    let app = TestApp::spawn(b).await;
    create_many(&app, 101).await;
    let first = page(&app, "").await;
    assert_eq!(first["data"].as_array().unwrap().len(), 100);
    let cursor = first["nextCursor"]
        .as_str()
        .expect("more follow")
        .to_owned();
    let last = page(&app, &format!("cursor={cursor}")).await;
    assert_eq!(last["data"].as_array().unwrap().len(), 1);
    assert_eq!(last["nextCursor"], Value::Null);
    assert_eq!(
        page(&app, "limit=250").await["data"]
            .as_array()
            .unwrap()
            .len(),
        101
    );

    for bad in ["limit=251", "limit=0", "limit=-1"] {
        let res = app.get(&format!("/api/v1/workflows?{bad}")).await;
        let expected_code = if bad == "limit=-1" {
            "bad-request"
        } else {
            "validation"
        };
        assert_problem(res, StatusCode::BAD_REQUEST, expected_code).await;
    }
    let res = app.get("/api/v1/workflows?limit=abc").await;
    assert_problem(res, StatusCode::BAD_REQUEST, "bad-request").await;
    let res = app.get("/api/v1/tags?limit=251").await;
    assert_problem(res, StatusCode::BAD_REQUEST, "validation").await;
}

async fn a_cursor_this_server_did_not_issue_is_400(b: Backend) {
    let app = TestApp::spawn(b).await;
    for bad in ["garbage", "eyJvZmZzZXQiOjEwMH0", "MTp4Onk"] {
        for list in ["workflows", "tags"] {
            let res = app.get(&format!("/api/v1/{list}?cursor={bad}")).await;
            let problem = assert_problem(res, StatusCode::BAD_REQUEST, "validation").await;
            assert_eq!(problem["errors"][0]["path"], "cursor");
        }
    }
}

async fn workflows_can_be_filtered_by_active_name_and_tags(b: Backend) {
    let app = TestApp::spawn(b).await;
    let hook = app.create_workflow(&webhook_workflow("Billing hook")).await;
    app.client
        .post(app.url(&format!(
            "/api/v1/workflows/{}/activate",
            hook["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    let report = app
        .create_workflow(&manual_workflow("Monthly report"))
        .await;
    app.create_workflow(&manual_workflow("100%_done")).await;
    let tag = app.create_tag("finance").await;
    app.put_json(
        &format!("/api/v1/workflows/{}/tags", report["id"].as_str().unwrap()),
        &json!([{"id": tag["id"]}]),
    )
    .await;

    let names = |body: Value| -> Vec<String> {
        let mut v: Vec<String> = body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["name"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(page(&app, "active=true").await), ["Billing hook"]);
    assert_eq!(
        names(page(&app, "active=false").await),
        ["100%_done", "Monthly report"]
    );
    assert_eq!(names(page(&app, "name=REPORT").await), ["Monthly report"]);
    assert_eq!(
        names(page(&app, "name=%25_").await),
        ["100%_done"],
        "LIKE wildcards are literal"
    );
    assert_eq!(
        names(page(&app, "tags=finance,unknown").await),
        ["Monthly report"]
    );
    assert_eq!(
        names(page(&app, "tags=unknown").await),
        Vec::<String>::new()
    );
    assert_eq!(
        names(page(&app, "active=false&tags=finance").await),
        ["Monthly report"]
    );
    let with_tags = page(&app, "tags=finance").await;
    assert_eq!(with_tags["data"][0]["tags"][0]["name"], "finance");
    let res = app.get("/api/v1/workflows?active=maybe").await;
    assert_problem(res, StatusCode::BAD_REQUEST, "bad-request").await;
}
