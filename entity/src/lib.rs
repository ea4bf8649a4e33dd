//! sea-orm entities for Weft's schema: plain row types, no logic (the store maps them to domain types).

pub mod api_key;
pub mod credential;
pub mod credential_share;
pub mod execution;
pub mod execution_data;
pub mod refresh_token;
pub mod schedule_tick;
pub mod tag;
pub mod user;
pub mod variable;
pub mod webhook;
pub mod webhook_idempotency;
pub mod workflow;
pub mod workflow_history;
pub mod workflow_share;
pub mod workflow_tag;
