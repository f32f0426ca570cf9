//! Ethernet II frames (IEEE 802.3 §3.2 with the DIX type field) and IEEE 802.1Q VLAN tags.
//!
//! ```text
//! | dst (6) | src (6) | ethertype (2) | payload ...                           untagged
//! | dst (6) | src (6) | 0x8100 | TCI (2) | ethertype (2) | payload ...     802.1Q tagged
//! ```
//!
//! The frame check sequence is not part of the view: drivers strip it on receive and the
//! NIC appends it on transmit.

use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};

use super::{WireError, read_u16, write_u16};

/// A 48-bit IEEE 802 MAC address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct EthernetAddress(pub [u8; 6]);

impl EthernetAddress {
    /// The broadcast address ff:ff:ff:ff:ff:ff.
    pub const BROADCAST: EthernetAddress = EthernetAddress([0xff; 6]);

    /// The all-zero address (ARP's "unknown" target hardware address, RFC 826).
    pub const UNSPECIFIED: EthernetAddress = EthernetAddress([0; 6]);

    /// Reads an address from the first six bytes of `bytes`; `None` when shorter.
    #[inline]
    pub fn from_bytes(bytes: &[u8]) -> Option<EthernetAddress> {
        match bytes {
            [a, b, c, d, e, f, ..] => Some(EthernetAddress([*a, *b, *c, *d, *e, *f])),
            _ => None,
        }
    }

    /// The six octets.
    #[inline]
    pub const fn as_bytes(&self) -> &[u8; 6] {
        &self.0
    }

    /// ff:ff:ff:ff:ff:ff.
    #[inline]
    pub fn is_broadcast(&self) -> bool {
        *self == Self::BROADCAST
    }

    /// A group address: the I/G bit (least significant bit of the first octet) is set.
    /// Broadcast is a multicast address too.
    #[inline]
    pub const fn is_multicast(&self) -> bool {
        self.0[0] & 0x01 != 0
    }

    /// An individual (unicast) address: the I/G bit is clear.
    #[inline]
    pub const fn is_unicast(&self) -> bool {
        !self.is_multicast()
    }

    /// A locally administered address: the U/L bit (second bit of the first octet) is set.
    #[inline]
    pub const fn is_local(&self) -> bool {
        self.0[0] & 0x02 != 0
    }

    /// The all-zero address.
    #[inline]
    pub const fn is_unspecified(&self) -> bool {
        matches!(self.0, [0, 0, 0, 0, 0, 0])
    }

    /// The MAC address an IPv4 multicast group maps to: 01:00:5e followed by the low 23
    /// bits of the group (RFC 1112 §6.4).
    #[inline]
    pub const fn from_ipv4_multicast(group: &Ipv4Addr) -> EthernetAddress {
        let [_, b, c, d] = group.octets();
        EthernetAddress([0x01, 0x00, 0x5e, b & 0x7f, c, d])
    }

    /// The MAC address an IPv6 multicast group maps to: 33:33 followed by the low 32 bits
    /// of the group (RFC 2464 §7).
    #[inline]
    pub const fn from_ipv6_multicast(group: &Ipv6Addr) -> EthernetAddress {
        let o = group.octets();
        EthernetAddress([0x33, 0x33, o[12], o[13], o[14], o[15]])
    }
}

impl fmt::Display for EthernetAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

impl From<[u8; 6]> for EthernetAddress {
    #[inline]
    fn from(value: [u8; 6]) -> Self {
        EthernetAddress(value)
    }
}

/// The EtherType field (IEEE 802.3 §3.2.6; values assigned by the IEEE RA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EtherType {
    /// IPv4 (0x0800, RFC 894).
    Ipv4,
    /// ARP (0x0806, RFC 826).
    Arp,
    /// IPv6 (0x86dd, RFC 2464).
    Ipv6,
    /// An IEEE 802.1Q VLAN tag follows (0x8100).
    Vlan,
    /// Any other value (including 802.3 length values below 0x0600).
    Unknown(u16),
}

