//! The in-process runner: turns a run request into an execution row, runs it on a blocking
//! thread (the engine's JavaScript sandbox stays on one thread), and records the outcome.
//! Queue mode will hand the same execution id to a worker instead.

mod completion;
mod credentials;
mod outcome;
mod resume;
mod subworkflows;
pub mod threads;

pub use completion::{Completion, CompletionError, Outcome};
pub use outcome::Completed;
pub use resume::ResumeError;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Semaphore;
use uuid::Uuid;
use weft_engine::WorkflowDefinition;
use weft_engine::expr::ExprLimits;
use weft_engine::run::{Budget, Executor, Item, NodeRegistry, Responder, RunOptions, start_node};

use crate::db::Db;
use crate::store::StoreError;
use crate::store::executions::{self, ExecutionMode, ExecutionRecord, NewExecution};

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
    /// Where a Respond to Webhook node sends its response (webhook runs only).
    pub responder: Responder,
    /// The execution whose sub-workflow call asks for this run, and this run's call depth.
    pub parent: Option<(Uuid, u32)>,
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
}

/// How an execution's run begins: from its start node, or from where it paused.
enum Begin {
    Fresh,
    Resume(Box<Resumed>),
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
        })
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

    /// Writes the execution row, then runs it in the background. The handle resolves to the
    /// finished execution.
    pub async fn start(
        self: &Arc<Self>,
        req: RunRequest,
    ) -> Result<(ExecutionRecord, Completion), RunError> {
        let start = match &req.start_node {
            Some(name) => req
                .definition
                .nodes()
                .iter()
                .find(|n| &n.name == name)
                .ok_or_else(|| {
                    RunError::Invalid(format!("startNode {name:?} is not a node of this workflow"))
                })?
                .name
                .clone(),
            None => start_node(&req.definition, &self.registry)
                .ok_or_else(|| RunError::Invalid("the workflow has no node to start from".into()))?
                .name
                .clone(),
        };
        let missing = self.unsupported(&req.definition, &req.pin_data);
        if !missing.is_empty() {
            return Err(RunError::Invalid(format!(
                "unsupported node types: {}",
                missing.join(", ")
            )));
        }
        let snapshot = serde_json::to_value(&req.definition)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let record = executions::create(
            &self.db,
            NewExecution {
                workflow_id: req.workflow_id,
                mode: req.mode,
                retry_of: req.retry_of,
                workflow: snapshot,
                parent: req.parent,
            },
        )
        .await?;
        let options = self.options(
            &record,
            start,
            req.items.unwrap_or_else(|| vec![Item::default()]),
            req.pin_data,
            req.static_data,
            req.responder,
        );
        let handle = self.spawn(&record, req.definition, options, Begin::Fresh);
        Ok((record, handle))
    }

    /// The options of a run of `record`, with a cancel flag `stop` can reach.
    fn options(
        self: &Arc<Self>,
        record: &ExecutionRecord,
        start: String,
        items: Vec<Item>,
        pin_data: HashMap<String, Vec<Item>>,
        static_data: Option<Value>,
        responder: Responder,
    ) -> RunOptions {
        let cancel = Arc::new(AtomicBool::new(false));
        self.lock_cancels().insert(record.id, cancel.clone());
        RunOptions {
            start_node: start,
            start_items: items,
            pin_data,
            cancel,
            execution_id: record.id.to_string(),
            mode: record.mode.as_str().into(),
            workflow_id: record.workflow_id.to_string(),
            expression_limits: self.limits,
            budget: self.budget,
            static_data: static_data.unwrap_or(Value::Null),
            virtual_clock: false,
            responder,
            workflows: weft_engine::run::Workflows(Some(Arc::new(subworkflows::StoreWorkflows {
                runner: Arc::downgrade(self),
                handle: tokio::runtime::Handle::current(),
                caller: record.id,
                caller_workflow: record.workflow_id,
                depth: record.call_depth,
            }))),
            credentials: weft_engine::run::Credentials(Some(Arc::new(
                credentials::StoreCredentials {
                    db: self.db.clone(),
                    cipher: self.cipher.clone(),
                    handle: tokio::runtime::Handle::current(),
                    workflow_id: record.workflow_id,
                    owner: Default::default(),
                },
            ))),
            depth: record.call_depth,
            pause_waits_over: Some(self.pause_after),
            code_host: self.code_host.clone(),
            default_timezone: self.generic_timezone.clone(),
        }
    }

    /// Runs the execution in the background; a run that pauses with a time is resumed then.
    fn spawn(
        self: &Arc<Self>,
        record: &ExecutionRecord,
        def: WorkflowDefinition,
        options: RunOptions,
        begin: Begin,
    ) -> Completion {
        let runner = self.clone();
        let (report, completion) = completion::channel();
        let (id, workflow_id, mode) = (record.id, record.workflow_id, record.mode);
        tokio::spawn(async move {
            let outcome = runner
                .execute(id, workflow_id, mode, def, options, begin)
                .await;
            runner.lock_cancels().remove(&id);
            if let Ok(done) = &outcome
                && let Some(till) = done.record.wait_till
                && done.record.status == executions::Status::Waiting
            {
                runner.schedule(id, till);
            }
            // Nobody may be waiting (an onReceived webhook): that is fine.
            let _ = report.send(Some(
                outcome
                    .map(Arc::new)
                    .map_err(|e| CompletionError(e.to_string())),
            ));
        });
        completion
    }

    async fn execute(
        &self,
        id: Uuid,
        workflow_id: Uuid,
        mode: ExecutionMode,
        def: WorkflowDefinition,
        options: RunOptions,
        begin: Begin,
    ) -> Result<Completed, StoreError> {
        let _permit = self.permits.clone().acquire_owned().await.ok();
        if matches!(begin, Begin::Fresh) && !executions::claim(&self.db, id).await? {
            return Ok(Completed {
                record: executions::get(&self.db, id).await?,
                data: None,
            });
        }
        let timeout = def
            .settings()
            .get("executionTimeout")
            .and_then(Value::as_f64)
            .filter(|s| *s > 0.0);
        if let Some(limit) = timeout.and_then(|s| Duration::try_from_secs_f64(s).ok()) {
            let cancel = options.cancel.clone();
            tokio::spawn(async move {
                tokio::time::sleep(limit).await;
                cancel.store(true, Ordering::Relaxed);
            });
        }
        let registry = self.registry.clone();
        let settings = def.settings().clone();
        let joined = self
            .engine
            .run(move || {
                // A runtime per execution, not per engine thread: the process-wide HTTP client's
                // pooled connections are driven by the runtime that opened them, and one left
                // idle between executions would stall them for every other thread.
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| e.to_string())?;
                let executor = Executor::new(&def, &registry);
                Ok::<_, String>(match begin {
                    Begin::Fresh => rt.block_on(executor.run(options)),
                    Begin::Resume(r) => {
                        let Resumed {
                            previous,
                            paused,
                            items,
                        } = *r;
                        rt.block_on(executor.resume(options, previous, paused, items))
                    }
                })
            })
            .await;
        let result = match joined {
            Ok(Ok(result)) => Ok(result),
            Ok(Err(e)) => Err(e),
            Err(cause) => {
                // A panic is a bug; its message and source location go to the log only.
                let incident = Uuid::now_v7();
                tracing::error!(execution = %id, %incident, %cause, "an execution crashed");
                Err(format!("internal error (incident {incident})"))
            }
        };
        let finished = outcome::Finished {
            id,
            workflow_id,
            mode,
            settings: &settings,
        };
        outcome::record(&self.db, finished, result).await
    }

    /// Lets stop requests reach this instance's executions from every instance on the bus.
    pub fn share_stops(self: &Arc<Self>, bus: Arc<crate::bus::Bus>) {
        let runner = Arc::downgrade(self);
        bus.listen("stops", move |message| {
            if let (Some(runner), Ok(id)) = (runner.upgrade(), Uuid::try_parse(&message)) {
                runner.stop_here(id);
            }
        });
        let _ = self.stops.set(bus);
    }

    /// Flags the execution to stop if this instance is running it.
    fn stop_here(&self, id: Uuid) -> bool {
        match self.lock_cancels().get(&id) {
            Some(flag) => {
                flag.store(true, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    /// Asks a running execution to stop before its next node, whichever instance runs it;
    /// cancels one not yet started.
    pub async fn stop(&self, id: Uuid) -> Result<ExecutionRecord, StoreError> {
        if !self.stop_here(id)
            && let Some(bus) = self.stops.get()
            && let Err(e) = bus.publish("stops", &id.to_string()).await
        {
            tracing::warn!(error = %e, execution = %id, "a stop request could not reach the other instances");
        }
        executions::cancel_if_pending(&self.db, id).await?;
        executions::get(&self.db, id).await
    }

    fn lock_cancels(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Arc<AtomicBool>>> {
        self.cancels
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
