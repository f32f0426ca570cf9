//! IPv4: input validation and dispatch, output with routing and fragmentation, and
//! forwarding (RFC 791, RFC 1122 §3.2.1, RFC 1812 §5; lwIP's `ip4.c`).
//!
//! **Input** (`Stack::ipv4_input`): the header's lengths are validated (link padding is
//! cut off at the total length), [`Hooks::ip4_input`] may take the packet, the checksum is
//! verified when `config::CHECKSUM_CHECK_IP` is set and the device did not verify it, and
//! martians are dropped (broadcast/multicast sources; 127/8 outside the loopback
//! interface). The datagram is **for us** when its destination is one of our addresses
//! (weak host model, RFC 1122 §3.3.4.2), a broadcast of the receiving interface, a group it
//! joined, or (DHCP, lwIP's `LWIP_IP_ACCEPT_UDP_PORT`) UDP port 68 on an interface without
//! an address. Fragments are reassembled when `config::IP4_REASSEMBLY` is set and dropped
//! and counted otherwise. Anything else is forwarded when `config::IP_FORWARD` is set and
//! dropped otherwise.
//!
//! **Output** (`Stack::ipv4_send`): routes ([`route`]), picks the source address (the
//! interface's), numbers the datagram, and sends it: to ourselves through the loopback
//! queue, or on the link, in fragments ([`fragment`]) when it exceeds the MTU and
//! `config::IP4_FRAG` is set (else [`Error::MsgTooLong`]). `link.rs` turns the route's next
//! hop into a hardware address ([`arp`] for a unicast neighbour) and hands the frame to the
//! link layer.
//!
//! The transport dispatch point is `Stack::ip_deliver`: ICMP, IGMP, UDP and TCP. ICMP errors about our own datagrams reach the
//! transports through `Stack::transport_error`.

pub mod arp;
pub mod dhcp;
pub mod fragment;
pub(crate) mod hint;
pub mod icmp;
pub mod igmp;
pub(crate) mod link;
pub mod reassembly;
pub mod route;

use core::net::Ipv4Addr;

use crate::config;
use crate::error::Error;
use crate::ethernet::HEADROOM;
use crate::hooks::{ForwardDecision, Hooks};
use crate::ipv4::icmp::IcmpError;
use crate::netif::{NetifId, netif_in};
use crate::stack::Stack;
use crate::stats::DropReason;
use crate::time::Instant;
use crate::wire::{
    ChecksumCheck, EtherType, EthernetAddress, IpProtocol, Ipv4Packet, Ipv4Repr, UdpPacket,
};
use link::NextHop;

const LOG: &str = "netstack::ipv4";

/// How a received datagram was addressed to us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DstKind {
    /// To one of our addresses.
    Unicast,
    /// To the limited or the subnet-directed broadcast.
    Broadcast,
    /// To a multicast group the interface joined.
    Multicast,
}

/// A datagram accepted for local delivery, as the transports see it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IpRx<'a> {
    /// The interface it arrived on.
    pub netif: NetifId,
    /// Its header (borrowed: the transports read a few fields, and a copy per datagram
    /// would cost more than the indirection).
    pub repr: &'a Ipv4Repr,
    /// How it was addressed.
    pub kind: DstKind,
    /// The datagram's first bytes as received (header and at least the start of the
    /// payload), for quoting in ICMP errors.
    pub head: &'a [u8],
    /// Its whole payload (reassembled if it came in fragments).
    pub payload: &'a [u8],
    /// Whether it arrived in fragments.
    #[allow(dead_code)]
    pub reassembled: bool,
    /// Whether the device already verified the checksums.
    pub rx_verified: bool,
    /// The sender's hardware address, for a datagram that arrived whole on Ethernet.
    pub src_mac: Option<EthernetAddress>,
}

/// What a datagram to send looks like, besides its payload.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IpTx {
    /// Source address; `None` (or unspecified): the outgoing interface's.
    pub src: Option<Ipv4Addr>,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Payload protocol.
    pub protocol: IpProtocol,
    /// Time to live.
    pub ttl: u8,
    /// DSCP/ECN byte.
    pub tos: u8,
    /// Don't Fragment.
    pub dont_frag: bool,
    /// Add a Router Alert option (IGMP).
    pub router_alert: bool,
    /// Send on this interface instead of routing.
    pub netif: Option<NetifId>,
    /// For a multicast destination: deliver a copy to our own sockets too.
    pub multicast_loop: bool,
}

