//! Congestion control: NewReno, RFC 5681 with RFC 6582's recovery, RFC 3465 byte counting
//! and RFC 3042 limited transmit.
//!
//! - **Initial window** (RFC 5681 §3.1): 2, 3 or 4 segments for an MSS above 2190, above
//!   1095, or up to 1095 bytes. This is RFC 3390's `min(4·MSS, max(2·MSS, 4380))` (lwIP's
//!   `LWIP_TCP_CALC_INITIAL_CWND`) rounded down to whole segments, so the first flight has
//!   no runt segment (MSS 1440: 4320 bytes, not 4380). RFC 6928's IW10 is not used: it is
//!   experimental and larger than ESP-IDF's default window.
//! - **Slow start** (cwnd < ssthresh): each ACK grows cwnd by the bytes it acknowledges,
//!   at most L = 2·MSS (RFC 3465 §2.2) for ordinary ACKs and after a timeout; a stretch
//!   ACK (a receiver acknowledging a batch of segments at once) counts every byte up to
//!   ssthresh, as Linux does.
//! - **Congestion avoidance**: byte counting (RFC 3465 §2.1): cwnd grows by one MSS each
//!   time a full cwnd of data has been acknowledged.
//! - **Fast retransmit / fast recovery** (RFC 5681 §3.2, RFC 6582 §3.2): the first two
//!   duplicate ACKs allow one new segment each (limited transmit); the third retransmits
//!   the first unacknowledged segment, sets ssthresh = max(FlightSize/2, 2·MSS), cwnd =
//!   ssthresh + 3·MSS, and remembers `recover` = SND.NXT; each further duplicate inflates
//!   cwnd by one MSS. A partial ACK (below `recover`) retransmits the next hole and deflates
//!   cwnd by the bytes acknowledged (adding one MSS back when that was at least one MSS); a
//!   full ACK ends recovery with cwnd = min(ssthresh, max(FlightSize, MSS) + MSS) (RFC
//!   6582 step 3, option 1: no burst).
//! - **Retransmission timeout** (RFC 5681 §3.1 eqn 4, §3.2 note): ssthresh =
//!   max(FlightSize/2, 2·MSS), held constant on back-to-back timeouts of the same data;
//!   cwnd = one MSS (the loss window); `recover` = SND.NXT (RFC 6582 §4).
//! - **Restart after idle** (RFC 5681 §4.1): sending after more than one RTO of silence
//!   with nothing in flight starts again from min(cwnd, IW).
//!
//! The duplicate-ACK test itself (RFC 5681 §2: no data, no window change, SND.UNA
//! unchanged, outstanding data) is the state machine's, which owns those fields.

use super::seq::TcpSeqNumber;
use crate::time::{Duration, Instant};

/// Duplicate ACKs that trigger fast retransmit (RFC 5681 §3.2).
pub const DUP_ACK_THRESHOLD: u32 = 3;

/// Largest congestion window kept: the largest window a peer can advertise (RFC 7323).
pub const MAX_CWND: usize = 65535 << 14;

/// What the sender should do after a duplicate ACK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DupAckAction {
    /// Nothing beyond sending new data if the (possibly inflated) window allows.
    None,
    /// RFC 3042: send one new segment if the peer's window allows, even beyond cwnd.
    LimitedTransmit,
    /// Retransmit the first unacknowledged segment now (fast recovery began).
    FastRetransmit,
}

/// What the sender should do after an ACK of new data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AckAction {
    /// Nothing special.
    None,
    /// A partial ACK during fast recovery (RFC 6582 step 4): retransmit the first
    /// unacknowledged segment and, on the first partial ACK, restart the retransmission
    /// timer.
    RetransmitFirstUnacked,
}

/// NewReno congestion state of one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReno {
    mss: usize,
    cwnd: usize,
    ssthresh: usize,
    /// RFC 3465 bytes_acked, in congestion avoidance.
    bytes_acked: usize,
    dup_acks: u32,
    /// RFC 6582 `recover`, kept one past the highest sequence number sent.
    recover: TcpSeqNumber,
    in_recovery: bool,
    /// A timeout happened and no new data has been acknowledged since.
    after_timeout: bool,
    last_send: Option<Instant>,
}

