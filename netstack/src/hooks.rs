//! Hook points: where a product injects its own decisions into the core, at compile time.
//!
//! lwIP lets a product `#define LWIP_HOOK_IP4_INPUT my_fn` (ESP-IDF:
//! `ESP_IDF_LWIP_HOOK_FILENAME`); here a product implements [`Hooks`] and builds a
//! `Stack<MyHooks>` (or lets `netstack::hooks!` write the implementation; see
//! `docs/hooks.md`). Every method has an `#[inline]` default body that does what the stack
//! does without a hook (unless the point is `custom`, below), so with [`NoHooks`] each call
//! compiles away (measured in `docs/hooks.md`). Hooks run inside the stack's processing,
//! with the stack borrowed: they get read-only views of the packet and the interface and
//! answer with a typed decision; they cannot call back into the stack.
//!
//! New hook points are added as new methods with defaults, so existing implementations keep
//! compiling.
//!
//! # Configuration (`hook_<point>` in `netstack.toml`, `docs/hooks.md`)
//!
//! Each hook point has a choice `none` / `default` / `custom`:
//!
//! - `default`: the stack calls the method; its default body is what the stack does without
//!   a hook, and an implementation may override it.
//! - `none`: the call site is compiled out (`#[cfg(not(netstack_hook_<point> = "none"))]`), so
//!   the stack behaves as with the default body and an override is never called;
//!   [`enabled`] tells which points are called in this build (the `netstack::hooks!` macro
//!   refuses to compose a hook for a point that is `none`).
//! - `custom`: the method has no default body, so a `Hooks` implementation that lacks it does
//!   not compile (a hand-written one: error E0046 naming the method; one `netstack::hooks!`
//!   declares: an error saying which `point => handler` line to add, see [`custom`]).
//!   [`NoHooks`] then does not implement `Hooks`, and `Stack::new` fails to compile with a
//!   note saying to build with `Stack::with_hooks`.
//!
//! [`defaults`] holds what each point does without a hook, as functions a hook may fall back
//! to.

use core::net::{Ipv4Addr, SocketAddrV4};

use crate::ipv4::dhcp::DhcpState;
use crate::netif::{NetifId, NetifInfo};
use crate::tcp::{IsnGenerator, TcpHandle, TcpState};
use crate::time::Instant;
use crate::wire::{
    DhcpMessageType, DhcpOptionWriter, EtherType, EthernetAddress, EthernetFrame, Ipv4Packet,
    TcpPacket, TcpRepr, VlanTag,
};

/// What an input hook did with a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum InputVerdict {
    /// Not handled: the stack processes (or, for an unknown ethertype, drops and counts)
    /// the packet as usual.
    #[default]
    Continue,
    /// The hook took the packet: the stack stops processing it (and does not count it as
    /// dropped).
    Consumed,
}

/// The answer of [`Hooks::ip4_canforward`] (lwIP's 1 / 0 / -1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ForwardDecision {
    /// Forward the packet, skipping the stack's own checks.
    Forward,
    /// Do not forward: drop and count it.
    Drop,
    /// Let the stack decide (it refuses link-local and broadcast destinations).
    #[default]
    Default,
}

/// The answer of [`Hooks::tcp_inpacket_pcb`] (lwIP's `ERR_OK` / an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SegmentVerdict {
    /// The connection processes the segment as usual.
    #[default]
    Accept,
    /// The segment is dropped before the connection sees it (counted as
    /// `stats.tcp.drop_policy`); the connection behaves as if it was lost on the way.
    Drop,
}

/// The answer of [`Hooks::sockets_setsockopt`] (`T = ()`) and [`Hooks::sockets_getsockopt`]
/// (`T = usize`, the length written), lwIP's "handled" flag and `err`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SockoptVerdict<T> {
    /// Not handled: the stack handles the option as usual.
    Continue,
    /// The hook handled the option: the call returns this result without the stack looking
    /// at it. `Err` carries an errno code (`netstack::api::Errno::code`, e.g. 1 for
    /// `EPERM`); the call fails with that errno, or with `EINVAL` for a code that is not
    /// one.
    Handled(Result<T, i32>),
}

/// The answer of [`Hooks::dhcp_parse_option`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DhcpOptionVerdict {
    /// The stack goes on with the reply (its other options, then the reply itself).
    #[default]
    Continue,
    /// The whole reply is ignored, as if it had been lost (e.g. an OFFER from a server
    /// without the product's vendor option): the client keeps waiting and retransmits.
    Drop,
}

