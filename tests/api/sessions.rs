//! Owner setup, login, refresh and logout: access tokens are refused when tampered with (alg
//! none, another algorithm, a wrong key, expired, not yet valid, another audience), a reused
//! refresh token revokes its whole sign-in, and a disabled user's tokens stop working.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{Value, json};
use weft::auth::jwt::Claims;

use crate::helpers::{Backend, TEST_JWT_SECRET, TestApp};

const PASSWORD: &str = "Sturdy pass 42";

async fn post(app: &TestApp, path: &str, body: Value) -> (StatusCode, Value) {
    let res = app.post_json(path, &body).await;
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn status_with_token(app: &TestApp, token: &str) -> StatusCode {
    reqwest::Client::new()
        .get(app.url("/api/v1/workflows"))
        .bearer_auth(token)
        .send()
        .await
        .expect("answers")
        .status()
}

/// A Postgres app whose owner was set up through the API; returns its first token pair.
async fn set_up() -> (TestApp, Value) {
    let app = TestApp::spawn_bare(Backend::Postgres).await;
    let (status, problem) = post(
        &app,
        "/api/v1/owner/setup",
        json!({"email": "ada@example.com", "password": "short"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        problem["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Password must contain at least 1 number."),
        "{problem}"
    );
    let (status, owner) = post(
        &app,
        "/api/v1/owner/setup",
        json!({"email": "Ada@Example.com", "password": PASSWORD, "firstName": "Ada"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{owner}");
    assert_eq!(owner["email"], "ada@example.com");
    assert_eq!(owner["role"], "global:owner");
    assert_eq!(owner["isPending"], false);
    assert_eq!(owner["firstName"], "Ada");
    let (status, _) = post(
        &app,
        "/api/v1/owner/setup",
        json!({"email": "eve@example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "setup works once");
    let (status, wrong) = post(
        &app,
        "/api/v1/auth/login",
        json!({"email": "ada@example.com", "password": "Sturdy pass 43"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong["message"],
        "Wrong username or password. Do you have caps lock on?"
    );
    let (status, pair) = post(
        &app,
        "/api/v1/auth/login",
        json!({"email": "ada@example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{pair}");
    assert_eq!(pair["tokenType"], "Bearer");
    assert_eq!(pair["expiresIn"], 900);
    (app, pair)
}

fn claims(sub: &str) -> Claims {
    let now = chrono::Utc::now().timestamp();
    Claims {
        iss: "weft".into(),
        aud: "weft-api".into(),
        sub: sub.into(),
        exp: now + 600,
        iat: now,
        nbf: now,
        jti: "t".into(),
    }
}

fn sign(claims: &Claims, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("signs")
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test]
async fn tampered_access_tokens_are_refused_and_a_sound_one_works() {
    let (app, pair) = set_up().await;
    let access = pair["accessToken"].as_str().expect("token");
    assert_eq!(status_with_token(&app, access).await, StatusCode::OK);
    let sub = {
        use base64::Engine;
        let payload = access.split('.').nth(1).expect("payload");
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("b64");
        serde_json::from_slice::<Value>(&raw).expect("claims")["sub"]
            .as_str()
            .expect("sub")
            .to_owned()
    };
    assert_eq!(
        status_with_token(&app, &sign(&claims(&sub), TEST_JWT_SECRET)).await,
        StatusCode::OK
    );
    let now = chrono::Utc::now().timestamp();
    let body = b64(&serde_json::to_vec(&claims(&sub)).expect("json"));
    let mut cases: Vec<(&str, String)> = vec![
        // alg: none, no signature.
        (
            "alg none",
            format!("{}.{body}.", b64(br#"{"alg":"none","typ":"JWT"}"#)),
        ),
        (
            "wrong key",
            sign(&claims(&sub), "another-secret-of-at-least-32-characters"),
        ),
        (
            "expired",
            sign(
                &Claims {
                    exp: now - 3600,
                    iat: now - 7200,
                    nbf: now - 7200,
                    ..claims(&sub)
                },
                TEST_JWT_SECRET,
            ),
        ),
        (
            "not yet valid",
            sign(
                &Claims {
                    nbf: now + 3600,
                    ..claims(&sub)
                },
                TEST_JWT_SECRET,
            ),
        ),
        (
            "wrong audience",
            sign(
                &Claims {
                    aud: "n8n".into(),
                    ..claims(&sub)
                },
                TEST_JWT_SECRET,
            ),
        ),
        (
            "wrong issuer",
            sign(
                &Claims {
                    iss: "mallory".into(),
                    ..claims(&sub)
                },
                TEST_JWT_SECRET,
            ),
        ),
        (
            "unknown user",
            sign(
                &claims("01900000-0000-7000-8000-000000000000"),
                TEST_JWT_SECRET,
            ),
        ),
        ("garbage", "not.a.token".into()),
    ];
    // HS/RS confusion: a token that names RS256 but is signed with the HMAC secret.
    {
        use hmac::{Hmac, Mac};
        let head = b64(br#"{"alg":"RS256","typ":"JWT"}"#);
        let mut mac =
            Hmac::<sha2::Sha256>::new_from_slice(TEST_JWT_SECRET.as_bytes()).expect("key");
        mac.update(format!("{head}.{body}").as_bytes());
        let sig = b64(&mac.finalize().into_bytes());
        cases.push((
            "RS256 header, HMAC signature",
            format!("{head}.{body}.{sig}"),
        ));
        // And HS512 with the right secret: still not the one algorithm accepted.
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &claims(&sub),
            &EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes()),
        )
        .expect("signs");
        cases.push(("HS512", hs512));
    }
    for (what, token) in cases {
        assert_eq!(
            status_with_token(&app, &token).await,
            StatusCode::UNAUTHORIZED,
            "{what}"
        );
    }
}

#[tokio::test]
async fn a_reused_refresh_token_revokes_its_whole_sign_in_and_logout_ends_it() {
    let (app, first) = set_up().await;
    let (status, second) = post(
        &app,
        "/api/v1/auth/refresh",
        json!({"refreshToken": first["refreshToken"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(second["refreshToken"], first["refreshToken"]);
    assert_eq!(
        status_with_token(&app, second["accessToken"].as_str().expect("t")).await,
        StatusCode::OK
    );
    // The first refresh token again: someone else has a copy. The whole family goes.
    let (status, _) = post(
        &app,
        "/api/v1/auth/refresh",
        json!({"refreshToken": first["refreshToken"]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = post(
        &app,
        "/api/v1/auth/refresh",
        json!({"refreshToken": second["refreshToken"]}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the newest token of the family is revoked too"
    );

    let (_, third) = post(
        &app,
        "/api/v1/auth/login",
        json!({"email": "ada@example.com", "password": PASSWORD}),
    )
    .await;
    let res = app
        .post_json(
            "/api/v1/auth/logout",
            &json!({"refreshToken": third["refreshToken"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (status, _) = post(
        &app,
        "/api/v1/auth/refresh",
        json!({"refreshToken": third["refreshToken"]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = post(
        &app,
        "/api/v1/auth/refresh",
        json!({"refreshToken": "weft_rt_unknown"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_disabled_users_tokens_stop_working() {
    let (app, pair) = set_up().await;
    let owner = weft::store::users::owner(&app.db)
        .await
        .expect("read")
        .expect("owner");
    weft::store::users::set_disabled(&app.db, owner.id, true)
        .await
        .expect("disable");
    assert_eq!(
        status_with_token(&app, pair["accessToken"].as_str().expect("t")).await,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = post(
        &app,
        "/api/v1/auth/refresh",
        json!({"refreshToken": pair["refreshToken"]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = post(
        &app,
        "/api/v1/auth/login",
        json!({"email": "ada@example.com", "password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn there_is_never_a_second_owner(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let second = weft::store::users::create(
        &app.db,
        &weft::store::users::NewUser {
            email: "second-owner@example.com".into(),
            role: weft::auth::Role::Owner,
            password_hash: None,
            first_name: None,
            last_name: None,
        },
    )
    .await;
    assert!(
        matches!(&second, Err(weft::store::StoreError::Conflict(m)) if m == "there is an owner already"),
        "{second:?}"
    );
}

crate::on_both_backends!(there_is_never_a_second_owner);
