use netstack::hooks::InputVerdict;
use netstack::wire::Ipv4Packet;
use netstack::NetifInfo;

fn a(_: &Ipv4Packet<&[u8]>, _: &NetifInfo<'_>) -> InputVerdict {
    InputVerdict::Continue
}
fn b(_: &Ipv4Packet<&[u8]>, _: &NetifInfo<'_>) -> InputVerdict {
    InputVerdict::Consumed
}

netstack::hooks! {
    struct ProductHooks;
    ip4_input => a,
    ip4_input => b,
}

fn main() {}
