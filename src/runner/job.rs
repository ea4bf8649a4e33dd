//! Running one job: claim the execution (once, with a lease), read what it starts from (or
//! take it from the submit in this process), run it on an engine thread while a task on the
//! async runtime renews the lease, record the outcome while still holding the lease, and tell
//! whoever waits.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::Value;
use uuid::Uuid;
use weft_engine::run::{
    ExecutionError, ExecutionStatus, Executor, Item, Paused, Responder, ResultData, RunOptions,
};
use weft_engine::{WorkflowDefinition, WorkflowDraft};

use super::error_workflow::ErrorRoute;
use super::submit::Prepared;
use super::{Begin, Completed, CompletionError, Resumed, Retried, Runner, outcome};
use crate::store::executions::{self, ExecutionMode, ExecutionRecord, Status, StoredRequest};
use crate::store::{self, StoreError};

/// n8n's error of a run that was stopped (through the API) or ran past `executionTimeout`.
fn canceled(timed_out: bool) -> ExecutionError {
    let (name, message) = if timed_out {
        (
            "TimeoutExecutionCancelledError",
            "The execution was cancelled because it timed out",
        )
    } else {
        (
            "ManualExecutionCancelledError",
            "The execution was cancelled manually",
        )
    };
    ExecutionError {
        message: message.into(),
        name: name.into(),
        description: None,
        node: None,
        context: None,
    }
}

fn corrupt(id: Uuid, what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("execution {id}: {what}"))
}

impl Runner {
    /// Runs the execution a job names. Idempotent: a job whose execution is not `new` (run or
    /// being run elsewhere, finished, canceled) does nothing.
    pub async fn run_job(self: &Arc<Self>, job: &crate::queue::Job) {
        let id = job.execution_id;
        // What it starts from: handed over by a submit in this process, else read (before the
        // claim, which needs the workflow's maxConcurrency).
        let prepared = self.lock_prepared().remove(&id);
        let submitted_here = prepared.is_some();
        let loaded = match prepared {
            Some(p) => Ok(p),
            None => self.load(id).await,
        };
        let limit = loaded.as_ref().ok().and_then(|p| {
            weft_engine::workflow::max_concurrency(p.definition.settings())
                .ok()
                .flatten()
                .map(|n| (p.record.workflow_id, n))
        });
        // The stop flag exists before the claim, so a stop that comes between the claim and the
        // run's start is not lost.
        let fresh = {
            let mut cancels = self.lock_cancels();
            let fresh = !cancels.contains_key(&id);
            if fresh {
                cancels.insert(id, Arc::new(AtomicBool::new(false)));
            }
            fresh
        };
        let claimed = match &loaded {
            Ok(_) => executions::claim(&self.db, id, &self.worker_id, self.lease, limit).await,
            Err(e) => Err(StoreError::Corrupt(e.to_string())),
        };
        if let Some(queue) = self.queue.get() {
            queue.settle(job).await;
        }
        // (A duplicate job of an execution running here leaves that run's flag alone.)
        if fresh && !matches!(claimed, Ok(executions::Claim::Claimed)) {
            self.lock_cancels().remove(&id);
        }
        match claimed {
            Ok(executions::Claim::Claimed) => {}
            Ok(executions::Claim::Taken) => return self.not_claimed(id, submitted_here).await,
            // Parked: it waits, holding no worker, until one of its workflow's executions ends.
            Ok(executions::Claim::Full) => return,
            Err(e) => {
                // Still `new` (or gone): the reconciler queues it again if it is there.
                tracing::warn!(error = %e, execution = %id, "an execution could not be claimed");
                return;
            }
        }
        let Ok(loaded) = loaded else { return };
        let published = self.published();
        let ran = self.run_claimed(id, loaded).await;
        if let Some((workflow, max)) = limit {
            self.wake_parked(workflow, max).await;
        }
        let (wants, route, outcome) = match ran {
            Ok((wants, route, Some(done))) => (wants, Some(route), Ok(Arc::new(done))),
            // Another worker holds it now; it tells the waiters.
            Ok((_, _, None)) => return,
            Err(e) => {
                tracing::error!(error = %e, execution = %id, "an execution could not be run");
                (
                    executions::Wants {
                        outcome: true,
                        response: false,
                    },
                    None,
                    Err(CompletionError(e.to_string())),
                )
            }
        };
        if let Ok(done) = &outcome
            && let Some(till) = done.record.wait_till
            && done.record.status == Status::Waiting
        {
            self.schedule(id, till);
        }
        if let Ok(done) = &outcome
            && done.record.status == Status::New
            && let Some(due) = done.record.next_attempt_at
        {
            // Failed, and its workflow retries it: queued for later; waiters keep waiting.
            if let Some(queue) = self.queue.get()
                && let Err(e) = queue.push_at(id, due).await
            {
                tracing::warn!(error = %e, execution = %id, "a retry could not be queued; the reconciler will");
            }
            return;
        }
        // Whether the outcome starts an error workflow is `start_error_workflow`'s call.
        let error_route = match (&outcome, route) {
            (Ok(done), Some(route)) => Some((done.clone(), route)),
            _ => None,
        };
        self.notices
            .outcome(id, outcome, published && wants.outcome)
            .await;
        if let Some((done, route)) = error_route {
            self.start_error_workflow(&done.record, &route, done.data.as_ref())
                .await;
        }
    }

