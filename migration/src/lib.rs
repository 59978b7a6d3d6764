//! Schema migrations for boxoffice. They run unchanged on MySQL/MariaDB and on SQLite and
//! are applied by `boxoffice migrate` and on every start of `boxoffice serve`.

pub use sea_orm_migration::prelude::*;

mod columns;
mod m20261126_000001_create_users_and_points;
mod m20261126_000002_create_catalog;
mod m20261126_000003_create_reservations_and_payments;
mod m20261126_000004_create_idempotency_records;
mod m20261126_000005_index_seats_by_status;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_create_users_and_points::Migration),
            Box::new(m20261126_000002_create_catalog::Migration),
            Box::new(m20261126_000003_create_reservations_and_payments::Migration),
            Box::new(m20261126_000004_create_idempotency_records::Migration),
            Box::new(m20261126_000005_index_seats_by_status::Migration),
        ]
    }
}
