//! Network-layer vocabulary shared by IPv4 and IPv6: versions, protocol numbers, address
//! helpers, endpoints and CIDR prefixes.
//!
//! Addresses are `core::net::{Ipv4Addr, Ipv6Addr, IpAddr}`; this module adds what a stack
//! needs on top of them (RFC 1122 §3.2.1.3 address classes, RFC 4632 prefixes).

use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::WireError;

/// The IP version of a packet (the first nibble of its first byte, RFC 791 §3.1 and
/// RFC 8200 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IpVersion {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

impl IpVersion {
    /// The version of the IP packet starting at `packet[0]`.
    ///
    /// [`WireError::Truncated`] for an empty buffer, [`WireError::Unsupported`] for a version
    /// nibble other than 4 or 6.
    #[inline]
    pub fn of_packet(packet: &[u8]) -> Result<IpVersion, WireError> {
        match packet.first().map(|b| b >> 4) {
            Some(4) => Ok(IpVersion::V4),
            Some(6) => Ok(IpVersion::V6),
            Some(_) => Err(WireError::Unsupported),
            None => Err(WireError::Truncated),
        }
    }

    /// The version number as carried in the header (4 or 6).
    #[inline]
    pub const fn number(self) -> u8 {
        match self {
            IpVersion::V4 => 4,
            IpVersion::V6 => 6,
        }
    }
}

impl fmt::Display for IpVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IPv{}", self.number())
    }
}

/// An IP protocol number: the IPv4 `protocol` field (RFC 791 §3.1) and the IPv6 `next
/// header` field (RFC 8200 §3), as assigned by IANA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IpProtocol {
    /// IPv6 Hop-by-Hop Options header (0, RFC 8200 §4.3).
    HopByHop,
    /// ICMP for IPv4 (1, RFC 792).
    Icmp,
    /// IGMP (2, RFC 2236 / RFC 3376).
    Igmp,
    /// TCP (6, RFC 9293).
    Tcp,
    /// UDP (17, RFC 768).
    Udp,
    /// IPv6 Routing header (43, RFC 8200 §4.4).
    Ipv6Route,
    /// IPv6 Fragment header (44, RFC 8200 §4.5).
    Ipv6Frag,
    /// ICMPv6 (58, RFC 4443).
    Icmpv6,
    /// IPv6 "no next header" (59, RFC 8200 §4.7).
    Ipv6NoNxt,
    /// IPv6 Destination Options header (60, RFC 8200 §4.6).
    Ipv6Opts,
    /// Any other protocol number.
    Unknown(u8),
}

impl From<u8> for IpProtocol {
    #[inline]
    fn from(value: u8) -> Self {
        match value {
            0 => IpProtocol::HopByHop,
            1 => IpProtocol::Icmp,
            2 => IpProtocol::Igmp,
            6 => IpProtocol::Tcp,
            17 => IpProtocol::Udp,
            43 => IpProtocol::Ipv6Route,
            44 => IpProtocol::Ipv6Frag,
            58 => IpProtocol::Icmpv6,
            59 => IpProtocol::Ipv6NoNxt,
            60 => IpProtocol::Ipv6Opts,
            other => IpProtocol::Unknown(other),
        }
    }
}

impl From<IpProtocol> for u8 {
    #[inline]
    fn from(value: IpProtocol) -> Self {
        match value {
            IpProtocol::HopByHop => 0,
            IpProtocol::Icmp => 1,
            IpProtocol::Igmp => 2,
            IpProtocol::Tcp => 6,
            IpProtocol::Udp => 17,
            IpProtocol::Ipv6Route => 43,
            IpProtocol::Ipv6Frag => 44,
            IpProtocol::Icmpv6 => 58,
            IpProtocol::Ipv6NoNxt => 59,
            IpProtocol::Ipv6Opts => 60,
            IpProtocol::Unknown(other) => other,
        }
    }
}

impl fmt::Display for IpProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IpProtocol::HopByHop => f.write_str("Hop-by-Hop"),
            IpProtocol::Icmp => f.write_str("ICMP"),
            IpProtocol::Igmp => f.write_str("IGMP"),
            IpProtocol::Tcp => f.write_str("TCP"),
            IpProtocol::Udp => f.write_str("UDP"),
            IpProtocol::Ipv6Route => f.write_str("IPv6-Route"),
            IpProtocol::Ipv6Frag => f.write_str("IPv6-Frag"),
            IpProtocol::Icmpv6 => f.write_str("ICMPv6"),
            IpProtocol::Ipv6NoNxt => f.write_str("IPv6-NoNxt"),
            IpProtocol::Ipv6Opts => f.write_str("IPv6-Opts"),
            IpProtocol::Unknown(n) => write!(f, "protocol {n}"),
        }
    }
}

