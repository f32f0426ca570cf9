//! The fixed tables of TCP control blocks (`config::MAX_ACTIVE_TCP` connections, lwIP
//! `MEMP_NUM_TCP_PCB`; `config::MAX_LISTENING_TCP` listeners, `MEMP_NUM_TCP_PCB_LISTEN`)
//! named by generation-checked handles, and segment demultiplexing: a segment goes to the
//! connection of its 4-tuple, else to a listener of its port (which answers a SYN with a
//! new connection in SYN-RECEIVED, up to `config::TCP_ACCEPTMBOX_SIZE` pending), else it is
//! answered with a reset (RFC 9293 §3.10.7.1).

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::net::{IpAddr, Ipv4Addr};

use crate::config;
use crate::error::Error;
use crate::hooks::Hooks;
#[cfg(not(netstack_hook_tcp_isn = "none"))]
use crate::hooks::IsnContext;
#[cfg(not(netstack_hook_tcp_inpacket_pcb = "none"))]
use crate::hooks::SegmentVerdict;
#[cfg(not(all(
    netstack_hook_tcp_inpacket_pcb = "none",
    netstack_hook_tcp_out_tcpopt_length = "none"
)))]
use crate::hooks::TcpConnInfo;
use crate::ipv4::{DstKind, IpRx};
use crate::rand::Rng;
use crate::stack::Stack;
use crate::stats::DropReason;
use crate::time::Instant;
use crate::wire::{ChecksumCheck, Icmpv4InvokingPacket, TcpControl, TcpPacket, TcpRepr};

use super::control_block::{Tcb, TcpEvents, TcpSocketOptions};
use super::input::reset_for;
use super::{IsnGenerator, TcpSeqNumber, TcpState};

const LOG: &str = "netstack::tcp";

/// Names a TCP connection of a [`Stack`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TcpHandle {
    pub(crate) index: u16,
    pub(crate) generation: u16,
}

impl TcpHandle {
    /// The slot in the table (for the sockets layer's descriptor mapping).
    pub const fn index(self) -> usize {
        self.index as usize
    }
}

/// Names a TCP listener of a [`Stack`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TcpListenerHandle {
    pub(crate) index: u16,
    pub(crate) generation: u16,
}

impl TcpListenerHandle {
    /// The slot in the listener table.
    pub const fn index(self) -> usize {
        self.index as usize
    }
}

/// A listening endpoint (lwIP `tcp_pcb_listen`).
#[derive(Debug)]
pub(crate) struct Listener {
    pub generation: u16,
    pub addr: Ipv4Addr,
    pub port: u16,
    /// Established connections not yet accepted (slot indices).
    pub accept_queue: VecDeque<usize>,
    pub options: TcpSocketOptions,
    pub events: TcpEvents,
}

/// The TCP state of a stack (`repr(C)`, cache-line aligned: what every poll reads, the
/// timer bound and the batch lists, fills the first line; then what every segment and API
/// call reads).
#[derive(Debug)]
#[repr(C, align(64))]
pub(crate) struct TcpTable {
    /// No connection has a timer due before this, except those marked in `touched`: a
    /// lower bound, made exact by [`Stack::tcp_poll`] when it is reached; `None` when no
    /// timer is set. Every way to a block that may change its timers ([`put`](Self::put),
    /// [`insert`](Self::insert), the mutable accessors) marks it in `touched`, whose
    /// deadlines the next poll folds in. Lets a poll skip the walk over the connections.
    timers_at: Option<Instant>,
    /// Connections (bit = slot index) put back or handed out mutably since the last poll:
    /// their timers may have changed without `timers_at` knowing. Slot 32 and up set every
    /// bit.
    touched: u32,
    /// Within a poll's receive batch: connections that took segments send (and ACK) once
    /// at its end ([`Stack::tcp_flush`]) rather than after each segment.
    deferring: bool,
    /// Connections with output deferred to the end of the batch (slot indices, each once).
    pending: Vec<u16>,
    /// Connections that owed only an ACK at the end of the last batch: it goes out when
    /// the application reads (carrying the reopened window), when anything else makes the
    /// connection send, or at the start of the next poll, whichever comes first.
    carried: Vec<u16>,
    conns: Vec<Option<Box<Tcb>>>,
    generations: Vec<u16>,
    /// Slots whose block is temporarily taken out for processing.
    busy: Vec<bool>,
    listeners: Vec<Option<Listener>>,
    listener_generations: Vec<u16>,
    /// The RFC 6528 generator keyed with the stack's secret (`hook_tcp_isn` `default`, and
    /// what a custom hook may build on).
    #[cfg(not(netstack_hook_tcp_isn = "none"))]
    isn: IsnGenerator,
    /// `hook_tcp_isn = "none"`: where the ISN clock starts (random per stack).
    #[cfg(netstack_hook_tcp_isn = "none")]
    isn_base: u32,
}

