//! Queue mode: an execution's run request (start node, input items, pin data) is stored with
//! it so any worker can run it from its id, and a failed execution a workflow retries records
//! when its next attempt is due.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds columns one at a time.
        m.alter_table(
            Table::alter()
                .table(ExecutionData::Table)
                .add_column(ColumnDef::new(ExecutionData::RunRequest).blob().null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(ExecutionData::Table)
                .add_column(
                    ColumnDef::new(ExecutionData::RunRequestEncoding)
                        .text()
                        .null(),
                )
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Executions::Table)
                .add_column(
                    ColumnDef::new(Executions::NextAttemptAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Executions::Table)
                .add_column(
                    ColumnDef::new(Executions::RetryAttempts)
                        .integer()
                        .not_null()
                        .default(0),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [Executions::RetryAttempts, Executions::NextAttemptAt] {
            m.alter_table(
                Table::alter()
                    .table(Executions::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        for column in [ExecutionData::RunRequestEncoding, ExecutionData::RunRequest] {
            m.alter_table(
                Table::alter()
                    .table(ExecutionData::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Executions {
    Table,
    NextAttemptAt,
    RetryAttempts,
}

#[derive(DeriveIden)]
enum ExecutionData {
    Table,
    RunRequest,
    RunRequestEncoding,
}
