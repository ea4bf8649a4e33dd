//! `--executions`: end-to-end executions per second of an active Webhook → Set workflow, in
//! either response mode, against a running Weft (regular or queue mode, however many workers
//! the caller started), and the enqueue→start latency of each execution: from its row being
//! written (`startedAt`) to its first node starting (`runData.Webhook[0].startTime`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures_util::StreamExt as _;
use serde_json::{Value, json};

use crate::load::key_headers;

fn workflow(path: &str, mode: &str) -> Value {
    json!({
        "name": format!("bench executions {path}"),
        "nodes": [
            {"name": "Webhook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "position": [0, 0],
             "parameters": {"path": path, "httpMethod": "POST", "responseMode": mode, "options": {}}},
            {"name": "Shape", "type": "n8n-nodes-base.set", "typeVersion": 3.4, "position": [200, 0],
             "parameters": {"assignments": {"assignments": [
                {"id": "a", "name": "order", "value": "={{ $json.body.id }}", "type": "string"},
                {"id": "b", "name": "total", "value": "={{ $json.body.qty * 10 }}", "type": "number"}]},
                "options": {}}}
        ],
        "connections": {"Webhook": {"main": [[{"node": "Shape", "type": "main", "index": 0}]]}},
        "settings": {"executionOrder": "v1"}
    })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((p / 100.0) * (sorted.len() - 1) as f64).round() as usize]
}

fn millis(text: &str) -> Option<f64> {
    // RFC 3339 with milliseconds, UTC ("2026-12-04T17:50:00.123Z").
    let (date, time) = text.trim_end_matches('Z').split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':');
    let (h, min) = (
        t.next()?.parse::<i64>().ok()?,
        t.next()?.parse::<i64>().ok()?,
    );
    let s: f64 = t.next()?.parse().ok()?;
    // Days from the civil date (Howard Hinnant's algorithm).
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + day - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    Some(((days * 86_400 + h * 3600 + min * 60) as f64 + s) * 1000.0)
}

/// Runs one measurement and prints its row.
pub async fn run(
    url: &str,
    api_key: Option<&str>,
    mode: &str,
    concurrency: usize,
    duration: Duration,
    label: &str,
) -> anyhow::Result<()> {
    if !matches!(mode, "onReceived" | "lastNode") {
        bail!("--response-mode must be onReceived or lastNode");
    }
    let client = reqwest::Client::builder()
        .default_headers(key_headers(api_key)?)
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let path = format!(
        "bench-exec-{}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    );
    let created: Value = client
        .post(format!("{url}/api/v1/workflows"))
        .json(&workflow(&path, mode))
        .send()
        .await?
        .error_for_status()
        .context("create the workflow")?
        .json()
        .await?;
    let id = created["id"].as_str().context("workflow id")?.to_owned();
    client
        .post(format!("{url}/api/v1/workflows/{id}/activate"))
        .send()
        .await?
        .error_for_status()
        .context("activate the workflow")?;
    let hook = format!("{url}/webhook/{path}");
    let sent = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let mut request_ms: Vec<f64> = futures_util::stream::iter(0..concurrency)
        .map(|_| {
            let (client, hook, sent, errors) =
                (client.clone(), hook.clone(), sent.clone(), errors.clone());
            async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let n = sent.fetch_add(1, Ordering::Relaxed);
                    let t = Instant::now();
                    let ok = client
                        .post(&hook)
                        .json(&json!({"id": format!("o-{n}"), "qty": n % 7}))
                        .send()
                        .await
                        .is_ok_and(|r| r.status().is_success());
                    if ok {
                        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                    } else {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                latencies
            }
        })
        .buffer_unordered(concurrency)
        .concat()
        .await;
    let accepted = request_ms.len();
    // Wait for every execution to end (onReceived answers before its run).
    let drain_deadline = Instant::now() + Duration::from_secs(600);
    let mut executions: Vec<Value> = Vec::new();
    loop {
        executions.clear();
        let mut cursor: Option<String> = None;
        loop {
            let mut page_url =
                format!("{url}/api/v1/executions?workflowId={id}&includeData=true&limit=250");
            if let Some(c) = &cursor {
                let c = c
                    .replace('+', "%2B")
                    .replace('/', "%2F")
                    .replace('=', "%3D");
                page_url.push_str(&format!("&cursor={c}"));
            }
            let req = client.get(page_url);
            let page: Value = req.send().await?.error_for_status()?.json().await?;
            executions.extend(page["data"].as_array().cloned().unwrap_or_default());
            match page["nextCursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        let finished = executions
            .iter()
            .filter(|e| !matches!(e["status"].as_str(), Some("new" | "running")))
            .count();
        if executions.len() >= accepted && finished == executions.len() {
            break;
        }
        if Instant::now() > drain_deadline {
            bail!(
                "{finished} of {} executions finished after 10 minutes",
                executions.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let first_call = executions
        .iter()
        .filter_map(|e| millis(e["startedAt"].as_str()?))
        .fold(f64::INFINITY, f64::min);
    let last_end = executions
        .iter()
        .filter_map(|e| millis(e["stoppedAt"].as_str()?))
        .fold(0.0, f64::max);
    let mut to_start: Vec<f64> = executions
        .iter()
        .filter_map(|e| {
            let enqueued = millis(e["startedAt"].as_str()?)?;
            let start = e["data"]["resultData"]["runData"]["Webhook"][0]["startTime"].as_f64()?;
            Some(start - enqueued)
        })
        .collect();
    to_start.sort_by(f64::total_cmp);
    request_ms.sort_by(f64::total_cmp);
    let failed = executions
        .iter()
        .filter(|e| e["status"] != "success")
        .count();
    let span_s = ((last_end - first_call) / 1000.0).max(1e-3);
    println!(
        "{:<22} {:<10} {:>5} {:>9} {:>10.0} {:>11.1} {:>11.1} {:>10.1} {:>10.1} {:>7}",
        label,
        mode,
        concurrency,
        executions.len(),
        executions.len() as f64 / span_s,
        percentile(&to_start, 50.0),
        percentile(&to_start, 99.0),
        percentile(&request_ms, 50.0),
        percentile(&request_ms, 99.0),
        failed as u64 + errors.load(Ordering::Relaxed),
    );
    Ok(())
}

pub fn print_header() {
    println!(
        "{:<22} {:<10} {:>5} {:>9} {:>10} {:>11} {:>11} {:>10} {:>10} {:>7}",
        "target",
        "mode",
        "conc",
        "execs",
        "execs/s",
        "start p50ms",
        "start p99ms",
        "req p50ms",
        "req p99ms",
        "errors"
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_read_as_milliseconds_since_the_epoch() {
        assert_eq!(super::millis("1970-01-01T00:00:01.500Z"), Some(1500.0));
        assert_eq!(
            super::millis("2026-12-04T00:00:00.000Z"),
            Some(1_796_342_400_000.0)
        );
    }
}
