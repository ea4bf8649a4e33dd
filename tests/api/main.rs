//! Integration tests: the real app on port 0 against an isolated Postgres database or SQLite file.

mod helpers;

mod auth;
mod authz_matrix;
mod case_server;
mod cli;
mod credentials;
mod errors;
mod executions;
mod explain;
mod headers;
mod health;
mod http_credentials;
mod n8n_cases;
mod openapi;
mod owner_key;
mod ownership;
mod pagination;
mod queue_mode;
mod rate_limits;
mod recovery;
mod respond_to_webhook;
mod sessions;
mod stops;
mod subworkflows;
mod tags;
mod test_webhooks;
mod users;
mod waiting;
mod webhook_auth;
mod webhook_cache;
mod webhook_guards;
mod webhook_idempotency;
mod webhooks;
mod workflows;
