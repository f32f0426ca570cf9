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
//! # Configuration (`hook_<point>` in `netstack.toml`, DESIGN.md §3)
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
//!   not compile (error E0046 naming the method). [`NoHooks`] then does not implement `Hooks`
//!   and `Stack::new` does not exist: build with `Stack::with_hooks`.

use core::net::Ipv4Addr;

use crate::netif::{NetifId, NetifInfo};
use crate::wire::{EtherType, EthernetAddress, EthernetFrame, Ipv4Packet, VlanTag};

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

/// Declares a hook method whose default body exists unless its point is `custom`.
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
}

/// The hook points of the core layers (lwIP's `LWIP_HOOK_*`, see `opt.h` "Hook options").
///
/// Each method documents when it runs, what it sees and what its result means. The list of
/// points and their signatures is mirrored by `netstack-macros` (checked by the test
/// `hook_points_match_the_macros`).
pub trait Hooks {
    hook_method! {
        custom: netstack_hook_ip4_input = "custom";
        /// `LWIP_HOOK_IP4_INPUT`: runs for every IPv4 packet a netif received, after the
        /// header's lengths were validated and before anything else (checksum, address
        /// filtering, reassembly). `packet` spans exactly the datagram (link padding removed).
        /// [`InputVerdict::Consumed`] ends processing: the hook has taken the packet.
        fn ip4_input(&mut self, packet: &Ipv4Packet<&[u8]>, netif: &NetifInfo<'_>) -> InputVerdict {
            let _ = (packet, netif);
            InputVerdict::Continue
        }
    }

    hook_method! {
        custom: netstack_hook_ip4_route = "custom";
        /// `LWIP_HOOK_IP4_ROUTE`: runs when the stack chooses the interface for `dst` and no
        /// source-based choice applied, before the subnet match. `Some(netif)` sends on that
        /// interface (if it exists and is up); `None` lets the stack decide.
        fn ip4_route(&mut self, dst: Ipv4Addr) -> Option<NetifId> {
            let _ = dst;
            None
        }
    }

    hook_method! {
        custom: netstack_hook_ip4_route_src = "custom";
        /// `LWIP_HOOK_IP4_ROUTE_SRC`: runs first when routing a packet, with its source
        /// address if already chosen (a bound socket) and destination. `Some(netif)` sends on
        /// that interface; `None` continues with the stack's source-based rule (the netif that
        /// owns `src`) and then [`ip4_route`](Self::ip4_route).
        fn ip4_route_src(&mut self, src: Option<Ipv4Addr>, dst: Ipv4Addr) -> Option<NetifId> {
            let _ = (src, dst);
            None
        }
    }

    hook_method! {
        custom: netstack_hook_ip4_canforward = "custom";
        /// `LWIP_HOOK_IP4_CANFORWARD`: runs when a packet not for us is about to be forwarded
        /// (`IP_FORWARD`), before the TTL is decremented. The answer overrides the stack's own
        /// rules unless it is [`ForwardDecision::Default`].
        fn ip4_canforward(&mut self, packet: &Ipv4Packet<&[u8]>, dst: Ipv4Addr) -> ForwardDecision {
            let _ = (packet, dst);
            ForwardDecision::Default
        }
    }

    hook_method! {
        custom: netstack_hook_etharp_get_gw = "custom";
        /// `LWIP_HOOK_ETHARP_GET_GW`: runs when a packet for an off-link `dst` is about to be
        /// sent on Ethernet interface `netif`. `Some(gw)` resolves and sends to `gw` instead of
        /// the interface's gateway; `None` uses the interface's gateway.
        fn etharp_get_gw(&mut self, netif: &NetifInfo<'_>, dst: Ipv4Addr) -> Option<Ipv4Addr> {
            let _ = (netif, dst);
            None
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
            let _ = (netif, frame);
            accepts_untagged_only(tag)
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
            let _ = (netif, src, dst, ethertype);
            None
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
            let _ = (netif, frame);
            InputVerdict::Continue
        }
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
}

/// Whether some hook point is `custom` in this build: then [`NoHooks`] does not implement
/// [`Hooks`] and `Stack::new` does not exist.
pub const ANY_CUSTOM: bool = cfg!(any(
    netstack_hook_ip4_input = "custom",
    netstack_hook_ip4_route = "custom",
    netstack_hook_ip4_route_src = "custom",
    netstack_hook_ip4_canforward = "custom",
    netstack_hook_etharp_get_gw = "custom",
    netstack_hook_vlan_check = "custom",
    netstack_hook_vlan_set = "custom",
    netstack_hook_unknown_eth_protocol = "custom",
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
            )))]
            $item
        )*
    };
}
pub(crate) use without_custom_hooks;

/// The hooks of a stack that has none: every hook point does the default.
///
/// It implements [`Hooks`] only when no hook point is `custom` (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NoHooks;

without_custom_hooks! {
    impl Hooks for NoHooks {}
}
