//! The load itself: seeding workflows and running one scenario with N concurrent clients.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures_util::StreamExt as _;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Get,
    List,
    Create,
    /// An active Webhook → Set → Respond to Webhook chain answering with its last node.
    Webhook,
    /// The same chain with a Code node in place of Set (what the Code sandbox costs).
    Code,
}

impl Scenario {
    pub fn parse(s: &str) -> anyhow::Result<Self> {
        Ok(match s {
            "get" => Self::Get,
            "list" => Self::List,
            "create" => Self::Create,
            "webhook" => Self::Webhook,
            "code" => Self::Code,
            other => bail!("unknown scenario {other:?} (get, list, create, webhook, code)"),
        })
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::Get => "GET /api/v1/workflows/{id}",
            Self::List => "GET /api/v1/workflows?limit=100",
            Self::Create => "POST /api/v1/workflows",
            Self::Webhook => "POST /webhook/… (lastNode, 3 nodes)",
            Self::Code => "POST /webhook/… (lastNode, Code node)",
        }
    }
}

/// Latencies of successful requests, in microseconds, and the count of failures.
#[derive(Debug, Default)]
pub struct Stats {
    pub latencies_us: Vec<u64>,
    pub errors: u64,
    pub elapsed: Duration,
}

pub struct Target {
    base: String,
    client: reqwest::Client,
    /// This run's webhook path (unique, so several runs can share one server).
    hook_path: String,
}

/// Webhook (responseMode lastNode) → Set → Respond to Webhook, as the webhook scenario runs it;
/// with `code`, a Code node computes what Set would.
fn webhook_workflow(path: &str, code: bool) -> Value {
    let mut wf = json!({
        "name": format!("bench webhook {path}"),
        "nodes": [
            {"name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [0, 0],
             "parameters": {"path": path, "httpMethod": "POST", "responseMode": "lastNode", "options": {}}},
            {"name": "Shape", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [200, 0],
             "parameters": {"assignments": {"assignments": [
                {"id": "a", "name": "order", "value": "={{ $json.body.id }}", "type": "string"},
                {"id": "b", "name": "total", "value": "={{ $json.body.qty * 10 }}", "type": "number"}]},
                "options": {}}},
            {"name": "Respond", "type": "n8n-nodes-base.respondToWebhook", "typeVersion": 1.1,
             "position": [400, 0], "parameters": {"respondWith": "firstIncomingItem", "options": {}}}
        ],
        "connections": {
            "Webhook": {"main": [[{"node": "Shape", "type": "main", "index": 0}]]},
            "Shape": {"main": [[{"node": "Respond", "type": "main", "index": 0}]]}
        },
        "settings": {"executionOrder": "v1"}
    });
    if code {
        wf["nodes"][1] = json!({"name": "Shape", "type": "n8n-nodes-base.code", "typeVersion": 2,
            "position": [200, 0], "parameters": {"jsCode":
                "return $input.all().map(i => ({json: {order: String(i.json.body.id), total: i.json.body.qty * 10}}));"}});
    }
    wf
}

/// A realistic small workflow: webhook, Code, IF, two Sets (about 1.5 KB of JSON).
fn workflow(i: usize) -> Value {
    json!({
        "name": format!("bench workflow {i}"),
        "nodes": [
            {"name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [0, 0],
             "parameters": {"path": format!("bench-{i}"), "httpMethod": "POST"}, "webhookId": format!("bench-{i}")},
            {"name": "Fetch", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [200, 0],
             "parameters": {"jsCode": "return $input.all().map(i => ({ json: { id: i.json.body.id, total: i.json.body.qty * 10 } }));"}},
            {"name": "Big?", "type": "n8n-nodes-base.if", "typeVersion": 2.2, "position": [400, 0],
             "parameters": {"conditions": {"combinator": "and", "conditions": [
                {"id": "c", "leftValue": "={{ $json.total }}", "rightValue": 100,
                 "operator": {"type": "number", "operation": "gt"}}], "options": {"version": 2}}}},
            {"name": "High", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [600, -100],
             "parameters": {"assignments": {"assignments": [{"id": "a", "name": "priority", "value": "high", "type": "string"}]}}},
            {"name": "Low", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [600, 100],
             "parameters": {"assignments": {"assignments": [{"id": "b", "name": "priority", "value": "low", "type": "string"}]}}}
        ],
        "connections": {
            "Webhook": {"main": [[{"node": "Fetch", "type": "main", "index": 0}]]},
            "Fetch": {"main": [[{"node": "Big?", "type": "main", "index": 0}]]},
            "Big?": {"main": [[{"node": "High", "type": "main", "index": 0}], [{"node": "Low", "type": "main", "index": 0}]]}
        },
        "settings": {"executionOrder": "v1"}
    })
}

