//! The in-process hot store: the contract of the Redis one, kept in this process's memory
//! for runs without Redis (one instance only: nothing is shared between processes, and
//! everything is lost when the process stops).
//!
//! Why it is exact: each call is one critical section under a mutex, as each Redis call is
//! one Lua script, and the clock is read inside it, as the scripts read `TIME`; the state
//! changes exactly as the scripts change their keys (`lua/*.lua` are the specification).
//! Why it is fast: positions come from a Fenwick tree, expiries from ordered sets, so no
//! call scans the queue or a schedule's seats.

mod holds;
mod line;
mod member;
mod queue;
mod rank;
mod seats;
mod waiting_room;

use std::sync::{Arc, Mutex, PoisonError};

use seats::Seats;
use waiting_room::WaitingRoom;

use crate::store::StoreResult;

/// Handle to the in-process hot store. Cheap to clone: clones share one state.
#[derive(Clone, Default)]
pub struct MemoryStore {
    shared: Arc<Shared>,
}

/// The queue and the seats share no key (in Redis they live in different hash slots), so
/// each has its own lock and queue polls never wait for seat holds.
#[derive(Default)]
struct Shared {
    queue: Mutex<WaitingRoom>,
    seats: Mutex<Seats>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Always answers: the store is this process.
    ///
    /// # Errors
    /// Never; the signature matches the other back ends.
    pub async fn ping(&self) -> StoreResult<()> {
        Ok(())
    }

    /// Runs `call` on the queue as one critical section, with the clock (Unix ms) read
    /// after the lock is taken so that instants follow the order of the calls.
    fn with_queue<T>(&self, call: impl FnOnce(&mut WaitingRoom, i64) -> T) -> T {
        let mut queue = lock(&self.shared.queue);
        call(&mut queue, now_ms())
    }

    /// Runs `call` on the seats as one critical section, like `with_queue`.
    fn with_seats<T>(&self, call: impl FnOnce(&mut Seats, i64) -> T) -> T {
        let mut seats = lock(&self.shared.seats);
        call(&mut seats, now_ms())
    }
}

/// Takes a lock even after a panic in another holder: the panic was a bug in one request,
/// and refusing every later request would turn it into an outage.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn now_ms() -> i64 {
    crate::time::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::MemoryStore;
    use crate::store::holds::{HoldOutcome, ScheduleSnapshot};
    use crate::store::queue::QueueState;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_joins_get_positions_one_to_n() {
        let store = MemoryStore::new();
        let joins: Vec<_> = (1..=500)
            .map(|user| {
                let store = store.clone();
                tokio::spawn(async move { store.queue_join(user, 3600).await })
            })
            .collect();
        let mut positions = HashSet::new();
        for join in joins {
            match join.await.unwrap().unwrap().entry.state {
                QueueState::Waiting { position } => assert!(positions.insert(position)),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(positions, (1..=500).collect());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_holds_on_one_seat_give_it_once() {
        let store = MemoryStore::new();
        let snapshot = ScheduleSnapshot {
            total: 1,
            ..ScheduleSnapshot::default()
        };
        assert!(store.schedule_load(1, &snapshot).await.unwrap());
        let holds: Vec<_> = (1..=200)
            .map(|user| {
                let store = store.clone();
                tokio::spawn(async move { store.hold_seat(1, 1, user, 60_000, 4).await })
            })
            .collect();
        let mut winners = 0;
        for hold in holds {
            if let HoldOutcome::Held { .. } = hold.await.unwrap().unwrap() {
                winners += 1;
            }
        }
        assert_eq!(winners, 1);
        assert_eq!(
            store.schedules_left(&[1, 2]).await.unwrap(),
            vec![Some(0), None]
        );
    }
}
