//! An example product built on netstack: its hooks, composed from its own code and from
//! `netstack-hooks` (docs/hooks.md walks through it).
//!
//! Its `netstack.toml` makes `ip4_input`, `vlan_set` and `tcp_isn` `custom` (so
//! [`ProductHooks`] must provide them), keeps `vlan_check` at `default` and compiles the
//! other hook points out. Every device of the product sits on VLAN 100; what it receives is
//! captured in memory as pcap; its TCP connections start at predictable sequence numbers.

use netstack::NetifInfo;
use netstack::hooks::InputVerdict;
use netstack::wire::{IpProtocol, Ipv4Packet};
use netstack_hooks::counters::Counters;
use netstack_hooks::filter::PacketFilter;
use netstack_hooks::isn::CountingIsn;
use netstack_hooks::pcap::PcapTap;
use netstack_hooks::vlan::{self, VlanFilter, VlanTagger};

/// The VLAN the product's devices use.
pub const PRODUCT_VLAN: u16 = 100;

/// The first ISN of the product's TCP connections; each next one is [`ISN_STEP`] higher.
pub const FIRST_ISN: u32 = 0x1000_0000;

/// The distance between the ISNs of consecutive connections.
pub const ISN_STEP: u32 = 0x0100_0000;

/// Bytes of capture the tap keeps in memory.
pub const CAPTURE_LIMIT: usize = 256 * 1024;

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
        /// Captures every received IPv4 packet (first in the chain: it sees everything).
        pub tap: PcapTap,
        /// Per-interface receive counters (every IPv4 packet, before any filtering).
        pub counters: Counters,
        /// The configurable packet filter, after the telnet rule.
        pub filter: PacketFilter,
        /// Puts every frame on [`PRODUCT_VLAN`].
        pub tagger: VlanTagger,
        /// Accepts tagged frames of [`PRODUCT_VLAN`] only.
        pub vlans: VlanFilter,
        /// Initial sequence numbers [`FIRST_ISN`], [`FIRST_ISN`] + [`ISN_STEP`], ...
        pub isn: CountingIsn,
    }
    ip4_input => [self.tap, self.counters, drop_telnet, self.filter],
    vlan_set => self.tagger,
    vlan_check => self.vlans,
    tcp_isn => self.isn,
}

impl ProductHooks {
    /// The product's hooks with `filter` as its configurable filter.
    pub fn new(filter: PacketFilter) -> ProductHooks {
        ProductHooks {
            tap: PcapTap::new(CAPTURE_LIMIT),
            counters: Counters::new(),
            filter,
            tagger: VlanTagger::all(vlan::tag(PRODUCT_VLAN)),
            vlans: VlanFilter::new().accept(PRODUCT_VLAN),
            isn: CountingIsn::new(FIRST_ISN, ISN_STEP),
        }
    }
}