impl NewReno {
    /// The state for a connection with send MSS `mss` (at least 1) and initial send
    /// sequence number `iss` (RFC 6582 initialises `recover` to it): cwnd = IW, ssthresh
    /// unbounded (RFC 5681 §3.1 "arbitrarily high").
    pub fn new(mss: usize, iss: TcpSeqNumber) -> NewReno {
        let mss = mss.max(1);
        NewReno {
            mss,
            cwnd: Self::initial_window(mss),
            ssthresh: MAX_CWND,
            bytes_acked: 0,
            dup_acks: 0,
            recover: iss,
            in_recovery: false,
            after_timeout: false,
            last_send: None,
        }
    }

    /// RFC 5681 §3.1 initial window for `mss`.
    #[inline]
    pub const fn initial_window(mss: usize) -> usize {
        let segments = if mss > 2190 {
            2
        } else if mss > 1095 {
            3
        } else {
            4
        };
        segments * mss
    }

    /// The congestion window, bytes.
    #[inline]
    pub fn window(&self) -> usize {
        self.cwnd
    }

    /// The slow start threshold, bytes.
    #[inline]
    pub fn ssthresh(&self) -> usize {
        self.ssthresh
    }

    /// The send MSS in use.
    #[inline]
    pub fn mss(&self) -> usize {
        self.mss
    }

    /// Whether fast recovery is in progress.
    #[inline]
    pub fn in_recovery(&self) -> bool {
        self.in_recovery
    }

    /// Whether cwnd < ssthresh.
    #[inline]
    pub fn in_slow_start(&self) -> bool {
        self.cwnd < self.ssthresh
    }

    /// Consecutive duplicate ACKs counted.
    #[inline]
    pub fn dup_acks(&self) -> u32 {
        self.dup_acks
    }

    /// The send MSS changed (PMTU): cwnd keeps its segment count, at least one segment.
    pub fn set_mss(&mut self, mss: usize) {
        let mss = mss.max(1);
        self.cwnd = (self.cwnd / self.mss).max(1) * mss;
        self.mss = mss;
    }

    /// The peer's window caps how far ssthresh can usefully be (RFC 5681 §3.1: ssthresh
    /// may start at the advertised window). Lowers ssthresh to `window` when above it.
    pub fn limit_ssthresh(&mut self, window: usize) {
        self.ssthresh = self.ssthresh.min(window.max(2 * self.mss));
    }

    /// An ACK advanced SND.UNA to `ack`, acknowledging `bytes_acked` new bytes;
    /// `flight_size` is what remains outstanding after it. (`_now` is for time-based
    /// controllers such as CUBIC; NewReno counts bytes.)
    pub fn on_ack(
        &mut self,
        ack: TcpSeqNumber,
        bytes_acked: usize,
        flight_size: usize,
        _now: Instant,
    ) -> AckAction {
        let after_timeout = core::mem::replace(&mut self.after_timeout, false);
        if self.in_recovery {
            if ack >= self.recover {
                // Full ACK: leave recovery without a burst.
                self.cwnd = self.ssthresh.min(flight_size.max(self.mss) + self.mss);
                self.in_recovery = false;
                self.dup_acks = 0;
                self.bytes_acked = 0;
                return AckAction::None;
            }
            // Partial ACK: deflate, retransmit the next hole, stay in recovery.
            self.cwnd -= bytes_acked.min(self.cwnd);
            if bytes_acked >= self.mss {
                self.cwnd += self.mss;
            }
            self.cwnd = self.cwnd.max(self.mss);
            return AckAction::RetransmitFirstUnacked;
        }
        self.dup_acks = 0;
        if self.cwnd < self.ssthresh {
            self.cwnd += self.slow_start_increase(bytes_acked, after_timeout);
        } else {
            self.bytes_acked += bytes_acked;
            if self.bytes_acked >= self.cwnd {
                self.bytes_acked -= self.cwnd;
                self.cwnd += self.mss;
            }
        }
        self.cwnd = self.cwnd.min(MAX_CWND);
        AckAction::None
    }

