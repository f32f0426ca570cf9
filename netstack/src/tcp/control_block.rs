//! One connection's control block (lwIP's `tcp_pcb`, RFC 9293 §3.3.1 "Transmission Control
//! Block"): the send and receive sequence variables, both byte buffers (allocated once, when
//! the block is created), the negotiated options, the estimators and the timers.
//!
//! The state machine itself is split by direction: `input` (segment arrival,
//! RFC 9293 §3.10.7), `output` (what to send next, §3.10.4 and §3.8) and
//! `timers` (retransmission, persist, delayed ACK, keepalive, TIME-WAIT).

use core::net::Ipv4Addr;

use crate::config;
use crate::error::Error;
use crate::time::{Duration, Instant, earliest};
use crate::wire::TcpTimestamp;

use super::{Assembler, NewReno, RingBuffer, RttEstimator, SackScoreboard, TcpSeqNumber, TcpState};

/// Keepalive parameters of a connection (RFC 1122 §4.2.3.6; lwIP `TCP_KEEPIDLE_DEFAULT`,
/// `TCP_KEEPINTVL_DEFAULT`, `TCP_KEEPCNT_DEFAULT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeepAlive {
    /// `SO_KEEPALIVE`: probe an idle connection (off by default).
    pub enabled: bool,
    /// `TCP_KEEPIDLE`: idle time before the first probe (default 7200 s).
    pub idle: Duration,
    /// `TCP_KEEPINTVL`: time between unanswered probes (default 75 s).
    pub interval: Duration,
    /// `TCP_KEEPCNT`: unanswered probes before the peer is declared dead (default 9).
    pub count: u32,
}

impl Default for KeepAlive {
    fn default() -> KeepAlive {
        KeepAlive {
            enabled: false,
            idle: Duration::from_secs(7200),
            interval: Duration::from_secs(75),
            count: 9,
        }
    }
}

/// Per-connection options (the `setsockopt` ones TCP reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TcpSocketOptions {
    /// `TCP_NODELAY`: no Nagle algorithm (RFC 9293 §3.7.4); off by default.
    pub nodelay: bool,
    /// Keepalive probing.
    pub keepalive: KeepAlive,
}

/// What happened to a connection or listener since the API layer last looked (a bit set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TcpEvents(u8);

impl TcpEvents {
    /// Nothing happened.
    pub const NONE: TcpEvents = TcpEvents(0);
    /// Data (or the peer's FIN) arrived.
    pub const RECEIVED: TcpEvents = TcpEvents(1);
    /// Room appeared in the send buffer.
    pub const SENT: TcpEvents = TcpEvents(2);
    /// An error became pending (reset, timeout, ICMP).
    pub const ERROR: TcpEvents = TcpEvents(4);
    /// The connection was established.
    pub const CONNECTED: TcpEvents = TcpEvents(8);
    /// The connection ended (both sides closed, or it was reset).
    pub const CLOSED: TcpEvents = TcpEvents(16);
    /// A listener has a connection to accept.
    pub const ACCEPT: TcpEvents = TcpEvents(32);

    /// Whether every event of `other` is in `self`.
    pub const fn contains(self, other: TcpEvents) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether nothing happened.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl core::ops::BitOr for TcpEvents {
    type Output = TcpEvents;
    fn bitor(self, rhs: TcpEvents) -> TcpEvents {
        TcpEvents(self.0 | rhs.0)
    }
}

impl core::ops::BitOrAssign for TcpEvents {
    fn bitor_assign(&mut self, rhs: TcpEvents) {
        self.0 |= rhs.0;
    }
}

/// Readiness of a connection or listener for poll/select.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TcpReadiness {
    /// A receive would not block: data, the peer's FIN (EOF) or an error is pending.
    pub readable: bool,
    /// A send would not block: the connection is open for sending and has buffer room.
    pub writable: bool,
    /// An error is pending.
    pub error: bool,
    /// The peer closed its side, or the connection is gone (`POLLHUP`/`POLLRDHUP`).
    pub hup: bool,
    /// A listener has a connection waiting in its accept queue.
    pub accept_ready: bool,
}

/// Largest number of out-of-order ranges a receiver keeps (lwIP keeps out-of-order pbufs
/// in a list; `config::TCP_OOSEQ_MAX_PBUFS` limits them further when non-zero).
pub const OOSEQ_RANGES: usize = 8;