    /// Whether waiters may be in other processes (queue mode).
    fn published(&self) -> bool {
        matches!(self.queue.get(), Some(crate::queue::Queue::Streams(_)))
    }

    /// A job whose claim failed: if the execution already ended (canceled before it started),
    /// its waiter learns that now.
    async fn not_claimed(&self, id: Uuid, submitted_here: bool) {
        let Ok(record) = executions::get(&self.db, id).await else {
            return;
        };
        if record.status.is_finished() {
            let done = Completed { record, data: None };
            let publish = self.published() && !submitted_here;
            self.notices.outcome(id, Ok(Arc::new(done)), publish).await;
        }
    }

    /// A place under `workflow`'s limit may have come free: its oldest parked executions are
    /// queued again (a duplicate's claim just fails).
    async fn wake_parked(&self, workflow: Uuid, max: u32) {
        let (Some(queue), Ok(ids)) = (
            self.queue.get(),
            executions::parked(&self.db, workflow, u64::from(max)).await,
        ) else {
            return;
        };
        for id in ids {
            if let Err(e) = queue.push(id, crate::queue::Priority::Normal).await {
                tracing::warn!(error = %e, execution = %id, "a parked execution could not be queued; the reconciler will");
            }
        }
    }

    /// Where a retry of the failed execution `original` starts, if that execution kept its
    /// failure point (it failed at a node; not crashed, canceled, or written by an older
    /// version): its result data and the point.
    async fn failure_point(&self, original: Uuid) -> Option<Retried> {
        let data = executions::get_data(&self.db, original).await.ok()?;
        let mut state = data.result?;
        let failed_at =
            serde_json::from_value(state["executionData"]["weftRetryFrom"].take()).ok()?;
        let previous = serde_json::from_value(state["resultData"].take()).ok()?;
        Some(Retried {
            previous,
            failed_at,
        })
    }

    /// Reads what execution `id` starts from.
    async fn load(&self, id: Uuid) -> Result<Prepared, StoreError> {
        let record = executions::get(&self.db, id).await?;
        let (snapshot, request) = executions::get_request(&self.db, id).await?;
        let draft: WorkflowDraft = serde_json::from_value(snapshot).map_err(|e| corrupt(id, e))?;
        let definition =
            WorkflowDefinition::try_from(draft).map_err(|e| corrupt(id, format!("{e:?}")))?;
        let request = request.unwrap_or_else(|| StoredRequest {
            start_node: weft_engine::run::start_node(&definition, &self.registry)
                .map(|n| n.name.clone())
                .unwrap_or_default(),
            ..Default::default()
        });
        let static_data = store::workflows::static_data(&self.db, record.workflow_id)
            .await
            .ok()
            .flatten();
        Ok(Prepared {
            record,
            definition,
            request,
            static_data,
        })
    }