impl TcpTable {
    pub(crate) fn new(rng: &mut Rng) -> TcpTable {
        let mut secret = [0u8; 16];
        secret[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
        secret[8..].copy_from_slice(&rng.next_u64().to_le_bytes());
        let mut conns = Vec::with_capacity(config::MAX_ACTIVE_TCP);
        conns.resize_with(config::MAX_ACTIVE_TCP, || None);
        let mut listeners = Vec::with_capacity(config::MAX_LISTENING_TCP);
        listeners.resize_with(config::MAX_LISTENING_TCP, || None);
        TcpTable {
            timers_at: None,
            touched: 0,
            conns,
            generations: alloc::vec![0; config::MAX_ACTIVE_TCP],
            busy: alloc::vec![false; config::MAX_ACTIVE_TCP],
            listeners,
            listener_generations: alloc::vec![0; config::MAX_LISTENING_TCP],
            deferring: false,
            pending: Vec::with_capacity(config::MAX_ACTIVE_TCP),
            carried: Vec::with_capacity(config::MAX_ACTIVE_TCP),
            #[cfg(not(netstack_hook_tcp_isn = "none"))]
            isn: IsnGenerator::new(secret),
            #[cfg(netstack_hook_tcp_isn = "none")]
            isn_base: u32::from_le_bytes([secret[0], secret[1], secret[2], secret[3]]),
        }
    }

    pub(crate) fn conn_capacity(&self) -> usize {
        self.conns.len()
    }

    pub(crate) fn conn_deadline(&self, index: usize) -> Option<Instant> {
        self.conns.get(index)?.as_ref()?.next_deadline()
    }

    /// The earliest deadline of every connection.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.conns
            .iter()
            .flatten()
            .filter_map(|t| t.next_deadline())
            .min()
    }

    /// A time no connection's timer is due before (see [`timers_at`](Self::timers_at)),
    /// after folding in the deadlines of the connections touched since.
    #[inline]
    pub(crate) fn timers_at(&mut self) -> Option<Instant> {
        if self.touched != 0 {
            self.fold_touched();
        }
        self.timers_at
    }

    /// Lowers the bound to the deadlines of the connections marked in `touched`.
    fn fold_touched(&mut self) {
        let mut touched = core::mem::take(&mut self.touched);
        if touched == u32::MAX {
            // Possibly a slot beyond the mask: look at them all.
            let exact = self.next_deadline();
            self.note_deadline(exact);
            return;
        }
        while touched != 0 {
            let index = touched.trailing_zeros() as usize;
            touched &= touched - 1;
            let deadline = self.conn_deadline(index);
            self.note_deadline(deadline);
        }
    }

    /// Makes the bound exact (after the timers that were due ran).
    pub(crate) fn set_timers_at(&mut self, at: Option<Instant>) {
        self.timers_at = at;
    }

    /// Keeps the bound below `deadline`.
    #[inline]
    fn note_deadline(&mut self, deadline: Option<Instant>) {
        if let Some(t) = deadline
            && self.timers_at.is_none_or(|b| t < b)
        {
            self.timers_at = Some(t);
        }
    }

    /// Block `index` was put back or is handed out mutably, so its timers may have
    /// changed: the next poll folds its deadline in.
    #[inline]
    fn note_touched(&mut self, index: usize) {
        self.touched |= u32::try_from(index)
            .ok()
            .and_then(|i| 1u32.checked_shl(i))
            .unwrap_or(u32::MAX);
    }

