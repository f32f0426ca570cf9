//! Segment arrival for an existing connection (RFC 9293 §3.10.7.3 SYN-SENT, §3.10.7.4 the
//! other states), with RFC 5961's defences (challenge ACKs for in-window RSTs and for SYNs in
//! synchronized states, the ACK acceptability range), RFC 7323 timestamps and PAWS, and the
//! receive path: in-order data into the receive ring, out-of-order data held in the
//! assembler (`config::TCP_QUEUE_OOSEQ`), delayed and immediate ACKs (RFC 1122 §4.2.3.2,
//! RFC 5681 §4.2).
//!
//! LISTEN and segments for no connection are handled by the stack side, `glue.rs`.

use crate::config;
use crate::error::Error;
use crate::time::{Duration, Instant};
use crate::wire::{TcpControl, TcpRepr};

use super::congestion::{AckAction, DupAckAction};
use super::control_block::{Tcb, TcpEvents};
use super::{TcpSeqNumber, TcpState};

/// Delay of a delayed ACK: lwIP acknowledges on its fast timer; at most 200 ms (RFC 1122
/// §4.2.3.2 allows 500 ms, RFC 5681 §4.2 asks for less).
pub const DELAYED_ACK: Duration = Duration::from_millis(if config::TCP_TMR_INTERVAL < 200 {
    config::TCP_TMR_INTERVAL as u64
} else {
    200
});

/// PAWS: TS.Recent is invalid after 24 days of idleness (RFC 7323 §5.5).
const PAWS_IDLE: Duration = Duration::from_secs(24 * 24 * 3600);

/// A reset answering `seg` (RFC 9293 §3.10.7.1): `<SEQ=SEG.ACK><CTL=RST>` if it had an ACK,
/// else `<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>`. `None` for a RST (never answered).
pub fn reset_for(seg: &TcpRepr) -> Option<TcpRepr> {
    if seg.control == TcpControl::Rst {
        return None;
    }
    let base = TcpRepr {
        src_port: seg.dst_port,
        dst_port: seg.src_port,
        control: TcpControl::Rst,
        ..TcpRepr::default()
    };
    Some(match seg.ack_number {
        Some(ack) => TcpRepr {
            seq_number: ack,
            ..base
        },
        None => TcpRepr {
            seq_number: TcpSeqNumber(0),
            ack_number: Some(seg.seq_number + seg.segment_len()),
            ..base
        },
    })
}

impl Tcb {
    /// The receive window in force for the acceptability test: what we advertised.
    fn rcv_wnd(&self) -> usize {
        if self.rcv.adv > self.rcv.nxt {
            self.rcv.adv.since(self.rcv.nxt)
        } else {
            0
        }
    }

    /// RFC 9293 §3.10.7.4 first check: does the segment overlap the receive window?
    pub(super) fn acceptable(&self, seg: &TcpRepr) -> bool {
        let len = seg.segment_len();
        let wnd = self.rcv_wnd();
        let seq = seg.seq_number;
        let end = self.rcv.nxt + wnd;
        match (len, wnd) {
            (0, 0) => seq == self.rcv.nxt,
            (0, _) => seq.in_range(self.rcv.nxt, end),
            (_, 0) => false,
            _ => {
                let last = seq + (len - 1);
                seq.in_range(self.rcv.nxt, end) || last.in_range(self.rcv.nxt, end)
            }
        }
    }

    /// Sends a challenge ACK (RFC 5961 §3.2, §4.2, §5.2), at most one per 10 ms.
    fn challenge_ack(&mut self, now: Instant) {
        if self
            .last_challenge
            .is_some_and(|t| now.saturating_since(t) < Duration::from_millis(10))
        {
            return;
        }
        self.last_challenge = Some(now);
        self.flags.ack_now = true;
    }

    /// Processes a segment for this connection (any state but LISTEN and CLOSED). Returns
    /// a reset to send in reply, when one is due. `newly_established` stays set until the
    /// stack's `tcp_after` takes it (possibly after more segments of the same batch).
    pub(super) fn on_segment(
        &mut self,
        seg: &TcpRepr,
        payload: &[u8],
        now: Instant,
    ) -> Option<TcpRepr> {
        match self.state {
            TcpState::Closed | TcpState::Listen => reset_for(seg),
            TcpState::SynSent => self.on_segment_syn_sent(seg, now),
            _ => self.on_segment_synchronized(seg, payload, now),
        }
    }

