//! UDP (RFC 768, RFC 1122 §4.1; lwIP's `udp.c`): a fixed table of control blocks named by
//! handles, demultiplexing, and the options of the sockets API.
//!
//! The table holds `config::MAX_UDP_PCBS` control blocks. A [`UdpHandle`] carries a
//! generation, so a handle to a closed block is refused ([`Error::Invalid`]) even after the
//! slot is reused.
//!
//! - **Binding**: port 0 picks an ephemeral port in 49152..=65535 (RFC 6335 §6, from a
//!   random start, RFC 6056 §3.3.1). A port already bound to the same or a wildcard address
//!   is [`Error::AddrInUse`] unless both blocks set [`UdpOptions::reuse_addr`] and
//!   `config::SO_REUSE` is on.
//! - **Demultiplexing**: a datagram goes to the block whose local port and address match
//!   and, if connected, whose peer matches; a connected match wins over a wildcard one.
//!   Broadcast and multicast datagrams go to every matching block when
//!   `config::SO_REUSE_RXTOALL` is set. A unicast datagram nobody wants is answered with
//!   ICMP port unreachable.
//! - **Receive queue**: at most `config::UDP_RECVMBOX_SIZE` datagrams per block; more are
//!   dropped and counted (`stats().udp.drop_queue_full`).
//! - **Errors**: ICMP errors about datagrams a *connected* block sent are kept as its
//!   pending error (port unreachable → [`Error::ConnectionRefused`]), returned by the next
//!   receive or by [`Stack::udp_take_error`] (`SO_ERROR`); unconnected blocks do not get
//!   them (as BSD sockets without `IP_RECVERR`).
//! - **Readiness**: [`Stack::udp_readiness`] answers poll/select; the API layer learns which
//!   blocks changed since it last looked with [`Stack::udp_drain_events`].
//!
//! Checksums are always computed on output (unless [`UdpOptions::no_checksum`]) and
//! verified on input when `config::CHECKSUM_CHECK_UDP` is set and the device did not.

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::net::{IpAddr, Ipv4Addr};

use crate::config;
use crate::error::Error;
use crate::hooks::Hooks;
use crate::ipv4::icmp::IcmpError;
use crate::ipv4::{DstKind, IpRx, IpTx};
use crate::netif::NetifId;
use crate::rand::Rng;
use crate::stack::Stack;
use crate::stats::DropReason;
use crate::time::Instant;
use crate::wire::{
    ChecksumCheck, Icmpv4InvokingPacket, IpEndpoint, IpProtocol, UdpPacket, UdpRepr,
};

/// First port of the ephemeral range (RFC 6335 §6).
pub const EPHEMERAL_FIRST: u16 = 49152;
/// Last port of the ephemeral range.
pub const EPHEMERAL_LAST: u16 = 65535;
/// Largest payload of one datagram over IPv4: 65535 − 20 (IP) − 8 (UDP).
pub const MAX_PAYLOAD: usize = 65507;

const LOG: &str = "netstack::udp";

/// Names a UDP control block of a [`Stack`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UdpHandle {
    index: u16,
    generation: u16,
}

impl UdpHandle {
    /// The slot in the table (for the sockets layer's descriptor mapping).
    pub const fn index(self) -> usize {
        self.index as usize
    }
}

/// Per-socket options (the `setsockopt` ones that matter to UDP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UdpOptions {
    /// `SO_BROADCAST`: sending to a broadcast address is allowed.
    pub broadcast: bool,
    /// `UDP_NOCHKSUM` (lwIP): send with a zero checksum (RFC 768: "no checksum").
    pub no_checksum: bool,
    /// `IP_TTL` for unicast and broadcast.
    pub ttl: u8,
    /// `IP_TOS`.
    pub tos: u8,
    /// `IP_MULTICAST_TTL` (RFC 1112 §6.1: default 1).
    pub multicast_ttl: u8,
    /// `IP_MULTICAST_IF`: send multicast on the interface with this address.
    pub multicast_if: Option<Ipv4Addr>,
    /// `IP_MULTICAST_LOOP`: deliver our own multicast to our own sockets too (off by
    /// default, as in lwIP).
    pub multicast_loop: bool,
    /// `SO_REUSEADDR`/`SO_REUSEPORT` (with `config::SO_REUSE`): share the local port with
    /// other blocks that set it too.
    pub reuse_addr: bool,
    /// `SO_RCVBUF` (with `config::SO_RCVBUF`): once this many bytes wait to be received,
    /// further datagrams are dropped (lwIP's `recv_avail` check); `None` is no byte limit
    /// (the `config::UDP_RECVMBOX_SIZE` datagram limit always applies).
    pub rcvbuf: Option<usize>,
}