/// The initial MSS assumed when the peer sends no MSS option (RFC 9293 §3.7.1).
pub const DEFAULT_MSS: usize = 536;

/// The connection's timers (RFC 6298 §5, RFC 9293 §3.8.6.1, RFC 1122 §4.2.3.2 and
/// §4.2.3.6, RFC 8985 §7.2): each an absolute deadline, `None` when not armed, and the
/// counters of the two that back off. Read by every poll (`Tcb::next_deadline`) and set by
/// most segments, so it comes first after the scoreboard.
#[derive(Debug)]
#[repr(C)]
pub(super) struct Timers {
    /// Retransmission timeout.
    pub rtx_at: Option<Instant>,
    /// Zero-window probe (persist) or SWS override.
    pub persist_at: Option<Instant>,
    /// Tail loss probe timeout (RFC 8985 §7.2): fires when a flight got no ACK for two
    /// round trips, well before the retransmission timeout.
    pub tlp_at: Option<Instant>,
    /// Delayed ACK.
    pub delack_at: Option<Instant>,
    /// Next keepalive probe.
    pub keep_at: Option<Instant>,
    /// A segment could not be transmitted (device or queue full): output again then
    /// (lwIP's `TF_NAGLEMEMERR`, retried by `tcp_fasttmr`).
    pub retry_at: Option<Instant>,
    /// TIME-WAIT end or FIN-WAIT-2 timeout.
    pub wait_at: Option<Instant>,
    /// When data last arrived out of order or twice (a loss or reordering sign): while
    /// recent, every batch ACK goes out at once (see `Tcb::owes_only_ack`).
    pub disorder_at: Option<Instant>,
    /// Last time a segment arrived (keepalive idle time, out-of-order lifetime).
    pub last_rx: Instant,
    /// Retransmissions of the current flight (or SYN) without progress.
    pub retries: u32,
    /// Keepalive probes sent without an answer.
    pub keep_probes: u32,
}

/// The send sequence space (RFC 9293 §3.3.1: SND.UNA, SND.NXT, SND.WND, SND.WL1, SND.WL2)
/// and what sizes our segments. Read by every segment sent and every ACK received.
#[derive(Debug)]
#[repr(C)]
pub(super) struct SendSeq {
    /// SND.WND: the peer's window, scaled, bytes.
    pub wnd: usize,
    /// The largest window the peer ever offered (receiver SWS avoidance of the sender,
    /// RFC 9293 §3.8.6.2.1).
    pub max_wnd: usize,
    /// Our largest segment to send (the peer's MSS option, clamped to ours).
    pub mss: usize,
    /// Option bytes the product adds to data segments (`tcp_out_tcpopt_length`), taken
    /// from their data.
    pub opt_reserve: usize,
    /// SND.UNA: the oldest unacknowledged sequence number.
    pub una: TcpSeqNumber,
    /// SND.NXT: the next sequence number to send.
    pub nxt: TcpSeqNumber,
    /// One past the highest sequence number ever sent (after a timeout SND.NXT goes back).
    pub max: TcpSeqNumber,
    /// SND.WL1: the segment sequence number of the last window update.
    pub wl1: TcpSeqNumber,
    /// SND.WL2: the acknowledgment number of the last window update.
    pub wl2: TcpSeqNumber,
    /// Sequence number of the first byte of the send ring.
    pub tx_base: TcpSeqNumber,
    /// Shift the peer applies to its window field (RFC 7323 §2).
    pub shift: u8,
}

/// The receive sequence space (RFC 9293 §3.3.1: RCV.NXT, the advertised window) and what
/// acknowledging it needs: the delayed-ACK count and the timestamp to echo (RFC 7323 §4.3).
#[derive(Debug)]
#[repr(C)]
pub(super) struct RecvSeq {
    /// Bytes received since we last sent an ACK.
    pub unacked: usize,
    /// The MSS we announced.
    pub mss: usize,
    /// When TS.Recent was taken, for PAWS's 24-day rule.
    pub ts_recent_age: Instant,
    /// RCV.NXT: the next sequence number expected.
    pub nxt: TcpSeqNumber,
    /// The right edge of the window last advertised (never moves left, RFC 9293 §3.8.6).
    pub adv: TcpSeqNumber,
    /// Sequence number of a FIN that arrived ahead of missing data.
    pub fin_seq: Option<TcpSeqNumber>,
    /// TS.Recent (RFC 7323 §4.3).
    pub ts_recent: u32,
    /// Shift we apply to our window field (RFC 7323 §2).
    pub shift: u8,
}

