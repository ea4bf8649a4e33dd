//! Refresh tokens of signed-in users: stored as a hash, one row per token, grouped in families
//! (a login starts one; each refresh replaces the token within it). Reusing a replaced token
//! revokes its whole family.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let ts = |c: RefreshTokens| {
            ColumnDef::new(c)
                .timestamp_with_time_zone()
                .not_null()
                .to_owned()
        };
        let ts_null = |c: RefreshTokens| {
            ColumnDef::new(c)
                .timestamp_with_time_zone()
                .null()
                .to_owned()
        };
        m.create_table(
            Table::create()
                .table(RefreshTokens::Table)
                .col(
                    ColumnDef::new(RefreshTokens::Id)
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(RefreshTokens::UserId).uuid().not_null())
                .col(ColumnDef::new(RefreshTokens::FamilyId).uuid().not_null())
                .col(ColumnDef::new(RefreshTokens::TokenHash).string().not_null())
                .col(ts(RefreshTokens::CreatedAt))
                .col(ts(RefreshTokens::ExpiresAt))
                .col(ts_null(RefreshTokens::UsedAt))
                .col(ts_null(RefreshTokens::RevokedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(RefreshTokens::Table, RefreshTokens::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_refresh_tokens_hash")
                .table(RefreshTokens::Table)
                .col(RefreshTokens::TokenHash)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_refresh_tokens_family")
                .table(RefreshTokens::Table)
                .col(RefreshTokens::FamilyId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RefreshTokens::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    UserId,
    FamilyId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
