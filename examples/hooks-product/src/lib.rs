//! An example product built on netstack: its hooks, composed from its own code and from
//! `netstack-hooks` (docs/hooks.md walks through it).
//!
//! Its `netstack.toml` makes `ip4_input` and `vlan_set` `custom` (so [`ProductHooks`] must
//! provide them), keeps `vlan_check` at `default` and compiles the other hook points out.
//! Every device of the product sits on VLAN 100.

use netstack::NetifInfo;
use netstack::hooks::InputVerdict;
use netstack::wire::{IpProtocol, Ipv4Packet};
use netstack_hooks::counters::Counters;
use netstack_hooks::filter::PacketFilter;
use netstack_hooks::vlan::{self, VlanFilter, VlanTagger};

/// The VLAN the product's devices use.
pub const PRODUCT_VLAN: u16 = 100;

/// The port of telnet (RFC 854), which the product never serves.
pub const TELNET_PORT: u16 = 23;

/// The product's own `ip4_input` hook: takes TCP and UDP packets for the telnet port.
#[netstack::hook(ip4_input)]
pub fn drop_telnet(packet: &Ipv4Packet<&[u8]>, _netif: &NetifInfo<'_>) -> InputVerdict {
    let transport = matches!(packet.protocol(), IpProtocol::Tcp | IpProtocol::Udp);
    let dst_port = packet
        .payload_slice()
        .get(2..4)
        .map(|b| u16::from_be_bytes([b[0], b[1]]));
    if transport && packet.frag_offset() == 0 && dst_port == Some(TELNET_PORT) {
        InputVerdict::Consumed
    } else {
        InputVerdict::Continue
    }
}

netstack::hooks! {
    /// The hooks of the product's stack.
    pub struct ProductHooks {
        /// Per-interface receive counters (every IPv4 packet, before any filtering).
        pub counters: Counters,
        /// The configurable packet filter, after the telnet rule.
        pub filter: PacketFilter,
        /// Puts every frame on [`PRODUCT_VLAN`].
        pub tagger: VlanTagger,
        /// Accepts tagged frames of [`PRODUCT_VLAN`] only.
        pub vlans: VlanFilter,
    }
    ip4_input => [self.counters, drop_telnet, self.filter],
    vlan_set => self.tagger,
    vlan_check => self.vlans,
}

impl ProductHooks {
    /// The product's hooks with `filter` as its configurable filter.
    pub fn new(filter: PacketFilter) -> ProductHooks {
        ProductHooks {
            counters: Counters::new(),
            filter,
            tagger: VlanTagger::all(vlan::tag(PRODUCT_VLAN)),
            vlans: VlanFilter::new().accept(PRODUCT_VLAN),
        }
    }
}
