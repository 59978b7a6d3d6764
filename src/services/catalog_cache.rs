//! In-process cache of catalogue facts that never change once created (concert names,
//! schedule dates, seat numbers and prices), so the hot read paths make no database
//! query once warm. Only the list of bookable schedules is re-read, at most once per
//! `schedules_ttl`, so that new concerts appear on every instance.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use sea_orm::DatabaseConnection;
use tokio::sync::OnceCell;

use crate::store::StoreResult;
use crate::store::db::catalog::{self as catalog_store, ScheduleFacts, SeatFacts};

/// The seats of one schedule, by number, with an index by seat id.
#[derive(Debug)]
pub struct SeatChart {
    pub seats: Vec<SeatFacts>,
    by_id: HashMap<i64, usize>,
}

impl SeatChart {
    fn new(seats: Vec<SeatFacts>) -> Self {
        let by_id = seats
            .iter()
            .enumerate()
            .map(|(i, s)| (s.seat_id, i))
            .collect();
        Self { seats, by_id }
    }

    pub fn seat(&self, seat_id: i64) -> Option<&SeatFacts> {
        self.by_id.get(&seat_id).map(|&i| &self.seats[i])
    }
}

type Slot<T> = Arc<OnceCell<Arc<T>>>;

/// Upcoming schedules by date then id.
pub type ScheduleList = Arc<Vec<Arc<ScheduleFacts>>>;

/// Cheap to clone; clones share the cache.
#[derive(Clone)]
pub struct CatalogCache {
    db: DatabaseConnection,
    schedules: Arc<Mutex<HashMap<i64, Slot<ScheduleFacts>>>>,
    charts: Arc<Mutex<HashMap<i64, Slot<SeatChart>>>>,
    upcoming: Arc<RwLock<Option<(Instant, ScheduleList)>>>,
    upcoming_refresh: Arc<tokio::sync::Mutex<()>>,
    upcoming_ttl: Duration,
}

impl CatalogCache {
    pub fn new(db: DatabaseConnection, upcoming_ttl: Duration) -> Self {
        Self {
            db,
            schedules: Arc::default(),
            charts: Arc::default(),
            upcoming: Arc::default(),
            upcoming_refresh: Arc::default(),
            upcoming_ttl,
        }
    }

    /// A schedule's facts, or `None` when it does not exist.
    ///
    /// # Errors
    /// On database failure.
    pub async fn schedule(&self, schedule_id: i64) -> StoreResult<Option<Arc<ScheduleFacts>>> {
        let db = &self.db;
        cached(&self.schedules, schedule_id, || async move {
            catalog_store::schedule_facts(db, schedule_id).await
        })
        .await
    }

    /// A schedule's seats (loaded once; concurrent first readers share one query).
    ///
    /// # Errors
    /// On database failure.
    pub async fn seat_chart(&self, schedule_id: i64) -> StoreResult<Arc<SeatChart>> {
        let db = &self.db;
        let chart = cached(&self.charts, schedule_id, || async move {
            Ok(Some(SeatChart::new(
                catalog_store::seats_of(db, schedule_id).await?,
            )))
        })
        .await?;
        Ok(chart.expect("a seat chart always loads"))
    }

    /// Schedules still ahead, by date then id; re-read at most once per TTL.
    ///
    /// # Errors
    /// On database failure.
    pub async fn upcoming_schedules(&self) -> StoreResult<ScheduleList> {
        if let Some(list) = self.fresh_upcoming() {
            return Ok(list);
        }
        // One refresh at a time; the others wait for it and use its result.
        let _refreshing = self.upcoming_refresh.lock().await;
        if let Some(list) = self.fresh_upcoming() {
            return Ok(list);
        }
        let list: ScheduleList = Arc::new(
            catalog_store::schedules_after(&self.db, crate::time::now())
                .await?
                .into_iter()
                .map(Arc::new)
                .collect(),
        );
        *self.upcoming.write().expect("catalog lock") = Some((Instant::now(), list.clone()));
        Ok(list)
    }

    fn fresh_upcoming(&self) -> Option<ScheduleList> {
        let guard = self.upcoming.read().expect("catalog lock");
        guard
            .as_ref()
            .filter(|(at, _)| at.elapsed() < self.upcoming_ttl)
            .map(|(_, list)| list.clone())
    }
}

/// Reads through a per-key once-cell: the first caller loads, concurrent callers wait for
/// that load. Absent values are not remembered (the row may be created later).
async fn cached<T, F, Fut>(
    map: &Mutex<HashMap<i64, Slot<T>>>,
    key: i64,
    load: F,
) -> StoreResult<Option<Arc<T>>>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = StoreResult<Option<T>>>,
{
    let slot = map
        .lock()
        .expect("catalog lock")
        .entry(key)
        .or_default()
        .clone();
    if let Some(value) = slot.get() {
        return Ok(Some(value.clone()));
    }
    let result = slot
        .get_or_try_init(|| async {
            match load().await {
                Ok(Some(value)) => Ok(Arc::new(value)),
                Ok(None) => Err(None),
                Err(err) => Err(Some(err)),
            }
        })
        .await;
    match result {
        Ok(value) => Ok(Some(value.clone())),
        Err(None) => {
            map.lock().expect("catalog lock").remove(&key);
            Ok(None)
        }
        Err(Some(err)) => Err(err),
    }
}
