//! Retransmission timeout (RTO) estimation, RFC 6298, with Karn's rule and RFC 7323
//! timestamps.
//!
//! - **Estimator** (RFC 6298 §2): first sample R: SRTT = R, RTTVAR = R/2; later samples:
//!   RTTVAR = 3/4·RTTVAR + 1/4·|SRTT − R|, then SRTT = 7/8·SRTT + 1/8·R; RTO = SRTT +
//!   max(G, 4·RTTVAR), rounded up to a whole millisecond. SRTT and RTTVAR are kept in
//!   eighths of a millisecond, so sub-millisecond LAN round trips still average correctly.
//! - **G**, the clock granularity, is [`CLOCK_GRANULARITY`] = 1 ms: the stack is driven by
//!   deadlines on a millisecond clock, not by lwIP's 250/500 ms ticks.
//! - **Initial RTO** is [`config::TCP_RTO_TIME`] (ESP-IDF's `LWIP_TCP_RTO_TIME`, 1500 ms by
//!   default; RFC 6298 §2.1 says 1 s — the product's option wins).
//! - **Minimum RTO** is [`MIN_RTO`] = 200 ms, as Linux, not RFC 6298 §2.4's 1 s: the 1 s
//!   floor dates from coarse timers and makes every tail loss on a LAN (RTT ≈ 1 ms) cost a
//!   second; RFC 8961 §4 accepts a lower floor when spurious timeouts are tolerable. Lower
//!   than 200 ms would risk timeouts behind a peer's delayed ACK (RFC 9293 §3.8.6.3 allows
//!   up to 0.5 s; SRTT absorbs it once measured, the floor covers the first round trips).
//! - **Maximum RTO** is [`MAX_RTO`] = 60 s, the smallest maximum RFC 6298 §2.5 allows:
//!   after an outage the connection probes again within a minute.
//! - **Backoff** (§5.5): each timeout doubles the RTO up to the maximum; a new sample
//!   (§5.7) or [`on_established`](RttEstimator::on_established) ends it.
//! - **Karn's rule** (RFC 6298 §3): without timestamps one segment at a time is timed and a
//!   retransmission cancels the measurement, so no sample ever comes from an ambiguous ACK.
//!   With timestamps (RFC 7323 §4) the echoed TSecr identifies the transmission, so every
//!   ACK of new data gives a sample, retransmitted or not.

use super::seq::TcpSeqNumber;
use crate::config;
use crate::time::{Duration, Instant};

/// RFC 6298 G: the clock granularity.
pub const CLOCK_GRANULARITY: Duration = Duration::from_millis(1);

/// Smallest RTO used (see the module documentation for why 200 ms).
pub const MIN_RTO: Duration = Duration::from_millis(200);

/// Largest RTO used, backoff included (RFC 6298 §2.5).
pub const MAX_RTO: Duration = Duration::from_secs(60);

/// RTO after a handshake whose SYN had to be retransmitted (RFC 6298 §5.7).
pub const SYN_TIMEOUT_RTO: Duration = Duration::from_secs(3);

/// Backoff doublings counted (2^16 × 200 ms already exceeds [`MAX_RTO`]).
const MAX_BACKOFF: u32 = 16;

/// The round-trip estimator and retransmission timeout of one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RttEstimator {
    /// SRTT in 1/8 ms; meaningful once `has_sample`.
    srtt8: u64,
    /// RTTVAR in 1/8 ms.
    rttvar8: u64,
    has_sample: bool,
    /// RTO before backoff.
    base_rto: Duration,
    /// Timeouts since the last sample.
    backoff: u32,
    min_rto: Duration,
    max_rto: Duration,
    /// The segment being timed (Karn): one past its last byte, and when it was sent.
    timing: Option<(TcpSeqNumber, Instant)>,
}

impl Default for RttEstimator {
    fn default() -> Self {
        Self::new()
    }
}

impl RttEstimator {
    /// An estimator with the initial RTO [`config::TCP_RTO_TIME`] and the bounds
    /// [`MIN_RTO`]..=[`MAX_RTO`].
    pub const fn new() -> RttEstimator {
        Self::with_bounds(
            Duration::from_millis(config::TCP_RTO_TIME as u64),
            MIN_RTO,
            MAX_RTO,
        )
    }

