//! The product's configuration, resolved from `netstack.toml` at build time.
//!
//! `build.rs` hands the file named by the `NETSTACK_CONFIG` environment variable (or, when it is
//! unset, the built-in `configs/default.toml`) to `netstack-config`, which checks it against the
//! option schema (`netstack-config/schema/options.toml`) with Kconfig semantics and writes this
//! module. An invalid file fails the build with `FILE:LINE:COL: error: ...` messages.
//!
//! What is here, for every option of the schema (`docs/options.md` lists them all):
//! - a typed constant named after the option's key: `tcp_mss` → [`TCP_MSS`]`: u16`; bools are
//!   `bool`, strings `&str`, and each choice is an enum plus a constant (`TCP_OVERSIZE:
//!   TcpOversize`);
//! - for options that remove code, a cfg as well: `#[cfg(netstack_ipv6)]` for bools,
//!   `#[cfg(netstack_hook_tcp_isn = "custom")]` for choices;
//! - [`SUMMARY`], the whole resolved configuration as `key = value` lines, for products to log,
//!   and [`SOURCE`], the file it came from.
//!
//! `netstack-config show` prints the same configuration with where each value comes from.

include!(concat!(env!("OUT_DIR"), "/config.rs"));