impl Default for UdpOptions {
    fn default() -> UdpOptions {
        UdpOptions {
            broadcast: false,
            no_checksum: false,
            ttl: config::IP_DEFAULT_TTL,
            tos: 0,
            multicast_ttl: 1,
            multicast_if: None,
            multicast_loop: false,
            reuse_addr: false,
            rcvbuf: None,
        }
    }
}

/// A received datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpDatagram {
    /// The data.
    pub data: Vec<u8>,
    /// Who sent it.
    pub src: IpEndpoint,
    /// The address it was sent to (ours, a broadcast or a group: `IP_PKTINFO`).
    pub dst: Ipv4Addr,
    /// The interface it arrived on.
    pub netif: NetifId,
}

/// What happened to a control block since the API layer last looked (a bit set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct UdpEvents(u8);

impl UdpEvents {
    /// Nothing happened.
    pub const NONE: UdpEvents = UdpEvents(0);
    /// A datagram was queued.
    pub const RECEIVED: UdpEvents = UdpEvents(1);
    /// An error became pending.
    pub const ERROR: UdpEvents = UdpEvents(2);

    /// Whether every event of `other` is in `self`.
    pub const fn contains(self, other: UdpEvents) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether nothing happened.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl core::ops::BitOr for UdpEvents {
    type Output = UdpEvents;
    fn bitor(self, rhs: UdpEvents) -> UdpEvents {
        UdpEvents(self.0 | rhs.0)
    }
}

/// Readiness for poll/select.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Readiness {
    /// A receive would not block (data or an error is pending).
    pub readable: bool,
    /// A send would not block (UDP sends never wait for room).
    pub writable: bool,
    /// An error is pending.
    pub error: bool,
}

#[derive(Debug)]
struct Pcb {
    generation: u16,
    local_addr: Ipv4Addr,
    local_port: u16,
    remote: Option<(Ipv4Addr, u16)>,
    netif: Option<NetifId>,
    options: UdpOptions,
    rx: VecDeque<UdpDatagram>,
    error: Option<Error>,
    events: UdpEvents,
    groups: Vec<(NetifId, Ipv4Addr)>,
}

/// The table of UDP control blocks.
#[derive(Debug)]
pub(crate) struct UdpTable {
    pcbs: Vec<Option<Pcb>>,
    generations: Vec<u16>,
}

impl UdpTable {
    /// Control blocks in use.
    #[cfg(feature = "std")] // asked by the sockets API only
    pub(crate) fn len(&self) -> usize {
        self.pcbs.iter().flatten().count()
    }

    pub(crate) fn new() -> UdpTable {
        let mut pcbs = Vec::with_capacity(config::MAX_UDP_PCBS);
        pcbs.resize_with(config::MAX_UDP_PCBS, || None);
        UdpTable {
            pcbs,
            generations: alloc::vec![0; config::MAX_UDP_PCBS],
        }
    }

    fn get(&self, h: UdpHandle) -> Result<&Pcb, Error> {
        match self.pcbs.get(h.index()) {
            Some(Some(p)) if p.generation == h.generation => Ok(p),
            _ => Err(Error::Invalid),
        }
    }

    fn get_mut(&mut self, h: UdpHandle) -> Result<&mut Pcb, Error> {
        match self.pcbs.get_mut(h.index()) {
            Some(Some(p)) if p.generation == h.generation => Ok(p),
            _ => Err(Error::Invalid),
        }
    }

