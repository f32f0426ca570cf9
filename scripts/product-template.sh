#!/usr/bin/env bash
# Builds and tests examples/product-template the way a product outside this repository is
# built: a copy in a temporary folder outside the checkout, its path dependencies rewritten to
# this checkout. It must pass in its own folder (where cargo reads its .cargo/config.toml) and
# from another directory with NETSTACK_CONFIG exported, pass clippy and rustfmt, and a build
# that does not see the product's netstack.toml (NETSTACK_CONFIG unset, or naming another
# preset) must fail with netstack::expect_config!'s message. Exits non-zero on any failure.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
PRODUCT="$TMP/myproduct"
# A target folder of its own, kept between runs (netstack rebuilds when the configuration
# changes, which the failure cases below do on purpose).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}/product-template"
unset NETSTACK_CONFIG

step() { printf '\n--> %s\n' "$*"; }

step "copy the template to $PRODUCT, its dependencies pointing at $ROOT"
cp -r "$ROOT/examples/product-template" "$PRODUCT"
rm -rf "$PRODUCT/target"
sed -i "s|path = \"\.\./\.\./|path = \"$ROOT/|" "$PRODUCT/Cargo.toml"
if grep -n 'path = "\.\.' "$PRODUCT/Cargo.toml"; then
    echo "product-template.sh: a relative path dependency is left in Cargo.toml" >&2
    exit 1
fi

step "test, clippy and rustfmt in the product's folder (.cargo/config.toml names netstack.toml)"
(cd "$PRODUCT" && cargo test && cargo clippy --all-targets -- -D warnings && cargo fmt --check)

step "test from another directory, NETSTACK_CONFIG exported"
(cd / && NETSTACK_CONFIG="$PRODUCT/netstack.toml" cargo test --manifest-path "$PRODUCT/Cargo.toml")

# Builds from / with the given environment, which must fail with expect_config!'s message and
# the given detail.
must_fail() {
    local detail="$1"
    shift
    local log="$TMP/build.log"
    if (cd / && env "$@" cargo check --manifest-path "$PRODUCT/Cargo.toml") >"$log" 2>&1; then
        cat "$log" >&2
        echo "product-template.sh: a build that did not see the product's netstack.toml succeeded" >&2
        exit 1
    fi
    for expected in \
        "netstack was built with another configuration than $PRODUCT/netstack.toml: $detail" \
        "export NETSTACK_CONFIG=$PRODUCT/netstack.toml"; do
        if ! grep -qF "$expected" "$log"; then
            cat "$log" >&2
            echo "product-template.sh: the failure does not say: $expected" >&2
            exit 1
        fi
    done
    echo "failed as it must: $(grep -m1 -o 'netstack was built with another configuration[^;]*' "$log")"
}

step "from another directory without NETSTACK_CONFIG: the build fails, saying how to fix it"
must_fail "NETSTACK_CONFIG is unset" -u NETSTACK_CONFIG

step "NETSTACK_CONFIG naming another preset: the build fails"
must_fail "this build's NETSTACK_CONFIG names $ROOT/configs/max-throughput.toml" \
    NETSTACK_CONFIG="$ROOT/configs/max-throughput.toml"

step "the product template passed"