/// IPv4 address classes a stack needs beyond what `core::net::Ipv4Addr` offers.
pub trait Ipv4AddrExt {
    /// A unicast address: not unspecified (0.0.0.0), not limited broadcast
    /// (255.255.255.255), not multicast (224.0.0.0/4) and not in the reserved class E
    /// (240.0.0.0/4). RFC 1122 §3.2.1.3.
    fn is_unicast(&self) -> bool;

    /// The all-hosts group 224.0.0.1 (RFC 1112 §4), which IGMP never reports.
    fn is_all_hosts(&self) -> bool;

    /// A link-local multicast group 224.0.0.0/24 (RFC 5771 §4): never forwarded, and
    /// except for all-hosts still reported by IGMP.
    fn is_link_local_multicast(&self) -> bool;

    /// Reads an address from the first four bytes of `bytes`; `None` when shorter.
    fn from_slice(bytes: &[u8]) -> Option<Ipv4Addr>;
}

impl Ipv4AddrExt for Ipv4Addr {
    #[inline]
    fn is_unicast(&self) -> bool {
        let first = self.octets()[0];
        !self.is_unspecified() && first < 224
    }

    #[inline]
    fn is_all_hosts(&self) -> bool {
        *self == Ipv4Addr::new(224, 0, 0, 1)
    }

    #[inline]
    fn is_link_local_multicast(&self) -> bool {
        let [a, b, c, _] = self.octets();
        a == 224 && b == 0 && c == 0
    }

    #[inline]
    fn from_slice(bytes: &[u8]) -> Option<Ipv4Addr> {
        match bytes {
            [a, b, c, d, ..] => Some(Ipv4Addr::new(*a, *b, *c, *d)),
            _ => None,
        }
    }
}

/// Address classes for either IP version.
pub trait IpAddrExt {
    /// A unicast address (see [`Ipv4AddrExt::is_unicast`]; for IPv6, not unspecified and
    /// not multicast, RFC 4291 §2.4).
    fn is_unicast(&self) -> bool;

    /// The version of this address.
    fn version(&self) -> IpVersion;
}

impl IpAddrExt for IpAddr {
    #[inline]
    fn is_unicast(&self) -> bool {
        match self {
            IpAddr::V4(a) => Ipv4AddrExt::is_unicast(a),
            IpAddr::V6(a) => !a.is_unspecified() && !a.is_multicast(),
        }
    }

    #[inline]
    fn version(&self) -> IpVersion {
        match self {
            IpAddr::V4(_) => IpVersion::V4,
            IpAddr::V6(_) => IpVersion::V6,
        }
    }
}

/// A transport endpoint: an IP address and a port (the socket address of the BSD API,
/// without IPv6 flow info and scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpEndpoint {
    /// The address.
    pub addr: IpAddr,
    /// The port.
    pub port: u16,
}

impl IpEndpoint {
    /// An endpoint from its parts.
    #[inline]
    pub const fn new(addr: IpAddr, port: u16) -> IpEndpoint {
        IpEndpoint { addr, port }
    }
}

impl From<SocketAddr> for IpEndpoint {
    #[inline]
    fn from(value: SocketAddr) -> Self {
        IpEndpoint::new(value.ip(), value.port())
    }
}

impl From<IpEndpoint> for SocketAddr {
    #[inline]
    fn from(value: IpEndpoint) -> Self {
        SocketAddr::new(value.addr, value.port)
    }
}

impl From<(Ipv4Addr, u16)> for IpEndpoint {
    #[inline]
    fn from((addr, port): (Ipv4Addr, u16)) -> Self {
        IpEndpoint::new(IpAddr::V4(addr), port)
    }
}

impl From<(IpAddr, u16)> for IpEndpoint {
    #[inline]
    fn from((addr, port): (IpAddr, u16)) -> Self {
        IpEndpoint::new(addr, port)
    }
}

impl fmt::Display for IpEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.addr {
            IpAddr::V4(a) => write!(f, "{a}:{}", self.port),
            IpAddr::V6(a) => write!(f, "[{a}]:{}", self.port),
        }
    }
}

/// An IPv4 address with a prefix length: an interface address and its subnet
/// (RFC 4632 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipv4Cidr {
    address: Ipv4Addr,
    prefix_len: u8,
}

