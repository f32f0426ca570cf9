//! Build script: turns the product's `netstack.toml` (named by `NETSTACK_CONFIG`, default
//! `configs/default.toml`) into `$OUT_DIR/config.rs` and the `netstack_*` cfgs, failing the
//! build with `FILE:LINE:COL` messages when it is invalid (`docs/architecture.md` § "The configuration pipeline").
fn main() {
    netstack_config::build::run();
}
