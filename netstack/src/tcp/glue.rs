//! TCP's glue into the [`Stack`]: every way the stack drives its connections, as
//! `dhcp/glue.rs` is for the DHCP client. The connection's own logic (`input`, `output`,
//! `timers`, on the `Tcb`) knows nothing of the stack; the tables (`table`) only keep
//! blocks; the application's calls are in `api`.
//!
//! Read top-down, a segment goes:
//!
//! - **up**: `Stack::ip_deliver` → [`tcp_input`](Stack::tcp_input) (parse, checksum,
//!   demultiplex: RFC 9293 §3.10.7) → the connection's `Tcb::on_segment`, or
//!   [`tcp_listen_input`](Stack::tcp_listen_input) for a SYN to a listener, or a reset
//!   for no connection (§3.10.7.1); the connection is then marked for the end of the
//!   receive batch, where [`tcp_flush`](Stack::tcp_flush) sends one ACK for the batch
//!   (or carries it over to the application's read) through
//!   [`tcp_after`](Stack::tcp_after);
//! - **down**: [`tcp_after`](Stack::tcp_after) → [`tcp_output`](Stack::tcp_output)
//!   (each `Tcb::next_segment` the windows allow) → [`tcp_emit`](Stack::tcp_emit) (the
//!   product's options, `tcp_out_*` hooks) → `tcp_send_segment` → `Stack::ipv4_send`;
//! - **in time**: [`tcp_poll`](Stack::tcp_poll) runs each due `Tcb::on_timers` and
//!   sends what it asks for.
//!
//! ICMP errors about our segments arrive through [`tcp_error`](Stack::tcp_error) (RFC
//! 5927), address changes through [`tcp_addr_changed`](Stack::tcp_addr_changed).

use alloc::vec::Vec;
use core::net::{IpAddr, Ipv4Addr};

use crate::config;
use crate::error::Error;
use crate::hooks::Hooks;
#[cfg(not(netstack_hook_tcp_isn = "none"))]
use crate::hooks::IsnContext;
#[cfg(not(netstack_hook_tcp_inpacket_pcb = "none"))]
use crate::hooks::SegmentVerdict;
#[cfg(not(netstack_hook_tcp_inpacket_pcb = "none"))]
use crate::hooks::TcpConnInfo;
use crate::ipv4::{DstKind, IpRx, IpTx};
use crate::stack::Stack;
use crate::stats::DropReason;
use crate::time::Instant;
use crate::wire::tcp::MAX_OPTIONS_LEN;
use crate::wire::{
    ChecksumCheck, Icmpv4InvokingPacket, IpProtocol, TcpControl, TcpPacket, TcpRepr,
};

#[cfg(netstack_hook_tcp_isn = "none")]
use super::IsnGenerator;
use super::control_block::Tcb;
use super::input::reset_for;
use super::output::{Segment, end_of_list_to_nop, is_transient, kind};
#[cfg(not(netstack_hook_tcp_out_tcpopt_length = "none"))]
use super::output::{TIMESTAMP_OPTION_LEN, custom_options_len};
use super::table::Listener;
use super::timers::TimerAction;
use super::{TcpSeqNumber, TcpState};

const LOG: &str = "netstack::tcp";

impl<H: Hooks> Stack<H> {
    // ---- Input: segments the IP layer delivers, ICMP errors, address changes ----

