//! The statements of a sale and of its refund, run in the caller's transaction. Each is a
//! conditional update or an insert guarded by a unique key, so the database refuses a
//! second sale even if every cache lies.

use chrono::{DateTime, Utc};
use entity::{payment, reservation, seat};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::store::StoreResult;

/// `held` → `paid` while the hold lives at `now`; false when the row was not a live hold.
/// A unique violation (another sale of the seat) surfaces as an error.
///
/// # Errors
/// On any database failure.
pub async fn mark_paid(
    txn: &impl ConnectionTrait,
    reservation: &reservation::Model,
    now: DateTime<Utc>,
) -> Result<bool, sea_orm::DbErr> {
    let changed = reservation::Entity::update_many()
        .col_expr(
            reservation::Column::Status,
            Expr::value(reservation::Status::Paid),
        )
        .col_expr(
            reservation::Column::SoldSeatId,
            Expr::value(reservation.seat_id),
        )
        .col_expr(reservation::Column::UpdatedAt, Expr::value(now))
        .filter(reservation::Column::Id.eq(reservation.id))
        .filter(reservation::Column::Status.eq(reservation::Status::Held))
        .filter(reservation::Column::ExpiredAt.gt(now))
        .exec(txn)
        .await?
        .rows_affected;
    Ok(changed == 1)
}

/// `paid` → `refunded`; false when the reservation was not paid.
///
/// # Errors
/// On any database failure.
pub async fn mark_refunded(
    txn: &impl ConnectionTrait,
    reservation_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let changed = reservation::Entity::update_many()
        .col_expr(
            reservation::Column::Status,
            Expr::value(reservation::Status::Refunded),
        )
        .col_expr(
            reservation::Column::SoldSeatId,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(reservation::Column::UpdatedAt, Expr::value(now))
        .filter(reservation::Column::Id.eq(reservation_id))
        .filter(reservation::Column::Status.eq(reservation::Status::Paid))
        .exec(txn)
        .await?
        .rows_affected;
    Ok(changed == 1)
}

/// Writes the payment of a reservation (unique per reservation).
///
/// # Errors
/// On any database failure.
pub async fn insert_payment(
    txn: &impl ConnectionTrait,
    reservation: &reservation::Model,
    now: DateTime<Utc>,
) -> StoreResult<payment::Model> {
    Ok(payment::ActiveModel {
        reservation_id: Set(reservation.id),
        user_id: Set(reservation.user_id),
        amount: Set(reservation.seat_price),
        status: Set(payment::Status::Paid),
        refunded_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?)
}

/// Marks a reservation's payment refunded.
///
/// # Errors
/// On any database failure.
pub async fn refund_payment(
    txn: &impl ConnectionTrait,
    reservation_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    payment::Entity::update_many()
        .col_expr(
            payment::Column::Status,
            Expr::value(payment::Status::Refunded),
        )
        .col_expr(payment::Column::RefundedAt, Expr::value(now))
        .col_expr(payment::Column::UpdatedAt, Expr::value(now))
        .filter(payment::Column::ReservationId.eq(reservation_id))
        .filter(payment::Column::Status.eq(payment::Status::Paid))
        .exec(txn)
        .await?;
    Ok(())
}

/// Moves a seat from `from` to `to`; false when the seat was not in `from`. The
/// schedule's `left_seats` is not touched here: that row is shared by every sale of the
/// show, and holding its lock until commit (an fsync) would serialize all of them. It is
/// refreshed after the commit (`catalog::refresh_left_seats`).
///
/// # Errors
/// On any database failure.
pub async fn move_seat(
    txn: &impl ConnectionTrait,
    seat_id: i64,
    from: seat::Status,
    to: seat::Status,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let changed = seat::Entity::update_many()
        .col_expr(seat::Column::Status, Expr::value(to))
        .col_expr(seat::Column::UpdatedAt, Expr::value(now))
        .filter(seat::Column::Id.eq(seat_id))
        .filter(seat::Column::Status.eq(from))
        .exec(txn)
        .await?
        .rows_affected;
    Ok(changed == 1)
}
