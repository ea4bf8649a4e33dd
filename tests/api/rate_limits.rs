//! Rate limits: sign-in attempts per client IP and per account, one budget across API
//! processes sharing Redis; API calls per key; 429 with `Retry-After` and `RateLimit-*`.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, TestApp, redis_url};

async fn attempt(app: &TestApp, email: &str, forwarded_for: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": "Guess 123"}));
    if let Some(ip) = forwarded_for {
        req = req.header("X-Forwarded-For", ip);
    }
    req.send().await.expect("answers")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_brute_force_loop_is_throttled_at_the_configured_rate_across_two_processes_sharing_redis()
{
    let first = TestApp::spawn_with(Backend::Postgres, |a| {
        a.redis_url = Some(redis_url());
        a.rate_limit_login_per_minute = "10".into();
    })
    .await;
    let second = first
        .spawn_beside(|a| {
            a.redis_url = Some(redis_url());
            a.rate_limit_login_per_minute = "10".into();
        })
        .await;
    let (mut refused, mut throttled) = (0, 0);
    for n in 0..30 {
        let app = if n % 2 == 0 { &first } else { &second };
        let res = attempt(app, "victim@example.com", None).await;
        match res.status() {
            StatusCode::UNAUTHORIZED => refused += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                throttled += 1;
                let h = res.headers();
                let retry: u64 = h["retry-after"]
                    .to_str()
                    .expect("text")
                    .parse()
                    .expect("secs");
                assert!((1..=60).contains(&retry), "{retry}");
                assert_eq!(h["ratelimit-limit"], "10");
                assert_eq!(h["ratelimit-remaining"], "0");
                assert!(h.contains_key("ratelimit-reset"));
            }
            other => panic!("attempt {n}: {other}"),
        }
    }
    assert_eq!(
        (refused, throttled),
        (10, 20),
        "ten attempts per minute from one address, counted across both processes"
    );
}

async fn attempts_count_per_account_and_forwarded_addresses_only_behind_trusted_proxies(
    backend: Backend,
) {
    let app = TestApp::spawn_with(backend, |a| {
        a.rate_limit_login_per_minute = "3".into();
        a.trusted_proxies = "127.0.0.1".into();
    })
    .await;
    // Three addresses guessing one account: the account's budget runs out.
    for n in 0..3 {
        let res = attempt(&app, "ada@example.com", Some(&format!("198.51.100.{n}"))).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = attempt(&app, "ada@example.com", Some("198.51.100.99")).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "per account");
    // Another account from a fresh address still gets in line.
    let res = attempt(&app, "bob@example.com", Some("198.51.100.50")).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // Without trusted proxies, X-Forwarded-For is ignored: all calls are the peer's.
    let direct = TestApp::spawn_with(backend, |a| a.rate_limit_login_per_minute = "3".into()).await;
    for n in 0..3 {
        let res = attempt(
            &direct,
            &format!("u{n}@example.com"),
            Some(&format!("203.0.113.{n}")),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = attempt(&direct, "u9@example.com", Some("203.0.113.9")).await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "per peer address"
    );
}

async fn api_calls_are_limited_per_key(backend: Backend) {
    let app = TestApp::spawn_with(backend, |a| a.rate_limit_api_per_minute = "5".into()).await;
    for _ in 0..5 {
        assert_eq!(app.get("/api/v1/workflows").await.status(), StatusCode::OK);
    }
    let res = app.get("/api/v1/workflows").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.headers()["ratelimit-limit"], "5");
    // Health is not an API call.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

crate::on_both_backends!(
    attempts_count_per_account_and_forwarded_addresses_only_behind_trusted_proxies,
    api_calls_are_limited_per_key,
);
