//! Ownership and sharing: each workflow and credential belongs to a user (`owner_id`; rows made
//! before users existed go to the owner), and is shared with other users as `viewer` or
//! `editor` through `workflow_shares` / `credential_shares`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Workflows::Table)
                .add_column(ColumnDef::new(Workflows::OwnerId).uuid().null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Credentials::Table)
                .add_column(ColumnDef::new(Credentials::OwnerId).uuid().null())
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        for table in ["workflows", "credentials"] {
            db.execute_unprepared(&format!(
                "UPDATE {table} SET owner_id = (SELECT id FROM users WHERE role = 'owner') \
                 WHERE owner_id IS NULL"
            ))
            .await?;
        }
        m.create_index(
            Index::create()
                .name("idx_workflows_owner")
                .table(Workflows::Table)
                .col(Workflows::OwnerId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_credentials_owner")
                .table(Credentials::Table)
                .col(Credentials::OwnerId)
                .to_owned(),
        )
        .await?;
        share_table(m, "workflow_shares", "workflow_id", "workflows").await?;
        share_table(m, "credential_shares", "credential_id", "credentials").await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["credential_shares", "workflow_shares"] {
            m.drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        m.drop_index(Index::drop().name("idx_credentials_owner").to_owned())
            .await?;
        m.drop_index(Index::drop().name("idx_workflows_owner").to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Credentials::Table)
                .drop_column(Credentials::OwnerId)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Workflows::Table)
                .drop_column(Workflows::OwnerId)
                .to_owned(),
        )
        .await
    }
}

/// `table(resource, user_id, role, created_at)`, one row per user a resource is shared with,
/// gone with the resource or the user.
async fn share_table(
    m: &SchemaManager<'_>,
    table: &str,
    resource: &str,
    resources: &str,
) -> Result<(), DbErr> {
    let t = Alias::new(table);
    m.create_table(
        Table::create()
            .table(t.clone())
            .col(ColumnDef::new(Alias::new(resource)).uuid().not_null())
            .col(ColumnDef::new(Alias::new("user_id")).uuid().not_null())
            .col(ColumnDef::new(Alias::new("role")).string_len(16).not_null())
            .col(
                ColumnDef::new(Alias::new("created_at"))
                    .timestamp_with_time_zone()
                    .not_null(),
            )
            .primary_key(
                Index::create()
                    .col(Alias::new(resource))
                    .col(Alias::new("user_id")),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(t.clone(), Alias::new(resource))
                    .to(Alias::new(resources), Alias::new("id"))
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(t.clone(), Alias::new("user_id"))
                    .to(Users::Table, Users::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned(),
    )
    .await?;
    m.create_index(
        Index::create()
            .name(format!("idx_{table}_user"))
            .table(t)
            .col(Alias::new("user_id"))
            .to_owned(),
    )
    .await
}

#[derive(DeriveIden)]
enum Workflows {
    Table,
    OwnerId,
}

#[derive(DeriveIden)]
enum Credentials {
    Table,
    OwnerId,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
