use sea_orm_migration::prelude::*;

use crate::columns::{id, id_ref, instant, instant_null, short_string, timestamps};
use crate::m20261126_000001_create_users_and_points::Users;
use crate::m20261126_000002_create_catalog::{Concerts, Schedules, Seats};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Reservations {
    Table,
    Id,
    UserId,
    Status,
    ConcertId,
    ConcertName,
    ScheduleId,
    ScheduleDate,
    SeatId,
    SeatNumber,
    SeatPrice,
    ExpiredAt,
    SoldSeatId,
    DeletedAt,
}

#[derive(DeriveIden)]
enum Payments {
    Table,
    Id,
    ReservationId,
    UserId,
    Amount,
    Status,
    RefundedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table(Reservations::Table)
                        .if_not_exists()
                        .col(id(Reservations::Id))
                        .col(id_ref(Reservations::UserId))
                        .col(short_string(Reservations::Status, 16))
                        .col(id_ref(Reservations::ConcertId))
                        .col(short_string(Reservations::ConcertName, 200))
                        .col(id_ref(Reservations::ScheduleId))
                        .col(instant(Reservations::ScheduleDate))
                        .col(id_ref(Reservations::SeatId))
                        .col(
                            ColumnDef::new(Reservations::SeatNumber)
                                .integer()
                                .not_null(),
                        )
                        .col(
                            ColumnDef::new(Reservations::SeatPrice)
                                .big_integer()
                                .not_null(),
                        )
                        .col(instant(Reservations::ExpiredAt))
                        // The seat's id while this reservation is its sale, NULL otherwise:
                        // unique, so a seat is sold at most once whatever any cache says.
                        .col(
                            ColumnDef::new(Reservations::SoldSeatId)
                                .big_integer()
                                .null()
                                .unique_key(),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_reservations_user")
                                .from(Reservations::Table, Reservations::UserId)
                                .to(Users::Table, Users::Id),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_reservations_concert")
                                .from(Reservations::Table, Reservations::ConcertId)
                                .to(Concerts::Table, Concerts::Id),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_reservations_schedule")
                                .from(Reservations::Table, Reservations::ScheduleId)
                                .to(Schedules::Table, Schedules::Id),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_reservations_seat")
                                .from(Reservations::Table, Reservations::SeatId)
                                .to(Seats::Table, Seats::Id),
                        ),
                )
                .col(instant_null(Reservations::DeletedAt))
                .take(),
            )
            .await?;

        // The sweeper's query: held reservations by expiry.
        manager
            .create_index(
                Index::create()
                    .name("idx_reservations_status_expired_at")
                    .table(Reservations::Table)
                    .col(Reservations::Status)
                    .col(Reservations::ExpiredAt)
                    .to_owned(),
            )
            .await?;
        // Payment looks up the caller's hold on a seat.
        manager
            .create_index(
                Index::create()
                    .name("idx_reservations_seat_user")
                    .table(Reservations::Table)
                    .col(Reservations::SeatId)
                    .col(Reservations::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reservations_user_status")
                    .table(Reservations::Table)
                    .col(Reservations::UserId)
                    .col(Reservations::Status)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table(Payments::Table)
                        .if_not_exists()
                        .col(id(Payments::Id))
                        // One payment per reservation.
                        .col(id_ref(Payments::ReservationId).unique_key())
                        .col(id_ref(Payments::UserId))
                        .col(ColumnDef::new(Payments::Amount).big_integer().not_null())
                        .col(short_string(Payments::Status, 16))
                        .col(instant_null(Payments::RefundedAt))
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_payments_reservation")
                                .from(Payments::Table, Payments::ReservationId)
                                .to(Reservations::Table, Reservations::Id),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .name("fk_payments_user")
                                .from(Payments::Table, Payments::UserId)
                                .to(Users::Table, Users::Id),
                        ),
                )
                .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_payments_user")
                    .table(Payments::Table)
                    .col(Payments::UserId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Payments::Table.into_iden(), Reservations::Table.into_iden()] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