    /// An estimator with explicit initial, minimum and maximum RTO.
    pub const fn with_bounds(initial: Duration, min: Duration, max: Duration) -> RttEstimator {
        RttEstimator {
            srtt8: 0,
            rttvar8: 0,
            has_sample: false,
            base_rto: initial,
            backoff: 0,
            min_rto: min,
            max_rto: max,
            timing: None,
        }
    }

    /// The retransmission timeout to arm now: the estimate doubled once per timeout since
    /// the last sample, at most the maximum.
    #[inline]
    pub fn rto(&self) -> Duration {
        let ms = self
            .base_rto
            .millis()
            .saturating_mul(1u64 << self.backoff.min(MAX_BACKOFF));
        Duration::from_millis(ms.min(self.max_rto.millis()))
    }

    /// Smoothed round-trip time (rounded down to a millisecond), once there is a sample.
    #[inline]
    pub fn srtt(&self) -> Option<Duration> {
        self.has_sample
            .then(|| Duration::from_millis(self.srtt8 / 8))
    }

    /// Round-trip time variation (rounded down to a millisecond), once there is a sample.
    #[inline]
    pub fn rttvar(&self) -> Option<Duration> {
        self.has_sample
            .then(|| Duration::from_millis(self.rttvar8 / 8))
    }

    /// Timeouts since the last valid sample.
    #[inline]
    pub fn backoff(&self) -> u32 {
        self.backoff
    }

    /// Whether a segment is being timed (Karn's rule, no timestamps).
    #[inline]
    pub fn is_timing(&self) -> bool {
        self.timing.is_some()
    }

    /// The segment being timed (its end, when it was sent), to restore with
    /// [`set_timed`](Self::set_timed) when a send is undone.
    #[inline]
    pub fn timed(&self) -> Option<(TcpSeqNumber, Instant)> {
        self.timing
    }

    /// Restores what [`timed`](Self::timed) returned (a segment that never left).
    #[inline]
    pub fn set_timed(&mut self, timing: Option<(TcpSeqNumber, Instant)>) {
        self.timing = timing;
    }

    /// Feeds one round-trip measurement (RFC 6298 §2.2, §2.3) and ends any backoff.
    pub fn sample(&mut self, rtt: Duration) {
        let r8 = rtt.millis().saturating_mul(8);
        if self.has_sample {
            let delta = self.srtt8.abs_diff(r8);
            self.rttvar8 = (3 * self.rttvar8 + delta) / 4;
            self.srtt8 = (7 * self.srtt8 + r8) / 8;
        } else {
            self.srtt8 = r8;
            self.rttvar8 = r8 / 2;
            self.has_sample = true;
        }
        let var = (4 * self.rttvar8).max(CLOCK_GRANULARITY.millis() * 8);
        let rto_ms = (self.srtt8 + var).div_ceil(8);
        let rto_ms = rto_ms.clamp(self.min_rto.millis(), self.max_rto.millis());
        self.base_rto = Duration::from_millis(rto_ms);
        self.backoff = 0;
    }

    /// A new segment (not a retransmission) ending before `seq_end` was sent at `now`:
    /// times it if no other segment is being timed.
    #[inline]
    pub fn on_send(&mut self, seq_end: TcpSeqNumber, now: Instant) {
        if self.timing.is_none() {
            self.timing = Some((seq_end, now));
        }
    }

    /// Something was retransmitted: Karn's rule, the timed measurement is abandoned.
    #[inline]
    pub fn on_retransmit(&mut self) {
        self.timing = None;
    }

    /// An ACK up to `ack` arrived at `now` (connections without timestamps). Completes the
    /// timed measurement when it covers the timed segment; returns whether it did.
    pub fn on_ack(&mut self, ack: TcpSeqNumber, now: Instant) -> bool {
        match self.timing {
            Some((end, sent)) if ack >= end => {
                self.timing = None;
                self.sample(now.saturating_since(sent));
                true
            }
            _ => false,
        }
    }

