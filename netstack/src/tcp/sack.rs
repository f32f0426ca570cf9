//! Selective acknowledgements (RFC 2018) on both sides of a connection.
//!
//! - **Receiver**: [`sack_blocks`] turns the out-of-order ranges of an
//!   [`Assembler`] into the blocks of the SACK option, the one holding the most recently
//!   received segment first, then the others from the most to the least recently extended
//!   (RFC 2018 §4). At most 3 blocks fit next to timestamps, 4 without
//!   ([`max_sack_blocks`]).
//! - **Sender**: [`SackScoreboard`] records what the peer reported above SND.UNA and
//!   answers the questions of RFC 6675's loss recovery: [`is_lost`](SackScoreboard::is_lost)
//!   (§4 IsLost, DupThresh = 3), [`next_seg_to_retransmit`](SackScoreboard::next_seg_to_retransmit)
//!   (§4 NextSeg rule 1) and [`pipe`](SackScoreboard::pipe) (§4 SetPipe). Rules 2–4 of
//!   NextSeg (new data, rescue retransmission) are the state machine's: they depend on the
//!   send buffer and the peer's window.
//!
//! SACK information is advisory: the receiver may renege (RFC 2018 §8), so the sender keeps
//! every byte in its send buffer until it is cumulatively acknowledged and clears the
//! scoreboard on a retransmission timeout.

use super::assembler::Assembler;
use super::seq::TcpSeqNumber;
use crate::wire::tcp::{MAX_SACK_BLOCKS, SackBlock};

/// RFC 6675 §2 DupThresh: duplicate ACKs (or SACKed segments) that signal a loss.
pub const DUP_THRESH: usize = 3;

/// SACK blocks that fit in the options next to the others a data segment carries
/// (RFC 2018 §3): 3 with timestamps (10 + 2 NOPs + 2 + 24 = 38 bytes), else 4.
#[inline]
pub const fn max_sack_blocks(timestamps: bool) -> usize {
    if timestamps { 3 } else { MAX_SACK_BLOCKS }
}

/// The SACK option blocks for the receiver's state: the assembler's ranges (offsets from
/// `rcv_nxt`) as sequence numbers, most recently extended first, at most `max_blocks`
/// (and at most [`MAX_SACK_BLOCKS`]).
pub fn sack_blocks<const N: usize>(
    assembler: &Assembler<N>,
    rcv_nxt: TcpSeqNumber,
    max_blocks: usize,
) -> [Option<SackBlock>; MAX_SACK_BLOCKS] {
    let mut out = [None; MAX_SACK_BLOCKS];
    for (slot, (start, end)) in out
        .iter_mut()
        .zip(assembler.iter_by_recency())
        .take(max_blocks)
    {
        *slot = Some((rcv_nxt + start, rcv_nxt + end));
    }
    out
}

/// Ranges the sender remembers by default.
pub const DEFAULT_SCOREBOARD_RANGES: usize = 8;

/// What the peer has selectively acknowledged above SND.UNA: sorted, disjoint ranges, at
/// most `N` (when full, the highest range is forgotten first: it matters least for
/// recovery, and forgetting only causes a spurious retransmission).
///
/// The ranges come first and the count last (`repr(C)`): the control block places the
/// scoreboard so that the count shares a cache line with its per-segment fields.
#[derive(Debug, Clone, PartialEq, Eq)]
#[repr(C)]
pub struct SackScoreboard<const N: usize = DEFAULT_SCOREBOARD_RANGES> {
    ranges: [SackBlock; N],
    count: usize,
    /// RFC 6675 HighRxt: one past the highest byte retransmitted in this recovery.
    high_rxt: Option<TcpSeqNumber>,
}

impl<const N: usize> Default for SackScoreboard<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> SackScoreboard<N> {
    /// An empty scoreboard.
    #[inline]
    pub const fn new() -> Self {
        SackScoreboard {
            ranges: [(TcpSeqNumber(0), TcpSeqNumber(0)); N],
            count: 0,
            high_rxt: None,
        }
    }

    /// Nothing is SACKed.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Forgets everything (after a retransmission timeout, RFC 2018 §8, RFC 6675 §5.1).
    #[inline]
    pub fn clear(&mut self) {
        self.count = 0;
        self.high_rxt = None;
    }

