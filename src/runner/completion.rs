//! The outcome of a started execution for whoever waits on it (a run request, a webhook call
//! answering with the last node's items): a message, not a task handle, so a worker in another
//! process can deliver it later. A waiter subscribes when the run is started, so a run that
//! ends at once is not missed.

use std::sync::Arc;

use tokio::sync::watch;

use super::Completed;

/// Why no outcome came.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct CompletionError(pub String);

/// How a run ended (finished or paused), as recorded.
pub type Outcome = Result<Arc<Completed>, CompletionError>;

/// The end of one started execution, to wait for.
pub struct Completion(watch::Receiver<Option<Outcome>>);

impl Completion {
    /// Waits until the execution ends or pauses.
    pub async fn outcome(mut self) -> Outcome {
        match self.0.wait_for(Option::is_some).await {
            Ok(outcome) => outcome.clone().expect("waited for an outcome"),
            Err(_) => Err(CompletionError(
                "the execution ended without recording an outcome".into(),
            )),
        }
    }
}

/// Where a run reports its outcome, and what its waiter holds.
pub(super) fn channel() -> (watch::Sender<Option<Outcome>>, Completion) {
    let (sender, receiver) = watch::channel(None);
    (sender, Completion(receiver))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_outcome_sent_before_anyone_waits_still_reaches_the_waiter() {
        let (report, completion) = channel();
        report
            .send(Some(Err(CompletionError(
                "the run failed to record".into(),
            ))))
            .unwrap();
        let got = completion.outcome().await.unwrap_err();
        assert_eq!(got.0, "the run failed to record");
    }

    #[tokio::test]
    async fn a_run_that_goes_away_without_an_outcome_is_an_error_not_a_hang() {
        let (report, completion) = channel();
        drop(report);
        assert!(completion.outcome().await.is_err());
    }
}