    fn open(&mut self) -> Result<UdpHandle, Error> {
        let index = self
            .pcbs
            .iter()
            .position(Option::is_none)
            .ok_or(Error::PoolExhausted)?;
        let generation = self.generations[index].wrapping_add(1);
        self.generations[index] = generation;
        self.pcbs[index] = Some(Pcb {
            generation,
            local_addr: Ipv4Addr::UNSPECIFIED,
            local_port: 0,
            remote: None,
            netif: None,
            options: UdpOptions::default(),
            rx: VecDeque::new(),
            error: None,
            events: UdpEvents::NONE,
            groups: Vec::new(),
        });
        Ok(UdpHandle {
            index: index as u16,
            generation,
        })
    }

    /// Whether binding `addr:port` for `me` clashes with another block.
    fn in_use(&self, me: Option<usize>, addr: Ipv4Addr, port: u16, reuse: bool) -> bool {
        self.pcbs.iter().enumerate().any(|(i, p)| {
            let Some(p) = p else { return false };
            Some(i) != me
                && p.local_port == port
                && (p.local_addr == addr || p.local_addr.is_unspecified() || addr.is_unspecified())
                && !(config::SO_REUSE && reuse && p.options.reuse_addr)
        })
    }

    /// A free ephemeral port, from a random start.
    fn ephemeral_port(&self, rng: &mut Rng) -> Option<u16> {
        let span = (EPHEMERAL_LAST - EPHEMERAL_FIRST) as u32 + 1;
        let start = rng.below(span as u64) as u32;
        (0..span)
            .map(|i| EPHEMERAL_FIRST + ((start + i) % span) as u16)
            .find(|&port| !self.pcbs.iter().flatten().any(|p| p.local_port == port))
    }

    pub(crate) fn netif_removed(&mut self, id: NetifId) {
        for p in self.pcbs.iter_mut().flatten() {
            if p.netif == Some(id) {
                p.netif = None;
            }
            p.groups.retain(|(n, _)| *n != id);
        }
    }

    /// Whether block `p` takes a datagram to `dst:dst_port` from `src:src_port` received on
    /// `netif`; `Some(true)` for a connected (exact) match.
    #[allow(clippy::too_many_arguments)]
    fn matches(
        p: &Pcb,
        netif: NetifId,
        netif_addr: Option<Ipv4Addr>,
        kind: DstKind,
        dst: Ipv4Addr,
        dst_port: u16,
        src: Ipv4Addr,
        src_port: u16,
    ) -> Option<bool> {
        if p.local_port != dst_port || p.netif.is_some_and(|n| n != netif) {
            return None;
        }
        let local_ok = p.local_addr.is_unspecified()
            || match kind {
                DstKind::Unicast => p.local_addr == dst,
                DstKind::Broadcast => Some(p.local_addr) == netif_addr,
                DstKind::Multicast => p.local_addr == dst || Some(p.local_addr) == netif_addr,
            };
        if !local_ok {
            return None;
        }
        match p.remote {
            None => Some(false),
            Some((addr, port)) if addr == src && port == src_port => Some(true),
            Some((addr, port)) if addr.is_unspecified() && (port == 0 || port == src_port) => {
                Some(false)
            }
            Some(_) => None,
        }
    }
}