    /// RFC 9293 §3.10.7.3.
    fn on_segment_syn_sent(&mut self, seg: &TcpRepr, now: Instant) -> Option<TcpRepr> {
        let mut ack_ok = false;
        if let Some(ack) = seg.ack_number {
            if ack <= self.hs.iss || ack > self.snd.max {
                return reset_for(seg);
            }
            ack_ok = true;
        }
        if seg.control == TcpControl::Rst {
            if ack_ok {
                log::debug!(target: LOG, "{}: connection refused", self.local_port);
                self.terminate(Some(Error::ConnectionRefused));
            }
            return None;
        }
        if seg.control != TcpControl::Syn {
            return None;
        }
        self.hs.irs = seg.seq_number;
        self.rcv.nxt = seg.seq_number + 1;
        self.rcv.adv = self.rcv.nxt;
        self.negotiate(
            seg.max_seg_size,
            seg.window_scale,
            seg.timestamp,
            seg.sack_permitted,
            now,
        );
        self.timers.last_rx = now;
        if let Some(ack) = seg.ack_number {
            self.snd.una = ack;
            self.snd.wnd = usize::from(seg.window_len);
            self.snd.max_wnd = self.snd.wnd;
            self.snd.wl1 = seg.seq_number;
            self.snd.wl2 = ack;
            self.established(now);
            if self.flags.ts_on
                && let Some(ts) = seg.timestamp
                && ts.tsecr != 0
            {
                self.rtt.on_timestamp_echo(ts.tsecr, now);
            } else {
                self.rtt.on_ack(ack, now);
            }
            self.rtt.on_established(self.flags.syn_retransmitted);
            self.flags.ack_now = true;
        } else {
            // Simultaneous open (RFC 9293 §3.5, Figure 8): answer with SYN-ACK.
            self.state = TcpState::SynReceived;
            self.snd.nxt = self.hs.iss;
            self.timers.rtx_at = None;
        }
        None
    }

    fn established(&mut self, now: Instant) {
        self.state = TcpState::Established;
        self.timers.rtx_at = None;
        self.timers.retries = 0;
        self.flags.newly_established = true;
        self.post(TcpEvents::CONNECTED | TcpEvents::SENT);
        self.arm_keepalive();
        log::debug!(target: LOG, "{}: established at {now}", self.local_port);
    }

