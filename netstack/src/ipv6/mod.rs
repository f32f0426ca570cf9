//! IPv6 (RFC 8200): not implemented yet. This module is where it goes, one room per
//! protocol, mirroring [`crate::ipv4`], so that each piece has a path a reader can guess
//! before it exists:
//!
//! | room | what | RFCs | IPv4 counterpart |
//! |---|---|---|---|
//! | `ipv6/mod.rs` | input validation and dispatch (extension headers), output, forwarding | 8200, 4443 §2.4 | [`crate::ipv4`] |
//! | `ipv6/nd.rs` | Neighbor Discovery: neighbor cache, address resolution, NUD, router and prefix lists, redirects | 4861 | [`crate::ipv4::arp`] |
//! | `ipv6/icmpv6.rs` | ICMPv6: echo, errors sent and received, rate limiting | 4443 | [`crate::ipv4::icmp`] |
//! | `ipv6/mld/` | Multicast Listener Discovery host side (state machine + `glue.rs`) | 2710, 3810 | [`crate::ipv4::igmp`] |
//! | `ipv6/slaac.rs` | stateless address autoconfiguration, duplicate address detection | 4862 | — |
//! | `ipv6/dhcpv6/` | DHCPv6 client (state machine + `glue.rs`) | 8415 | [`crate::ipv4::dhcp`] |
//! | `ipv6/fragment.rs`, `ipv6/reassembly.rs` | fragment header: sending and reassembling | 8200 §4.5 | [`crate::ipv4::fragment`], [`crate::ipv4::reassembly`] |
//!
//! What both families share stays outside `ipv4/` and `ipv6/`: UDP ([`crate::udp`]), TCP
//! ([`crate::tcp`]), the multicast membership API ([`crate::multicast`]), Ethernet
//! ([`crate::ethernet`]), the interfaces ([`crate::netif`]) and the sockets API. The wire
//! formats of the new headers go next to the IPv4 ones in [`crate::wire`] (`wire/ipv6.rs`,
//! `wire/icmpv6.rs`, `wire/ndisc.rs`, `wire/mld.rs`, `wire/dhcpv6.rs`), and the checksum's
//! IPv6 pseudo header is already in [`crate::wire::checksum`].