impl IpTx {
    /// A datagram to `dst` with the defaults: routed, default TTL, TOS 0.
    pub(crate) fn new(dst: Ipv4Addr, protocol: IpProtocol) -> IpTx {
        IpTx {
            src: None,
            dst,
            protocol,
            ttl: config::IP_DEFAULT_TTL,
            tos: 0,
            dont_frag: false,
            router_alert: false,
            netif: None,
            multicast_loop: false,
        }
    }
}

/// IPv4 state of the stack: the identification counter and the reassembly buffers.
// `repr(C)`: what every datagram sent and every poll reads (the identification, the
// reassembly deadline) first, before the buffers.
#[repr(C)]
pub(crate) struct Ipv4State {
    /// The next identification (RFC 6864: unique per source/destination/protocol while a
    /// datagram may live).
    pub(crate) ident: u16,
    /// The reassembler's next deadline, kept next to `ident` after every change to the
    /// buffers so a poll need not look into them.
    reassembly_at: Option<Instant>,
    /// Incomplete datagrams (used when `config::IP4_REASSEMBLY`).
    pub(crate) reassembler: reassembly::Reassembler,
}

impl Ipv4State {
    pub(crate) fn new() -> Ipv4State {
        Ipv4State {
            ident: 0,
            reassembly_at: None,
            reassembler: reassembly::Reassembler::new(),
        }
    }

    /// When the reassembly buffers next need attention.
    #[inline]
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.reassembly_at
    }

    /// Refreshes the deadline after the buffers changed.
    fn reassembly_changed(&mut self) {
        self.reassembly_at = self.reassembler.next_deadline();
    }
}

impl<H: Hooks> Stack<H> {
    /// Processes a received IPv4 datagram (the link payload) from interface `id`.
    /// `src_mac` is the sender's hardware address on Ethernet.
    pub(crate) fn ipv4_input(
        &mut self,
        id: NetifId,
        data: &[u8],
        src_mac: Option<EthernetAddress>,
        now: Instant,
    ) {
        self.stats.ip.rx += 1;
        let packet = match Ipv4Packet::new_checked(data) {
            Ok(p) if p.version() == 4 => p,
            _ => {
                self.stats.ip.drop(DropReason::Malformed);
                return;
            }
        };
        let Some(data) = data.get(..packet.total_len() as usize) else {
            self.stats.ip.drop(DropReason::Malformed);
            return;
        };
        let packet = Ipv4Packet::new_unchecked(data);
        let Some(netif) = netif_in(&self.netifs, id) else {
            return;
        };
        let rx_verified = netif.caps.checksum.rx_verified;
        let is_lo = netif.loopback;
        let src_is_subnet_broadcast = netif.is_broadcast(packet.src_addr());
        if crate::hooks::enabled::IP4_INPUT {
            let info = netif.info(id);
            if self.hooks.ip4_input(&packet, &info) == crate::hooks::InputVerdict::Consumed {
                return;
            }
        }
        let check = ChecksumCheck::from(config::CHECKSUM_CHECK_IP && !rx_verified);
        let repr = match Ipv4Repr::parse(&packet, check) {
            Ok(r) => r,
            Err(e) => {
                self.stats.ip.drop(e.into());
                return;
            }
        };
        let src = repr.src_addr;
        let dst = repr.dst_addr;
        if src.is_multicast()
            || src.is_broadcast()
            || src_is_subnet_broadcast
            || (!is_lo && (src.is_loopback() || dst.is_loopback()))
        {
            self.stats.ip.drop(DropReason::Malformed);
            return;
        }
        if let Some(mac) = src_mac {
            self.arp_learn_from_ip(id, src, mac, now);
        }
        let payload = packet.payload_slice();
        let Some(kind) = self.classify(id, &repr, payload) else {
            self.ipv4_forward(id, data, &repr, now);
            return;
        };
        if repr.more_frags || repr.frag_offset != 0 {
            self.stats.ip_frag.rx += 1;
            self.ipv4_reassemble(id, data, &repr, kind, now);
            return;
        }
        let rx = IpRx {
            netif: id,
            repr: &repr,
            kind,
            head: data,
            payload,
            reassembled: false,
            rx_verified,
            src_mac,
        };
        self.ip_deliver(&rx, now);
    }

