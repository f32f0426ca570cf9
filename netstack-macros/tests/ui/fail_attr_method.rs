// A hook with state written as a method: the error says where state goes.
use netstack::hooks::InputVerdict;
use netstack::wire::Ipv4Packet;
use netstack::NetifInfo;

struct Counter(u64);

impl Counter {
    #[netstack::hook(ip4_input)]
    fn count(&mut self, _: &Ipv4Packet<&[u8]>, _: &NetifInfo<'_>) -> InputVerdict {
        self.0 += 1;
        InputVerdict::Continue
    }
}

fn main() {}