impl Ipv4Cidr {
    /// `address/prefix_len`; [`WireError::Malformed`] when `prefix_len > 32`.
    #[inline]
    pub const fn new(address: Ipv4Addr, prefix_len: u8) -> Result<Ipv4Cidr, WireError> {
        if prefix_len > 32 {
            return Err(WireError::Malformed);
        }
        Ok(Ipv4Cidr {
            address,
            prefix_len,
        })
    }

    /// From an address and a dotted netmask such as 255.255.255.0;
    /// [`WireError::Malformed`] when the mask is not contiguous ones then zeros.
    #[inline]
    pub const fn from_netmask(address: Ipv4Addr, netmask: Ipv4Addr) -> Result<Ipv4Cidr, WireError> {
        let bits = netmask.to_bits();
        let prefix_len = bits.leading_ones();
        if prefix_len < 32 && bits << prefix_len != 0 {
            return Err(WireError::Malformed);
        }
        Ok(Ipv4Cidr {
            address,
            prefix_len: prefix_len as u8,
        })
    }

    /// The address.
    #[inline]
    pub const fn address(&self) -> Ipv4Addr {
        self.address
    }

    /// The prefix length, 0..=32.
    #[inline]
    pub const fn prefix_len(&self) -> u8 {
        self.prefix_len
    }

    /// The netmask: `prefix_len` ones followed by zeros.
    #[inline]
    pub const fn netmask(&self) -> Ipv4Addr {
        Ipv4Addr::from_bits(mask_v4(self.prefix_len))
    }

    /// The network itself: the address with its host bits cleared.
    #[inline]
    pub const fn network(&self) -> Ipv4Cidr {
        Ipv4Cidr {
            address: Ipv4Addr::from_bits(self.address.to_bits() & mask_v4(self.prefix_len)),
            prefix_len: self.prefix_len,
        }
    }

    /// The directed broadcast address of the subnet (host bits all ones), or `None` for
    /// /31 and /32, which have none (RFC 3021).
    #[inline]
    pub const fn broadcast(&self) -> Option<Ipv4Addr> {
        if self.prefix_len >= 31 {
            return None;
        }
        Some(Ipv4Addr::from_bits(
            self.address.to_bits() | !mask_v4(self.prefix_len),
        ))
    }

    /// Whether `addr` is in this subnet.
    #[inline]
    pub const fn contains_addr(&self, addr: &Ipv4Addr) -> bool {
        let mask = mask_v4(self.prefix_len);
        self.address.to_bits() & mask == addr.to_bits() & mask
    }

    /// Whether all of `subnet` is inside this subnet.
    #[inline]
    pub const fn contains_subnet(&self, subnet: &Ipv4Cidr) -> bool {
        self.prefix_len <= subnet.prefix_len && self.contains_addr(&subnet.address)
    }
}

#[inline]
const fn mask_v4(prefix_len: u8) -> u32 {
    if prefix_len == 0 {
        0
    } else if prefix_len >= 32 {
        u32::MAX
    } else {
        u32::MAX << (32 - prefix_len as u32)
    }
}

#[inline]
const fn mask_v6(prefix_len: u8) -> u128 {
    if prefix_len == 0 {
        0
    } else if prefix_len >= 128 {
        u128::MAX
    } else {
        u128::MAX << (128 - prefix_len as u32)
    }
}

impl fmt::Display for Ipv4Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix_len)
    }
}

/// An IPv6 address with a prefix length (RFC 4291 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipv6Cidr {
    address: Ipv6Addr,
    prefix_len: u8,
}

impl Ipv6Cidr {
    /// `address/prefix_len`; [`WireError::Malformed`] when `prefix_len > 128`.
    #[inline]
    pub const fn new(address: Ipv6Addr, prefix_len: u8) -> Result<Ipv6Cidr, WireError> {
        if prefix_len > 128 {
            return Err(WireError::Malformed);
        }
        Ok(Ipv6Cidr {
            address,
            prefix_len,
        })
    }

    /// The address.
    #[inline]
    pub const fn address(&self) -> Ipv6Addr {
        self.address
    }

    /// The prefix length, 0..=128.
    #[inline]
    pub const fn prefix_len(&self) -> u8 {
        self.prefix_len
    }

    /// The network itself: the address with its interface-identifier bits cleared.
    #[inline]
    pub const fn network(&self) -> Ipv6Cidr {
        Ipv6Cidr {
            address: Ipv6Addr::from_bits(self.address.to_bits() & mask_v6(self.prefix_len)),
            prefix_len: self.prefix_len,
        }
    }

    /// Whether `addr` is in this prefix.
    #[inline]
    pub const fn contains_addr(&self, addr: &Ipv6Addr) -> bool {
        let mask = mask_v6(self.prefix_len);
        self.address.to_bits() & mask == addr.to_bits() & mask
    }
}