    /// A duplicate ACK (RFC 5681 §2) for SND.UNA = `ack` arrived; `snd_nxt` is the next
    /// sequence number to send and `flight_size` the data outstanding.
    pub fn on_dup_ack(
        &mut self,
        ack: TcpSeqNumber,
        snd_nxt: TcpSeqNumber,
        flight_size: usize,
    ) -> DupAckAction {
        if self.in_recovery {
            self.cwnd = (self.cwnd + self.mss).min(MAX_CWND);
            return DupAckAction::None;
        }
        self.dup_acks = self.dup_acks.saturating_add(1);
        match self.dup_acks {
            n if n < DUP_ACK_THRESHOLD => DupAckAction::LimitedTransmit,
            DUP_ACK_THRESHOLD if ack >= self.recover => {
                // RFC 6582 §3.2 step 2: only when the ACK reaches `recover`, so one loss
                // event (or the go-back-N after a timeout) halves the window once.
                self.ssthresh = self.loss_ssthresh(flight_size);
                self.cwnd = self.ssthresh + DUP_ACK_THRESHOLD as usize * self.mss;
                self.recover = snd_nxt;
                self.in_recovery = true;
                self.bytes_acked = 0;
                DupAckAction::FastRetransmit
            }
            _ => DupAckAction::None,
        }
    }

    /// The retransmission timer expired with `flight_size` bytes outstanding and
    /// `snd_nxt` the next sequence number to send.
    pub fn on_retransmit_timeout(&mut self, flight_size: usize, snd_nxt: TcpSeqNumber) {
        if !self.after_timeout {
            self.ssthresh = self.loss_ssthresh(flight_size);
        }
        self.after_timeout = true;
        self.cwnd = self.mss;
        self.bytes_acked = 0;
        self.dup_acks = 0;
        self.in_recovery = false;
        self.recover = snd_nxt;
    }

    /// About to send new data at `now` with `flight_size` outstanding and retransmission
    /// timeout `rto`: restarts from min(cwnd, IW) after an idle period longer than the
    /// RTO (RFC 5681 §4.1).
    pub fn on_send(&mut self, now: Instant, flight_size: usize, rto: Duration) {
        if flight_size == 0
            && let Some(last) = self.last_send
            && now.saturating_since(last) > rto
        {
            self.cwnd = self.cwnd.min(Self::initial_window(self.mss));
        }
        self.last_send = Some(now);
    }

    /// How much an ACK of `bytes_acked` grows cwnd in slow start: what it acknowledges, at
    /// most L = 2·MSS (RFC 3465 §2.3) for an ACK of up to two segments and for the first
    /// ACK after a timeout (whose cumulative jump covers go-back-N data). A stretch ACK
    /// covering more (a receiver that acknowledges a whole receive batch at once, as this
    /// stack and Linux with GRO do) counts every byte up to ssthresh, as Linux's
    /// `tcp_slow_start`, so that slow start still doubles cwnd per round trip.
    #[inline]
    fn slow_start_increase(&self, bytes_acked: usize, after_timeout: bool) -> usize {
        let limit = 2 * self.mss;
        if after_timeout {
            return bytes_acked.min(limit);
        }
        bytes_acked.min(self.ssthresh.saturating_sub(self.cwnd).max(limit))
    }

