//! Booking: bookable schedules, seat maps, and five-minute seat holds. Holds are decided
//! by the hot store (one atomic script); the database keeps a `held` reservation row that
//! the sweeper marks `expired` when the hold ends unpaid.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use entity::reservation::{self, Status};
use sea_orm::DatabaseConnection;

use crate::config::HoldSettings;
use crate::services::catalog_cache::CatalogCache;
use crate::services::{ServiceError, ServiceResult};
use crate::store::HotStore;
use crate::store::db::catalog::{self as catalog_store, ScheduleFacts, SeatFacts};
use crate::store::db::reservations;
use crate::store::holds::{HoldOutcome, ScheduleSnapshot, ScheduleState};

/// A schedule with free seats.
#[derive(Debug, Clone)]
pub struct BookableSchedule {
    pub schedule: Arc<ScheduleFacts>,
    pub left_seats: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeatStatus {
    Available,
    Held,
    Sold,
}

/// A schedule's seats with their live status.
#[derive(Debug, Clone)]
pub struct SeatMap {
    pub schedule: Arc<ScheduleFacts>,
    pub left_seats: i64,
    pub seats: Vec<(SeatFacts, SeatStatus)>,
}

/// Booking operations. Cheap to clone.
#[derive(Clone)]
pub struct BookingService {
    db: DatabaseConnection,
    hot: HotStore,
    catalog: CatalogCache,
    hold_ttl_ms: u64,
    max_holds_per_user: u32,
    /// Schedules whose durable `left_seats` is behind their sales, refreshed by the sweeper.
    stale_counts: Arc<Mutex<HashSet<i64>>>,
}

impl BookingService {
    pub fn new(
        db: DatabaseConnection,
        hot: HotStore,
        catalog: CatalogCache,
        settings: &HoldSettings,
    ) -> Self {
        Self {
            db,
            hot,
            catalog,
            hold_ttl_ms: settings.ttl_secs * 1000,
            max_holds_per_user: settings.max_per_user,
            stale_counts: Arc::default(),
        }
    }

    /// Seed endpoint 2: future schedules with a free seat, by date then id.
    ///
    /// # Errors
    /// `Store` on failure.
    pub async fn bookable_schedules(&self) -> ServiceResult<Vec<BookableSchedule>> {
        let now = crate::time::now();
        let upcoming: Vec<Arc<ScheduleFacts>> = self
            .catalog
            .upcoming_schedules()
            .await?
            .iter()
            .filter(|s| s.date > now)
            .cloned()
            .collect();
        let ids: Vec<i64> = upcoming.iter().map(|s| s.schedule_id).collect();
        let mut left = self.hot.schedules_left(&ids).await?;
        if left.iter().any(Option::is_none) {
            for (schedule, _) in upcoming.iter().zip(&left).filter(|(_, l)| l.is_none()) {
                self.load_state(schedule).await?;
            }
            left = self.hot.schedules_left(&ids).await?;
        }
        Ok(upcoming
            .into_iter()
            .zip(left)
            .filter_map(|(schedule, left)| {
                let left_seats = left?;
                (left_seats > 0).then_some(BookableSchedule {
                    schedule,
                    left_seats,
                })
            })
            .collect())
    }

    /// Seed endpoint 3: a schedule's seats by number with their live status.
    ///
    /// # Errors
    /// `ScheduleNotFound`; `Store` on failure.
    pub async fn seat_map(&self, schedule_id: i64) -> ServiceResult<SeatMap> {
        let schedule = self.schedule(schedule_id).await?;
        let chart = self.catalog.seat_chart(schedule_id).await?;
        let state = self.live_state(&schedule).await?;
        let seats = chart
            .seats
            .iter()
            .map(|seat| {
                let status = if state.sold.contains(&seat.seat_id) {
                    SeatStatus::Sold
                } else if state.held.contains(&seat.seat_id) {
                    SeatStatus::Held
                } else {
                    SeatStatus::Available
                };
                (*seat, status)
            })
            .collect();
        Ok(SeatMap {
            left_seats: state.left(),
            schedule,
            seats,
        })
    }

    /// Seed endpoint 4: holds a seat for the user and writes its `held` reservation.
    ///
    /// # Errors
    /// `ScheduleNotFound`, `SeatNotFound`, `SeatUnavailable` (held, sold, or the show
    /// has begun), `HoldLimitReached`; `Store` on failure.
    pub async fn hold(
        &self,
        user_id: i64,
        schedule_id: i64,
        seat_id: i64,
    ) -> ServiceResult<reservation::Model> {
        let (schedule, seat) = self.schedule_and_seat(schedule_id, seat_id).await?;
        if schedule.date <= crate::time::now() {
            return Err(ServiceError::SeatUnavailable);
        }
        let expires_ms = loop {
            let outcome = self
                .hot
                .hold_seat(
                    schedule_id,
                    seat_id,
                    user_id,
                    self.hold_ttl_ms,
                    self.max_holds_per_user,
                )
                .await?;
            match outcome {
                HoldOutcome::Held { expires_ms } => {
                    count_hold("held");
                    break expires_ms;
                }
                HoldOutcome::Unavailable => {
                    count_hold("unavailable");
                    return Err(ServiceError::SeatUnavailable);
                }
                HoldOutcome::LimitReached => {
                    count_hold("limit_reached");
                    return Err(ServiceError::HoldLimitReached);
                }
                HoldOutcome::NotLoaded => self.load_state(&schedule).await?,
            }
        };
        let expired_at = Utc
            .timestamp_millis_opt(expires_ms)
            .single()
            .unwrap_or_else(Utc::now);
        match reservations::insert_held(&self.db, user_id, &schedule, &seat, expired_at).await {
            Ok(row) => Ok(row),
            Err(err) => {
                // Without its row the hold could never be paid: give the seat back.
                if let Err(release_err) = self.hot.hold_release(schedule_id, seat_id, user_id).await
                {
                    tracing::warn!(error = ?release_err, "could not release a hold whose row failed");
                }
                Err(err.into())
            }
        }
    }

