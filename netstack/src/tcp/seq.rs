//! TCP sequence numbers: 32-bit counters compared modulo 2^32 (RFC 9293 §3.4, RFC 1982).
//!
//! A sequence number is only meaningful relative to another one less than 2^31 away, so
//! `a < b` means "`b` is ahead of `a` by 1..2^31 bytes". Two numbers exactly 2^31 apart are
//! unordered (RFC 1982 §3.2 leaves the comparison undefined): `partial_cmp` returns `None`
//! and every comparison operator is false, which makes window checks reject such a segment
//! instead of accepting it by accident.

use core::cmp::Ordering;
use core::fmt;
use core::ops::{Add, AddAssign, Sub, SubAssign};

/// A TCP sequence (or acknowledgement) number with wrapping arithmetic and wrap-aware order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TcpSeqNumber(pub u32);

impl TcpSeqNumber {
    /// The number `n` bytes after `self` (wrapping). `n` is taken modulo 2^32.
    #[inline]
    pub const fn wrapping_add(self, n: u32) -> TcpSeqNumber {
        TcpSeqNumber(self.0.wrapping_add(n))
    }

    /// The number `n` bytes before `self` (wrapping).
    #[inline]
    pub const fn wrapping_sub(self, n: u32) -> TcpSeqNumber {
        TcpSeqNumber(self.0.wrapping_sub(n))
    }

    /// Signed distance from `self` to `other`: positive when `other` is ahead.
    /// Exactly 2^31 apart gives `i32::MIN`.
    #[inline]
    pub const fn distance(self, other: TcpSeqNumber) -> i32 {
        other.0.wrapping_sub(self.0) as i32
    }

    /// Bytes from `earlier` up to `self`, or 0 when `earlier` is not before `self`
    /// (including when they are unordered).
    #[inline]
    pub const fn since(self, earlier: TcpSeqNumber) -> usize {
        let d = earlier.distance(self);
        if d > 0 { d as usize } else { 0 }
    }

    /// The later of the two (`self` when they are equal or unordered).
    #[inline]
    pub fn max(self, other: TcpSeqNumber) -> TcpSeqNumber {
        if other > self { other } else { self }
    }

    /// The earlier of the two (`self` when they are equal or unordered).
    #[inline]
    pub fn min(self, other: TcpSeqNumber) -> TcpSeqNumber {
        if other < self { other } else { self }
    }

    /// Whether `start <= self < end`: the acceptability tests of RFC 9293 §3.4 and
    /// §3.10.7.4 are built from this.
    #[inline]
    pub fn in_range(self, start: TcpSeqNumber, end: TcpSeqNumber) -> bool {
        start <= self && self < end
    }
}

impl PartialOrd for TcpSeqNumber {
    /// RFC 1982 serial number order; `None` when exactly 2^31 apart.
    #[inline]
    fn partial_cmp(&self, other: &TcpSeqNumber) -> Option<Ordering> {
        match other.distance(*self) {
            0 => Some(Ordering::Equal),
            i32::MIN => None,
            d if d > 0 => Some(Ordering::Greater),
            _ => Some(Ordering::Less),
        }
    }
}

impl Add<usize> for TcpSeqNumber {
    type Output = TcpSeqNumber;
    /// Wrapping add; `rhs` is taken modulo 2^32 (a TCP length never reaches that).
    #[inline]
    fn add(self, rhs: usize) -> TcpSeqNumber {
        self.wrapping_add(rhs as u32)
    }
}

impl AddAssign<usize> for TcpSeqNumber {
    #[inline]
    fn add_assign(&mut self, rhs: usize) {
        *self = *self + rhs;
    }
}

impl Sub<usize> for TcpSeqNumber {
    type Output = TcpSeqNumber;
    /// Wrapping subtract; `rhs` is taken modulo 2^32.
    #[inline]
    fn sub(self, rhs: usize) -> TcpSeqNumber {
        self.wrapping_sub(rhs as u32)
    }
}

