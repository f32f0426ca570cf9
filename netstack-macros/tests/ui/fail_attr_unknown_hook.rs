use netstack::hooks::InputVerdict;
use netstack::wire::Ipv4Packet;
use netstack::NetifInfo;

#[netstack::hook(ipv4_input)]
fn filter(_: &Ipv4Packet<&[u8]>, _: &NetifInfo<'_>) -> InputVerdict {
    InputVerdict::Continue
}

fn main() {}
