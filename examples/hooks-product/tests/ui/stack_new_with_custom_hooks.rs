// netstack.toml makes some hook points `custom`: a stack without the product's hooks cannot
// be built, and the error says to use `Stack::with_hooks`.
use netstack::{Stack, StackConfig};

fn main() {
    let _stack = Stack::new(StackConfig::default());
}
