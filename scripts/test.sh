#!/usr/bin/env bash
# The project's test command (README "Run the tests"). Needs root: the interop tests make
# their own network namespaces and TAP devices. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
    echo "scripts/test.sh: run as root (the interop tests create network namespaces and TAP devices)" >&2
    exit 2
fi

step "format"
cargo fmt --all -- --check

step "clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "rustdoc (broken or private links are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

step "workspace tests (unit, simulation, interop, CLI, docs freshness)"
cargo test --workspace

step "the stack's tests under every preset and the all-features test config"
for config in configs/*.toml netstack/tests/configs/*.toml; do
    echo "--- NETSTACK_CONFIG=$config"
    NETSTACK_CONFIG="$PWD/$config" cargo test -p netstack
done

step "the hooks product crate (its own workspace and netstack.toml: custom and none hooks)"
# Run from its folder: cargo reads .cargo/config.toml (NETSTACK_CONFIG) from the working
# directory, not from --manifest-path.
(cd examples/hooks-product && cargo test)

if [ -x scripts/fuzz-smoke.sh ]; then
    step "fuzz smoke run of every target"
    scripts/fuzz-smoke.sh
fi
