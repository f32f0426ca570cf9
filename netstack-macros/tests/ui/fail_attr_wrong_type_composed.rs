// A `#[hook]` function with the wrong return type, composed: the mismatch is reported once.
use netstack::wire::Ipv4Packet;
use netstack::NetifInfo;

#[netstack::hook(ip4_input)]
fn filter(_: &Ipv4Packet<&[u8]>, _: &NetifInfo<'_>) -> bool {
    true
}

netstack::hooks! {
    struct ProductHooks;
    ip4_input => filter,
}

fn main() {}
