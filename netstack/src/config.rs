//! The product's configuration, resolved from `netstack.toml` at build time.
//!
//! TEMPORARY hand-written stand-in: replaced by the constants `build.rs` generates with
//! `netstack-config` (same names and types).

/// Default time-to-live of outgoing IP packets (`IP_DEFAULT_TTL`).
pub const IP_DEFAULT_TTL: u8 = 64;
/// Fragment outgoing IPv4 packets larger than the MTU (`IP_FRAG`).
pub const IP4_FRAG: bool = true;
/// Reassemble incoming IPv4 fragments (`IP_REASSEMBLY`).
pub const IP4_REASSEMBLY: bool = false;
/// Most fragments held for reassembly at once, all datagrams together (`IP_REASS_MAX_PBUFS`).
pub const IP_REASS_MAX_PBUFS: usize = 10;
/// Seconds an incomplete datagram is kept (`IP_REASS_MAXAGE`).
pub const IP_REASS_MAXAGE: u32 = 3;
/// Datagrams reassembled at once (`MEMP_NUM_REASSDATA`).
pub const MEMP_NUM_REASSDATA: usize = 5;
/// Forward packets between interfaces (`IP_FORWARD`).
pub const IP_FORWARD: bool = false;
/// Send gratuitous ARP periodically.
pub const ESP_GRATUITOUS_ARP: bool = true;
/// Gratuitous ARP interval in seconds.
pub const GARP_TMR_INTERVAL: u32 = 60;
/// Verify IPv4 header checksums on input.
pub const CHECKSUM_CHECK_IP: bool = false;
/// Verify UDP checksums on input.
pub const CHECKSUM_CHECK_UDP: bool = false;
/// Verify ICMP checksums on input.
pub const CHECKSUM_CHECK_ICMP: bool = true;
/// Per-interface loopback of packets to the interface's own address.
pub const NETIF_LOOPBACK: bool = true;
/// Most packets queued for loopback per interface.
pub const LOOPBACK_MAX_PBUFS: usize = 8;
/// Answer echo requests sent to a multicast group.
pub const MULTICAST_PING: bool = false;
/// Answer echo requests sent to a broadcast address.
pub const BROADCAST_PING: bool = false;
/// Run IGMP/MLD timers only while they have work.
pub const TIMERS_ONDEMAND: bool = true;
/// Most UDP control blocks.
pub const MAX_UDP_PCBS: usize = 16;
/// Datagrams queued per UDP socket.
pub const UDP_RECVMBOX_SIZE: usize = 6;
/// ICMP support.
pub const ICMP: bool = true;
/// IPv4 support.
pub const IPV4: bool = true;
/// ARP cache entries (`ARP_TABLE_SIZE`).
pub const ARP_TABLE_SIZE: usize = 10;
/// Seconds an ARP entry stays valid (`ARP_MAXAGE`).
pub const ARP_MAXAGE: u32 = 300;
/// Queue packets while their next hop is being resolved (`ARP_QUEUEING`).
pub const ARP_QUEUEING: bool = true;
/// Packets queued per unresolved next hop (`ARP_QUEUE_LEN`).
pub const ARP_QUEUE_LEN: usize = 3;
/// Update the ARP cache from the source of incoming IP packets (`ETHARP_TRUST_IP_MAC`).
pub const ETHARP_TRUST_IP_MAC: bool = false;
/// IGMP support (`LWIP_IGMP`).
pub const IGMP: bool = true;
/// Multicast groups joined at once, all interfaces (`MEMP_NUM_IGMP_GROUP`).
pub const MEMP_NUM_IGMP_GROUP: usize = 8;
/// Most network interfaces, loopback included.
pub const MAX_NETIFS: usize = 4;
