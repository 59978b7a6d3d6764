//! `WaitingLine`: the waiting users in arrival order with exact positions in O(log n), the
//! in-process form of the `waiting` sorted set's order (ZRANK). Slots are numbered by
//! arrival here; the arrival stamps that identify tokens are kept with each user.

use super::rank::Fenwick;

/// Slots reserved up front; the line doubles from there.
const MIN_SLOTS: usize = 1024;

/// One slot per arrival since `base`, marked while that arrival waits; a position is the
/// marks up to one's slot. Arrival numbers only grow, so slots are only appended, and the
/// dead ones in front are dropped when room runs out.
#[derive(Debug)]
pub(super) struct WaitingLine {
    /// The last arrival number handed out (the first is 1).
    last_arrival: u64,
    /// The arrival number of slot 0.
    base: u64,
    /// Who arrived in each slot.
    users: Vec<i64>,
    /// Whether each slot's arrival still waits.
    waiting: Vec<bool>,
    /// The marks of `waiting`, counted.
    ranks: Fenwick,
    /// The first waiting slot, or `users.len()` when nobody waits.
    head: usize,
    len: usize,
}

impl Default for WaitingLine {
    fn default() -> Self {
        Self {
            last_arrival: 0,
            base: 1,
            users: Vec::new(),
            waiting: Vec::new(),
            ranks: Fenwick::new(MIN_SLOTS),
            head: 0,
            len: 0,
        }
    }
}

impl WaitingLine {
    /// How many wait (`ZCARD waiting`).
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Puts `user` at the back with the next arrival number, returned.
    pub(super) fn push(&mut self, user: i64) -> u64 {
        if self.users.len() == self.ranks.capacity() {
            self.make_room();
        }
        self.last_arrival += 1;
        let slot = self.users.len();
        debug_assert_eq!(self.base + slot as u64, self.last_arrival);
        self.users.push(user);
        self.waiting.push(true);
        self.ranks.mark(slot);
        self.len += 1;
        self.last_arrival
    }

    /// Takes a waiting arrival out of the line.
    pub(super) fn remove(&mut self, arrival: u64) {
        let slot = self.slot(arrival);
        debug_assert!(self.waiting[slot], "arrival {arrival} is not waiting");
        self.waiting[slot] = false;
        self.ranks.unmark(slot);
        self.len -= 1;
        // Each slot is passed once in the line's life: O(1) amortized.
        while self.head < self.users.len() && !self.waiting[self.head] {
            self.head += 1;
        }
    }

    /// The 1-based place of a waiting arrival (`ZRANK` + 1).
    pub(super) fn position(&self, arrival: u64) -> u64 {
        self.ranks.count_through(self.slot(arrival))
    }

    /// Takes the `n` oldest waiting users out of the line, oldest first.
    pub(super) fn pop_oldest(&mut self, n: usize) -> Vec<i64> {
        let mut users = Vec::with_capacity(n.min(self.len));
        while users.len() < n && self.len > 0 {
            users.push(self.users[self.head]);
            self.remove(self.base + self.head as u64);
        }
        users
    }

    fn slot(&self, arrival: u64) -> usize {
        (arrival - self.base) as usize
    }

    /// Room for one more slot. When at least half the slots are dead ones in front, drops
    /// them (O(slots), paid for by the arrivals that filled them) and sizes the tree to
    /// twice what is left, so a drained burst gives its memory back; otherwise doubles.
    fn make_room(&mut self) {
        if self.head > 0 && 2 * self.head >= self.users.len() {
            self.users.drain(..self.head);
            self.waiting.drain(..self.head);
            self.base += self.head as u64;
            self.head = 0;
            self.ranks = Fenwick::from_marks((2 * self.users.len()).max(MIN_SLOTS), &self.waiting);
            self.users.shrink_to(self.ranks.capacity());
            self.waiting.shrink_to(self.ranks.capacity());
        } else {
            self.ranks.grow();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;

    /// The line's promises against a naive model: arrival → user, in arrival order.
    fn assert_matches(line: &WaitingLine, model: &BTreeMap<u64, i64>) {
        assert_eq!(line.len(), model.len());
        for (place, &arrival) in model.keys().enumerate() {
            assert_eq!(
                line.position(arrival),
                place as u64 + 1,
                "arrival {arrival}"
            );
        }
    }

    #[test]
    fn positions_match_a_naive_model_through_random_joins_drops_and_admissions() {
        let mut rng = StdRng::seed_from_u64(17);
        let mut line = WaitingLine::default();
        let mut model: BTreeMap<u64, i64> = BTreeMap::new();
        let mut next_user = 0;
        // Phases that grow the line, hold it steady and drain it, so that both doubling
        // and compaction (with and without shrinking) happen.
        for (steps, join_percent) in [(6_000, 80), (6_000, 50), (6_000, 15), (3_000, 60)] {
            for step in 0..steps {
                let roll = rng.random_range(0..100);
                if roll < join_percent || model.is_empty() {
                    next_user += 1;
                    let arrival = line.push(next_user);
                    assert!(model.keys().next_back().is_none_or(|&last| last < arrival));
                    model.insert(arrival, next_user);
                } else if roll % 2 == 0 {
                    // An idle drop anywhere in the line.
                    let pick = rng.random_range(0..model.len());
                    let arrival = *model.keys().nth(pick).unwrap();
                    line.remove(arrival);
                    model.remove(&arrival);
                } else {
                    let n = rng.random_range(0..8);
                    let expected: Vec<i64> = model.values().take(n).copied().collect();
                    assert_eq!(line.pop_oldest(n), expected);
                    model.retain(|_, user| !expected.contains(user));
                }
                if step % 400 == 0 {
                    assert_matches(&line, &model);
                }
            }
            assert_matches(&line, &model);
        }
    }

    #[test]
    fn a_drained_line_compacts_instead_of_growing() {
        let mut line = WaitingLine::default();
        for user in 0..100_000 {
            line.push(user);
            assert_eq!(line.pop_oldest(1), vec![user]);
        }
        assert_eq!(line.ranks.capacity(), MIN_SLOTS);
        let last = line.push(7);
        assert_eq!((last, line.position(last)), (100_001, 1));
    }
}