    /// RFC 9293 §3.10.7.4 for SYN-RECEIVED and the synchronized states.
    fn on_segment_synchronized(
        &mut self,
        seg: &TcpRepr,
        payload: &[u8],
        now: Instant,
    ) -> Option<TcpRepr> {
        // PAWS (RFC 7323 §5.3): a segment with an old timestamp is a duplicate.
        if self.flags.ts_on
            && seg.control != TcpControl::Rst
            && let Some(ts) = seg.timestamp
            && (ts.tsval.wrapping_sub(self.rcv.ts_recent) as i32) < 0
            && now.saturating_since(self.rcv.ts_recent_age) < PAWS_IDLE
        {
            self.flags.ack_now = true;
            return None;
        }
        // First: sequence number.
        if !self.acceptable(seg) {
            if seg.control != TcpControl::Rst {
                self.flags.ack_now = true;
            }
            return None;
        }
        self.timers.last_rx = now;
        self.timers.keep_probes = 0;
        // Second: RST (RFC 5961 §3.2).
        if seg.control == TcpControl::Rst {
            if seg.seq_number != self.rcv.nxt {
                self.challenge_ack(now);
                return None;
            }
            match self.state {
                TcpState::SynReceived if self.listener.is_some() => {
                    // Back to LISTEN (RFC 9293): the listener forgets the half-open one.
                    self.terminate(None);
                }
                TcpState::SynReceived => self.terminate(Some(Error::ConnectionRefused)),
                TcpState::Closing | TcpState::LastAck | TcpState::TimeWait => self.terminate(None),
                _ => self.terminate(Some(Error::ConnectionReset)),
            }
            return None;
        }
        // Fourth: SYN in a synchronized state (RFC 5961 §4.2).
        if seg.control == TcpControl::Syn {
            self.challenge_ack(now);
            return None;
        }
        // Fifth: ACK.
        let ack = seg.ack_number?;
        if self.state == TcpState::SynReceived {
            if ack > self.snd.una && ack <= self.snd.max {
                self.snd.wnd = usize::from(seg.window_len) << self.snd.shift;
                self.snd.max_wnd = self.snd.wnd;
                self.snd.wl1 = seg.seq_number;
                self.snd.wl2 = ack;
                self.established(now);
                self.rtt.on_established(self.flags.syn_retransmitted);
            } else {
                return reset_for(seg);
            }
        }
        // RFC 5961 §5.2: acceptable ACKs lie in [SND.UNA − MAX.SND.WND, SND.MAX].
        let lower = self.snd.una - self.snd.max_wnd.max(1);
        if ack > self.snd.max || ack < lower {
            self.challenge_ack(now);
            return None;
        }
        // Timestamps: update TS.Recent (RFC 7323 §4.3).
        if self.flags.ts_on
            && let Some(ts) = seg.timestamp
            && seg.seq_number <= self.rcv.nxt
        {
            self.rcv.ts_recent = ts.tsval;
            self.rcv.ts_recent_age = now;
        }
        self.process_ack(seg, ack, payload.len(), now);
        if self.state == TcpState::Closed {
            return None;
        }
        // Seventh: data.
        let had_holes = !self.assembler.is_empty();
        if !payload.is_empty() {
            if self.state.can_receive() {
                self.receive_data(seg.seq_number, payload, had_holes, now);
            } else {
                self.flags.ack_now = true;
            }
        }
        // Eighth: FIN.
        if seg.control == TcpControl::Fin {
            let fin_at = seg.seq_number + payload.len();
            if fin_at >= self.rcv.nxt && self.rcv.fin_seq.is_none() && !self.flags.fin_received {
                self.rcv.fin_seq = Some(fin_at);
            }
            if self.state == TcpState::TimeWait {
                // A retransmitted FIN: acknowledge it and restart the 2·MSL wait.
                self.flags.ack_now = true;
                self.enter_time_wait(now);
            }
        }
        self.take_fin(now);
        None
    }

    /// Whether an ACK that acknowledges nothing new counts as a duplicate ACK. With SACK in
    /// use only one that SACKs bytes not SACKed before does (RFC 6675 §2 "DupAck"), so
    /// copies of an ACK (duplicated by the network) trigger no fast retransmit; without
    /// SACK, RFC 5681 §2's: at SND.UNA, no data, no SYN/FIN, data outstanding, the same
    /// window.
    fn is_dup_ack(
        &self,
        seg: &TcpRepr,
        ack: TcpSeqNumber,
        payload_len: usize,
        old_wnd: usize,
        newly_sacked: bool,
    ) -> bool {
        if self.sack_ok_in() {
            return newly_sacked;
        }
        ack == self.snd.una
            && payload_len == 0
            && seg.control == TcpControl::None
            && self.flight_size() > 0
            && (usize::from(seg.window_len) << self.snd.shift) == old_wnd
    }

