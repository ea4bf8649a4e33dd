//! A webhook call's idempotency claim records the execution it started, so a repeat that takes
//! over a claim left by a process that died mid-call answers from that execution instead of
//! running the workflow again.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(WebhookIdempotency::Table)
                .add_column(
                    ColumnDef::new(WebhookIdempotency::ExecutionId)
                        .uuid()
                        .null(),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(WebhookIdempotency::Table)
                .drop_column(WebhookIdempotency::ExecutionId)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum WebhookIdempotency {
    Table,
    ExecutionId,
}
