//! Ready-made netstack hooks a product can compose (`docs/hooks.md`).
//!
//! Each type here is a *hook object*: it keeps its state and has methods named after the
//! hook points it serves, with those points' signatures, so a product puts it in a field of
//! its `netstack::hooks!` type and names it as the handler (`ip4_input => self.filter`).
//!
//! - [`filter::PacketFilter`] (`ip4_input`): allow/deny rules on IPv4 source/destination
//!   prefix, protocol and ports; first match wins; a default policy.
//! - [`vlan::VlanTagger`] (`vlan_set`) and [`vlan::VlanFilter`] (`vlan_check`): 802.1Q
//!   tagging by interface/destination/ethertype and acceptance by a set of VLAN ids.
//! - [`counters::Counters`] (`ip4_input`): per-interface packet and byte counts, an observer
//!   that always lets the packet through.
//! - [`routes::StaticRoutes`] (`ip4_route`, `etharp_get_gw`): a deterministic
//!   longest-prefix table of interfaces and gateways.
//! - [`isn::FixedIsn`] and [`isn::CountingIsn`] (`tcp_isn`): predictable initial sequence
//!   numbers for simulations and captures (never for a product on a network).
//! - [`pcap::PcapTap`] (`ip4_input`): every received IPv4 packet into an in-memory pcap
//!   stream (for both directions, wrap the device in `netstack::phy::PcapDevice`).
//!
//! - [`dhcp::DhcpClientOptions`] (`dhcp_append_options`, `dhcp_parse_option`): the
//!   product's host name, vendor class and other options in the DHCP client's messages, and
//!   the reply options it asks for (vendor-specific 43, NTP servers 42, ...) recorded.
//!
//! A hook object's state (counts, captures, recorded options) is read, and its settings
//! changed, through the stack that owns it: `stack.hooks()` / `stack.hooks_mut()` while the
//! product polls the stack itself, `NetStack::hooks(|h| ...)` once `NetStack::start` runs it
//! on the TCP/IP thread. Each type's documentation has an example of its read API.
//!
//! Hooks that come with later layers (IPv6, DNS) are listed in `docs/hooks.md`.
#![no_std]

extern crate alloc;

pub mod counters;
pub mod dhcp;
pub mod filter;
pub mod isn;
pub mod pcap;
pub mod routes;
pub mod vlan;

#[cfg(test)]
mod testing;
