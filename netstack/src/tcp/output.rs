//! What a connection sends next (RFC 9293 §3.8, §3.10.4; lwIP's `tcp_out.c`): the SYN or
//! SYN-ACK, retransmissions (fast retransmit, partial ACKs, SACK holes per RFC 6675), new
//! data cut to the MSS within min(cwnd, peer window) with Nagle (RFC 9293 §3.7.4) and sender
//! SWS avoidance (§3.8.6.2.1), our FIN, zero-window probes, keepalives and pure ACKs
//! carrying the receive window chosen with receiver SWS avoidance (§3.8.6.2.2).
//!
//! A [`Segment`] is a header and where its data sits in the send ring: `glue.rs` builds it
//! in the stack's transmit buffer straight from the ring (no copy besides the one into the
//! frame), with the product's options, whose helpers are here.

use crate::time::Instant;
#[cfg(not(netstack_hook_tcp_out_tcpopt_length = "none"))]
use crate::wire::tcp::MAX_OPTIONS_LEN;
use crate::wire::tcp::MAX_SACK_BLOCKS;
use crate::wire::{TcpControl, TcpRepr, TcpTimestamp};

use super::control_block::Tcb;
use super::sack::{max_sack_blocks, sack_blocks};
use super::{RttEstimator, TcpSeqNumber, TcpState};

/// TCP option kinds written here (RFC 9293 §3.2).
pub(super) mod kind {
    /// End of Option List.
    pub(in crate::tcp) const END: u8 = 0;
    /// No-Operation.
    pub(in crate::tcp) const NOP: u8 = 1;
}

/// Length of the timestamps option as data segments carry it (NOP, NOP, kind, length,
/// TSval, TSecr; RFC 7323 Appendix A).
#[cfg(not(netstack_hook_tcp_out_tcpopt_length = "none"))]
pub(super) const TIMESTAMP_OPTION_LEN: usize = 12;

/// The product's part of `total` option bytes (a `tcp_out_tcpopt_length` answer) when the
/// stack uses `internal`: rounded up to a multiple of 4, within the 40 bytes of option space.
#[cfg(not(netstack_hook_tcp_out_tcpopt_length = "none"))]
pub(super) fn custom_options_len(internal: usize, total: usize) -> usize {
    let extra = total.min(MAX_OPTIONS_LEN).saturating_sub(internal);
    (extra.div_ceil(4) * 4).min(MAX_OPTIONS_LEN.saturating_sub(internal) / 4 * 4)
}

/// Turns the End of Option List padding of the stack's own options into NOPs, so that
/// options written after them are still read (RFC 9293 §3.2: nothing after EOL is an
/// option). A malformed length stops the walk (the stack writes only valid ones).
pub(super) fn end_of_list_to_nop(options: &mut [u8]) {
    let mut at = 0;
    while let Some(&k) = options.get(at) {
        match k {
            kind::END => {
                if let Some(rest) = options.get_mut(at..) {
                    rest.fill(kind::NOP);
                }
                return;
            }
            kind::NOP => at += 1,
            _ => match options.get(at + 1) {
                Some(&len) if len >= 2 => at += usize::from(len),
                _ => return,
            },
        }
    }
}

/// How long after a failed transmission the connection tries again (lwIP retries on its
/// next fast timer; one `config::TCP_TMR_INTERVAL`, at least 1 ms).
const TRANSMIT_RETRY: crate::time::Duration =
    crate::time::Duration::from_millis(if crate::config::TCP_TMR_INTERVAL > 1 {
        crate::config::TCP_TMR_INTERVAL as u64
    } else {
        1
    });

/// Whether a transmit error is a momentary shortage (a full device, loopback or address
/// table), after which the segment is kept to be sent again soon rather than left to the
/// retransmission timer; other errors (no route, interface down) leave it to that timer,
/// which ends the connection if they persist.
pub(super) fn is_transient(e: crate::error::Error) -> bool {
    use crate::error::Error;
    matches!(
        e,
        Error::WouldBlock | Error::BufferFull | Error::PoolExhausted
    )
}

