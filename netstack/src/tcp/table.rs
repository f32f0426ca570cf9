//! The fixed tables of TCP control blocks (`config::MAX_ACTIVE_TCP` connections, lwIP
//! `MEMP_NUM_TCP_PCB`; `config::MAX_LISTENING_TCP` listeners, `MEMP_NUM_TCP_PCB_LISTEN`)
//! named by generation-checked handles, the lookups demultiplexing uses (a connection by
//! its 4-tuple, a listener by its port), each listener's accept queue, the timer bound the
//! poll reads and the receive batch's lists. What to do with a segment is `glue.rs`'s job
//! (RFC 9293 §3.10.7.1): the table only keeps the blocks.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use crate::config;
use crate::error::Error;
#[cfg(not(all(
    netstack_hook_tcp_inpacket_pcb = "none",
    netstack_hook_tcp_out_tcpopt_length = "none"
)))]
use crate::hooks::TcpConnInfo;
use crate::rand::Rng;
use crate::time::Instant;

#[cfg(not(netstack_hook_tcp_isn = "none"))]
use super::IsnGenerator;
use super::TcpState;
use super::control_block::{Tcb, TcpEvents, TcpSocketOptions};

const LOG: &str = "netstack::tcp";

/// Names a TCP connection of a [`Stack`](crate::Stack).
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

