//! `weft-bench`: loads workflows into a running Weft and measures the workflow API under load.

mod engine;
mod executions;
mod load;
mod memory;
mod report;
mod soak;

use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Parser;

use crate::load::{Scenario, Target};

#[derive(Debug, Parser)]
#[command(
    name = "weft-bench",
    about = "Drive Weft's workflow API at a given concurrency and print latency figures"
)]
struct Args {
    /// Base URL of a running Weft.
    #[arg(long, default_value = "http://127.0.0.1:5678")]
    url: String,
    /// The API key to send as `X-N8N-API-KEY` (`weft api-key create --owner` prints one).
    #[arg(long, env = "WEFT_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Workflows to create before measuring.
    #[arg(long, default_value_t = 1000)]
    workflows: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Seconds to run each scenario.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Scenarios to run: get, list, create, webhook, code (comma-separated).
    #[arg(long, default_value = "get,list,create")]
    scenarios: String,
    /// Process id of the server, to report its resident memory.
    #[arg(long)]
    pid: Option<u32>,
    /// Measure the engine in-process (expressions, executor) instead of the HTTP API.
    #[arg(long)]
    engine: bool,
    /// Run N items through Sort -> Aggregate -> Split Out in-process and report peak memory.
    #[arg(long)]
    memory_items: Option<usize>,
    /// The peak resident memory (MiB) the memory run must stay under.
    #[arg(long, default_value_t = 256)]
    memory_budget_mib: u64,
    /// Soak the server at --url (process --pid) with mixed hostile and ordinary traffic for
    /// this many seconds, then check it is alive and its memory came back.
    #[arg(long)]
    soak: Option<u64>,
    /// Measure end-to-end executions of an active Webhook → Set workflow (regular or queue
    /// mode, as the server at --url runs): executions/s and enqueue→start latency.
    #[arg(long)]
    executions: bool,
    /// With --executions: the Webhook's response mode, `onReceived` or `lastNode`.
    #[arg(long, default_value = "onReceived")]
    response_mode: String,
    /// With --executions: print the column headings and exit.
    #[arg(long)]
    header: bool,
    /// A label for the printed rows (e.g. the database).
    #[arg(long, default_value = "weft")]
    label: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // reqwest is built without a TLS provider of its own (see weft-nodes): give it ring's.
    let _ = rustls::crypto::ring::default_provider().install_default();
    if args.concurrency == 0 || args.duration == 0 {
        bail!("--concurrency and --duration must be at least 1");
    }
    if let Some(items) = args.memory_items {
        return memory::run(items, args.memory_budget_mib).await;
    }
    if args.engine {
        return engine::run(args.duration).await;
    }
    if args.executions {
        if args.header {
            executions::print_header();
            return Ok(());
        }
        return executions::run(
            &args.url,
            args.api_key.as_deref(),
            &args.response_mode,
            args.concurrency,
            Duration::from_secs(args.duration),
            &args.label,
        )
        .await;
    }
    if let Some(seconds) = args.soak {
        let pid = args.pid.context("--soak needs --pid of the server")?;
        return soak::run(&args.url, args.api_key.as_deref(), pid, seconds).await;
    }
    let scenarios = args
        .scenarios
        .split(',')
        .map(|s| Scenario::parse(s.trim()))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let target = Target::new(&args.url, args.concurrency, args.api_key.as_deref())?;
    target
        .wait_ready(Duration::from_secs(30))
        .await
        .context("Weft is not answering")?;

    let loaded = std::time::Instant::now();
    let ids = target.load(args.workflows, args.concurrency).await?;
    eprintln!(
        "{}: loaded {} workflows in {:.1}s",
        args.label,
        ids.len(),
        loaded.elapsed().as_secs_f64()
    );
    if ids.is_empty() && scenarios.iter().any(|s| matches!(s, Scenario::Get)) {
        bail!("the get scenario needs --workflows of at least 1");
    }
    for hook in [Scenario::Webhook, Scenario::Code] {
        if scenarios.contains(&hook) {
            target.activate_hook(hook).await?;
        }
    }
    report::print_header(args.concurrency, args.duration);
    for scenario in scenarios {
        let stats = target
            .run(
                scenario,
                &ids,
                args.concurrency,
                Duration::from_secs(args.duration),
            )
            .await;
        report::print_row(
            &args.label,
            scenario,
            &stats,
            args.pid.and_then(|p| report::memory_kib(p, "VmRSS")),
            args.pid.and_then(|p| report::memory_kib(p, "VmHWM")),
        );
    }
    Ok(())
}