    /// Whether a datagram received on `id` is for us, and how.
    fn classify(&self, id: NetifId, repr: &Ipv4Repr, payload: &[u8]) -> Option<DstKind> {
        let netif = self.netif_ref(id)?;
        let dst = repr.dst_addr;
        if netif.has_addr(dst) {
            // The usual case first: an interface's own address is never a multicast or
            // broadcast address.
            return Some(DstKind::Unicast);
        }
        if dst.is_multicast() {
            return netif.igmp.is_member(dst).then_some(DstKind::Multicast);
        }
        if netif.is_broadcast(dst) {
            return Some(DstKind::Broadcast);
        }
        if netif.has_addr(dst) || (netif.loopback && dst.is_loopback()) {
            return Some(DstKind::Unicast);
        }
        if !dst.is_loopback() && self.is_our_addr(dst).is_some() {
            return Some(DstKind::Unicast);
        }
        if netif.ipv4.is_none()
            && repr.protocol == IpProtocol::Udp
            && UdpPacket::new_checked(payload).is_ok_and(|u| u.dst_port() == 68)
        {
            return Some(DstKind::Unicast);
        }
        None
    }

    /// Hands a fragment to reassembly (`config::IP4_REASSEMBLY`; else drops and counts it),
    /// and the datagram it completes, if any, up.
    fn ipv4_reassemble(
        &mut self,
        id: NetifId,
        data: &[u8],
        repr: &Ipv4Repr,
        kind: DstKind,
        now: Instant,
    ) {
        if !config::IP4_REASSEMBLY {
            log::trace!(target: LOG, "fragment from {} dropped: reassembly disabled", repr.src_addr);
            self.stats.ip_frag.drop(DropReason::Reassembly);
            self.stats.ip.drop(DropReason::Reassembly);
            return;
        }
        let rx_verified = self
            .netif_ref(id)
            .is_some_and(|n| n.caps.checksum.rx_verified);
        let pushed = self
            .ipv4
            .reassembler
            .push(&Ipv4Packet::new_unchecked(data), now);
        self.ipv4.reassembly_changed();
        match pushed {
            Ok(None) => {}
            Ok(Some(datagram)) => {
                // A header and the first payload bytes, for ICMP quotes.
                let mut head = [0u8; 24 + 8];
                let header = datagram.header;
                let hl = header.header_len();
                let quoted = datagram.payload.len().min(8);
                let head_len = hl + quoted;
                // The quote's header describes the quote only (the total length of the
                // original does not fit here; ICMP readers clamp it anyway).
                let quote_header = Ipv4Repr {
                    payload_len: quoted,
                    ..header
                };
                if quote_header
                    .emit(&mut Ipv4Packet::new_unchecked(&mut head[..head_len]))
                    .is_err()
                {
                    self.stats.ip.drop(DropReason::Malformed);
                    return;
                }
                head[hl..head_len].copy_from_slice(&datagram.payload[..quoted]);
                let rx = IpRx {
                    netif: id,
                    repr: &header,
                    kind,
                    head: &head[..head_len],
                    payload: &datagram.payload,
                    reassembled: true,
                    rx_verified,
                    src_mac: None,
                };
                self.ip_deliver(&rx, now);
            }
            Err(e) => {
                log::debug!(target: LOG, "fragment from {} dropped: {e}", repr.src_addr);
                self.stats.ip_frag.drop(DropReason::Reassembly);
                self.stats.ip.drop(DropReason::Reassembly);
            }
        }
    }