/// What the connection has agreed, owes or was told, one bit each (lwIP's `TF_*` flags);
/// all clear on a new block.
#[derive(Debug, Default)]
#[repr(C)]
pub(super) struct Flags {
    /// The application closed its sending side: a FIN follows the data in the send ring.
    pub fin_queued: bool,
    /// The peer's FIN arrived (in order).
    pub fin_received: bool,
    /// Out-of-order data arrived (kept or not) since the last in-order segment: the next
    /// in-order one is acknowledged at once (RFC 5681 §4.2).
    pub ooo_seen: bool,
    /// Send an ACK at the next output.
    pub ack_now: bool,
    /// Timestamps in use (RFC 7323 §3).
    pub ts_on: bool,
    /// SACK is in use (RFC 2018): both sides announced it (we do only with
    /// `config::TCP_SACK_OUT`, as lwIP's `LWIP_TCP_SACK_OUT`), so we send blocks, read the
    /// peer's and count duplicate ACKs by RFC 6675 §2.
    pub sack_ok: bool,
    /// Retransmit the first unacknowledged segment at the next output (fast retransmit,
    /// partial ACK).
    pub rexmit_una: bool,
    /// The probe timeout fired: the next output sends the probe (RFC 8985 §7.3).
    pub tlp_probe: bool,
    /// A probe is out and no new data was acknowledged since: at most one per tail.
    pub tlp_in_flight: bool,
    /// Set when the handshake completed during the latest input, for the listener.
    pub newly_established: bool,
    /// The SWS override timer fired: send a short segment even if SWS avoidance would wait.
    pub force_send: bool,
    /// The application gave the handle up (closed it): the block is freed once the
    /// connection reaches CLOSED. (A connection not yet accepted has `listener` set; its
    /// data is kept for the application that accepts it.)
    pub orphan: bool,
    /// `shutdown(SHUT_RD)`: data is acknowledged and dropped.
    pub shut_rd: bool,
    /// In its listener's accept queue.
    pub accept_queued: bool,
    /// A SYN (or SYN-ACK) had to be sent again (RFC 6298 §5.7).
    pub syn_retransmitted: bool,
}

/// What only the handshake reads (RFC 9293 §3.3.1 ISS and IRS; RFC 7323 §2.2): cold.
#[derive(Debug)]
#[repr(C)]
pub(super) struct Handshake {
    /// ISS: our initial send sequence number.
    pub iss: TcpSeqNumber,
    /// IRS: the peer's initial sequence number.
    pub irs: TcpSeqNumber,
    /// Whether the peer offered window scaling in its SYN (and the shift it offered).
    pub peer_ws: Option<u8>,
}

/// One connection's control block (RFC 9293 §3.3.1), private to the `tcp` module: the
/// stack reaches it through `glue` and the application through the `Stack::tcp_*` calls.
///
/// Its state is grouped by meaning — [`Timers`], the send ([`SendSeq`]) and receive
/// ([`RecvSeq`]) sequence spaces, [`Flags`], the [`Handshake`] — and laid out for speed
/// (`repr(C)`, cache-line aligned) so that what every segment, poll and API call touches
/// shares as few cache lines as possible: in a bulk transfer the payload copies evict the
/// L1 cache between rounds, so each line of the block read per round is a miss. The SACK
/// scoreboard comes first (its ranges fill line 0, its count and HighRxt start line 1),
/// then the groups read per segment and per poll, the buffers and estimators, the
/// endpoints, state and flags, then the reassembly state (its count first) and what only
/// the handshake, errors and `setsockopt` read.
#[derive(Debug)]
#[repr(C, align(64))]
pub(super) struct Tcb {
    pub scoreboard: SackScoreboard,
    pub timers: Timers,
    pub snd: SendSeq,
    pub rcv: RecvSeq,
    /// The listener slot this connection came from while it is not yet accepted.
    pub listener: Option<usize>,
    /// The send ring: data queued by the application, from SND.UNA on.
    pub tx: RingBuffer,
    /// The receive ring: data in order, not yet read by the application.
    pub rx: RingBuffer,
    pub rtt: RttEstimator,
    pub cc: NewReno,

