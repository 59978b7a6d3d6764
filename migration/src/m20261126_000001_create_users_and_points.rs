use sea_orm_migration::prelude::*;

use crate::columns::{id, id_ref, short_string, timestamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Users {
    Table,
    Id,
    Name,
}

#[derive(DeriveIden)]
enum Points {
    Table,
    Id,
    UserId,
    Amount,
}

#[derive(DeriveIden)]
pub enum PointHistories {
    Table,
    Id,
    UserId,
    Type,
    Amount,
    BalanceAfter,
    ReservationId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table(Users::Table)
                        .if_not_exists()
                        .col(id(Users::Id))
                        .col(short_string(Users::Name, 100)),
                )
                .take(),
            )
            .await?;

        // One row per user: the unique key makes a second balance impossible.
        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table(Points::Table)
                        .if_not_exists()
                        .col(id(Points::Id))
                        .col(id_ref(Points::UserId).unique_key())
                        .col(ColumnDef::new(Points::Amount).big_integer().not_null())
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_points_user")
                                .from(Points::Table, Points::UserId)
                                .to(Users::Table, Users::Id),
                        ),
                )
                .take(),
            )
            .await?;

        // `reservation_id` stays a plain column: reservations are created by a later
        // migration, and SQLite cannot add a foreign key to an existing table.
        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table(PointHistories::Table)
                        .if_not_exists()
                        .col(id(PointHistories::Id))
                        .col(id_ref(PointHistories::UserId))
                        .col(short_string(PointHistories::Type, 16))
                        .col(
                            ColumnDef::new(PointHistories::Amount)
                                .big_integer()
                                .not_null(),
                        )
                        .col(
                            ColumnDef::new(PointHistories::BalanceAfter)
                                .big_integer()
                                .not_null(),
                        )
                        .col(
                            ColumnDef::new(PointHistories::ReservationId)
                                .big_integer()
                                .null(),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_point_histories_user")
                                .from(PointHistories::Table, PointHistories::UserId)
                                .to(Users::Table, Users::Id),
                        ),
                )
                .take(),
            )
            .await?;

        // History pages: newest first per user, keyed by id for cursor pagination.
        manager
            .create_index(
                Index::create()
                    .name("idx_point_histories_user_id")
                    .table(PointHistories::Table)
                    .col(PointHistories::UserId)
                    .col(PointHistories::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PointHistories::Table.into_iden(),
            Points::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