impl<H: Hooks> Stack<H> {
    /// Handles a received UDP datagram.
    pub(crate) fn udp_input(&mut self, rx: &IpRx<'_>, now: Instant) {
        self.stats.udp.rx += 1;
        let src = IpAddr::V4(rx.repr.src_addr);
        let dst = IpAddr::V4(rx.repr.dst_addr);
        let check = ChecksumCheck::from(config::CHECKSUM_CHECK_UDP && !rx.rx_verified);
        let packet = match UdpPacket::new_checked(rx.payload) {
            Ok(p) => p,
            Err(_) => {
                self.stats.udp.drop(DropReason::Malformed);
                return;
            }
        };
        let repr = match UdpRepr::parse(&packet, &src, &dst, check) {
            Ok(r) => r,
            Err(e) => {
                self.stats.udp.drop(e.into());
                return;
            }
        };
        let data = packet.payload_slice();
        if self.dhcp_input(rx, &repr, data, now) {
            return;
        }
        let netif_addr = self.netif_ref(rx.netif).and_then(|n| n.addr());
        let (src_addr, dst_addr) = (rx.repr.src_addr, rx.repr.dst_addr);
        let mut best: Option<(usize, bool)> = None;
        let mut all = heapless::Vec::<usize, { config::MAX_UDP_PCBS }>::new();
        for (i, p) in self.udp.pcbs.iter().enumerate() {
            let Some(p) = p else { continue };
            let Some(exact) = UdpTable::matches(
                p,
                rx.netif,
                netif_addr,
                rx.kind,
                dst_addr,
                repr.dst_port,
                src_addr,
                repr.src_port,
            ) else {
                continue;
            };
            // Capacity is the table's size: cannot overflow.
            let _ = all.push(i);
            if best.is_none_or(|(_, e)| exact && !e) {
                best = Some((i, exact));
            }
        }
        let Some((best, _)) = best else {
            log::trace!(
                target: LOG,
                "no socket for {src_addr}:{} -> {dst_addr}:{}",
                repr.src_port,
                repr.dst_port
            );
            self.stats.udp.drop(DropReason::NoSocket);
            if rx.kind == DstKind::Unicast {
                self.icmp_send_error(rx.head, IcmpError::PortUnreachable);
            }
            return;
        };
        let to_all = config::SO_REUSE_RXTOALL && rx.kind != DstKind::Unicast;
        let targets: &[usize] = if to_all {
            &all
        } else {
            core::slice::from_ref(&best)
        };
        for &i in targets {
            let Some(Some(p)) = self.udp.pcbs.get_mut(i) else {
                continue;
            };
            if p.rx.len() >= config::UDP_RECVMBOX_SIZE.max(1) {
                self.stats.udp.drop(DropReason::QueueFull);
                continue;
            }
            if config::SO_RCVBUF
                && let Some(limit) = p.options.rcvbuf
                && p.rx.iter().map(|d| d.data.len()).sum::<usize>() >= limit
            {
                self.stats.udp.drop(DropReason::QueueFull);
                continue;
            }
            p.rx.push_back(UdpDatagram {
                data: data.to_vec(),
                src: IpEndpoint::new(src, repr.src_port),
                dst: dst_addr,
                netif: rx.netif,
            });
            p.events = p.events | UdpEvents::RECEIVED;
            self.activity = true;
        }
    }

    /// An ICMP error about a datagram we sent: a connected block that sent it gets it.
    pub(crate) fn udp_error(&mut self, quoted: &Icmpv4InvokingPacket<'_>, error: Error) {
        let Some((src_port, dst_port)) = quoted.ports() else {
            return;
        };
        for p in self.udp.pcbs.iter_mut().flatten() {
            if p.local_port == src_port
                && p.remote == Some((quoted.dst_addr, dst_port))
                && (p.local_addr.is_unspecified() || p.local_addr == quoted.src_addr)
            {
                log::debug!(target: LOG, "port {src_port}: {error}");
                p.error = Some(error);
                p.events = p.events | UdpEvents::ERROR;
                self.activity = true;
            }
        }
    }

    // ---- public API ----

    /// Opens a control block (lwIP `udp_new`), unbound and unconnected.
    /// [`Error::PoolExhausted`] when `config::MAX_UDP_PCBS` are open.
    pub fn udp_open(&mut self) -> Result<UdpHandle, Error> {
        self.udp.open()
    }

