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
//!
//! A product states which configuration it was written for with
//! `netstack::expect_config!("netstack.toml")`: the build fails when the stack was built with
//! another one (see [`summary_is`]).

include!(concat!(env!("OUT_DIR"), "/config.rs"));

/// Whether this build's configuration is `summary` ([`SUMMARY`]'s canonical `key = value`
/// text). `netstack::expect_config!` calls it in a constant, so that a product built with
/// another configuration than its own fails to compile.
pub const fn summary_is(summary: &str) -> bool {
    let (a, b) = (SUMMARY.as_bytes(), summary.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_is_exact() {
        assert!(summary_is(SUMMARY));
        assert!(!summary_is(""));
        let changed = SUMMARY.replacen(" = ", " =  ", 1);
        assert!(!summary_is(&changed));
    }
}