    /// The ACK field processing of §3.10.7.4 (fifth check) for ESTABLISHED and later:
    /// new data acknowledged, duplicate ACKs, SACK blocks, the send window, and the state
    /// changes our acknowledged FIN causes.
    fn process_ack(&mut self, seg: &TcpRepr, ack: TcpSeqNumber, payload_len: usize, now: Instant) {
        let old_wnd = self.snd.wnd;
        let mut newly_sacked = false;
        if self.sack_ok_in() && seg.sack_block_count() > 0 {
            newly_sacked = self
                .scoreboard
                .on_sack(self.snd.una, self.snd.max, &seg.sack_ranges);
        }
        if ack > self.snd.una {
            let acked = ack.since(self.snd.una);
            // Data bytes leave the send ring; SYN and FIN occupy no ring space.
            let data_acked = if ack > self.snd.tx_base {
                ack.since(self.snd.tx_base).min(self.tx.len())
            } else {
                0
            };
            self.tx.discard(data_acked);
            self.snd.tx_base += data_acked;
            self.snd.una = ack;
            if self.snd.nxt < ack {
                self.snd.nxt = ack;
            }
            // After a timeout the receiver may echo the timestamp of the original
            // transmission (a duplicate does not update its TS.Recent, RFC 7323 §4.3): no
            // sample from the first ACK after a retransmission timeout (Karn's rule, RFC
            // 6298 §5); the backed-off RTO stays until the next one.
            let sampled = self.flags.ts_on
                && self.timers.retries == 0
                && seg.timestamp.is_some_and(|t| t.tsecr != 0)
                && seg
                    .timestamp
                    .is_some_and(|t| self.rtt.on_timestamp_echo(t.tsecr, now));
            if !sampled && !self.flags.ts_on {
                self.rtt.on_ack(ack, now);
            }
            self.timers.retries = 0;
            self.limited_transmit = 0;
            let flight = self.flight_size();
            if self.cc.on_ack(ack, acked, flight, now) == AckAction::RetransmitFirstUnacked {
                self.flags.rexmit_una = true;
            }
            self.scoreboard.on_cumulative_ack(ack);
            self.timers.rtx_at = (flight > 0).then(|| now + self.rtt.rto());
            self.flags.tlp_in_flight = false;
            self.arm_tlp(now);
            if data_acked > 0 {
                self.post(TcpEvents::SENT);
            }
        } else if self.is_dup_ack(seg, ack, payload_len, old_wnd, newly_sacked) {
            match self.cc.on_dup_ack(ack, self.snd.max, self.flight_size()) {
                DupAckAction::FastRetransmit => {
                    self.flags.rexmit_una = true;
                    self.rtt.on_retransmit();
                }
                DupAckAction::LimitedTransmit => {
                    // RFC 3042: one new segment per duplicate ACK beyond cwnd.
                    self.limited_transmit = self.limited_transmit.saturating_add(1);
                }
                DupAckAction::None => {}
            }
        }
        // Send window update (RFC 9293 §3.10.7.4).
        if self.snd.wl1 < seg.seq_number || (self.snd.wl1 == seg.seq_number && self.snd.wl2 <= ack)
        {
            self.snd.wnd = usize::from(seg.window_len) << self.snd.shift;
            self.snd.max_wnd = self.snd.max_wnd.max(self.snd.wnd);
            self.snd.wl1 = seg.seq_number;
            self.snd.wl2 = ack;
            if self.snd.wnd > 0 && self.timers.persist_at.is_some() {
                // The window opened: stop probing and resend from SND.UNA.
                self.timers.persist_at = None;
                self.persist_backoff = 0;
                self.snd.nxt = self.snd.una;
            }
        }
        // Our FIN acknowledged?
        if self.fin_acked() {
            match self.state {
                TcpState::FinWait1 => {
                    self.state = TcpState::FinWait2;
                    self.timers.rtx_at = None;
                    if self.flags.orphan {
                        self.timers.wait_at = Some(
                            now + Duration::from_millis(u64::from(config::TCP_FIN_WAIT_TIMEOUT)),
                        );
                    }
                }
                TcpState::Closing => self.enter_time_wait(now),
                TcpState::LastAck => self.terminate(None),
                _ => {}
            }
        }
    }

    /// Whether SACK blocks from the peer are used (we always offer SACK-permitted, so any
    /// connection where the peer negotiated SACK may send us blocks).
    fn sack_ok_in(&self) -> bool {
        self.flags.sack_ok
    }

