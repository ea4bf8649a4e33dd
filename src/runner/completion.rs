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
pub struct Completion {
    receiver: watch::Receiver<Option<Outcome>>,
    /// In queue mode, where a copy of a published outcome is looked for.
    recheck: Option<(Arc<crate::bus::Bus>, uuid::Uuid)>,
    /// The waiter for a Respond to Webhook response, when one was asked for.
    response: Option<super::ResponseWait>,
}

impl Completion {
    pub(super) fn new(
        receiver: watch::Receiver<Option<Outcome>>,
        recheck: Option<(Arc<crate::bus::Bus>, uuid::Uuid)>,
    ) -> Self {
        Self {
            receiver,
            recheck,
            response: None,
        }
    }

    /// A completion for a run nobody waits for: waiting on it ends at once, with an error.
    pub(super) fn none() -> Self {
        let (_, receiver) = watch::channel(None);
        Self::new(receiver, None)
    }

    pub(super) fn with_response(mut self, response: super::ResponseWait) -> Self {
        self.response = Some(response);
        self
    }

    /// The waiter for the run's Respond to Webhook response (once; runs that asked for one).
    pub fn take_response(&mut self) -> Option<super::ResponseWait> {
        self.response.take()
    }

    /// Waits until the execution ends or pauses.
    pub async fn outcome(mut self) -> Outcome {
        loop {
            let wait = self.receiver.wait_for(Option::is_some);
            let got = match &self.recheck {
                None => Ok(wait.await.map(|o| o.clone())),
                Some(_) => tokio::time::timeout(super::notices::RECHECK, wait)
                    .await
                    .map(|r| r.map(|o| o.clone())),
            };
            match got {
                Ok(Ok(outcome)) => return outcome.expect("waited for an outcome"),
                Ok(Err(_)) if self.recheck.is_none() => {
                    return Err(CompletionError(
                        "the execution ended without recording an outcome".into(),
                    ));
                }
                Ok(Err(_)) => tokio::time::sleep(super::notices::RECHECK).await,
                Err(_) => {}
            }
            if let Some((bus, id)) = &self.recheck
                && let Some(outcome) = super::notices::outcome_copy(bus, *id).await
            {
                return outcome;
            }
        }
    }
}

/// Where a run reports its outcome, and what its waiter holds.
#[cfg(test)]
pub(super) fn channel() -> (watch::Sender<Option<Outcome>>, Completion) {
    let (sender, receiver) = watch::channel(None);
    (sender, Completion::new(receiver, None))
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