    /// A TCP segment for us (RFC 9293 §3.10.7).
    pub(crate) fn tcp_input(&mut self, rx: &IpRx<'_>, now: Instant) {
        self.stats.tcp.rx += 1;
        if rx.kind != DstKind::Unicast {
            self.stats.tcp.drop(DropReason::NotForUs);
            return;
        }
        let src = rx.repr.src_addr;
        let dst = rx.repr.dst_addr;
        let Ok(packet) = TcpPacket::new_checked(rx.payload) else {
            self.stats.tcp.drop(DropReason::Malformed);
            return;
        };
        let check = ChecksumCheck::from(!rx.rx_verified);
        let repr = match TcpRepr::parse(&packet, &IpAddr::V4(src), &IpAddr::V4(dst), check) {
            Ok(r) => r,
            Err(e) => {
                self.stats.tcp.drop(e.into());
                return;
            }
        };
        let payload = packet.payload_slice();
        let local = (dst, repr.dst_port);
        let remote = (src, repr.src_port);
        if let Some(index) = self.tcp.find_conn(local, remote) {
            #[cfg(not(netstack_hook_tcp_inpacket_pcb = "none"))]
            if let Some(tcb) = self.tcp.get_index(index) {
                let info = self.tcp.info(index, tcb);
                if self.hooks.tcp_inpacket_pcb(&info, &packet) == SegmentVerdict::Drop {
                    self.stats.tcp.drop(DropReason::Policy);
                    return;
                }
            }
            let Some(mut tcb) = self.tcp.take(index) else {
                return;
            };
            let expected = tcb.rcv.nxt + payload.len();
            let reply = tcb.on_segment(&repr, payload, now);
            // Only an in-order segment (or a pure ACK) waits for the end of the batch: out
            // of order data, a duplicate or a segment filling a hole is acknowledged at
            // once (RFC 5681 §4.2: the duplicate ACKs drive the peer's fast retransmit),
            // and a closed connection is settled at once (its slot may be freed, so that
            // the next segment of the batch finds a listener or a reset).
            let in_order = tcb.rcv.nxt == expected && tcb.assembler.is_empty();
            let defer = self.tcp.is_deferring() && in_order && tcb.state != TcpState::Closed;
            self.tcp.put(index, tcb);
            if let Some(rst) = reply {
                let _ = self.tcp_send_repr(dst, src, &rst, &[], &[]);
            }
            if defer {
                self.tcp.mark_pending(index);
            } else {
                self.tcp_after(index);
            }
            return;
        }
        if let Some(l) = self.tcp.find_listener(dst, repr.dst_port) {
            #[cfg(not(netstack_hook_tcp_inpacket_pcb = "none"))]
            {
                let info = TcpConnInfo {
                    local: core::net::SocketAddrV4::new(dst, repr.dst_port),
                    remote: core::net::SocketAddrV4::new(src, repr.src_port),
                    state: TcpState::Listen,
                    handle: None,
                };
                if self.hooks.tcp_inpacket_pcb(&info, &packet) == SegmentVerdict::Drop {
                    self.stats.tcp.drop(DropReason::Policy);
                    return;
                }
            }
            self.tcp_listen_input(l, &repr, local, remote, now);
            return;
        }
        log::trace!(target: LOG, "no connection for {src}:{} -> {dst}:{}", repr.src_port, repr.dst_port);
        self.stats.tcp.drop(DropReason::NoSocket);
        if let Some(rst) = reset_for(&repr) {
            let _ = self.tcp_send_repr(dst, src, &rst, &[], &[]);
        }
    }

    /// A segment for a listener (RFC 9293 §3.10.7.2).
    fn tcp_listen_input(
        &mut self,
        l: usize,
        repr: &TcpRepr,
        local: (Ipv4Addr, u16),
        remote: (Ipv4Addr, u16),
        now: Instant,
    ) {
        if repr.control == TcpControl::Rst {
            return;
        }
        if repr.ack_number.is_some() {
            if let Some(rst) = reset_for(repr) {
                let _ = self.tcp_send_repr(local.0, remote.0, &rst, &[], &[]);
            }
            return;
        }
        if repr.control != TcpControl::Syn {
            return;
        }
        if self.tcp.backlog(l) >= config::TCP_ACCEPTMBOX_SIZE.max(1) {
            log::debug!(target: LOG, "port {}: backlog full, SYN dropped", local.1);
            self.stats.tcp.drop(DropReason::QueueFull);
            return;
        }
        let Some((_, mss)) = self.tcp_route_mss(Some(local.0), remote.0) else {
            self.stats.tcp.drop(DropReason::NoRoute);
            return;
        };
        let iss = self.tcp_isn(local, remote, now);
        let mut tcb = Tcb::new(local, remote, iss, mss, now);
        tcb.state = TcpState::SynReceived;
        tcb.listener = Some(l);
        if let Some(options) = self.tcp.listener_options(l) {
            tcb.options = options;
        }
        tcb.hs.irs = repr.seq_number;
        tcb.rcv.nxt = repr.seq_number + 1;
        tcb.rcv.adv = tcb.rcv.nxt;
        tcb.snd.wnd = usize::from(repr.window_len);
        tcb.snd.wl1 = repr.seq_number;
        tcb.negotiate(
            repr.max_seg_size,
            repr.window_scale,
            repr.timestamp,
            repr.sack_permitted,
            now,
        );
        match self.tcp.insert(tcb) {
            Ok(index) => self.tcp_after(index),
            Err(_) => {
                log::debug!(target: LOG, "port {}: no free connection, SYN dropped", local.1);
                self.stats.tcp.drop(DropReason::QueueFull);
            }
        }
    }

