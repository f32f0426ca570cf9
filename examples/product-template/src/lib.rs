//! A netstack product: the stack built with this crate's `netstack.toml` (min-ram, plus a
//! `custom` `ip4_input` hook) and the product's hooks, which count every IPv4 packet
//! (`netstack_hooks::counters::Counters`) and drop the ones for the telnet port.

use netstack::hooks::InputVerdict;
use netstack::wire::{IpProtocol, Ipv4Packet};
use netstack::{NetifInfo, Stack, StackConfig};
use netstack_hooks::counters::Counters;

// The stack must be built with this crate's netstack.toml: a build that did not see it (cargo
// started outside this folder, which holds .cargo/config.toml) fails here, saying how to fix it.
netstack::expect_config!("netstack.toml");

/// The port of telnet, which the product never serves.
pub const TELNET_PORT: u16 = 23;

/// The product's `ip4_input` hook: takes TCP and UDP packets for [`TELNET_PORT`]. A hook
/// function is stateless; `hooks!` below registers it.
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
    /// The product's hooks. State lives in hook objects, the fields; read it from a running
    /// stack with `NetStack::hooks(|h| h.counters.total())`.
    #[derive(Default)]
    pub struct ProductHooks {
        /// Every IPv4 packet received, per interface (first in the chain: it sees them all).
        pub counters: Counters,
    }
    ip4_input => [self.counters, drop_telnet],
}

/// A stack with the product's hooks. (`Stack::new` is for builds without `custom` hook
/// points; this one has one.)
pub fn stack(random_seed: u64) -> Stack<ProductHooks> {
    Stack::with_hooks(StackConfig { random_seed }, ProductHooks::default())
}