/// A TCP connection (or listener) as the TCP hook points see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TcpConnInfo {
    /// Our address and port. For a listener that is bound to the wildcard address, the
    /// address the segment was sent to.
    pub local: SocketAddrV4,
    /// The peer's address and port.
    pub remote: SocketAddrV4,
    /// The connection's state; [`TcpState::Listen`] for a segment that reached a listener
    /// (a SYN that may open a connection).
    pub state: TcpState,
    /// The handle naming the connection (the one `tcp_connect`/`tcp_accept` returns, or will
    /// return once it is accepted); `None` for a listener.
    pub handle: Option<TcpHandle>,
}

/// A bounded table of the stack, as [`Hooks::memp_available`] names it (lwIP's `memp_t`).
///
/// Each is a fixed number of slots set by the configuration; opening one more than that
/// fails (`Error::PoolExhausted`, or `ENFILE`/`ENOBUFS` through the sockets API). The lwIP
/// pool each one stands for is given by [`lwip_name`](Self::lwip_name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pool {
    /// TCP connections (`config::MAX_ACTIVE_TCP`, lwIP `MEMP_TCP_PCB`).
    TcpPcb,
    /// TCP listeners (`config::MAX_LISTENING_TCP`, lwIP `MEMP_TCP_PCB_LISTEN`).
    TcpPcbListen,
    /// UDP control blocks (`config::MAX_UDP_PCBS`, lwIP `MEMP_UDP_PCB`).
    UdpPcb,
    /// The multicast groups of one interface (`config::MEMP_NUM_IGMP_GROUP`, the
    /// all-systems group included, lwIP `MEMP_IGMP_GROUP`): each interface has its own
    /// table, so the interface is named.
    IgmpGroup(NetifId),
    /// Socket descriptors of the sockets and netconn APIs (`config::MAX_SOCKETS`, lwIP
    /// `MEMP_NETCONN`); only with `std`, where those APIs exist.
    Netconn,
}

impl Pool {
    /// How many kinds of pool there are (the range of [`index`](Self::index)).
    pub const COUNT: usize = 5;

    /// A small number per kind of pool, `0..Pool::COUNT` (every interface's
    /// [`IgmpGroup`](Self::IgmpGroup) is the same kind), for tables indexed by pool.
    #[inline]
    pub const fn index(self) -> usize {
        match self {
            Pool::TcpPcb => 0,
            Pool::TcpPcbListen => 1,
            Pool::UdpPcb => 2,
            Pool::IgmpGroup(_) => 3,
            Pool::Netconn => 4,
        }
    }

    /// The name of the lwIP pool it stands for (`MEMP_TCP_PCB`, ...).
    pub const fn lwip_name(self) -> &'static str {
        match self {
            Pool::TcpPcb => "MEMP_TCP_PCB",
            Pool::TcpPcbListen => "MEMP_TCP_PCB_LISTEN",
            Pool::UdpPcb => "MEMP_UDP_PCB",
            Pool::IgmpGroup(_) => "MEMP_IGMP_GROUP",
            Pool::Netconn => "MEMP_NETCONN",
        }
    }
}

/// What [`Hooks::tcp_isn`] may build on: the stack's RFC 6528 generator (keyed with the
/// stack's secret) and the current time.
#[derive(Debug, Clone, Copy)]
pub struct IsnContext<'a> {
    generator: &'a IsnGenerator,
    now: Instant,
}