    /// Runs the IPv4 timers: reassembly timeouts, answered with ICMP time exceeded
    /// (RFC 792 code 1) when the first fragment had arrived.
    pub(crate) fn ipv4_poll(&mut self, now: Instant) {
        if !config::IP4_REASSEMBLY || self.ipv4.next_deadline().is_none_or(|t| t > now) {
            return;
        }
        let mut expired = heapless::Vec::<_, { config::MEMP_NUM_REASSDATA }>::new();
        for e in self.ipv4.reassembler.poll(now) {
            self.stats.ip_frag.drop(DropReason::Reassembly);
            let _ = expired.push(e);
        }
        self.ipv4.reassembly_changed();
        for e in expired {
            self.icmp_send_error(e.quote(), IcmpError::ReassemblyTimeExceeded);
        }
    }

    /// Counters of the reassembly buffers.
    pub fn reassembly_stats(&self) -> reassembly::ReassemblyStats {
        self.ipv4.reassembler.stats()
    }

    /// What the reassembly buffers hold now: (datagrams in flight, fragments, bytes).
    pub fn reassembly_usage(&self) -> (usize, usize, usize) {
        let r = &self.ipv4.reassembler;
        (r.in_flight(), r.held_fragments(), r.held_bytes())
    }

    /// The transport dispatch point: hands a datagram for us to its protocol.
    pub(crate) fn ip_deliver(&mut self, rx: &IpRx<'_>, now: Instant) {
        match rx.repr.protocol {
            IpProtocol::Icmp => self.icmp_input(rx, now),
            IpProtocol::Igmp => self.igmp_input(rx, now),
            IpProtocol::Udp => self.udp_input(rx, now),
            IpProtocol::Tcp => self.tcp_input(rx, now),
            _ => {
                log::trace!(target: LOG, "no handler for protocol {}", rx.repr.protocol);
                self.stats.ip.drop(DropReason::NoSocket);
                if rx.kind == DstKind::Unicast {
                    self.icmp_send_error(rx.head, IcmpError::ProtoUnreachable);
                }
            }
        }
    }

    /// An ICMP error about a datagram we sent (`quoted`: its header and first bytes) reached
    /// us: tell the transport it concerns (RFC 1122 §3.2.2).
    pub(crate) fn transport_error(
        &mut self,
        quoted: &crate::wire::Icmpv4InvokingPacket<'_>,
        error: Error,
    ) {
        match quoted.protocol {
            IpProtocol::Udp => self.udp_error(quoted, error),
            IpProtocol::Tcp => self.tcp_error(quoted, error),
            _ => {}
        }
    }

    /// Next identification value.
    pub(crate) fn next_ident(&mut self) -> u16 {
        let ident = self.ipv4.ident;
        self.ipv4.ident = ident.wrapping_add(1);
        ident
    }

    /// Sends a datagram of `payload_len` bytes whose payload `fill` writes (given the
    /// payload buffer and the chosen source address).
    pub(crate) fn ipv4_send(
        &mut self,
        tx: &IpTx,
        payload_len: usize,
        fill: impl FnOnce(&mut [u8], Ipv4Addr),
    ) -> Result<(), Error> {
        if let Some(hint) = self.tx_hint(tx, payload_len) {
            return self.ipv4_send_hinted(&hint, tx, payload_len, fill);
        }
        let result = self.ipv4_send_routed(tx, payload_len, fill);
        // Nothing of this datagram's path (hook answers included) outlives it.
        self.tx_trace = hint::TxTrace::default();
        result
    }

