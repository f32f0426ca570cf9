use netstack::wire::Ipv4Addr;

/// Meant as a route hook, but answers with an interface name.
fn route(_: Ipv4Addr) -> Option<&'static str> {
    Some("eth0")
}

netstack::hooks! {
    struct ProductHooks;
    ip4_route => route,
}

fn main() {}