    /// Releases the user's own live hold at once.
    ///
    /// # Errors
    /// `ScheduleNotFound`, `SeatNotFound`, `ReservationNotFound` (no live hold of the
    /// user's), `AlreadyPaid`; `Store` on failure.
    pub async fn release(&self, user_id: i64, schedule_id: i64, seat_id: i64) -> ServiceResult<()> {
        self.schedule_and_seat(schedule_id, seat_id).await?;
        // The database decides first: a payment racing this release either committed
        // (and this finds no held row) or will find the row cancelled.
        if reservations::cancel_held(&self.db, seat_id, user_id, crate::time::now()).await? == 0 {
            return Err(
                if reservations::find_by_seat(&self.db, seat_id, user_id, Status::Paid)
                    .await?
                    .is_some()
                {
                    ServiceError::AlreadyPaid
                } else {
                    ServiceError::ReservationNotFound
                },
            );
        }
        self.hot.hold_release(schedule_id, seat_id, user_id).await?;
        Ok(())
    }

    /// One of the user's own reservations, with the seconds left on a live hold.
    ///
    /// # Errors
    /// `ReservationNotFound` (also for other users' reservations); `Store` on failure.
    pub async fn reservation(
        &self,
        user_id: i64,
        reservation_id: i64,
    ) -> ServiceResult<(reservation::Model, u64)> {
        let row = reservations::find(&self.db, reservation_id)
            .await?
            .filter(|r| r.user_id == user_id)
            .ok_or(ServiceError::ReservationNotFound)?;
        Ok((row.clone(), seconds_left(&row, crate::time::now())))
    }

    /// Notes that a sale or refund changed a schedule's unsold seats.
    pub fn seat_count_changed(&self, schedule_id: i64) {
        self.stale_counts
            .lock()
            .expect("stale counts lock")
            .insert(schedule_id);
    }

    /// Brings the durable `left_seats` of the schedules sold from since the last call up
    /// to date. Those that fail stay marked for the next call.
    ///
    /// # Errors
    /// `Store` on failure.
    pub async fn refresh_left_seats(&self) -> ServiceResult<()> {
        let stale: Vec<i64> = self
            .stale_counts
            .lock()
            .expect("stale counts lock")
            .drain()
            .collect();
        for (i, schedule_id) in stale.iter().enumerate() {
            if let Err(err) = catalog_store::refresh_left_seats(&self.db, *schedule_id).await {
                self.stale_counts
                    .lock()
                    .expect("stale counts lock")
                    .extend(&stale[i..]);
                return Err(err.into());
            }
        }
        Ok(())
    }

    /// Marks unpaid held reservations whose hold ended as `expired`.
    ///
    /// # Errors
    /// `Store` on failure.
    pub async fn expire_holds(&self) -> ServiceResult<u64> {
        Ok(reservations::expire_due(&self.db, crate::time::now()).await?)
    }

    async fn schedule(&self, schedule_id: i64) -> ServiceResult<Arc<ScheduleFacts>> {
        self.catalog
            .schedule(schedule_id)
            .await?
            .ok_or(ServiceError::ScheduleNotFound)
    }

    /// The schedule and one of its seats (404s when either is unknown).
    pub(crate) async fn schedule_and_seat(
        &self,
        schedule_id: i64,
        seat_id: i64,
    ) -> ServiceResult<(Arc<ScheduleFacts>, SeatFacts)> {
        let schedule = self.schedule(schedule_id).await?;
        let seat = *self
            .catalog
            .seat_chart(schedule_id)
            .await?
            .seat(seat_id)
            .ok_or(ServiceError::SeatNotFound)?;
        Ok((schedule, seat))
    }

    async fn live_state(&self, schedule: &ScheduleFacts) -> ServiceResult<ScheduleState> {
        loop {
            if let Some(state) = self.hot.schedule_state(schedule.schedule_id).await? {
                return Ok(state);
            }
            self.load_state(schedule).await?;
        }
    }

    /// Loads a schedule's hot state from the database: sold seats (which must never be
    /// held again, even after the hot store lost its memory) and live holds. Safe under
    /// concurrency: the first load wins, sold marks merge.
    async fn load_state(&self, schedule: &ScheduleFacts) -> ServiceResult<()> {
        let now = crate::time::now();
        let snapshot = ScheduleSnapshot {
            total: i64::from(schedule.total_seats),
            sold: catalog_store::sold_seats_of(&self.db, schedule.schedule_id).await?,
            holds: reservations::live_holds_of(&self.db, schedule.schedule_id, now).await?,
        };
        if self
            .hot
            .schedule_load(schedule.schedule_id, &snapshot)
            .await?
        {
            tracing::info!(
                schedule_id = schedule.schedule_id,
                sold = snapshot.sold.len(),
                "loaded schedule state"
            );
        }
        Ok(())
    }
}

/// Counts a hold attempt by its outcome (`holds_total`).
fn count_hold(outcome: &'static str) {
    metrics::counter!("holds_total", "outcome" => outcome).increment(1);
}

/// Whole seconds left on a live hold, rounded up; 0 otherwise.
pub fn seconds_left(row: &reservation::Model, now: DateTime<Utc>) -> u64 {
    if row.status != Status::Held || row.expired_at <= now {
        return 0;
    }
    let millis = (row.expired_at - now).num_milliseconds().max(0) as u64;
    millis.div_ceil(1000)
}
