//! `--soak SECONDS`: mixed hostile and ordinary traffic against a running Weft (loopback only,
//! bounded in time and in requests in flight), with the server's resident memory sampled every
//! second. It passes when the server is alive at the end, every ordinary execution succeeded,
//! and after the load and a quiet spell its memory is within 20 % of where the soak started
//! (measured after a warm-up round of the same mix, so caches and thread pools are in place).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::report::tree_rss_kib;

#[derive(Default)]
struct Counts {
    ordinary_ok: AtomicU64,
    ordinary_failed: AtomicU64,
    hostile: AtomicU64,
    hostile_5xx_unexpected: AtomicU64,
}

struct Soak {
    base: String,
    addr: String,
    client: reqwest::Client,
    /// The API key, also sent on the raw slow-body request.
    api_key: Option<String>,
    ordinary: String,
    hostile: Vec<(String, &'static str)>,
    counts: Counts,
}

fn manual(name: &str, node: Value) -> Value {
    let mut node = node;
    node["name"] = json!("Node");
    node["position"] = json!([200, 0]);
    json!({"name": name, "nodes": [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
        node], "connections": {"Start": {"main": [[{"node": "Node", "type": "main", "index": 0}]]}},
        "settings": {"executionOrder": "v1"}})
}

fn code(js: &str) -> Value {
    json!({"type": "n8n-nodes-base.code", "typeVersion": 2, "parameters": {"jsCode": js}})
}

impl Soak {
    async fn create(&self, wf: &Value) -> anyhow::Result<String> {
        let res = self
            .client
            .post(format!("{}/api/v1/workflows", self.base))
            .json(wf)
            .send()
            .await?;
        let body: Value = res.json().await?;
        body["id"]
            .as_str()
            .map(str::to_owned)
            .context("workflow not created")
    }

    async fn run(&self, id: &str, items: Option<Value>) -> anyhow::Result<Value> {
        let body = items.map_or_else(|| json!({}), |i| json!({"items": i}));
        let res = self
            .client
            .post(format!("{}/api/v1/workflows/{id}/run", self.base))
            .json(&body)
            .send()
            .await?;
        if res.status().is_server_error() {
            bail!("run answered {}", res.status());
        }
        Ok(res.json().await?)
    }