    /// Queues the data of a segment (RFC 9293 §3.10.7.4 seventh check).
    #[allow(clippy::absurd_extreme_comparisons)] // `TCP_OOSEQ_MAX_PBUFS` differs per configuration
    fn receive_data(&mut self, seq: TcpSeqNumber, payload: &[u8], had_holes: bool, now: Instant) {
        // Trim what we already have.
        let (seq, data) = if seq < self.rcv.nxt {
            let skip = self.rcv.nxt.since(seq);
            match payload.get(skip..) {
                Some(d) => (self.rcv.nxt, d),
                None => return,
            }
        } else {
            (seq, payload)
        };
        if data.is_empty() {
            // All of it arrived before: a retransmission or a copy.
            self.timers.disorder_at = Some(now);
            self.flags.ack_now = true;
            return;
        }
        let offset = seq.since(self.rcv.nxt);
        if self.flags.shut_rd || self.flags.orphan {
            // Nobody will read it: acknowledge in-order data and drop it.
            if offset == 0 {
                self.rcv.nxt += data.len().min(self.rcv_wnd());
                self.rcv.adv = self.rcv.adv.max(self.rcv.nxt);
            }
            self.flags.ack_now = true;
            return;
        }
        let had_holes = if offset == 0 {
            had_holes || core::mem::take(&mut self.flags.ooo_seen)
        } else {
            self.flags.ooo_seen = true;
            self.timers.disorder_at = Some(now);
            had_holes
        };
        if offset > 0 && !config::TCP_QUEUE_OOSEQ {
            self.flags.ack_now = true;
            return;
        }
        if offset > 0
            && config::TCP_OOSEQ_MAX_PBUFS > 0
            && self.assembler.range_count() >= config::TCP_OOSEQ_MAX_PBUFS
        {
            self.flags.ack_now = true;
            return;
        }
        let written = self.rx.write_unallocated(offset, data);
        let ready = if offset == 0 && self.assembler.is_empty() {
            // In order with nothing held: all of it is ready, no bookkeeping of ranges.
            written
        } else {
            if written > 0 && self.assembler.add(offset, written).is_err() {
                self.flags.ack_now = true;
                return;
            }
            self.assembler.remove_front()
        };
        let ready = self.rx.commit(ready);
        self.rcv.nxt += ready;
        if ready > 0 {
            self.post(TcpEvents::RECEIVED);
        }
        if offset > 0 || had_holes || written < data.len() {
            // Out of order, a hole filled, or no room: tell the sender at once (RFC 5681
            // §4.2).
            self.flags.ack_now = true;
        } else {
            self.rcv.unacked += ready;
            // A full-sized segment carries the MSS less the timestamp option (RFC 7323 §3):
            // acknowledge every second one (RFC 5681 §4.2).
            let full = self.rcv.mss - if self.flags.ts_on { 12 } else { 0 };
            if self.rcv.unacked >= 2 * full {
                self.flags.ack_now = true;
            } else if self.timers.delack_at.is_none() {
                self.timers.delack_at = Some(now + DELAYED_ACK);
            }
        }
    }

    /// Takes the peer's FIN once every byte before it arrived (RFC 9293 §3.10.7.4 eighth).
    fn take_fin(&mut self, now: Instant) {
        if self.flags.fin_received || self.rcv.fin_seq != Some(self.rcv.nxt) {
            return;
        }
        self.rcv.fin_seq = None;
        self.flags.fin_received = true;
        self.rcv.nxt += 1;
        self.flags.ack_now = true;
        self.post(TcpEvents::RECEIVED);
        match self.state {
            TcpState::SynReceived | TcpState::Established => {
                self.state = TcpState::CloseWait;
            }
            TcpState::FinWait1 => {
                if self.fin_acked() {
                    self.enter_time_wait(now);
                } else {
                    self.state = TcpState::Closing;
                }
            }
            TcpState::FinWait2 => self.enter_time_wait(now),
            _ => {}
        }
    }
}