impl fmt::Display for Ipv6Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix_len)
    }
}

/// A prefix of either IP version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IpCidr {
    /// An IPv4 prefix.
    V4(Ipv4Cidr),
    /// An IPv6 prefix.
    V6(Ipv6Cidr),
}

impl IpCidr {
    /// `address/prefix_len` of either version; [`WireError::Malformed`] when the prefix is
    /// longer than the address.
    #[inline]
    pub const fn new(address: IpAddr, prefix_len: u8) -> Result<IpCidr, WireError> {
        match address {
            IpAddr::V4(a) => match Ipv4Cidr::new(a, prefix_len) {
                Ok(c) => Ok(IpCidr::V4(c)),
                Err(e) => Err(e),
            },
            IpAddr::V6(a) => match Ipv6Cidr::new(a, prefix_len) {
                Ok(c) => Ok(IpCidr::V6(c)),
                Err(e) => Err(e),
            },
        }
    }

    /// The address.
    #[inline]
    pub const fn address(&self) -> IpAddr {
        match self {
            IpCidr::V4(c) => IpAddr::V4(c.address()),
            IpCidr::V6(c) => IpAddr::V6(c.address()),
        }
    }

    /// The prefix length.
    #[inline]
    pub const fn prefix_len(&self) -> u8 {
        match self {
            IpCidr::V4(c) => c.prefix_len(),
            IpCidr::V6(c) => c.prefix_len(),
        }
    }

    /// Whether `addr` is in this prefix (always false across versions).
    #[inline]
    pub const fn contains_addr(&self, addr: &IpAddr) -> bool {
        match (self, addr) {
            (IpCidr::V4(c), IpAddr::V4(a)) => c.contains_addr(a),
            (IpCidr::V6(c), IpAddr::V6(a)) => c.contains_addr(a),
            _ => false,
        }
    }
}

impl From<Ipv4Cidr> for IpCidr {
    #[inline]
    fn from(value: Ipv4Cidr) -> Self {
        IpCidr::V4(value)
    }
}

impl From<Ipv6Cidr> for IpCidr {
    #[inline]
    fn from(value: Ipv6Cidr) -> Self {
        IpCidr::V6(value)
    }
}

