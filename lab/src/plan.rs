//! The lab's address plan: documentation prefixes that exist only inside the namespace.
//!
//! - `192.0.2.0/24` (TEST-NET-1, RFC 5737) is the TAP link: Linux is `.1`, the stack `.2`.
//! - `198.51.100.0/24` (TEST-NET-2) sits on an interface of its own inside the namespace when the
//!   lab is built with a second subnet: a network the stack reaches through Linux as its
//!   gateway.
//! - `203.0.113.0/24` (TEST-NET-3) is routed by Linux to the stack (via `192.0.2.2`) in
//!   that case: a network behind the stack, for tests where the stack routes.
//! - `2001:db8:1::/64` (RFC 3849) is the TAP link's IPv6 prefix when IPv6 is enabled.
//!
//! None of these is routed anywhere outside the namespace, and the namespace has no other
//! link, so no lab traffic can leave the machine.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Linux's address on the TAP link.
pub const LINUX_ADDR: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
/// The address the stack uses on the TAP link by default.
pub const STACK_ADDR: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
/// Prefix length of the TAP link.
pub const PREFIX_LEN: u8 = 24;
/// Linux's MAC address on the TAP link (locally administered).
pub const LINUX_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
/// A MAC address for the stack (locally administered; the lab does not enforce it).
pub const STACK_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];

/// Linux's address on the second subnet (interface `labremote` in the namespace).
pub const REMOTE_ADDR: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 1);
/// The second subnet's network address (prefix length [`PREFIX_LEN`]).
pub const REMOTE_NET: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 0);
/// The network Linux routes to the stack when the second subnet is on.
pub const ROUTED_NET: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 0);

/// Linux's IPv6 address on the TAP link, when IPv6 is on.
pub const LINUX_ADDR6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, 1);
/// The stack's default IPv6 address on the TAP link.
pub const STACK_ADDR6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, 2);
/// Prefix length of the IPv6 TAP link.
pub const PREFIX_LEN6: u8 = 64;
