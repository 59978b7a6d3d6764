//! One row per change of a balance, written in the same transaction as the change.

use sea_orm::entity::prelude::*;

/// Why a balance changed. `amount` is always positive; the kind gives the sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Kind {
    #[sea_orm(string_value = "charge")]
    Charge,
    #[sea_orm(string_value = "use")]
    Use,
    #[sea_orm(string_value = "refund")]
    Refund,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "point_histories")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    #[sea_orm(column_name = "type")]
    pub kind: Kind,
    pub amount: i64,
    pub balance_after: i64,
    pub reservation_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
