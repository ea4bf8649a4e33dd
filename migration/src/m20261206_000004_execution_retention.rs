//! Retention: finished executions past the age or count limits are first marked deleted
//! (`deleted_at`, hidden from the API at once) and removed for good after the hard-delete
//! buffer, in small batches. Indexes serve both passes; on Postgres the executions tables are
//! vacuumed and analysed sooner than by default, as they churn.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Executions::Table)
                .add_column(
                    ColumnDef::new(Executions::DeletedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .to_owned(),
        )
        .await?;
        for (name, column) in [
            ("idx_executions_stopped", Executions::StoppedAt),
            ("idx_executions_deleted", Executions::DeletedAt),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Executions::Table)
                    .col(column)
                    .to_owned(),
            )
            .await?;
        }
        if m.get_database_backend() == DbBackend::Postgres {
            for table in ["executions", "execution_data"] {
                m.get_connection()
                    .execute_unprepared(&format!(
                        "ALTER TABLE {table} SET (autovacuum_vacuum_scale_factor = 0.02, \
                         autovacuum_vacuum_threshold = 1000, autovacuum_analyze_scale_factor = 0.02)"
                    ))
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == DbBackend::Postgres {
            for table in ["executions", "execution_data"] {
                m.get_connection()
                    .execute_unprepared(&format!(
                        "ALTER TABLE {table} RESET (autovacuum_vacuum_scale_factor, \
                         autovacuum_vacuum_threshold, autovacuum_analyze_scale_factor)"
                    ))
                    .await?;
            }
        }
        for name in ["idx_executions_deleted", "idx_executions_stopped"] {
            m.drop_index(Index::drop().name(name).table(Executions::Table).to_owned())
                .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Executions::Table)
                .drop_column(Executions::DeletedAt)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Executions {
    Table,
    StoppedAt,
    DeletedAt,
}
