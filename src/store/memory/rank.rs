//! `Fenwick`: a binary indexed tree of marked slots, the order-statistic structure behind
//! exact waiting positions. Marking a slot and counting the marks up to a slot are both
//! O(log n).

/// Marks over the slots `0..capacity()`, counted up to any slot.
///
/// The capacity is a power of two so that doubling it keeps every node valid: the only
/// new node covering old slots is the new root.
#[derive(Debug, Clone)]
pub(super) struct Fenwick {
    /// 1-based: `nodes[j]` counts the marks on the 1-based slots `j - lowbit(j) + 1 ..= j`.
    /// `nodes[0]` is unused. u32 suffices: no node covers more slots than fit in memory.
    nodes: Vec<u32>,
}

impl Fenwick {
    /// No marks, room for at least `capacity` slots.
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            nodes: vec![0; capacity.max(1).next_power_of_two() + 1],
        }
    }

    /// Marks where `marks` is true, room for at least `capacity` slots; O(capacity).
    pub(super) fn from_marks(capacity: usize, marks: &[bool]) -> Self {
        let mut tree = Self::new(capacity.max(marks.len()));
        for (slot, &marked) in marks.iter().enumerate() {
            tree.nodes[slot + 1] = u32::from(marked);
        }
        let last = tree.capacity();
        for j in 1..=last {
            let parent = j + lowbit(j);
            if parent <= last {
                tree.nodes[parent] += tree.nodes[j];
            }
        }
        tree
    }

    /// How many slots there are.
    pub(super) fn capacity(&self) -> usize {
        self.nodes.len() - 1
    }

    /// Doubles the capacity, keeping the marks.
    pub(super) fn grow(&mut self) {
        let old = self.capacity();
        // The old root covers every old slot, and the new root covers the old root's range
        // plus the new, unmarked half; every other new node covers new slots only.
        let total = self.nodes[old];
        self.nodes.resize(2 * old + 1, 0);
        self.nodes[2 * old] = total;
    }

    /// Marks an unmarked slot.
    pub(super) fn mark(&mut self, slot: usize) {
        let mut j = slot + 1;
        while j < self.nodes.len() {
            self.nodes[j] += 1;
            j += lowbit(j);
        }
    }

    /// Unmarks a marked slot.
    pub(super) fn unmark(&mut self, slot: usize) {
        let mut j = slot + 1;
        while j < self.nodes.len() {
            self.nodes[j] -= 1;
            j += lowbit(j);
        }
    }

    /// The marks on the slots `0..=slot`.
    pub(super) fn count_through(&self, slot: usize) -> u64 {
        let mut j = slot + 1;
        let mut count = 0;
        while j > 0 {
            count += u64::from(self.nodes[j]);
            j -= lowbit(j);
        }
        count
    }
}

/// The lowest set bit of `j`: the length of the range node `j` covers.
fn lowbit(j: usize) -> usize {
    j & j.wrapping_neg()
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;

    fn assert_counts_match(tree: &Fenwick, model: &[bool]) {
        let mut expected = 0;
        for (slot, &marked) in model.iter().enumerate() {
            expected += u64::from(marked);
            assert_eq!(tree.count_through(slot), expected, "through slot {slot}");
        }
    }

    #[test]
    fn counts_match_a_naive_model_through_random_marks_unmarks_and_growth() {
        let mut rng = StdRng::seed_from_u64(11);
        let mut tree = Fenwick::new(1);
        let mut model = vec![false; tree.capacity()];
        for step in 0..20_000 {
            if tree.capacity() < 4096 && rng.random_range(0..1000) == 0 {
                tree.grow();
                model.resize(tree.capacity(), false);
            }
            let slot = rng.random_range(0..model.len());
            if model[slot] {
                tree.unmark(slot);
            } else {
                tree.mark(slot);
            }
            model[slot] = !model[slot];
            if step % 500 == 0 {
                assert_counts_match(&tree, &model);
            }
        }
        assert_counts_match(&tree, &model);
    }

    #[test]
    fn building_from_marks_equals_marking_one_by_one() {
        let mut rng = StdRng::seed_from_u64(5);
        let marks: Vec<bool> = (0..777).map(|_| rng.random_bool(0.4)).collect();
        let built = Fenwick::from_marks(1000, &marks);
        assert_eq!(built.capacity(), 1024);
        let mut marked = Fenwick::new(1000);
        for (slot, _) in marks.iter().enumerate().filter(|&(_, &m)| m) {
            marked.mark(slot);
        }
        assert_eq!(built.nodes, marked.nodes);
        assert_counts_match(&built, &marks);
    }
}
