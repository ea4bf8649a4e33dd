//! Idempotency keys of webhook calls: the first call's response, replayed to repeats.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WebhookIdempotency::Table)
                .col(
                    ColumnDef::new(WebhookIdempotency::Webhook)
                        .text()
                        .not_null(),
                )
                .col(ColumnDef::new(WebhookIdempotency::Key).text().not_null())
                .col(
                    ColumnDef::new(WebhookIdempotency::Done)
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .col(ColumnDef::new(WebhookIdempotency::Status).integer().null())
                .col(
                    ColumnDef::new(WebhookIdempotency::Headers)
                        .json_binary()
                        .null(),
                )
                .col(ColumnDef::new(WebhookIdempotency::Body).blob().null())
                .col(
                    ColumnDef::new(WebhookIdempotency::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .primary_key(
                    Index::create()
                        .col(WebhookIdempotency::Webhook)
                        .col(WebhookIdempotency::Key),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_webhook_idempotency_created")
                .table(WebhookIdempotency::Table)
                .col(WebhookIdempotency::CreatedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(
            Table::drop()
                .table(WebhookIdempotency::Table)
                .if_exists()
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum WebhookIdempotency {
    Table,
    Webhook,
    Key,
    Done,
    Status,
    Headers,
    Body,
    CreatedAt,
}
