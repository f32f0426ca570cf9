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

step "workspace tests (unit, simulation, interop, CLI, docs freshness)"
cargo test --workspace

step "every preset builds and passes the stack's tests"
for preset in configs/*.toml; do
    echo "--- $preset"
    NETSTACK_CONFIG="$PWD/$preset" cargo test -p netstack --lib --quiet
done

if [ -x scripts/fuzz-smoke.sh ]; then
    step "fuzz smoke run of every target"
    scripts/fuzz-smoke.sh
fi