impl From<u16> for EtherType {
    #[inline]
    fn from(value: u16) -> Self {
        match value {
            0x0800 => EtherType::Ipv4,
            0x0806 => EtherType::Arp,
            0x86dd => EtherType::Ipv6,
            0x8100 => EtherType::Vlan,
            other => EtherType::Unknown(other),
        }
    }
}

impl From<EtherType> for u16 {
    #[inline]
    fn from(value: EtherType) -> Self {
        match value {
            EtherType::Ipv4 => 0x0800,
            EtherType::Arp => 0x0806,
            EtherType::Ipv6 => 0x86dd,
            EtherType::Vlan => 0x8100,
            EtherType::Unknown(other) => other,
        }
    }
}

impl fmt::Display for EtherType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EtherType::Ipv4 => f.write_str("IPv4"),
            EtherType::Arp => f.write_str("ARP"),
            EtherType::Ipv6 => f.write_str("IPv6"),
            EtherType::Vlan => f.write_str("802.1Q"),
            EtherType::Unknown(v) => write!(f, "0x{v:04x}"),
        }
    }
}

/// An IEEE 802.1Q tag control information field: priority, drop eligibility, VLAN id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct VlanTag {
    /// Priority code point, 0..=7 (IEEE 802.1Q §6.9.3); higher bits are ignored on emit.
    pub pcp: u8,
    /// Drop eligible indicator.
    pub dei: bool,
    /// VLAN identifier, 0..=4095 (0: priority tag only); higher bits are ignored on emit.
    pub vid: u16,
}

impl VlanTag {
    /// Decodes a 16-bit TCI: `pcp(3) | dei(1) | vid(12)`.
    #[inline]
    pub const fn from_tci(tci: u16) -> VlanTag {
        VlanTag {
            pcp: (tci >> 13) as u8,
            dei: tci & 0x1000 != 0,
            vid: tci & 0x0fff,
        }
    }

    /// Encodes the 16-bit TCI.
    #[inline]
    pub const fn tci(&self) -> u16 {
        ((self.pcp as u16 & 0x7) << 13) | ((self.dei as u16) << 12) | (self.vid & 0x0fff)
    }
}

mod field {
    pub const DST: core::ops::Range<usize> = 0..6;
    pub const SRC: core::ops::Range<usize> = 6..12;
    pub const ETHERTYPE: usize = 12;
    pub const TCI: usize = 14;
    pub const INNER_ETHERTYPE: usize = 16;
}

