use netstack::wire::Ipv4Packet;
use netstack::NetifInfo;

#[netstack::hook(ip4_input)]
fn filter(_: &Ipv4Packet<&[u8]>, _: &NetifInfo<'_>) -> bool {
    true
}

fn main() {}
