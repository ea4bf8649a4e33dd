//! Frozen schema migrations, run by `weft serve` and `weft migrate`. Never edit one that has landed: add a new one.

pub use sea_orm_migration::prelude::*;

mod m20261121_000001_create_schema;
mod m20261121_000002_webhook_idempotency;
mod m20261122_000001_credential_indexes;
mod m20261203_000001_execution_parent;
mod m20261204_000001_api_key_prefix;
mod m20261204_000002_refresh_tokens;
mod m20261204_000003_one_owner;
mod m20261204_000004_ownership;
mod m20261205_000001_queue_mode;
mod m20261206_000001_idempotency_execution;
mod m20261206_000002_variables;
mod m20261206_000003_schedule_ticks;
mod m20261206_000004_execution_retention;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_create_schema::Migration),
            Box::new(m20261121_000002_webhook_idempotency::Migration),
            Box::new(m20261122_000001_credential_indexes::Migration),
            Box::new(m20261203_000001_execution_parent::Migration),
            Box::new(m20261204_000001_api_key_prefix::Migration),
            Box::new(m20261204_000002_refresh_tokens::Migration),
            Box::new(m20261204_000003_one_owner::Migration),
            Box::new(m20261204_000004_ownership::Migration),
            Box::new(m20261205_000001_queue_mode::Migration),
            Box::new(m20261206_000001_idempotency_execution::Migration),
            Box::new(m20261206_000002_variables::Migration),
            Box::new(m20261206_000003_schedule_ticks::Migration),
            Box::new(m20261206_000004_execution_retention::Migration),
        ]
    }
}