impl fmt::Display for IpCidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IpCidr::V4(c) => c.fmt(f),
            IpCidr::V6(c) => c.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn version_of_packet() {
        assert_eq!(IpVersion::of_packet(&[0x45]), Ok(IpVersion::V4));
        assert_eq!(IpVersion::of_packet(&[0x60, 0]), Ok(IpVersion::V6));
        assert_eq!(IpVersion::of_packet(&[0x55]), Err(WireError::Unsupported));
        assert_eq!(IpVersion::of_packet(&[]), Err(WireError::Truncated));
        assert_eq!(IpVersion::V6.to_string(), "IPv6");
    }

    #[test]
    fn protocol_round_trip() {
        for n in 0..=255u8 {
            assert_eq!(u8::from(IpProtocol::from(n)), n);
        }
        assert_eq!(IpProtocol::from(17), IpProtocol::Udp);
        assert_eq!(IpProtocol::from(2), IpProtocol::Igmp);
        assert_eq!(IpProtocol::from(99), IpProtocol::Unknown(99));
        assert_eq!(IpProtocol::Tcp.to_string(), "TCP");
    }

    #[test]
    fn v4_classes() {
        assert!(Ipv4Addr::new(192, 168, 1, 1).is_unicast());
        assert!(!Ipv4Addr::UNSPECIFIED.is_unicast());
        assert!(!Ipv4Addr::BROADCAST.is_unicast());
        assert!(!Ipv4Addr::new(224, 0, 0, 251).is_unicast());
        assert!(!Ipv4Addr::new(240, 0, 0, 1).is_unicast());
        assert!(Ipv4Addr::new(224, 0, 0, 1).is_all_hosts());
        assert!(Ipv4Addr::new(224, 0, 0, 251).is_link_local_multicast());
        assert!(!Ipv4Addr::new(239, 255, 255, 250).is_link_local_multicast());
        assert_eq!(
            Ipv4Addr::from_slice(&[10, 0, 0, 1, 9]),
            Some(Ipv4Addr::new(10, 0, 0, 1))
        );
        assert_eq!(Ipv4Addr::from_slice(&[10, 0, 0]), None);
        let a: IpAddr = Ipv6Addr::LOCALHOST.into();
        assert!(IpAddrExt::is_unicast(&a));
        assert_eq!(a.version(), IpVersion::V6);
        assert!(!IpAddrExt::is_unicast(&IpAddr::V6(Ipv6Addr::UNSPECIFIED)));
    }

    #[test]
    fn endpoint() {
        let e = IpEndpoint::from((Ipv4Addr::new(10, 0, 0, 1), 53));
        assert_eq!(e.to_string(), "10.0.0.1:53");
        let s: SocketAddr = e.into();
        assert_eq!(IpEndpoint::from(s), e);
        let e6 = IpEndpoint::new(Ipv6Addr::LOCALHOST.into(), 80);
        assert_eq!(e6.to_string(), "[::1]:80");
    }

    #[test]
    fn v4_cidr() -> Result<(), WireError> {
        let c = Ipv4Cidr::new(Ipv4Addr::new(192, 168, 4, 17), 24)?;
        assert_eq!(c.netmask(), Ipv4Addr::new(255, 255, 255, 0));
        assert_eq!(c.network().address(), Ipv4Addr::new(192, 168, 4, 0));
        assert_eq!(c.broadcast(), Some(Ipv4Addr::new(192, 168, 4, 255)));
        assert!(c.contains_addr(&Ipv4Addr::new(192, 168, 4, 200)));
        assert!(!c.contains_addr(&Ipv4Addr::new(192, 168, 5, 1)));
        assert!(c.contains_subnet(&Ipv4Cidr::new(Ipv4Addr::new(192, 168, 4, 128), 25)?));
        assert!(!c.contains_subnet(&Ipv4Cidr::new(Ipv4Addr::new(192, 168, 0, 0), 16)?));
        assert_eq!(c.to_string(), "192.168.4.17/24");

        let all = Ipv4Cidr::new(Ipv4Addr::UNSPECIFIED, 0)?;
        assert_eq!(all.netmask(), Ipv4Addr::UNSPECIFIED);
        assert!(all.contains_addr(&Ipv4Addr::new(8, 8, 8, 8)));
        assert_eq!(all.broadcast(), Some(Ipv4Addr::BROADCAST));
        let host = Ipv4Cidr::new(Ipv4Addr::new(10, 1, 2, 3), 32)?;
        assert_eq!(host.netmask(), Ipv4Addr::BROADCAST);
        assert_eq!(host.broadcast(), None);
        assert!(host.contains_addr(&Ipv4Addr::new(10, 1, 2, 3)));
        assert!(!host.contains_addr(&Ipv4Addr::new(10, 1, 2, 4)));
        assert_eq!(
            Ipv4Cidr::new(Ipv4Addr::UNSPECIFIED, 33),
            Err(WireError::Malformed)
        );
        for len in 0..=32u8 {
            let c = Ipv4Cidr::new(Ipv4Addr::new(10, 9, 8, 7), len)?;
            assert_eq!(Ipv4Cidr::from_netmask(c.address(), c.netmask()), Ok(c));
        }
        assert_eq!(
            Ipv4Cidr::from_netmask(Ipv4Addr::UNSPECIFIED, Ipv4Addr::new(255, 0, 255, 0)),
            Err(WireError::Malformed)
        );
        Ok(())
    }

    #[test]
    fn v6_and_generic_cidr() -> Result<(), WireError> {
        let p = Ipv6Cidr::new(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 64)?;
        assert!(p.contains_addr(&Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 1, 2, 3, 4)));
        assert!(!p.contains_addr(&Ipv6Addr::new(0x2001, 0xdb9, 0, 0, 1, 2, 3, 4)));
        assert_eq!(
            p.network().address(),
            Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0)
        );
        assert_eq!(p.to_string(), "2001:db8::1/64");
        assert!(Ipv6Cidr::new(Ipv6Addr::UNSPECIFIED, 129).is_err());
        assert!(Ipv6Cidr::new(Ipv6Addr::UNSPECIFIED, 0)?.contains_addr(&Ipv6Addr::LOCALHOST));
        assert!(Ipv6Cidr::new(Ipv6Addr::LOCALHOST, 128)?.contains_addr(&Ipv6Addr::LOCALHOST));

        let c = IpCidr::new(Ipv4Addr::new(10, 0, 0, 1).into(), 8)?;
        assert!(c.contains_addr(&Ipv4Addr::new(10, 200, 0, 1).into()));
        assert!(!c.contains_addr(&Ipv6Addr::LOCALHOST.into()));
        assert_eq!(c.prefix_len(), 8);
        assert_eq!(c.address(), IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)));
        assert_eq!(c.to_string(), "10.0.0.1/8");
        assert!(IpCidr::new(Ipv4Addr::UNSPECIFIED.into(), 40).is_err());
        Ok(())
    }
}