const LOG: &str = "netstack::tcp";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::testing::established;

    /// An established connection that has advertised 4000 bytes of window.
    fn est() -> Tcb {
        let mut t = established(10_000);
        t.rcv.adv = t.rcv.nxt + 4000;
        t
    }

    fn seg(seq: u32, ack: Option<u32>, control: TcpControl, len: usize) -> TcpRepr {
        TcpRepr {
            src_port: 2000,
            dst_port: 1000,
            seq_number: TcpSeqNumber(seq),
            ack_number: ack.map(TcpSeqNumber),
            control,
            window_len: 10000,
            payload_len: len,
            ..TcpRepr::default()
        }
    }

    #[test]
    fn reset_for_closed_port() {
        let r = reset_for(&seg(7, Some(99), TcpControl::None, 0)).expect("rst");
        assert_eq!(r.seq_number, TcpSeqNumber(99));
        assert_eq!(r.ack_number, None);
        let r = reset_for(&seg(7, None, TcpControl::Syn, 0)).expect("rst");
        assert_eq!(r.ack_number, Some(TcpSeqNumber(8)));
        assert!(reset_for(&seg(7, None, TcpControl::Rst, 0)).is_none());
    }

    #[test]
    fn in_window_rst_draws_a_challenge_ack() {
        let mut t = est();
        t.on_segment(&seg(5002, None, TcpControl::Rst, 0), &[], Instant::ZERO);
        assert_eq!(t.state, TcpState::Established);
        assert!(t.flags.ack_now);
        t.on_segment(&seg(5001, None, TcpControl::Rst, 0), &[], Instant::ZERO);
        assert_eq!(t.state, TcpState::Closed);
        assert_eq!(t.error, Some(Error::ConnectionReset));
    }

    #[test]
    fn syn_in_established_draws_a_challenge_ack() {
        let mut t = est();
        t.on_segment(&seg(5001, None, TcpControl::Syn, 0), &[], Instant::ZERO);
        assert_eq!(t.state, TcpState::Established);
        assert!(t.flags.ack_now);
    }

    #[test]
    fn ack_of_unsent_data_is_challenged() {
        let mut t = est();
        t.on_segment(
            &seg(5001, Some(200), TcpControl::None, 0),
            &[],
            Instant::ZERO,
        );
        assert!(t.flags.ack_now);
        assert_eq!(t.snd.una, TcpSeqNumber(101));
    }

    #[test]
    fn out_of_order_data_is_assembled() {
        let mut t = est();
        let data = [7u8; 100];
        t.on_segment(
            &seg(5101, Some(101), TcpControl::None, 100),
            &data,
            Instant::ZERO,
        );
        assert_eq!(t.rcv.nxt, TcpSeqNumber(5001));
        assert!(t.flags.ack_now);
        t.flags.ack_now = false;
        t.on_segment(
            &seg(5001, Some(101), TcpControl::None, 100),
            &data,
            Instant::ZERO,
        );
        if config::TCP_QUEUE_OOSEQ {
            assert_eq!(t.rcv.nxt, TcpSeqNumber(5201));
        } else {
            assert_eq!(t.rcv.nxt, TcpSeqNumber(5101));
        }
        assert!(t.flags.ack_now, "hole filled: immediate ACK");
    }

    #[test]
    fn fin_moves_to_close_wait_and_unacceptable_segments_are_acked() {
        let mut t = est();
        t.on_segment(
            &seg(9999, Some(101), TcpControl::None, 10),
            &[0; 10],
            Instant::ZERO,
        );
        assert!(t.flags.ack_now);
        assert_eq!(t.rcv.nxt, TcpSeqNumber(5001));
        t.on_segment(
            &seg(5001, Some(101), TcpControl::Fin, 0),
            &[],
            Instant::ZERO,
        );
        assert_eq!(t.state, TcpState::CloseWait);
        assert_eq!(t.rcv.nxt, TcpSeqNumber(5002));
    }
    #[test]
    fn exact_rst_in_each_state() {
        let cases = [
            (TcpState::SynReceived, None),
            (TcpState::Established, Some(Error::ConnectionReset)),
            (TcpState::FinWait1, Some(Error::ConnectionReset)),
            (TcpState::FinWait2, Some(Error::ConnectionReset)),
            (TcpState::CloseWait, Some(Error::ConnectionReset)),
            (TcpState::Closing, None),
            (TcpState::LastAck, None),
            (TcpState::TimeWait, None),
        ];
        for (state, error) in cases {
            let mut t = est();
            t.state = state;
            if state == TcpState::SynReceived {
                t.listener = Some(0);
            }
            t.on_segment(&seg(5001, None, TcpControl::Rst, 0), &[], Instant::ZERO);
            assert_eq!(t.state, TcpState::Closed, "{state}");
            assert_eq!(t.error, error, "{state}");
        }
        // SYN-RECEIVED of an active open (simultaneous open): refused.
        let mut t = est();
        t.state = TcpState::SynReceived;
        t.on_segment(&seg(5001, None, TcpControl::Rst, 0), &[], Instant::ZERO);
        assert_eq!(t.error, Some(Error::ConnectionRefused));
    }

    #[test]
    fn rst_out_of_window_is_ignored_and_syn_sent_checks_the_ack() {
        let mut t = est();
        t.on_segment(&seg(1, None, TcpControl::Rst, 0), &[], Instant::ZERO);
        assert_eq!(t.state, TcpState::Established);
        assert!(!t.flags.ack_now, "no answer to an out-of-window RST");
        // SYN-SENT: an RST is only taken with an acceptable ACK.
        let mut t = est();
        t.state = TcpState::SynSent;
        t.snd.una = t.hs.iss;
        t.snd.max = t.hs.iss + 1;
        t.on_segment(&seg(0, Some(500), TcpControl::Rst, 0), &[], Instant::ZERO);
        assert_eq!(t.state, TcpState::SynSent);
        t.on_segment(&seg(0, Some(101), TcpControl::Rst, 0), &[], Instant::ZERO);
        assert_eq!(t.error, Some(Error::ConnectionRefused));
        // SYN-SENT: a bad ACK without RST is answered with a reset.
        let mut t = est();
        t.state = TcpState::SynSent;
        t.snd.una = t.hs.iss;
        t.snd.max = t.hs.iss + 1;
        let rst = t.on_segment(&seg(0, Some(500), TcpControl::None, 0), &[], Instant::ZERO);
        assert_eq!(rst.map(|r| r.seq_number), Some(TcpSeqNumber(500)));
    }

    #[test]
    fn syn_received_bad_ack_draws_a_reset_and_good_ack_establishes() {
        let mut t = est();
        t.state = TcpState::SynReceived;
        t.snd.una = t.hs.iss;
        t.snd.max = t.hs.iss + 1;
        t.snd.nxt = t.snd.max;
        let rst = t.on_segment(
            &seg(5001, Some(900), TcpControl::None, 0),
            &[],
            Instant::ZERO,
        );
        assert_eq!(rst.map(|r| r.seq_number), Some(TcpSeqNumber(900)));
        assert_eq!(t.state, TcpState::SynReceived);
        t.on_segment(
            &seg(5001, Some(101), TcpControl::None, 0),
            &[],
            Instant::ZERO,
        );
        assert_eq!(t.state, TcpState::Established);
        assert!(t.flags.newly_established);
    }

    #[test]
    fn paws_drops_old_timestamps() {
        let mut t = est();
        t.flags.ts_on = true;
        t.rcv.ts_recent = 1000;
        let mut s = seg(5001, Some(101), TcpControl::None, 4);
        s.timestamp = Some(crate::wire::TcpTimestamp {
            tsval: 999,
            tsecr: 0,
        });
        t.on_segment(&s, b"data", Instant::ZERO);
        assert_eq!(t.rcv.nxt, TcpSeqNumber(5001), "old timestamp: dropped");
        assert!(t.flags.ack_now);
        s.timestamp = Some(crate::wire::TcpTimestamp {
            tsval: 1001,
            tsecr: 0,
        });
        t.on_segment(&s, b"data", Instant::ZERO);
        assert_eq!(t.rcv.nxt, TcpSeqNumber(5005));
        assert_eq!(t.rcv.ts_recent, 1001);
    }

    #[test]
    fn window_update_and_duplicate_acks() {
        let mut t = est();
        t.tx.enqueue(&[1; 2000]);
        t.snd.nxt = t.snd.una + 2000;
        t.snd.max = t.snd.nxt;
        // A new ACK frees the ring.
        t.on_segment(
            &seg(5001, Some(1101), TcpControl::None, 0),
            &[],
            Instant::ZERO,
        );
        assert_eq!(t.snd.una, TcpSeqNumber(1101));
        assert_eq!(t.tx.len(), 1000);
        // Three duplicate ACKs: fast retransmit.
        for _ in 0..3 {
            t.on_segment(
                &seg(5001, Some(1101), TcpControl::None, 0),
                &[],
                Instant::ZERO,
            );
        }
        assert!(t.flags.rexmit_una);
        assert!(t.cc.in_recovery());
    }
}
