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
//! compiling. Every point is declared once, in `netstack-config/schema/hooks.toml`; the
//! methods of [`Hooks`], [`enabled`], [`custom`] and [`ANY_CUSTOM`] are generated from it
//! (`docs/hooks.md`, "Adding a hook point").
//!
//! # Configuration (`hook_<point>` in `netstack.toml`, `docs/hooks.md`)
//!
//! Each hook point has a choice `none` / `default` / `custom`:
//!
//! - `default`: the stack calls the method; its default body is what the stack does without
//!   a hook, and an implementation may override it.
//! - `none`: the call site is compiled out (`if hooks::enabled::<POINT>`, a constant), so
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

// The hook points' methods and constants, generated by the build script from
// netstack-config/schema/hooks.toml (the one declaration of every point): the macros
// `hook_methods!`, `hook_enabled_consts!`, `hook_custom_consts!`, `hook_any_custom!` and
// `without_custom_hooks!`.
include!(concat!(env!("OUT_DIR"), "/hook_points.rs"));

/// The hook points of the core layers (lwIP's `LWIP_HOOK_*`, see `opt.h` "Hook options").
///
/// Each method documents when it runs, what it sees and what its result means. The methods
/// are generated from the hook points' declaration (`netstack-config/schema/hooks.toml`),
/// as are the points and signatures `netstack-macros` checks against (the test
/// `hook_points_match_the_macros` compares the two renderings). Each default body calls
/// the function of the same name in [`defaults`]; a point that is `custom` in this build has
/// none.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not implement `netstack::Hooks` in this build",
    label = "not a `Hooks` implementation for this build's netstack.toml",
    note = "when netstack.toml makes a hook point `custom`, `NoHooks` does not implement `Hooks`, so `Stack::new` and `NetStack<NoHooks>` are unavailable: declare the product's hooks with `netstack::hooks!` and build the stack with `Stack::with_hooks(config, ProductHooks::default())` (docs/hooks.md)"
)]
pub trait Hooks {
    hook_methods!();
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
/// A call site reads `if hooks::enabled::IP4_INPUT { .. }`, which compiles away when false.
pub mod enabled {
    hook_enabled_consts!();
}

/// Whether each hook point is `custom` in this build (`hook_<point> = "custom"`): then every
/// [`Hooks`] implementation must provide it (the `netstack::hooks!` macro checks this, naming
/// the point to add).
pub mod custom {
    hook_custom_consts!();
}

/// Whether some hook point is `custom` in this build: then [`NoHooks`] does not implement
/// [`Hooks`] and `Stack::new` cannot be called (build with `Stack::with_hooks`).
pub const ANY_CUSTOM: bool = hook_any_custom!();

/// The hooks of a stack that has none: every hook point does the default.
///
/// It implements [`Hooks`] only when no hook point is `custom` (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NoHooks;

without_custom_hooks! {
    impl Hooks for NoHooks {}
}
