use netstack::hooks::InputVerdict;
use netstack::wire::Ipv4Packet;

#[netstack::hook(ip4_input)]
fn filter(_: &Ipv4Packet<&[u8]>) -> InputVerdict {
    InputVerdict::Continue
}

fn main() {}
