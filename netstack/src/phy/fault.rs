//! A fault injector: wraps any [`Device`] and loses, duplicates, reorders, corrupts and
//! delays frames on purpose, deterministically from a seed.
//!
//! Each direction (frames received from the wrapped device, frames transmitted to it) has
//! its own [`Faults`] and its own pseudo-random stream, both derived from the one seed, so
//! a run is reproduced exactly by the same seed, configuration and sequence of calls. Print
//! [`FaultInjector::seed`] (or the injector's `Debug`) when a test fails.
//!
//! Held frames (delayed or reordered) are released when time passes: on every `receive`
//! and `transmit`, and by [`FaultInjector::poll`]; [`FaultInjector::next_release`] tells a
//! simulation loop when the next one is due.

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::fmt;

use super::{Device, DeviceCapabilities, DeviceError};
use crate::rand::Rng;
use crate::time::{Duration, Instant};

/// What to do to the frames travelling in one direction. Probabilities are in `0.0..=1.0`
/// and drawn independently for each frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Faults {
    /// Probability that a frame is dropped.
    pub loss: f64,
    /// Probability that a frame is passed on twice.
    pub duplicate: f64,
    /// Probability that a frame is held back and released right after the next frame (or
    /// after [`Faults::reorder_hold_max`] if no other frame comes).
    pub reorder: f64,
    /// Probability that one random bit of the frame is flipped.
    pub corrupt: f64,
    /// Probability that a frame is held for [`Faults::delay_by`] (plus jitter).
    pub delay: f64,
    /// How long a delayed frame is held.
    pub delay_by: Duration,
    /// Up to this much more, uniformly drawn per delayed frame (so delays also reorder).
    pub delay_jitter: Duration,
    /// The longest a reordered frame waits for a successor before it is released anyway.
    pub reorder_hold_max: Duration,
    /// Leading bytes that corruption never touches (14 spares an Ethernet header, so the
    /// damaged frame still reaches the stack and tests its checksums).
    pub corrupt_skip: usize,
}

impl Faults {
    /// No faults at all: frames pass unchanged.
    pub const NONE: Faults = Faults {
        loss: 0.0,
        duplicate: 0.0,
        reorder: 0.0,
        corrupt: 0.0,
        delay: 0.0,
        delay_by: Duration::ZERO,
        delay_jitter: Duration::ZERO,
        reorder_hold_max: Duration::from_millis(100),
        corrupt_skip: 0,
    };

    /// These faults with loss probability `p`.
    pub const fn loss(mut self, p: f64) -> Faults {
        self.loss = p;
        self
    }

    /// These faults with duplication probability `p`.
    pub const fn duplicate(mut self, p: f64) -> Faults {
        self.duplicate = p;
        self
    }

    /// These faults with reordering probability `p`.
    pub const fn reorder(mut self, p: f64) -> Faults {
        self.reorder = p;
        self
    }

    /// These faults with corruption probability `p`, never touching the first `skip` bytes.
    pub const fn corrupt(mut self, p: f64, skip: usize) -> Faults {
        self.corrupt = p;
        self.corrupt_skip = skip;
        self
    }

    /// These faults with probability `p` of delaying a frame by `by` plus up to `jitter`.
    pub const fn delay(mut self, p: f64, by: Duration, jitter: Duration) -> Faults {
        self.delay = p;
        self.delay_by = by;
        self.delay_jitter = jitter;
        self
    }
}

impl Default for Faults {
    fn default() -> Faults {
        Faults::NONE
    }
}

/// Faults for both directions of a wrapped device.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FaultConfig {
    /// Applied to frames the wrapped device receives, before the stack sees them.
    pub rx: Faults,
    /// Applied to frames the stack transmits, before the wrapped device sends them.
    pub tx: Faults,
}

impl FaultConfig {
    /// The same faults in both directions.
    pub const fn both(faults: Faults) -> FaultConfig {
        FaultConfig {
            rx: faults,
            tx: faults,
        }
    }
}

/// What the injector did to the frames of one direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DirectionStats {
    /// Frames that entered the injector.
    pub frames: u64,
    /// Frames that left it (duplicates counted twice).
    pub passed: u64,
    /// Frames dropped on purpose.
    pub lost: u64,
    /// Frames passed on twice.
    pub duplicated: u64,
    /// Frames held back to come after their successor.
    pub reordered: u64,
    /// Frames with a flipped bit.
    pub corrupted: u64,
    /// Frames held for a while.
    pub delayed: u64,
}

