//! ARP packets (RFC 826), as used for IPv4 over Ethernet.
//!
//! ```text
//! | htype (2) | ptype (2) | hlen (1) | plen (1) | oper (2) |
//! | sha (hlen) | spa (plen) | tha (hlen) | tpa (plen) |
//! ```
//!
//! The view reads any hardware/protocol combination within its length fields; the
//! [`ArpRepr`] accepts only Ethernet (htype 1, hlen 6) with IPv4 (ptype 0x0800, plen 4) and
//! rejects everything else with [`WireError::Unsupported`].

use core::net::Ipv4Addr;

use super::ethernet::{EtherType, EthernetAddress};
use super::{WireError, read_ipv4, read_u16, write_ipv4, write_u16};

/// The ARP hardware type (IANA "Hardware Types").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArpHardware {
    /// Ethernet (1).
    Ethernet,
    /// Any other hardware type.
    Unknown(u16),
}

impl From<u16> for ArpHardware {
    #[inline]
    fn from(value: u16) -> Self {
        match value {
            1 => ArpHardware::Ethernet,
            other => ArpHardware::Unknown(other),
        }
    }
}

impl From<ArpHardware> for u16 {
    #[inline]
    fn from(value: ArpHardware) -> Self {
        match value {
            ArpHardware::Ethernet => 1,
            ArpHardware::Unknown(other) => other,
        }
    }
}

/// The ARP operation (RFC 826; 3 and 4 are RARP, RFC 903).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArpOperation {
    /// Request (1).
    Request,
    /// Reply (2).
    Reply,
    /// Any other operation.
    Unknown(u16),
}

impl From<u16> for ArpOperation {
    #[inline]
    fn from(value: u16) -> Self {
        match value {
            1 => ArpOperation::Request,
            2 => ArpOperation::Reply,
            other => ArpOperation::Unknown(other),
        }
    }
}

impl From<ArpOperation> for u16 {
    #[inline]
    fn from(value: ArpOperation) -> Self {
        match value {
            ArpOperation::Request => 1,
            ArpOperation::Reply => 2,
            ArpOperation::Unknown(other) => other,
        }
    }
}

mod field {
    pub const HTYPE: usize = 0;
    pub const PTYPE: usize = 2;
    pub const HLEN: usize = 4;
    pub const PLEN: usize = 5;
    pub const OPER: usize = 6;
    pub const ADDRS: usize = 8;
}

