//! Out-of-order reassembly bookkeeping: which byte ranges past RCV.NXT have arrived.
//!
//! Offsets are relative to the next expected byte (offset 0 = RCV.NXT). The data itself
//! sits in the receive [`RingBuffer`](super::RingBuffer) (written with
//! `write_unallocated`); the assembler only remembers the ranges, as sorted, disjoint,
//! non-adjacent intervals, at most `N` of them (RFC 9293 §3.10.7.4: segments beyond
//! RCV.NXT "should be held for later processing"; lwIP bounds them with
//! `TCP_OOSEQ_MAX_PBUFS`, and so does [`DEFAULT_MAX_RANGES`]).
//!
//! When a segment arrives: `add(seq - RCV.NXT, len)`, then `remove_front()` tells how many
//! bytes became contiguous from RCV.NXT (the segment's own bytes plus any buffered ones it
//! joins); commit that many in the ring buffer and advance RCV.NXT by it.
//!
//! Each range remembers when it was last extended, so that SACK generation can put the
//! block holding the most recently received segment first (RFC 2018 §4).

use core::fmt;

use crate::config;

/// Ranges kept per connection: `TCP_OOSEQ_MAX_PBUFS` when set (capped at 64), else 8 —
/// each range holds at least one segment, so this never keeps fewer segments than lwIP.
pub const DEFAULT_MAX_RANGES: usize = match config::TCP_OOSEQ_MAX_PBUFS {
    0 => 8,
    n if n > 64 => 64,
    n => n,
};

const _: () = assert!(DEFAULT_MAX_RANGES > 0 && DEFAULT_MAX_RANGES <= 64);

/// The range could not be recorded: it would need a new interval and all are in use.
/// The caller drops the segment (the peer retransmits it); the assembler is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TooManyHoles;

impl fmt::Display for TooManyHoles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("too many out-of-order ranges")
    }
}

impl core::error::Error for TooManyHoles {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Range {
    start: usize,
    end: usize,
    /// Value of the assembler's clock when the range last grew.
    stamp: u32,
}

/// Received ranges beyond the next expected byte, at most `N` disjoint intervals.
///
/// The count comes first (`repr(C)`): `is_empty`, asked for every segment, reads the
/// first cache line only.
#[derive(Debug, Clone, PartialEq, Eq)]
#[repr(C)]
pub struct Assembler<const N: usize = DEFAULT_MAX_RANGES> {
    count: usize,
    clock: u32,
    ranges: [Range; N],
}

impl<const N: usize> Default for Assembler<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Assembler<N> {
    /// An empty assembler.
    #[inline]
    pub const fn new() -> Self {
        Assembler {
            ranges: [Range {
                start: 0,
                end: 0,
                stamp: 0,
            }; N],
            count: 0,
            clock: 0,
        }
    }

    /// No out-of-order data is held.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Number of disjoint ranges held.
    #[inline]
    pub fn range_count(&self) -> usize {
        self.count
    }

    /// Forgets everything.
    #[inline]
    pub fn clear(&mut self) {
        self.count = 0;
    }

    /// Records that bytes `offset..offset + len` arrived, merging with overlapping and
    /// adjacent ranges. Fails, changing nothing, when a new range is needed and `N` are in
    /// use.
    pub fn add(&mut self, offset: usize, len: usize) -> Result<(), TooManyHoles> {
        if len == 0 {
            return Ok(());
        }
        let start = offset;
        let end = offset.saturating_add(len);
        let live = &self.ranges[..self.count];
        // First range that touches or follows `start`; first range strictly after `end`.
        let first = live.partition_point(|r| r.end < start);
        let last = live.partition_point(|r| r.start <= end);
        let stamp = self.clock.wrapping_add(1);
        if first == last {
            if self.count == N {
                return Err(TooManyHoles);
            }
            self.ranges.copy_within(first..self.count, first + 1);
            self.ranges[first] = Range { start, end, stamp };
            self.count += 1;
        } else {
            let merged = Range {
                start: start.min(self.ranges[first].start),
                end: end.max(self.ranges[last - 1].end),
                stamp,
            };
            self.ranges[first] = merged;
            self.ranges.copy_within(last..self.count, first + 1);
            self.count -= last - first - 1;
        }
        self.clock = stamp;
        Ok(())
    }

