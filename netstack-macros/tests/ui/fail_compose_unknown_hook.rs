netstack::hooks! {
    struct ProductHooks;
    ip_input => crate::filter,
}

fn filter() {}

fn main() {}