    /// A receive batch starts: output after segments waits for [`Stack::tcp_flush`].
    pub(crate) fn defer_output(&mut self) {
        self.deferring = true;
    }

    /// Whether an ACK carried over from the last batch waits to go out.
    pub(crate) fn has_carried(&self) -> bool {
        !self.carried.is_empty()
    }

    /// Whether connection `index` has an ACK carried over from the last batch.
    pub(crate) fn is_carried(&self, index: usize) -> bool {
        self.carried.iter().any(|&i| usize::from(i) == index)
    }

    /// Connection `index` is sending now: its carried ACK, if any, goes with it.
    #[inline]
    pub(crate) fn uncarry(&mut self, index: usize) {
        if !self.carried.is_empty() {
            self.carried.retain(|&i| usize::from(i) != index);
        }
    }

    /// Notes that connection `index` has output waiting for the end of the batch.
    fn mark_pending(&mut self, index: usize) {
        let Ok(i) = u16::try_from(index) else { return };
        if !self.pending.contains(&i) {
            self.pending.push(i);
        }
    }

    /// Takes a block out for processing (put it back with [`put`](Self::put)).
    pub(crate) fn take(&mut self, index: usize) -> Option<Box<Tcb>> {
        let tcb = self.conns.get_mut(index)?.take()?;
        if let Some(b) = self.busy.get_mut(index) {
            *b = true;
        }
        Some(tcb)
    }

    pub(crate) fn put(&mut self, index: usize, tcb: Box<Tcb>) {
        self.note_touched(index);
        if let Some(slot) = self.conns.get_mut(index) {
            *slot = Some(tcb);
        }
        if let Some(b) = self.busy.get_mut(index) {
            *b = false;
        }
    }

    pub(crate) fn get_index(&self, index: usize) -> Option<&Tcb> {
        self.conns.get(index)?.as_deref()
    }

    pub(crate) fn get_index_mut(&mut self, index: usize) -> Option<&mut Tcb> {
        self.note_touched(index);
        self.conns.get_mut(index)?.as_deref_mut()
    }

    /// The block of a handle the application still holds.
    pub(crate) fn get(&self, h: TcpHandle) -> Result<&Tcb, Error> {
        if self.generations.get(h.index()) != Some(&h.generation) {
            return Err(Error::Invalid);
        }
        match self.get_index(h.index()) {
            Some(t) if !t.orphan && t.listener.is_none() => Ok(t),
            _ => Err(Error::Invalid),
        }
    }

    pub(crate) fn get_mut(&mut self, h: TcpHandle) -> Result<&mut Tcb, Error> {
        if self.generations.get(h.index()) != Some(&h.generation) {
            return Err(Error::Invalid);
        }
        match self.get_index_mut(h.index()) {
            Some(t) if !t.orphan && t.listener.is_none() => Ok(t),
            _ => Err(Error::Invalid),
        }
    }

    pub(crate) fn handle(&self, index: usize) -> Option<TcpHandle> {
        Some(TcpHandle {
            index: u16::try_from(index).ok()?,
            generation: *self.generations.get(index)?,
        })
    }

    /// Inserts a block. When every slot is taken, the closed connection that has been
    /// in TIME-WAIT longest gives its slot up (lwIP's `tcp_kill_timewait`);
    /// [`Error::PoolExhausted`] when there is none.
    pub(crate) fn insert(&mut self, tcb: Tcb) -> Result<usize, Error> {
        let free = self
            .conns
            .iter()
            .zip(&self.busy)
            .position(|(c, b)| c.is_none() && !b);
        let index = match free {
            Some(i) => i,
            None => {
                let victim = self
                    .conns
                    .iter()
                    .enumerate()
                    .filter_map(|(i, c)| {
                        let t = c.as_ref()?;
                        (t.state == TcpState::TimeWait && t.orphan).then_some((i, t.wait_at))
                    })
                    .min_by_key(|&(_, at)| at)
                    .map(|(i, _)| i)
                    .ok_or(Error::PoolExhausted)?;
                log::debug!(target: LOG, "table full: a TIME-WAIT connection gives its slot up");
                // Taken again at once: the table never has room, so no `memp_available`.
                self.free(victim);
                victim
            }
        };
        self.note_touched(index);
        self.conns[index] = Some(Box::new(tcb));
        Ok(index)
    }

