//! Indexes for listing credentials oldest first and finding one by type and name.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("idx_credentials_created")
                .table(Credentials::Table)
                .col(Credentials::CreatedAt)
                .col(Credentials::Id)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_credentials_type_name")
                .table(Credentials::Table)
                .col(Credentials::CredentialType)
                .col(Credentials::Name)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in ["idx_credentials_type_name", "idx_credentials_created"] {
            m.drop_index(
                Index::drop()
                    .name(name)
                    .table(Credentials::Table)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Credentials {
    Table,
    Id,
    Name,
    CredentialType,
    CreatedAt,
}
