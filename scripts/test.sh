#!/usr/bin/env bash
# The project's test command (README "Run the tests"); .ci/run calls it too.
#
# Needs root: it installs what is missing (scripts/setup.sh: apt packages) and the interop
# tests make their own network namespaces and TAP devices. Exits non-zero on the first
# failure and prints how long each step took.
#
# NETSTACK_TEST_LANES (default 2): how many configurations' test suites run at once. Each
# configuration builds into its own target directory (target/config-NAME), so the builds
# are kept between runs and the suites can run side by side.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
step_started=$SECONDS
step_name=""
step() {
    if [ -n "$step_name" ]; then
        printf '==> %s: %ds\n' "$step_name" $((SECONDS - step_started))
    fi
    step_name="$*"
    step_started=$SECONDS
    printf '\n==> %s\n' "$*"
}

if [ "$(id -u)" -ne 0 ]; then
    cat >&2 <<'EOF'
scripts/test.sh: run it as root. These steps need root:
  - scripts/setup.sh installs the Debian packages of the tools the tests run (apt-get);
  - the interop tests create network namespaces and TAP devices.
Everything else (format, clippy, unit and simulation tests) runs without root, e.g.
`cargo test -p netstack --test sim_tcp`; `scripts/setup.sh` without root lists what is missing.
EOF
    exit 2
fi

step "set-up: packages, Rust components and targets, cargo-fuzz (scripts/setup.sh)"
scripts/setup.sh

step "format (workspace, hooks product, fuzz crate)"
cargo fmt --all -- --check
(cd examples/hooks-product && cargo fmt -- --check)
(cd fuzz && cargo fmt -- --check)

step "clippy -D warnings (workspace)"
cargo clippy --workspace --all-targets -- -D warnings

# The test configurations of netstack/tests/configs (all features; every hook compiled out)
# and the presets of configs/, each with its own target directory.
configs=(netstack/tests/configs/*.toml configs/*.toml)
config_name() { basename "$1" .toml; }
config_target() { echo "$PWD/target/config-$(config_name "$1")"; }

step "clippy -D warnings under the test configurations (netstack; netstack-hooks' library)"
# netstack-hooks' own tests compose hooks that hooks-none compiles out (a compile error by
# design), so only its library is linted here; its tests are linted above.
for config in netstack/tests/configs/*.toml; do
    echo "--- NETSTACK_CONFIG=$config"
    export NETSTACK_CONFIG="$PWD/$config" CARGO_TARGET_DIR="$(config_target "$config")"
    cargo clippy -p netstack --all-targets -- -D warnings
    cargo clippy -p netstack-hooks --lib -- -D warnings
    unset NETSTACK_CONFIG CARGO_TARGET_DIR
done

step "clippy -D warnings (hooks product crate, fuzz crate)"
(cd examples/hooks-product && cargo clippy --all-targets -- -D warnings)
(cd fuzz && cargo clippy --all-targets -- -D warnings)

step "no_std core for thumbv7em-none-eabihf and riscv32imc-unknown-none-elf (--no-default-features, warnings are errors)"
for target in thumbv7em-none-eabihf riscv32imc-unknown-none-elf; do
    RUSTFLAGS="-D warnings" CARGO_TARGET_DIR="$PWD/target/no_std" \
        cargo build -p netstack --no-default-features --target "$target"
done

step "rustdoc (broken or private links are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

step "workspace tests (unit, simulation, interop, CLI, docs freshness)"
cargo test --workspace

step "build the stack's tests under every preset and test configuration"
for config in "${configs[@]}"; do
    echo "--- NETSTACK_CONFIG=$config"
    NETSTACK_CONFIG="$PWD/$config" CARGO_TARGET_DIR="$(config_target "$config")" \
        cargo test -p netstack --no-run
done

step "the stack's tests under every preset and test configuration (${NETSTACK_TEST_LANES:-2} at a time)"
logs=$(mktemp -d)
run_config() {
    local config=$1 log
    log="$logs/$(config_name "$config").log"
    if NETSTACK_CONFIG="$PWD/$config" CARGO_TARGET_DIR="$(config_target "$config")" \
        cargo test -p netstack >"$log" 2>&1; then
        echo ok >"$log.status"
    else
        echo failed >"$log.status"
    fi
}
lanes=${NETSTACK_TEST_LANES:-2}
for config in "${configs[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$lanes" ]; do
        wait -n || true
    done
    run_config "$config" &
done
wait
failed=()
for config in "${configs[@]}"; do
    log="$logs/$(config_name "$config").log"
    echo "--- NETSTACK_CONFIG=$config"
    cat "$log"
    [ "$(cat "$log.status")" = ok ] || failed+=("$config")
done
rm -rf "$logs"
if [ ${#failed[@]} -gt 0 ]; then
    echo "scripts/test.sh: the stack's tests failed under: ${failed[*]}" >&2
    exit 1
fi

step "the hooks product crate (its own workspace and netstack.toml: custom and none hooks)"
# Run from its folder: cargo reads .cargo/config.toml (NETSTACK_CONFIG) from the working
# directory, not from --manifest-path.
(cd examples/hooks-product && cargo test)

step "the product template, as a product outside the checkout built from another directory"
scripts/product-template.sh

step "fuzz smoke run of every target from its committed seeds"
if [ ! -x scripts/fuzz-smoke.sh ]; then
    echo "scripts/test.sh: scripts/fuzz-smoke.sh is missing or not executable" >&2
    exit 1
fi
scripts/fuzz-smoke.sh

step "done"
printf '==> all steps passed in %dm%02ds\n' $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60))
