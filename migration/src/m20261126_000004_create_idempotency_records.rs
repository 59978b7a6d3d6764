use sea_orm_migration::prelude::*;

use crate::columns::{id, id_ref, short_string, timestamps};
use crate::m20261126_000001_create_users_and_points::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IdempotencyRecords {
    Table,
    Id,
    UserId,
    IdemKey,
    Fingerprint,
    ResponseStatus,
    ResponseBody,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table(IdempotencyRecords::Table)
                        .if_not_exists()
                        .col(id(IdempotencyRecords::Id))
                        .col(id_ref(IdempotencyRecords::UserId))
                        .col(short_string(IdempotencyRecords::IdemKey, 128))
                        .col(
                            ColumnDef::new(IdempotencyRecords::Fingerprint)
                                .char_len(64)
                                .not_null(),
                        )
                        .col(
                            ColumnDef::new(IdempotencyRecords::ResponseStatus)
                                .integer()
                                .not_null(),
                        )
                        .col(
                            ColumnDef::new(IdempotencyRecords::ResponseBody)
                                .text()
                                .not_null(),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_idempotency_records_user")
                                .from(IdempotencyRecords::Table, IdempotencyRecords::UserId)
                                .to(Users::Table, Users::Id),
                        ),
                )
                .take(),
            )
            .await?;
        // Keys are scoped to the user: the second insert of a key waits for the first
        // transaction and then fails here, which is how concurrent retries find each other.
        manager
            .create_index(
                Index::create()
                    .name("uq_idempotency_records_user_key")
                    .table(IdempotencyRecords::Table)
                    .col(IdempotencyRecords::UserId)
                    .col(IdempotencyRecords::IdemKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(IdempotencyRecords::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
