//! What one used hook costs (docs/hooks.md, "Free when unused"): `hook_cost` with an
//! `ip4_input` hook that counts packets and lets them through, instead of `NoHooks`.

#[path = "support/ping.rs"]
mod ping;

use netstack::hooks::{Hooks, InputVerdict};
use netstack::wire::Ipv4Packet;
use netstack::{NetifInfo, Stack, StackConfig};

/// One `ip4_input` hook that counts packets and lets them through.
#[derive(Default)]
struct Counting {
    packets: u64,
}

impl Hooks for Counting {
    fn ip4_input(&mut self, _: &Ipv4Packet<&[u8]>, _: &NetifInfo<'_>) -> InputVerdict {
        self.packets += 1;
        InputVerdict::Continue
    }
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    ping::run(
        Stack::with_hooks(StackConfig::default(), Counting::default()),
        n,
    );
}
