// `ip6_input` is declared (its option exists for sdkconfig files) but planned: IPv6 has not
// landed, so there is no such method to compose.
netstack::hooks! {
    struct ProductHooks;
    ip6_input => crate::filter,
}

fn filter() {}

fn main() {}
