//! Network interfaces (lwIP's `struct netif`): a device plus the addresses and state the
//! stack keeps for it.
//!
//! Interfaces live in a fixed table of the [`Stack`](crate::Stack) (`config::MAX_NETIFS`
//! entries, plus the built-in loopback when `config::NETIF_LOOPBACK` is set) and are named
//! by a [`NetifId`]. Configure one with [`NetifConfig`], add it with
//! [`Stack::add_netif`](crate::Stack::add_netif), and read it back as a [`NetifInfo`].

use alloc::boxed::Box;
use alloc::string::String;
use core::net::Ipv4Addr;

use crate::phy::{Device, DeviceCapabilities, DeviceError, Loopback, Medium};
use crate::time::Instant;
use crate::wire::{EthernetAddress, Ipv4Cidr};

/// Names an interface of a [`Stack`](crate::Stack): its index in the interface table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NetifId(pub(crate) u8);

impl NetifId {
    /// The index in the interface table (stable for the interface's life; lwIP's
    /// `netif_get_index() - 1`).
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl core::fmt::Display for NetifId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "netif{}", self.0)
    }
}

/// How to set up an interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetifConfig {
    /// A short name for logs (lwIP's two-letter `name` plus number, e.g. `"st1"`).
    pub name: String,
    /// The hardware address, for an Ethernet device. `None`: a locally administered
    /// address drawn from the stack's random generator.
    pub mac: Option<EthernetAddress>,
    /// The IPv4 address and prefix, if any yet (e.g. before DHCP).
    pub ipv4: Option<Ipv4Cidr>,
    /// The default gateway on this interface's subnet.
    pub gateway: Option<Ipv4Addr>,
    /// The MTU; `None`: the device's.
    pub mtu: Option<usize>,
    /// Whether the interface starts up (administratively up with the link up).
    pub up: bool,
}

impl NetifConfig {
    /// An interface named `name`, up, with no address yet.
    pub fn new(name: &str) -> NetifConfig {
        NetifConfig {
            name: String::from(name),
            mac: None,
            ipv4: None,
            gateway: None,
            mtu: None,
            up: true,
        }
    }

    /// With this hardware address.
    pub fn with_mac(mut self, mac: EthernetAddress) -> NetifConfig {
        self.mac = Some(mac);
        self
    }

    /// With this IPv4 address and prefix.
    pub fn with_ipv4(mut self, cidr: Ipv4Cidr) -> NetifConfig {
        self.ipv4 = Some(cidr);
        self
    }

    /// With this default gateway.
    pub fn with_gateway(mut self, gateway: Ipv4Addr) -> NetifConfig {
        self.gateway = Some(gateway);
        self
    }

    /// With this MTU (at most the device's).
    pub fn with_mtu(mut self, mtu: usize) -> NetifConfig {
        self.mtu = Some(mtu);
        self
    }

    /// Starting down (bring it up with [`Stack::set_up`](crate::Stack::set_up)).
    pub fn down(mut self) -> NetifConfig {
        self.up = false;
        self
    }
}

/// A snapshot of an interface's state, as hooks and applications see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetifInfo<'a> {
    /// The interface.
    pub id: NetifId,
    /// Its name.
    pub name: &'a str,
    /// The frame format of its device.
    pub medium: Medium,
    /// Its hardware address (Ethernet only).
    pub mac: Option<EthernetAddress>,
    /// Its IPv4 address and prefix.
    pub ipv4: Option<Ipv4Cidr>,
    /// Its default gateway.
    pub gateway: Option<Ipv4Addr>,
    /// Its MTU (largest IP packet).
    pub mtu: usize,
    /// Whether it is up.
    pub up: bool,
    /// Whether it is the built-in loopback interface.
    pub loopback: bool,
}

/// The device behind an interface: the built-in loopback is kept as its concrete type so
/// the stack can see whether packets wait in it (a pending timer, `next_deadline`). Both
/// are boxed, so the device takes two words of the interface's first cache line.
pub(crate) enum NetifDevice {
    Boxed(Box<dyn Device + Send>),
    Loopback(Box<Loopback>),
}

impl NetifDevice {
    pub(crate) fn receive(
        &mut self,
        buf: &mut [u8],
        now: Instant,
    ) -> Result<Option<usize>, DeviceError> {
        match self {
            NetifDevice::Boxed(d) => d.receive(buf, now),
            NetifDevice::Loopback(d) => d.receive(buf, now),
        }
    }

    pub(crate) fn transmit(&mut self, frame: &[u8], now: Instant) -> Result<(), DeviceError> {
        match self {
            NetifDevice::Boxed(d) => d.transmit(frame, now),
            NetifDevice::Loopback(d) => d.transmit(frame, now),
        }
    }