/// Names a TCP listener of a [`Stack`](crate::Stack).
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

    /// The state of the connection in slot `index` (`None`: a free slot).
    #[cfg(all(feature = "std", unix))]
    pub(crate) fn conn_state(&self, index: usize) -> Option<TcpState> {
        Some(self.conns.get(index)?.as_ref()?.state)
    }

    /// How many listeners are open.
    #[cfg(all(feature = "std", unix))]
    pub(crate) fn listener_count(&self) -> usize {
        self.listeners.iter().flatten().count()
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

    /// Whether a receive batch is under way (output after a segment waits for its end).
    #[inline]
    pub(super) fn is_deferring(&self) -> bool {
        self.deferring
    }

    /// The receive batch is over: the connections marked pending during it (each once).
    /// Hand the list back with [`reuse_pending`](Self::reuse_pending) to keep its room.
    pub(super) fn end_batch(&mut self) -> Vec<u16> {
        self.deferring = false;
        core::mem::take(&mut self.pending)
    }

    /// Takes back the (emptied) list [`end_batch`](Self::end_batch) handed out.
    pub(super) fn reuse_pending(&mut self, mut pending: Vec<u16>) {
        pending.clear();
        self.pending = pending;
    }

    /// Connection `index` owes only the batch's ACK: it waits for the application's read
    /// or the next poll.
    #[inline]
    pub(super) fn carry(&mut self, index: usize) {
        if let Ok(i) = u16::try_from(index)
            && !self.carried.contains(&i)
        {
            self.carried.push(i);
        }
    }

    /// One connection whose carried ACK is still owed, taken off the list.
    #[inline]
    pub(super) fn pop_carried(&mut self) -> Option<usize> {
        self.carried.pop().map(usize::from)
    }

    /// The socket options listener `l` hands to the connections it accepts.
    pub(super) fn listener_options(&self, l: usize) -> Option<TcpSocketOptions> {
        Some(self.listeners.get(l)?.as_ref()?.options)
    }

    /// The RFC 6528 generator the `tcp_isn` hook is given.
    #[cfg(not(netstack_hook_tcp_isn = "none"))]
    pub(super) fn isn(&self) -> &IsnGenerator {
        &self.isn
    }

    /// Where the ISN clock starts (`hook_tcp_isn = "none"`).
    #[cfg(netstack_hook_tcp_isn = "none")]
    pub(super) fn isn_base(&self) -> u32 {
        self.isn_base
    }

    /// Notes that connection `index` has output waiting for the end of the batch.
    #[inline]
    pub(super) fn mark_pending(&mut self, index: usize) {
        let Ok(i) = u16::try_from(index) else { return };
        if !self.pending.contains(&i) {
            self.pending.push(i);
        }
    }

    /// Takes a block out for processing (put it back with [`put`](Self::put)).
    #[inline]
    pub(super) fn take(&mut self, index: usize) -> Option<Box<Tcb>> {
        let tcb = self.conns.get_mut(index)?.take()?;
        if let Some(b) = self.busy.get_mut(index) {
            *b = true;
        }
        Some(tcb)
    }

    #[inline]
    pub(super) fn put(&mut self, index: usize, tcb: Box<Tcb>) {
        self.note_touched(index);
        if let Some(slot) = self.conns.get_mut(index) {
            *slot = Some(tcb);
        }
        if let Some(b) = self.busy.get_mut(index) {
            *b = false;
        }
    }

    #[inline]
    pub(super) fn get_index(&self, index: usize) -> Option<&Tcb> {
        self.conns.get(index)?.as_deref()
    }

    #[inline]
    pub(super) fn get_index_mut(&mut self, index: usize) -> Option<&mut Tcb> {
        self.note_touched(index);
        self.conns.get_mut(index)?.as_deref_mut()
    }

    /// The block of a handle the application still holds.
    pub(super) fn get(&self, h: TcpHandle) -> Result<&Tcb, Error> {
        if self.generations.get(h.index()) != Some(&h.generation) {
            return Err(Error::Invalid);
        }
        match self.get_index(h.index()) {
            Some(t) if !t.flags.orphan && t.listener.is_none() => Ok(t),
            _ => Err(Error::Invalid),
        }
    }

    pub(super) fn get_mut(&mut self, h: TcpHandle) -> Result<&mut Tcb, Error> {
        if self.generations.get(h.index()) != Some(&h.generation) {
            return Err(Error::Invalid);
        }
        match self.get_index_mut(h.index()) {
            Some(t) if !t.flags.orphan && t.listener.is_none() => Ok(t),
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
    pub(super) fn insert(&mut self, tcb: Tcb) -> Result<usize, Error> {
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
                        (t.state == TcpState::TimeWait && t.flags.orphan)
                            .then_some((i, t.timers.wait_at))
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
    pub(super) fn backlog(&self, l: usize) -> usize {
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

    #[inline]
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

    #[inline]
    pub(super) fn find_listener(&self, addr: Ipv4Addr, port: u16) -> Option<usize> {
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
    #[inline]
    pub(super) fn info(&self, index: usize, tcb: &Tcb) -> TcpConnInfo {
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

    pub(super) fn conns_iter_mut(&mut self) -> impl Iterator<Item = (usize, &mut Tcb)> {
        self.touched = u32::MAX;
        self.conns
            .iter_mut()
            .enumerate()
            .filter_map(|(i, c)| Some((i, c.as_deref_mut()?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::testing::sending as est;

    #[test]
    fn the_timer_bound_follows_every_way_a_block_is_changed() {
        let mut table = TcpTable::new(&mut Rng::new(1));
        let index = table.insert(est()).expect("slot");
        assert_eq!(table.timers_at(), None, "no timer armed");
        // Taken out, changed, put back.
        let mut tcb = table.take(index).expect("block");
        tcb.timers.rtx_at = Some(Instant::from_millis(500));
        table.put(index, tcb);
        assert_eq!(table.timers_at(), Some(Instant::from_millis(500)));
        // Changed in place.
        if let Some(t) = table.get_index_mut(index) {
            t.timers.delack_at = Some(Instant::from_millis(40));
        }
        assert_eq!(table.timers_at(), Some(Instant::from_millis(40)));
        // A new block with an earlier timer.
        let mut other = est();
        other.timers.keep_at = Some(Instant::from_millis(7));
        table.insert(other).expect("slot");
        assert_eq!(table.timers_at(), Some(Instant::from_millis(7)));
    }
}