    /// Frees a slot; handles to it go stale. Whether it held a block. (The stack frees
    /// through `Stack::tcp_free`, which reports a full table getting room to the hooks.)
    pub(crate) fn free(&mut self, index: usize) -> bool {
        let held = self
            .conns
            .get_mut(index)
            .is_some_and(|slot| slot.take().is_some());
        if let Some(g) = self.generations.get_mut(index) {
            *g = g.wrapping_add(1);
        }
        held
    }

    /// Whether every connection slot is in use (a block taken out for processing counts).
    #[cfg(not(netstack_hook_memp_available = "none"))]
    pub(crate) fn conns_full(&self) -> bool {
        self.conns
            .iter()
            .zip(&self.busy)
            .all(|(c, busy)| c.is_some() || *busy)
    }

    /// Whether every listener slot is in use.
    #[cfg(not(netstack_hook_memp_available = "none"))]
    pub(crate) fn listeners_full(&self) -> bool {
        self.listeners.iter().all(Option::is_some)
    }

    pub(crate) fn listener(&self, h: TcpListenerHandle) -> Result<&Listener, Error> {
        match self.listeners.get(h.index()) {
            Some(Some(l)) if l.generation == h.generation => Ok(l),
            _ => Err(Error::Invalid),
        }
    }

    pub(crate) fn listener_mut(&mut self, h: TcpListenerHandle) -> Result<&mut Listener, Error> {
        match self.listeners.get_mut(h.index()) {
            Some(Some(l)) if l.generation == h.generation => Ok(l),
            _ => Err(Error::Invalid),
        }
    }

    pub(crate) fn insert_listener(
        &mut self,
        addr: Ipv4Addr,
        port: u16,
    ) -> Result<TcpListenerHandle, Error> {
        let index = self
            .listeners
            .iter()
            .position(Option::is_none)
            .ok_or(Error::PoolExhausted)?;
        let generation = self.listener_generations[index].wrapping_add(1);
        self.listener_generations[index] = generation;
        self.listeners[index] = Some(Listener {
            generation,
            addr,
            port,
            accept_queue: VecDeque::with_capacity(config::TCP_ACCEPTMBOX_SIZE),
            options: TcpSocketOptions::default(),
            events: TcpEvents::NONE,
        });
        Ok(TcpListenerHandle {
            index: index as u16,
            generation,
        })
    }

    pub(crate) fn remove_listener(&mut self, index: usize) -> Option<Listener> {
        self.listeners.get_mut(index)?.take()
    }

    /// A child of listener `l` completed its handshake: it joins the accept queue.
    pub(crate) fn enqueue_accept(&mut self, l: usize, index: usize) {
        if let Some(Some(listener)) = self.listeners.get_mut(l) {
            listener.accept_queue.push_back(index);
            listener.events |= TcpEvents::ACCEPT;
        }
    }

    /// Connections (done or half-open) waiting on listener `l`.
    fn backlog(&self, l: usize) -> usize {
        self.conns
            .iter()
            .flatten()
            .filter(|t| t.listener == Some(l))
            .count()
    }

    /// Whether a local port is used by a listener or a connection (with `addr` or the
    /// wildcard).
    pub(crate) fn port_in_use(&self, addr: Ipv4Addr, port: u16, listeners_only: bool) -> bool {
        let same = |a: Ipv4Addr| a.is_unspecified() || addr.is_unspecified() || a == addr;
        self.listeners
            .iter()
            .flatten()
            .any(|l| l.port == port && same(l.addr))
            || (!listeners_only
                && self
                    .conns
                    .iter()
                    .flatten()
                    .any(|t| t.local_port == port && same(t.local_addr)))
    }