/// A segment to send: the header, and where its data sits in the send ring.
#[derive(Debug, Clone, Copy)]
pub(super) struct Segment {
    pub repr: TcpRepr,
    /// Offset of the data in the send ring.
    pub data_offset: usize,
}

/// The largest receive window, in full segments, whose batch ACK is always carried over to
/// the application's read (see [`Tcb::owes_only_ack`]). With a window this small nearly
/// every batch is followed by a window update when the application reads, so the two
/// ACKs merge into one. A larger window's ACKs merge only on a clean path
/// ([`CARRY_CLEAN_FOR`]): there a second ACK for the same flight makes a lost one cheap
/// (in simulation, 1 MiB with 64 KiB windows and 5 % loss took 15 % longer with every
/// batch's ACKs merged, and 2.5x as long before the tail loss probe).
const CARRY_MAX_SEGMENTS: usize = 4;

/// How long after data last arrived out of order or twice a large window's batch ACK is
/// sent at once rather than merged with the window update.
const CARRY_CLEAN_FOR: crate::time::Duration = crate::time::Duration::from_secs(1);

/// The shortest tail loss probe timeout: a clock tick of slack over two round trips that
/// a fast link measures as 0 or 1 ms (Linux uses the same floor).
const TLP_MIN_PTO: crate::time::Duration = crate::time::Duration::from_millis(10);

/// The send state [`Tcb::next_segment`] changes as if its segment left, kept to undo
/// that when the segment could not be transmitted (lwIP keeps such a segment on its
/// unsent queue, `tcp_output` with `ERR_MEM`).
#[derive(Debug, Clone, Copy)]
pub(super) struct SendMark {
    snd_nxt: TcpSeqNumber,
    snd_max: TcpSeqNumber,
    rcv_adv: TcpSeqNumber,
    rtx_at: Option<Instant>,
    timed: Option<(TcpSeqNumber, Instant)>,
    high_rxt: Option<TcpSeqNumber>,
    rexmit_una: bool,
    force_send: bool,
    ack_now: bool,
    delack_at: Option<Instant>,
    unacked_bytes: usize,
    tlp_at: Option<Instant>,
    tlp_probe: bool,
    tlp_in_flight: bool,
}

impl Tcb {
    /// Where the send state stands before [`next_segment`](Self::next_segment).
    #[inline]
    pub(super) fn send_mark(&self) -> SendMark {
        SendMark {
            snd_nxt: self.snd.nxt,
            snd_max: self.snd.max,
            rcv_adv: self.rcv.adv,
            rtx_at: self.timers.rtx_at,
            timed: self.rtt.timed(),
            high_rxt: self.scoreboard.high_rxt(),
            rexmit_una: self.flags.rexmit_una,
            force_send: self.flags.force_send,
            ack_now: self.flags.ack_now,
            delack_at: self.timers.delack_at,
            unacked_bytes: self.rcv.unacked,
            tlp_at: self.timers.tlp_at,
            tlp_probe: self.flags.tlp_probe,
            tlp_in_flight: self.flags.tlp_in_flight,
        }
    }

    /// The segment built since `mark` did not leave (the device or a queue was full):
    /// back to `mark`, so that it goes out at the next output (as a retransmission only if
    /// it had been sent before) without starting or backing off the retransmission timer
    /// for it, and output again after one `config::TCP_TMR_INTERVAL`.
    #[cold]
    pub(super) fn unsend(&mut self, mark: SendMark, now: Instant) {
        self.snd.nxt = mark.snd_nxt;
        self.snd.max = mark.snd_max;
        self.rcv.adv = mark.rcv_adv;
        self.timers.rtx_at = mark.rtx_at;
        self.rtt.set_timed(mark.timed);
        self.scoreboard.set_high_rxt(mark.high_rxt);
        self.flags.rexmit_una = mark.rexmit_una;
        self.flags.force_send = mark.force_send;
        self.flags.ack_now = mark.ack_now;
        self.timers.delack_at = mark.delack_at;
        self.rcv.unacked = mark.unacked_bytes;
        self.timers.tlp_at = mark.tlp_at;
        self.flags.tlp_probe = mark.tlp_probe;
        self.flags.tlp_in_flight = mark.tlp_in_flight;
        if self.timers.retry_at.is_none_or(|t| t <= now) {
            self.timers.retry_at = Some(now + TRANSMIT_RETRY);
        }
    }