    /// An ICMP error about a segment we sent (RFC 5927 §4.1: only when the quoted sequence
    /// number is in flight). In SYN-SENT a destination unreachable ends the attempt with its
    /// error, as Linux does (`tcp_v4_err`): port/protocol unreachable → refused, host/net
    /// unreachable → [`Error::HostUnreachable`]/[`Error::NetUnreachable`], so a `connect`
    /// to a host a router reports unreachable fails at once rather than after every SYN
    /// retransmission. In other states it is a soft error (RFC 1122 §4.2.3.9).
    pub(crate) fn tcp_error(&mut self, quoted: &Icmpv4InvokingPacket<'_>, error: Error) {
        let Some((src_port, dst_port)) = quoted.ports() else {
            return;
        };
        let Some(index) = self
            .tcp
            .find_conn((quoted.src_addr, src_port), (quoted.dst_addr, dst_port))
        else {
            return;
        };
        let seq = quoted
            .payload
            .get(4..8)
            .map(|b| TcpSeqNumber(u32::from_be_bytes([b[0], b[1], b[2], b[3]])));
        let Some(tcb) = self.tcp.get_index_mut(index) else {
            return;
        };
        let in_flight =
            seq.is_some_and(|s| s >= tcb.snd.una && s < tcb.snd.max.max(tcb.snd.una + 1));
        if !in_flight {
            return;
        }
        if tcb.state == TcpState::SynSent && ends_connect(error) {
            tcb.terminate(Some(error));
        } else {
            tcb.soft_error = Some(error);
        }
        self.activity = true;
        if self.tcp.get_index(index).is_some_and(Tcb::is_dead) {
            self.tcp_free(index);
        }
    }

    /// An interface's IPv4 address changes from `old` to `new` (lwIP
    /// `tcp_netif_ip_addr_changed`, called before the change): connections bound to `old`
    /// are aborted (a reset to the peer when synchronized; the application sees CLOSED and
    /// [`Error::AddrNotAvailable`]), and listeners bound to `old` move to `new`. With
    /// `config::TCP_KEEP_CONNECTION_WHEN_IP_CHANGES` (ESP-IDF's
    /// `ESP_TCP_KEEP_CONNECTION_WHEN_IP_CHANGES`), a removal (`new` is `None`) keeps
    /// everything, so the connections resume when the same address returns; a different
    /// address still aborts them.
    pub(crate) fn tcp_addr_changed(&mut self, old: Option<Ipv4Addr>, new: Option<Ipv4Addr>) {
        let Some(old) = old.filter(|a| !a.is_unspecified()) else {
            return;
        };
        if new == Some(old) || (config::TCP_KEEP_CONNECTION_WHEN_IP_CHANGES && new.is_none()) {
            return;
        }
        let bound: Vec<usize> = self
            .tcp
            .conns_iter_mut()
            .filter(|(_, t)| t.local_addr == old && t.state != TcpState::Closed)
            .map(|(i, _)| i)
            .collect();
        for index in bound {
            let Some(mut tcb) = self.tcp.take(index) else {
                continue;
            };
            if tcb.state == TcpState::SynReceived
                || (tcb.state.is_synchronized() && tcb.state != TcpState::TimeWait)
            {
                let seg = tcb.reset_segment();
                let _ = self.tcp_emit(index, &tcb, &seg);
            }
            log::debug!(target: LOG, "{old}:{}: address changed, connection aborted", tcb.local_port);
            tcb.terminate(Some(Error::AddrNotAvailable));
            self.tcp.put(index, tcb);
            if self.tcp.get_index(index).is_some_and(Tcb::is_dead) {
                self.tcp_free(index);
            }
            self.activity = true;
        }
        if let Some(new) = new {
            for (_, l) in self.tcp.listeners_iter_mut() {
                if l.addr == old {
                    l.addr = new;
                }
            }
        }
    }

