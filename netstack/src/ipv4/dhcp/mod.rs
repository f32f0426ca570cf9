//! The DHCPv4 client (RFC 2131; lwIP's `dhcp.c`).
//!
//! One client per Ethernet interface, started with [`Stack::dhcp_start`](crate::Stack::dhcp_start)
//! and driven by `Stack::poll` like every other timer of the stack:
//!
//! ```text
//! INIT ─DISCOVER→ SELECTING ─OFFER/REQUEST→ REQUESTING ─ACK→ CHECKING ─no conflict→ BOUND
//!  ▲   (INIT-REBOOT: REBOOTING ─ACK→ CHECKING)     │NAK          │conflict: DECLINE      │T1
//!  └──────────────────────────────────────────────┴─────────────┘ (10 s later)          ▼
//!  └──── lease expired / NAK ◄── REBINDING (broadcast REQUEST) ◄─T2── RENEWING (unicast REQUEST)
//! ```
//!
//! - Messages go through the stack's own UDP/IPv4 output (port 68 to 67), from 0.0.0.0 to
//!   255.255.255.255 until the interface has its address; replies are accepted unicast or
//!   broadcast on an interface without an address (`ipv4` lets UDP port 68 through there).
//! - Retransmissions back off as RFC 2131 §4.1 says: 4, 8, 16, 32, 64, 64 … seconds, each ±1 s
//!   ([`timers`]); while renewing/rebinding, half the time left with a 60 s floor (§4.4.5).
//!   Every exchange draws a new random `xid`.
//! - Between the ACK and BOUND the offered address is checked with ARP probes
//!   (`config::DHCP_CHECKS_OFFERED_ADDRESS`: a quick check, RFC 5227 probing, or none); an
//!   answer is a conflict and the address is DECLINEd.
//! - Bound, the interface gets the address, netmask and gateway; the lease (DNS and NTP
//!   servers included) is readable with [`Stack::dhcp_lease`](crate::Stack::dhcp_lease) and
//!   every change is a [`DhcpEvent`] (the `api` layer turns them into DNS servers and
//!   interface status callbacks).
//! - The hook points `dhcp_append_options` and `dhcp_parse_option` let a product add
//!   options to every message and read the options of every reply (`docs/hooks.md`).

pub mod client;
mod glue;
pub mod message;
pub mod timers;

use alloc::string::String;
use core::net::Ipv4Addr;

use heapless::Vec as HVec;

use crate::config;
use crate::netif::NetifId;
use crate::time::Instant;
use crate::wire::Ipv4Cidr;

pub use client::DhcpClient;

/// Where a client stands (RFC 2131 Figure 5, plus lwIP's CHECKING and RELEASED).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DhcpState {
    /// About to send a DISCOVER (at start, after a NAK, after a DECLINE's wait).
    Init,
    /// DISCOVER sent; waiting for an OFFER.
    Selecting,
    /// REQUEST for an offered address sent; waiting for the ACK.
    Requesting,
    /// The acknowledged address is being probed with ARP before use.
    Checking,
    /// The interface has the address; waiting for T1.
    Bound,
    /// T1 passed: renewing with the server that gave the lease (unicast).
    Renewing,
    /// T2 passed: rebinding with any server (broadcast).
    Rebinding,
    /// INIT-REBOOT: asking for the last lease's address again.
    Rebooting,
    /// Released or stopped: nothing is sent until `dhcp_renew` / `dhcp_start`.
    Released,
}

/// How a client starts ([`Stack::dhcp_start_with`](crate::Stack::dhcp_start_with)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DhcpClientConfig {
    /// The host name sent in option 12 of DISCOVER and REQUEST; `None` (or empty): none.
    /// Defaults to `config::LOCAL_HOSTNAME` (`local_hostname`).
    pub hostname: Option<String>,
    /// The vendor class identifier sent in option 60. Sent only when
    /// `config::DHCP_DISABLE_VENDOR_CLASS_ID` is off (with it on, the stack never sends
    /// option 60 itself; a `dhcp_append_options` hook still may).
    pub vendor_class: Option<String>,
    /// Ask servers to broadcast their replies (the BROADCAST flag, RFC 2131 §4.1), for
    /// links where an interface without an address cannot receive unicast. The stack
    /// itself receives unicast replies, so it is off by default.
    pub broadcast_flag: bool,
    /// The address of the last lease, saved by the product (ESP-IDF keeps it in NVS).
    /// With `config::DHCP_RESTORE_LAST_IP` the client starts in INIT-REBOOT and asks for
    /// it again (RFC 2131 §3.2); without it, this is ignored.
    pub last_address: Option<Ipv4Addr>,
}

impl Default for DhcpClientConfig {
    fn default() -> DhcpClientConfig {
        DhcpClientConfig {
            hostname: (!config::LOCAL_HOSTNAME.is_empty())
                .then(|| String::from(config::LOCAL_HOSTNAME)),
            vendor_class: None,
            broadcast_flag: false,
            last_address: None,
        }
    }
}

/// A lease: what a server's ACK configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DhcpLease {
    /// The address and prefix (option 1; the address's class when the server sent no mask).
    pub address: Ipv4Cidr,
    /// The first router (option 3), if any.
    pub gateway: Option<Ipv4Addr>,
    /// The server that gave the lease (option 54).
    pub server: Ipv4Addr,
    /// DNS servers (option 6), at most `config::DNS_MAX_SERVERS`.
    pub dns_servers: HVec<Ipv4Addr, { config::DNS_MAX_SERVERS }>,
    /// NTP servers (option 42), at most `config::DHCP_MAX_NTP_SERVERS`; requested and kept
    /// only with `config::DHCP_GET_NTP_SRV`.
    pub ntp_servers: HVec<Ipv4Addr, { config::DHCP_MAX_NTP_SERVERS }>,
    /// Lease time in seconds (option 51); `None`: infinite.
    pub lease_time: Option<u32>,
    /// T1 in seconds (option 58, or half the lease).
    pub renewal_time: Option<u32>,
    /// T2 in seconds (option 59, or 7/8 of the lease).
    pub rebinding_time: Option<u32>,
    /// When the ACK arrived: the lease times count from here.
    pub acquired: Instant,
}

/// What happened to a client, for the application ([`Stack::dhcp_drain_events`](crate::Stack::dhcp_drain_events)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DhcpEvent {
    /// The interface got a (new) address from a lease.
    Bound {
        /// The address and prefix.
        address: Ipv4Cidr,
        /// The gateway.
        gateway: Option<Ipv4Addr>,
    },
    /// The lease was extended (RENEWING or REBINDING answered), same address.
    Renewed,
    /// The address was removed: lease expired, NAK, release or stop.
    Lost,
    /// An offered address was found in use and declined.
    Declined(Ipv4Addr),
}

/// At most this many events wait for [`Stack::dhcp_drain_events`](crate::Stack::dhcp_drain_events);
/// older ones are dropped first.
pub const EVENT_QUEUE_LEN: usize = 16;

/// A pending event of one interface.
pub(crate) type QueuedEvent = (NetifId, DhcpEvent);
