//! The first schema: every table the product needs, with the indexes its list queries use.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn uuid_pk<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).uuid().not_null().primary_key().take()
}

fn ts<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .take()
}

fn ts_null<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).timestamp_with_time_zone().null().take()
}

fn json<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).json_binary().not_null().take()
}

fn json_null<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).json_binary().null().take()
}

fn text<T: IntoIden>(col: T) -> ColumnDef {
    ColumnDef::new(col).text().not_null().take()
}

fn index(name: &str, table: impl IntoIden) -> IndexCreateStatement {
    Index::create().name(name).table(table).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        create_workflow_tables(m).await?;
        create_execution_tables(m).await?;
        create_access_tables(m).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            ApiKeys::Table.into_iden(),
            Users::Table.into_iden(),
            Credentials::Table.into_iden(),
            Webhooks::Table.into_iden(),
            ExecutionData::Table.into_iden(),
            Executions::Table.into_iden(),
            WorkflowTags::Table.into_iden(),
            Tags::Table.into_iden(),
            WorkflowHistory::Table.into_iden(),
            Workflows::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

async fn create_workflow_tables(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table(Workflows::Table)
            .col(uuid_pk(Workflows::Id))
            .col(text(Workflows::Name))
            .col(
                ColumnDef::new(Workflows::Active)
                    .boolean()
                    .not_null()
                    .default(false),
            )
            .col(json(Workflows::Nodes))
            .col(json(Workflows::Connections))
            .col(json(Workflows::Settings))
            .col(json_null(Workflows::StaticData))
            .col(json_null(Workflows::PinData))
            .col(json_null(Workflows::Meta))
            .col(ColumnDef::new(Workflows::VersionId).uuid().not_null())
            .col(
                ColumnDef::new(Workflows::TriggerCount)
                    .integer()
                    .not_null()
                    .default(0),
            )
            .col(ts(Workflows::CreatedAt))
            .col(ts(Workflows::UpdatedAt))
            .to_owned(),
    )
    .await?;
    // GET /workflows: newest first, optionally filtered by `active`.
    m.create_index(
        index("idx_workflows_updated", Workflows::Table)
            .col((Workflows::UpdatedAt, IndexOrder::Desc))
            .col((Workflows::Id, IndexOrder::Desc))
            .to_owned(),
    )
    .await?;
    m.create_index(
        index("idx_workflows_active_updated", Workflows::Table)
            .col(Workflows::Active)
            .col((Workflows::UpdatedAt, IndexOrder::Desc))
            .col((Workflows::Id, IndexOrder::Desc))
            .to_owned(),
    )
    .await?;

    m.create_table(
        Table::create()
            .table(WorkflowHistory::Table)
            .col(uuid_pk(WorkflowHistory::VersionId))
            .col(
                ColumnDef::new(WorkflowHistory::WorkflowId)
                    .uuid()
                    .not_null(),
            )
            .col(json(WorkflowHistory::Snapshot))
            .col(ts(WorkflowHistory::CreatedAt))
            .foreign_key(
                ForeignKey::create()
                    .from(WorkflowHistory::Table, WorkflowHistory::WorkflowId)
                    .to(Workflows::Table, Workflows::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned(),
    )
    .await?;
    m.create_index(
        index(
            "idx_workflow_history_workflow_created",
            WorkflowHistory::Table,
        )
        .col(WorkflowHistory::WorkflowId)
        .col((WorkflowHistory::CreatedAt, IndexOrder::Desc))
        .col((WorkflowHistory::VersionId, IndexOrder::Desc))
        .to_owned(),
    )
    .await?;

    m.create_table(
        Table::create()
            .table(Tags::Table)
            .col(uuid_pk(Tags::Id))
            .col(text(Tags::Name))
            .col(ts(Tags::CreatedAt))
            .col(ts(Tags::UpdatedAt))
            .to_owned(),
    )
    .await?;
    m.create_index(
        index("uq_tags_name", Tags::Table)
            .col(Tags::Name)
            .unique()
            .to_owned(),
    )
    .await?;
    // GET /tags: oldest first.
    m.create_index(
        index("idx_tags_created", Tags::Table)
            .col(Tags::CreatedAt)
            .col(Tags::Id)
            .to_owned(),
    )
    .await?;

    m.create_table(
        Table::create()
            .table(WorkflowTags::Table)
            .col(ColumnDef::new(WorkflowTags::WorkflowId).uuid().not_null())
            .col(ColumnDef::new(WorkflowTags::TagId).uuid().not_null())
            .primary_key(
                Index::create()
                    .col(WorkflowTags::WorkflowId)
                    .col(WorkflowTags::TagId),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(WorkflowTags::Table, WorkflowTags::WorkflowId)
                    .to(Workflows::Table, Workflows::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(WorkflowTags::Table, WorkflowTags::TagId)
                    .to(Tags::Table, Tags::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned(),
    )
    .await?;
    m.create_index(
        index("idx_workflow_tags_tag", WorkflowTags::Table)
            .col(WorkflowTags::TagId)
            .col(WorkflowTags::WorkflowId)
            .to_owned(),
    )
    .await
}

async fn create_execution_tables(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table(Executions::Table)
            .col(uuid_pk(Executions::Id))
            .col(ColumnDef::new(Executions::WorkflowId).uuid().not_null())
            .col(text(Executions::Mode))
            .col(text(Executions::Status))
            .col(ColumnDef::new(Executions::RetryOf).uuid().null())
            .col(ColumnDef::new(Executions::RetrySuccessId).uuid().null())
            .col(ts(Executions::StartedAt))
            .col(ts_null(Executions::StoppedAt))
            .col(ts_null(Executions::WaitTill))
            .col(ColumnDef::new(Executions::WorkerId).text().null())
            .col(ts_null(Executions::LeaseExpiresAt))
            .col(
                ColumnDef::new(Executions::Attempts)
                    .integer()
                    .not_null()
                    .default(0),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(Executions::Table, Executions::WorkflowId)
                    .to(Workflows::Table, Workflows::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned(),
    )
    .await?;
    // GET /executions: newest first, by workflow, by status, or both.
    let lists: [(&str, &[Executions]); 4] = [
        ("idx_executions_started", &[]),
        ("idx_executions_workflow_started", &[Executions::WorkflowId]),
        ("idx_executions_status_started", &[Executions::Status]),
        (
            "idx_executions_workflow_status_started",
            &[Executions::WorkflowId, Executions::Status],
        ),
    ];
    for (name, prefix) in lists {
        let mut idx = index(name, Executions::Table);
        for col in prefix {
            idx.col(*col);
        }
        idx.col((Executions::StartedAt, IndexOrder::Desc))
            .col((Executions::Id, IndexOrder::Desc));
        m.create_index(idx).await?;
    }
    // Waiting executions are woken by time; expired leases are reclaimed by time.
    m.create_index(
        index("idx_executions_status_wait_till", Executions::Table)
            .col(Executions::Status)
            .col(Executions::WaitTill)
            .to_owned(),
    )
    .await?;
    m.create_index(
        index("idx_executions_status_lease", Executions::Table)
            .col(Executions::Status)
            .col(Executions::LeaseExpiresAt)
            .to_owned(),
    )
    .await?;

    m.create_table(
        Table::create()
            .table(ExecutionData::Table)
            .col(uuid_pk(ExecutionData::ExecutionId))
            .col(json(ExecutionData::WorkflowData))
            .col(ColumnDef::new(ExecutionData::Data).blob().not_null())
            .col(text(ExecutionData::DataEncoding))
            .foreign_key(
                ForeignKey::create()
                    .from(ExecutionData::Table, ExecutionData::ExecutionId)
                    .to(Executions::Table, Executions::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned(),
    )
    .await?;

    m.create_table(
        Table::create()
            .table(Webhooks::Table)
            .col(text(Webhooks::Method))
            .col(text(Webhooks::Path))
            .col(ColumnDef::new(Webhooks::WorkflowId).uuid().not_null())
            .col(text(Webhooks::Node))
            .col(ColumnDef::new(Webhooks::WebhookId).text().null())
            .col(ColumnDef::new(Webhooks::PathSegments).integer().not_null())
            .col(
                ColumnDef::new(Webhooks::IsDynamic)
                    .boolean()
                    .not_null()
                    .default(false),
            )
            .primary_key(Index::create().col(Webhooks::Method).col(Webhooks::Path))
            .foreign_key(
                ForeignKey::create()
                    .from(Webhooks::Table, Webhooks::WorkflowId)
                    .to(Workflows::Table, Workflows::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned(),
    )
    .await?;
    m.create_index(
        index("idx_webhooks_workflow", Webhooks::Table)
            .col(Webhooks::WorkflowId)
            .to_owned(),
    )
    .await?;
    m.create_index(
        index("idx_webhooks_dynamic", Webhooks::Table)
            .col(Webhooks::Method)
            .col(Webhooks::IsDynamic)
            .col(Webhooks::PathSegments)
            .to_owned(),
    )
    .await
}

async fn create_access_tables(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table(Credentials::Table)
            .col(uuid_pk(Credentials::Id))
            .col(text(Credentials::Name))
            .col(text(Credentials::CredentialType))
            .col(ColumnDef::new(Credentials::Data).blob().not_null())
            .col(ts(Credentials::CreatedAt))
            .col(ts(Credentials::UpdatedAt))
            .to_owned(),
    )
    .await?;
    m.create_index(
        index("idx_credentials_type", Credentials::Table)
            .col(Credentials::CredentialType)
            .col(Credentials::Id)
            .to_owned(),
    )
    .await?;

    m.create_table(
        Table::create()
            .table(Users::Table)
            .col(uuid_pk(Users::Id))
            .col(text(Users::Email))
            .col(ColumnDef::new(Users::FirstName).text().null())
            .col(ColumnDef::new(Users::LastName).text().null())
            .col(ColumnDef::new(Users::PasswordHash).text().null())
            .col(text(Users::Role))
            .col(
                ColumnDef::new(Users::Disabled)
                    .boolean()
                    .not_null()
                    .default(false),
            )
            .col(ts(Users::CreatedAt))
            .col(ts(Users::UpdatedAt))
            .to_owned(),
    )
    .await?;
    m.create_index(
        index("uq_users_email", Users::Table)
            .col(Users::Email)
            .unique()
            .to_owned(),
    )
    .await?;

    m.create_table(
        Table::create()
            .table(ApiKeys::Table)
            .col(uuid_pk(ApiKeys::Id))
            .col(ColumnDef::new(ApiKeys::UserId).uuid().not_null())
            .col(text(ApiKeys::Label))
            .col(text(ApiKeys::KeyHash))
            .col(json(ApiKeys::Scopes))
            .col(ts(ApiKeys::CreatedAt))
            .col(ts_null(ApiKeys::LastUsedAt))
            .col(ts_null(ApiKeys::ExpiresAt))
            .foreign_key(
                ForeignKey::create()
                    .from(ApiKeys::Table, ApiKeys::UserId)
                    .to(Users::Table, Users::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned(),
    )
    .await?;
    m.create_index(
        index("uq_api_keys_hash", ApiKeys::Table)
            .col(ApiKeys::KeyHash)
            .unique()
            .to_owned(),
    )
    .await?;
    m.create_index(
        index("idx_api_keys_user", ApiKeys::Table)
            .col(ApiKeys::UserId)
            .to_owned(),
    )
    .await
}

#[derive(DeriveIden)]
enum Workflows {
    Table,
    Id,
    Name,
    Active,
    Nodes,
    Connections,
    Settings,
    StaticData,
    PinData,
    Meta,
    VersionId,
    TriggerCount,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WorkflowHistory {
    Table,
    VersionId,
    WorkflowId,
    Snapshot,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Tags {
    Table,
    Id,
    Name,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WorkflowTags {
    Table,
    WorkflowId,
    TagId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Executions {
    Table,
    Id,
    WorkflowId,
    Mode,
    Status,
    RetryOf,
    RetrySuccessId,
    StartedAt,
    StoppedAt,
    WaitTill,
    WorkerId,
    LeaseExpiresAt,
    Attempts,
}

#[derive(DeriveIden)]
enum ExecutionData {
    Table,
    ExecutionId,
    WorkflowData,
    Data,
    DataEncoding,
}

#[derive(DeriveIden)]
enum Webhooks {
    Table,
    Method,
    Path,
    WorkflowId,
    Node,
    WebhookId,
    PathSegments,
    IsDynamic,
}

#[derive(DeriveIden)]
enum Credentials {
    Table,
    Id,
    Name,
    CredentialType,
    Data,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    FirstName,
    LastName,
    PasswordHash,
    Role,
    Disabled,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    UserId,
    Label,
    KeyHash,
    Scopes,
    CreatedAt,
    LastUsedAt,
    ExpiresAt,
}
