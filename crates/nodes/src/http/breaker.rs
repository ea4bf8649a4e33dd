//! Per-host circuit breakers: after enough consecutive failures (connection errors, timeouts,
//! 5xx answers) a host's breaker opens and requests fail fast; after a cool-down one trial
//! request goes through (half-open) and its outcome closes or re-opens the breaker.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A breaker's state, as shown to operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Closed,
    Open,
    HalfOpen,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Closed => "closed",
            State::Open => "open",
            State::HalfOpen => "half-open",
        }
    }
}

#[derive(Default)]
struct Host {
    failures: u32,
    open_until: Option<Instant>,
    trial_in_flight: bool,
}

pub struct Breakers {
    threshold: u32,
    cooldown: Duration,
    hosts: Mutex<HashMap<String, Host>>,
}

impl Breakers {
    pub fn new(threshold: u32, cooldown: Duration) -> Self {
        Self {
            threshold: threshold.max(1),
            cooldown,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Host>> {
        self.hosts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// May a request to `host` go out now? `Err` holds how long until it may.
    pub fn admit(&self, host: &str) -> Result<(), Duration> {
        let mut hosts = self.lock();
        let h = hosts.entry(host.to_owned()).or_default();
        match h.open_until {
            None => Ok(()),
            Some(until) => {
                let now = Instant::now();
                if now < until {
                    Err(until - now)
                } else if h.trial_in_flight {
                    Err(Duration::from_secs(1))
                } else {
                    h.trial_in_flight = true;
                    Ok(())
                }
            }
        }
    }

    /// Records a request's outcome.
    pub fn record(&self, host: &str, success: bool) {
        let mut hosts = self.lock();
        let h = hosts.entry(host.to_owned()).or_default();
        if success {
            if h.open_until.is_some() {
                tracing::info!(host, "circuit breaker closed");
            }
            *h = Host::default();
            return;
        }
        h.failures += 1;
        if h.trial_in_flight || h.failures >= self.threshold {
            if h.open_until.is_none() || h.trial_in_flight {
                tracing::warn!(host, failures = h.failures, "circuit breaker opened");
            }
            h.open_until = Some(Instant::now() + self.cooldown);
            h.trial_in_flight = false;
        }
    }

    /// The state of `host`'s breaker.
    pub fn state(&self, host: &str) -> State {
        let hosts = self.lock();
        match hosts.get(host).and_then(|h| h.open_until.map(|u| (u, h))) {
            None => State::Closed,
            Some((until, h)) if Instant::now() < until && !h.trial_in_flight => State::Open,
            Some(_) => State::HalfOpen,
        }
    }

    /// Every host whose breaker is not closed, with its state.
    pub fn states(&self) -> Vec<(String, State)> {
        let names: Vec<String> = self.lock().keys().cloned().collect();
        names
            .into_iter()
            .map(|h| {
                let s = self.state(&h);
                (h, s)
            })
            .filter(|(_, s)| *s != State::Closed)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_consecutive_failures_and_closes_after_a_good_trial() {
        let b = Breakers::new(3, Duration::from_millis(30));
        for _ in 0..2 {
            assert!(b.admit("h").is_ok());
            b.record("h", false);
        }
        assert_eq!(b.state("h"), State::Closed);
        b.record("h", false);
        assert_eq!(b.state("h"), State::Open);
        assert!(b.admit("h").is_err());
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(b.state("h"), State::HalfOpen);
        assert!(b.admit("h").is_ok(), "one trial goes through");
        assert!(b.admit("h").is_err(), "only one");
        b.record("h", true);
        assert_eq!(b.state("h"), State::Closed);
        assert!(b.states().is_empty());
    }

    #[test]
    fn a_failed_trial_reopens_and_a_success_resets_the_count() {
        let b = Breakers::new(2, Duration::from_millis(10));
        b.record("h", false);
        b.record("h", true);
        b.record("h", false);
        assert_eq!(b.state("h"), State::Closed);
        b.record("h", false);
        assert_eq!(b.state("h"), State::Open);
        std::thread::sleep(Duration::from_millis(15));
        assert!(b.admit("h").is_ok());
        b.record("h", false);
        assert_eq!(b.state("h"), State::Open);
        assert_eq!(b.states(), vec![("h".to_owned(), State::Open)]);
    }
}
