//! The threads that run executions: a fixed pool, one thread per execution slot, each with a
//! stack chosen here (not the platform's default) and a long life, so its JavaScript runtime
//! and its allocator arena are reused instead of being made anew for each burst of work.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// The stack of an engine thread. JavaScript recursion stops at 512 KiB of it (QuickJS's own
/// limit), and every recursive walk over user data is bounded by `weft_engine::MAX_NESTING`;
/// only the pages touched cost memory.
pub const ENGINE_STACK_BYTES: usize = 8 << 20;

type Job = Box<dyn FnOnce() + Send>;

pub struct EnginePool {
    jobs: mpsc::Sender<Job>,
    threads: usize,
}

impl EnginePool {
    pub fn new(threads: usize) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("weft-engine-{n}"))
                .stack_size(ENGINE_STACK_BYTES)
                .spawn(move || {
                    loop {
                        let next = queue
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .recv();
                        match next {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })?;
        }
        Ok(Self {
            jobs,
            threads: threads.max(1),
        })
    }

    /// How many threads run executions.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Runs `work` on an engine thread; a panic in it comes back as its message.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, String> {
        let (done, outcome) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let result = std::panic::catch_unwind(AssertUnwindSafe(work)).map_err(|panic| {
                panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic without a message".to_owned())
            });
            let _ = done.send(result);
        });
        self.jobs
            .send(job)
            .map_err(|_| "the engine threads are gone".to_owned())?;
        outcome
            .await
            .map_err(|_| "the engine thread dropped the execution".to_owned())?
    }
}