    /// RFC 6675 HighRxt (to restore with [`set_high_rxt`](Self::set_high_rxt) when a
    /// retransmission never left).
    #[inline]
    pub fn high_rxt(&self) -> Option<TcpSeqNumber> {
        self.high_rxt
    }

    /// Restores what [`high_rxt`](Self::high_rxt) returned.
    #[inline]
    pub fn set_high_rxt(&mut self, high_rxt: Option<TcpSeqNumber>) {
        self.high_rxt = high_rxt;
    }

    /// The SACKed ranges, lowest first.
    pub fn iter(&self) -> impl Iterator<Item = SackBlock> + '_ {
        self.ranges[..self.count].iter().copied()
    }

    /// Records the blocks of an incoming ACK. Blocks that are empty, inverted, at or below
    /// `snd_una` (old or D-SACK, RFC 2883) or beyond `snd_nxt` (never sent) are ignored; a
    /// block straddling `snd_una` is clipped. Returns whether any byte was newly SACKed
    /// (RFC 6675 counts such an ACK as a duplicate ACK).
    pub fn on_sack(
        &mut self,
        snd_una: TcpSeqNumber,
        snd_nxt: TcpSeqNumber,
        blocks: &[Option<SackBlock>],
    ) -> bool {
        let mut new = false;
        for &(left, right) in blocks.iter().flatten() {
            if left.distance(right) <= 0 || right <= snd_una || right > snd_nxt {
                continue;
            }
            new |= self.insert(left.max(snd_una), right);
        }
        new
    }

    /// Adds a range; returns whether it held bytes not SACKed before.
    fn insert(&mut self, start: TcpSeqNumber, end: TcpSeqNumber) -> bool {
        let live = &self.ranges[..self.count];
        let first = live.partition_point(|r| r.1 < start);
        let last = live.partition_point(|r| r.0 <= end);
        if first == last {
            if self.count == N {
                if first == N {
                    return false;
                }
                self.count -= 1;
            }
            self.ranges.copy_within(first..self.count, first + 1);
            self.ranges[first] = (start, end);
            self.count += 1;
            true
        } else {
            let (old_start, old_end) = self.ranges[first];
            let contained = last - first == 1 && old_start <= start && end <= old_end;
            let merged = (
                start.min(self.ranges[first].0),
                end.max(self.ranges[last - 1].1),
            );
            self.ranges[first] = merged;
            self.ranges.copy_within(last..self.count, first + 1);
            self.count -= last - first - 1;
            !contained
        }
    }

    /// SND.UNA advanced: forgets what is now cumulatively acknowledged.
    pub fn on_cumulative_ack(&mut self, snd_una: TcpSeqNumber) {
        let mut kept = 0;
        for i in 0..self.count {
            let (start, end) = self.ranges[i];
            if end > snd_una {
                self.ranges[kept] = (start.max(snd_una), end);
                kept += 1;
            }
        }
        self.count = kept;
    }

    /// Whether the byte `seq` has been SACKed.
    pub fn is_sacked(&self, seq: TcpSeqNumber) -> bool {
        self.iter().any(|(s, e)| seq.in_range(s, e))
    }

    /// One past the highest SACKed byte.
    pub fn highest_sacked(&self) -> Option<TcpSeqNumber> {
        self.count.checked_sub(1).map(|i| self.ranges[i].1)
    }

    /// Total SACKed bytes.
    pub fn sacked_bytes(&self) -> usize {
        self.iter().map(|(s, e)| e.since(s)).sum()
    }

    /// RFC 6675 §4 IsLost(seq): at least [`DUP_THRESH`] SACKed ranges lie above `seq`, or
    /// more than (DupThresh − 1) × `mss` SACKed bytes do.
    pub fn is_lost(&self, seq: TcpSeqNumber, mss: usize) -> bool {
        let mut ranges = 0;
        let mut bytes = 0;
        for (s, e) in self.iter() {
            let from = s.max(seq + 1);
            if e > from {
                ranges += 1;
                bytes += e.since(from);
            }
        }
        ranges >= DUP_THRESH || bytes > (DUP_THRESH - 1) * mss
    }

    /// RFC 6675 §4 NextSeg rule 1: the first un-SACKed, not yet retransmitted (this
    /// recovery) byte at or above `snd_una` that [`is_lost`](Self::is_lost), and the
    /// length to retransmit from it (up to `mss`, not into SACKed data). `None` when no
    /// hole below the highest SACKed byte is lost.
    pub fn next_seg_to_retransmit(
        &self,
        snd_una: TcpSeqNumber,
        snd_nxt: TcpSeqNumber,
        mss: usize,
    ) -> Option<(TcpSeqNumber, usize)> {
        let mut cursor = match self.high_rxt {
            Some(h) => h.max(snd_una),
            None => snd_una,
        };
        for (s, e) in self.iter() {
            if e <= cursor {
                continue;
            }
            if s > cursor {
                // A hole [cursor, s). Holes only get less lost further up, so the first
                // hole that is not lost ends the search.
                if !self.is_lost(cursor, mss) || cursor >= snd_nxt {
                    return None;
                }
                let len = s.since(cursor).min(mss);
                return (len > 0).then_some((cursor, len));
            }
            cursor = e;
        }
        None
    }

    /// Notes a retransmission of `len` bytes from `seq` (advances HighRxt).
    pub fn on_retransmit(&mut self, seq: TcpSeqNumber, len: usize) {
        let end = seq + len;
        self.high_rxt = Some(match self.high_rxt {
            Some(h) => h.max(end),
            None => end,
        });
    }

    /// RFC 6675 §4 SetPipe: the bytes thought to be in the network: every un-SACKed byte in
    /// `snd_una..snd_nxt` that is not lost, plus every one retransmitted (below HighRxt).
    pub fn pipe(&self, snd_una: TcpSeqNumber, snd_nxt: TcpSeqNumber, mss: usize) -> usize {
        let high_rxt = self.high_rxt.unwrap_or(snd_una);
        let mut pipe = 0;
        let mut hole = |from: TcpSeqNumber, to: TcpSeqNumber| {
            if to <= from {
                return;
            }
            if !self.is_lost(from, mss) {
                pipe += to.since(from);
            }
            let rxt_end = to.min(high_rxt);
            if rxt_end > from {
                pipe += rxt_end.since(from);
            }
        };
        let mut cursor = snd_una;
        for (s, e) in self.iter() {
            hole(cursor, s);
            cursor = cursor.max(e);
        }
        hole(cursor, snd_nxt);
        pipe
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    const fn s(v: u32) -> TcpSeqNumber {
        TcpSeqNumber(v)
    }

    #[test]
    fn receiver_blocks_most_recent_first() {
        let mut a = Assembler::<8>::new();
        let rcv_nxt = s(u32::MAX - 99); // blocks cross the wrap
        assert_eq!(sack_blocks(&a, rcv_nxt, 4), [None; 4]);
        a.add(200, 100).unwrap();
        a.add(500, 100).unwrap();
        a.add(800, 100).unwrap();
        a.add(1100, 100).unwrap();
        a.add(1400, 100).unwrap();
        let b = sack_blocks(&a, rcv_nxt, 3);
        assert_eq!(
            b,
            [
                Some((s(1300), s(1400))),
                Some((s(1000), s(1100))),
                Some((s(700), s(800))),
                None
            ]
        );
        // A segment extending an older range moves it first.
        a.add(300, 50).unwrap();
        let b = sack_blocks(&a, rcv_nxt, max_sack_blocks(false));
        assert_eq!(b[0], Some((s(100), s(250))));
        assert_eq!(b[1], Some((s(1300), s(1400))));
        assert_eq!(b[3], Some((s(700), s(800))));
        assert_eq!(max_sack_blocks(true), 3);
        assert_eq!(sack_blocks(&a, rcv_nxt, 99).iter().flatten().count(), 4);
    }

    #[test]
    fn scoreboard_records_and_validates() {
        let mut sb = SackScoreboard::<4>::new();
        let una = s(1000);
        let nxt = s(10_000);
        assert!(sb.on_sack(una, nxt, &[Some((s(3000), s(4000)))]));
        assert!(
            !sb.on_sack(una, nxt, &[Some((s(3000), s(4000)))]),
            "nothing new"
        );
        // Ignored: inverted, empty, D-SACK below una, beyond nxt.
        assert!(!sb.on_sack(
            una,
            nxt,
            &[
                Some((s(5000), s(4500))),
                Some((s(6000), s(6000))),
                Some((s(500), s(1000))),
                Some((s(9000), s(10_001))),
                None,
            ]
        ));
        // Straddling una: clipped.
        assert!(sb.on_sack(una, nxt, &[Some((s(900), s(1500)))]));
        assert_eq!(
            sb.iter().collect::<Vec<_>>(),
            vec![(s(1000), s(1500)), (s(3000), s(4000))]
        );
        // Merging (overlap and adjacency).
        sb.on_sack(
            una,
            nxt,
            &[Some((s(4000), s(5000))), Some((s(1200), s(3000)))],
        );
        assert_eq!(sb.iter().collect::<Vec<_>>(), vec![(s(1000), s(5000))]);
        assert!(sb.is_sacked(s(1000)) && sb.is_sacked(s(4999)) && !sb.is_sacked(s(5000)));
        assert_eq!(sb.highest_sacked(), Some(s(5000)));
        assert_eq!(sb.sacked_bytes(), 4000);
        sb.on_cumulative_ack(s(2000));
        assert_eq!(sb.iter().collect::<Vec<_>>(), vec![(s(2000), s(5000))]);
        sb.on_cumulative_ack(s(5000));
        assert!(sb.is_empty());
        assert_eq!(sb.highest_sacked(), None);
    }

    #[test]
    fn scoreboard_bounded() {
        let mut sb = SackScoreboard::<3>::new();
        let (una, nxt) = (s(0), s(100_000));
        for i in 1..=3u32 {
            sb.on_sack(una, nxt, &[Some((s(i * 1000), s(i * 1000 + 100)))]);
        }
        // Above everything while full: dropped.
        assert!(!sb.on_sack(una, nxt, &[Some((s(9000), s(9100)))]));
        // Below the highest: the highest is forgotten.
        assert!(sb.on_sack(una, nxt, &[Some((s(500), s(600)))]));
        assert_eq!(
            sb.iter().collect::<Vec<_>>(),
            vec![(s(500), s(600)), (s(1000), s(1100)), (s(2000), s(2100))]
        );
    }

    /// Segments of 100 bytes from 0: 0 lost, 1..=4 SACKed in two ranges.
    #[test]
    fn loss_detection_and_next_seg() {
        let mss = 100;
        let (una, nxt) = (s(0), s(1000));
        let mut sb = SackScoreboard::<8>::new();
        sb.on_sack(una, nxt, &[Some((s(100), s(200)))]);
        assert!(!sb.is_lost(s(0), mss));
        assert_eq!(sb.next_seg_to_retransmit(una, nxt, mss), None);
        sb.on_sack(una, nxt, &[Some((s(300), s(400)))]);
        // 200 bytes above 0 SACKed: not more than 2 × MSS, 2 ranges: not lost.
        assert!(!sb.is_lost(s(0), mss));
        sb.on_sack(una, nxt, &[Some((s(400), s(500)))]);
        // 300 bytes SACKed above: lost.
        assert!(sb.is_lost(s(0), mss));
        assert!(!sb.is_lost(s(200), mss)); // 200 bytes above
        assert_eq!(sb.next_seg_to_retransmit(una, nxt, mss), Some((s(0), 100)));
        // Retransmit it; the hole at 200 is not lost, nothing more.
        sb.on_retransmit(s(0), 100);
        assert_eq!(sb.next_seg_to_retransmit(una, nxt, mss), None);
        // 10 more bytes above 200 make it lost (210 > 2 × MSS).
        sb.on_sack(una, nxt, &[Some((s(600), s(610)))]);
        assert!(sb.is_lost(s(200), mss));
        assert_eq!(
            sb.next_seg_to_retransmit(una, nxt, mss),
            Some((s(200), 100))
        );
        // With a 1460-byte MSS, 210 SACKed bytes are not enough.
        assert_eq!(sb.next_seg_to_retransmit(una, nxt, 1460), None);
        sb.on_retransmit(s(200), 100);
        assert_eq!(sb.next_seg_to_retransmit(una, nxt, mss), None);
        // Cumulative ACK past HighRxt: the search starts at snd_una.
        sb.on_cumulative_ack(s(500));
        assert_eq!(sb.next_seg_to_retransmit(s(500), nxt, mss), None);
        sb.clear();
        assert!(sb.is_empty());
    }

    #[test]
    fn pipe_per_rfc6675() {
        let mss = 100;
        let (una, nxt) = (s(0), s(1000));
        let mut sb = SackScoreboard::<8>::new();
        // Nothing SACKed: everything outstanding is in the pipe.
        assert_eq!(sb.pipe(una, nxt, mss), 1000);
        // SACK 100..200, 300..500: hole 0..100 lost (300 SACKed above), hole 200..300 not
        // lost (200 above), tail 500..1000 not lost.
        sb.on_sack(una, nxt, &[Some((s(100), s(200))), Some((s(300), s(500)))]);
        assert_eq!(sb.pipe(una, nxt, mss), 100 + 500);
        // Retransmitting the lost hole puts it back in the pipe.
        sb.on_retransmit(s(0), 100);
        assert_eq!(sb.pipe(una, nxt, mss), 100 + 100 + 500);
        // Across the wrap, same shape.
        let base = s(u32::MAX - 450);
        let mut sb = SackScoreboard::<8>::new();
        sb.on_sack(
            base,
            base + 1000,
            &[
                Some((base + 100, base + 200)),
                Some((base + 300, base + 500)),
            ],
        );
        assert_eq!(sb.pipe(base, base + 1000, mss), 600);
        assert_eq!(
            sb.next_seg_to_retransmit(base, base + 1000, mss),
            Some((base, 100))
        );
    }

    /// Random SACKs and cumulative ACKs against a per-byte model of RFC 6675's
    /// definitions (IsLost, SetPipe, NextSeg rule 1), across the sequence number wrap.
    #[test]
    fn matches_per_byte_model() {
        use crate::wire::test_util::Rng;
        const SPACE: usize = 200;
        const MSS: usize = 10;
        let base = s(u32::MAX - 100);
        let mut rng = Rng::new(0x5ac);
        for _ in 0..60 {
            let mut sb = SackScoreboard::<128>::new();
            let mut sacked = [false; SPACE];
            let mut una = 0usize;
            let nxt = SPACE;
            let mut high_rxt = 0usize;
            for _ in 0..40 {
                match rng.below(8) {
                    0 => {
                        una = (una + rng.below(30)).min(SPACE);
                        sb.on_cumulative_ack(base + una);
                    }
                    1 => {
                        if let Some((seq, len)) =
                            sb.next_seg_to_retransmit(base + una, base + nxt, MSS)
                        {
                            let at = seq.since(base);
                            sb.on_retransmit(seq, len);
                            high_rxt = high_rxt.max(at + len);
                        }
                    }
                    _ => {
                        let l = rng.below(SPACE + 20);
                        let r = l + rng.below(25);
                        sb.on_sack(base + una, base + nxt, &[Some((base + l, base + r))]);
                        if r > una && r <= nxt && l < r {
                            for b in &mut sacked[l.max(una)..r] {
                                *b = true;
                            }
                        }
                    }
                }
                let is_sacked = |i: usize| i >= una && sacked[i];
                let lost = |i: usize| {
                    let bytes = (i + 1..SPACE).filter(|&j| is_sacked(j)).count();
                    let runs = (i + 1..SPACE)
                        .filter(|&j| is_sacked(j) && (j == i + 1 || !is_sacked(j - 1)))
                        .count();
                    runs >= DUP_THRESH || bytes > (DUP_THRESH - 1) * MSS
                };
                for i in 0..SPACE {
                    assert_eq!(sb.is_sacked(base + i), is_sacked(i), "byte {i}");
                }
                let rxt = high_rxt.max(una);
                let pipe: usize = (una..nxt)
                    .filter(|&i| !is_sacked(i))
                    .map(|i| usize::from(!lost(i)) + usize::from(i < rxt))
                    .sum();
                assert_eq!(sb.pipe(base + una, base + nxt, MSS), pipe);
                let highest = (0..SPACE).rev().find(|&i| is_sacked(i)).map(|i| i + 1);
                let expect = highest.and_then(|h| {
                    let first = (rxt..h).find(|&i| !is_sacked(i))?;
                    let hole_end = (first..h).find(|&i| is_sacked(i)).unwrap_or(h);
                    lost(first).then(|| (base + first, (hole_end - first).min(MSS)))
                });
                assert_eq!(
                    sb.next_seg_to_retransmit(base + una, base + nxt, MSS),
                    expect
                );
            }
        }
    }
}
