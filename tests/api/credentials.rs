//! `/api/v1/credentials`: stored encrypted, never shown, checked against their type.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_problem};
use crate::on_both_backends;

on_both_backends!(
    a_credential_is_stored_encrypted_and_its_data_never_comes_back,
    credential_data_is_checked_against_its_type,
    a_patch_merges_data_so_one_secret_can_be_rotated,
    credentials_are_listed_in_pages_and_deleted,
    a_type_schema_lists_its_fields,
);

pub(crate) async fn create_credential(app: &TestApp, name: &str, kind: &str, data: Value) -> Value {
    let res = app
        .post_json(
            "/api/v1/credentials",
            &json!({"name": name, "type": kind, "data": data}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "create credential");
    res.json().await.unwrap()
}

async fn patch(app: &TestApp, id: &str, body: &Value) -> reqwest::Response {
    app.client
        .patch(app.url(&format!("/api/v1/credentials/{id}")))
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn a_credential_is_stored_encrypted_and_its_data_never_comes_back(b: Backend) {
    let app = TestApp::spawn(b).await;
    let created = create_credential(
        &app,
        "Partner",
        "httpBasicAuth",
        json!({"user": "partner", "password": "pa55-SECRET-word"}),
    )
    .await;
    assert_eq!(created["name"], "Partner");
    assert_eq!(created["type"], "httpBasicAuth");
    assert!(created.get("data").is_none());
    let id = created["id"].as_str().unwrap();
    for path in [
        format!("/api/v1/credentials/{id}"),
        "/api/v1/credentials".to_owned(),
    ] {
        let text = app.get(&path).await.text().await.unwrap();
        assert!(text.contains("Partner"), "{text}");
        assert!(
            !text.contains("pa55-SECRET-word"),
            "{path} shows the secret"
        );
    }
    // At rest: ciphertext only.
    use sea_orm::{ConnectionTrait, Statement};
    let row = app
        .db
        .writer()
        .query_one_raw(Statement::from_string(
            app.db.backend(),
            "SELECT data FROM credentials".to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    let stored: Vec<u8> = row.try_get_by_index(0).unwrap();
    assert!(stored.len() > 16);
    assert!(
        !stored.windows(6).any(|w| w == b"SECRET"),
        "the database holds the secret in clear"
    );
}

async fn credential_data_is_checked_against_its_type(b: Backend) {
    let app = TestApp::spawn(b).await;
    let res = app
        .post_json(
            "/api/v1/credentials",
            &json!({"name": "x", "type": "oAuth2Api", "data": {}}),
        )
        .await;
    let body = assert_problem(res, StatusCode::BAD_REQUEST, "validation").await;
    assert_eq!(body["errors"][0]["path"], "type");
    assert!(body["detail"].as_str().unwrap().contains("httpBasicAuth"));

    let res = app
        .post_json(
            "/api/v1/credentials",
            &json!({"name": " ", "type": "httpHeaderAuth", "data": {"name": "X-Key", "value": 3, "other": "y"}}),
        )
        .await;
    let body = assert_problem(res, StatusCode::BAD_REQUEST, "validation").await;
    let paths: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["name", "data.value", "data.other"]);

    let res = app
        .post_json(
            "/api/v1/credentials",
            &json!({"name": "jwt", "type": "jwtAuth", "data": {"keyType": "pemKey", "algorithm": "RS256", "publicKey": "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----"}}),
        )
        .await;
    let body = assert_problem(res, StatusCode::BAD_REQUEST, "validation").await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("public key cannot be read")
    );
    let res = app
        .post_json(
            "/api/v1/credentials",
            &json!({"name": "x", "type": "httpBasicAuth", "data": "user:pass"}),
        )
        .await;
    assert_problem(res, StatusCode::BAD_REQUEST, "validation").await;
    let res = app
        .post_raw("/api/v1/credentials", "application/json", "{\"name\":")
        .await;
    assert_problem(res, StatusCode::BAD_REQUEST, "malformed-json").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM credentials").await, 0);
}

async fn a_patch_merges_data_so_one_secret_can_be_rotated(b: Backend) {
    let app = TestApp::spawn(b).await;
    let created = create_credential(
        &app,
        "Ops",
        "httpBasicAuth",
        json!({"user": "ops", "password": "old"}),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let res = patch(
        &app,
        id,
        &json!({"name": "Ops 2", "data": {"password": "new"}}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["name"], "Ops 2");
    assert!(body.get("data").is_none());

    let res = patch(&app, id, &json!({"type": "httpBearerAuth"})).await;
    let body = assert_problem(res, StatusCode::BAD_REQUEST, "validation").await;
    assert_eq!(body["errors"][0]["path"], "data");
    let res = patch(&app, id, &json!({"data": {"user": 7}})).await;
    assert_problem(res, StatusCode::BAD_REQUEST, "validation").await;
    let res = patch(&app, id, &json!({"colour": "red"})).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = patch(
        &app,
        id,
        &json!({"type": "httpBearerAuth", "data": {"token": "t"}}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["type"], "httpBearerAuth");
    let missing = patch(
        &app,
        "0190a000-0000-7000-8000-000000000000",
        &json!({"name": "n"}),
    )
    .await;
    assert_problem(missing, StatusCode::NOT_FOUND, "not-found").await;
}

async fn credentials_are_listed_in_pages_and_deleted(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let c = create_credential(
            &app,
            &format!("Key {i}"),
            "httpBearerAuth",
            json!({"token": format!("t{i}")}),
        )
        .await;
        ids.push(c["id"].as_str().unwrap().to_owned());
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/credentials?limit=2&cursor={c}"),
            None => "/api/v1/credentials?limit=2".to_owned(),
        };
        let page: Value = app.get(&path).await.json().await.unwrap();
        for c in page["data"].as_array().unwrap() {
            seen.push(c["id"].as_str().unwrap().to_owned());
        }
        match page["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ids, "every credential once, oldest first");
    assert_problem(
        app.get("/api/v1/credentials?limit=251").await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;

    let res = app.delete(&format!("/api/v1/credentials/{}", ids[0])).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["name"], "Key 0");
    assert_problem(
        app.get(&format!("/api/v1/credentials/{}", ids[0])).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    assert_problem(
        app.delete(&format!("/api/v1/credentials/{}", ids[0])).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
}

async fn a_type_schema_lists_its_fields(b: Backend) {
    let app = TestApp::spawn(b).await;
    let res = app.get("/api/v1/credentials/schema/httpHeaderAuth").await;
    assert_eq!(res.status(), StatusCode::OK);
    let schema: Value = res.json().await.unwrap();
    assert_eq!(schema["required"], json!(["name", "value"]));
    assert_eq!(schema["additionalProperties"], false);
    assert_problem(
        app.get("/api/v1/credentials/schema/slackApi").await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_encryption_key_postgres_refuses_to_store_credentials() {
    let app = TestApp::spawn_with(Backend::Postgres, |s| s.encryption_key = None).await;
    let res = app
        .post_json(
            "/api/v1/credentials",
            &json!({"name": "x", "type": "httpBearerAuth", "data": {"token": "t"}}),
        )
        .await;
    let body = assert_problem(res, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("WEFT_ENCRYPTION_KEY")
    );
}