    /// The TSval to send at `now`: the millisecond clock, truncated (RFC 7323 §5.4 allows a
    /// 1 ms to 1 s tick).
    #[inline]
    pub fn timestamp(now: Instant) -> u32 {
        now.millis() as u32
    }

    /// An ACK acknowledging new data echoed `tsecr` (RFC 7323 §4.1: only such ACKs give
    /// samples). Takes the sample now − TSecr unless the echo lies in the future, which
    /// only a broken or hostile peer sends; returns whether a sample was taken.
    pub fn on_timestamp_echo(&mut self, tsecr: u32, now: Instant) -> bool {
        let elapsed = Self::timestamp(now).wrapping_sub(tsecr);
        if elapsed > i32::MAX as u32 {
            return false;
        }
        self.sample(Duration::from_millis(elapsed as u64));
        true
    }

    /// The retransmission timer expired (RFC 6298 §5.5): back off, and stop timing.
    pub fn on_timeout(&mut self) {
        self.backoff = (self.backoff + 1).min(MAX_BACKOFF);
        self.timing = None;
    }

    /// The handshake completed. If the SYN (or SYN-ACK) had to be retransmitted and no
    /// round trip was measured, the RTO restarts from 3 s (RFC 6298 §5.7); the backoff of
    /// the handshake ends either way.
    pub fn on_established(&mut self, syn_retransmitted: bool) {
        if syn_retransmitted && !self.has_sample {
            self.base_rto = SYN_TIMEOUT_RTO.max(self.base_rto).min(self.max_rto);
        }
        self.backoff = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    fn bare() -> RttEstimator {
        RttEstimator::with_bounds(ms(1000), ms(0), ms(60_000))
    }

    #[test]
    fn initial_rto_from_config() {
        let r = RttEstimator::new();
        assert_eq!(r.rto(), ms(config::TCP_RTO_TIME as u64));
        assert_eq!(r.srtt(), None);
        assert_eq!(r.rttvar(), None);
        assert_eq!(RttEstimator::default(), r);
    }

    #[test]
    fn rfc6298_arithmetic() {
        let mut r = bare();
        r.sample(ms(100));
        // SRTT 100, RTTVAR 50, RTO = 100 + 4 × 50.
        assert_eq!(
            (r.srtt(), r.rttvar(), r.rto()),
            (Some(ms(100)), Some(ms(50)), ms(300))
        );
        r.sample(ms(200));
        // RTTVAR = 37.5 + 25 = 62.5, SRTT = 87.5 + 25 = 112.5, RTO = 362.5 → 363.
        assert_eq!(
            (r.srtt(), r.rttvar(), r.rto()),
            (Some(ms(112)), Some(ms(62)), ms(363))
        );
        r.sample(ms(112));
        // |112.5 − 112| = 0.5: RTTVAR = (3 × 500 + 4) / 4 eighths = 376 → 47 ms;
        // SRTT = (7 × 900 + 896) / 8 = 899.5 → 899 eighths; RTO = ceil((899 + 1504) / 8).
        assert_eq!(r.rttvar8, 376);
        assert_eq!(r.srtt8, 899);
        assert_eq!(r.rto(), ms(301));
    }

    #[test]
    fn granularity_and_bounds() {
        // A perfectly steady RTT: RTTVAR decays towards 0 and G takes over.
        let mut r = bare();
        for _ in 0..100 {
            r.sample(ms(10));
        }
        assert_eq!(r.rttvar8, 0);
        assert_eq!(r.rto(), ms(11));
        // With the default bounds the floor is 200 ms...
        let mut r = RttEstimator::new();
        r.sample(ms(1));
        assert_eq!(r.rto(), MIN_RTO);
        // ...and the ceiling 60 s.
        r.sample(ms(100_000));
        assert_eq!(r.rto(), MAX_RTO);
        // Zero-length samples are fine.
        let mut r = bare();
        r.sample(ms(0));
        assert_eq!(r.rto(), ms(1));
    }

    #[test]
    fn exponential_backoff() {
        let mut r = RttEstimator::new();
        r.sample(ms(100)); // RTO 300
        assert_eq!(r.rto(), ms(300));
        r.on_timeout();
        assert_eq!((r.rto(), r.backoff()), (ms(600), 1));
        r.on_timeout();
        assert_eq!(r.rto(), ms(1200));
        for _ in 0..40 {
            r.on_timeout();
        }
        assert_eq!(r.rto(), MAX_RTO);
        assert_eq!(r.backoff(), 16);
        // A new sample ends the backoff (RFC 6298 §5.7).
        r.sample(ms(100));
        assert_eq!(r.backoff(), 0);
        assert!(r.rto() < ms(1000));
    }

    #[test]
    fn karn_rule() {
        let mut r = bare();
        let t0 = Instant::from_millis(1000);
        r.on_send(TcpSeqNumber(100), t0);
        assert!(r.is_timing());
        // A second segment while timing does not restart the measurement.
        r.on_send(TcpSeqNumber(200), t0 + ms(5));
        assert!(!r.on_ack(TcpSeqNumber(99), t0 + ms(40)));
        assert!(r.on_ack(TcpSeqNumber(150), t0 + ms(50)));
        assert_eq!(r.srtt(), Some(ms(50)));
        assert!(!r.is_timing());
        // Retransmission: the measurement is dropped, the ACK gives no sample.
        r.on_send(TcpSeqNumber(300), t0 + ms(100));
        r.on_retransmit();
        assert!(!r.on_ack(TcpSeqNumber(300), t0 + ms(900)));
        assert_eq!(r.srtt(), Some(ms(50)));
        // Timeout: likewise, and the backoff stays until a fresh sample.
        r.on_send(TcpSeqNumber(400), t0 + ms(1000));
        r.on_timeout();
        assert!(!r.on_ack(TcpSeqNumber(400), t0 + ms(3000)));
        assert_eq!(r.backoff(), 1);
        r.on_send(TcpSeqNumber(500), t0 + ms(4000));
        assert!(r.on_ack(TcpSeqNumber(500), t0 + ms(4050)));
        assert_eq!(r.backoff(), 0);
        // Timing across the sequence number wrap.
        r.on_send(TcpSeqNumber(5), t0 + ms(5000));
        assert!(!r.on_ack(TcpSeqNumber(u32::MAX), t0 + ms(5010)));
        assert!(r.on_ack(TcpSeqNumber(10), t0 + ms(5050)));
    }

    #[test]
    fn timestamps() {
        let mut r = bare();
        let now = Instant::from_millis(0x1_0000_0010); // the TS clock wraps at 2^32 ms
        assert_eq!(RttEstimator::timestamp(now), 0x10);
        // Echo of a TSval sent 0x30 ms earlier, before the wrap.
        assert!(r.on_timestamp_echo(0xffff_ffe0, now));
        assert_eq!(r.srtt(), Some(ms(0x30)));
        // Echo from the future: ignored.
        assert!(!r.on_timestamp_echo(0x20, now));
        assert_eq!(r.srtt(), Some(ms(0x30)));
        // Samples come even after a retransmission (no Karn ambiguity).
        r.on_timeout();
        r.on_retransmit();
        assert!(r.on_timestamp_echo(0x10, now));
        assert_eq!(r.backoff(), 0);
    }

    #[test]
    fn syn_timeout_reinitialises_to_3s() {
        let mut r = RttEstimator::new();
        r.on_timeout(); // SYN lost
        assert_eq!(r.rto(), ms(2 * config::TCP_RTO_TIME as u64));
        r.on_established(true);
        assert_eq!(
            r.rto(),
            SYN_TIMEOUT_RTO.max(ms(config::TCP_RTO_TIME as u64))
        );
        assert_eq!(r.backoff(), 0);
        // With a measured round trip the estimate stands.
        let mut r = RttEstimator::new();
        r.sample(ms(20));
        r.on_timeout();
        r.on_established(true);
        assert_eq!(r.rto(), MIN_RTO);
        // No retransmission: nothing changes.
        let mut r = RttEstimator::new();
        r.on_established(false);
        assert_eq!(r.rto(), ms(config::TCP_RTO_TIME as u64));
    }
}