    /// Closes a control block (lwIP `udp_remove`): drops its queue and leaves its groups. If
    /// every block was open, the hooks hear that there is room
    /// (`Hooks::memp_available(Pool::UdpPcb)`).
    pub fn udp_close(&mut self, h: UdpHandle) -> Result<(), Error> {
        let groups = core::mem::take(&mut self.udp.get_mut(h)?.groups);
        for (netif, group) in groups {
            let _ = self.leave_multicast(netif, group);
        }
        #[cfg(not(netstack_hook_memp_available = "none"))]
        let was_full = self.udp.pcbs.iter().all(Option::is_some);
        let _held = self
            .udp
            .pcbs
            .get_mut(h.index())
            .is_some_and(|slot| slot.take().is_some());
        #[cfg(not(netstack_hook_memp_available = "none"))]
        if was_full && _held {
            self.hooks.memp_available(crate::hooks::Pool::UdpPcb);
        }
        Ok(())
    }

    /// Binds to a local endpoint (lwIP `udp_bind`); port 0 picks an ephemeral port. The
    /// address must be unspecified, one of ours, loopback or multicast
    /// ([`Error::AddrNotAvailable`]); a taken port is [`Error::AddrInUse`].
    pub fn udp_bind(&mut self, h: UdpHandle, local: IpEndpoint) -> Result<(), Error> {
        let IpAddr::V4(addr) = local.addr else {
            return Err(Error::AddrNotAvailable);
        };
        if !(addr.is_unspecified()
            || addr.is_loopback()
            || addr.is_multicast()
            || self.netif_iter().any(|(_, n)| n.has_addr(addr)))
        {
            return Err(Error::AddrNotAvailable);
        }
        let reuse = self.udp.get(h)?.options.reuse_addr;
        let port = if local.port == 0 {
            self.udp
                .ephemeral_port(&mut self.rng)
                .ok_or(Error::AddrInUse)?
        } else {
            if self.udp.in_use(Some(h.index()), addr, local.port, reuse) {
                return Err(Error::AddrInUse);
            }
            local.port
        };
        let p = self.udp.get_mut(h)?;
        p.local_addr = addr;
        p.local_port = port;
        log::trace!(target: LOG, "bound to {addr}:{port}");
        Ok(())
    }

    fn udp_autobind(&mut self, h: UdpHandle) -> Result<(), Error> {
        if self.udp.get(h)?.local_port == 0 {
            let local = self.udp.get(h)?.local_addr;
            self.udp_bind(h, IpEndpoint::new(IpAddr::V4(local), 0))?;
        }
        Ok(())
    }

    /// Sets the peer (lwIP `udp_connect`): sends without a destination go there, and only
    /// its datagrams are received. Binds an ephemeral port first if unbound.
    pub fn udp_connect(&mut self, h: UdpHandle, remote: IpEndpoint) -> Result<(), Error> {
        let IpAddr::V4(addr) = remote.addr else {
            return Err(Error::Invalid);
        };
        if remote.port == 0 {
            return Err(Error::Invalid);
        }
        self.udp_autobind(h)?;
        let p = self.udp.get_mut(h)?;
        p.remote = Some((addr, remote.port));
        p.error = None;
        Ok(())
    }

    /// Forgets the peer (lwIP `udp_disconnect`).
    pub fn udp_disconnect(&mut self, h: UdpHandle) -> Result<(), Error> {
        let p = self.udp.get_mut(h)?;
        p.remote = None;
        Ok(())
    }

    /// Restricts the block to one interface (`SO_BINDTODEVICE`, lwIP `udp_bind_netif`), or
    /// lifts the restriction.
    pub fn udp_bind_netif(&mut self, h: UdpHandle, netif: Option<NetifId>) -> Result<(), Error> {
        if let Some(id) = netif {
            self.netif_ref(id).ok_or(Error::Invalid)?;
        }
        self.udp.get_mut(h)?.netif = netif;
        Ok(())
    }

    /// The options of a block.
    pub fn udp_options(&self, h: UdpHandle) -> Result<UdpOptions, Error> {
        Ok(self.udp.get(h)?.options)
    }

    /// Changes the options of a block.
    pub fn udp_set_options(&mut self, h: UdpHandle, options: UdpOptions) -> Result<(), Error> {
        self.udp.get_mut(h)?.options = options;
        Ok(())
    }