    /// The window to advertise (receiver SWS avoidance, RFC 9293 §3.8.6.2.2): the right edge
    /// moves only by at least min(half the buffer, one MSS) and never moves left. Updates
    /// RCV.ADV; returns the (scaled) window field.
    pub(super) fn window_field(&mut self, syn: bool) -> u16 {
        let shift = if syn { 0 } else { self.rcv.shift };
        let cap = self.rx.capacity();
        let free = self.rx.free().min(65535usize << shift);
        let current = if self.rcv.adv > self.rcv.nxt {
            self.rcv.adv.since(self.rcv.nxt)
        } else {
            0
        };
        let threshold = (cap / 2).min(self.rcv.mss).max(1);
        let win = if free >= current + threshold || free == cap.min(65535usize << shift) {
            free
        } else {
            current.min(free)
        };
        let field = (win >> shift).min(65535);
        let edge = self.rcv.nxt + (field << shift);
        if edge > self.rcv.adv {
            self.rcv.adv = edge;
        }
        field as u16
    }

    /// How much the window would grow if advertised now (for prompt window updates).
    pub(super) fn window_growth(&self) -> usize {
        let current = if self.rcv.adv > self.rcv.nxt {
            self.rcv.adv.since(self.rcv.nxt)
        } else {
            0
        };
        self.rx.free().saturating_sub(current)
    }

    /// A segment header from this connection with the current ACK, window, timestamp and
    /// SACK blocks. (Inlined into its callers so that the header is built where the
    /// segment is returned, not built and then copied.)
    #[inline(always)]
    fn header(
        &mut self,
        seq: TcpSeqNumber,
        control: TcpControl,
        len: usize,
        now: Instant,
    ) -> TcpRepr {
        let syn = control == TcpControl::Syn;
        let mut repr = TcpRepr {
            src_port: self.local_port,
            dst_port: self.remote_port,
            control,
            seq_number: seq,
            ack_number: (self.state != TcpState::SynSent).then_some(self.rcv.nxt),
            window_len: self.window_field(syn),
            payload_len: len,
            ..TcpRepr::default()
        };
        let offer = self.state == TcpState::SynSent;
        if syn {
            repr.max_seg_size = Some(self.rcv.mss.min(65535) as u16);
            if offer {
                repr.window_scale = Tcb::offered_shift();
                repr.sack_permitted = crate::config::TCP_SACK_OUT;
                repr.timestamp = Some(TcpTimestamp {
                    tsval: RttEstimator::timestamp(now),
                    tsecr: 0,
                });
            } else {
                repr.window_scale = self.hs.peer_ws.and(Tcb::offered_shift());
                repr.sack_permitted = self.flags.sack_ok;
            }
        }
        if self.flags.ts_on {
            repr.timestamp = Some(TcpTimestamp {
                tsval: RttEstimator::timestamp(now),
                tsecr: self.rcv.ts_recent,
            });
        }
        if crate::config::TCP_SACK_OUT && self.flags.sack_ok && !syn && !self.assembler.is_empty() {
            let blocks = max_sack_blocks(self.flags.ts_on).min(MAX_SACK_BLOCKS);
            repr.sack_ranges = sack_blocks(&self.assembler, self.rcv.nxt, blocks);
        }
        if repr.ack_number.is_some() {
            self.flags.ack_now = false;
            self.timers.delack_at = None;
            self.rcv.unacked = 0;
        }
        repr
    }

    /// A segment of data (and FIN, if it completes the queued data) starting at `seq`,
    /// at most `max` bytes of data.
    #[inline(always)]
    fn data_segment(&mut self, seq: TcpSeqNumber, max: usize, now: Instant) -> Segment {
        let offset = seq.since(self.snd.tx_base);
        let avail = self.tx.len().saturating_sub(offset);
        let len = avail.min(max);
        let fin = self.flags.fin_queued && offset + len == self.tx.len() && len == avail;
        let control = if fin {
            TcpControl::Fin
        } else {
            TcpControl::None
        };
        let mut repr = self.header(seq, control, len, now);
        repr.push = len > 0 && offset + len == self.tx.len();
        Segment {
            repr,
            data_offset: offset,
        }
    }

