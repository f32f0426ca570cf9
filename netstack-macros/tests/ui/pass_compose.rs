use netstack::hooks::{Hooks, InputVerdict};
use netstack::wire::{EtherType, EthernetAddress, Ipv4Addr, Ipv4Packet, VlanTag};
use netstack::{NetifId, NetifInfo, Stack, StackConfig};

mod product {
    use super::*;

    #[netstack::hook(ip4_input)]
    pub fn drop_from_doc_net(packet: &Ipv4Packet<&[u8]>, _: &NetifInfo<'_>) -> InputVerdict {
        if packet.src_addr().octets()[..3] == [192, 0, 2] {
            InputVerdict::Consumed
        } else {
            InputVerdict::Continue
        }
    }

    pub fn tag_all(
        _: &NetifInfo<'_>,
        _: EthernetAddress,
        _: EthernetAddress,
        _: EtherType,
    ) -> Option<VlanTag> {
        Some(VlanTag { pcp: 0, dei: false, vid: 100 })
    }
}

/// Counts IPv4 packets (a stateful hook object).
#[derive(Default)]
pub struct Counter {
    pub seen: u32,
}

impl Counter {
    pub fn ip4_input(&mut self, _: &Ipv4Packet<&[u8]>, _: &NetifInfo<'_>) -> InputVerdict {
        self.seen += 1;
        InputVerdict::Continue
    }
}

/// A route for everything (a whole `Hooks` implementation used as a field).
#[derive(Default)]
pub struct RouteAll(Option<NetifId>);

impl Hooks for RouteAll {
    fn ip4_route(&mut self, _: Ipv4Addr) -> Option<NetifId> {
        self.0
    }
}

netstack::hooks! {
    /// The product's hooks.
    #[derive(Default)]
    pub struct ProductHooks {
        /// Packets seen.
        pub counter: Counter,
        routes: RouteAll,
    }
    ip4_input => [self.counter, product::drop_from_doc_net],
    ip4_route => self.routes,
    vlan_set => product::tag_all,
}

fn main() {
    let mut stack = Stack::with_hooks(StackConfig::default(), ProductHooks::default());
    assert_eq!(stack.hooks_mut().ip4_route(Ipv4Addr::LOCALHOST), None);
    assert_eq!(stack.hooks().counter.seen, 0);
}