    /// The local endpoint (`getsockname`); port 0 while unbound.
    pub fn udp_local_endpoint(&self, h: UdpHandle) -> Result<IpEndpoint, Error> {
        let p = self.udp.get(h)?;
        Ok(IpEndpoint::new(IpAddr::V4(p.local_addr), p.local_port))
    }

    /// The peer (`getpeername`); [`Error::NotConnected`] when there is none.
    pub fn udp_remote_endpoint(&self, h: UdpHandle) -> Result<IpEndpoint, Error> {
        let (addr, port) = self.udp.get(h)?.remote.ok_or(Error::NotConnected)?;
        Ok(IpEndpoint::new(IpAddr::V4(addr), port))
    }

    /// Sends a datagram to the peer (lwIP `udp_send`).
    pub fn udp_send(&mut self, h: UdpHandle, data: &[u8]) -> Result<(), Error> {
        let (addr, port) = self.udp.get(h)?.remote.ok_or(Error::NotConnected)?;
        self.udp_send_to(h, data, IpEndpoint::new(IpAddr::V4(addr), port))
    }

    /// Sends a datagram to `dst` (lwIP `udp_sendto`), binding an ephemeral port first if
    /// unbound. Errors: [`Error::Invalid`] (port 0, not IPv4), [`Error::MsgTooLong`],
    /// [`Error::BroadcastNotAllowed`] (broadcast without [`UdpOptions::broadcast`]),
    /// [`Error::NoRoute`], and what the link reports.
    pub fn udp_send_to(&mut self, h: UdpHandle, data: &[u8], dst: IpEndpoint) -> Result<(), Error> {
        let IpAddr::V4(dst_addr) = dst.addr else {
            return Err(Error::Invalid);
        };
        if dst.port == 0 || dst_addr.is_unspecified() {
            return Err(Error::Invalid);
        }
        if data.len() > MAX_PAYLOAD {
            return Err(Error::MsgTooLong);
        }
        let options = self.udp.get(h)?.options;
        let is_broadcast = dst_addr.is_broadcast()
            || self
                .netif_iter()
                .any(|(_, n)| n.up && n.is_broadcast(dst_addr));
        if is_broadcast && !options.broadcast {
            return Err(Error::BroadcastNotAllowed);
        }
        self.udp_autobind(h)?;
        let p = self.udp.get(h)?;
        let local_port = p.local_port;
        let src = Some(p.local_addr).filter(|a| !a.is_unspecified() && !a.is_multicast());
        let multicast = dst_addr.is_multicast();
        let mut netif = p.netif;
        if multicast
            && netif.is_none()
            && let Some(ifaddr) = options.multicast_if
        {
            netif = self.is_our_addr(ifaddr);
        }
        if multicast && netif.is_none() {
            // No interface chosen: the one with the route, or the default (RFC 1112 §6.1).
            netif = self.route(src, dst_addr);
        }
        let tx = IpTx {
            src,
            ttl: if multicast {
                options.multicast_ttl
            } else {
                options.ttl
            },
            tos: options.tos,
            netif,
            multicast_loop: options.multicast_loop,
            ..IpTx::new(dst_addr, IpProtocol::Udp)
        };
        let repr = UdpRepr {
            src_port: local_port,
            dst_port: dst.port,
            payload_len: data.len(),
        };
        let result = self.ipv4_send(&tx, repr.buffer_len(), |buf, src| {
            let mut packet = UdpPacket::new_unchecked(buf);
            let (s, d) = (IpAddr::V4(src), IpAddr::V4(dst_addr));
            // The buffer is exactly the datagram's size: emit cannot fail.
            let _ = repr.emit(&mut packet, &s, &d, data);
            if options.no_checksum {
                packet.set_checksum(0);
            }
        });
        if result.is_ok() {
            self.stats.udp.tx += 1;
        }
        result
    }

    /// Takes the oldest received datagram (`recvfrom`). A pending error is returned (and
    /// cleared) first; [`Error::WouldBlock`] when nothing is queued.
    pub fn udp_recv_from(&mut self, h: UdpHandle) -> Result<UdpDatagram, Error> {
        let p = self.udp.get_mut(h)?;
        if let Some(e) = p.error.take() {
            return Err(e);
        }
        p.rx.pop_front().ok_or(Error::WouldBlock)
    }