/// A view over an ARP packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArpPacket<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> ArpPacket<T> {
    /// Length of the fixed part before the addresses.
    pub const FIXED_LEN: usize = 8;

    /// Length of an Ethernet/IPv4 ARP packet.
    pub const ETHERNET_IPV4_LEN: usize = 28;

    /// Wraps a buffer without checking it; accessors panic if it is too short.
    #[inline]
    pub const fn new_unchecked(buffer: T) -> ArpPacket<T> {
        ArpPacket { buffer }
    }

    /// Wraps a buffer after [`check_len`](Self::check_len).
    #[inline]
    pub fn new_checked(buffer: T) -> Result<ArpPacket<T>, WireError> {
        let p = Self::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    /// [`WireError::Truncated`] unless the buffer holds the fixed part and the four
    /// addresses whose lengths it declares.
    #[inline]
    pub fn check_len(&self) -> Result<(), WireError> {
        let len = self.buffer.as_ref().len();
        if len < Self::FIXED_LEN {
            return Err(WireError::Truncated);
        }
        let need =
            Self::FIXED_LEN + 2 * (self.hardware_len() as usize + self.protocol_len() as usize);
        if len < need {
            return Err(WireError::Truncated);
        }
        Ok(())
    }

    /// The wrapped buffer.
    #[inline]
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Hardware type.
    #[inline]
    pub fn hardware_type(&self) -> ArpHardware {
        read_u16(self.buffer.as_ref(), field::HTYPE).into()
    }

    /// Protocol type (an EtherType).
    #[inline]
    pub fn protocol_type(&self) -> EtherType {
        read_u16(self.buffer.as_ref(), field::PTYPE).into()
    }

    /// Hardware address length.
    #[inline]
    pub fn hardware_len(&self) -> u8 {
        self.buffer.as_ref()[field::HLEN]
    }

    /// Protocol address length.
    #[inline]
    pub fn protocol_len(&self) -> u8 {
        self.buffer.as_ref()[field::PLEN]
    }

    /// Operation.
    #[inline]
    pub fn operation(&self) -> ArpOperation {
        read_u16(self.buffer.as_ref(), field::OPER).into()
    }

    #[inline]
    fn addr(&self, index: usize) -> &[u8] {
        let h = self.hardware_len() as usize;
        let p = self.protocol_len() as usize;
        let (start, len) = match index {
            0 => (field::ADDRS, h),
            1 => (field::ADDRS + h, p),
            2 => (field::ADDRS + h + p, h),
            _ => (field::ADDRS + 2 * h + p, p),
        };
        &self.buffer.as_ref()[start..start + len]
    }

    /// Sender hardware address (`hardware_len` bytes).
    #[inline]
    pub fn source_hardware_addr(&self) -> &[u8] {
        self.addr(0)
    }

    /// Sender protocol address (`protocol_len` bytes).
    #[inline]
    pub fn source_protocol_addr(&self) -> &[u8] {
        self.addr(1)
    }

    /// Target hardware address (`hardware_len` bytes).
    #[inline]
    pub fn target_hardware_addr(&self) -> &[u8] {
        self.addr(2)
    }

    /// Target protocol address (`protocol_len` bytes).
    #[inline]
    pub fn target_protocol_addr(&self) -> &[u8] {
        self.addr(3)
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> ArpPacket<T> {
    /// Sets the hardware type.
    #[inline]
    pub fn set_hardware_type(&mut self, value: ArpHardware) {
        write_u16(self.buffer.as_mut(), field::HTYPE, value.into());
    }

    /// Sets the protocol type.
    #[inline]
    pub fn set_protocol_type(&mut self, value: EtherType) {
        write_u16(self.buffer.as_mut(), field::PTYPE, value.into());
    }

    /// Sets the hardware address length.
    #[inline]
    pub fn set_hardware_len(&mut self, value: u8) {
        self.buffer.as_mut()[field::HLEN] = value;
    }

    /// Sets the protocol address length.
    #[inline]
    pub fn set_protocol_len(&mut self, value: u8) {
        self.buffer.as_mut()[field::PLEN] = value;
    }

    /// Sets the operation.
    #[inline]
    pub fn set_operation(&mut self, value: ArpOperation) {
        write_u16(self.buffer.as_mut(), field::OPER, value.into());
    }
}

/// An Ethernet/IPv4 ARP request or reply (RFC 826).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArpRepr {
    /// Request or reply.
    pub operation: ArpOperation,
    /// Sender MAC address.
    pub source_hardware_addr: EthernetAddress,
    /// Sender IPv4 address (0.0.0.0 in an RFC 5227 probe).
    pub source_protocol_addr: Ipv4Addr,
    /// Target MAC address (zero in a request).
    pub target_hardware_addr: EthernetAddress,
    /// Target IPv4 address.
    pub target_protocol_addr: Ipv4Addr,
}

impl ArpRepr {
    /// Parses an Ethernet/IPv4 request or reply. Other hardware or protocol types, other
    /// address lengths and other operations (RARP, InARP) are [`WireError::Unsupported`];
    /// a buffer too short for its declared addresses is [`WireError::Truncated`].
    #[inline]
    pub fn parse<T: AsRef<[u8]>>(packet: &ArpPacket<T>) -> Result<ArpRepr, WireError> {
        packet.check_len()?;
        if packet.hardware_type() != ArpHardware::Ethernet
            || packet.protocol_type() != EtherType::Ipv4
            || packet.hardware_len() != 6
            || packet.protocol_len() != 4
        {
            return Err(WireError::Unsupported);
        }
        let operation = packet.operation();
        if !matches!(operation, ArpOperation::Request | ArpOperation::Reply) {
            return Err(WireError::Unsupported);
        }
        let d = packet.buffer.as_ref();
        let mac = |at: usize| {
            let mut a = [0; 6];
            a.copy_from_slice(&d[at..at + 6]);
            EthernetAddress(a)
        };
        Ok(ArpRepr {
            operation,
            source_hardware_addr: mac(8),
            source_protocol_addr: read_ipv4(d, 14),
            target_hardware_addr: mac(18),
            target_protocol_addr: read_ipv4(d, 24),
        })
    }

    /// Length of the emitted packet: 28 bytes.
    #[inline]
    pub const fn buffer_len(&self) -> usize {
        ArpPacket::<&[u8]>::ETHERNET_IPV4_LEN
    }

    /// Writes the packet; [`WireError::Truncated`] when the buffer is shorter than 28 bytes.
    #[inline]
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut ArpPacket<T>,
    ) -> Result<(), WireError> {
        if packet.buffer.as_ref().len() < self.buffer_len() {
            return Err(WireError::Truncated);
        }
        packet.set_hardware_type(ArpHardware::Ethernet);
        packet.set_protocol_type(EtherType::Ipv4);
        packet.set_hardware_len(6);
        packet.set_protocol_len(4);
        packet.set_operation(self.operation);
        let d = packet.buffer.as_mut();
        d[8..14].copy_from_slice(&self.source_hardware_addr.0);
        write_ipv4(d, 14, self.source_protocol_addr);
        d[18..24].copy_from_slice(&self.target_hardware_addr.0);
        write_ipv4(d, 24, self.target_protocol_addr);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::test_util::for_each_mutation;

    /// "Who has 192.168.1.1? Tell 192.168.1.10", as Linux sends it (ARP body only).
    const REQUEST: [u8; 28] = [
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0xc0,
        0xa8, 0x01, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0xa8, 0x01, 0x01,
    ];

    /// "192.168.1.1 is at 00:1b:21:3a:4b:5c", with the 18 bytes of Ethernet padding a
    /// router leaves after it.
    const REPLY_PADDED: [u8; 46] = [
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, 0x00, 0x1b, 0x21, 0x3a, 0x4b, 0x5c, 0xc0,
        0xa8, 0x01, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0xc0, 0xa8, 0x01, 0x0a, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    #[test]
    fn parse_request() -> Result<(), WireError> {
        let p = ArpPacket::new_checked(&REQUEST[..])?;
        assert_eq!(p.hardware_type(), ArpHardware::Ethernet);
        assert_eq!(p.protocol_type(), EtherType::Ipv4);
        assert_eq!(p.operation(), ArpOperation::Request);
        assert_eq!(p.source_protocol_addr(), &[192, 168, 1, 10]);
        assert_eq!(p.target_hardware_addr(), &[0; 6]);
        let repr = ArpRepr::parse(&p)?;
        assert_eq!(
            repr,
            ArpRepr {
                operation: ArpOperation::Request,
                source_hardware_addr: EthernetAddress([0x52, 0x54, 0, 0x12, 0x34, 0x56]),
                source_protocol_addr: Ipv4Addr::new(192, 168, 1, 10),
                target_hardware_addr: EthernetAddress::UNSPECIFIED,
                target_protocol_addr: Ipv4Addr::new(192, 168, 1, 1),
            }
        );
        let mut buf = [0xaau8; 28];
        repr.emit(&mut ArpPacket::new_unchecked(&mut buf[..]))?;
        assert_eq!(buf, REQUEST);
        Ok(())
    }

    #[test]
    fn parse_padded_reply() -> Result<(), WireError> {
        let repr = ArpRepr::parse(&ArpPacket::new_checked(&REPLY_PADDED[..])?)?;
        assert_eq!(repr.operation, ArpOperation::Reply);
        assert_eq!(
            repr.source_hardware_addr,
            EthernetAddress([0x00, 0x1b, 0x21, 0x3a, 0x4b, 0x5c])
        );
        let mut buf = [0u8; 28];
        repr.emit(&mut ArpPacket::new_unchecked(&mut buf[..]))?;
        assert_eq!(&buf[..], &REPLY_PADDED[..28]);
        Ok(())
    }

    #[test]
    fn errors() {
        for len in 0..28 {
            assert_eq!(
                ArpRepr::parse(&ArpPacket::new_unchecked(&REQUEST[..len])),
                Err(WireError::Truncated),
                "len {len}"
            );
        }
        let unsupported = |at: usize, value: u8| {
            let mut b = REQUEST;
            b[at] = value;
            ArpRepr::parse(&ArpPacket::new_unchecked(&b[..]))
        };
        assert_eq!(unsupported(1, 6), Err(WireError::Unsupported)); // IEEE 802 htype
        assert_eq!(unsupported(2, 0x86), Err(WireError::Unsupported)); // ptype
        assert_eq!(unsupported(7, 3), Err(WireError::Unsupported)); // RARP request
        assert_eq!(unsupported(5, 3), Err(WireError::Unsupported)); // plen 3
        // hlen 8 declares 32 bytes of addresses: too long for the buffer.
        assert_eq!(unsupported(4, 8), Err(WireError::Truncated));
        // A long hardware address that fits is readable but not supported.
        let mut long = [0u8; 40];
        long[..28].copy_from_slice(&REQUEST);
        long[4] = 8;
        let p = ArpPacket::new_checked(&long[..]);
        assert!(p.is_ok());
        assert_eq!(
            ArpRepr::parse(&ArpPacket::new_unchecked(&long[..])),
            Err(WireError::Unsupported)
        );
        let repr = ArpRepr {
            operation: ArpOperation::Reply,
            source_hardware_addr: EthernetAddress::BROADCAST,
            source_protocol_addr: Ipv4Addr::UNSPECIFIED,
            target_hardware_addr: EthernetAddress::BROADCAST,
            target_protocol_addr: Ipv4Addr::UNSPECIFIED,
        };
        let mut small = [0u8; 27];
        assert_eq!(
            repr.emit(&mut ArpPacket::new_unchecked(&mut small[..])),
            Err(WireError::Truncated)
        );
    }

    #[test]
    fn robustness() {
        for_each_mutation(&[&REQUEST, &REPLY_PADDED], |buf| {
            if let Ok(p) = ArpPacket::new_checked(buf) {
                // Every accessor is in bounds after check_len.
                let _ = (
                    p.source_hardware_addr(),
                    p.source_protocol_addr(),
                    p.target_hardware_addr(),
                    p.target_protocol_addr(),
                );
            }
            if let Ok(repr) = ArpRepr::parse(&ArpPacket::new_unchecked(buf)) {
                let mut out = [0u8; 28];
                assert!(
                    repr.emit(&mut ArpPacket::new_unchecked(&mut out[..]))
                        .is_ok()
                );
                assert_eq!(
                    ArpRepr::parse(&ArpPacket::new_unchecked(&out[..])),
                    Ok(repr)
                );
            }
        });
    }
}