/// The `X-N8N-API-KEY` header every API request carries, when a key is given.
pub fn key_headers(api_key: Option<&str>) -> anyhow::Result<reqwest::header::HeaderMap> {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(key) = api_key {
        headers.insert(
            "x-n8n-api-key",
            reqwest::header::HeaderValue::from_str(key.trim())?,
        );
    }
    Ok(headers)
}

impl Target {
    pub fn new(base: &str, concurrency: usize, api_key: Option<&str>) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .default_headers(key_headers(api_key)?)
            .pool_max_idle_per_host(concurrency)
            .timeout(Duration::from_secs(30))
            .build()?;
        Ok(Self {
            base: base.trim_end_matches('/').to_owned(),
            client,
            hook_path: format!("bench-hook-{}", std::process::id()),
        })
    }

    pub async fn wait_ready(&self, within: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + within;
        loop {
            let ok = self
                .client
                .get(format!("{}/healthz/readiness", self.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ok {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("no ready answer from {} within {within:?}", self.base);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn create(&self, i: usize) -> anyhow::Result<String> {
        let res = self
            .client
            .post(format!("{}/api/v1/workflows", self.base))
            .json(&workflow(i))
            .send()
            .await?;
        if !res.status().is_success() {
            bail!("create answered {}", res.status());
        }
        let body: Value = res.json().await?;
        body["id"]
            .as_str()
            .map(str::to_owned)
            .context("no id in the answer")
    }

    /// Creates and activates the webhook scenario's workflow.
    /// Creates and activates the webhook workflow of `scenario` (webhook or code).
    pub async fn activate_hook(&self, scenario: Scenario) -> anyhow::Result<()> {
        let code = matches!(scenario, Scenario::Code);
        let res = self
            .client
            .post(format!("{}/api/v1/workflows", self.base))
            .json(&webhook_workflow(&self.hook_path(scenario), code))
            .send()
            .await?;
        if !res.status().is_success() {
            bail!("creating the webhook workflow answered {}", res.status());
        }
        let id = res.json::<Value>().await?["id"]
            .as_str()
            .map(str::to_owned)
            .context("no id in the answer")?;
        let res = self
            .client
            .post(format!("{}/api/v1/workflows/{id}/activate", self.base))
            .send()
            .await?;
        if !res.status().is_success() {
            bail!("activating the webhook workflow answered {}", res.status());
        }
        Ok(())
    }

    fn hook_path(&self, scenario: Scenario) -> String {
        match scenario {
            Scenario::Code => format!("{}-code", self.hook_path),
            _ => self.hook_path.clone(),
        }
    }

    pub async fn load(&self, n: usize, concurrency: usize) -> anyhow::Result<Vec<String>> {
        futures_util::stream::iter(0..n)
            .map(|i| self.create(i))
            .buffer_unordered(concurrency)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect()
    }

    async fn once(&self, scenario: Scenario, ids: &[String], n: usize) -> bool {
        let req = match scenario {
            Scenario::Get => self.client.get(format!(
                "{}/api/v1/workflows/{}",
                self.base,
                ids[n % ids.len()]
            )),
            Scenario::List => self
                .client
                .get(format!("{}/api/v1/workflows?limit=100", self.base)),
            Scenario::Create => self
                .client
                .post(format!("{}/api/v1/workflows", self.base))
                .json(&workflow(1_000_000 + n)),
            Scenario::Webhook | Scenario::Code => self
                .client
                .post(format!(
                    "{}/webhook/{}",
                    self.base,
                    self.hook_path(scenario)
                ))
                .json(&json!({"id": format!("o-{n}"), "qty": n % 50})),
        };
        match req.send().await {
            // Read the whole body: a response is only served once it is delivered.
            Ok(res) => res.status().is_success() && res.bytes().await.is_ok(),
            Err(_) => false,
        }
    }

    /// Runs `scenario` with `concurrency` clients, each sending its next request as soon as
    /// the previous one is answered, until `duration` has passed.
    pub async fn run(
        &self,
        scenario: Scenario,
        ids: &[String],
        concurrency: usize,
        duration: Duration,
    ) -> Stats {
        let ids: Arc<[String]> = ids.to_vec().into();
        let start = Instant::now();
        let deadline = start + duration;
        let workers = (0..concurrency).map(|w| {
            let ids = ids.clone();
            async move {
                let mut stats = Stats::default();
                let mut n = w;
                while Instant::now() < deadline {
                    let t = Instant::now();
                    if self.once(scenario, &ids, n).await {
                        stats.latencies_us.push(t.elapsed().as_micros() as u64);
                    } else {
                        stats.errors += 1;
                    }
                    n += concurrency;
                }
                stats
            }
        });
        let parts = futures_util::future::join_all(workers).await;
        let mut all = Stats {
            elapsed: start.elapsed(),
            ..Stats::default()
        };
        for p in parts {
            all.latencies_us.extend(p.latencies_us);
            all.errors += p.errors;
        }
        all
    }
}
