//! The worker: an apalis worker (concurrency, graceful shutdown) draining a queue backend into
//! the runner. Regular mode runs one inside `weft serve` on the in-process queue; queue mode
//! runs it as `weft worker` on Redis Streams.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use apalis::prelude::{Data, Monitor, WorkerBuilder, WorkerBuilderExt};
use apalis_core::backend::{Backend, BackendConfig};
use apalis_core::error::BoxDynError;
use apalis_core::task::Task;

use super::Job;
use crate::runner::Runner;

/// Runs one job. Failures of the execution are its outcome, not the job's: the job succeeds.
async fn handle(job: Job, runner: Data<Arc<Runner>>) -> Result<(), BoxDynError> {
    runner.run_job(&job).await;
    Ok(())
}

/// Drains `backend` with `concurrency` executions at once until `shutdown` resolves; then
/// waits up to `grace` for running executions to finish. Returns when the worker has stopped.
pub async fn run<B>(
    runner: Arc<Runner>,
    backend: B,
    concurrency: usize,
    grace: Duration,
    shutdown: impl Future<Output = std::io::Result<()>> + Send + 'static,
) -> anyhow::Result<()>
where
    B: Backend<Task = Task<Job>, Error = super::QueueError>
        + BackendConfig<
            Args = Job,
            Layer = tower_layer::Identity,
            Kind = apalis_core::backend::finalize::Ephemeral,
        > + Clone
        + Send
        + Unpin
        + 'static,
{
    let name = format!("weft-worker-{}", runner.worker_id());
    // The factory may be called again (a restart) and must be shareable; backends clone empty.
    let backend = std::sync::Mutex::new(backend);
    Monitor::new()
        .register(move |_| {
            let backend = backend
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone();
            WorkerBuilder::new(name.clone())
                .backend(backend)
                .concurrency(concurrency.max(1))
                .data(runner.clone())
                .build(handle)
        })
        .shutdown_timeout(grace)
        .run_with_signal(shutdown)
        .await?;
    Ok(())
}
