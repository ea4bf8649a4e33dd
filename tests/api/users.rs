//! Managing users: n8n's public-API shapes (an array to create, `includeRole`, lookup by email,
//! `PATCH /users/{id}/role`, `transferId` on delete), the owner untouchable through the API,
//! and `weft user create` reading the password from standard input.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use weft::auth::{ApiKeySecret, Scopes};

use crate::authz_matrix::key;
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(
    the_owner_adds_lists_changes_and_removes_users_in_n8ns_shapes,
    deleting_a_user_hands_their_workflows_on_or_deletes_them,
);

const PASSWORD: &str = "Sturdy pass 42";

async fn send(
    app: &TestApp,
    key: Option<&ApiKeySecret>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = match key {
        Some(key) => reqwest::Client::new()
            .request(method, app.url(path))
            .header("X-N8N-API-KEY", key.expose()),
        None => app.client.request(method, app.url(path)),
    };
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.expect("answers");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn key_of(app: &TestApp, id: &str) -> ApiKeySecret {
    key(app, uuid::Uuid::parse_str(id).unwrap(), Scopes::All, None)
        .await
        .1
}

async fn the_owner_adds_lists_changes_and_removes_users_in_n8ns_shapes(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (status, made) = send(
        &app,
        None,
        Method::POST,
        "/api/v1/users",
        Some(json!([
            {"email": "Grace@Example.com", "role": "global:admin", "password": PASSWORD, "firstName": "Grace"},
            {"email": "linus@example.com"},
            {"email": "grace@example.com"}
        ])),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made[0]["user"]["email"], "grace@example.com");
    assert_eq!(made[0]["user"]["role"], "global:admin");
    assert_eq!(made[0]["user"]["emailSent"], false);
    assert_eq!(made[1]["user"]["role"], "global:member");
    assert!(
        made[2]["error"]
            .as_str()
            .unwrap()
            .contains("already exists"),
        "{made}"
    );
    assert!(made[2].get("user").is_none());
    let grace = made[0]["user"]["id"].as_str().unwrap().to_owned();
    let linus = made[1]["user"]["id"].as_str().unwrap().to_owned();

    // Bad items refuse the whole request before anything is stored.
    for bad in [
        json!([{"email": "x@example.com", "role": "global:owner"}]),
        json!([{"email": "y@example.com", "role": "boss"}]),
        json!([{"email": "no-at-sign"}]),
        json!([{"email": "z@example.com", "password": "short"}]),
        json!([]),
    ] {
        let (status, problem) =
            send(&app, None, Method::POST, "/api/v1/users", Some(bad.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad} {problem}");
    }
    let (_, list) = send(&app, None, Method::GET, "/api/v1/users?limit=250", None).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 3, "{list}");
    let (status, problem) = send(
        &app,
        None,
        Method::PATCH,
        "/api/v1/users/x",
        Some(json!([null])),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an array is no patch: {problem}"
    );
    assert!(
        list["data"][0].get("role").is_none(),
        "role only with includeRole: {list}"
    );
    let (_, list) = send(
        &app,
        None,
        Method::GET,
        "/api/v1/users?includeRole=true&limit=1",
        None,
    )
    .await;
    assert_eq!(list["data"][0]["role"], "global:owner");
    assert!(list["nextCursor"].is_string());
    let (status, by_email) = send(
        &app,
        None,
        Method::GET,
        "/api/v1/users/LINUS@example.com",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_email["id"], linus.as_str());
    assert_eq!(by_email["isPending"], true);

    // A password set later lets the user sign in.
    let (status, changed) = send(
        &app,
        None,
        Method::PATCH,
        &format!("/api/v1/users/{linus}"),
        Some(json!({"password": PASSWORD, "lastName": "T"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["isPending"], false);
    assert_eq!(changed["lastName"], "T");
    let (status, tokens) = send(
        &app,
        None,
        Method::POST,
        "/api/v1/auth/login",
        Some(json!({"email": "linus@example.com", "password": PASSWORD})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");

    // Members see users (to share with them) but do not manage them; a promoted one does.
    let linus_key = key_of(&app, &linus).await;
    let (status, _) = send(&app, Some(&linus_key), Method::GET, "/api/v1/users", None).await;
    assert_eq!(status, StatusCode::OK);
    let invite = || Some(json!([{"email": "ken@example.com"}]));
    let (status, _) = send(
        &app,
        Some(&linus_key),
        Method::POST,
        "/api/v1/users",
        invite(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = send(
        &app,
        None,
        Method::PATCH,
        &format!("/api/v1/users/{linus}/role"),
        Some(json!({"newRoleName": "global:admin"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = send(
        &app,
        Some(&linus_key),
        Method::POST,
        "/api/v1/users",
        invite(),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "a new role takes effect at once"
    );

    // Admins leave the owner and each other alone; nobody removes themselves.
    let owner = weft::store::users::owner(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let grace_key = key_of(&app, &grace).await;
    for (method, path, body) in [
        (
            Method::PATCH,
            format!("/api/v1/users/{owner}"),
            Some(json!({"disabled": true})),
        ),
        (
            Method::PATCH,
            format!("/api/v1/users/{owner}/role"),
            Some(json!({"newRoleName": "global:member"})),
        ),
        (Method::DELETE, format!("/api/v1/users/{owner}"), None),
        (
            Method::PATCH,
            format!("/api/v1/users/{linus}"),
            Some(json!({"disabled": true})),
        ),
    ] {
        let (status, problem) = send(&app, Some(&grace_key), method, &path, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path} {problem}");
    }
    let (status, _) = send(
        &app,
        Some(&grace_key),
        Method::DELETE,
        &format!("/api/v1/users/{grace}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "nobody removes themselves");

    // Disabling ends the user's keys at once; deleting removes them.
    let (status, _) = send(
        &app,
        None,
        Method::PATCH,
        &format!("/api/v1/users/{linus}"),
        Some(json!({"disabled": true})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = send(
        &app,
        Some(&linus_key),
        Method::GET,
        "/api/v1/workflows",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = send(
        &app,
        None,
        Method::DELETE,
        &format!("/api/v1/users/{linus}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = send(
        &app,
        None,
        Method::GET,
        &format!("/api/v1/users/{linus}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn deleting_a_user_hands_their_workflows_on_or_deletes_them(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, made) = send(
        &app,
        None,
        Method::POST,
        "/api/v1/users",
        Some(json!([{"email": "a@example.com"}, {"email": "b@example.com"}, {"email": "heir@example.com"}])),
    )
    .await;
    let ids: Vec<String> = (0..3)
        .map(|i| made[i]["user"]["id"].as_str().unwrap().to_owned())
        .collect();
    let mut workflows = Vec::new();
    for id in &ids[..2] {
        let k = key_of(&app, id).await;
        let (status, wf) = send(
            &app,
            Some(&k),
            Method::POST,
            "/api/v1/workflows",
            Some(crate::helpers::manual_workflow("theirs")),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        workflows.push(wf["id"].as_str().unwrap().to_owned());
    }
    let heir = key_of(&app, &ids[2]).await;
    let (status, _) = send(
        &app,
        Some(&heir),
        Method::GET,
        &format!("/api/v1/workflows/{}", workflows[0]),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, _) = send(
        &app,
        None,
        Method::DELETE,
        &format!("/api/v1/users/{}?transferId={}", ids[0], ids[2]),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, wf) = send(
        &app,
        Some(&heir),
        Method::GET,
        &format!("/api/v1/workflows/{}", workflows[0]),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "the heir owns it now: {wf}");

    let (status, _) = send(
        &app,
        None,
        Method::DELETE,
        &format!("/api/v1/users/{}", ids[1]),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = send(
        &app,
        None,
        Method::GET,
        &format!("/api/v1/workflows/{}", workflows[1]),
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "deleted with its owner, as n8n"
    );

    let (status, _) = send(
        &app,
        None,
        Method::DELETE,
        &format!("/api/v1/users/{}?transferId={}", ids[2], ids[2]),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
