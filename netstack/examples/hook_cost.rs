//! What the hook points cost when unused (docs/hooks.md, "Free when unused").
//!
//! Feeds `N` ICMP echo requests (default 100000) to `Stack::input` of a `Stack<NoHooks>` on
//! an Ethernet interface whose replies go nowhere, and prints the stack's counters. Build it
//! with the default configuration (every packet hook point `default`) and with
//! `NETSTACK_CONFIG=netstack/tests/configs/hooks-none.toml` (every point `none`), then compare
//! the binaries' `.text` and the instructions per call under `valgrind --tool=callgrind`
//! (`docs/hooks.md` lists the other configurations and programs measured).
//! `hook_cost_used` is the same with one `ip4_input` hook in use.

#[path = "support/ping.rs"]
mod ping;

use netstack::{Stack, StackConfig};

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    ping::run(Stack::new(StackConfig::default()), n);
}
