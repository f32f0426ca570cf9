//! Hook points: where a product injects its own decisions into the core, at compile time.
//!
//! lwIP lets a product `#define LWIP_HOOK_IP4_INPUT my_fn` (ESP-IDF:
//! `ESP_IDF_LWIP_HOOK_FILENAME`); here a product implements [`Hooks`] and builds a
//! `Stack<MyHooks>`. Every method has an `#[inline]` default that does nothing, so with
//! [`NoHooks`] each call compiles away. Hooks run inside the stack's processing, with the
//! stack borrowed: they get read-only views of the packet and the interface and answer
//! with a typed decision; they cannot call back into the stack.
//!
//! New hook points are added as new methods with defaults, so existing implementations keep
//! compiling.

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

/// The hook points of the core layers (lwIP's `LWIP_HOOK_*`, see `opt.h` "Hook options").
///
/// Each method documents when it runs, what it sees and what its result means.
pub trait Hooks {
    /// `LWIP_HOOK_IP4_INPUT`: runs for every IPv4 packet a netif received, after the
    /// header's lengths were validated and before anything else (checksum, address
    /// filtering, reassembly). `packet` spans exactly the datagram (link padding removed).
    /// [`InputVerdict::Consumed`] ends processing: the hook has taken the packet.
    #[inline]
    fn ip4_input(&mut self, packet: &Ipv4Packet<&[u8]>, netif: &NetifInfo<'_>) -> InputVerdict {
        let _ = (packet, netif);
        InputVerdict::Continue
    }

    /// `LWIP_HOOK_IP4_ROUTE`: runs when the stack chooses the interface for `dst` and no
    /// source-based choice applied, before the subnet match. `Some(netif)` sends on that
    /// interface (if it exists and is up); `None` lets the stack decide.
    #[inline]
    fn ip4_route(&mut self, dst: Ipv4Addr) -> Option<NetifId> {
        let _ = dst;
        None
    }

    /// `LWIP_HOOK_IP4_ROUTE_SRC`: runs first when routing a packet, with its source
    /// address if already chosen (a bound socket) and destination. `Some(netif)` sends on
    /// that interface; `None` continues with the stack's source-based rule (the netif that
    /// owns `src`) and then [`ip4_route`](Self::ip4_route).
    #[inline]
    fn ip4_route_src(&mut self, src: Option<Ipv4Addr>, dst: Ipv4Addr) -> Option<NetifId> {
        let _ = (src, dst);
        None
    }

    /// `LWIP_HOOK_IP4_CANFORWARD`: runs when a packet not for us is about to be forwarded
    /// (`IP_FORWARD`), before the TTL is decremented. The answer overrides the stack's own
    /// rules unless it is [`ForwardDecision::Default`].
    #[inline]
    fn ip4_canforward(&mut self, packet: &Ipv4Packet<&[u8]>, dst: Ipv4Addr) -> ForwardDecision {
        let _ = (packet, dst);
        ForwardDecision::Default
    }

    /// `LWIP_HOOK_ETHARP_GET_GW`: runs when a packet for an off-link `dst` is about to be
    /// sent on Ethernet interface `netif`. `Some(gw)` resolves and sends to `gw` instead of
    /// the interface's gateway; `None` uses the interface's gateway.
    #[inline]
    fn etharp_get_gw(&mut self, netif: &NetifInfo<'_>, dst: Ipv4Addr) -> Option<Ipv4Addr> {
        let _ = (netif, dst);
        None
    }

    /// `LWIP_HOOK_VLAN_CHECK`: runs for each received 802.1Q-tagged frame. `true` accepts
    /// the frame (processed as if untagged); `false` drops and counts it. The default
    /// accepts priority-tagged frames (VID 0, IEEE 802.1Q §6.9.1) only.
    #[inline]
    fn vlan_check(
        &mut self,
        netif: &NetifInfo<'_>,
        frame: &EthernetFrame<&[u8]>,
        tag: VlanTag,
    ) -> bool {
        let _ = (netif, frame);
        tag.vid == 0
    }

    /// `LWIP_HOOK_VLAN_SET`: runs for each frame the stack sends on an Ethernet interface.
    /// `Some(tag)` inserts that 802.1Q tag; `None` sends untagged.
    #[inline]
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

    /// `LWIP_HOOK_UNKNOWN_ETH_PROTOCOL`: runs for a received frame whose ethertype the stack
    /// does not handle (after VLAN processing). [`InputVerdict::Consumed`]: the hook took
    /// it; [`InputVerdict::Continue`]: the stack drops and counts it.
    #[inline]
    fn unknown_eth_protocol(
        &mut self,
        netif: &NetifInfo<'_>,
        frame: &EthernetFrame<&[u8]>,
    ) -> InputVerdict {
        let _ = (netif, frame);
        InputVerdict::Continue
    }
}

/// The hooks of a stack that has none: every hook point does the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NoHooks;

impl Hooks for NoHooks {}