/// A view over an Ethernet II frame, optionally 802.1Q tagged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EthernetFrame<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> EthernetFrame<T> {
    /// Length of an untagged header.
    pub const HEADER_LEN: usize = 14;
    /// Length of an 802.1Q-tagged header.
    pub const VLAN_HEADER_LEN: usize = 18;

    /// Wraps a buffer without checking it; accessors panic if it is shorter than the
    /// header they read.
    #[inline]
    pub const fn new_unchecked(buffer: T) -> EthernetFrame<T> {
        EthernetFrame { buffer }
    }

    /// Wraps a buffer after [`check_len`](Self::check_len).
    #[inline]
    pub fn new_checked(buffer: T) -> Result<EthernetFrame<T>, WireError> {
        let frame = Self::new_unchecked(buffer);
        frame.check_len()?;
        Ok(frame)
    }

    /// [`WireError::Truncated`] unless the buffer holds the whole header (18 bytes when the
    /// outer EtherType is 802.1Q, else 14).
    #[inline]
    pub fn check_len(&self) -> Result<(), WireError> {
        let data = self.buffer.as_ref();
        if data.len() < Self::HEADER_LEN {
            return Err(WireError::Truncated);
        }
        if data.len() < self.header_len() {
            return Err(WireError::Truncated);
        }
        Ok(())
    }

    /// The wrapped buffer.
    #[inline]
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Header length: 18 when the frame carries an 802.1Q tag, else 14.
    #[inline]
    pub fn header_len(&self) -> usize {
        if self.ethertype() == EtherType::Vlan {
            Self::VLAN_HEADER_LEN
        } else {
            Self::HEADER_LEN
        }
    }

    /// Destination address.
    #[inline]
    pub fn dst_addr(&self) -> EthernetAddress {
        let d = self.buffer.as_ref();
        let mut a = [0; 6];
        a.copy_from_slice(&d[field::DST]);
        EthernetAddress(a)
    }

    /// Source address.
    #[inline]
    pub fn src_addr(&self) -> EthernetAddress {
        let d = self.buffer.as_ref();
        let mut a = [0; 6];
        a.copy_from_slice(&d[field::SRC]);
        EthernetAddress(a)
    }

    /// The outer EtherType field ([`EtherType::Vlan`] for a tagged frame).
    #[inline]
    pub fn ethertype(&self) -> EtherType {
        EtherType::from(read_u16(self.buffer.as_ref(), field::ETHERTYPE))
    }

    /// The 802.1Q tag, if the frame is tagged.
    #[inline]
    pub fn vlan_tag(&self) -> Option<VlanTag> {
        if self.ethertype() == EtherType::Vlan {
            Some(VlanTag::from_tci(read_u16(
                self.buffer.as_ref(),
                field::TCI,
            )))
        } else {
            None
        }
    }

    /// The EtherType of the payload: the inner one for a tagged frame.
    #[inline]
    pub fn payload_ethertype(&self) -> EtherType {
        if self.ethertype() == EtherType::Vlan {
            EtherType::from(read_u16(self.buffer.as_ref(), field::INNER_ETHERTYPE))
        } else {
            self.ethertype()
        }
    }

    /// The payload (everything after the header, including any padding to the 60-byte
    /// minimum frame: the network layer's own length field bounds it).
    #[inline]
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[self.header_len()..]
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> EthernetFrame<&'a T> {
    /// The payload with the buffer's lifetime.
    #[inline]
    pub fn payload_slice(&self) -> &'a [u8] {
        let len = self.header_len();
        &self.buffer.as_ref()[len..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> EthernetFrame<T> {
    /// Sets the destination address.
    #[inline]
    pub fn set_dst_addr(&mut self, addr: EthernetAddress) {
        self.buffer.as_mut()[field::DST].copy_from_slice(&addr.0);
    }

    /// Sets the source address.
    #[inline]
    pub fn set_src_addr(&mut self, addr: EthernetAddress) {
        self.buffer.as_mut()[field::SRC].copy_from_slice(&addr.0);
    }

    /// Sets the outer EtherType field.
    #[inline]
    pub fn set_ethertype(&mut self, ethertype: EtherType) {
        write_u16(self.buffer.as_mut(), field::ETHERTYPE, ethertype.into());
    }

    /// Makes the frame tagged: outer EtherType 802.1Q, `tag`, then `inner` (the buffer must
    /// hold 18 bytes).
    #[inline]
    pub fn set_vlan_tag(&mut self, tag: VlanTag, inner: EtherType) {
        let d = self.buffer.as_mut();
        write_u16(d, field::ETHERTYPE, EtherType::Vlan.into());
        write_u16(d, field::TCI, tag.tci());
        write_u16(d, field::INNER_ETHERTYPE, inner.into());
    }

    /// The payload, mutably.
    #[inline]
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let len = self.header_len();
        &mut self.buffer.as_mut()[len..]
    }
}

/// The header of an Ethernet II frame: addresses, the payload's EtherType and an optional
/// 802.1Q tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EthernetRepr {
    /// Source address.
    pub src_addr: EthernetAddress,
    /// Destination address.
    pub dst_addr: EthernetAddress,
    /// EtherType of the payload (the inner one when tagged; never [`EtherType::Vlan`] for a
    /// parsed frame with a single tag).
    pub ethertype: EtherType,
    /// 802.1Q tag, if any.
    pub vlan: Option<VlanTag>,
}

impl EthernetRepr {
    /// Parses the header of a frame (validating its length first).
    #[inline]
    pub fn parse<T: AsRef<[u8]>>(frame: &EthernetFrame<T>) -> Result<EthernetRepr, WireError> {
        frame.check_len()?;
        Ok(EthernetRepr {
            src_addr: frame.src_addr(),
            dst_addr: frame.dst_addr(),
            ethertype: frame.payload_ethertype(),
            vlan: frame.vlan_tag(),
        })
    }

