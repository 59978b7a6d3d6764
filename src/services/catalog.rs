//! The concert catalogue: creating concerts with their schedules and seats.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::services::{ServiceError, ServiceResult};
use crate::store::db::catalog::{self as catalog_store, CreatedSchedule, NewSchedule};

pub const MAX_CONCERT_NAME_CHARS: usize = 200;
pub const MAX_SCHEDULES: usize = 100;
pub const MAX_SEATS_PER_SCHEDULE: i32 = 100_000;
/// Prices are JSON integers; clients in JavaScript read them exactly up to 2^53 − 1.
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// A schedule as the admin asked for it.
#[derive(Debug, Clone)]
pub struct ScheduleRequest {
    pub date: DateTime<Utc>,
    pub seat_count: i64,
    pub seat_price: i64,
}

/// Validates and creates a concert with its schedules and seats in one transaction.
///
/// # Errors
/// `Invalid` naming the first bad field; `Store` on database failure.
pub async fn create_concert(
    db: &DatabaseConnection,
    name: &str,
    schedules: &[ScheduleRequest],
) -> ServiceResult<(i64, Vec<CreatedSchedule>)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_CONCERT_NAME_CHARS {
        return Err(invalid(format!(
            "name must be 1 to {MAX_CONCERT_NAME_CHARS} characters"
        )));
    }
    if schedules.is_empty() || schedules.len() > MAX_SCHEDULES {
        return Err(invalid(format!(
            "schedules must hold 1 to {MAX_SCHEDULES} entries"
        )));
    }
    let mut validated = Vec::with_capacity(schedules.len());
    for (index, schedule) in schedules.iter().enumerate() {
        let seat_count = i32::try_from(schedule.seat_count)
            .ok()
            .filter(|count| (1..=MAX_SEATS_PER_SCHEDULE).contains(count))
            .ok_or_else(|| {
                invalid(format!(
                    "schedules[{index}].seatCount must be 1 to {MAX_SEATS_PER_SCHEDULE}"
                ))
            })?;
        if !(0..=MAX_SAFE_INTEGER).contains(&schedule.seat_price) {
            return Err(invalid(format!(
                "schedules[{index}].seatPrice must be 0 to {MAX_SAFE_INTEGER}"
            )));
        }
        validated.push(NewSchedule {
            date: schedule.date,
            seat_count,
            seat_price: schedule.seat_price,
        });
    }
    Ok(catalog_store::create_concert(db, name, &validated).await?)
}

fn invalid(message: String) -> ServiceError {
    ServiceError::Invalid(message)
}