/// Counters of what the injector did, per direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FaultStats {
    /// Frames received from the wrapped device.
    pub rx: DirectionStats,
    /// Frames transmitted to the wrapped device.
    pub tx: DirectionStats,
}

/// A frame held until a point in time; `seq` keeps equal times in arrival order.
#[derive(Debug, Clone)]
struct Delayed {
    at: Instant,
    seq: u64,
    copies: Vec<Vec<u8>>,
}

/// The faults machinery of one direction.
#[derive(Debug, Clone)]
struct Lane {
    rng: Rng,
    /// Frames ready to leave, in order.
    ready: VecDeque<Vec<u8>>,
    /// The reordered frame (and its duplicate, if any) waiting for a successor.
    held: Vec<Vec<u8>>,
    held_since: Instant,
    delayed: Vec<Delayed>,
    next_seq: u64,
    stats: DirectionStats,
}

impl Lane {
    fn new(seed: u64) -> Lane {
        Lane {
            rng: Rng::new(seed),
            ready: VecDeque::new(),
            held: Vec::new(),
            held_since: Instant::ZERO,
            delayed: Vec::new(),
            next_seq: 0,
            stats: DirectionStats::default(),
        }
    }

    /// Runs one frame through the faults; whatever leaves now goes to `ready`.
    fn admit(&mut self, frame: &[u8], faults: &Faults, now: Instant) {
        self.stats.frames += 1;
        if self.rng.chance(faults.loss) {
            self.stats.lost += 1;
            return;
        }
        let mut frame = frame.to_vec();
        if self.rng.chance(faults.corrupt) && frame.len() > faults.corrupt_skip {
            let span = (frame.len() - faults.corrupt_skip) as u64;
            let index = faults.corrupt_skip + self.rng.below(span) as usize;
            let bit = self.rng.below(8) as u32;
            if let Some(byte) = frame.get_mut(index) {
                *byte ^= 1u8 << bit;
                self.stats.corrupted += 1;
            }
        }
        let mut copies = Vec::with_capacity(2);
        if self.rng.chance(faults.duplicate) {
            self.stats.duplicated += 1;
            copies.push(frame.clone());
        }
        copies.push(frame);

        if self.rng.chance(faults.delay) {
            self.stats.delayed += 1;
            let jitter = self
                .rng
                .below(faults.delay_jitter.millis().saturating_add(1));
            let at = now + faults.delay_by + Duration::from_millis(jitter);
            let seq = self.next_seq;
            self.next_seq += 1;
            self.delayed.push(Delayed { at, seq, copies });
        } else if self.held.is_empty() && self.rng.chance(faults.reorder) {
            self.stats.reordered += 1;
            self.held = copies;
            self.held_since = now;
        } else {
            self.emit(copies);
        }
    }

    /// Sends `copies` on, then whatever frame was held back waiting for a successor.
    fn emit(&mut self, copies: Vec<Vec<u8>>) {
        self.stats.passed += copies.len() as u64;
        self.ready.extend(copies);
        if !self.held.is_empty() {
            let held = core::mem::take(&mut self.held);
            self.stats.passed += held.len() as u64;
            self.ready.extend(held);
        }
    }

    /// Releases delayed frames that are due, and a held frame that waited too long.
    fn poll(&mut self, faults: &Faults, now: Instant) {
        while let Some(index) = self.next_due(now) {
            let delayed = self.delayed.swap_remove(index);
            self.emit(delayed.copies);
        }
        if !self.held.is_empty() && now >= self.held_since + faults.reorder_hold_max {
            let held = core::mem::take(&mut self.held);
            self.stats.passed += held.len() as u64;
            self.ready.extend(held);
        }
    }

    /// The index of the earliest delayed frame due at `now`.
    fn next_due(&self, now: Instant) -> Option<usize> {
        self.delayed
            .iter()
            .enumerate()
            .filter(|(_, d)| d.at <= now)
            .min_by_key(|(_, d)| (d.at, d.seq))
            .map(|(index, _)| index)
    }

