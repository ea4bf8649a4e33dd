//! The runner: turns a run request into an execution row and a job on the queue (`submit`),
//! and runs the jobs its worker takes (`job`): claims the execution, runs it on an engine
//! thread (the JavaScript sandbox stays on one thread) while renewing its lease, and records
//! the outcome. The same code runs in one process (regular mode) and across processes (queue
//! mode, where the worker is `weft worker`).

mod completion;
mod credentials;
mod error_workflow;
mod job;
mod notices;
mod outcome;
mod resume;
mod stops;
mod submit;
mod subworkflows;
pub mod threads;

pub use completion::{Completion, CompletionError, Outcome};
pub use notices::{Notices, ResponseWait};
pub use outcome::Completed;
pub use resume::ResumeError;
pub use stops::stop_key;

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Semaphore;
use uuid::Uuid;
use weft_engine::WorkflowDefinition;
use weft_engine::expr::ExprLimits;
use weft_engine::run::{Budget, Item, NodeRegistry};

use crate::db::Db;
use crate::store::StoreError;
use crate::store::executions::ExecutionMode;

/// What to run and how.
pub struct RunRequest {
    pub workflow_id: Uuid,
    pub mode: ExecutionMode,
    pub retry_of: Option<Uuid>,
    pub definition: WorkflowDefinition,
    /// Pinned outputs by node name (manual runs).
    pub pin_data: HashMap<String, Vec<Item>>,
    /// Where to start; the workflow's start node when absent.
    pub start_node: Option<String>,
    /// Items the start node emits; one empty item when absent.
    pub items: Option<Vec<Item>>,
    /// The workflow's static data as stored.
    pub static_data: Option<Value>,
    /// What the caller waits for.
    pub waits: Waits,
    /// The execution whose sub-workflow call asks for this run, and this run's call depth.
    pub parent: Option<(Uuid, u32)>,
    /// The schedule tick this run fires, `(trigger node, tick time)`, claimed with the
    /// execution: a tick another process fired is a `Conflict` and starts nothing.
    pub tick: Option<crate::store::executions::TickClaim>,
}

/// What the caller of a start waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Waits {
    /// Nothing (`onReceived` webhooks, sub-workflows not waited for).
    #[default]
    Nothing,
    /// The outcome (run API, `lastNode` webhooks).
    Outcome,
    /// A Respond to Webhook response, and the outcome when none comes.
    Response,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Limits every execution this runner starts gets.
#[derive(Debug, Clone)]
pub struct RunnerSettings {
    pub limits: ExprLimits,
    pub budget: Budget,
    /// Executions running at once.
    pub concurrency: usize,
    /// Waits longer than this pause their execution (`waiting`) instead of holding a thread.
    pub pause_after: Duration,
    /// Opens stored credentials for nodes; `None` when no encryption key is configured.
    pub cipher: Option<Arc<crate::store::credentials::Cipher>>,
    /// Most executions of one workflow that calls not waiting for them may start per minute.
    pub subworkflow_starts_per_minute: u32,
    /// Where Code node bodies run (sandbox processes), if not on the engine threads.
    pub code_host: weft_engine::expr::CodeHosting,
    /// `GENERIC_TIMEZONE`.
    pub generic_timezone: String,
    /// How long a claim on an execution holds without being renewed.
    pub lease: Duration,
    /// `WEFT_PUBLIC_URL`.
    pub public_url: String,
}

pub struct Runner {
    db: Db,
    registry: Arc<NodeRegistry>,
    limits: ExprLimits,
    budget: Budget,
    permits: Arc<Semaphore>,
    engine: threads::EnginePool,
    cancels: Mutex<HashMap<Uuid, Arc<AtomicBool>>>,
    /// Where stop requests reach the instance running the execution (Postgres with Redis).
    stops: std::sync::OnceLock<Arc<crate::bus::Bus>>,
    pause_after: Duration,
    cipher: Option<Arc<crate::store::credentials::Cipher>>,
    subworkflow_starts_per_minute: u32,
    code_host: weft_engine::expr::CodeHosting,
    generic_timezone: String,
    /// This process's name on the executions it claims (unique per process).
    worker_id: String,
    lease: Duration,
    public_url: String,
    /// Where executions are queued (set at start-up).
    queue: std::sync::OnceLock<crate::queue::Queue>,
    /// Queue mode with `WEFT_SYNC_WEBHOOKS_IN_API`: where webhook runs whose caller waits are
    /// queued to run in this process.
    here: std::sync::OnceLock<crate::queue::local::LocalQueue>,
    /// Where outcomes and webhook responses reach their waiters.
    notices: Arc<Notices>,
    /// `$vars`, read once per change.
    vars: crate::cache::VariablesCache,
    /// Runs submitted here for this process's own worker: what it would otherwise read back.
    prepared: Mutex<HashMap<Uuid, submit::Prepared>>,
}

