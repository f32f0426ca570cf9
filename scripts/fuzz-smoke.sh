#!/usr/bin/env bash
# Runs every cargo-fuzz target for a short while (FUZZ_SECONDS each, default 15) and fails on
# the first crash. Longer runs by hand: see fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-15}
export RUSTC_BOOTSTRAP=1   # cargo-fuzz needs -Z flags; the machine has only stable Rust

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked --version 0.13.2
fi

targets=$(cargo fuzz list)
[ -n "$targets" ] || { echo "fuzz-smoke: no fuzz targets found" >&2; exit 1; }
cargo fuzz build -a
for target in $targets; do
    echo "--- fuzz $target (${seconds}s)"
    log=$(mktemp)
    if ! cargo fuzz run -a "$target" -- -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        echo "fuzz-smoke: $target failed (artifacts in fuzz/artifacts/$target)" >&2
        exit 1
    fi
    grep -E '^(Done|stat::number_of_executed_units)' "$log" || true
    rm -f "$log"
done
echo "fuzz-smoke: $(echo "$targets" | wc -w) targets ran ${seconds}s each without a crash"
