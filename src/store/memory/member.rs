//! `Member`: an id ordered the way Redis orders the members of a sorted set that share a
//! score, so that ties (one expiry for a whole batch, one heartbeat millisecond) break
//! exactly as in the Lua scripts wherever a `LIMIT` cuts through them.

use std::cmp::Ordering;

/// An id compared by its decimal text, byte by byte (`"10" < "9"`, `"-1" < "0"`): the
/// scripts pass ids as decimal strings, and Redis orders equal scores by member bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Member(pub(super) i64);

/// A user id compared by its member bytes in the Redis queue keys: the id's minimal
/// big-endian bytes (`store::redis::queue::member`), so ties in the queue's sorted sets
/// break as they do there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct QueueMember(pub(super) i64);

impl Ord for QueueMember {
    fn cmp(&self, other: &Self) -> Ordering {
        // Left-align both byte strings in a u128 and compare; where equal, the shorter
        // string is a prefix of the longer and comes first.
        let (a, b) = (self.0 as u64, other.0 as u64);
        let (a_len, b_len) = (minimal_bytes(a), minimal_bytes(b));
        let aligned = |n: u64, len: u32| u128::from(n) << (8 * (16 - len));
        aligned(a, a_len)
            .cmp(&aligned(b, b_len))
            .then(a_len.cmp(&b_len))
    }
}

impl PartialOrd for QueueMember {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Bytes of `n` without leading zero bytes, at least one.
fn minimal_bytes(n: u64) -> u32 {
    (8 - n.leading_zeros() / 8).max(1)
}

impl Ord for Member {
    fn cmp(&self, other: &Self) -> Ordering {
        match (u64::try_from(self.0), u64::try_from(other.0)) {
            (Ok(mine), Ok(theirs)) => cmp_unsigned_text(mine, theirs),
            _ => {
                let (mut mine, mut theirs) = ([0; DIGITS], [0; DIGITS]);
                decimal(self.0, &mut mine).cmp(decimal(other.0, &mut theirs))
            }
        }
    }
}

impl PartialOrd for Member {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Compares the decimal texts of two unsigned numbers without writing them out, since
/// ties in busy sorted sets make this the hot comparison: the shorter number, padded with
/// zeros to the longer's length, compares as its text would, and where they are then
/// equal the shorter text is a prefix of the longer, so it comes first.
fn cmp_unsigned_text(a: u64, b: u64) -> Ordering {
    let (a_digits, b_digits) = (digit_count(a), digit_count(b));
    let padded_a = u128::from(a) * 10u128.pow(b_digits.saturating_sub(a_digits));
    let padded_b = u128::from(b) * 10u128.pow(a_digits.saturating_sub(b_digits));
    padded_a.cmp(&padded_b).then(a_digits.cmp(&b_digits))
}

fn digit_count(n: u64) -> u32 {
    n.checked_ilog10().map_or(1, |log| log + 1)
}

/// The longest decimal i64: a sign and 19 digits.
const DIGITS: usize = 20;

/// `n` in decimal, written at the end of `buffer`, without allocating.
fn decimal(n: i64, buffer: &mut [u8; DIGITS]) -> &[u8] {
    let mut start = DIGITS;
    let mut rest = n.unsigned_abs();
    loop {
        start -= 1;
        buffer[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        start -= 1;
        buffer[start] = b'-';
    }
    &buffer[start..]
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;

    #[test]
    fn members_order_like_their_decimal_text() {
        let mut rng = StdRng::seed_from_u64(3);
        let mut ids = vec![
            0,
            1,
            9,
            10,
            -1,
            -10,
            i64::MIN,
            i64::MAX,
            100,
            99,
            1000,
            10_001,
        ];
        ids.extend(0..300);
        ids.extend((0..500).map(|_| rng.random_range(-1_000_000..1_000_000)));
        ids.extend((0..500).map(|_| rng.random::<i64>()));
        for &a in &ids {
            for &b in &ids {
                assert_eq!(
                    Member(a).cmp(&Member(b)),
                    a.to_string().cmp(&b.to_string()),
                    "{a} vs {b}"
                );
            }
        }
    }
}

#[cfg(test)]
mod queue_member_tests {
    use super::*;

    fn bytes(n: i64) -> Vec<u8> {
        let all = n.to_be_bytes();
        let zeros = all[..7].iter().take_while(|&&b| b == 0).count();
        all[zeros..].to_vec()
    }

    #[test]
    fn queue_members_order_as_their_minimal_big_endian_bytes() {
        let ids = [1, 9, 100, 255, 256, 300, 65_535, 65_536, 1 << 40, i64::MAX];
        for &a in &ids {
            for &b in &ids {
                assert_eq!(
                    QueueMember(a).cmp(&QueueMember(b)),
                    bytes(a).cmp(&bytes(b)),
                    "{a} vs {b}"
                );
            }
        }
    }
}