    /// Whether a receive would certainly find nothing: the built-in loopback with an empty
    /// queue (a poll skips it without a call).
    #[inline]
    pub(crate) fn is_idle_loopback(&self) -> bool {
        match self {
            NetifDevice::Boxed(_) => false,
            NetifDevice::Loopback(d) => d.is_empty(),
        }
    }

    /// Whether frames are known to be waiting to be received right now.
    pub(crate) fn has_pending(&self) -> bool {
        match self {
            NetifDevice::Boxed(_) => false,
            NetifDevice::Loopback(d) => !d.is_empty(),
        }
    }

    /// The descriptor a driver loop can sleep on until a frame arrives.
    #[cfg(all(feature = "std", unix))]
    pub(crate) fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        match self {
            NetifDevice::Boxed(d) => d.raw_fd(),
            NetifDevice::Loopback(_) => None,
        }
    }
}

/// An interface in the stack's table.
///
/// Laid out (`repr(C)`, cache-line aligned) so that what every frame and poll reads (the
/// device, its capabilities, the MTU, the address, the MAC, up/loopback) is the first
/// cache line; the name, gateway and IGMP state follow.
#[repr(C, align(64))]
pub(crate) struct Netif {
    pub(crate) device: NetifDevice,
    pub(crate) caps: DeviceCapabilities,
    pub(crate) mtu: usize,
    /// When the next gratuitous ARP is due (`ESP_GRATUITOUS_ARP`); `Some(ZERO)` = at the
    /// next poll.
    pub(crate) garp_due: Option<Instant>,
    pub(crate) ipv4: Option<Ipv4Cidr>,
    pub(crate) mac: EthernetAddress,
    pub(crate) up: bool,
    pub(crate) loopback: bool,
    pub(crate) gateway: Option<Ipv4Addr>,
    pub(crate) name: String,
    /// The interface's multicast memberships and IGMP state.
    pub(crate) igmp: crate::ipv4::igmp::IgmpGroups,
    /// The DHCP client, when started on this interface.
    pub(crate) dhcp: Option<Box<crate::ipv4::dhcp::DhcpClient>>,
}

impl Netif {
    pub(crate) fn info(&self, id: NetifId) -> NetifInfo<'_> {
        NetifInfo {
            id,
            name: &self.name,
            medium: self.caps.medium,
            mac: (self.caps.medium == Medium::Ethernet).then_some(self.mac),
            ipv4: self.ipv4,
            gateway: self.gateway,
            mtu: self.mtu,
            up: self.up,
            loopback: self.loopback,
        }
    }

    pub(crate) fn is_ethernet(&self) -> bool {
        self.caps.medium == Medium::Ethernet
    }

    /// The interface's own IPv4 address.
    pub(crate) fn addr(&self) -> Option<Ipv4Addr> {
        self.ipv4.map(|c| c.address())
    }

    /// Whether `addr` is this interface's address.
    pub(crate) fn has_addr(&self, addr: Ipv4Addr) -> bool {
        self.addr() == Some(addr)
    }

    /// Whether `addr` is on this interface's subnet (RFC 1122 §3.3.1.1 "on-link"); the
    /// loopback interface owns all of 127/8.
    pub(crate) fn on_link(&self, addr: Ipv4Addr) -> bool {
        match self.ipv4 {
            Some(cidr) => cidr.contains_addr(&addr),
            None => false,
        }
    }

    /// Whether `addr` is a broadcast address for this interface: the limited broadcast or
    /// the subnet's directed broadcast (RFC 919, RFC 922). lwIP's `ip4_addr_isbroadcast`.
    pub(crate) fn is_broadcast(&self, addr: Ipv4Addr) -> bool {
        if addr.is_broadcast() {
            return true;
        }
        match self.ipv4 {
            Some(cidr) if cidr.prefix_len() < 31 => {
                cidr.broadcast() == Some(addr) && addr != cidr.address()
            }
            _ => false,
        }
    }
}

/// Interface `id` of a table, borrowing only the table (so the stack's other fields, e.g.
/// its hooks, stay free).
pub(crate) fn netif_in(netifs: &[Option<Netif>], id: NetifId) -> Option<&Netif> {
    netifs.get(id.index())?.as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_frame_fields_share_the_first_cache_line() {
        use core::mem::offset_of;
        assert!(offset_of!(Netif, loopback) < 64);
        assert!(offset_of!(Netif, mac) + 6 <= 64);
        assert!(offset_of!(Netif, ipv4) + size_of::<Option<Ipv4Cidr>>() <= 64);
    }
}