impl SubAssign<usize> for TcpSeqNumber {
    #[inline]
    fn sub_assign(&mut self, rhs: usize) {
        *self = *self - rhs;
    }
}

impl Sub for TcpSeqNumber {
    type Output = i32;
    /// Signed difference `self - rhs` modulo 2^32 (see [`TcpSeqNumber::distance`]).
    #[inline]
    fn sub(self, rhs: TcpSeqNumber) -> i32 {
        rhs.distance(self)
    }
}

impl From<u32> for TcpSeqNumber {
    #[inline]
    fn from(value: u32) -> TcpSeqNumber {
        TcpSeqNumber(value)
    }
}

impl From<TcpSeqNumber> for u32 {
    #[inline]
    fn from(value: TcpSeqNumber) -> u32 {
        value.0
    }
}

impl fmt::Display for TcpSeqNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn s(v: u32) -> TcpSeqNumber {
        TcpSeqNumber(v)
    }

    #[test]
    fn arithmetic_wraps() {
        assert_eq!(s(u32::MAX) + 1, s(0));
        assert_eq!(s(u32::MAX - 9) + 20, s(10));
        assert_eq!(s(5) - 10, s(u32::MAX - 4));
        let mut a = s(u32::MAX);
        a += 2;
        assert_eq!(a, s(1));
        a -= 3;
        assert_eq!(a, s(u32::MAX - 1));
        assert_eq!(s(10) - s(u32::MAX - 9), 20);
        assert_eq!(s(u32::MAX - 9) - s(10), -20);
        assert_eq!(s(0).distance(s(1 << 31)), i32::MIN);
        assert_eq!(s(10).since(s(u32::MAX - 9)), 20);
        assert_eq!(s(u32::MAX - 9).since(s(10)), 0);
        assert_eq!(s(0).since(s(1 << 31)), 0);
        assert_eq!(u32::from(s(7)), 7);
        assert_eq!(TcpSeqNumber::from(7), s(7));
    }

    #[test]
    fn order_across_the_wrap() {
        assert!(s(u32::MAX) < s(0));
        assert!(s(u32::MAX - 100) < s(100));
        assert!(s(100) > s(u32::MAX - 100));
        assert!(s(5) <= s(5) && s(5) >= s(5));
        assert!(s(0) < s((1 << 31) - 1));
        assert!(s((1 << 31) + 1) < s(0));
        // Exactly half the space apart: unordered both ways.
        for base in [0u32, 1, 1 << 31, u32::MAX] {
            let a = s(base);
            let b = a + (1usize << 31);
            assert_eq!(a.partial_cmp(&b), None);
            let (lt, gt, le, ge) = (a < b, b < a, a <= b, a >= b);
            assert!(!lt && !gt && !le && !ge);
            assert_eq!(a.max(b), a);
            assert_eq!(a.min(b), a);
        }
    }

    #[test]
    fn max_min_in_range() {
        assert_eq!(s(u32::MAX).max(s(3)), s(3));
        assert_eq!(s(3).max(s(u32::MAX)), s(3));
        assert_eq!(s(u32::MAX).min(s(3)), s(u32::MAX));
        assert_eq!(s(3).min(s(3)), s(3));
        assert!(s(0).in_range(s(u32::MAX - 1), s(2)));
        assert!(s(u32::MAX - 1).in_range(s(u32::MAX - 1), s(2)));
        assert!(!s(2).in_range(s(u32::MAX - 1), s(2)));
        assert!(!s(5).in_range(s(5), s(5)));
    }

    #[test]
    fn order_is_consistent_with_distance() {
        let mut x = 0x1234_5678u32;
        for _ in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let a = s(x);
            let b = s(x.rotate_left(7) ^ 0x5555);
            let d = a.distance(b);
            match a.partial_cmp(&b) {
                Some(Ordering::Less) => assert!(d > 0 && b > a),
                Some(Ordering::Greater) => assert!(d < 0 && d != i32::MIN && b < a),
                Some(Ordering::Equal) => assert_eq!(d, 0),
                None => assert_eq!(d, i32::MIN),
            }
        }
    }
}
