//! Build script: will turn the product's `netstack.toml` into `config.rs` (see DESIGN.md §2).
fn main() {
    println!("cargo::rerun-if-changed=build.rs");
}