    /// If data is held from offset 0, removes that range and returns its length: the bytes
    /// now contiguous from the next expected byte, which the caller makes readable and by
    /// which it advances RCV.NXT. Every remaining offset shifts down by it. Else 0.
    pub fn remove_front(&mut self) -> usize {
        if self.count == 0 || self.ranges[0].start != 0 {
            return 0;
        }
        let n = self.ranges[0].end;
        self.ranges.copy_within(1..self.count, 0);
        self.count -= 1;
        for r in &mut self.ranges[..self.count] {
            r.start -= n;
            r.end -= n;
        }
        n
    }

    /// Tells the assembler that the next expected byte moved `n` bytes ahead without going
    /// through it (e.g. data accepted in order while ranges are held): ranges shift down,
    /// and any part now below offset 0 is dropped.
    pub fn advance(&mut self, n: usize) {
        let mut kept = 0;
        for i in 0..self.count {
            let r = self.ranges[i];
            if r.end > n {
                self.ranges[kept] = Range {
                    start: r.start.saturating_sub(n),
                    end: r.end - n,
                    stamp: r.stamp,
                };
                kept += 1;
            }
        }
        self.count = kept;
    }

    /// Whether byte `offset` has been received.
    pub fn contains(&self, offset: usize) -> bool {
        self.iter().any(|(s, e)| s <= offset && offset < e)
    }

    /// The ranges as `(start, end)` offsets (end exclusive), in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.ranges[..self.count].iter().map(|r| (r.start, r.end))
    }

    /// The ranges as `(start, end)`, the most recently extended first (RFC 2018 §4 order
    /// for SACK blocks).
    pub fn iter_by_recency(&self) -> RecencyIter<'_> {
        RecencyIter {
            ranges: &self.ranges[..self.count],
            clock: self.clock,
            below: None,
        }
    }
}

/// Iterator over an assembler's ranges, most recently extended first.
#[derive(Debug, Clone)]
pub struct RecencyIter<'a> {
    ranges: &'a [Range],
    clock: u32,
    /// Age (clock − stamp) of the range returned last.
    below: Option<u32>,
}