    // ---- After input: the batch ACK, then each connection's output and bookkeeping ----

    /// The receive batch is over: each connection that took segments during it sends what
    /// it has (one ACK for the batch, as Linux with GRO and smoltcp do; RFC 5681 §4.2 lets
    /// an ACK cover more than two full segments when they arrive together).
    ///
    /// A connection that owes nothing but that ACK carries it over: the application,
    /// which runs next, usually reads what the batch brought, and the window update its
    /// read triggers acknowledges the batch too — one ACK instead of two (as lwIP, whose
    /// receive callback runs before the ACK is sent). [`tcp_flush_carried`] sends what
    /// the application did not take at the next poll (and
    /// [`Stack::next_deadline`] asks for that poll at once).
    ///
    /// [`tcp_flush_carried`]: Self::tcp_flush_carried
    pub(crate) fn tcp_flush(&mut self) {
        let pending = self.tcp.end_batch();
        for &index in &pending {
            let index = usize::from(index);
            let now = self.now;
            if self
                .tcp
                .get_index(index)
                .is_some_and(|t| t.owes_only_ack(now))
            {
                self.tcp_settle(index);
                self.tcp.carry(index);
            } else {
                self.tcp_after(index);
            }
        }
        self.tcp.reuse_pending(pending);
    }

    /// Sends the ACKs carried over from the last batch that nothing sent since.
    pub(crate) fn tcp_flush_carried(&mut self) {
        while let Some(index) = self.tcp.pop_carried() {
            self.tcp_after(index);
        }
    }

    /// After something happened to connection `index`: send what it has to send, free it
    /// when dead, and tell its listener when the handshake completed.
    pub(super) fn tcp_after(&mut self, index: usize) {
        self.tcp.uncarry(index);
        self.tcp_output(index);
        self.tcp_settle(index);
    }

    /// The bookkeeping after something happened to connection `index`, without sending:
    /// wake the application, queue a completed handshake on its listener, free it when
    /// dead.
    fn tcp_settle(&mut self, index: usize) {
        let Some(tcb) = self.tcp.get_index_mut(index) else {
            return;
        };
        if !tcb.events.is_empty() {
            self.activity = true;
        }
        let established = core::mem::take(&mut tcb.flags.newly_established);
        if established && let Some(l) = tcb.listener {
            tcb.flags.accept_queued = true;
            self.tcp.enqueue_accept(l, index);
        }
        if self.tcp.get_index(index).is_some_and(Tcb::is_dead) {
            self.tcp_free(index);
        }
    }

    // ---- Output: segments from the connection down to IPv4 ----

    /// Sends everything connection `index` has to send now.
    fn tcp_output(&mut self, index: usize) {
        let Some(mut tcb) = self.tcp.take(index) else {
            return;
        };
        let now = self.now;
        #[cfg(not(netstack_hook_tcp_out_tcpopt_length = "none"))]
        {
            // What the product adds to a data segment: cut from the data so that the packet
            // keeps the size the MSS promises.
            let internal = if tcb.flags.ts_on {
                TIMESTAMP_OPTION_LEN
            } else {
                0
            };
            let info = self.tcp.info(index, &tcb);
            let total = self.hooks.tcp_out_tcpopt_length(&info, internal);
            tcb.snd.opt_reserve = custom_options_len(internal, total);
        }
        // A bounded burst per call: the window bounds it anyway.
        for _ in 0..256 {
            if !tcb.may_output() {
                break;
            }
            let mark = tcb.send_mark();
            let Some(seg) = tcb.next_segment(now) else {
                break;
            };
            if let Err(e) = self.tcp_emit(index, &tcb, &seg) {
                if is_transient(e) {
                    tcb.unsend(mark, now);
                }
                break;
            }
        }
        self.tcp.put(index, tcb);
    }