    /// Header length this repr emits: 14, or 18 with a VLAN tag.
    #[inline]
    pub const fn header_len(&self) -> usize {
        if self.vlan.is_some() {
            EthernetFrame::<&[u8]>::VLAN_HEADER_LEN
        } else {
            EthernetFrame::<&[u8]>::HEADER_LEN
        }
    }

    /// Buffer length needed for a frame carrying `payload_len` bytes.
    #[inline]
    pub const fn buffer_len(&self, payload_len: usize) -> usize {
        self.header_len() + payload_len
    }

    /// Writes the header; [`WireError::Truncated`] when the buffer is shorter than
    /// [`header_len`](Self::header_len).
    #[inline]
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        frame: &mut EthernetFrame<T>,
    ) -> Result<(), WireError> {
        if frame.buffer.as_ref().len() < self.header_len() {
            return Err(WireError::Truncated);
        }
        frame.set_dst_addr(self.dst_addr);
        frame.set_src_addr(self.src_addr);
        match self.vlan {
            Some(tag) => frame.set_vlan_tag(tag, self.ethertype),
            None => frame.set_ethertype(self.ethertype),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::test_util::for_each_mutation;
    use alloc::string::ToString;
    use alloc::vec;

    /// The Ethernet header of a real ARP request (broadcast), followed by its ARP body.
    const ARP_REQUEST_FRAME: [u8; 42] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x06, 0x00,
        0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0xc0, 0xa8,
        0x01, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0xa8, 0x01, 0x01,
    ];

    /// A VLAN 100, priority 5 tagged IPv4 frame header and the first bytes of the payload.
    const TAGGED_FRAME: [u8; 22] = [
        0x00, 0x1b, 0x21, 0x3a, 0x4b, 0x5c, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x81, 0x00, 0xa0,
        0x64, 0x08, 0x00, 0x45, 0x00, 0x00, 0x54,
    ];

    #[test]
    fn parse_untagged() -> Result<(), WireError> {
        let frame = EthernetFrame::new_checked(&ARP_REQUEST_FRAME[..])?;
        assert_eq!(frame.header_len(), 14);
        assert!(frame.dst_addr().is_broadcast());
        assert_eq!(
            frame.src_addr(),
            EthernetAddress([0x52, 0x54, 0, 0x12, 0x34, 0x56])
        );
        assert_eq!(frame.ethertype(), EtherType::Arp);
        assert_eq!(frame.vlan_tag(), None);
        assert_eq!(frame.payload().len(), 28);
        let repr = EthernetRepr::parse(&frame)?;
        assert_eq!(repr.ethertype, EtherType::Arp);
        assert_eq!(repr.vlan, None);

        let mut buf = vec![0u8; repr.buffer_len(28)];
        let mut out = EthernetFrame::new_unchecked(&mut buf[..]);
        repr.emit(&mut out)?;
        out.payload_mut().copy_from_slice(frame.payload());
        assert_eq!(&buf[..], &ARP_REQUEST_FRAME[..]);
        Ok(())
    }

    #[test]
    fn parse_tagged() -> Result<(), WireError> {
        let frame = EthernetFrame::new_checked(&TAGGED_FRAME[..])?;
        assert_eq!(frame.header_len(), 18);
        assert_eq!(frame.ethertype(), EtherType::Vlan);
        assert_eq!(frame.payload_ethertype(), EtherType::Ipv4);
        let tag = frame.vlan_tag();
        assert_eq!(
            tag,
            Some(VlanTag {
                pcp: 5,
                dei: false,
                vid: 100
            })
        );
        assert_eq!(frame.payload_slice(), &[0x45, 0x00, 0x00, 0x54]);
        let repr = EthernetRepr::parse(&frame)?;
        assert_eq!(repr.header_len(), 18);
        let mut buf = vec![0u8; repr.buffer_len(4)];
        let mut out = EthernetFrame::new_unchecked(&mut buf[..]);
        repr.emit(&mut out)?;
        out.payload_mut().copy_from_slice(frame.payload());
        assert_eq!(&buf[..], &TAGGED_FRAME[..]);
        Ok(())
    }

    #[test]
    fn truncation() {
        for len in 0..14 {
            assert_eq!(
                EthernetFrame::new_checked(&ARP_REQUEST_FRAME[..len]).err(),
                Some(WireError::Truncated)
            );
        }
        for len in 0..18 {
            assert_eq!(
                EthernetFrame::new_checked(&TAGGED_FRAME[..len]).err(),
                Some(WireError::Truncated)
            );
            // parse on an unchecked view re-validates instead of panicking.
            let f = EthernetFrame::new_unchecked(&TAGGED_FRAME[..len]);
            assert_eq!(EthernetRepr::parse(&f), Err(WireError::Truncated));
        }
        let repr = EthernetRepr {
            src_addr: EthernetAddress([2, 0, 0, 0, 0, 1]),
            dst_addr: EthernetAddress::BROADCAST,
            ethertype: EtherType::Ipv4,
            vlan: Some(VlanTag::default()),
        };
        let mut buf = [0u8; 17];
        assert_eq!(
            repr.emit(&mut EthernetFrame::new_unchecked(&mut buf[..])),
            Err(WireError::Truncated)
        );
    }

    #[test]
    fn addresses() {
        let m = EthernetAddress::from_ipv4_multicast(&Ipv4Addr::new(239, 255, 255, 250));
        assert_eq!(m, EthernetAddress([0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa]));
        assert!(m.is_multicast() && !m.is_broadcast() && !m.is_unicast());
        let m = EthernetAddress::from_ipv4_multicast(&Ipv4Addr::new(224, 128, 0, 251));
        assert_eq!(m, EthernetAddress([0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb]));
        let m6 = EthernetAddress::from_ipv6_multicast(&Ipv6Addr::new(
            0xff02, 0, 0, 0, 0, 1, 0xff00, 0x1234,
        ));
        assert_eq!(m6, EthernetAddress([0x33, 0x33, 0xff, 0x00, 0x12, 0x34]));
        let u = EthernetAddress([0x52, 0x54, 0, 0x12, 0x34, 0x56]);
        assert!(u.is_unicast() && u.is_local() && !u.is_unspecified());
        assert!(EthernetAddress::BROADCAST.is_multicast());
        assert!(EthernetAddress::UNSPECIFIED.is_unspecified());
        assert_eq!(u.to_string(), "52:54:00:12:34:56");
        assert_eq!(EthernetAddress::from_bytes(&[1, 2, 3, 4, 5]), None);
        assert_eq!(
            EthernetAddress::from_bytes(&[1, 2, 3, 4, 5, 6, 7]),
            Some(EthernetAddress([1, 2, 3, 4, 5, 6]))
        );
        assert_eq!(u.as_bytes(), &[0x52, 0x54, 0, 0x12, 0x34, 0x56]);
    }

    #[test]
    fn ethertypes_and_tags() {
        for v in [0x0800u16, 0x0806, 0x86dd, 0x8100, 0x88a8, 0x0042] {
            assert_eq!(u16::from(EtherType::from(v)), v);
        }
        assert_eq!(EtherType::Unknown(0x88cc).to_string(), "0x88cc");
        for tci in [0u16, 0xffff, 0xa064, 0x1001] {
            assert_eq!(VlanTag::from_tci(tci).tci(), tci);
        }
        let t = VlanTag {
            pcp: 0xff,
            dei: true,
            vid: 0xffff,
        };
        assert_eq!(t.tci(), 0xffff);
    }

    #[test]
    fn robustness() {
        for_each_mutation(&[&ARP_REQUEST_FRAME, &TAGGED_FRAME], |buf| {
            let frame = EthernetFrame::new_unchecked(buf);
            if let Ok(repr) = EthernetRepr::parse(&frame) {
                let payload = frame.payload();
                let mut out = vec![0u8; repr.buffer_len(payload.len())];
                let mut f = EthernetFrame::new_unchecked(&mut out[..]);
                assert!(repr.emit(&mut f).is_ok());
                f.payload_mut().copy_from_slice(payload);
                let again = EthernetFrame::new_checked(&out[..]);
                assert!(matches!(again.map(|f| EthernetRepr::parse(&f)), Ok(Ok(r)) if r == repr));
            }
        });
    }
}
