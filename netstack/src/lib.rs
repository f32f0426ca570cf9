//! netstack: a TCP/IP stack with the feature set of ESP-IDF's lwIP.
//!
//! The core is `no_std` + `alloc` and poll-driven: one [`Stack`] value owns every
//! table, time is passed in, and nothing happens behind the caller's back. Every limit and
//! feature switch comes from the product's `netstack.toml` through the generated
//! [`config`] module.
//!
//! With the `std` feature (on by default) the crate adds host drivers (TAP, pcap) and the
//! [`api`]: the TCP/IP thread, BSD sockets, netconn and `std::net`-style wrappers.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[cfg(all(feature = "std", unix))]
pub mod api;
pub mod config;
pub mod error;
pub mod ethernet;
pub mod hooks;
pub mod ipv4;
pub mod ipv6;
pub mod multicast;
pub mod netif;
pub mod phy;
pub mod rand;
pub mod stack;
pub mod stats;
pub mod tcp;
pub mod time;
pub mod udp;
pub mod wire;

pub use error::Error;
pub use hooks::{ForwardDecision, Hooks, InputVerdict, NoHooks};
pub use netif::{NetifConfig, NetifId, NetifInfo};
#[cfg(feature = "macros")]
#[doc(hidden)]
pub use netstack_macros::__hook_points;
#[cfg(feature = "macros")]
pub use netstack_macros::{expect_config, hook, hooks};
pub use stack::{PollResult, Stack, StackConfig};
pub use stats::Stats;
pub use udp::{Readiness, UdpDatagram, UdpEvents, UdpHandle, UdpOptions};