impl<'a> IsnContext<'a> {
    /// The context of an ISN chosen at `now` with the stack's generator.
    #[cfg(not(netstack_hook_tcp_isn = "none"))]
    pub(crate) const fn new(generator: &'a IsnGenerator, now: Instant) -> IsnContext<'a> {
        IsnContext { generator, now }
    }

    /// When the connection is being created.
    #[inline]
    pub const fn now(&self) -> Instant {
        self.now
    }

    /// The RFC 6528 ISN for these endpoints: a 4 µs clock plus a keyed SipHash of the
    /// 4-tuple (`tcp::isn`), what the `default` of this point returns.
    #[inline]
    pub fn rfc6528(&self, local: SocketAddrV4, remote: SocketAddrV4) -> u32 {
        self.generator
            .isn(
                core::net::IpAddr::V4(*local.ip()),
                local.port(),
                core::net::IpAddr::V4(*remote.ip()),
                remote.port(),
                self.now,
            )
            .0
    }
}

/// Declares a hook method whose default body exists unless its point is `custom` (a
/// notification point has no return type).
macro_rules! hook_method {
    (
        custom: $custom:meta;
        $(#[$doc:meta])*
        fn $name:ident(&mut self $(, $arg:ident: $ty:ty)* $(,)?) -> $ret:ty $body:block
    ) => {
        $(#[$doc])*
        #[cfg(not($custom))]
        #[inline]
        fn $name(&mut self $(, $arg: $ty)*) -> $ret $body

        $(#[$doc])*
        ///
        /// This build selects `custom` for this point: every implementation must provide it.
        #[cfg($custom)]
        fn $name(&mut self $(, $arg: $ty)*) -> $ret;
    };
    (
        custom: $custom:meta;
        $(#[$doc:meta])*
        fn $name:ident(&mut self $(, $arg:ident: $ty:ty)* $(,)?) $body:block
    ) => {
        $(#[$doc])*
        #[cfg(not($custom))]
        #[inline]
        fn $name(&mut self $(, $arg: $ty)*) $body

        $(#[$doc])*
        ///
        /// This build selects `custom` for this point: every implementation must provide it.
        #[cfg($custom)]
        fn $name(&mut self $(, $arg: $ty)*);
    };
}

/// The hook points of the core layers (lwIP's `LWIP_HOOK_*`, see `opt.h` "Hook options").
///
/// Each method documents when it runs, what it sees and what its result means. The list of
/// points and their signatures is mirrored by `netstack-macros` (checked by the test
/// `hook_points_match_the_macros`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not implement `netstack::Hooks` in this build",
    label = "not a `Hooks` implementation for this build's netstack.toml",
    note = "when netstack.toml makes a hook point `custom`, `NoHooks` does not implement `Hooks`, so `Stack::new` and `NetStack<NoHooks>` are unavailable: declare the product's hooks with `netstack::hooks!` and build the stack with `Stack::with_hooks(config, ProductHooks::default())` (docs/hooks.md)"
)]
pub trait Hooks {
    hook_method! {
        custom: netstack_hook_ip4_input = "custom";
        /// `LWIP_HOOK_IP4_INPUT`: runs for every IPv4 packet a netif received, after the
        /// header's lengths were validated and before anything else (checksum, address
        /// filtering, reassembly). `packet` spans exactly the datagram (link padding removed).
        /// [`InputVerdict::Consumed`] ends processing: the hook has taken the packet.
        fn ip4_input(&mut self, packet: &Ipv4Packet<&[u8]>, netif: &NetifInfo<'_>) -> InputVerdict {
            defaults::ip4_input(packet, netif)
        }
    }

    hook_method! {
        custom: netstack_hook_ip4_route = "custom";
        /// `LWIP_HOOK_IP4_ROUTE`: runs when the stack chooses the interface for `dst` and no
        /// source-based choice applied, before the subnet match. `Some(netif)` sends on that
        /// interface (if it exists and is up); `None` lets the stack decide.
        fn ip4_route(&mut self, dst: Ipv4Addr) -> Option<NetifId> {
            defaults::ip4_route(dst)
        }
    }

    hook_method! {
        custom: netstack_hook_ip4_route_src = "custom";
        /// `LWIP_HOOK_IP4_ROUTE_SRC`: runs first when routing a packet, with its source
        /// address if already chosen (a bound socket) and destination. `Some(netif)` sends on
        /// that interface; `None` continues with the stack's source-based rule (the netif that
        /// owns `src`) and then [`ip4_route`](Self::ip4_route).
        fn ip4_route_src(&mut self, src: Option<Ipv4Addr>, dst: Ipv4Addr) -> Option<NetifId> {
            defaults::ip4_route_src(src, dst)
        }
    }

    hook_method! {
        custom: netstack_hook_ip4_canforward = "custom";
        /// `LWIP_HOOK_IP4_CANFORWARD`: runs when a packet not for us is about to be forwarded
        /// (`IP_FORWARD`), before the TTL is decremented. The answer overrides the stack's own
        /// rules unless it is [`ForwardDecision::Default`].
        fn ip4_canforward(&mut self, packet: &Ipv4Packet<&[u8]>, dst: Ipv4Addr) -> ForwardDecision {
            defaults::ip4_canforward(packet, dst)
        }
    }

    hook_method! {
        custom: netstack_hook_etharp_get_gw = "custom";
        /// `LWIP_HOOK_ETHARP_GET_GW`: runs when a packet for an off-link `dst` is about to be
        /// sent on Ethernet interface `netif`. `Some(gw)` resolves and sends to `gw` instead of
        /// the interface's gateway; `None` uses the interface's gateway.
        fn etharp_get_gw(&mut self, netif: &NetifInfo<'_>, dst: Ipv4Addr) -> Option<Ipv4Addr> {
            defaults::etharp_get_gw(netif, dst)
        }
    }

    hook_method! {
        custom: netstack_hook_vlan_check = "custom";
        /// `LWIP_HOOK_VLAN_CHECK`: runs for each received 802.1Q-tagged frame. `true` accepts
        /// the frame (processed as if untagged); `false` drops and counts it. The default
        /// accepts priority-tagged frames (VID 0, IEEE 802.1Q §6.9.1) only, as the stack does
        /// when the point is `none`.
        fn vlan_check(
            &mut self,
            netif: &NetifInfo<'_>,
            frame: &EthernetFrame<&[u8]>,
            tag: VlanTag,
        ) -> bool {
            defaults::vlan_check(netif, frame, tag)
        }
    }

    hook_method! {
        custom: netstack_hook_vlan_set = "custom";
        /// `LWIP_HOOK_VLAN_SET`: runs for each frame the stack sends on an Ethernet interface.
        /// `Some(tag)` inserts that 802.1Q tag; `None` sends untagged.
        fn vlan_set(
            &mut self,
            netif: &NetifInfo<'_>,
            src: EthernetAddress,
            dst: EthernetAddress,
            ethertype: EtherType,
        ) -> Option<VlanTag> {
            defaults::vlan_set(netif, src, dst, ethertype)
        }
    }

    hook_method! {
        custom: netstack_hook_unknown_eth_protocol = "custom";
        /// `LWIP_HOOK_UNKNOWN_ETH_PROTOCOL`: runs for a received frame whose ethertype the
        /// stack does not handle (after VLAN processing). [`InputVerdict::Consumed`]: the hook
        /// took it; [`InputVerdict::Continue`]: the stack drops and counts it.
        fn unknown_eth_protocol(
            &mut self,
            netif: &NetifInfo<'_>,
            frame: &EthernetFrame<&[u8]>,
        ) -> InputVerdict {
            defaults::unknown_eth_protocol(netif, frame)
        }
    }

    hook_method! {
        custom: netstack_hook_tcp_isn = "custom";
        /// `LWIP_HOOK_TCP_ISN`: runs when a connection is created (`tcp_connect`, or a SYN
        /// accepted by a listener) and returns its initial sequence number. `isn` gives the
        /// stack's RFC 6528 generator and the time. The default is
        /// [`IsnContext::rfc6528`]; with the point `none` the stack uses a random 4 µs clock
        /// instead (see `docs/hooks.md`).
        fn tcp_isn(
            &mut self,
            local: SocketAddrV4,
            remote: SocketAddrV4,
            isn: &IsnContext<'_>,
        ) -> u32 {
            defaults::tcp_isn(local, remote, isn)
        }
    }

    hook_method! {
        custom: netstack_hook_tcp_inpacket_pcb = "custom";
        /// `LWIP_HOOK_TCP_INPACKET_PCB`: runs for every valid segment (checksum and header
        /// checked) once its connection or listener is found, before the connection
        /// processes it. `segment` is the whole segment (header, options, data);
        /// [`SegmentVerdict::Drop`] drops it unseen by the connection.
        fn tcp_inpacket_pcb(
            &mut self,
            conn: &TcpConnInfo,
            segment: &TcpPacket<&[u8]>,
        ) -> SegmentVerdict {
            defaults::tcp_inpacket_pcb(conn, segment)
        }
    }

    hook_method! {
        custom: netstack_hook_tcp_out_tcpopt_length = "custom";
        /// `LWIP_HOOK_TCP_OUT_TCPOPT_LENGTH`: runs for every segment a connection sends,
        /// and once per transmission burst to size its data segments. `internal_len` is the
        /// option length the stack itself uses (MSS, window scale, SACK, timestamps); the
        /// answer is the total option length to reserve, `internal_len` plus the product's
        /// options. The stack rounds the extra part up to a multiple of 4 and keeps the total
        /// within 40 bytes (leaving out SACK blocks first, then clamping the extra part,
        /// with a warning on log target `netstack::tcp`); data segments carry that many
        /// bytes less data, so the packet stays within the path MTU.
        fn tcp_out_tcpopt_length(&mut self, conn: &TcpConnInfo, internal_len: usize) -> usize {
            defaults::tcp_out_tcpopt_length(conn, internal_len)
        }
    }

    hook_method! {
        custom: netstack_hook_tcp_out_add_tcpopts = "custom";
        /// `LWIP_HOOK_TCP_OUT_ADD_TCPOPTS`: runs for every segment of a connection for which
        /// [`tcp_out_tcpopt_length`](Self::tcp_out_tcpopt_length) reserved extra space.
        /// `segment` is the header as it goes out; `options` is the reserved space after the
        /// stack's own options (a multiple of 4, possibly less than asked for, filled with
        /// NOPs). The hook writes its options there and returns how many bytes it wrote; the
        /// rest stays NOP.
        fn tcp_out_add_tcpopts(
            &mut self,
            conn: &TcpConnInfo,
            segment: &TcpRepr,
            options: &mut [u8],
        ) -> usize {
            defaults::tcp_out_add_tcpopts(conn, segment, options)
        }
    }
    hook_method! {
        custom: netstack_hook_sockets_setsockopt = "custom";
        /// `LWIP_HOOK_SOCKETS_SETSOCKOPT`: runs first in `NetStack::setsockopt`, once `fd`
        /// is known to be a socket, with the core held (on the TCP/IP thread or under the
        /// core lock). `value` is the caller's bytes. [`SockoptVerdict::Handled`] ends the
        /// call with its result (a product's own option, or a standard one overridden or
        /// forbidden); [`SockoptVerdict::Continue`] lets the stack handle the option.
        fn sockets_setsockopt(
            &mut self,
            fd: i32,
            level: i32,
            name: i32,
            value: &[u8],
        ) -> SockoptVerdict<()> {
            defaults::sockets_setsockopt(fd, level, name, value)
        }
    }

    hook_method! {
        custom: netstack_hook_sockets_getsockopt = "custom";
        /// `LWIP_HOOK_SOCKETS_GETSOCKOPT`: runs first in `NetStack::getsockopt`, once `fd`
        /// is known to be a socket, with the core held. `out` holds the caller's buffer
        /// (its length and contents). `Handled(Ok(n))` returns the first `n` bytes of `out`
        /// to the caller (`n` beyond `out.len()` fails with `EINVAL`); `Handled(Err(code))`
        /// fails with that errno; [`SockoptVerdict::Continue`] lets the stack answer (and
        /// discards what the hook wrote).
        fn sockets_getsockopt(
            &mut self,
            fd: i32,
            level: i32,
            name: i32,
            out: &mut [u8],
        ) -> SockoptVerdict<usize> {
            defaults::sockets_getsockopt(fd, level, name, out)
        }
    }

    hook_method! {
        custom: netstack_hook_dhcp_append_options = "custom";
        /// `LWIP_HOOK_DHCP_APPEND_OPTIONS`: runs for every message the DHCP client builds
        /// (DISCOVER, REQUEST, DECLINE, RELEASE), after the stack's own options and before
        /// End, with the interface, the client's state (the state the message belongs to:
        /// SELECTING for a DISCOVER, REQUESTING/REBOOTING/RENEWING/REBINDING for a REQUEST;
        /// INIT for a DECLINE, RELEASED for a RELEASE) and the message's type. The hook
        /// appends options with `options` (e.g. `append(code, data)`); the writer keeps
        /// them within the options area (`dhcp_options_len`), refusing with a
        /// [`DhcpOptionError`](crate::wire::DhcpOptionError) an option that does not fit or
        /// whose code the message already has — nothing is cut or overwritten.
        fn dhcp_append_options(
            &mut self,
            netif: &NetifInfo<'_>,
            state: DhcpState,
            message_type: DhcpMessageType,
            options: &mut DhcpOptionWriter<'_>,
        ) {
            defaults::dhcp_append_options(netif, state, message_type, options)
        }
    }

    hook_method! {
        custom: netstack_hook_dhcp_extra_option = "custom";
        /// `LWIP_HOOK_DHCP_PARSE_OPTION` (ESP-IDF's `hook_dhcp_extra_option`): runs for each
        /// option (pad and end excepted; `file`/`sname` included when overloaded) of every
        /// reply addressed to the client (its `xid` and hardware address), before the client
        /// acts on the reply. `state` is the client's state, `message_type` the reply's
        /// (OFFER, ACK, NAK), `code` and `data` the option. The hook records what it needs;
        /// [`DhcpOptionVerdict::Drop`] ignores the whole reply.
        fn dhcp_parse_option(
            &mut self,
            netif: &NetifInfo<'_>,
            state: DhcpState,
            message_type: DhcpMessageType,
            code: u8,
            data: &[u8],
        ) -> DhcpOptionVerdict {
            defaults::dhcp_parse_option(netif, state, message_type, code, data)
        }
    }

    hook_method! {
        custom: netstack_hook_memp_available = "custom";
        /// `LWIP_HOOK_MEMP_AVAILABLE`: runs when a slot of `pool` is released while every
        /// slot of it was in use, so the pool goes from full to having room: once per such
        /// release, whether or not an allocation had been refused meanwhile (lwIP calls it
        /// from `memp_free` when the pool's free list was empty). A product waiting for room
        /// (a driver that stopped accepting connections, a task that got `ENFILE`) resumes
        /// here. It runs with the stack borrowed, inside the call that released the slot
        /// (a close, a timer, a received segment), and cannot call back into the stack.
        fn memp_available(&mut self, pool: Pool) {
            defaults::memp_available(pool)
        }
    }
}

/// What each hook point does without a hook: the default bodies of [`Hooks`]' methods, as
/// functions. `netstack::hooks!` calls them for the points a product leaves out, and a hook
/// may call them to fall back to the stack's own behaviour.
pub mod defaults {
    use super::*;

    /// What the stack does at [`Hooks::ip4_input`] without a hook.
    #[inline]
    pub fn ip4_input(packet: &Ipv4Packet<&[u8]>, netif: &NetifInfo<'_>) -> InputVerdict {
        let _ = (packet, netif);
        InputVerdict::Continue
    }

    /// What the stack does at [`Hooks::ip4_route`] without a hook.
    #[inline]
    pub fn ip4_route(dst: Ipv4Addr) -> Option<NetifId> {
        let _ = dst;
        None
    }

    /// What the stack does at [`Hooks::ip4_route_src`] without a hook.
    #[inline]
    pub fn ip4_route_src(src: Option<Ipv4Addr>, dst: Ipv4Addr) -> Option<NetifId> {
        let _ = (src, dst);
        None
    }

    /// What the stack does at [`Hooks::ip4_canforward`] without a hook.
    #[inline]
    pub fn ip4_canforward(packet: &Ipv4Packet<&[u8]>, dst: Ipv4Addr) -> ForwardDecision {
        let _ = (packet, dst);
        ForwardDecision::Default
    }

    /// What the stack does at [`Hooks::etharp_get_gw`] without a hook.
    #[inline]
    pub fn etharp_get_gw(netif: &NetifInfo<'_>, dst: Ipv4Addr) -> Option<Ipv4Addr> {
        let _ = (netif, dst);
        None
    }

    /// What the stack does at [`Hooks::vlan_check`] without a hook.
    #[inline]
    pub fn vlan_check(netif: &NetifInfo<'_>, frame: &EthernetFrame<&[u8]>, tag: VlanTag) -> bool {
        let _ = (netif, frame);
        accepts_untagged_only(tag)
    }

    /// What the stack does at [`Hooks::vlan_set`] without a hook.
    #[inline]
    pub fn vlan_set(
        netif: &NetifInfo<'_>,
        src: EthernetAddress,
        dst: EthernetAddress,
        ethertype: EtherType,
    ) -> Option<VlanTag> {
        let _ = (netif, src, dst, ethertype);
        None
    }

    /// What the stack does at [`Hooks::unknown_eth_protocol`] without a hook.
    #[inline]
    pub fn unknown_eth_protocol(
        netif: &NetifInfo<'_>,
        frame: &EthernetFrame<&[u8]>,
    ) -> InputVerdict {
        let _ = (netif, frame);
        InputVerdict::Continue
    }

    /// What the stack does at [`Hooks::tcp_isn`] without a hook.
    #[inline]
    pub fn tcp_isn(local: SocketAddrV4, remote: SocketAddrV4, isn: &IsnContext<'_>) -> u32 {
        isn.rfc6528(local, remote)
    }

    /// What the stack does at [`Hooks::tcp_inpacket_pcb`] without a hook.
    #[inline]
    pub fn tcp_inpacket_pcb(conn: &TcpConnInfo, segment: &TcpPacket<&[u8]>) -> SegmentVerdict {
        let _ = (conn, segment);
        SegmentVerdict::Accept
    }

    /// What the stack does at [`Hooks::tcp_out_tcpopt_length`] without a hook.
    #[inline]
    pub fn tcp_out_tcpopt_length(conn: &TcpConnInfo, internal_len: usize) -> usize {
        let _ = conn;
        internal_len
    }

    /// What the stack does at [`Hooks::tcp_out_add_tcpopts`] without a hook.
    #[inline]
    pub fn tcp_out_add_tcpopts(conn: &TcpConnInfo, segment: &TcpRepr, options: &mut [u8]) -> usize {
        let _ = (conn, segment, options);
        0
    }

    /// What the stack does at [`Hooks::sockets_setsockopt`] without a hook.
    #[inline]
    pub fn sockets_setsockopt(fd: i32, level: i32, name: i32, value: &[u8]) -> SockoptVerdict<()> {
        let _ = (fd, level, name, value);
        SockoptVerdict::Continue
    }

    /// What the stack does at [`Hooks::sockets_getsockopt`] without a hook.
    #[inline]
    pub fn sockets_getsockopt(
        fd: i32,
        level: i32,
        name: i32,
        out: &mut [u8],
    ) -> SockoptVerdict<usize> {
        let _ = (fd, level, name, out);
        SockoptVerdict::Continue
    }

    /// What the stack does at [`Hooks::dhcp_append_options`] without a hook.
    #[inline]
    pub fn dhcp_append_options(
        netif: &NetifInfo<'_>,
        state: DhcpState,
        message_type: DhcpMessageType,
        options: &mut DhcpOptionWriter<'_>,
    ) {
        let _ = (netif, state, message_type, options);
    }

    /// What the stack does at [`Hooks::dhcp_parse_option`] without a hook.
    #[inline]
    pub fn dhcp_parse_option(
        netif: &NetifInfo<'_>,
        state: DhcpState,
        message_type: DhcpMessageType,
        code: u8,
        data: &[u8],
    ) -> DhcpOptionVerdict {
        let _ = (netif, state, message_type, code, data);
        DhcpOptionVerdict::Continue
    }

    /// What the stack does at [`Hooks::memp_available`] without a hook.
    #[inline]
    pub fn memp_available(pool: Pool) {
        let _ = pool;
    }
}

/// The stack's own VLAN acceptance rule (used by the default [`Hooks::vlan_check`] and when
/// that point is `none`): only priority-tagged frames (VID 0, IEEE 802.1Q §6.9.1) pass.
#[inline]
pub const fn accepts_untagged_only(tag: VlanTag) -> bool {
    tag.vid == 0
}

/// Whether this build calls each hook point: `false` when `netstack.toml` selects `none`
/// for it (`hook_<point> = "none"`), so an implementation of that method is never called.
pub mod enabled {
    /// `hook_ip4_input` is not `none`.
    pub const IP4_INPUT: bool = cfg!(not(netstack_hook_ip4_input = "none"));
    /// `hook_ip4_route` is not `none`.
    pub const IP4_ROUTE: bool = cfg!(not(netstack_hook_ip4_route = "none"));
    /// `hook_ip4_route_src` is not `none`.
    pub const IP4_ROUTE_SRC: bool = cfg!(not(netstack_hook_ip4_route_src = "none"));
    /// `hook_ip4_canforward` is not `none`.
    pub const IP4_CANFORWARD: bool = cfg!(not(netstack_hook_ip4_canforward = "none"));
    /// `hook_etharp_get_gw` is not `none`.
    pub const ETHARP_GET_GW: bool = cfg!(not(netstack_hook_etharp_get_gw = "none"));
    /// `hook_vlan_check` is not `none`.
    pub const VLAN_CHECK: bool = cfg!(not(netstack_hook_vlan_check = "none"));
    /// `hook_vlan_set` is not `none`.
    pub const VLAN_SET: bool = cfg!(not(netstack_hook_vlan_set = "none"));
    /// `hook_unknown_eth_protocol` is not `none`.
    pub const UNKNOWN_ETH_PROTOCOL: bool = cfg!(not(netstack_hook_unknown_eth_protocol = "none"));
    /// `hook_tcp_isn` is not `none`.
    pub const TCP_ISN: bool = cfg!(not(netstack_hook_tcp_isn = "none"));
    /// `hook_tcp_inpacket_pcb` is not `none`.
    pub const TCP_INPACKET_PCB: bool = cfg!(not(netstack_hook_tcp_inpacket_pcb = "none"));
    /// `hook_tcp_out_tcpopt_length` is not `none`.
    pub const TCP_OUT_TCPOPT_LENGTH: bool = cfg!(not(netstack_hook_tcp_out_tcpopt_length = "none"));
    /// `hook_tcp_out_add_tcpopts` is not `none`.
    pub const TCP_OUT_ADD_TCPOPTS: bool = cfg!(not(netstack_hook_tcp_out_add_tcpopts = "none"));
    /// `hook_sockets_setsockopt` is not `none`.
    pub const SOCKETS_SETSOCKOPT: bool = cfg!(not(netstack_hook_sockets_setsockopt = "none"));
    /// `hook_sockets_getsockopt` is not `none`.
    pub const SOCKETS_GETSOCKOPT: bool = cfg!(not(netstack_hook_sockets_getsockopt = "none"));
    /// `hook_dhcp_append_options` is not `none`.
    pub const DHCP_APPEND_OPTIONS: bool = cfg!(not(netstack_hook_dhcp_append_options = "none"));
    /// `hook_dhcp_extra_option` (the point `dhcp_parse_option`) is not `none`.
    pub const DHCP_PARSE_OPTION: bool = cfg!(not(netstack_hook_dhcp_extra_option = "none"));
    /// `hook_memp_available` is not `none` (`none` is this point's default).
    pub const MEMP_AVAILABLE: bool = cfg!(not(netstack_hook_memp_available = "none"));
}

/// Whether each hook point is `custom` in this build (`hook_<point> = "custom"`): then every
/// [`Hooks`] implementation must provide it (the `netstack::hooks!` macro checks this, naming
/// the point to add).
pub mod custom {
    /// `hook_ip4_input` is `custom`.
    pub const IP4_INPUT: bool = cfg!(netstack_hook_ip4_input = "custom");
    /// `hook_ip4_route` is `custom`.
    pub const IP4_ROUTE: bool = cfg!(netstack_hook_ip4_route = "custom");
    /// `hook_ip4_route_src` is `custom`.
    pub const IP4_ROUTE_SRC: bool = cfg!(netstack_hook_ip4_route_src = "custom");
    /// `hook_ip4_canforward` is `custom`.
    pub const IP4_CANFORWARD: bool = cfg!(netstack_hook_ip4_canforward = "custom");
    /// `hook_etharp_get_gw` is `custom`.
    pub const ETHARP_GET_GW: bool = cfg!(netstack_hook_etharp_get_gw = "custom");
    /// `hook_vlan_check` is `custom`.
    pub const VLAN_CHECK: bool = cfg!(netstack_hook_vlan_check = "custom");
    /// `hook_vlan_set` is `custom`.
    pub const VLAN_SET: bool = cfg!(netstack_hook_vlan_set = "custom");
    /// `hook_unknown_eth_protocol` is `custom`.
    pub const UNKNOWN_ETH_PROTOCOL: bool = cfg!(netstack_hook_unknown_eth_protocol = "custom");
    /// `hook_tcp_isn` is `custom`.
    pub const TCP_ISN: bool = cfg!(netstack_hook_tcp_isn = "custom");
    /// `hook_tcp_inpacket_pcb` is `custom`.
    pub const TCP_INPACKET_PCB: bool = cfg!(netstack_hook_tcp_inpacket_pcb = "custom");
    /// `hook_tcp_out_tcpopt_length` is `custom`.
    pub const TCP_OUT_TCPOPT_LENGTH: bool = cfg!(netstack_hook_tcp_out_tcpopt_length = "custom");
    /// `hook_tcp_out_add_tcpopts` is `custom`.
    pub const TCP_OUT_ADD_TCPOPTS: bool = cfg!(netstack_hook_tcp_out_add_tcpopts = "custom");
    /// `hook_sockets_setsockopt` is `custom`.
    pub const SOCKETS_SETSOCKOPT: bool = cfg!(netstack_hook_sockets_setsockopt = "custom");
    /// `hook_sockets_getsockopt` is `custom`.
    pub const SOCKETS_GETSOCKOPT: bool = cfg!(netstack_hook_sockets_getsockopt = "custom");
    /// `hook_dhcp_append_options` is `custom`.
    pub const DHCP_APPEND_OPTIONS: bool = cfg!(netstack_hook_dhcp_append_options = "custom");
    /// `hook_dhcp_extra_option` (the point `dhcp_parse_option`) is `custom`.
    pub const DHCP_PARSE_OPTION: bool = cfg!(netstack_hook_dhcp_extra_option = "custom");
    /// `hook_memp_available` is `custom`.
    pub const MEMP_AVAILABLE: bool = cfg!(netstack_hook_memp_available = "custom");
}

/// Whether some hook point is `custom` in this build: then [`NoHooks`] does not implement
/// [`Hooks`] and `Stack::new` cannot be called (build with `Stack::with_hooks`).
pub const ANY_CUSTOM: bool = cfg!(any(
    netstack_hook_ip4_input = "custom",
    netstack_hook_ip4_route = "custom",
    netstack_hook_ip4_route_src = "custom",
    netstack_hook_ip4_canforward = "custom",
    netstack_hook_etharp_get_gw = "custom",
    netstack_hook_vlan_check = "custom",
    netstack_hook_vlan_set = "custom",
    netstack_hook_unknown_eth_protocol = "custom",
    netstack_hook_tcp_isn = "custom",
    netstack_hook_tcp_inpacket_pcb = "custom",
    netstack_hook_tcp_out_tcpopt_length = "custom",
    netstack_hook_tcp_out_add_tcpopts = "custom",
    netstack_hook_sockets_setsockopt = "custom",
    netstack_hook_sockets_getsockopt = "custom",
    netstack_hook_dhcp_append_options = "custom",
    netstack_hook_dhcp_extra_option = "custom",
    netstack_hook_memp_available = "custom",
));

/// Emits items only when no hook point is `custom` (where [`NoHooks`] can implement [`Hooks`]).
macro_rules! without_custom_hooks {
    ($($item:item)*) => {
        $(
            #[cfg(not(any(
                netstack_hook_ip4_input = "custom",
                netstack_hook_ip4_route = "custom",
                netstack_hook_ip4_route_src = "custom",
                netstack_hook_ip4_canforward = "custom",
                netstack_hook_etharp_get_gw = "custom",
                netstack_hook_vlan_check = "custom",
                netstack_hook_vlan_set = "custom",
                netstack_hook_unknown_eth_protocol = "custom",
                netstack_hook_tcp_isn = "custom",
                netstack_hook_tcp_inpacket_pcb = "custom",
                netstack_hook_tcp_out_tcpopt_length = "custom",
                netstack_hook_tcp_out_add_tcpopts = "custom",
                netstack_hook_sockets_setsockopt = "custom",
                netstack_hook_sockets_getsockopt = "custom",
                netstack_hook_dhcp_append_options = "custom",
                netstack_hook_dhcp_extra_option = "custom",
                netstack_hook_memp_available = "custom",
            )))]
            $item
        )*
    };
}

/// The hooks of a stack that has none: every hook point does the default.
///
/// It implements [`Hooks`] only when no hook point is `custom` (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NoHooks;

without_custom_hooks! {
    impl Hooks for NoHooks {}
}
