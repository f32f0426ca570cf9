// A hook function for a planned point (`ip6_input`: IPv6 has not landed).
use netstack::hooks::InputVerdict;

#[netstack::hook(ip6_input)]
fn filter() -> InputVerdict {
    InputVerdict::Continue
}

fn main() {}
