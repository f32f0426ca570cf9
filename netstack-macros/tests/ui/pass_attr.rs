use netstack::hooks::InputVerdict;
use netstack::wire::{Ipv4Addr, Ipv4Packet};
use netstack::{NetifId, NetifInfo};

/// Takes every packet whose source is 192.0.2.1.
#[netstack::hook(ip4_input)]
fn drop_one_host(packet: &Ipv4Packet<&[u8]>, _netif: &NetifInfo) -> InputVerdict {
    if packet.src_addr() == Ipv4Addr::new(192, 0, 2, 1) {
        InputVerdict::Consumed
    } else {
        InputVerdict::Continue
    }
}

#[netstack::hook(ip4_route)]
fn nowhere(_: Ipv4Addr) -> Option<NetifId> {
    None
}

fn main() {
    // The function keeps its name and can be called directly.
    assert_eq!(nowhere(Ipv4Addr::LOCALHOST), None);
    let _ = drop_one_host;
}
