//! Procedural macros for netstack hook points (DESIGN.md §3).
//!
//! Status: no macros yet. They land with the hooks work (the `Hooks` trait in `netstack`
//! comes first); until then this crate exports nothing.
