netstack::hooks! {
    struct ProductHooks {
        counters: u32,
    }
    ip4_input => self.filter,
}

fn main() {}
