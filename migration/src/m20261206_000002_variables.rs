//! Variables (`$vars`): key/value strings every workflow can read, managed through
//! `/api/v1/variables`. Keys are unique.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let ts = |c: Variables| {
            ColumnDef::new(c)
                .timestamp_with_time_zone()
                .not_null()
                .to_owned()
        };
        m.create_table(
            Table::create()
                .table(Variables::Table)
                .col(
                    ColumnDef::new(Variables::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(Variables::Key).string().not_null())
                .col(ColumnDef::new(Variables::Value).text().not_null())
                .col(ts(Variables::CreatedAt))
                .col(ts(Variables::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_variables_key")
                .table(Variables::Table)
                .col(Variables::Key)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Variables::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Variables {
    Table,
    Id,
    Key,
    Value,
    CreatedAt,
    UpdatedAt,
}
