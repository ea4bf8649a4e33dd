//! Test webhooks (`/webhook-test/{path}`): routes a workflow registers for one call or until they
//! expire, like n8n's "Listen for test event". With Redis they are shared by every instance
//! (`test_shared`); without it they live in this process's memory, as in n8n's single main.
//! They never touch the production routing table.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;
use weft_engine::workflow::{WebhookRoute, match_path};

use super::test_shared::{self, RegisterError};
use crate::bus::Bus;
use crate::store::webhooks::WebhookMatch;

struct Entry {
    workflow_id: Uuid,
    route: WebhookRoute,
    expires: Instant,
}

/// Why a registration was refused.
#[derive(Debug, thiserror::Error)]
#[error(
    "The test webhook \"{method} {path}\" is already waiting for another workflow ({workflow_id})"
)]
pub struct Taken {
    pub method: String,
    pub path: String,
    pub workflow_id: Uuid,
}

pub struct TestWebhooks {
    ttl: Duration,
    entries: Mutex<Vec<Entry>>,
    shared: Option<Arc<Bus>>,
}

impl TestWebhooks {
    /// Routes kept in memory, or in Redis when `shared` is given.
    pub fn new(ttl: Duration, shared: Option<Arc<Bus>>) -> Self {
        Self {
            ttl,
            entries: Mutex::new(Vec::new()),
            shared,
        }
    }

    /// Replaces the workflow's test routes with `routes`, valid for one call or the time to live;
    /// returns how long they wait.
    pub async fn listen(
        &self,
        workflow_id: Uuid,
        routes: Vec<WebhookRoute>,
    ) -> Result<Duration, RegisterError> {
        match &self.shared {
            Some(bus) => test_shared::register(bus, self.ttl, workflow_id, &routes)
                .await
                .map(|()| self.ttl),
            None => Ok(self.register(workflow_id, routes)?),
        }
    }

    /// Claims the route a call reaches (see [`TestWebhooks::take`]).
    pub async fn claim(&self, method: &str, path: &str) -> Option<WebhookMatch> {
        match &self.shared {
            Some(bus) => test_shared::take(bus, method, path)
                .await
                .unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "test webhooks: Redis unavailable");
                    None
                }),
            None => self.take(method, path),
        }
    }

    /// The methods waiting on `path` (for the "did you mean" hint and CORS preflight).
    pub async fn methods_waiting(&self, path: &str) -> Vec<String> {
        match &self.shared {
            Some(bus) => test_shared::methods_for(bus, path)
                .await
                .unwrap_or_default(),
            None => self.methods_for(path),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Entry>> {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        entries.retain(|e| e.expires > now);
        entries
    }

    /// Replaces the workflow's test routes with `routes`, valid for one call or the time to live;
    /// returns how long they wait.
    fn register(&self, workflow_id: Uuid, routes: Vec<WebhookRoute>) -> Result<Duration, Taken> {
        let mut entries = self.lock();
        for route in &routes {
            if let Some(other) = entries.iter().find(|e| {
                e.workflow_id != workflow_id
                    && e.route.method == route.method
                    && e.route.path == route.path
            }) {
                return Err(Taken {
                    method: route.method.clone(),
                    path: route.path.clone(),
                    workflow_id: other.workflow_id,
                });
            }
        }
        entries.retain(|e| e.workflow_id != workflow_id);
        let expires = Instant::now() + self.ttl;
        entries.extend(routes.into_iter().map(|route| Entry {
            workflow_id,
            route,
            expires,
        }));
        Ok(self.ttl)
    }

    /// Takes the route a call reaches: every test route of its workflow is gone afterwards, so
    /// a second call finds nothing (n8n's one-shot semantics).
    fn take(&self, method: &str, path: &str) -> Option<WebhookMatch> {
        let mut entries = self.lock();
        let found = entries.iter().find_map(|e| {
            if e.route.method != method {
                return None;
            }
            // A static pattern matches only itself, with no parameters.
            let params = match_path(&e.route.path, path)?;
            Some(WebhookMatch {
                workflow_id: e.workflow_id,
                node: e.route.node.clone(),
                params,
            })
        })?;
        entries.retain(|e| e.workflow_id != found.workflow_id);
        Some(found)
    }

    /// The methods waiting on `path` (for the "did you mean" hint and CORS preflight).
    fn methods_for(&self, path: &str) -> Vec<String> {
        let entries = self.lock();
        let mut methods: Vec<String> = entries
            .iter()
            .filter(|e| match_path(&e.route.path, path).is_some())
            .map(|e| e.route.method.clone())
            .collect();
        methods.sort();
        methods.dedup();
        methods
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: &str, path: &str) -> WebhookRoute {
        WebhookRoute {
            method: method.into(),
            path: path.into(),
            node: "Webhook".into(),
            webhook_id: None,
            dynamic: false,
            segments: path.split('/').count(),
        }
    }

    #[test]
    fn a_test_route_answers_one_call_then_is_gone() {
        let hooks = TestWebhooks::new(Duration::from_secs(60), None);
        let wf = Uuid::now_v7();
        hooks
            .register(wf, vec![route("POST", "a"), route("GET", "b")])
            .unwrap();
        assert!(hooks.take("GET", "a").is_none());
        assert_eq!(hooks.take("POST", "a").unwrap().workflow_id, wf);
        assert!(hooks.take("POST", "a").is_none());
        assert!(
            hooks.take("GET", "b").is_none(),
            "the workflow's other routes go too"
        );
    }

    #[test]
    fn test_routes_expire_and_cannot_be_taken_by_another_workflow() {
        let hooks = TestWebhooks::new(Duration::from_millis(30), None);
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        hooks.register(a, vec![route("POST", "x")]).unwrap();
        assert_eq!(
            hooks
                .register(b, vec![route("POST", "x")])
                .unwrap_err()
                .workflow_id,
            a
        );
        std::thread::sleep(Duration::from_millis(40));
        assert!(hooks.take("POST", "x").is_none());
        hooks.register(b, vec![route("POST", "x")]).unwrap();
        assert_eq!(hooks.methods_for("x"), vec!["POST".to_owned()]);
    }
}
