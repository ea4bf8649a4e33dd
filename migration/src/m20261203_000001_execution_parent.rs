//! Executions remember the execution that started them and how deep in a chain of
//! sub-workflow calls they are, so the depth limit holds across executions.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds columns one at a time.
        m.alter_table(
            Table::alter()
                .table(Executions::Table)
                .add_column(ColumnDef::new(Executions::ParentExecutionId).uuid().null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Executions::Table)
                .add_column(
                    ColumnDef::new(Executions::CallDepth)
                        .integer()
                        .not_null()
                        .default(0),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [Executions::CallDepth, Executions::ParentExecutionId] {
            m.alter_table(
                Table::alter()
                    .table(Executions::Table)
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
    ParentExecutionId,
    CallDepth,
}
