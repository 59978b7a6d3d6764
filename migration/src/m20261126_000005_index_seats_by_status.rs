use sea_orm_migration::prelude::*;

use crate::m20261126_000002_create_catalog::Seats;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Sold seats of a schedule: the reload of a schedule's hot state and the refresh of its
/// `left_seats` count them without reading every seat.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_seats_schedule_status")
                    .table(Seats::Table)
                    .col(Seats::ScheduleId)
                    .col(Seats::Status)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_seats_schedule_status")
                    .table(Seats::Table)
                    .to_owned(),
            )
            .await
    }
}
