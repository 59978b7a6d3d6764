use sea_orm_migration::prelude::*;

use crate::columns::{id, id_ref, instant, instant_null, short_string, timestamps};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Concerts {
    Table,
    Id,
    Name,
    DeletedAt,
}

#[derive(DeriveIden)]
pub enum Schedules {
    Table,
    Id,
    ConcertId,
    Date,
    TotalSeats,
    LeftSeats,
    DeletedAt,
}

#[derive(DeriveIden)]
pub enum Seats {
    Table,
    Id,
    ScheduleId,
    Number,
    Price,
    Status,
    DeletedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table(Concerts::Table)
                        .if_not_exists()
                        .col(id(Concerts::Id))
                        .col(short_string(Concerts::Name, 200)),
                )
                .col(instant_null(Concerts::DeletedAt))
                .take(),
            )
            .await?;

        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table(Schedules::Table)
                        .if_not_exists()
                        .col(id(Schedules::Id))
                        .col(id_ref(Schedules::ConcertId))
                        .col(instant(Schedules::Date))
                        .col(ColumnDef::new(Schedules::TotalSeats).integer().not_null())
                        .col(ColumnDef::new(Schedules::LeftSeats).integer().not_null())
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_schedules_concert")
                                .from(Schedules::Table, Schedules::ConcertId)
                                .to(Concerts::Table, Concerts::Id),
                        ),
                )
                .col(instant_null(Schedules::DeletedAt))
                .take(),
            )
            .await?;

        // Bookable schedules are listed by date.
        manager
            .create_index(
                Index::create()
                    .name("idx_schedules_date")
                    .table(Schedules::Table)
                    .col(Schedules::Date)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table(Seats::Table)
                        .if_not_exists()
                        .col(id(Seats::Id))
                        .col(id_ref(Seats::ScheduleId))
                        .col(ColumnDef::new(Seats::Number).integer().not_null())
                        .col(ColumnDef::new(Seats::Price).big_integer().not_null())
                        .col(short_string(Seats::Status, 16))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_seats_schedule")
                                .from(Seats::Table, Seats::ScheduleId)
                                .to(Schedules::Table, Schedules::Id),
                        ),
                )
                .col(instant_null(Seats::DeletedAt))
                .take(),
            )
            .await?;

        // One seat number per schedule; it also serves "seats by schedule, by number".
        manager
            .create_index(
                Index::create()
                    .name("uq_seats_schedule_number")
                    .table(Seats::Table)
                    .col(Seats::ScheduleId)
                    .col(Seats::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Seats::Table.into_iden(),
            Schedules::Table.into_iden(),
            Concerts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
