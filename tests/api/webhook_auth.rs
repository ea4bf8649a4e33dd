//! Webhook node authentication with stored credentials: basic, bearer, header and JWT, each
//! with right and wrong credentials; refused calls start nothing.

use reqwest::StatusCode;
use serde_json::{Value, json};
use weft_nodes::jwt::JwtCredential;

use crate::credentials::create_credential;
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;
use crate::webhooks::{activate, send_activate};

on_both_backends!(
    basic_auth_lets_the_right_user_in_and_refuses_others,
    header_auth_needs_the_header_with_its_exact_value,
    bearer_auth_needs_the_exact_token,
    jwt_auth_verifies_the_token_and_hands_its_claims_to_the_workflow,
    a_node_without_its_credential_refuses_every_call,
    rotating_or_deleting_a_credential_applies_to_the_next_call,
    a_credential_is_found_by_name_when_its_id_is_another_instances,
);

/// Webhook (lastNode) whose item is the answer, guarded by `auth` with `credential`.
fn guarded(path: &str, auth: &str, credentials: Value) -> Value {
    json!({
        "name": path,
        "nodes": [{
            "name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2.1,
            "position": [0, 0], "webhookId": "0b5e3c2a-1111-4000-8000-000000000001",
            "parameters": {"path": path, "httpMethod": "POST", "responseMode": "lastNode",
                           "authentication": auth, "options": {}},
            "credentials": credentials
        }],
        "connections": {},
        "settings": {"executionOrder": "v1"}
    })
}

fn reference(kind: &str, credential: &Value) -> Value {
    json!({kind: {"id": credential["id"], "name": credential["name"]}})
}