    /// Runs the claimed execution. `None`: the lease was lost.
    async fn run_claimed(
        self: &Arc<Self>,
        id: Uuid,
        loaded: Prepared,
    ) -> Result<(executions::Wants, ErrorRoute, Option<Completed>), StoreError> {
        let Prepared {
            record,
            definition,
            request,
            static_data,
        } = loaded;
        let wants = request.wants;
        let route = ErrorRoute::of(&definition, &request.start_node);
        let begin = match &request.resume {
            None => match (record.mode, record.retry_of) {
                (ExecutionMode::Retry, Some(original)) => self
                    .failure_point(original)
                    .await
                    .map_or(Begin::Fresh, |r| Begin::Retry(Box::new(r))),
                _ => Begin::Fresh,
            },
            Some(call) => {
                let data = executions::get_data(&self.db, id).await?;
                let mut state = data.result.ok_or_else(|| corrupt(id, "no saved state"))?;
                let previous: ResultData = serde_json::from_value(state["resultData"].take())
                    .map_err(|e| corrupt(id, e))?;
                let paused: Paused =
                    serde_json::from_value(state["executionData"]["weftPaused"].take())
                        .map_err(|e| corrupt(id, e))?;
                Begin::Resume(Box::new(Resumed {
                    previous,
                    paused,
                    items: call.items.clone(),
                }))
            }
        };
        let (start, items) = match &begin {
            Begin::Resume(r) => (r.paused.node.clone(), Vec::new()),
            Begin::Retry(r) => (r.failed_at.node.clone(), Vec::new()),
            Begin::Fresh => (
                request.start_node.clone(),
                request.items.unwrap_or_else(|| vec![Item::default()]),
            ),
        };
        let pin_data = if matches!(begin, Begin::Fresh) {
            request.pin_data
        } else {
            HashMap::new()
        };
        let responder = if wants.response && matches!(begin, Begin::Fresh) {
            Responder::to(self.notices.sink(id, self.published()))
        } else {
            Responder::default()
        };
        let vars = self.vars.get(&self.db).await?;
        let mut options = self.options(&record, start, items, pin_data, static_data, responder);
        options.vars = vars;
        let done = self.execute(&record, definition, options, begin).await;
        self.lock_cancels().remove(&id);
        Ok((wants, route, done?))
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
        let cancel = self
            .lock_cancels()
            .entry(record.id)
            .or_insert_with(|| Arc::new(AtomicBool::new(false)))
            .clone();
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
            workflows: weft_engine::run::Workflows(Some(Arc::new(
                super::subworkflows::StoreWorkflows {
                    runner: Arc::downgrade(self),
                    handle: tokio::runtime::Handle::current(),
                    caller: record.id,
                    caller_workflow: record.workflow_id,
                    depth: record.call_depth,
                    draft: record.mode == ExecutionMode::Manual,
                },
            ))),
            credentials: weft_engine::run::Credentials(Some(Arc::new(
                super::credentials::StoreCredentials {
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
            vars: Default::default(),
        }
    }

    /// Keeps this worker's lease on `id` while the run goes on; stops the run if the lease is
    /// lost (another worker took the execution over). Runs on the async runtime, never on the
    /// engine thread, so a CPU-bound node cannot starve it.
    fn keep_lease(&self, id: Uuid, cancel: Arc<AtomicBool>) -> tokio::task::JoinHandle<()> {
        let (db, worker, lease) = (self.db.clone(), self.worker_id.clone(), self.lease);
        tokio::spawn(async move {
            let every = (lease / 3).max(Duration::from_millis(100));
            loop {
                tokio::time::sleep(every).await;
                match executions::renew(&db, id, &worker, lease).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(execution = %id, "this worker lost its lease on a running execution; stopping its run here");
                        cancel.store(true, Ordering::Relaxed);
                        return;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, execution = %id, "an execution's lease could not be renewed")
                    }
                }
            }
        })
    }

    async fn execute(
        &self,
        record: &ExecutionRecord,
        def: WorkflowDefinition,
        options: RunOptions,
        begin: Begin,
    ) -> Result<Option<Completed>, StoreError> {
        let id = record.id;
        let _permit = self.permits.clone().acquire_owned().await.ok();
        let lease = self.keep_lease(id, options.cancel.clone());
        let timeout = def
            .settings()
            .get("executionTimeout")
            .and_then(Value::as_f64)
            .filter(|s| *s > 0.0);
        let timed_out = Arc::new(AtomicBool::new(false));
        let timer = timeout
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .map(|limit| {
                let (cancel, timed_out) = (options.cancel.clone(), timed_out.clone());
                tokio::spawn(async move {
                    tokio::time::sleep(limit).await;
                    timed_out.store(true, Ordering::Relaxed);
                    cancel.store(true, Ordering::Relaxed);
                })
            });
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
                    Begin::Retry(r) => {
                        let Retried {
                            previous,
                            failed_at,
                        } = *r;
                        rt.block_on(executor.retry(options, previous, failed_at))
                    }
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
        lease.abort();
        if let Some(timer) = timer {
            timer.abort();
        }
        let result = result.map(|mut r| {
            if r.status == ExecutionStatus::Canceled && r.result_data.error.is_none() {
                r.result_data.error = Some(canceled(timed_out.load(Ordering::Relaxed)));
            }
            r
        });
        let finished = outcome::Finished {
            id,
            workflow_id: record.workflow_id,
            mode: record.mode,
            settings: &settings,
            holder: &self.worker_id,
            retries_done: record.retry_attempts,
        };
        outcome::record(&self.db, finished, result).await
    }
}
