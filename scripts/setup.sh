#!/usr/bin/env bash
# Installs what building and testing netstack needs on a Debian machine, and only what is
# missing: the Debian packages of every tool the tests run (lab/tools.txt), rustfmt and
# clippy, the no_std targets CI builds, and cargo-fuzz. scripts/test.sh runs it first.
#
# As root it installs; otherwise it lists what is missing, says which steps need root, and
# exits 1 when anything is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# The embedded targets CI builds the no_std core for (Cortex-M4F, and RISC-V without atomics).
NO_STD_TARGETS="thumbv7em-none-eabihf riscv32imc-unknown-none-elf"
CARGO_FUZZ_VERSION=0.13.2

missing=0
is_root=0
[ "$(id -u)" -eq 0 ] && is_root=1

# 1. Debian packages (needs root: apt-get).
packages=$(awk '!/^[[:space:]]*(#|$)/ { print $3 }' lab/tools.txt | sort -u)
absent=()
for package in $packages; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
        absent+=("$package")
    fi
done
if [ ${#absent[@]} -gt 0 ]; then
    if [ $is_root -eq 1 ]; then
        echo "setup: installing ${absent[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # tshark asks whether non-root users may capture; the tests capture as root.
        echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
        apt-get install -y -qq --no-install-recommends "${absent[@]}" >/dev/null
    else
        echo "setup: missing Debian packages (installing them needs root): ${absent[*]}" >&2
        echo "       as root: apt-get install ${absent[*]}" >&2
        missing=1
    fi
fi

# 2. Rust components and targets (no root needed: rustup works in the user's toolchain).
for tool in rustup cargo; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "setup: $tool not found on PATH: install the Rust toolchain with rustup first" >&2
        exit 1
    fi
done
for component in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
        echo "setup: rustup component add $component"
        rustup component add "$component"
    fi
done
for target in $NO_STD_TARGETS; do
    if ! rustup target list --installed | grep -qx "$target"; then
        echo "setup: rustup target add $target"
        rustup target add "$target"
    fi
done

# 3. cargo-fuzz (no root needed: installs into ~/.cargo/bin).
if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
    echo "setup: cargo install cargo-fuzz $CARGO_FUZZ_VERSION"
    cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION" --quiet
fi

if [ $missing -ne 0 ]; then
    exit 1
fi
echo "setup: everything the build and the tests need is installed"