impl Iterator for RecencyIter<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        // Ages are distinct (one stamp per add), so "the youngest older than the last one"
        // walks them in order; wrapping subtraction survives the clock wrapping.
        let clock = self.clock;
        let below = self.below;
        let next = self
            .ranges
            .iter()
            .map(|r| (clock.wrapping_sub(r.stamp), r))
            .filter(|(age, _)| below.is_none_or(|b| *age > b))
            .min_by_key(|(age, _)| *age)?;
        self.below = Some(next.0);
        Some((next.1.start, next.1.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::test_util::Rng;
    use alloc::string::ToString;
    use alloc::vec;
    use alloc::vec::Vec;

    fn ranges<const N: usize>(a: &Assembler<N>) -> Vec<(usize, usize)> {
        a.iter().collect()
    }

    #[test]
    fn merge_overlap_duplicate_adjacent() {
        let mut a = Assembler::<4>::new();
        assert!(a.is_empty());
        a.add(10, 5).unwrap();
        assert_eq!(ranges(&a), vec![(10, 15)]);
        a.add(10, 5).unwrap(); // duplicate
        assert_eq!(ranges(&a), vec![(10, 15)]);
        a.add(15, 5).unwrap(); // adjacent after
        assert_eq!(ranges(&a), vec![(10, 20)]);
        a.add(5, 5).unwrap(); // adjacent before
        assert_eq!(ranges(&a), vec![(5, 20)]);
        a.add(30, 10).unwrap();
        a.add(50, 1).unwrap();
        assert_eq!(ranges(&a), vec![(5, 20), (30, 40), (50, 51)]);
        a.add(18, 14).unwrap(); // overlaps two
        assert_eq!(ranges(&a), vec![(5, 40), (50, 51)]);
        a.add(0, 100).unwrap(); // covers everything
        assert_eq!(ranges(&a), vec![(0, 100)]);
        a.add(7, 0).unwrap(); // empty: nothing
        assert_eq!(a.range_count(), 1);
        assert!(a.contains(0) && a.contains(99) && !a.contains(100));
        assert_eq!(a.remove_front(), 100);
        assert!(a.is_empty());
        assert_eq!(a.remove_front(), 0);
    }

    #[test]
    fn full_and_remove_front() {
        let mut a = Assembler::<3>::new();
        a.add(10, 2).unwrap();
        a.add(20, 2).unwrap();
        a.add(30, 2).unwrap();
        let before = a.clone();
        assert_eq!(a.add(40, 2), Err(TooManyHoles));
        assert_eq!(a.add(0, 2), Err(TooManyHoles));
        assert_eq!(a.add(15, 2), Err(TooManyHoles));
        assert_eq!(ranges(&a), ranges(&before));
        // Merging still works when full.
        a.add(12, 8).unwrap();
        assert_eq!(ranges(&a), vec![(10, 22), (30, 32)]);
        assert_eq!(a.remove_front(), 0);
        a.add(0, 10).unwrap();
        assert_eq!(a.remove_front(), 22);
        assert_eq!(ranges(&a), vec![(8, 10)]);
        a.add(1, 1).unwrap();
        a.advance(3);
        assert_eq!(ranges(&a), vec![(5, 7)]);
        a.add(0, 1).unwrap();
        a.advance(6);
        assert_eq!(ranges(&a), vec![(0, 1)]);
        a.advance(10);
        assert!(a.is_empty());
        a.add(usize::MAX - 1, 10).unwrap();
        assert_eq!(ranges(&a), vec![(usize::MAX - 1, usize::MAX)]);
        a.clear();
        assert!(a.is_empty());
        assert_eq!(TooManyHoles.to_string(), "too many out-of-order ranges");
    }

    #[test]
    fn recency_order() {
        let mut a = Assembler::<8>::new();
        a.add(10, 2).unwrap();
        a.add(30, 2).unwrap();
        a.add(20, 2).unwrap();
        let order: Vec<_> = a.iter_by_recency().collect();
        assert_eq!(order, vec![(20, 22), (30, 32), (10, 12)]);
        a.add(12, 2).unwrap(); // extends the oldest: it becomes the newest
        let order: Vec<_> = a.iter_by_recency().collect();
        assert_eq!(order, vec![(10, 14), (20, 22), (30, 32)]);
        a.add(14, 6).unwrap(); // joins two
        let order: Vec<_> = a.iter_by_recency().collect();
        assert_eq!(order, vec![(10, 22), (30, 32)]);
        // The clock wrapping does not disturb the order.
        a.clock = u32::MAX - 1;
        a.add(40, 1).unwrap(); // stamp MAX
        a.add(50, 1).unwrap(); // stamp 0
        let order: Vec<_> = a.iter_by_recency().take(2).collect();
        assert_eq!(order, vec![(50, 51), (40, 41)]);
    }

    #[test]
    fn default_size() {
        let a: Assembler = Assembler::default();
        assert_eq!(a.ranges.len(), DEFAULT_MAX_RANGES);
    }

    /// Maximal runs of `true` in a bitmap.
    fn runs(bits: &[bool]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < bits.len() {
            if bits[i] {
                let s = i;
                while i < bits.len() && bits[i] {
                    i += 1;
                }
                out.push((s, i));
            } else {
                i += 1;
            }
        }
        out
    }

    #[test]
    fn matches_bitmap_model() {
        const SPACE: usize = 96;
        let mut rng = Rng::new(0xa55e);
        for _ in 0..300 {
            let mut a = Assembler::<5>::new();
            let mut model = vec![false; SPACE * 2];
            for _ in 0..60 {
                if rng.below(5) == 0 {
                    let n = a.remove_front();
                    let lead = model.iter().take_while(|b| **b).count();
                    assert_eq!(n, lead);
                    model.drain(..lead);
                    model.resize(SPACE * 2, false);
                } else {
                    let off = rng.below(SPACE);
                    let len = rng.below(12);
                    let mut next = model.clone();
                    for b in &mut next[off..off + len] {
                        *b = true;
                    }
                    let r = a.add(off, len);
                    if runs(&next).len() > 5 {
                        assert_eq!(r, Err(TooManyHoles));
                    } else {
                        assert_eq!(r, Ok(()));
                        model = next;
                    }
                }
                assert_eq!(ranges(&a), runs(&model));
                let mut by_recency: Vec<_> = a.iter_by_recency().collect();
                by_recency.sort_unstable();
                assert_eq!(by_recency, runs(&model));
            }
        }
    }
}
