//! Balance changes. Every change is a conditional `UPDATE … SET amount = amount ± x` (no
//! read-modify-write in the application) followed by its history row, in the caller's
//! transaction.

use chrono::{DateTime, Utc};
use entity::point;
use entity::point_history::{self, Kind};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::store::StoreResult;

/// Adds `amount` to the balance unless the result would pass `ceiling`; the new balance,
/// or `None` when no row changed (unknown user, or the ceiling).
///
/// # Errors
/// On any database failure.
pub async fn add(
    txn: &impl ConnectionTrait,
    user_id: i64,
    amount: i64,
    ceiling: i64,
    now: DateTime<Utc>,
) -> StoreResult<Option<i64>> {
    let amount_col = || Expr::col(point::Column::Amount);
    change(
        txn,
        user_id,
        amount_col().add(amount),
        amount_col().lte(ceiling - amount),
        now,
    )
    .await
}

/// Takes `amount` from the balance if it covers it; the new balance, or `None` when no
/// row changed (unknown user, or the balance is short).
///
/// # Errors
/// On any database failure.
pub async fn subtract(
    txn: &impl ConnectionTrait,
    user_id: i64,
    amount: i64,
    now: DateTime<Utc>,
) -> StoreResult<Option<i64>> {
    let amount_col = || Expr::col(point::Column::Amount);
    change(
        txn,
        user_id,
        amount_col().sub(amount),
        amount_col().gte(amount),
        now,
    )
    .await
}

/// Sets the balance to `new_amount` where `guard` holds, in one conditional `UPDATE`; the
/// new balance, or `None` when no row changed.
async fn change(
    txn: &impl ConnectionTrait,
    user_id: i64,
    new_amount: Expr,
    guard: Expr,
    now: DateTime<Utc>,
) -> StoreResult<Option<i64>> {
    let changed = point::Entity::update_many()
        .col_expr(point::Column::Amount, new_amount)
        .col_expr(point::Column::UpdatedAt, Expr::value(now))
        .filter(point::Column::UserId.eq(user_id))
        .filter(guard)
        .exec(txn)
        .await?
        .rows_affected;
    if changed == 0 {
        return Ok(None);
    }
    current(txn, user_id).await
}

/// The balance as this transaction sees it (after its own update, the row is locked).
async fn current(txn: &impl ConnectionTrait, user_id: i64) -> StoreResult<Option<i64>> {
    Ok(point::Entity::find()
        .filter(point::Column::UserId.eq(user_id))
        .select_only()
        .column(point::Column::Amount)
        .into_tuple::<i64>()
        .one(txn)
        .await?)
}

/// Records one balance change.
///
/// # Errors
/// On any database failure.
pub async fn record(
    txn: &impl ConnectionTrait,
    user_id: i64,
    kind: Kind,
    amount: i64,
    balance_after: i64,
    reservation_id: Option<i64>,
    now: DateTime<Utc>,
) -> StoreResult<point_history::Model> {
    Ok(point_history::ActiveModel {
        user_id: Set(user_id),
        kind: Set(kind),
        amount: Set(amount),
        balance_after: Set(balance_after),
        reservation_id: Set(reservation_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?)
}

/// A page of the user's history, newest first, with ids below `before` when given.
///
/// # Errors
/// On any database failure.
pub async fn history_page(
    db: &impl ConnectionTrait,
    user_id: i64,
    before: Option<i64>,
    limit: u64,
) -> StoreResult<Vec<point_history::Model>> {
    let mut query = point_history::Entity::find().filter(point_history::Column::UserId.eq(user_id));
    if let Some(before) = before {
        query = query.filter(point_history::Column::Id.lt(before));
    }
    Ok(query
        .order_by_desc(point_history::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// The refund entry of a reservation, if it was refunded.
///
/// # Errors
/// On any database failure.
pub async fn refund_of(
    txn: &impl ConnectionTrait,
    reservation_id: i64,
) -> StoreResult<Option<point_history::Model>> {
    Ok(point_history::Entity::find()
        .filter(point_history::Column::ReservationId.eq(reservation_id))
        .filter(point_history::Column::Kind.eq(Kind::Refund))
        .one(txn)
        .await?)
}