    async fn ordinary_once(&self) {
        let ok = match self.run(&self.ordinary, None).await {
            Ok(ex) => ex["status"] == "success",
            Err(_) => false,
        };
        let counter = if ok {
            &self.counts.ordinary_ok
        } else {
            &self.counts.ordinary_failed
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    async fn hostile_once(&self, round: usize) {
        self.counts.hostile.fetch_add(1, Ordering::Relaxed);
        let Some((id, kind)) = self.hostile.get(round % self.hostile.len()) else {
            return;
        };
        let outcome = match *kind {
            "html" => {
                self.run(
                    id,
                    Some(json!([{"json": {"html": "<div>".repeat(20_000)}}])),
                )
                .await
            }
            "slow-body" => self.slow_body().await.map(|_| Value::Null),
            _ => self.run(id, None).await,
        };
        if outcome.is_err() {
            self.counts
                .hostile_5xx_unexpected
                .fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A body sent a byte every 100 ms: the server must answer 408 and close.
    async fn slow_body(&self) -> anyhow::Result<()> {
        let mut stream = tokio::net::TcpStream::connect(&self.addr).await?;
        let key = self
            .api_key
            .as_deref()
            .map(|k| format!("X-N8N-API-KEY: {}\r\n", k.trim()))
            .unwrap_or_default();
        let head = format!(
            "POST /api/v1/workflows HTTP/1.1\r\nHost: {}\r\n{key}Content-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n",
            self.addr
        );
        stream.write_all(head.as_bytes()).await?;
        for _ in 0..60 {
            if stream.write_all(b" ").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
        if String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 408") {
            Ok(())
        } else {
            bail!("a slow body was not answered 408")
        }
    }
}

async fn setup(base: &str, api_key: Option<&str>) -> anyhow::Result<Soak> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let addr = base.trim_start_matches("http://").to_owned();
    let mut soak = Soak {
        base: base.to_owned(),
        addr,
        client: reqwest::Client::builder()
            .default_headers(crate::load::key_headers(api_key)?)
            .timeout(Duration::from_secs(60))
            .build()?,
        api_key: api_key.map(str::to_owned),
        ordinary: String::new(),
        hostile: Vec::new(),
        counts: Counts::default(),
    };
    soak.ordinary = soak
        .create(&manual(
            "ordinary",
            code(
                "return $input.all().map(i => ({json: {sum: [1, 2, 3].reduce((a, b) => a + b)}}));",
            ),
        ))
        .await?;
    let set = |field: &str| {
        json!({"type": "n8n-nodes-base.set", "typeVersion": 2, "parameters": {
        "values": {"string": [{"name": field, "value": "x"}]}, "options": {"dotNotation": true}}})
    };
    let cycle = json!({"name": "cycle", "nodes": [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {}},
        {"name": "Again", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [200, 0], "parameters": {}},
        {"name": "Code", "type": "n8n-nodes-base.code", "typeVersion": 2, "position": [400, 0], "parameters": {"jsCode": "return $input.all();"}}],
        "connections": {"Start": {"main": [[{"node": "Again", "type": "main", "index": 0}]]},
            "Again": {"main": [[{"node": "Code", "type": "main", "index": 0}]]},
            "Code": {"main": [[{"node": "Again", "type": "main", "index": 0}]]}},
        "settings": {"executionOrder": "v1"}});
    let markdown = json!({"type": "n8n-nodes-base.markdown", "typeVersion": 1, "parameters": {
        "mode": "htmlToMarkdown", "html": "={{ $json.html }}", "destinationKey": "md", "options": {}}});
    let cases: Vec<(Value, &'static str)> = vec![
        (manual("deep path", set(&vec!["a"; 5_000].join("."))), "run"),
        (manual("huge index", set("a[18446744073709551615]")), "run"),
        (
            manual(
                "join",
                code("Array.prototype.join.call({length: 2**53-1}, ''); return [];"),
            ),
            "run",
        ),
        (
            manual(
                "bomb",
                code("const a = []; while (true) a.push('x'.repeat(1 << 16) + a.length);"),
            ),
            "run",
        ),
        (manual("markdown", markdown), "html"),
        (cycle, "run"),
    ];
    for (wf, kind) in cases {
        let id = soak.create(&wf).await?;
        soak.hostile.push((id, kind));
    }
    soak.hostile.push((String::new(), "slow-body"));
    Ok(soak)
}

/// Drives the mix for `seconds`: four ordinary loops and two hostile ones.
async fn drive(soak: &Arc<Soak>, seconds: u64, pid: u32, peak: &AtomicU64) {
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let soak = soak.clone();
        tasks.push(tokio::spawn(async move {
            while Instant::now() < until {
                soak.ordinary_once().await;
            }
        }));
    }
    for lane in 0..2 {
        let soak = soak.clone();
        tasks.push(tokio::spawn(async move {
            let mut round = lane;
            while Instant::now() < until {
                soak.hostile_once(round).await;
                round += 2;
            }
        }));
    }
    while Instant::now() < until {
        if let Some((kib, _)) = tree_rss_kib(pid) {
            peak.fetch_max(kib, Ordering::Relaxed);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    for task in tasks {
        let _ = task.await;
    }
}

pub async fn run(base: &str, api_key: Option<&str>, pid: u32, seconds: u64) -> anyhow::Result<()> {
    let soak = Arc::new(setup(base, api_key).await?);
    let quiet = Duration::from_secs(15);
    let peak = AtomicU64::new(0);
    eprintln!(
        "soak: warm-up (30 s of the mix, then {}s quiet)",
        quiet.as_secs()
    );
    drive(&soak, 30, pid, &peak).await;
    tokio::time::sleep(quiet).await;
    let (start, start_sandboxes) =
        tree_rss_kib(pid).context("the server's memory cannot be read")?;
    let (ok0, failed0) = (
        soak.counts.ordinary_ok.load(Ordering::Relaxed),
        soak.counts.ordinary_failed.load(Ordering::Relaxed),
    );
    eprintln!(
        "soak: {seconds}s of mixed traffic from RSS {} MiB",
        start / 1024
    );
    let started = Instant::now();
    drive(&soak, seconds, pid, &peak).await;
    let elapsed = started.elapsed();
    tokio::time::sleep(quiet).await;
    let (end, end_sandboxes) = tree_rss_kib(pid).context("the server died")?;
    let alive = soak
        .client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success());
    let ok = soak.counts.ordinary_ok.load(Ordering::Relaxed) - ok0;
    let failed = soak.counts.ordinary_failed.load(Ordering::Relaxed) - failed0;
    let hostile = soak.counts.hostile.load(Ordering::Relaxed);
    let unexpected = soak.counts.hostile_5xx_unexpected.load(Ordering::Relaxed);
    let ratio = end as f64 / start as f64;
    println!(
        "soak: {:.0}s, ordinary executions {ok} succeeded / {failed} failed ({:.1}/s), hostile requests {hostile} ({unexpected} answered unexpectedly), RSS of the server and its sandbox processes ({start_sandboxes} at the start, {end_sandboxes} at the end) start {} MiB, peak {} MiB, end {} MiB ({:+.1} %), alive {alive}",
        elapsed.as_secs_f64(),
        ok as f64 / elapsed.as_secs_f64(),
        start / 1024,
        peak.load(Ordering::Relaxed) / 1024,
        end / 1024,
        (ratio - 1.0) * 100.0
    );
    if !alive || failed > 0 || unexpected > 0 || ratio > 1.2 || ok == 0 {
        bail!("the soak failed");
    }
    Ok(())
}