    fn next_release(&self, faults: &Faults) -> Option<Instant> {
        let delayed = self.delayed.iter().map(|d| d.at).min();
        let held = (!self.held.is_empty()).then(|| self.held_since + faults.reorder_hold_max);
        match (delayed, held) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// A [`Device`] that wraps another and injects faults into its traffic.
pub struct FaultInjector<D> {
    inner: D,
    seed: u64,
    config: FaultConfig,
    rx: Lane,
    tx: Lane,
}

impl<D: Device> FaultInjector<D> {
    /// Wraps `inner`, drawing faults from `seed` according to `config`.
    pub fn new(inner: D, seed: u64, config: FaultConfig) -> FaultInjector<D> {
        let mut seeder = Rng::new(seed);
        let rx = Lane::new(seeder.next_u64());
        let tx = Lane::new(seeder.next_u64());
        FaultInjector {
            inner,
            seed,
            config,
            rx,
            tx,
        }
    }

    /// The seed the faults are drawn from: print it when a test fails.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The faults in force.
    pub fn config(&self) -> &FaultConfig {
        &self.config
    }

    /// Changes the faults from now on (frames already held stay held).
    pub fn set_config(&mut self, config: FaultConfig) {
        self.config = config;
    }

    /// What the injector has done so far.
    pub fn stats(&self) -> FaultStats {
        FaultStats {
            rx: self.rx.stats,
            tx: self.tx.stats,
        }
    }

    /// The wrapped device.
    pub fn inner(&self) -> &D {
        &self.inner
    }

    /// The wrapped device, mutably.
    pub fn inner_mut(&mut self) -> &mut D {
        &mut self.inner
    }

    /// Unwraps the device; frames still held are lost.
    pub fn into_inner(self) -> D {
        self.inner
    }

    /// When the next held frame (either direction) is due, if any is held.
    pub fn next_release(&self) -> Option<Instant> {
        match (
            self.rx.next_release(&self.config.rx),
            self.tx.next_release(&self.config.tx),
        ) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Releases held frames that are due: transmitted ones go to the wrapped device now;
    /// received ones wait for the next `receive`.
    pub fn poll(&mut self, now: Instant) -> Result<(), DeviceError> {
        self.rx.poll(&self.config.rx, now);
        self.tx.poll(&self.config.tx, now);
        self.flush_tx(now)
    }

    /// Hands ready transmit frames to the wrapped device until it is busy.
    fn flush_tx(&mut self, now: Instant) -> Result<(), DeviceError> {
        while let Some(frame) = self.tx.ready.pop_front() {
            match self.inner.transmit(&frame, now) {
                Ok(()) => {}
                Err(DeviceError::WouldBlock) => {
                    self.tx.ready.push_front(frame);
                    return Ok(());
                }
                Err(other) => return Err(other),
            }
        }
        Ok(())
    }
}

impl<D: Device> Device for FaultInjector<D> {
    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = self.inner.capabilities();
        if self.config.rx.corrupt > 0.0 {
            // Corrupted frames must be caught by the stack's own checks.
            caps.checksum.rx_verified = false;
        }
        caps
    }

    fn receive(&mut self, buf: &mut [u8], now: Instant) -> Result<Option<usize>, DeviceError> {
        self.poll(now)?;
        loop {
            if let Some(frame) = self.rx.ready.pop_front() {
                let Some(dest) = buf.get_mut(..frame.len()) else {
                    return Err(DeviceError::TooLarge);
                };
                dest.copy_from_slice(&frame);
                return Ok(Some(frame.len()));
            }
            let Some(len) = self.inner.receive(buf, now)? else {
                return Ok(None);
            };
            let frame = buf.get(..len).ok_or(DeviceError::TooLarge)?;
            self.rx.admit(frame, &self.config.rx, now);
        }
    }

    fn transmit(&mut self, frame: &[u8], now: Instant) -> Result<(), DeviceError> {
        self.tx.poll(&self.config.tx, now);
        self.tx.admit(frame, &self.config.tx, now);
        self.flush_tx(now)
    }

    #[cfg(all(feature = "std", unix))]
    fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        self.inner.raw_fd()
    }
}

impl<D> fmt::Debug for FaultInjector<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultInjector")
            .field("seed", &self.seed)
            .field("config", &self.config)
            .field("rx", &self.rx.stats)
            .field("tx", &self.tx.stats)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phy::Loopback;
    use alloc::format;

