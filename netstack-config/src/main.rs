//! `netstack-config`: check, show, explain, diff, import and export netstack configurations,
//! write presets, generate `netstack::config` and `docs/options.md`.
//!
//! Exit status: 0 success, 1 configuration errors, 2 usage errors.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