    /// [`ipv4_send`](Self::ipv4_send) the full way: routing, next hop, resolution; keeps
    /// the outcome as the next-hop hint when it may be one.
    fn ipv4_send_routed(
        &mut self,
        tx: &IpTx,
        payload_len: usize,
        fill: impl FnOnce(&mut [u8], Ipv4Addr),
    ) -> Result<(), Error> {
        let now = self.now;
        // The outcome of this datagram's path is gathered afresh; hook answers the hint
        // check already got are kept for routing to use.
        self.tx_trace = hint::TxTrace {
            asked_route: self.tx_trace.asked_route,
            asked_gateway: self.tx_trace.asked_gateway,
            ..hint::TxTrace::default()
        };
        let routed = match tx.netif {
            Some(id) => self.netif_ref(id).filter(|n| n.up).map(|_| id),
            None => self.route(tx.src, tx.dst),
        };
        let Some(id) = routed else {
            self.stats.ip.drop(DropReason::NoRoute);
            return Err(Error::NoRoute);
        };
        let netif = self.netif_ref(id).ok_or(Error::NoRoute)?;
        let src = match tx.src.filter(|s| !s.is_unspecified()) {
            Some(s) => s,
            None => match netif.addr() {
                Some(a) => a,
                None if tx.dst.is_broadcast() || tx.dst.is_multicast() => Ipv4Addr::UNSPECIFIED,
                None => {
                    self.stats.ip.drop(DropReason::NoRoute);
                    return Err(Error::AddrNotAvailable);
                }
            },
        };
        let result = self.ipv4_build(tx, src, payload_len, fill, |s, header, buf| {
            s.ipv4_output(id, header, buf, tx.multicast_loop, now)
        });
        if result.is_ok() {
            self.keep_tx_hint(tx, id, src);
        }
        result
    }

    /// [`ipv4_send`](Self::ipv4_send) to where the hint says (for a datagram that fits
    /// the interface's MTU): no routing, no resolution.
    fn ipv4_send_hinted(
        &mut self,
        hint: &hint::TxHint,
        tx: &IpTx,
        payload_len: usize,
        fill: impl FnOnce(&mut [u8], Ipv4Addr),
    ) -> Result<(), Error> {
        let (netif, mac, now) = (hint.netif, hint.mac, self.now);
        self.ipv4_build(tx, hint.src, payload_len, fill, |s, header, buf| {
            let total = header.buffer_len();
            s.transmit_in_place(netif, mac, EtherType::Ipv4, buf, HEADROOM, total, now)
        })
    }

    /// Builds the datagram of `tx` from `src` in the transmit buffer (`fill` writes the
    /// payload, then the header with the next identification goes in front of it) and
    /// hands it to `output`. [`Error::MsgTooLong`] (counted) beyond the IPv4 limit.
    fn ipv4_build(
        &mut self,
        tx: &IpTx,
        src: Ipv4Addr,
        payload_len: usize,
        fill: impl FnOnce(&mut [u8], Ipv4Addr),
        output: impl FnOnce(&mut Self, &Ipv4Repr, &mut [u8]) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let header = Ipv4Repr {
            src_addr: src,
            dst_addr: tx.dst,
            protocol: tx.protocol,
            payload_len,
            ttl: tx.ttl,
            tos: tx.tos,
            ident: 0,
            dont_frag: tx.dont_frag,
            more_frags: false,
            frag_offset: 0,
            router_alert: tx.router_alert,
        };
        let total = header.buffer_len();
        if total > fragment::MAX_DATAGRAM_LEN {
            self.stats.ip.drop(DropReason::TooBig);
            return Err(Error::MsgTooLong);
        }
        let header = Ipv4Repr {
            ident: self.next_ident(),
            ..header
        };
        let mut buf = core::mem::take(&mut self.tx_buf);
        if buf.len() < HEADROOM + total {
            buf.resize(HEADROOM + total, 0);
        }
        let result = Self::ipv4_fill(&header, &mut buf, src, fill).and_then(|()| {
            self.stats.ip.tx += 1;
            output(self, &header, &mut buf)
        });
        self.tx_buf = buf;
        result
    }

    /// Lets `fill` write the payload, then writes the header, at `buf[HEADROOM..]`.
    fn ipv4_fill(
        header: &Ipv4Repr,
        buf: &mut [u8],
        src: Ipv4Addr,
        fill: impl FnOnce(&mut [u8], Ipv4Addr),
    ) -> Result<(), Error> {
        let total = header.buffer_len();
        let datagram = buf
            .get_mut(HEADROOM..HEADROOM + total)
            .ok_or(Error::Invalid)?;
        let payload = datagram
            .get_mut(header.header_len()..)
            .ok_or(Error::Invalid)?;
        fill(payload, src);
        header
            .emit(&mut Ipv4Packet::new_unchecked(&mut datagram[..]))
            .map_err(|_| Error::Invalid)
    }