    fn frame(n: u32) -> [u8; 8] {
        let b = n.to_be_bytes();
        [b[0], b[1], b[2], b[3], 0xAA, 0xBB, 0xCC, 0xDD]
    }

    fn id(buf: &[u8]) -> u32 {
        u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]])
    }

    /// Sends frames `0..n` through the transmit side into a loopback device and returns the
    /// ids that came out, in order.
    fn run_tx(seed: u64, faults: Faults, n: u32) -> (Vec<u32>, FaultStats) {
        let mut dev = FaultInjector::new(
            Loopback::new(100_000),
            seed,
            FaultConfig {
                rx: Faults::NONE,
                tx: faults,
            },
        );
        let mut out = Vec::new();
        let mut buf = [0u8; 64];
        for i in 0..n {
            dev.transmit(&frame(i), Instant::from_millis(u64::from(i)))
                .unwrap();
        }
        dev.poll(Instant::from_secs(3600)).unwrap();
        while let Some(len) = dev.inner_mut().receive(&mut buf, Instant::ZERO).unwrap() {
            assert_eq!(len, 8);
            out.push(id(&buf));
        }
        (out, dev.stats())
    }

    #[test]
    fn no_faults_is_transparent() {
        let (out, stats) = run_tx(1, Faults::NONE, 100);
        assert_eq!(out, (0..100).collect::<Vec<_>>());
        assert_eq!(stats.tx.frames, 100);
        assert_eq!(stats.tx.passed, 100);
    }

    #[test]
    fn loss_matches_probability_and_is_deterministic() {
        let seed = 0x5EED;
        let (out, stats) = run_tx(seed, Faults::NONE.loss(0.2), 10_000);
        let lost = 10_000 - out.len();
        assert_eq!(lost as u64, stats.tx.lost, "seed {seed}");
        assert!((1_800..=2_200).contains(&lost), "lost {lost}, seed {seed}");
        // Survivors keep their order.
        assert!(out.windows(2).all(|w| w[0] < w[1]));
        // Same seed, same losses; another seed, other losses.
        assert_eq!(run_tx(seed, Faults::NONE.loss(0.2), 10_000).0, out);
        assert_ne!(run_tx(seed + 1, Faults::NONE.loss(0.2), 10_000).0, out);
    }

    #[test]
    fn certain_loss_drops_everything() {
        let (out, stats) = run_tx(3, Faults::NONE.loss(1.0), 50);
        assert!(out.is_empty());
        assert_eq!(stats.tx.lost, 50);
    }

    #[test]
    fn duplication_sends_copies_back_to_back() {
        let (out, stats) = run_tx(7, Faults::NONE.duplicate(0.3), 1_000);
        assert_eq!(out.len() as u64, 1_000 + stats.tx.duplicated);
        assert!((200..=400).contains(&stats.tx.duplicated), "{stats:?}");
        let mut expected = Vec::new();
        let mut i = 0;
        while i < out.len() {
            expected.push(out[i]);
            if i + 1 < out.len() && out[i + 1] == out[i] {
                i += 1;
            }
            i += 1;
        }
        assert_eq!(expected, (0..1_000).collect::<Vec<_>>());
        let (all, _) = run_tx(7, Faults::NONE.duplicate(1.0), 3);
        assert_eq!(all, [0, 0, 1, 1, 2, 2]);
    }

    #[test]
    fn reordering_swaps_a_frame_with_its_successor() {
        let (out, _) = run_tx(9, Faults::NONE.reorder(1.0), 6);
        // Each frame is held, released after the next one, which is never held itself
        // (only one frame is held at a time).
        assert_eq!(out, [1, 0, 3, 2, 5, 4]);
        let (out, stats) = run_tx(9, Faults::NONE.reorder(0.1), 1_000);
        assert_eq!(out.len(), 1_000);
        let swapped = out.windows(2).filter(|w| w[0] > w[1]).count() as u64;
        assert_eq!(swapped, stats.tx.reordered);
        assert!((50..=150).contains(&swapped), "{stats:?}");
    }

    #[test]
    fn a_lone_reordered_frame_is_released_after_the_hold_limit() {
        let faults = Faults::NONE.reorder(1.0);
        let mut dev = FaultInjector::new(
            Loopback::new(8),
            1,
            FaultConfig {
                rx: Faults::NONE,
                tx: faults,
            },
        );
        dev.transmit(&frame(1), Instant::ZERO).unwrap();
        assert_eq!(dev.next_release(), Some(Instant::from_millis(100)));
        dev.poll(Instant::from_millis(99)).unwrap();
        assert!(dev.inner().is_empty());
        dev.poll(Instant::from_millis(100)).unwrap();
        assert_eq!(dev.inner().len(), 1);
        assert_eq!(dev.next_release(), None);
    }

    #[test]
    fn corruption_flips_exactly_one_bit_outside_the_skipped_header() {
        let mut dev = FaultInjector::new(
            Loopback::new(8),
            42,
            FaultConfig {
                rx: Faults::NONE,
                tx: Faults::NONE.corrupt(1.0, 4),
            },
        );
        let mut buf = [0u8; 64];
        for i in 0..200 {
            let original = frame(i);
            dev.transmit(&original, Instant::ZERO).unwrap();
            let len = dev.inner_mut().receive(&mut buf, Instant::ZERO).unwrap();
            assert_eq!(len, Some(8));
            assert_eq!(&buf[..4], &original[..4], "header untouched");
            let flipped: u32 = buf[..8]
                .iter()
                .zip(original.iter())
                .map(|(a, b)| (a ^ b).count_ones())
                .sum();
            assert_eq!(flipped, 1, "frame {i}");
        }
        assert_eq!(dev.stats().tx.corrupted, 200);
    }

    #[test]
    fn corrupting_received_frames_clears_rx_verified() {
        let mut dev = FaultInjector::new(
            Loopback::new(8),
            43,
            FaultConfig {
                rx: Faults::NONE.corrupt(1.0, 0),
                tx: Faults::NONE,
            },
        );
        assert!(!dev.capabilities().checksum.rx_verified);
        dev.transmit(&frame(5), Instant::ZERO).unwrap();
        let mut buf = [0u8; 64];
        assert_eq!(dev.receive(&mut buf, Instant::ZERO), Ok(Some(8)));
        assert_ne!(buf[..8], frame(5));
        assert_eq!(dev.stats().rx.corrupted, 1);
    }

    #[test]
    fn delay_holds_frames_on_the_virtual_clock() {
        let faults = Faults::NONE.delay(1.0, Duration::from_millis(50), Duration::ZERO);
        let mut dev = FaultInjector::new(
            Loopback::new(8),
            11,
            FaultConfig {
                rx: faults,
                tx: Faults::NONE,
            },
        );
        let mut buf = [0u8; 64];
        dev.inner_mut().transmit(&frame(1), Instant::ZERO).unwrap();
        assert_eq!(dev.receive(&mut buf, Instant::from_millis(10)), Ok(None));
        assert_eq!(dev.next_release(), Some(Instant::from_millis(60)));
        assert_eq!(dev.receive(&mut buf, Instant::from_millis(59)), Ok(None));
        assert_eq!(dev.receive(&mut buf, Instant::from_millis(60)), Ok(Some(8)));
        assert_eq!(id(&buf), 1);
        assert_eq!(dev.next_release(), None);
        assert_eq!(dev.stats().rx.delayed, 1);
    }

    #[test]
    fn jittered_delays_stay_within_bounds_and_release_in_time_order() {
        let faults = Faults::NONE.delay(1.0, Duration::from_millis(10), Duration::from_millis(20));
        let mut dev = FaultInjector::new(
            Loopback::new(1_000),
            13,
            FaultConfig {
                rx: Faults::NONE,
                tx: faults,
            },
        );
        for i in 0..100 {
            dev.transmit(&frame(i), Instant::ZERO).unwrap();
        }
        assert!(dev.next_release().unwrap() >= Instant::from_millis(10));
        dev.poll(Instant::from_millis(9)).unwrap();
        assert!(dev.inner().is_empty());
        dev.poll(Instant::from_millis(30)).unwrap();
        assert_eq!(dev.inner().len(), 100);
        assert_eq!(dev.next_release(), None);
    }

    #[test]
    fn debug_and_accessor_show_the_seed() {
        let dev = FaultInjector::new(Loopback::new(1), 0xDEAD_BEEF, FaultConfig::default());
        assert_eq!(dev.seed(), 0xDEAD_BEEF);
        assert!(format!("{dev:?}").contains(&format!("{}", 0xDEAD_BEEFu64)));
    }
}
