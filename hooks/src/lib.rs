//! Ready-made hooks a product can wire into netstack (DESIGN.md §3).
//!
//! Status: no hooks yet. They land with the hooks work, once the stack declares its
//! `Hooks` trait; until then this crate exports nothing.
#![no_std]