/// How an execution's run begins: from its start node, or from where it paused.
enum Begin {
    Fresh,
    Resume(Box<Resumed>),
    /// A retry (mode `retry`) of an execution that failed at a node: from that node.
    Retry(Box<Retried>),
}

/// Where a retry starts: the failed execution's result data and its failure point.
struct Retried {
    previous: weft_engine::run::ResultData,
    failed_at: weft_engine::run::Paused,
}

/// What a resumed run starts from.
struct Resumed {
    previous: weft_engine::run::ResultData,
    paused: weft_engine::run::Paused,
    items: Option<Vec<Item>>,
}

impl Runner {
    pub fn new(
        db: Db,
        registry: Arc<NodeRegistry>,
        settings: RunnerSettings,
    ) -> std::io::Result<Self> {
        Ok(Self {
            db,
            registry,
            limits: settings.limits,
            budget: settings.budget,
            permits: Arc::new(Semaphore::new(settings.concurrency.max(1))),
            engine: threads::EnginePool::new(settings.concurrency)?,
            cancels: Mutex::new(HashMap::new()),
            stops: std::sync::OnceLock::new(),
            pause_after: settings.pause_after,
            cipher: settings.cipher,
            subworkflow_starts_per_minute: settings.subworkflow_starts_per_minute,
            code_host: settings.code_host,
            generic_timezone: settings.generic_timezone,
            worker_id: worker_name(),
            lease: settings.lease,
            public_url: settings.public_url,
            queue: std::sync::OnceLock::new(),
            here: std::sync::OnceLock::new(),
            notices: Arc::new(Notices::default()),
            prepared: Mutex::new(HashMap::new()),
            vars: Default::default(),
        })
    }

    /// Sets where executions are queued (once, at start-up).
    pub fn set_queue(&self, queue: crate::queue::Queue) {
        let _ = self.queue.set(queue);
    }

    /// Runs webhook calls whose caller waits from `local`, drained in this process, instead
    /// of the shared queue (once, at start-up).
    pub fn run_sync_webhooks_here(&self, local: crate::queue::local::LocalQueue) {
        let _ = self.here.set(local);
    }

    pub fn queue(&self) -> Option<&crate::queue::Queue> {
        self.queue.get()
    }

    pub fn notices(&self) -> &Arc<Notices> {
        &self.notices
    }

    /// Executions running in this process now.
    pub fn busy(&self) -> usize {
        self.lock_cancels().len()
    }

    /// Executions this process runs at once at most.
    pub fn slots(&self) -> usize {
        self.engine.threads()
    }

    /// This process's name on the executions it claims.
    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn registry(&self) -> &NodeRegistry {
        &self.registry
    }

    /// Node types of `def` this server cannot run (pinned nodes need not run).
    pub fn unsupported(
        &self,
        def: &WorkflowDefinition,
        pinned: &HashMap<String, Vec<Item>>,
    ) -> Vec<String> {
        self.registry
            .unsupported(def.nodes().iter().filter(|n| !pinned.contains_key(&n.name)))
            .into_iter()
            .map(|(t, v)| format!("{t}@{v}"))
            .collect()
    }

    fn lock_cancels(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Arc<AtomicBool>>> {
        self.cancels
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A name for this process on the executions it claims: host, process id and a random part
/// (process ids repeat across containers).
fn worker_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "weft".into());
    let random = Uuid::now_v7().simple().to_string();
    format!(
        "{host}-{}-{}",
        std::process::id(),
        &random[random.len() - 8..]
    )
}