    // Endpoints (what `TcpTable::find_conn` compares).
    pub local_addr: Ipv4Addr,
    pub remote_addr: Ipv4Addr,
    pub local_port: u16,
    pub remote_port: u16,

    pub state: TcpState,
    pub events: TcpEvents,
    pub flags: Flags,
    /// Duplicate ACKs that allow a segment beyond cwnd (RFC 3042).
    pub limited_transmit: u8,
    /// Pending error for the application (`SO_ERROR`).
    pub error: Option<Error>,
    /// A soft error (ICMP) reported if the connection later times out (RFC 1122 §4.2.3.9).
    pub soft_error: Option<Error>,

    // Read per output (Nagle, keepalive) and per segment (`assembler.is_empty()`); the
    // assembler's ranges and what follows are cold.
    pub options: TcpSocketOptions,
    pub assembler: Assembler<OOSEQ_RANGES>,

    // Cold: the handshake, probes.
    pub hs: Handshake,
    pub persist_backoff: u32,
    /// Last challenge ACK sent (RFC 5961 §7 rate limit, one per RTT-ish interval).
    pub last_challenge: Option<Instant>,
}

impl Tcb {
    /// A block for a connection between the given endpoints, starting at `iss`, with `mss`
    /// the largest segment the route allows (route MTU − 40, at most `config::TCP_MSS`).
    pub(super) fn new(
        local: (Ipv4Addr, u16),
        remote: (Ipv4Addr, u16),
        iss: TcpSeqNumber,
        mss: usize,
        now: Instant,
    ) -> Tcb {
        let mss = mss.max(64);
        Tcb {
            scoreboard: SackScoreboard::new(),
            timers: Timers {
                rtx_at: None,
                persist_at: None,
                tlp_at: None,
                delack_at: None,
                keep_at: None,
                retry_at: None,
                wait_at: None,
                disorder_at: None,
                last_rx: now,
                retries: 0,
                keep_probes: 0,
            },
            snd: SendSeq {
                wnd: 0,
                max_wnd: 0,
                mss: DEFAULT_MSS.min(mss),
                opt_reserve: 0,
                una: iss,
                nxt: iss,
                max: iss,
                wl1: TcpSeqNumber(0),
                wl2: iss,
                tx_base: iss + 1,
                shift: 0,
            },
            rcv: RecvSeq {
                unacked: 0,
                mss,
                ts_recent_age: now,
                nxt: TcpSeqNumber(0),
                adv: TcpSeqNumber(0),
                fin_seq: None,
                ts_recent: 0,
                shift: 0,
            },
            listener: None,
            tx: RingBuffer::new(config::TCP_SND_BUF_DEFAULT.max(1)),
            rx: RingBuffer::new(config::TCP_WND_DEFAULT.max(1)),
            rtt: RttEstimator::new(),
            cc: NewReno::new(DEFAULT_MSS.min(mss), iss),
            local_addr: local.0,
            remote_addr: remote.0,
            local_port: local.1,
            remote_port: remote.1,
            state: TcpState::Closed,
            events: TcpEvents::NONE,
            flags: Flags::default(),
            limited_transmit: 0,
            error: None,
            soft_error: None,
            options: TcpSocketOptions::default(),
            assembler: Assembler::new(),
            hs: Handshake {
                iss,
                irs: TcpSeqNumber(0),
                peer_ws: None,
            },
            persist_backoff: 0,
            last_challenge: None,
        }
    }

    /// Our receive window scale shift to offer: `config::TCP_RCV_SCALE` when
    /// `config::WND_SCALE`.
    #[allow(clippy::unnecessary_min_or_max)] // the clamp matters for other configurations
    pub(super) fn offered_shift() -> Option<u8> {
        config::WND_SCALE.then_some(config::TCP_RCV_SCALE.min(crate::wire::tcp::MAX_WINDOW_SCALE))
    }