    /// Sends the datagram `header` describes, which sits at `buf[HEADROOM..]`, on `id`.
    fn ipv4_output(
        &mut self,
        id: NetifId,
        header: &Ipv4Repr,
        buf: &mut [u8],
        multicast_loop: bool,
        now: Instant,
    ) -> Result<(), Error> {
        let total = header.buffer_len();
        let dst = header.dst_addr;
        let datagram = buf.get(HEADROOM..HEADROOM + total).ok_or(Error::Invalid)?;
        // To ourselves: the loopback queue of the interface that owns the address.
        let owner = self
            .netif_ref(id)
            .filter(|n| !n.loopback && n.has_addr(dst))
            .map(|_| id)
            .or_else(|| {
                (!dst.is_loopback())
                    .then(|| self.is_our_addr(dst))
                    .flatten()
            });
        if let Some(owner) = owner {
            if !config::NETIF_LOOPBACK {
                self.stats.ip.drop(DropReason::NoRoute);
                return Err(Error::NoRoute);
            }
            return self.loop_output(owner, datagram);
        }
        if dst.is_multicast()
            && multicast_loop
            && self.netif_ref(id).is_some_and(|n| n.igmp.is_member(dst))
        {
            // A failure to loop a copy back does not fail the send.
            let _ = self.loop_output(id, datagram);
        }
        let hop = match self.next_hop(id, dst) {
            Ok(h) => h,
            Err(e) => {
                self.stats.ip.drop(DropReason::NoRoute);
                return Err(e);
            }
        };
        self.ipv4_link_send(id, hop, header, buf, now)
    }

    /// Sends the datagram at `buf[HEADROOM..]` to `hop`, fragmenting it for the MTU of `id`.
    pub(crate) fn ipv4_link_send(
        &mut self,
        id: NetifId,
        hop: NextHop,
        header: &Ipv4Repr,
        buf: &mut [u8],
        now: Instant,
    ) -> Result<(), Error> {
        let mtu = self.netif_ref(id).ok_or(Error::NoRoute)?.mtu;
        let total = header.buffer_len();
        if total <= mtu {
            return self.ip_link_output(id, hop, buf, HEADROOM, total, now);
        }
        if !config::IP4_FRAG || header.dont_frag {
            self.stats.ip.drop(DropReason::TooBig);
            return Err(Error::MsgTooLong);
        }
        let frags = match fragment::fragment(header, mtu) {
            Ok(f) => f,
            Err(_) => {
                self.stats.ip.drop(DropReason::TooBig);
                return Err(Error::MsgTooLong);
            }
        };
        let payload = buf
            .get(HEADROOM + header.header_len()..HEADROOM + total)
            .ok_or(Error::Invalid)?;
        let mut fbuf = core::mem::take(&mut self.frame_buf);
        let mut result = Ok(());
        for frag in frags {
            let need = HEADROOM + frag.buffer_len();
            if fbuf.len() < need {
                fbuf.resize(need, 0);
            }
            let len = match fbuf.get_mut(HEADROOM..).map(|out| frag.emit(payload, out)) {
                Some(Ok(len)) => len,
                _ => {
                    result = Err(Error::Invalid);
                    break;
                }
            };
            self.stats.ip_frag.tx += 1;
            if let Err(e) = self.ip_link_output(id, hop, &mut fbuf, HEADROOM, len, now) {
                result = Err(e);
                break;
            }
        }
        self.frame_buf = fbuf;
        result
    }