    /// RFC 5681 eqn 4: max(FlightSize / 2, 2·MSS).
    #[inline]
    fn loss_ssthresh(&self, flight_size: usize) -> usize {
        (flight_size / 2).max(2 * self.mss)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Instant = Instant::ZERO;

    fn s(v: u32) -> TcpSeqNumber {
        TcpSeqNumber(v)
    }

    #[test]
    fn initial_window_table() {
        assert_eq!(NewReno::initial_window(536), 2144);
        assert_eq!(NewReno::initial_window(1095), 4380);
        assert_eq!(NewReno::initial_window(1096), 3288);
        assert_eq!(NewReno::initial_window(1440), 4320);
        assert_eq!(NewReno::initial_window(1460), 4380);
        assert_eq!(NewReno::initial_window(2190), 6570);
        assert_eq!(NewReno::initial_window(2191), 4382);
        assert_eq!(NewReno::initial_window(9000), 18000);
        let cc = NewReno::new(1440, s(0));
        assert_eq!(cc.window(), 4320);
        assert_eq!(cc.ssthresh(), MAX_CWND);
        assert!(cc.in_slow_start() && !cc.in_recovery());
        assert_eq!(NewReno::new(0, s(0)).mss(), 1);
    }

    #[test]
    fn slow_start_with_abc_limit() {
        let mut cc = NewReno::new(1000, s(0));
        assert_eq!(cc.on_ack(s(1001), 1000, 3000, T), AckAction::None);
        assert_eq!(cc.window(), 5000);
        // A stretch ACK of 3 segments counts all three (a batch acknowledged at once).
        cc.on_ack(s(4001), 3000, 3000, T);
        assert_eq!(cc.window(), 8000);
        cc.on_ack(s(4501), 500, 3000, T);
        assert_eq!(cc.window(), 8500);
        // Never past ssthresh by more than L = 2 MSS.
        cc.limit_ssthresh(9000);
        cc.on_ack(s(9501), 5000, 3000, T);
        assert_eq!(cc.window(), 10_500);
        // After a timeout, the go-back-N jump grows cwnd by at most L.
        let mut cc = NewReno::new(1000, s(0));
        cc.on_retransmit_timeout(10_000, s(10_001));
        cc.on_ack(s(5001), 5000, 5000, T);
        assert_eq!(cc.window(), 3000);
    }

    #[test]
    fn congestion_avoidance_byte_counting() {
        let mut cc = NewReno::new(1000, s(0));
        cc.on_retransmit_timeout(8000, s(8001));
        assert_eq!((cc.window(), cc.ssthresh()), (1000, 4000));
        let mut ack = s(1);
        let mut step = |cc: &mut NewReno, n: usize| {
            ack += n;
            cc.on_ack(ack, n, 0, T)
        };
        step(&mut cc, 1000);
        assert_eq!(cc.window(), 2000);
        step(&mut cc, 1000);
        step(&mut cc, 1000);
        assert_eq!(cc.window(), 4000);
        assert!(!cc.in_slow_start());
        // One MSS per cwnd's worth of acknowledged bytes.
        for _ in 0..3 {
            step(&mut cc, 1000);
            assert_eq!(cc.window(), 4000);
        }
        step(&mut cc, 1000);
        assert_eq!(cc.window(), 5000);
        // Leftover carries over: 5000 more bytes in odd pieces.
        step(&mut cc, 2500);
        step(&mut cc, 2000);
        assert_eq!(cc.window(), 5000);
        step(&mut cc, 500);
        assert_eq!(cc.window(), 6000);
    }

    #[test]
    fn fast_retransmit_and_recovery() {
        let mut cc = NewReno::new(1000, s(0));
        // Grow to 10 000 in slow start.
        for i in 0..6u32 {
            cc.on_ack(s(1 + i * 1000), 1000, 0, T);
        }
        assert_eq!(cc.window(), 10_000);
        let una = s(20_001);
        let nxt = s(30_001);
        assert_eq!(
            cc.on_dup_ack(una, nxt, 10_000),
            DupAckAction::LimitedTransmit
        );
        assert_eq!(
            cc.on_dup_ack(una, nxt, 10_000),
            DupAckAction::LimitedTransmit
        );
        assert_eq!(cc.window(), 10_000);
        assert_eq!(
            cc.on_dup_ack(una, nxt, 10_000),
            DupAckAction::FastRetransmit
        );
        assert!(cc.in_recovery());
        assert_eq!((cc.ssthresh(), cc.window()), (5000, 8000));
        // Inflation.
        assert_eq!(cc.on_dup_ack(una, nxt, 10_000), DupAckAction::None);
        assert_eq!(cc.on_dup_ack(una, nxt, 10_000), DupAckAction::None);
        assert_eq!(cc.window(), 10_000);
        // Partial ACK of 2000 bytes: deflate by 2000, add back one MSS.
        assert_eq!(
            cc.on_ack(s(22_001), 2000, 8000, T),
            AckAction::RetransmitFirstUnacked
        );
        assert_eq!(cc.window(), 9000);
        assert!(cc.in_recovery());
        // Partial ACK of less than an MSS: deflate only.
        assert_eq!(
            cc.on_ack(s(22_501), 500, 7500, T),
            AckAction::RetransmitFirstUnacked
        );
        assert_eq!(cc.window(), 8500);
        // Full ACK (reaches recover = 30 001) with 3000 sent since: min(5000, 3000 + 1000).
        assert_eq!(cc.on_ack(s(30_001), 7500, 3000, T), AckAction::None);
        assert!(!cc.in_recovery());
        assert_eq!((cc.window(), cc.ssthresh()), (4000, 5000));
        assert_eq!(cc.dup_acks(), 0);
        // Full ACK with a large flight: capped at ssthresh.
        let mut cc2 = cc.clone();
        for _ in 0..3 {
            cc2.on_dup_ack(s(30_001), s(40_001), 9000);
        }
        assert_eq!(cc2.ssthresh(), 4500);
        cc2.on_ack(s(40_001), 10_000, 9000, T);
        assert_eq!(cc2.window(), 4500);
    }

    #[test]
    fn dup_acks_below_recover_do_not_halve_again() {
        let mut cc = NewReno::new(1000, s(0));
        cc.on_retransmit_timeout(10_000, s(10_001));
        assert_eq!((cc.window(), cc.ssthresh()), (1000, 5000));
        // Go-back-N produces duplicates for data below recover: no fast retransmit.
        for _ in 0..5 {
            let a = cc.on_dup_ack(s(5001), s(10_001), 5000);
            assert_ne!(a, DupAckAction::FastRetransmit);
        }
        assert_eq!((cc.window(), cc.ssthresh()), (1000, 5000));
        // New data acknowledged resets the count; duplicates at recover are a new event.
        cc.on_ack(s(10_001), 5000, 2000, T);
        assert_eq!(cc.window(), 3000);
        cc.on_dup_ack(s(10_001), s(12_001), 2000);
        cc.on_dup_ack(s(10_001), s(12_001), 2000);
        assert_eq!(
            cc.on_dup_ack(s(10_001), s(12_001), 2000),
            DupAckAction::FastRetransmit
        );
        assert_eq!((cc.ssthresh(), cc.window()), (2000, 5000));
    }

    #[test]
    fn retransmission_timeouts() {
        let mut cc = NewReno::new(1000, s(0));
        for _ in 0..3 {
            cc.on_dup_ack(s(1), s(9001), 9000);
        }
        assert!(cc.in_recovery());
        cc.on_retransmit_timeout(9000, s(9001));
        assert!(!cc.in_recovery());
        assert_eq!((cc.window(), cc.ssthresh()), (1000, 4500));
        // Backed-off timeouts of the same data keep ssthresh.
        cc.on_retransmit_timeout(4000, s(9001));
        assert_eq!((cc.window(), cc.ssthresh()), (1000, 4500));
        // Tiny flight: floor of 2 MSS.
        let mut cc = NewReno::new(1000, s(0));
        cc.on_retransmit_timeout(1000, s(1001));
        assert_eq!(cc.ssthresh(), 2000);
    }

    #[test]
    fn idle_restart_and_mss_change() {
        let mut cc = NewReno::new(1000, s(0));
        for i in 0..10u32 {
            cc.on_ack(s(1 + i * 1000), 1000, 0, T);
        }
        assert_eq!(cc.window(), 14_000);
        let rto = Duration::from_millis(300);
        cc.on_send(Instant::from_millis(1000), 0, rto);
        cc.on_send(Instant::from_millis(1300), 0, rto); // exactly one RTO: no restart
        assert_eq!(cc.window(), 14_000);
        cc.on_send(Instant::from_millis(1500), 5000, rto); // data in flight: no restart
        assert_eq!(cc.window(), 14_000);
        cc.on_send(Instant::from_millis(1801), 0, rto);
        assert_eq!(cc.window(), 4000);
        cc.set_mss(500);
        assert_eq!((cc.window(), cc.mss()), (2000, 500));
        cc.limit_ssthresh(600);
        assert_eq!(cc.ssthresh(), 1000);
    }
}
