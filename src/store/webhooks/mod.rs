//! The webhook routing table: kept exact with active workflows, and the lookups requests use.

pub mod idempotency;
mod lookup;
mod sync;

pub use lookup::{WebhookMatch, lookup, methods_for};
pub use sync::{clear, sync};
