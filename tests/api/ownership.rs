//! What ownership means beyond the API's answers: a workflow uses only credentials its owner
//! may use (checked on save, activation and at every lookup of a run), and Execute Workflow's
//! default caller policy, `workflowsFromSameOwner`, lets only the owner's workflows call.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use weft::auth::{ApiKeySecret, Role, Scopes};

use crate::authz_matrix::{key, user};
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;
use crate::webhooks::activate;

on_both_backends!(
    a_workflow_uses_only_credentials_its_owner_may_use,
    by_default_only_workflows_of_the_same_owner_call_a_sub_workflow,
);

async fn member(app: &TestApp, name: &str) -> ApiKeySecret {
    let id = user(app, &format!("{name}@example.com"), Role::Member).await;
    key(app, id, Scopes::All, None).await.1
}

async fn send(
    app: &TestApp,
    key: &ApiKeySecret,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .request(method, app.url(path))
        .header("X-N8N-API-KEY", key.expose());
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.expect("answers");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Runs workflow `id` as `key` and returns the HTTP node's first item or the run's error.
async fn run(app: &TestApp, key: &ApiKeySecret, id: &str) -> Result<Value, String> {
    let (status, ex) = send(
        app,
        key,
        Method::POST,
        &format!("/api/v1/workflows/{id}/run"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{ex}");
    match ex["data"]["resultData"]["error"]["message"].as_str() {
        Some(message) => Err(message.to_owned()),
        None => Ok(
            ex["data"]["resultData"]["runData"]["HTTP"][0]["data"]["main"][0][0]["json"].clone(),
        ),
    }
}

async fn a_workflow_uses_only_credentials_its_owner_may_use(b: Backend) {
    let app = TestApp::spawn_with(b, |s| s.nodes.http_allow = "127.0.0.1,localhost".into()).await;
    let maker = member(&app, "maker").await;
    let stranger = member(&app, "stranger").await;
    let stranger_id = weft::store::users::by_id_or_email(&app.db, "stranger@example.com")
        .await
        .unwrap()
        .unwrap()
        .id;
    let (status, credential) = send(
        &app,
        &maker,
        Method::POST,
        "/api/v1/credentials",
        Some(json!({"name": "Echo key", "type": "httpHeaderAuth", "data": {"name": "X-Echo-Key", "value": "e-1"}})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let cred_id = credential["id"].as_str().unwrap().to_owned();
    // The owner (who may use every credential) serves an echo guarded by it.
    activate(&app, &crate::http_credentials::echo(&credential)).await;
    let port = app.address.rsplit(':').next().unwrap().to_owned();
    let url = format!("http://127.0.0.1:{port}/webhook/echo");

    // Saving a workflow that names the maker's credential by id: refused, the node named.
    let by_id = crate::http_credentials::caller(&url, &credential);
    let (status, problem) = send(
        &app,
        &stranger,
        Method::POST,
        "/api/v1/workflows",
        Some(by_id.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(
        problem["errors"][0]["path"], "nodes[1].credentials.httpHeaderAuth",
        "{problem}"
    );

    // By name only (as an export from another n8n): saved, but the run finds nothing of theirs.
    let by_name =
        crate::http_credentials::caller(&url, &json!({"id": "n8n-17", "name": "Echo key"}));
    let (status, saved) = send(
        &app,
        &stranger,
        Method::POST,
        "/api/v1/workflows",
        Some(by_name),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let by_name_id = saved["id"].as_str().unwrap().to_owned();
    let refused = run(&app, &stranger, &by_name_id).await.unwrap_err();
    assert!(refused.contains("does not exist"), "{refused}");

    // Shared with the stranger: saving by id works and both runs send it.
    let share = json!({"shares": [{"userId": stranger_id.to_string(), "role": "viewer"}]});
    let (status, _) = send(
        &app,
        &maker,
        Method::PUT,
        &format!("/api/v1/credentials/{cred_id}/share"),
        Some(share),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, saved) = send(
        &app,
        &stranger,
        Method::POST,
        "/api/v1/workflows",
        Some(by_id.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let by_id_id = saved["id"].as_str().unwrap().to_owned();
    for id in [&by_id_id, &by_name_id] {
        let got = run(&app, &stranger, id)
            .await
            .expect("the shared credential is used");
        assert_eq!(got["headers"]["x-echo-key"], "e-1", "{got}");
    }

    // The share stopped: saving again is refused and the stored workflow's run fails.
    let (status, _) = send(
        &app,
        &maker,
        Method::PUT,
        &format!("/api/v1/credentials/{cred_id}/share"),
        Some(json!({"shares": []})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = send(
        &app,
        &stranger,
        Method::PUT,
        &format!("/api/v1/workflows/{by_id_id}"),
        Some(by_id),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let refused = run(&app, &stranger, &by_id_id).await.unwrap_err();
    assert!(
        refused.contains("not available to the workflow's owner"),
        "{refused}"
    );
    // The stranger cannot see the credential either.
    let (status, _) = send(
        &app,
        &stranger,
        Method::GET,
        &format!("/api/v1/credentials/{cred_id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn by_default_only_workflows_of_the_same_owner_call_a_sub_workflow(b: Backend) {
    use crate::subworkflows::{caller, sub_workflow};
    let app = TestApp::spawn(b).await;
    let maker = member(&app, "maker").await;
    let stranger = member(&app, "stranger").await;
    let create = |key: &ApiKeySecret, wf: Value| {
        let app = &app;
        let key = key.clone();
        async move {
            let (status, body) = send(app, &key, Method::POST, "/api/v1/workflows", Some(wf)).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body["id"].as_str().unwrap().to_owned()
        }
    };
    let sub = create(&maker, sub_workflow(json!({}))).await;
    let open = create(&maker, sub_workflow(json!({"callerPolicy": "any"}))).await;
    let run_status = |key: &ApiKeySecret, id: String| {
        let app = &app;
        let key = key.clone();
        async move {
            let (status, ex) = send(
                app,
                &key,
                Method::POST,
                &format!("/api/v1/workflows/{id}/run"),
                Some(json!({})),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{ex}");
            ex
        }
    };
    let own = create(&maker, caller(&sub, true)).await;
    let ex = run_status(&maker, own).await;
    assert_eq!(ex["status"], "success", "{ex}");

    let foreign = create(&stranger, caller(&sub, true)).await;
    let ex = run_status(&stranger, foreign).await;
    assert_eq!(ex["status"], "error", "{ex}");
    let message = ex["data"]["resultData"]["error"]["message"]
        .as_str()
        .unwrap();
    assert!(
        message.contains("allow only workflows of the same owner"),
        "{message}"
    );

    let fire_and_forget = create(&stranger, caller(&sub, false)).await;
    let ex = run_status(&stranger, fire_and_forget).await;
    assert_eq!(ex["status"], "error", "{ex}");

    let to_open = create(&stranger, caller(&open, true)).await;
    let ex = run_status(&stranger, to_open).await;
    assert_eq!(ex["status"], "success", "{ex}");
}
