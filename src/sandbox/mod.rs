//! Code nodes in sandbox processes that can be killed from outside: a pool of `weft
//! code-sandbox` processes, one per Code node run in progress. A run that outlives its time
//! limit (a native loop QuickJS cannot interrupt), whose execution is stopped, or whose process
//! runs out of memory is ended by killing its process; the next run gets a fresh one, and the
//! execution slot is free again at once.

mod child;
mod worker;

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use weft_engine::expr::code_host::{Answer, Ask};
use weft_engine::expr::{CodeHost, CodeRequest, CodeSession, ExprError};

pub use child::serve_stdio;
use worker::{Ended, Worker};

/// How long past its time limit a run may go before its process is killed. The limit itself
/// is kept inside the process (QuickJS's interrupt); killing is for what that cannot stop.
pub const KILL_GRACE: Duration = Duration::from_secs(1);

/// How sandbox processes are started.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    /// The `weft` binary (it runs itself with the hidden `code-sandbox` subcommand).
    pub program: PathBuf,
    /// A process's data segment limit (`RLIMIT_DATA`): past it allocation fails and the
    /// process aborts instead of growing the machine's memory use.
    pub data_limit: u64,
    /// Idle processes kept for the next runs (more are started when needed).
    pub max_idle: usize,
    /// The largest answer read from a process (an execution cannot hold more anyway).
    pub max_answer: usize,
}

struct Pool {
    settings: PoolSettings,
    idle: Mutex<Vec<Worker>>,
}

impl Pool {
    fn take(&self) -> Option<Worker> {
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop()
    }

    fn give_back(&self, worker: Worker) {
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if idle.len() < self.settings.max_idle {
            idle.push(worker);
        }
    }
}

/// The Code node host of a server: see the module documentation.
#[derive(Clone)]
pub struct ProcessHost {
    pool: Arc<Pool>,
}

impl ProcessHost {
    pub fn new(settings: PoolSettings) -> Self {
        Self {
            pool: Arc::new(Pool {
                settings,
                idle: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Starts one process now and checks it answers, so a wrong program fails at start-up.
    pub fn check(&self) -> Result<(), String> {
        let mut worker = Worker::spawn(
            &self.pool.settings.program,
            self.pool.settings.data_limit,
            self.pool.settings.max_answer,
        )
        .map_err(|e| format!("{}: {e}", self.pool.settings.program.display()))?;
        let deadline = Instant::now() + Duration::from_secs(10);
        // Not kept: a process dies with the thread that started it (see `child.rs`), and
        // this one may not live as long as the engine threads do.
        match worker.ask(&Ask::Close, deadline, &AtomicBool::new(false)) {
            Ok(Answer::Failed(_)) => Ok(()),
            Ok(other) => Err(format!("unexpected answer {other:?}")),
            Err(e) => Err(format!("{e:?}")),
        }
    }
}

fn spawn_error(e: std::io::Error) -> ExprError {
    ExprError::Engine(format!(
        "the Code node's sandbox process could not start: {e}"
    ))
}

/// What a run that ended without an answer says.
fn ended(e: Ended, limits: weft_engine::expr::ExprLimits) -> ExprError {
    match e {
        Ended::Stopped => ExprError::Stopped,
        Ended::TimedOut => ExprError::Timeout(limits.timeout.as_millis() as u64),
        Ended::Died(why) => ExprError::Engine(format!(
            "the Code node's sandbox process ended unexpectedly: {why}"
        )),
    }
}

impl CodeHost for ProcessHost {
    fn open(
        &self,
        request: CodeRequest,
        cancel: Arc<AtomicBool>,
    ) -> Result<Box<dyn CodeSession>, ExprError> {
        if cancel.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(ExprError::Stopped);
        }
        let limits = request.limits;
        // Making the context, setting static data and loading the scope: one limit each.
        let deadline = Instant::now() + limits.timeout * 3 + KILL_GRACE;
        let ask = Ask::Open(Box::new(request));
        let settings = &self.pool.settings;
        let mut worker = loop {
            match self.pool.take() {
                Some(mut w) => {
                    if w.is_alive() {
                        break w;
                    }
                }
                None => {
                    break Worker::spawn(
                        &settings.program,
                        settings.data_limit,
                        settings.max_answer,
                    )
                    .map_err(spawn_error)?;
                }
            }
        };
        let answer = match worker.ask(&ask, deadline, &cancel) {
            // An idle process can die between the check and the ask: once more, fresh.
            Err(Ended::Died(_)) => {
                worker = Worker::spawn(&settings.program, settings.data_limit, settings.max_answer)
                    .map_err(spawn_error)?;
                worker.ask(&ask, deadline, &cancel)
            }
            other => other,
        };
        match answer.map_err(|e| ended(e, limits))? {
            Answer::Opened => Ok(Box::new(ProcessSession {
                pool: self.pool.clone(),
                worker: Some(worker),
                cancel,
                limits,
            })),
            Answer::Failed(e) => Err(e),
            other => Err(ExprError::Engine(format!("unexpected answer {other:?}"))),
        }
    }
}

/// One Code node run in a sandbox process.
struct ProcessSession {
    pool: Arc<Pool>,
    /// `None` once the process was killed or has exited.
    worker: Option<Worker>,
    cancel: Arc<AtomicBool>,
    limits: weft_engine::expr::ExprLimits,
}

impl ProcessSession {
    fn ask(&mut self, ask: &Ask, deadline: Instant) -> Result<Answer, ExprError> {
        let Some(worker) = self.worker.as_mut() else {
            return Err(ExprError::Engine(
                "the Code node's sandbox process is gone".into(),
            ));
        };
        match worker.ask(ask, deadline, &self.cancel) {
            Ok(answer) => {
                if matches!(answer, Answer::Failed(ExprError::OutOfMemory(_))) {
                    // The process exits after such an answer; it is not reused.
                    self.worker = None;
                }
                Ok(answer)
            }
            Err(e) => {
                self.worker = None;
                Err(ended(e, self.limits))
            }
        }
    }
}

impl CodeSession for ProcessSession {
    fn alive(&self) -> bool {
        self.worker.is_some()
    }

    fn run(&mut self, index: usize) -> Result<Value, ExprError> {
        let deadline = Instant::now() + self.limits.timeout + KILL_GRACE;
        match self.ask(&Ask::Run { index }, deadline)? {
            Answer::Value(value) => Ok(value),
            Answer::Failed(e) => Err(e),
            other => Err(ExprError::Engine(format!("unexpected answer {other:?}"))),
        }
    }

    fn close(mut self: Box<Self>) -> Result<Value, ExprError> {
        let deadline = Instant::now() + self.limits.timeout + KILL_GRACE;
        let answer = self.ask(&Ask::Close, deadline)?;
        if let Some(worker) = self.worker.take() {
            self.pool.give_back(worker);
        }
        match answer {
            Answer::Static(data) => Ok(data),
            Answer::Failed(e) => Err(e),
            other => Err(ExprError::Engine(format!("unexpected answer {other:?}"))),
        }
    }
}
