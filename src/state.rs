//! `AppState`: what handlers share — database handles, the optional Redis client, the runner, limits.

use std::sync::Arc;
use std::time::Duration;

use crate::db::Db;
use crate::runner::Runner;
use crate::webhooks::{RateLimiter, TestWebhooks, WebhookCache};

pub struct AppState {
    pub db: Db,
    /// Redis, when configured: shared commands and the change feed.
    pub redis: Option<Arc<crate::bus::Bus>>,
    /// Encrypts and decrypts stored credentials; `None` without an encryption key (Postgres).
    pub cipher: Option<Arc<crate::store::credentials::Cipher>>,
    /// The size and time every request body is read under.
    pub body: crate::body::BodyLimits,
    pub runner: Arc<Runner>,
    /// How long a run request waits for its result before answering 202.
    pub run_wait: Duration,
    /// Test webhook routes waiting for their one call.
    pub test_webhooks: TestWebhooks,
    /// Per-webhook call counters (`settings.webhookRateLimit`).
    pub rate_limits: RateLimiter,
    /// How long a webhook `Idempotency-Key` is remembered.
    pub idempotency_window: Duration,
    /// Routes and workflows of the webhook fast path (embedded mode only).
    pub webhook_cache: WebhookCache,
    /// Signs and checks access tokens.
    pub tokens: crate::auth::TokenKeys,
    /// How long a refresh token lives, in seconds.
    pub refresh_ttl_secs: i64,
    /// Sign-in and API call budgets.
    pub limits: crate::rate::RateLimits,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: crate::rate::TrustedProxies,
    /// Browser origins allowed to call the API.
    pub cors: crate::config::CorsOrigins,
    /// API keys found recently.
    pub keys: crate::cache::KeyCache,
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn dependencies_point_down_nothing_below_the_api_imports_from_it() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        // The API itself, the start-up that mounts it, and the API's property tests.
        let allowed = |p: &Path| {
            p.starts_with(src.join("api")) || p.ends_with("startup.rs") || p.ends_with("props.rs")
        };
        let upward: Vec<String> = files
            .iter()
            .filter(|p| !allowed(p))
            .filter(|p| {
                std::fs::read_to_string(p)
                    .unwrap()
                    .contains(concat!("crate", "::api"))
            })
            .map(|p| p.display().to_string())
            .collect();
        assert!(upward.is_empty(), "import from the API: {upward:?}");
    }
}