    /// The oldest received datagram, left in the queue (`MSG_PEEK`); [`Error::WouldBlock`]
    /// when nothing is queued.
    pub fn udp_peek(&self, h: UdpHandle) -> Result<&UdpDatagram, Error> {
        self.udp.get(h)?.rx.front().ok_or(Error::WouldBlock)
    }

    /// Takes the pending error, if any (`SO_ERROR`).
    pub fn udp_take_error(&mut self, h: UdpHandle) -> Result<Option<Error>, Error> {
        Ok(self.udp.get_mut(h)?.error.take())
    }

    /// How many datagrams are queued, and the size of the next (`FIONREAD`).
    pub fn udp_queued(&self, h: UdpHandle) -> Result<(usize, Option<usize>), Error> {
        let p = self.udp.get(h)?;
        Ok((p.rx.len(), p.rx.front().map(|d| d.data.len())))
    }

    /// Readiness for poll/select.
    pub fn udp_readiness(&self, h: UdpHandle) -> Result<Readiness, Error> {
        let p = self.udp.get(h)?;
        Ok(Readiness {
            readable: !p.rx.is_empty() || p.error.is_some(),
            writable: true,
            error: p.error.is_some(),
        })
    }

    /// Calls `f` for every block with events since the last call, and clears them: the API
    /// layer calls it after each poll to wake the tasks waiting on those sockets.
    pub fn udp_drain_events(&mut self, mut f: impl FnMut(UdpHandle, UdpEvents)) {
        for (i, p) in self.udp.pcbs.iter_mut().enumerate() {
            let Some(p) = p else { continue };
            let events = core::mem::take(&mut p.events);
            if !events.is_empty() {
                f(
                    UdpHandle {
                        index: i as u16,
                        generation: p.generation,
                    },
                    events,
                );
            }
        }
    }

    /// Joins `group` on `netif` for this block (`IP_ADD_MEMBERSHIP`); `netif` `None`: the
    /// interface the group routes to. Left again on [`udp_close`](Self::udp_close).
    pub fn udp_join_multicast(
        &mut self,
        h: UdpHandle,
        netif: Option<NetifId>,
        group: Ipv4Addr,
    ) -> Result<(), Error> {
        self.udp.get(h)?;
        let netif = match netif {
            Some(n) => n,
            None => self.route(None, group).ok_or(Error::NoRoute)?,
        };
        if self.udp.get(h)?.groups.contains(&(netif, group)) {
            return Err(Error::AddrInUse);
        }
        self.join_multicast(netif, group)?;
        self.udp.get_mut(h)?.groups.push((netif, group));
        Ok(())
    }

    /// Leaves a group this block joined (`IP_DROP_MEMBERSHIP`).
    pub fn udp_leave_multicast(
        &mut self,
        h: UdpHandle,
        netif: Option<NetifId>,
        group: Ipv4Addr,
    ) -> Result<(), Error> {
        let p = self.udp.get_mut(h)?;
        let pos = p
            .groups
            .iter()
            .position(|&(n, g)| g == group && netif.is_none_or(|x| x == n))
            .ok_or(Error::AddrNotAvailable)?;
        let (n, g) = p.groups.remove(pos);
        self.leave_multicast(n, g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Stack, StackConfig};

    fn ep(port: u16) -> IpEndpoint {
        IpEndpoint::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port)
    }

    #[test]
    fn table_is_bounded_and_handles_go_stale() {
        let mut s = Stack::new(StackConfig::default());
        let handles: Vec<_> = (0..config::MAX_UDP_PCBS)
            .map(|_| s.udp_open().expect("room"))
            .collect();
        assert_eq!(s.udp_open(), Err(Error::PoolExhausted));
        s.udp_close(handles[0]).expect("close");
        let again = s.udp_open().expect("room again");
        assert_eq!(again.index(), handles[0].index());
        assert_eq!(s.udp_bind(handles[0], ep(1)), Err(Error::Invalid));
        assert!(s.udp_bind(again, ep(1)).is_ok());
    }