    /// Applies the options of the peer's SYN (RFC 9293 §3.7.1 MSS, RFC 7323 §2.2 window
    /// scale and §3.2 timestamps, RFC 2018 §2 SACK-permitted). `we_offered` says whether our
    /// SYN carried window scale and timestamps (active open); on a passive open we answer
    /// whatever the peer offered.
    pub(super) fn negotiate(
        &mut self,
        mss: Option<u16>,
        ws: Option<u8>,
        ts: Option<TcpTimestamp>,
        sack: bool,
        now: Instant,
    ) {
        let peer_mss = mss.map_or(DEFAULT_MSS, usize::from).max(64);
        self.snd.mss = peer_mss.min(self.rcv.mss);
        self.cc = NewReno::new(self.snd.mss, self.hs.iss);
        self.hs.peer_ws = ws;
        match (ws, Self::offered_shift()) {
            (Some(peer), Some(ours)) => {
                self.snd.shift = peer.min(crate::wire::tcp::MAX_WINDOW_SCALE);
                self.rcv.shift = ours;
            }
            _ => {
                self.snd.shift = 0;
                self.rcv.shift = 0;
            }
        }
        if let Some(ts) = ts {
            self.flags.ts_on = true;
            self.rcv.ts_recent = ts.tsval;
            self.rcv.ts_recent_age = now;
        } else {
            self.flags.ts_on = false;
        }
        self.flags.sack_ok = sack && config::TCP_SACK_OUT;
    }

    /// Bytes sent and not yet acknowledged (sequence space, incl. SYN/FIN).
    pub(super) fn flight_size(&self) -> usize {
        self.snd.nxt.max(self.snd.una).since(self.snd.una)
    }

    /// Sequence number of our FIN (valid when `fin_queued`).
    pub(super) fn fin_seq_out(&self) -> TcpSeqNumber {
        self.snd.tx_base + self.tx.len()
    }

    /// Whether our FIN was acknowledged.
    pub(super) fn fin_acked(&self) -> bool {
        self.flags.fin_queued && self.snd.una > self.fin_seq_out()
    }

    /// Records an event for the API layer.
    pub(super) fn post(&mut self, events: TcpEvents) {
        self.events |= events;
    }

    /// Moves to CLOSED with `error` pending (None: an orderly end).
    pub(super) fn terminate(&mut self, error: Option<Error>) {
        self.state = TcpState::Closed;
        self.timers.rtx_at = None;
        self.timers.retry_at = None;
        self.timers.persist_at = None;
        self.timers.delack_at = None;
        self.timers.keep_at = None;
        self.timers.wait_at = None;
        if let Some(e) = error {
            self.error = Some(e);
            self.post(TcpEvents::ERROR);
        }
        self.post(TcpEvents::CLOSED | TcpEvents::RECEIVED | TcpEvents::SENT);
    }

    /// Whether the block can be freed: CLOSED and nobody will ask about it (closed by the
    /// application, or a half-open connection of a listener that never completed).
    pub(super) fn is_dead(&self) -> bool {
        self.state == TcpState::Closed
            && (self.flags.orphan || self.listener.is_some() && !self.flags.accept_queued)
    }

    /// Enters TIME-WAIT for 2·MSL (RFC 9293 §3.6.1).
    pub(super) fn enter_time_wait(&mut self, now: Instant) {
        self.state = TcpState::TimeWait;
        self.timers.rtx_at = None;
        self.timers.persist_at = None;
        self.timers.keep_at = None;
        self.timers.wait_at = Some(now + Duration::from_millis(2 * u64::from(config::TCP_MSL)));
        self.post(TcpEvents::CLOSED);
    }

    /// The earliest timer of the block (asked for each connection touched since the last
    /// poll, so branch-free).
    #[inline]
    pub(super) fn next_deadline(&self) -> Option<Instant> {
        let next = earliest([
            self.timers.rtx_at,
            self.timers.persist_at,
            self.timers.tlp_at,
            self.timers.delack_at,
            self.timers.keep_at,
            self.timers.wait_at,
            self.timers.retry_at,
        ]);
        if self.assembler.is_empty() {
            return next;
        }
        earliest([next, self.ooseq_deadline()])
    }