    /// Notes that `seg` went out: SND.NXT/SND.MAX, RTT timing, the retransmission timer.
    fn sent(&mut self, seg: &Segment, retransmission: bool, now: Instant) {
        let len = seg.repr.segment_len();
        if len == 0 {
            return;
        }
        let end = seg.repr.seq_number + len;
        if retransmission || end <= self.snd.max {
            self.rtt.on_retransmit();
        } else {
            self.rtt.on_send(end, now);
        }
        if end > self.snd.nxt {
            self.snd.nxt = end;
        }
        if end > self.snd.max {
            self.snd.max = end;
        }
        if self.timers.rtx_at.is_none() {
            self.timers.rtx_at = Some(now + self.rtt.rto());
        }
        self.arm_tlp(now);
    }

    /// (Re)schedules the tail loss probe after a transmission or an ACK of new data (RFC
    /// 8985 §7.2): two smoothed round trips (at least [`TLP_MIN_PTO`]), plus the peer's
    /// delayed-ACK allowance when a single segment is out; none while recovering, after a
    /// timeout, once a probe is out, or when the retransmission timer fires first.
    pub(super) fn arm_tlp(&mut self, now: Instant) {
        self.timers.tlp_at = None;
        let flight = self.flight_size();
        if flight == 0
            || self.flags.tlp_in_flight
            || self.timers.retries > 0
            || self.cc.in_recovery()
            || !self.state.can_send()
        {
            return;
        }
        let Some(srtt) = self.rtt.srtt() else { return };
        let mut pto = (2 * srtt.millis()).max(TLP_MIN_PTO.millis());
        if flight <= self.snd.mss {
            pto += crate::tcp::input::DELAYED_ACK.millis();
        }
        let at = now + crate::time::Duration::from_millis(pto);
        if self.timers.rtx_at.is_none_or(|rto| rto > at) {
            self.timers.tlp_at = Some(at);
        }
    }

    /// The tail loss probe (RFC 8985 §7.3): a new segment if the peer's window takes one,
    /// else the last segment sent, again; either way the ACK it draws (with SACK blocks,
    /// or a duplicate ACK) starts fast recovery instead of waiting for the timeout.
    fn probe_tail(&mut self, mss: usize, now: Instant) -> Option<Segment> {
        self.flags.tlp_in_flight = true;
        let offset = self.snd.nxt.since(self.snd.tx_base);
        let avail = self.tx.len().saturating_sub(offset);
        let window_end = self.snd.una + self.snd.wnd;
        let seg = if avail > 0 && self.snd.nxt + avail.min(mss) <= window_end {
            let seg = self.data_segment(self.snd.nxt, mss, now);
            self.sent(&seg, false, now);
            seg
        } else {
            let len = self.snd.max.since(self.snd.una);
            if len == 0 {
                return None;
            }
            let back = len.min(mss);
            let seg = self.data_segment(self.snd.max - back, back, now);
            if seg.repr.segment_len() == 0 {
                return None;
            }
            self.sent(&seg, true, now);
            seg
        };
        self.timers.rtx_at = Some(now + self.rtt.rto());
        Some(seg)
    }

    /// A cheap test before [`next_segment`](Self::next_segment): `false` only when it would
    /// return `None` without changing anything (nothing owed, no data or FIN the windows
    /// let out, no timer to arm), which is what the last call of every output burst finds.
    #[inline]
    pub(super) fn may_output(&self) -> bool {
        self.flags.ack_now
            || self.flags.rexmit_una
            || self.flags.force_send
            || self.flags.tlp_probe
            || self.may_send_data()
    }