async fn call(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app
        .client
        .post(app.url(&format!("/webhook/{path}")))
        .json(&json!({"n": 1}));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

/// Status, `WWW-Authenticate` and plain-text body of a refusal.
async fn refusal(res: reqwest::Response) -> (StatusCode, String, String) {
    let status = res.status();
    let challenge = res
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, challenge, res.text().await.unwrap())
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

async fn basic_auth_lets_the_right_user_in_and_refuses_others(b: Backend) {
    let app = TestApp::spawn(b).await;
    let cred = create_credential(
        &app,
        "Partner",
        "httpBasicAuth",
        json!({"user": "partner", "password": "s3cret:with-colon"}),
    )
    .await;
    activate(
        &app,
        &guarded("basic", "basicAuth", reference("httpBasicAuth", &cred)),
    )
    .await;

    let (status, challenge, text) = refusal(call(&app, "basic", &[]).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(challenge, "Basic realm=\"Webhook\"");
    assert_eq!(text, "Authorization is required!");
    let wrong = basic("partner", "s3cret");
    let (status, challenge, text) =
        refusal(call(&app, "basic", &[("authorization", &wrong)]).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(challenge, "Basic realm=\"Webhook\"");
    assert_eq!(text, "Authorization data is wrong!");
    let other_user = basic("intruder", "s3cret:with-colon");
    let res = call(&app, "basic", &[("authorization", &other_user)]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = call(&app, "basic", &[("authorization", "Basic !!!")]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM executions").await,
        0,
        "refused calls start nothing"
    );

    let right = basic("partner", "s3cret:with-colon");
    let res = call(&app, "basic", &[("authorization", &right)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["body"]["n"], 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM executions").await, 1);
}

async fn header_auth_needs_the_header_with_its_exact_value(b: Backend) {
    let app = TestApp::spawn(b).await;
    let cred = create_credential(
        &app,
        "Key",
        "httpHeaderAuth",
        json!({"name": "X-Api-Key", "value": "k-123"}),
    )
    .await;
    activate(
        &app,
        &guarded("hdr", "headerAuth", reference("httpHeaderAuth", &cred)),
    )
    .await;
    for headers in [
        vec![],
        vec![("x-api-key", "k-12")],
        vec![("x-api-key", "k-1234")],
    ] {
        let (status, _, text) = refusal(call(&app, "hdr", &headers).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(text, "Authorization data is wrong!");
    }
    let res = call(&app, "hdr", &[("X-API-KEY", "k-123")]).await;
    assert_eq!(res.status(), StatusCode::OK, "header names are case-blind");
}

async fn bearer_auth_needs_the_exact_token(b: Backend) {
    let app = TestApp::spawn(b).await;
    let cred = create_credential(&app, "Tok", "httpBearerAuth", json!({"token": "tok-9"})).await;
    activate(
        &app,
        &guarded("bearer", "bearerAuth", reference("httpBearerAuth", &cred)),
    )
    .await;
    let res = call(&app, "bearer", &[("authorization", "Bearer tok-8")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = call(&app, "bearer", &[]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = call(&app, "bearer", &[("authorization", "Bearer tok-9")]).await;
    assert_eq!(res.status(), StatusCode::OK);
}

async fn jwt_auth_verifies_the_token_and_hands_its_claims_to_the_workflow(b: Backend) {
    let app = TestApp::spawn(b).await;
    let data =
        json!({"keyType": "passphrase", "secret": "jwt-shared-secret", "algorithm": "HS256"});
    let cred = create_credential(&app, "JWT", "jwtAuth", data.clone()).await;
    activate(
        &app,
        &guarded("jwt", "jwtAuth", reference("jwtAuth", &cred)),
    )
    .await;
    let signer = JwtCredential::parse(data.as_object().unwrap()).unwrap();

    let (status, _, text) = refusal(call(&app, "jwt", &[]).await).await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::UNAUTHORIZED, "No token provided")
    );
    let forged = JwtCredential::parse(json!({"secret": "guess"}).as_object().unwrap())
        .unwrap()
        .sign(&json!({"sub": "x"}))
        .unwrap();
    let bearer = format!("Bearer {forged}");
    let (status, _, text) = refusal(call(&app, "jwt", &[("authorization", &bearer)]).await).await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::FORBIDDEN, "invalid signature")
    );
    let expired = signer
        .sign(&json!({"sub": "x", "exp": chrono::Utc::now().timestamp() - 10}))
        .unwrap();
    let bearer = format!("Bearer {expired}");
    let (status, _, text) = refusal(call(&app, "jwt", &[("authorization", &bearer)]).await).await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::FORBIDDEN, "jwt expired")
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM executions").await, 0);

    let good = signer
        .sign(&json!({"sub": "user-7", "role": "admin"}))
        .unwrap();
    let bearer = format!("Bearer {good}");
    let res = call(&app, "jwt", &[("authorization", &bearer)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["jwtPayload"]["sub"], "user-7");
    assert_eq!(body["jwtPayload"]["role"], "admin");
}

async fn a_node_without_its_credential_refuses_every_call(b: Backend) {
    let app = TestApp::spawn(b).await;
    activate(&app, &guarded("bare", "basicAuth", json!({}))).await;
    let right = basic("anyone", "anything");
    let (status, _, text) = refusal(call(&app, "bare", &[("authorization", &right)]).await).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(text, "No authentication data defined on node!");
    assert_eq!(app.count("SELECT COUNT(*) FROM executions").await, 0);

    // An authentication this server cannot check is refused when the workflow is activated.
    let created = app
        .create_workflow(&guarded("oidc", "oidcAuth", json!({})))
        .await;
    let res = send_activate(&app, &created).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("oidcAuth"));
}

async fn rotating_or_deleting_a_credential_applies_to_the_next_call(b: Backend) {
    let app = TestApp::spawn(b).await;
    let cred = create_credential(&app, "Tok", "httpBearerAuth", json!({"token": "first"})).await;
    activate(
        &app,
        &guarded("rot", "bearerAuth", reference("httpBearerAuth", &cred)),
    )
    .await;
    let id = cred["id"].as_str().unwrap();
    let res = call(&app, "rot", &[("authorization", "Bearer first")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .client
        .patch(app.url(&format!("/api/v1/credentials/{id}")))
        .json(&json!({"data": {"token": "second"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = call(&app, "rot", &[("authorization", "Bearer first")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "the old token is dead");
    let res = call(&app, "rot", &[("authorization", "Bearer second")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    app.delete(&format!("/api/v1/credentials/{id}")).await;
    let res = call(&app, "rot", &[("authorization", "Bearer second")]).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

async fn a_credential_is_found_by_name_when_its_id_is_another_instances(b: Backend) {
    let app = TestApp::spawn(b).await;
    create_credential(
        &app,
        "Imported key",
        "httpHeaderAuth",
        json!({"name": "x-token", "value": "v1"}),
    )
    .await;
    let foreign = json!({"httpHeaderAuth": {"id": "aB3dE5fG7hI9", "name": "Imported key"}});
    activate(&app, &guarded("imp", "headerAuth", foreign)).await;
    let res = call(&app, "imp", &[("x-token", "v1")]).await;
    assert_eq!(res.status(), StatusCode::OK);
}