    /// When out-of-order data held for reassembly is given up (lwIP `tcp_slowtmr` with
    /// `TCP_OOSEQ_TIMEOUT`): `config::TCP_OOSEQ_TIMEOUT` × the RTO after the last segment
    /// arrived, the RTO taken as at least `config::TCP_RTO_TIME`. The hole is filled by the
    /// peer's retransmission timer, not ours: a receiver's own estimate (a handshake sample,
    /// often the 200 ms floor) says little about a sender that is backing off, and lwIP's
    /// receive-only connections keep the initial RTO. Dropping the data while the peer is
    /// still recovering the hole would make it send everything again.
    pub(super) fn ooseq_deadline(&self) -> Option<Instant> {
        (!self.assembler.is_empty()).then(|| {
            let rto = self.rtt.rto().millis().max(u64::from(config::TCP_RTO_TIME));
            self.timers.last_rx
                + Duration::from_millis(rto.saturating_mul(u64::from(config::TCP_OOSEQ_TIMEOUT)))
        })
    }

    /// Arms the keepalive timer from the last arrival, when enabled and open.
    pub(super) fn arm_keepalive(&mut self) {
        let ka = self.options.keepalive;
        self.timers.keep_at = (ka.enabled
            && matches!(self.state, TcpState::Established | TcpState::CloseWait))
        .then(|| {
            if self.timers.keep_probes == 0 {
                self.timers.last_rx + ka.idle
            } else {
                self.timers.last_rx
                    + ka.idle
                    + Duration::from_millis(
                        ka.interval.millis() * u64::from(self.timers.keep_probes),
                    )
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::testing::closed as tcb;

    #[test]
    fn negotiation_clamps_mss_and_scaling() {
        let mut t = tcb();
        t.negotiate(Some(9000), Some(20), None, true, Instant::ZERO);
        assert_eq!(t.snd.mss, 1460);
        assert_eq!(
            t.flags.sack_ok,
            config::TCP_SACK_OUT,
            "SACK only when we announce it too"
        );
        assert!(!t.flags.ts_on);
        if config::WND_SCALE {
            assert_eq!(t.snd.shift, 14);
            assert_eq!(t.rcv.shift, config::TCP_RCV_SCALE);
        } else {
            assert_eq!((t.snd.shift, t.rcv.shift), (0, 0));
        }
        t.negotiate(
            None,
            None,
            Some(TcpTimestamp { tsval: 7, tsecr: 0 }),
            false,
            Instant::ZERO,
        );
        assert_eq!(t.snd.mss, DEFAULT_MSS);
        assert!(t.flags.ts_on);
        assert_eq!(t.rcv.ts_recent, 7);
        assert_eq!((t.snd.shift, t.rcv.shift), (0, 0));
    }

    #[test]
    fn fin_bookkeeping() {
        let mut t = tcb();
        t.snd.una = TcpSeqNumber(101);
        t.snd.nxt = t.snd.una;
        t.snd.max = t.snd.una;
        t.tx.enqueue(b"abc");
        t.flags.fin_queued = true;
        assert_eq!(t.fin_seq_out(), TcpSeqNumber(104));
        t.snd.max = TcpSeqNumber(105);
        assert!(!t.fin_acked());
        t.snd.una = TcpSeqNumber(105);
        assert!(t.fin_acked());
    }

    #[test]
    fn events_and_deadlines() {
        let mut t = tcb();
        assert!(t.events.is_empty());
        t.post(TcpEvents::RECEIVED);
        assert!(t.events.contains(TcpEvents::RECEIVED));
        t.timers.rtx_at = Some(Instant::from_millis(50));
        t.timers.delack_at = Some(Instant::from_millis(20));
        assert_eq!(t.next_deadline(), Some(Instant::from_millis(20)));
        t.enter_time_wait(Instant::ZERO);
        assert_eq!(t.state, TcpState::TimeWait);
        t.flags.orphan = true;
        t.terminate(Some(Error::ConnectionReset));
        assert!(t.is_dead());
    }

    #[test]
    fn per_segment_fields_share_few_cache_lines() {
        use core::mem::offset_of;
        // Line 0 holds the scoreboard's ranges; the per-segment groups, up to the
        // assembler's count, fill lines 1 to 8 with nothing cold in between.
        assert_eq!(offset_of!(Tcb, timers) + offset_of!(Timers, rtx_at), 80);
        assert!(offset_of!(Tcb, snd) < offset_of!(Tcb, rcv));
        assert!(offset_of!(Tcb, assembler) + 16 <= 9 * 64);
        assert!(offset_of!(Tcb, hs) > offset_of!(Tcb, assembler));
        assert!(offset_of!(Tcb, last_challenge) > offset_of!(Tcb, assembler));
    }
}