    /// An established connection whose only output now would be a bare ACK (no data, FIN,
    /// probe or retransmission the windows let out), with a small receive window
    /// ([`CARRY_MAX_SEGMENTS`]) or on a path clean for [`CARRY_CLEAN_FOR`]: its ACK may
    /// wait for the application's read.
    pub(super) fn owes_only_ack(&self, now: Instant) -> bool {
        self.state == TcpState::Established
            && self.flags.ack_now
            && !self.flags.rexmit_una
            && !self.flags.force_send
            && !self.flags.tlp_probe
            && (self.rx.capacity() <= CARRY_MAX_SEGMENTS * self.rcv.mss
                || self
                    .timers
                    .disorder_at
                    .is_none_or(|t| now.saturating_since(t) >= CARRY_CLEAN_FOR))
            && !self.may_send_data()
    }

    /// [`may_output`](Self::may_output) for everything but an owed ACK or a flagged
    /// retransmission: a SYN, data or a FIN the windows let out, or a timer to arm.
    #[inline]
    fn may_send_data(&self) -> bool {
        match self.state {
            s if s.can_send() => {}
            TcpState::SynSent | TcpState::SynReceived => return self.snd.nxt == self.hs.iss,
            _ => return false,
        }
        if self.flags.sack_ok && self.cc.in_recovery() {
            return true;
        }
        if self.flags.fin_queued && self.snd.nxt > self.fin_seq_out() {
            return false;
        }
        let avail = self
            .tx
            .len()
            .saturating_sub(self.snd.nxt.since(self.snd.tx_base));
        if avail == 0 {
            return self.flags.fin_queued;
        }
        let flight = self.flight_size();
        if flight == 0 {
            return true;
        }
        let mss = self.snd.mss.saturating_sub(self.snd.opt_reserve).max(1);
        let cwnd = self.cc.window() + self.limited_transmit.min(2) as usize * mss;
        self.snd.wnd.min(cwnd) > flight
    }

