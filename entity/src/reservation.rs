//! A user's hold on a seat and, once paid, their ticket. Concert, schedule and seat facts
//! are copied in (the seed's snapshot columns) so a ticket reads the same forever.

use sea_orm::entity::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Status {
    /// Live until `expired_at`, then the sweeper marks it `Expired`.
    #[sea_orm(string_value = "held")]
    Held,
    #[sea_orm(string_value = "paid")]
    Paid,
    #[sea_orm(string_value = "expired")]
    Expired,
    /// Released by its holder before expiry.
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
    #[sea_orm(string_value = "refunded")]
    Refunded,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reservations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub status: Status,
    pub concert_id: i64,
    pub concert_name: String,
    pub schedule_id: i64,
    pub schedule_date: DateTimeUtc,
    pub seat_id: i64,
    pub seat_number: i32,
    pub seat_price: i64,
    pub expired_at: DateTimeUtc,
    /// The seat id while this reservation is the seat's sale, NULL otherwise. A unique key
    /// on it is the database's guarantee that a seat is sold at most once at a time.
    #[sea_orm(unique)]
    pub sold_seat_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