    /// An unused ephemeral port (RFC 6056 §3.3.1 from a random start).
    pub(crate) fn ephemeral_port(&self, rng: &mut Rng) -> Option<u16> {
        let first = crate::udp::EPHEMERAL_FIRST;
        let count = u32::from(crate::udp::EPHEMERAL_LAST - first) + 1;
        let start = u32::from(rng.next_u16()) % count;
        (0..count)
            .map(|i| first + ((start + i) % count) as u16)
            .find(|&p| !self.port_in_use(Ipv4Addr::UNSPECIFIED, p, false))
    }

    pub(crate) fn find_conn(
        &self,
        local: (Ipv4Addr, u16),
        remote: (Ipv4Addr, u16),
    ) -> Option<usize> {
        self.conns.iter().position(|c| {
            c.as_ref().is_some_and(|t| {
                t.local_port == local.1
                    && t.remote_port == remote.1
                    && t.local_addr == local.0
                    && t.remote_addr == remote.0
            })
        })
    }

    fn find_listener(&self, addr: Ipv4Addr, port: u16) -> Option<usize> {
        let mut best = None;
        for (i, l) in self.listeners.iter().enumerate() {
            let Some(l) = l else { continue };
            if l.port != port {
                continue;
            }
            if l.addr == addr {
                return Some(i);
            }
            if l.addr.is_unspecified() {
                best = Some(i);
            }
        }
        best
    }

    /// The conn info hooks see for connection `index`.
    #[cfg(not(all(
        netstack_hook_tcp_inpacket_pcb = "none",
        netstack_hook_tcp_out_tcpopt_length = "none"
    )))]
    pub(crate) fn info(&self, index: usize, tcb: &Tcb) -> TcpConnInfo {
        TcpConnInfo {
            local: core::net::SocketAddrV4::new(tcb.local_addr, tcb.local_port),
            remote: core::net::SocketAddrV4::new(tcb.remote_addr, tcb.remote_port),
            state: tcb.state,
            handle: self.handle(index),
        }
    }

    pub(crate) fn listeners_iter_mut(&mut self) -> impl Iterator<Item = (usize, &mut Listener)> {
        self.listeners
            .iter_mut()
            .enumerate()
            .filter_map(|(i, l)| Some((i, l.as_mut()?)))
    }

    pub(crate) fn conns_iter_mut(&mut self) -> impl Iterator<Item = (usize, &mut Tcb)> {
        self.touched = u32::MAX;
        self.conns
            .iter_mut()
            .enumerate()
            .filter_map(|(i, c)| Some((i, c.as_deref_mut()?)))
    }
}