    /// The next segment to send now, if any; updates the send state as if it was sent.
    pub(super) fn next_segment(&mut self, now: Instant) -> Option<Segment> {
        match self.state {
            TcpState::Closed | TcpState::Listen | TcpState::TimeWait => {
                return self.flags.ack_now.then(|| Segment {
                    repr: self.header(self.snd.nxt, TcpControl::None, 0, now),
                    data_offset: 0,
                });
            }
            TcpState::SynSent | TcpState::SynReceived => {
                if self.snd.nxt == self.hs.iss {
                    let seg = Segment {
                        repr: self.header(self.hs.iss, TcpControl::Syn, 0, now),
                        data_offset: 0,
                    };
                    let again = self.snd.max > self.hs.iss;
                    self.sent(&seg, again, now);
                    return Some(seg);
                }
                if self.state == TcpState::SynSent || !self.flags.ack_now {
                    return None;
                }
                return Some(Segment {
                    repr: self.header(self.snd.nxt, TcpControl::None, 0, now),
                    data_offset: 0,
                });
            }
            _ => {}
        }
        // Room for the product's TCP options (`tcp_out_tcpopt_length`) comes out of the data.
        let mss = self.snd.mss.saturating_sub(self.snd.opt_reserve).max(1);
        // Retransmit the first unacknowledged segment (fast retransmit, partial ACK).
        if self.flags.rexmit_una {
            self.flags.rexmit_una = false;
            if self.snd.max > self.snd.una {
                let max = mss.min(self.snd.max.since(self.snd.una));
                let seg = self.data_segment(self.snd.una, max, now);
                if seg.repr.segment_len() > 0 {
                    self.scoreboard
                        .on_retransmit(self.snd.una, seg.repr.payload_len);
                    self.sent(&seg, true, now);
                    return Some(seg);
                }
            }
        }
        if core::mem::take(&mut self.flags.tlp_probe)
            && !self.cc.in_recovery()
            && let Some(seg) = self.probe_tail(mss, now)
        {
            return Some(seg);
        }
        // SACK-based loss recovery (RFC 6675 §5): retransmit lost holes while the pipe
        // leaves room in cwnd.
        if self.flags.sack_ok && self.cc.in_recovery() && !self.scoreboard.is_empty() {
            let pipe = self.scoreboard.pipe(self.snd.una, self.snd.max, mss);
            if pipe + mss <= self.cc.window()
                && let Some((seq, len)) =
                    self.scoreboard
                        .next_seg_to_retransmit(self.snd.una, self.snd.max, mss)
                && seq < self.snd.max
            {
                let seg = self.data_segment(seq, len, now);
                if seg.repr.payload_len > 0 {
                    self.scoreboard.on_retransmit(seq, seg.repr.payload_len);
                    self.sent(&seg, true, now);
                    return Some(seg);
                }
            }
        }
        // New data and FIN.
        if self.state.can_send() && !(self.flags.fin_queued && self.snd.nxt > self.fin_seq_out()) {
            let offset = self.snd.nxt.since(self.snd.tx_base);
            let avail = self.tx.len().saturating_sub(offset);
            let flight = self.flight_size();
            let cwnd = if self.flags.sack_ok && self.cc.in_recovery() {
                // RFC 6675: new data only while pipe < cwnd.
                let pipe = self.scoreboard.pipe(self.snd.una, self.snd.max, mss);
                self.cc.window().saturating_sub(pipe) + flight
            } else {
                // Limited transmit (RFC 3042): up to two segments beyond cwnd while the
                // first duplicate ACKs arrive.
                self.cc.window() + self.limited_transmit.min(2) as usize * mss
            };
            let wnd = self.snd.wnd.min(cwnd);
            let usable = wnd.saturating_sub(flight);
            let len = avail.min(mss).min(usable);
            let fin_pending = self.flags.fin_queued && len == avail;
            let send = if len == 0 {
                // A bare FIN fits any window (it is not data); honour cwnd loosely.
                fin_pending && (usable > 0 || flight == 0 || self.snd.wnd == 0)
            } else if len == mss {
                true
            } else {
                // Nagle (RFC 9293 §3.7.4) and sender SWS avoidance (§3.8.6.2.1): a short
                // segment only when it empties the buffer and nothing is outstanding (or
                // Nagle is off), or it is at least half the largest window seen.
                let all = len == avail;
                (all && (self.options.nodelay || flight == 0 || fin_pending))
                    || len >= self.snd.max_wnd / 2 && self.snd.max_wnd > 0
            };
            let send = send || (self.flags.force_send && len > 0);
            if send && (len > 0 || fin_pending) && (self.snd.wnd > 0 || len == 0) {
                self.flags.force_send = false;
                self.cc.on_send(now, flight, self.rtt.rto());
                let seg = self.data_segment(self.snd.nxt, len, now);
                self.sent(&seg, false, now);
                return Some(seg);
            }
            // Zero window with data waiting and nothing in flight: probe (RFC 9293
            // §3.8.6.1).
            // The same timer overrides sender SWS avoidance when a short segment was held
            // back with nothing in flight (RFC 9293 §3.8.6.2.1).
            if avail > 0 && flight == 0 && self.timers.persist_at.is_none() {
                self.timers.rtx_at = None;
                let backoff = 1u64 << self.persist_backoff.min(6);
                let rto = self.rtt.rto().millis().saturating_mul(backoff).min(60_000);
                self.timers.persist_at = Some(now + crate::time::Duration::from_millis(rto));
            }
        }
        if self.flags.ack_now {
            return Some(Segment {
                repr: self.header(self.snd.nxt, TcpControl::None, 0, now),
                data_offset: 0,
            });
        }
        None
    }

    /// A zero-window probe: one byte at SND.UNA beyond the window (RFC 9293 §3.8.6.1).
    pub(super) fn probe_segment(&mut self, now: Instant) -> Option<Segment> {
        if self.tx.is_empty() {
            return None;
        }
        let seg = self.data_segment(self.snd.una, 1, now);
        let end = self.snd.una + 1;
        if end > self.snd.nxt {
            self.snd.nxt = end;
        }
        if end > self.snd.max {
            self.snd.max = end;
        }
        Some(seg)
    }

    /// A keepalive probe: SEG.SEQ = SND.NXT − 1, no data (RFC 1122 §4.2.3.6).
    pub(super) fn keepalive_segment(&mut self, now: Instant) -> Segment {
        Segment {
            repr: self.header(self.snd.nxt - 1, TcpControl::None, 0, now),
            data_offset: 0,
        }
    }

