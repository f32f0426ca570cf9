#!/usr/bin/env bash
# Runs every cargo-fuzz target for a short while (FUZZ_SECONDS each, default 15), starting
# from its committed seeds (fuzz/seeds/<target>/, written by fuzz/seeds/make_seeds.py), and
# fails on the first crash. Every target must have seeds and every seeds directory a target.
# Longer runs by hand: see fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-15}
export RUSTC_BOOTSTRAP=1   # cargo-fuzz needs -Z flags; the machine has only stable Rust

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz-smoke: cargo-fuzz missing (scripts/setup.sh installs it)" >&2
    exit 1
fi

targets=$(cargo fuzz list)
[ -n "$targets" ] || { echo "fuzz-smoke: no fuzz targets found" >&2; exit 1; }

# Seeds and targets must match one to one.
missing=0
for target in $targets; do
    if [ ! -d "fuzz/seeds/$target" ] || [ -z "$(ls -A "fuzz/seeds/$target")" ]; then
        echo "fuzz-smoke: no seeds for $target (fuzz/seeds/$target/ missing or empty;" \
            "run fuzz/seeds/make_seeds.py)" >&2
        missing=1
    fi
done
for dir in fuzz/seeds/*/; do
    [ -d "$dir" ] || continue
    name=$(basename "$dir")
    [ "$name" != __pycache__ ] || continue
    if ! printf '%s\n' $targets | grep -qxF "$name"; then
        echo "fuzz-smoke: fuzz/seeds/$name/ names no fuzz target" >&2
        missing=1
    fi
done
[ "$missing" = 0 ] || exit 1

cargo fuzz build -a
for target in $targets; do
    echo "--- fuzz $target (${seconds}s, $(ls "fuzz/seeds/$target" | wc -l) seeds)"
    mkdir -p "fuzz/corpus/$target"
    log=$(mktemp)
    # libFuzzer writes new inputs to the first directory and only reads the others.
    if ! cargo fuzz run -a "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        echo "fuzz-smoke: $target failed (artifacts in fuzz/artifacts/$target)" >&2
        exit 1
    fi
    grep -E '^(Done|stat::number_of_executed_units)' "$log" || true
    rm -f "$log"
done
echo "fuzz-smoke: $(echo "$targets" | wc -w) targets ran ${seconds}s each without a crash"
