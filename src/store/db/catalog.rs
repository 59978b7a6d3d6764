//! Concerts, their schedules and seats.

use chrono::{DateTime, Utc};
use entity::{concert, schedule, seat};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::store::StoreResult;

/// Rows per multi-row seat insert: 6 bound values a row stays under SQLite's limit of
/// 32,766 variables and MySQL's 65,535 placeholders.
const SEAT_INSERT_CHUNK: usize = 5_000;

/// One schedule of a concert to create.
#[derive(Debug, Clone)]
pub struct NewSchedule {
    pub date: DateTime<Utc>,
    pub seat_count: i32,
    pub seat_price: i64,
}

/// A created schedule and its seat ids in seat-number order.
#[derive(Debug, Clone)]
pub struct CreatedSchedule {
    pub schedule_id: i64,
    pub seat_ids: Vec<i64>,
}

/// Creates a concert, its schedules and all their seats (numbered from 1) in one
/// transaction, inserting seats in large batches.
///
/// # Errors
/// On any database failure; nothing is written then.
pub async fn create_concert(
    db: &DatabaseConnection,
    name: &str,
    schedules: &[NewSchedule],
) -> StoreResult<(i64, Vec<CreatedSchedule>)> {
    let now = crate::time::now();
    let txn = db.begin().await?;
    let concert = concert::ActiveModel {
        name: Set(name.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut created = Vec::with_capacity(schedules.len());
    for new in schedules {
        let schedule = schedule::ActiveModel {
            concert_id: Set(concert.id),
            date: Set(new.date),
            total_seats: Set(new.seat_count),
            left_seats: Set(new.seat_count),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        insert_seats(&txn, schedule.id, new.seat_count, new.seat_price, now).await?;
        let seat_ids = seat::Entity::find()
            .filter(seat::Column::ScheduleId.eq(schedule.id))
            .order_by_asc(seat::Column::Number)
            .select_only()
            .column(seat::Column::Id)
            .into_tuple::<i64>()
            .all(&txn)
            .await?;
        created.push(CreatedSchedule {
            schedule_id: schedule.id,
            seat_ids,
        });
    }
    txn.commit().await?;
    Ok((concert.id, created))
}

async fn insert_seats(
    txn: &impl ConnectionTrait,
    schedule_id: i64,
    seat_count: i32,
    price: i64,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let numbers: Vec<i32> = (1..=seat_count).collect();
    for chunk in numbers.chunks(SEAT_INSERT_CHUNK) {
        let mut insert = Query::insert();
        insert.into_table(seat::Entity).columns([
            seat::Column::ScheduleId,
            seat::Column::Number,
            seat::Column::Price,
            seat::Column::Status,
            seat::Column::CreatedAt,
            seat::Column::UpdatedAt,
        ]);
        for number in chunk {
            insert.values_panic([
                schedule_id.into(),
                (*number).into(),
                price.into(),
                "available".into(),
                now.into(),
                now.into(),
            ]);
        }
        txn.execute(&insert).await?;
    }
    Ok(())
}

/// The facts of a schedule that never change, with its concert's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleFacts {
    pub schedule_id: i64,
    pub concert_id: i64,
    pub concert_name: String,
    pub date: DateTime<Utc>,
    pub total_seats: i32,
}

/// The facts of a seat that never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeatFacts {
    pub seat_id: i64,
    pub number: i32,
    pub price: i64,
}

/// One schedule's facts, or `None` when it does not exist (or was deleted).
///
/// # Errors
/// On any database failure.
pub async fn schedule_facts(
    db: &impl ConnectionTrait,
    schedule_id: i64,
) -> StoreResult<Option<ScheduleFacts>> {
    let Some(schedule) = schedule::Entity::find_by_id(schedule_id)
        .filter(schedule::Column::DeletedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let mut facts = with_concert_names(db, vec![schedule]).await?;
    Ok(facts.pop())
}

/// Schedules after `after`, by date then id.
///
/// # Errors
/// On any database failure.
pub async fn schedules_after(
    db: &impl ConnectionTrait,
    after: DateTime<Utc>,
) -> StoreResult<Vec<ScheduleFacts>> {
    let schedules = schedule::Entity::find()
        .filter(schedule::Column::Date.gt(after))
        .filter(schedule::Column::DeletedAt.is_null())
        .order_by_asc(schedule::Column::Date)
        .order_by_asc(schedule::Column::Id)
        .all(db)
        .await?;
    with_concert_names(db, schedules).await
}

async fn with_concert_names(
    db: &impl ConnectionTrait,
    schedules: Vec<schedule::Model>,
) -> StoreResult<Vec<ScheduleFacts>> {
    let mut concert_ids: Vec<i64> = schedules.iter().map(|s| s.concert_id).collect();
    concert_ids.sort_unstable();
    concert_ids.dedup();
    let names: std::collections::HashMap<i64, String> = concert::Entity::find()
        .filter(concert::Column::Id.is_in(concert_ids))
        .filter(concert::Column::DeletedAt.is_null())
        .select_only()
        .column(concert::Column::Id)
        .column(concert::Column::Name)
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(schedules
        .into_iter()
        .filter_map(|s| {
            Some(ScheduleFacts {
                concert_name: names.get(&s.concert_id)?.clone(),
                schedule_id: s.id,
                concert_id: s.concert_id,
                date: s.date,
                total_seats: s.total_seats,
            })
        })
        .collect())
}

/// The seats of a schedule by number.
///
/// # Errors
/// On any database failure.
pub async fn seats_of(db: &impl ConnectionTrait, schedule_id: i64) -> StoreResult<Vec<SeatFacts>> {
    Ok(seat::Entity::find()
        .filter(seat::Column::ScheduleId.eq(schedule_id))
        .filter(seat::Column::DeletedAt.is_null())
        .order_by_asc(seat::Column::Number)
        .select_only()
        .column(seat::Column::Id)
        .column(seat::Column::Number)
        .column(seat::Column::Price)
        .into_tuple::<(i64, i32, i64)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(seat_id, number, price)| SeatFacts {
            seat_id,
            number,
            price,
        })
        .collect())
}

/// Ids of the sold seats of a schedule.
///
/// # Errors
/// On any database failure.
pub async fn sold_seats_of(db: &impl ConnectionTrait, schedule_id: i64) -> StoreResult<Vec<i64>> {
    Ok(seat::Entity::find()
        .filter(seat::Column::ScheduleId.eq(schedule_id))
        .filter(seat::Column::Status.eq(seat::Status::Sold))
        .select_only()
        .column(seat::Column::Id)
        .into_tuple::<i64>()
        .all(db)
        .await?)
}

/// Sets a schedule's `left_seats` to its seats not sold, counted now. Runs outside the
/// sale transactions (see `sales::move_seat`); idempotent.
///
/// # Errors
/// On any database failure.
pub async fn refresh_left_seats(db: &impl ConnectionTrait, schedule_id: i64) -> StoreResult<()> {
    use sea_orm::sea_query::{Expr, ExprTrait, Query, SubQueryStatement};
    let sold = Query::select()
        .expr(Expr::col(seat::Column::Id).count())
        .from(seat::Entity)
        .and_where(Expr::col(seat::Column::ScheduleId).eq(schedule_id))
        .and_where(Expr::col(seat::Column::Status).eq(seat::Status::Sold))
        .to_owned();
    schedule::Entity::update_many()
        .col_expr(
            schedule::Column::LeftSeats,
            Expr::col(schedule::Column::TotalSeats).sub(Expr::SubQuery(
                None,
                Box::new(SubQueryStatement::SelectStatement(sold)),
            )),
        )
        .filter(schedule::Column::Id.eq(schedule_id))
        .exec(db)
        .await?;
    Ok(())
}
