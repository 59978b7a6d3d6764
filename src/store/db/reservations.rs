//! Reservations: held rows written by holds, their expiry, cancellation and lookups.

use chrono::{DateTime, Utc};
use entity::reservation::{self, Status};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};

use crate::store::StoreResult;
use crate::store::db::catalog::{ScheduleFacts, SeatFacts};
use crate::store::holds::LiveHold;

/// Writes the `held` row of a new hold, with the seed's snapshot columns.
///
/// # Errors
/// On any database failure.
pub async fn insert_held(
    db: &impl ConnectionTrait,
    user_id: i64,
    schedule: &ScheduleFacts,
    seat: &SeatFacts,
    expired_at: DateTime<Utc>,
) -> StoreResult<reservation::Model> {
    let now = crate::time::now();
    Ok(reservation::ActiveModel {
        user_id: Set(user_id),
        status: Set(Status::Held),
        concert_id: Set(schedule.concert_id),
        concert_name: Set(schedule.concert_name.clone()),
        schedule_id: Set(schedule.schedule_id),
        schedule_date: Set(schedule.date),
        seat_id: Set(seat.seat_id),
        seat_number: Set(seat.number),
        seat_price: Set(seat.price),
        expired_at: Set(expired_at),
        sold_seat_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Marks the user's live held reservation of a seat `cancelled`; the number of rows
/// changed.
///
/// # Errors
/// On any database failure.
pub async fn cancel_held(
    db: &impl ConnectionTrait,
    seat_id: i64,
    user_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    Ok(reservation::Entity::update_many()
        .col_expr(reservation::Column::Status, Expr::value(Status::Cancelled))
        .col_expr(
            reservation::Column::UpdatedAt,
            Expr::value(crate::time::now()),
        )
        .filter(reservation::Column::SeatId.eq(seat_id))
        .filter(reservation::Column::UserId.eq(user_id))
        .filter(reservation::Column::Status.eq(Status::Held))
        .filter(reservation::Column::ExpiredAt.gt(now))
        .exec(db)
        .await?
        .rows_affected)
}

/// Marks held reservations whose hold has ended as `expired`. Idempotent and safe with
/// many instances: only `held` rows change, so a paid reservation is never touched.
///
/// # Errors
/// On any database failure.
pub async fn expire_due(db: &impl ConnectionTrait, now: DateTime<Utc>) -> StoreResult<u64> {
    Ok(reservation::Entity::update_many()
        .col_expr(reservation::Column::Status, Expr::value(Status::Expired))
        .col_expr(reservation::Column::UpdatedAt, Expr::value(now))
        .filter(reservation::Column::Status.eq(Status::Held))
        .filter(reservation::Column::ExpiredAt.lte(now))
        .exec(db)
        .await?
        .rows_affected)
}

/// A reservation by id.
///
/// # Errors
/// On any database failure.
pub async fn find(
    db: &impl ConnectionTrait,
    reservation_id: i64,
) -> StoreResult<Option<reservation::Model>> {
    Ok(reservation::Entity::find_by_id(reservation_id)
        .filter(reservation::Column::DeletedAt.is_null())
        .one(db)
        .await?)
}

/// The user's latest reservation of a seat in a given status.
///
/// # Errors
/// On any database failure.
pub async fn find_by_seat(
    db: &impl ConnectionTrait,
    seat_id: i64,
    user_id: i64,
    status: Status,
) -> StoreResult<Option<reservation::Model>> {
    use sea_orm::QueryOrder;
    Ok(reservation::Entity::find()
        .filter(reservation::Column::SeatId.eq(seat_id))
        .filter(reservation::Column::UserId.eq(user_id))
        .filter(reservation::Column::Status.eq(status))
        .order_by_desc(reservation::Column::Id)
        .one(db)
        .await?)
}

/// Live holds of a schedule, to reload its hot state.
///
/// # Errors
/// On any database failure.
pub async fn live_holds_of(
    db: &impl ConnectionTrait,
    schedule_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<Vec<LiveHold>> {
    Ok(reservation::Entity::find()
        .filter(reservation::Column::ScheduleId.eq(schedule_id))
        .filter(reservation::Column::Status.eq(Status::Held))
        .filter(reservation::Column::ExpiredAt.gt(now))
        .select_only()
        .column(reservation::Column::SeatId)
        .column(reservation::Column::ExpiredAt)
        .column(reservation::Column::UserId)
        .into_tuple::<(i64, DateTime<Utc>, i64)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(seat_id, expired_at, user_id)| LiveHold {
            seat_id,
            expires_ms: expired_at.timestamp_millis(),
            user_id,
        })
        .collect())
}

/// How many live holds the user has in any schedule.
///
/// # Errors
/// On any database failure.
pub async fn live_holds_of_user(
    db: &impl ConnectionTrait,
    user_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(reservation::Entity::find()
        .filter(reservation::Column::UserId.eq(user_id))
        .filter(reservation::Column::Status.eq(Status::Held))
        .filter(reservation::Column::ExpiredAt.gt(now))
        .count(db)
        .await?)
}

/// The user's latest reservation of a seat, whatever its status.
///
/// # Errors
/// On any database failure.
pub async fn latest_for_seat(
    db: &impl ConnectionTrait,
    seat_id: i64,
    user_id: i64,
) -> StoreResult<Option<reservation::Model>> {
    use sea_orm::QueryOrder;
    Ok(reservation::Entity::find()
        .filter(reservation::Column::SeatId.eq(seat_id))
        .filter(reservation::Column::UserId.eq(user_id))
        .order_by_desc(reservation::Column::Id)
        .one(db)
        .await?)
}
