//! At most one owner: two first starts or owner setups racing on Postgres with different
//! emails cannot both make one (the check-then-insert alone cannot stop that).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // A partial unique index: the same statement on Postgres and SQLite.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_users_one_owner ON users (role) WHERE role = 'owner'",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DROP INDEX uq_users_one_owner")
            .await
            .map(|_| ())
    }
}