    #[test]
    fn bind_conflicts_and_reuse() {
        let mut s = Stack::new(StackConfig::default());
        let a = s.udp_open().expect("open");
        let b = s.udp_open().expect("open");
        s.udp_bind(a, ep(5000)).expect("bind");
        assert_eq!(s.udp_bind(b, ep(5000)), Err(Error::AddrInUse));
        let mut o = s.udp_options(a).expect("opts");
        o.reuse_addr = true;
        s.udp_set_options(a, o).expect("set");
        s.udp_set_options(b, o).expect("set");
        assert_eq!(s.udp_bind(b, ep(5000)).is_ok(), config::SO_REUSE);
        // An address that is not ours.
        let c = s.udp_open().expect("open");
        assert_eq!(
            s.udp_bind(
                c,
                IpEndpoint::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)), 1)
            ),
            Err(Error::AddrNotAvailable)
        );
    }

    #[test]
    fn ephemeral_ports_are_in_range_and_distinct() {
        let mut s = Stack::new(StackConfig::default());
        let mut ports = Vec::new();
        for _ in 0..config::MAX_UDP_PCBS {
            let h = s.udp_open().expect("open");
            s.udp_bind(h, ep(0)).expect("bind");
            let port = s.udp_local_endpoint(h).expect("ep").port;
            assert!(port >= EPHEMERAL_FIRST);
            assert!(!ports.contains(&port));
            ports.push(port);
        }
    }

    #[test]
    fn send_errors() {
        let mut s = Stack::new(StackConfig::default());
        let h = s.udp_open().expect("open");
        let bcast = IpEndpoint::new(IpAddr::V4(Ipv4Addr::BROADCAST), 9);
        assert_eq!(
            s.udp_send_to(h, b"x", bcast),
            Err(Error::BroadcastNotAllowed)
        );
        assert_eq!(s.udp_send(h, b"x"), Err(Error::NotConnected));
        assert_eq!(
            s.udp_send_to(
                h,
                b"x",
                IpEndpoint::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 0)
            ),
            Err(Error::Invalid)
        );
        assert_eq!(
            s.udp_send_to(
                h,
                &[0; MAX_PAYLOAD + 1],
                IpEndpoint::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 9)
            ),
            Err(Error::MsgTooLong)
        );
        // No interface but loopback: no route off-link.
        assert_eq!(
            s.udp_send_to(
                h,
                b"x",
                IpEndpoint::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 9)
            ),
            Err(Error::NoRoute)
        );
    }

    #[test]
    fn loopback_delivery_and_port_unreachable() {
        if !config::NETIF_LOOPBACK {
            return;
        }
        let mut s = Stack::new(StackConfig::default());
        let server = s.udp_open().expect("open");
        s.udp_bind(server, IpEndpoint::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 7))
            .expect("bind");
        let client = s.udp_open().expect("open");
        let to = IpEndpoint::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 7);
        s.udp_send_to(client, b"hello", to).expect("send");
        assert_eq!(s.next_deadline(), Some(s.now()));
        s.poll(Instant::from_millis(1));
        let d = s.udp_recv_from(server).expect("datagram");
        assert_eq!(d.data, b"hello");
        assert_eq!(d.src.port, s.udp_local_endpoint(client).expect("ep").port);
        assert_eq!(s.udp_recv_from(server), Err(Error::WouldBlock));
        // Connected to a port nobody listens on: ICMP port unreachable → refused.
        s.udp_connect(client, IpEndpoint::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 9))
            .expect("connect");
        s.udp_send(client, b"anyone?").expect("send");
        for t in 2..10 {
            s.poll(Instant::from_millis(t));
        }
        assert_eq!(s.udp_recv_from(client), Err(Error::ConnectionRefused));
        assert_eq!(s.stats().udp.drop_no_socket, 1);
        assert_eq!(s.next_deadline(), None.or(s.next_deadline()));
    }
}