impl<H: Hooks> Stack<H> {
    /// Frees connection slot `index` (its handles go stale); if the table was full, the
    /// hooks hear that it has room (`Hooks::memp_available(Pool::TcpPcb)`).
    pub(crate) fn tcp_free(&mut self, index: usize) {
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
    pub(crate) fn tcp_remove_listener(&mut self, index: usize) -> Option<Listener> {
        #[cfg(not(netstack_hook_memp_available = "none"))]
        let was_full = self.tcp.listeners_full();
        let removed = self.tcp.remove_listener(index);
        #[cfg(not(netstack_hook_memp_available = "none"))]
        if was_full && removed.is_some() {
            self.hooks.memp_available(crate::hooks::Pool::TcpPcbListen);
        }
        removed
    }

    /// The initial sequence number of a new connection (`LWIP_HOOK_TCP_ISN`): the hook's
    /// answer, or with `hook_tcp_isn = "none"` a 4 µs clock (RFC 9293 §3.4.1's `M`) started
    /// at a random value per stack, as lwIP's own counter without the hook (predictable
    /// from one observed connection, unlike RFC 6528).
    pub(crate) fn tcp_isn(
        &mut self,
        local: (Ipv4Addr, u16),
        remote: (Ipv4Addr, u16),
        now: Instant,
    ) -> TcpSeqNumber {
        #[cfg(not(netstack_hook_tcp_isn = "none"))]
        {
            let ctx = IsnContext::new(&self.tcp.isn, now);
            TcpSeqNumber(self.hooks.tcp_isn(
                core::net::SocketAddrV4::new(local.0, local.1),
                core::net::SocketAddrV4::new(remote.0, remote.1),
                &ctx,
            ))
        }
        #[cfg(netstack_hook_tcp_isn = "none")]
        {
            let _ = (local, remote);
            TcpSeqNumber(IsnGenerator::clock(now).wrapping_add(self.tcp.isn_base))
        }
    }

    /// The largest segment we can take on the route to `dst`: its MTU − 40, at most
    /// `config::TCP_MSS` (RFC 9293 §3.7.1, RFC 6691).
    pub(crate) fn tcp_route_mss(
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
            let expected = tcb.rcv_nxt + payload.len();
            let reply = tcb.on_segment(&repr, payload, now);
            // Only an in-order segment (or a pure ACK) waits for the end of the batch: out
            // of order data, a duplicate or a segment filling a hole is acknowledged at
            // once (RFC 5681 §4.2: the duplicate ACKs drive the peer's fast retransmit),
            // and a closed connection is settled at once (its slot may be freed, so that
            // the next segment of the batch finds a listener or a reset).
            let in_order = tcb.rcv_nxt == expected && tcb.assembler.is_empty();
            let defer = self.tcp.deferring && in_order && tcb.state != TcpState::Closed;
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
        self.tcp.deferring = false;
        let mut pending = core::mem::take(&mut self.tcp.pending);
        for &index in &pending {
            let index = usize::from(index);
            let now = self.now;
            if self
                .tcp
                .get_index(index)
                .is_some_and(|t| t.owes_only_ack(now))
            {
                self.tcp_settle(index);
                if let Ok(i) = u16::try_from(index)
                    && !self.tcp.carried.contains(&i)
                {
                    self.tcp.carried.push(i);
                }
            } else {
                self.tcp_after(index);
            }
        }
        pending.clear();
        self.tcp.pending = pending;
    }

    /// Sends the ACKs carried over from the last batch that nothing sent since.
    pub(crate) fn tcp_flush_carried(&mut self) {
        while let Some(index) = self.tcp.carried.pop() {
            self.tcp_after(usize::from(index));
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
        if let Some(Some(listener)) = self.tcp.listeners.get(l) {
            tcb.options = listener.options;
        }
        tcb.irs = repr.seq_number;
        tcb.rcv_nxt = repr.seq_number + 1;
        tcb.rcv_adv = tcb.rcv_nxt;
        tcb.snd_wnd = usize::from(repr.window_len);
        tcb.snd_wl1 = repr.seq_number;
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
            seq.is_some_and(|s| s >= tcb.snd_una && s < tcb.snd_max.max(tcb.snd_una + 1));
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
}

/// Whether an ICMP error about our SYN ends a connection attempt (hard in SYN-SENT); a
/// fragmentation-needed error does not (it concerns the path MTU, not reachability).
fn ends_connect(error: Error) -> bool {
    matches!(
        error,
        Error::ConnectionRefused | Error::HostUnreachable | Error::NetUnreachable
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::output::tests::est;

    #[test]
    fn the_timer_bound_follows_every_way_a_block_is_changed() {
        let mut table = TcpTable::new(&mut Rng::new(1));
        let index = table.insert(est()).expect("slot");
        assert_eq!(table.timers_at(), None, "no timer armed");
        // Taken out, changed, put back.
        let mut tcb = table.take(index).expect("block");
        tcb.rtx_at = Some(Instant::from_millis(500));
        table.put(index, tcb);
        assert_eq!(table.timers_at(), Some(Instant::from_millis(500)));
        // Changed in place.
        if let Some(t) = table.get_index_mut(index) {
            t.delack_at = Some(Instant::from_millis(40));
        }
        assert_eq!(table.timers_at(), Some(Instant::from_millis(40)));
        // A new block with an earlier timer.
        let mut other = est();
        other.keep_at = Some(Instant::from_millis(7));
        table.insert(other).expect("slot");
        assert_eq!(table.timers_at(), Some(Instant::from_millis(7)));
    }
}