    /// A reset to abort the connection (RFC 9293 §3.10.5 ABORT).
    pub(super) fn reset_segment(&self) -> Segment {
        Segment {
            repr: TcpRepr {
                src_port: self.local_port,
                dst_port: self.remote_port,
                control: TcpControl::Rst,
                seq_number: self.snd.nxt,
                ack_number: Some(self.rcv.nxt),
                ..TcpRepr::default()
            },
            data_offset: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::testing::{closed, sending as est};

    #[test]
    fn segments_are_cut_to_the_mss_and_nagle_holds_the_tail() {
        let mut t = est();
        t.tx.enqueue(&[9; 2500]);
        let s = t.next_segment(Instant::ZERO).expect("first");
        assert_eq!(s.repr.payload_len, 1000);
        assert_eq!(s.repr.ack_number, Some(TcpSeqNumber(5001)));
        let s = t.next_segment(Instant::ZERO).expect("second");
        assert_eq!(s.repr.payload_len, 1000);
        if t.cc.window() >= 3000 {
            // 500 bytes left, data in flight: Nagle waits.
            assert!(t.next_segment(Instant::ZERO).is_none());
            t.options.nodelay = true;
            let s = t.next_segment(Instant::ZERO).expect("nodelay");
            assert_eq!(s.repr.payload_len, 500);
            assert!(s.repr.push);
        }
        assert!(t.timers.rtx_at.is_some());
    }

    #[test]
    fn an_unsent_segment_goes_out_again_as_new_data() {
        let mut t = est();
        t.tx.enqueue(&[9; 1000]);
        let mark = t.send_mark();
        let s = t.next_segment(Instant::ZERO).expect("segment");
        assert!(t.timers.rtx_at.is_some() && t.rtt.is_timing());
        t.unsend(mark, Instant::ZERO);
        assert_eq!((t.snd.nxt, t.snd.max), (t.snd.una, t.snd.una));
        assert_eq!(
            t.timers.rtx_at, None,
            "no retransmission timer for what never left"
        );
        assert!(!t.rtt.is_timing());
        assert!(t.timers.retry_at.is_some_and(|r| r > Instant::ZERO));
        assert_eq!(t.next_deadline(), t.timers.retry_at);
        let again = t.next_segment(Instant::ZERO).expect("again");
        assert_eq!(again.repr.seq_number, s.repr.seq_number);
        assert_eq!(again.repr.payload_len, s.repr.payload_len);
        assert!(t.rtt.is_timing(), "timed: not a retransmission");
    }

    #[test]
    fn may_output_is_false_only_when_nothing_would_go_out() {
        let mut t = est();
        assert!(!t.may_output(), "nothing queued");
        // The peer's window takes two segments; more data waits.
        t.snd.wnd = 2000;
        t.tx.enqueue(&[9; 2500]);
        assert!(t.may_output());
        assert!(t.next_segment(Instant::ZERO).is_some());
        assert!(t.may_output());
        assert!(t.next_segment(Instant::ZERO).is_some());
        assert!(!t.may_output(), "the window is full");
        assert!(t.next_segment(Instant::ZERO).is_none());
        t.flags.ack_now = true;
        assert!(t.may_output());
    }

    #[test]
    fn a_batch_ack_waits_for_the_read_on_a_small_window_or_a_clean_path() {
        let mut t = est();
        t.flags.ack_now = true;
        let now = Instant::from_secs(10);
        assert!(
            t.owes_only_ack(now),
            "nothing else to send, no disorder seen"
        );
        t.timers.disorder_at = Some(now - crate::time::Duration::from_millis(100));
        let small = t.rx.capacity() <= CARRY_MAX_SEGMENTS * t.rcv.mss;
        assert_eq!(
            t.owes_only_ack(now),
            small,
            "a large window's ACK goes at once while disorder is recent"
        );
        t.timers.disorder_at = Some(now - CARRY_CLEAN_FOR);
        assert!(t.owes_only_ack(now), "the path is clean again");
        t.tx.enqueue(&[1; 100]);
        assert!(!t.owes_only_ack(now), "data goes out with the ACK");
    }

    #[test]
    fn an_unsent_ack_is_owed_again() {
        let mut t = est();
        t.flags.ack_now = true;
        let mark = t.send_mark();
        assert!(t.next_segment(Instant::ZERO).is_some());
        assert!(!t.flags.ack_now);
        t.unsend(mark, Instant::ZERO);
        assert!(t.flags.ack_now);
    }

    #[test]
    fn fin_follows_the_data() {
        let mut t = est();
        t.tx.enqueue(b"bye");
        t.flags.fin_queued = true;
        t.state = TcpState::FinWait1;
        let s = t.next_segment(Instant::ZERO).expect("segment");
        assert_eq!(s.repr.control, TcpControl::Fin);
        assert_eq!(s.repr.payload_len, 3);
        assert_eq!(t.snd.nxt, TcpSeqNumber(105));
        assert!(t.next_segment(Instant::ZERO).is_none());
    }

    #[test]
    fn receiver_window_moves_by_useful_amounts_only() {
        let mut t = est();
        let cap = t.rx.capacity();
        let w = usize::from(t.window_field(false)) << t.rcv.shift;
        assert_eq!(w, cap.min(65535 << t.rcv.shift));
        // Fill the buffer, then read a little: the edge does not move for a tiny gain.
        t.rx.enqueue(&alloc::vec![0; cap]);
        t.rcv.nxt += cap;
        assert_eq!(t.window_field(false), 0);
        let mut small = [0u8; 10];
        t.rx.dequeue(&mut small);
        assert_eq!(t.window_field(false), 0, "silly window avoided");
        let mut big = alloc::vec![0u8; cap];
        t.rx.dequeue(&mut big);
        assert!(t.window_field(false) > 0);
    }

    #[test]
    fn zero_window_arms_the_persist_timer_and_probes_one_byte() {
        let mut t = est();
        t.snd.wnd = 0;
        t.tx.enqueue(&[1; 100]);
        assert!(t.next_segment(Instant::ZERO).is_none());
        assert!(t.timers.persist_at.is_some());
        let probe = t.probe_segment(Instant::ZERO).expect("probe");
        assert_eq!(probe.repr.payload_len, 1);
        assert_eq!(probe.repr.seq_number, t.snd.una);
    }

    #[test]
    fn end_of_list_padding_becomes_nops() {
        // MSS, window scale, then End of Option List padding.
        let mut opts = [2, 4, 5, 180, 3, 3, 7, 0];
        end_of_list_to_nop(&mut opts);
        assert_eq!(opts, [2, 4, 5, 180, 3, 3, 7, 1]);
        // A bad length stops the walk without touching anything.
        let mut bad = [8, 0, 0, 0];
        end_of_list_to_nop(&mut bad);
        assert_eq!(bad, [8, 0, 0, 0]);
    }

    #[cfg(not(netstack_hook_tcp_out_tcpopt_length = "none"))]
    #[test]
    fn product_option_room_is_rounded_and_bounded() {
        assert_eq!(custom_options_len(12, 12), 0, "nothing asked");
        assert_eq!(custom_options_len(12, 8), 0, "less than the stack's own");
        assert_eq!(custom_options_len(12, 15), 4, "rounded up to 4");
        assert_eq!(custom_options_len(12, 100), 28, "within 40");
        assert_eq!(custom_options_len(20, usize::MAX), 20);
        assert_eq!(custom_options_len(40, 44), 0, "no room left");
    }

    #[test]
    fn syn_offers_options() {
        let mut t = closed();
        t.state = TcpState::SynSent;
        let s = t.next_segment(Instant::ZERO).expect("syn");
        assert_eq!(s.repr.control, TcpControl::Syn);
        assert_eq!(s.repr.ack_number, None);
        assert_eq!(s.repr.max_seg_size, Some(1460));
        // SACK is announced only when the stack sends SACK blocks (lwIP's SACK_OUT).
        assert_eq!(s.repr.sack_permitted, crate::config::TCP_SACK_OUT);
        assert!(s.repr.timestamp.is_some());
        assert_eq!(s.repr.window_scale, Tcb::offered_shift());
        assert_eq!(t.snd.nxt, TcpSeqNumber(101));
    }
}