    /// Builds `seg` of connection `index` (`tcb`, taken out of the table) in the transmit
    /// buffer, with the product's TCP options, and sends it.
    pub(super) fn tcp_emit(&mut self, index: usize, tcb: &Tcb, seg: &Segment) -> Result<(), Error> {
        let (a, b) = tcb.tx.peek(seg.data_offset, seg.repr.payload_len);
        let extra = self.tcp_custom_len(index, tcb, &seg.repr);
        if extra == 0 {
            // The common case: the segment goes out as built, without a copy of its header.
            return self.tcp_send_segment(tcb.local_addr, tcb.remote_addr, &seg.repr, &[], a, b);
        }
        self.tcp_emit_custom(index, tcb, seg, extra)
    }

    /// How many option bytes the product asks to add to one segment (`repr`): the
    /// `tcp_out_tcpopt_length` hook's answer beyond the stack's own options, rounded up to
    /// a multiple of 4 (0 without any, and always 0 with the hook compiled out).
    #[cfg_attr(
        netstack_hook_tcp_out_tcpopt_length = "none",
        allow(unused_variables, clippy::unused_self)
    )]
    fn tcp_custom_len(&mut self, index: usize, tcb: &Tcb, repr: &TcpRepr) -> usize {
        #[cfg(not(netstack_hook_tcp_out_tcpopt_length = "none"))]
        {
            let internal = repr.header_len() - TcpPacket::<&[u8]>::HEADER_LEN;
            let info = self.tcp.info(index, tcb);
            let total = self.hooks.tcp_out_tcpopt_length(&info, internal);
            // `total > internal` first: the stack's own options fit 40 bytes, so this is the
            // same test, and an answer of `internal` (the default) is then seen to change
            // nothing, so with `NoHooks` the call and its arguments compile away.
            if total > internal && total > MAX_OPTIONS_LEN {
                log::warn!(target: "netstack::tcp", "tcp_out_tcpopt_length asked for {total} option bytes; TCP has 40");
            }
            // What the product asks for, before SACK blocks make room for it.
            total
                .saturating_sub(internal)
                .min(MAX_OPTIONS_LEN)
                .div_ceil(4)
                * 4
        }
        #[cfg(netstack_hook_tcp_out_tcpopt_length = "none")]
        0
    }

    /// Sends `seg` with `extra` (> 0) bytes of the product's options
    /// ([`tcp_custom_len`](Self::tcp_custom_len)).
    #[cold]
    #[inline(never)]
    fn tcp_emit_custom(
        &mut self,
        index: usize,
        tcb: &Tcb,
        seg: &Segment,
        extra: usize,
    ) -> Result<(), Error> {
        let mut repr = seg.repr;
        let (a, b) = tcb.tx.peek(seg.data_offset, repr.payload_len);
        let mut custom = [kind::NOP; MAX_OPTIONS_LEN];
        let n = self.tcp_custom_options(index, tcb, &mut repr, &mut custom, extra);
        self.tcp_send_segment(
            tcb.local_addr,
            tcb.remote_addr,
            &repr,
            custom.get(..n).unwrap_or_default(),
            a,
            b,
        )
    }

    /// Writes the product's options of one segment (`repr`, whose SACK blocks may be left
    /// out to make room), `extra` bytes as [`tcp_custom_len`](Self::tcp_custom_len) found,
    /// to the front of `out` and returns their length (a multiple of 4).
    #[cfg_attr(
        netstack_hook_tcp_out_tcpopt_length = "none",
        allow(unused_variables, clippy::unused_self)
    )]
    fn tcp_custom_options(
        &mut self,
        index: usize,
        tcb: &Tcb,
        repr: &mut TcpRepr,
        out: &mut [u8; MAX_OPTIONS_LEN],
        extra: usize,
    ) -> usize {
        #[cfg(not(netstack_hook_tcp_out_tcpopt_length = "none"))]
        {
            let mut extra = extra;
            #[cfg(not(netstack_hook_tcp_out_add_tcpopts = "none"))]
            let info = self.tcp.info(index, tcb);
            // SACK blocks give way first (the first, most important one is kept longest).
            let options_len = |r: &TcpRepr| r.header_len() - TcpPacket::<&[u8]>::HEADER_LEN;
            while options_len(repr) + extra > MAX_OPTIONS_LEN {
                let Some(last) = repr.sack_ranges.iter_mut().rev().find(|b| b.is_some()) else {
                    break;
                };
                *last = None;
            }
            let room = MAX_OPTIONS_LEN.saturating_sub(options_len(repr));
            if extra > room {
                log::warn!(target: "netstack::tcp", "{}: product TCP options clamped from {extra} to {room} bytes", tcb.local_port);
                extra = room;
            }
            let Some(opts) = out.get_mut(..extra) else {
                return 0;
            };
            #[cfg(not(netstack_hook_tcp_out_add_tcpopts = "none"))]
            {
                let written = self.hooks.tcp_out_add_tcpopts(&info, repr, opts);
                if let Some(rest) = opts.get_mut(written..) {
                    rest.fill(kind::NOP);
                }
            }
            #[cfg(netstack_hook_tcp_out_add_tcpopts = "none")]
            opts.fill(kind::NOP);
            extra
        }
        #[cfg(netstack_hook_tcp_out_tcpopt_length = "none")]
        0
    }

    /// Sends a segment without options of the product (resets for no connection).
    fn tcp_send_repr(
        &mut self,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        repr: &TcpRepr,
        a: &[u8],
        b: &[u8],
    ) -> Result<(), Error> {
        self.tcp_send_segment(src, dst, repr, &[], a, b)
    }

    /// Sends a segment with the product's options `custom` (a multiple of 4 bytes, after
    /// the stack's own) and the data `a` followed by `b` (the two halves of a ring range).
    fn tcp_send_segment(
        &mut self,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        repr: &TcpRepr,
        custom: &[u8],
        a: &[u8],
        b: &[u8],
    ) -> Result<(), Error> {
        let payload_len = a.len() + b.len();
        // The header is copied only when its length field is not already the data's.
        let adjusted;
        let repr = if repr.payload_len == payload_len {
            repr
        } else {
            adjusted = TcpRepr {
                payload_len,
                ..*repr
            };
            &adjusted
        };
        let mut tx = IpTx::new(dst, IpProtocol::Tcp);
        tx.src = Some(src);
        self.stats.tcp.tx += 1;
        let layout = repr.layout();
        let len = layout.header_len() + payload_len + custom.len();
        self.ipv4_send(&tx, len, |buf, src| {
            let mut packet = TcpPacket::new_unchecked(&mut buf[..]);
            if custom.is_empty() {
                // The usual case: header, data and a checksum summed from the sources.
                let _ = repr.emit_gathered_laid_out(
                    layout,
                    &mut packet,
                    &IpAddr::V4(src),
                    &IpAddr::V4(dst),
                    a,
                    b,
                );
                return;
            }
            if repr.emit_header(&mut packet).is_err() {
                return;
            }
            let mut hl = repr.header_len();
            let flags = packet.flags();
            let Some(own) = buf.get_mut(TcpPacket::<&[u8]>::HEADER_LEN..hl) else {
                return;
            };
            end_of_list_to_nop(own);
            let Some(out) = buf.get_mut(hl..hl + custom.len()) else {
                return;
            };
            out.copy_from_slice(custom);
            hl += custom.len();
            TcpPacket::new_unchecked(&mut buf[..]).set_header_len_and_flags(hl, flags);
            if let Some(out) = buf.get_mut(hl..hl + a.len()) {
                out.copy_from_slice(a);
            }
            if let Some(out) = buf.get_mut(hl + a.len()..hl + a.len() + b.len()) {
                out.copy_from_slice(b);
            }
            TcpPacket::new_unchecked(&mut buf[..])
                .fill_checksum(&IpAddr::V4(src), &IpAddr::V4(dst));
        })
    }

    // ---- Timers ----

    /// Runs the TCP timers that are due.
    pub(crate) fn tcp_poll(&mut self, now: Instant) {
        let bound = self.tcp.timers_at();
        if bound.is_none_or(|t| t > now) {
            // A lower bound: no connection's deadline comes before it.
            debug_assert!(
                self.tcp
                    .next_deadline()
                    .is_none_or(|d| bound.is_some_and(|b| b <= d)),
                "the TCP timer bound is above a connection's deadline"
            );
            return;
        }
        for index in 0..self.tcp.conn_capacity() {
            let Some(deadline) = self.tcp.conn_deadline(index) else {
                continue;
            };
            if deadline > now {
                continue;
            }
            let Some(mut tcb) = self.tcp.take(index) else {
                continue;
            };
            let action = tcb.on_timers(now);
            match action {
                TimerAction::None => {}
                TimerAction::Send(seg) => {
                    let _ = self.tcp_emit(index, &tcb, &seg);
                }
                TimerAction::Reset => {
                    let seg = tcb.reset_segment();
                    let _ = self.tcp_emit(index, &tcb, &seg);
                }
            }
            if !tcb.events.is_empty() {
                self.activity = true;
            }
            self.tcp.put(index, tcb);
            self.tcp_after(index);
        }
        let exact = self.tcp.next_deadline();
        self.tcp.set_timers_at(exact);
    }

    // ---- Shared by input and the API: ISN, route MSS, freeing slots ----

    /// The initial sequence number of a new connection (`LWIP_HOOK_TCP_ISN`): the hook's
    /// answer, or with `hook_tcp_isn = "none"` a 4 µs clock (RFC 9293 §3.4.1's `M`) started
    /// at a random value per stack, as lwIP's own counter without the hook (predictable
    /// from one observed connection, unlike RFC 6528).
    pub(super) fn tcp_isn(
        &mut self,
        local: (Ipv4Addr, u16),
        remote: (Ipv4Addr, u16),
        now: Instant,
    ) -> TcpSeqNumber {
        #[cfg(not(netstack_hook_tcp_isn = "none"))]
        {
            let ctx = IsnContext::new(self.tcp.isn(), now);
            TcpSeqNumber(self.hooks.tcp_isn(
                core::net::SocketAddrV4::new(local.0, local.1),
                core::net::SocketAddrV4::new(remote.0, remote.1),
                &ctx,
            ))
        }
        #[cfg(netstack_hook_tcp_isn = "none")]
        {
            let _ = (local, remote);
            TcpSeqNumber(IsnGenerator::clock(now).wrapping_add(self.tcp.isn_base()))
        }
    }

    /// The largest segment we can take on the route to `dst`: its MTU − 40, at most
    /// `config::TCP_MSS` (RFC 9293 §3.7.1, RFC 6691).
    pub(super) fn tcp_route_mss(
        &mut self,
        src: Option<Ipv4Addr>,
        dst: Ipv4Addr,
    ) -> Option<(Ipv4Addr, usize)> {
        let id = self.route(src, dst)?;
        let netif = self.netif_ref(id)?;
        let addr = src
            .filter(|a| !a.is_unspecified())
            .or_else(|| netif.addr())?;
        let mss = netif
            .mtu
            .saturating_sub(40)
            .min(usize::from(config::TCP_MSS));
        Some((addr, mss))
    }

    /// Frees connection slot `index` (its handles go stale); if the table was full, the
    /// hooks hear that it has room (`Hooks::memp_available(Pool::TcpPcb)`).
    pub(super) fn tcp_free(&mut self, index: usize) {
        #[cfg(not(netstack_hook_memp_available = "none"))]
        let was_full = self.tcp.conns_full();
        let _held = self.tcp.free(index);
        #[cfg(not(netstack_hook_memp_available = "none"))]
        if was_full && _held {
            self.hooks.memp_available(crate::hooks::Pool::TcpPcb);
        }
    }

    /// Removes listener `index`; if the listener table was full, the hooks hear that it has
    /// room (`Hooks::memp_available(Pool::TcpPcbListen)`).
    pub(super) fn tcp_remove_listener(&mut self, index: usize) -> Option<Listener> {
        #[cfg(not(netstack_hook_memp_available = "none"))]
        let was_full = self.tcp.listeners_full();
        let removed = self.tcp.remove_listener(index);
        #[cfg(not(netstack_hook_memp_available = "none"))]
        if was_full && removed.is_some() {
            self.hooks.memp_available(crate::hooks::Pool::TcpPcbListen);
        }
        removed
    }
}

/// Whether an ICMP error about our SYN ends a connection attempt (hard in SYN-SENT); a
/// fragmentation-needed error does not (it concerns the path MTU, not reachability).
fn ends_connect(error: Error) -> bool {
    matches!(
        error,
        Error::ConnectionRefused | Error::HostUnreachable | Error::NetUnreachable
    )
}
