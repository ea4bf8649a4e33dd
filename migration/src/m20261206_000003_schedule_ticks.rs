//! Schedule ticks, each claimed once: a row per `(workflow, trigger node, tick time)` is written in
//! the same transaction as the execution the tick starts, so however many processes arm the same
//! schedule, the primary key lets one of them fire each tick, and a tick is never half-fired.
//! `rule_index` says which of the node's rules the tick belongs to (rules of "every N days" and
//! the like count from their rule's last tick).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let ts = |c: ScheduleTicks| {
            ColumnDef::new(c)
                .timestamp_with_time_zone()
                .not_null()
                .to_owned()
        };
        m.create_table(
            Table::create()
                .table(ScheduleTicks::Table)
                .col(ColumnDef::new(ScheduleTicks::WorkflowId).uuid().not_null())
                .col(ColumnDef::new(ScheduleTicks::Node).string().not_null())
                .col(ts(ScheduleTicks::TickAt))
                .col(
                    ColumnDef::new(ScheduleTicks::RuleIndex)
                        .integer()
                        .not_null()
                        .default(0),
                )
                .col(ColumnDef::new(ScheduleTicks::ExecutionId).uuid().not_null())
                .col(ts(ScheduleTicks::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(ScheduleTicks::WorkflowId)
                        .col(ScheduleTicks::Node)
                        .col(ScheduleTicks::TickAt),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_schedule_ticks_created_at")
                .table(ScheduleTicks::Table)
                .col(ScheduleTicks::CreatedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ScheduleTicks::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ScheduleTicks {
    Table,
    WorkflowId,
    Node,
    TickAt,
    RuleIndex,
    ExecutionId,
    CreatedAt,
}