    /// Forwards a datagram not for us (RFC 1812 §5.2), when `config::IP_FORWARD` is set.
    fn ipv4_forward(&mut self, in_id: NetifId, data: &[u8], repr: &Ipv4Repr, now: Instant) {
        if !config::IP_FORWARD {
            self.stats.ip.drop(DropReason::NotForUs);
            return;
        }
        let dst = repr.dst_addr;
        let packet = Ipv4Packet::new_unchecked(data);
        let decision = if crate::hooks::enabled::IP4_CANFORWARD {
            self.hooks.ip4_canforward(&packet, dst)
        } else {
            ForwardDecision::Default
        };
        let in_broadcast = self.netif_ref(in_id).is_some_and(|n| n.is_broadcast(dst));
        let allowed = match decision {
            ForwardDecision::Forward => true,
            ForwardDecision::Drop => false,
            ForwardDecision::Default => {
                !(dst.is_broadcast()
                    || in_broadcast
                    || dst.is_multicast()
                    || dst.is_unspecified()
                    || dst.is_loopback()
                    || route::is_link_local(dst)
                    || route::is_link_local(repr.src_addr))
            }
        };
        if !allowed {
            // A broadcast or multicast datagram no local receiver wanted is simply not for us
            // (broadcasts are link-scoped and multicast routing is not done); anything else
            // refused here is a forwarding policy drop.
            let link_scoped = dst.is_broadcast() || in_broadcast || dst.is_multicast();
            self.stats
                .ip
                .drop(if decision == ForwardDecision::Default && link_scoped {
                    DropReason::NotForUs
                } else {
                    DropReason::Policy
                });
            return;
        }
        let Some(out_id) = self.route(None, dst).filter(|&o| o != in_id) else {
            self.stats.ip.drop(DropReason::NoRoute);
            self.icmp_send_error(data, IcmpError::HostUnreachable);
            return;
        };
        if decision == ForwardDecision::Default
            && self.netif_ref(out_id).is_some_and(|n| n.is_broadcast(dst))
        {
            // RFC 2644: directed broadcasts are not forwarded by default.
            self.stats.ip.drop(DropReason::Policy);
            return;
        }
        if repr.ttl <= 1 {
            self.stats.ip.drop(DropReason::Policy);
            self.icmp_send_error(data, IcmpError::TtlExceeded);
            return;
        }
        let hop = match self.next_hop(out_id, dst) {
            Ok(h) => h,
            Err(_) => {
                self.stats.ip.drop(DropReason::NoRoute);
                self.icmp_send_error(data, IcmpError::HostUnreachable);
                return;
            }
        };
        let mtu = self.netif_ref(out_id).map_or(0, |n| n.mtu);
        if data.len() > mtu && (repr.dont_frag || !config::IP4_FRAG) {
            self.stats.ip.drop(DropReason::TooBig);
            self.icmp_send_error(
                data,
                IcmpError::FragRequired(u16::try_from(mtu).unwrap_or(u16::MAX)),
            );
            return;
        }
        log::trace!(target: LOG, "forwarding {} -> {dst} from {in_id} to {out_id}", repr.src_addr);
        let mut buf = core::mem::take(&mut self.tx_buf);
        let need = HEADROOM + data.len();
        if buf.len() < need {
            buf.resize(need, 0);
        }
        buf[HEADROOM..need].copy_from_slice(data);
        let mut header = *repr;
        header.ttl -= 1;
        let result = if data.len() <= mtu {
            // Forward the datagram as it is (options included), with the TTL decremented
            // and the checksum updated incrementally (RFC 1624).
            let mut p = Ipv4Packet::new_unchecked(&mut buf[HEADROOM..need]);
            p.decrement_ttl();
            self.ip_link_output(out_id, hop, &mut buf, HEADROOM, data.len(), now)
        } else {
            // Re-fragmenting keeps the offset and MF of a fragment (the fragmenter adds
            // them); options other than Router Alert are not copied.
            let payload_start = HEADROOM + packet.header_len();
            let hl = header.header_len();
            buf.copy_within(payload_start..need, HEADROOM + hl);
            self.ipv4_link_send(out_id, hop, &header, &mut buf, now)
        };
        self.tx_buf = buf;
        if result.is_ok() {
            self.stats.ip.forwarded += 1;
        }
    }
}

impl<H: Hooks> Stack<H> {
    /// A datagram we sent could not be delivered (its next hop never answered ARP): tell
    /// its transport, as an ICMP host unreachable would.
    pub(crate) fn report_unreachable(&mut self, datagram: &[u8]) {
        if let Ok(quoted) = crate::wire::Icmpv4InvokingPacket::parse(datagram) {
            self.transport_error(&quoted, Error::HostUnreachable);
        }
    }
}
