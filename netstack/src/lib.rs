//! netstack: a TCP/IP stack with the feature set of ESP-IDF's lwIP.
//!
//! The core is `no_std` + `alloc` and poll-driven: one [`Stack`](crate) value owns every
//! table, time is passed in, and nothing happens behind the caller's back. Every limit and
//! feature switch comes from the product's `netstack.toml` through the generated
//! [`config`] module.
//!
//! With the `std` feature (on by default) the crate adds host drivers (TAP, pcap).
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod config;
pub mod ipv4;
pub mod phy;
pub mod tcp;
pub mod time;
pub mod wire;
