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
    pub cors: crate::api::headers::CorsOrigins,
    /// API keys found recently.
    pub keys: crate::api::access::KeyCache,
}
