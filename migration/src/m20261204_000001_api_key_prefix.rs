//! API keys are found by a public prefix (shown in lists, never enough to use the key) and then
//! compared by hash in constant time.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(ApiKeys::Table)
                .add_column(
                    ColumnDef::new(ApiKeys::Prefix)
                        .string()
                        .not_null()
                        .default(""),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_api_keys_prefix")
                .table(ApiKeys::Table)
                .col(ApiKeys::Prefix)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("uq_api_keys_prefix")
                .table(ApiKeys::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(ApiKeys::Table)
                .drop_column(ApiKeys::Prefix)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Prefix,
}
