//! UDP datagrams (RFC 768).
//!
//! ```text
//! | source port (2) | destination port (2) | length (2) | checksum (2) | data ...
//! ```
//!
//! The checksum covers a pseudo header (IPv4: RFC 768; IPv6: RFC 8200 §8.1), the UDP header
//! and the data. Over IPv4 a zero checksum means "none was computed" (lwIP's `UDP_NOCHKSUM`,
//! the socket option `SO_NO_CHECK`); a computed checksum of zero is sent as `0xffff`. Over
//! IPv6 the checksum is mandatory.

use core::net::IpAddr;

use super::checksum::{self, Checksum};
use super::ip::IpProtocol;
use super::{ChecksumCheck, WireError, read_u16, write_u16};

mod field {
    pub const SRC_PORT: usize = 0;
    pub const DST_PORT: usize = 2;
    pub const LENGTH: usize = 4;
    pub const CHECKSUM: usize = 6;
}

/// A view over a UDP datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpPacket<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> UdpPacket<T> {
    /// Length of the header.
    pub const HEADER_LEN: usize = 8;

    /// Wraps a buffer without checking it; accessors panic if it is too short.
    #[inline]
    pub const fn new_unchecked(buffer: T) -> UdpPacket<T> {
        UdpPacket { buffer }
    }

    /// Wraps a buffer after [`check_len`](Self::check_len).
    #[inline]
    pub fn new_checked(buffer: T) -> Result<UdpPacket<T>, WireError> {
        let p = Self::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    /// The buffer holds a header ([`WireError::Truncated`]), the length field is at least 8
    /// ([`WireError::Malformed`]) and at most the buffer length ([`WireError::Truncated`]).
    /// Bytes past the length field are ignored.
    #[inline]
    pub fn check_len(&self) -> Result<(), WireError> {
        let buf_len = self.buffer.as_ref().len();
        if buf_len < Self::HEADER_LEN {
            return Err(WireError::Truncated);
        }
        let len = self.len() as usize;
        if len < Self::HEADER_LEN {
            return Err(WireError::Malformed);
        }
        if len > buf_len {
            return Err(WireError::Truncated);
        }
        Ok(())
    }

    /// The wrapped buffer.
    #[inline]
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Source port.
    #[inline]
    pub fn src_port(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::SRC_PORT)
    }

    /// Destination port.
    #[inline]
    pub fn dst_port(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::DST_PORT)
    }

    /// Length field: header plus data.
    #[inline]
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::LENGTH)
    }

    /// Checksum field (0: none, IPv4 only).
    #[inline]
    pub fn checksum(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::CHECKSUM)
    }

    /// The datagram: header and data, bounded by the length field.
    #[inline]
    pub fn datagram(&self) -> &[u8] {
        &self.buffer.as_ref()[..self.len() as usize]
    }

    /// The data: bytes 8..length.
    #[inline]
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[Self::HEADER_LEN..self.len() as usize]
    }

    /// Whether the checksum verifies against the pseudo header of `src_addr` → `dst_addr`.
    /// A zero checksum over IPv4 means none and verifies; over IPv6 it never does.
    #[inline]
    pub fn verify_checksum(&self, src_addr: &IpAddr, dst_addr: &IpAddr) -> bool {
        if self.checksum() == 0 {
            return matches!(src_addr, IpAddr::V4(_));
        }
        let datagram = self.datagram();
        checksum::pseudo_header(src_addr, dst_addr, IpProtocol::Udp, datagram.len() as u32)
            .add_bytes(datagram)
            .is_valid()
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> UdpPacket<&'a T> {
    /// The data with the buffer's lifetime.
    #[inline]
    pub fn payload_slice(&self) -> &'a [u8] {
        let end = self.len() as usize;
        &self.buffer.as_ref()[Self::HEADER_LEN..end]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> UdpPacket<T> {
    /// Sets the source port.
    #[inline]
    pub fn set_src_port(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::SRC_PORT, value);
    }

    /// Sets the destination port.
    #[inline]
    pub fn set_dst_port(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::DST_PORT, value);
    }

    /// Sets the length field.
    #[inline]
    pub fn set_len(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::LENGTH, value);
    }

    /// Sets the checksum field.
    #[inline]
    pub fn set_checksum(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::CHECKSUM, value);
    }

    /// Computes and stores the checksum over the pseudo header, the header and the data
    /// (as bounded by the length field). A computed zero is stored as `0xffff` (RFC 768).
    #[inline]
    pub fn fill_checksum(&mut self, src_addr: &IpAddr, dst_addr: &IpAddr) {
        self.set_checksum(0);
        let datagram = self.datagram();
        let sum =
            checksum::pseudo_header(src_addr, dst_addr, IpProtocol::Udp, datagram.len() as u32)
                .add_bytes(datagram)
                .finish();
        self.set_checksum(if sum == 0 { 0xffff } else { sum });
    }

    /// The data, mutably.
    #[inline]
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let end = self.len() as usize;
        &mut self.buffer.as_mut()[Self::HEADER_LEN..end]
    }
}

/// A UDP header as the stack uses it; the data stays in the packet buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UdpRepr {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Length of the data (the length field minus 8).
    pub payload_len: usize,
}

impl UdpRepr {
    /// Parses and validates a datagram: lengths ([`UdpPacket::check_len`]) and, when
    /// `check` asks, the checksum against the pseudo header of `src_addr` → `dst_addr`
    /// ([`WireError::BadChecksum`]; a zero checksum is accepted over IPv4 only). Destination
    /// port 0 is reserved and [`WireError::Malformed`] (RFC 768, lwIP drops it too).
    #[inline]
    pub fn parse<T: AsRef<[u8]>>(
        packet: &UdpPacket<T>,
        src_addr: &IpAddr,
        dst_addr: &IpAddr,
        check: ChecksumCheck,
    ) -> Result<UdpRepr, WireError> {
        packet.check_len()?;
        if packet.dst_port() == 0 {
            return Err(WireError::Malformed);
        }
        if check.verify() && !packet.verify_checksum(src_addr, dst_addr) {
            return Err(WireError::BadChecksum);
        }
        Ok(UdpRepr {
            src_port: packet.src_port(),
            dst_port: packet.dst_port(),
            payload_len: packet.len() as usize - UdpPacket::<&[u8]>::HEADER_LEN,
        })
    }

    /// Length of the datagram: 8 + data.
    #[inline]
    pub const fn buffer_len(&self) -> usize {
        UdpPacket::<&[u8]>::HEADER_LEN + self.payload_len
    }

    /// Writes the header with a zero checksum, for building in place: write the data
    /// through [`UdpPacket::payload_mut`], then call [`UdpPacket::fill_checksum`] (or leave
    /// the zero, "no checksum", over IPv4).
    ///
    /// [`WireError::Malformed`] when the datagram would exceed 65535 bytes,
    /// [`WireError::Truncated`] when the buffer is shorter than [`buffer_len`](Self::buffer_len).
    #[inline]
    pub fn emit_header<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut UdpPacket<T>,
    ) -> Result<(), WireError> {
        let len = self.buffer_len();
        if len > u16::MAX as usize {
            return Err(WireError::Malformed);
        }
        if packet.buffer.as_ref().len() < len {
            return Err(WireError::Truncated);
        }
        packet.set_src_port(self.src_port);
        packet.set_dst_port(self.dst_port);
        packet.set_len(len as u16);
        packet.set_checksum(0);
        Ok(())
    }

    /// Writes the header, copies `payload` (whose length must be `payload_len`, else
    /// [`WireError::Malformed`]) and fills the checksum for `src_addr` → `dst_addr`.
    #[inline]
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut UdpPacket<T>,
        src_addr: &IpAddr,
        dst_addr: &IpAddr,
        payload: &[u8],
    ) -> Result<(), WireError> {
        if payload.len() != self.payload_len {
            return Err(WireError::Malformed);
        }
        self.emit_header(packet)?;
        packet.payload_mut().copy_from_slice(payload);
        packet.fill_checksum(src_addr, dst_addr);
        Ok(())
    }
}

/// The checksum a datagram would carry, computed without a view (for callers that keep
/// header and data in separate buffers): pseudo header, `header` (with a zero checksum
/// field) and `payload`. Zero is mapped to `0xffff`.
#[inline]
pub fn checksum_of(src_addr: &IpAddr, dst_addr: &IpAddr, header: &[u8; 8], payload: &[u8]) -> u16 {
    let len = (header.len() + payload.len()) as u32;
    let sum = checksum::pseudo_header(src_addr, dst_addr, IpProtocol::Udp, len)
        .combine(Checksum::new().add_bytes(header))
        .add_bytes(payload)
        .finish();
    if sum == 0 { 0xffff } else { sum }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::test_util::for_each_mutation;
    use alloc::vec;
    use core::net::{Ipv4Addr, Ipv6Addr};

    const SRC: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 168, 1, 10));
    const DST: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 168, 1, 1));

    /// A DNS query for "example.com" A from 192.168.1.10:53812 to 192.168.1.1:53, as
    /// glibc sends it.
    const DNS_QUERY: [u8; 37] = [
        0xd2, 0x34, 0x00, 0x35, 0x00, 0x25, 0xbe, 0x01, // UDP
        0x1c, 0x6f, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, b'e', b'x',
        b'a', b'm', b'p', b'l', b'e', 0x03, b'c', b'o', b'm', 0x00, 0x00, 0x01, 0x00, 0x01,
    ];

    #[test]
    fn parse_dns_query() -> Result<(), WireError> {
        let p = UdpPacket::new_checked(&DNS_QUERY[..])?;
        assert_eq!(p.src_port(), 53812);
        assert_eq!(p.dst_port(), 53);
        assert_eq!(p.len(), 37);
        assert!(p.verify_checksum(&SRC, &DST));
        assert!(!p.verify_checksum(&DST, &IpAddr::V4(Ipv4Addr::new(192, 168, 1, 2))));
        let repr = UdpRepr::parse(&p, &SRC, &DST, ChecksumCheck::Verify)?;
        assert_eq!(
            repr,
            UdpRepr {
                src_port: 53812,
                dst_port: 53,
                payload_len: 29
            }
        );
        assert_eq!(p.payload_slice()[0..2], [0x1c, 0x6f]);

        let mut buf = [0u8; 37];
        repr.emit(
            &mut UdpPacket::new_unchecked(&mut buf[..]),
            &SRC,
            &DST,
            p.payload(),
        )?;
        assert_eq!(buf, DNS_QUERY);

        // In place: header, data, checksum.
        let mut buf = [0u8; 37];
        let mut out = UdpPacket::new_unchecked(&mut buf[..]);
        repr.emit_header(&mut out)?;
        out.payload_mut().copy_from_slice(p.payload());
        assert_eq!(out.checksum(), 0);
        assert!(out.verify_checksum(&SRC, &DST)); // zero = none over IPv4
        out.fill_checksum(&SRC, &DST);
        assert_eq!(buf, DNS_QUERY);

        let mut header = [0u8; 8];
        header.copy_from_slice(&DNS_QUERY[..8]);
        header[6] = 0;
        header[7] = 0;
        assert_eq!(checksum_of(&SRC, &DST, &header, p.payload()), 0xbe01);
        Ok(())
    }

    #[test]
    fn zero_checksum() -> Result<(), WireError> {
        let mut b = DNS_QUERY;
        b[6] = 0;
        b[7] = 0;
        let p = UdpPacket::new_checked(&b[..])?;
        assert!(UdpRepr::parse(&p, &SRC, &DST, ChecksumCheck::Verify).is_ok());
        let s6 = IpAddr::V6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 1));
        let d6 = IpAddr::V6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 2));
        assert_eq!(
            UdpRepr::parse(&p, &s6, &d6, ChecksumCheck::Verify),
            Err(WireError::BadChecksum)
        );
        Ok(())
    }

    #[test]
    fn computed_zero_is_sent_as_ffff() -> Result<(), WireError> {
        // Find a payload whose checksum computes to zero, then check it is sent as 0xffff.
        let repr = UdpRepr {
            src_port: 1,
            dst_port: 2,
            payload_len: 2,
        };
        for w in 0..=u16::MAX {
            let mut buf = [0u8; 10];
            let mut p = UdpPacket::new_unchecked(&mut buf[..]);
            repr.emit(&mut p, &SRC, &DST, &w.to_be_bytes())?;
            if p.checksum() == 0xffff {
                assert!(p.verify_checksum(&SRC, &DST));
                return Ok(());
            }
            assert_ne!(p.checksum(), 0);
        }
        panic!("no payload gave a zero checksum");
    }

    #[test]
    fn ipv6_pseudo_header() -> Result<(), WireError> {
        let s6 = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1));
        let d6 = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2));
        let repr = UdpRepr {
            src_port: 5353,
            dst_port: 5353,
            payload_len: 5,
        };
        let mut buf = [0u8; 13];
        repr.emit(
            &mut UdpPacket::new_unchecked(&mut buf[..]),
            &s6,
            &d6,
            b"hello",
        )?;
        let p = UdpPacket::new_checked(&buf[..])?;
        assert_eq!(
            UdpRepr::parse(&p, &s6, &d6, ChecksumCheck::Verify),
            Ok(repr)
        );
        assert_eq!(
            UdpRepr::parse(&p, &d6, &d6, ChecksumCheck::Verify),
            Err(WireError::BadChecksum)
        );
        Ok(())
    }

    #[test]
    fn errors() {
        for len in 0..DNS_QUERY.len() {
            let p = UdpPacket::new_unchecked(&DNS_QUERY[..len]);
            assert_eq!(
                UdpRepr::parse(&p, &SRC, &DST, ChecksumCheck::Skip),
                Err(WireError::Truncated),
                "len {len}"
            );
        }
        let with_len = |len: u16| {
            let mut b = DNS_QUERY;
            b[4..6].copy_from_slice(&len.to_be_bytes());
            UdpRepr::parse(
                &UdpPacket::new_unchecked(&b[..]),
                &SRC,
                &DST,
                ChecksumCheck::Skip,
            )
        };
        assert_eq!(with_len(7), Err(WireError::Malformed));
        assert_eq!(with_len(0), Err(WireError::Malformed));
        assert_eq!(with_len(38), Err(WireError::Truncated));
        assert_eq!(with_len(8).map(|r| r.payload_len), Ok(0));
        let mut b = DNS_QUERY;
        b[30] ^= 0x20;
        let p = UdpPacket::new_unchecked(&b[..]);
        assert_eq!(
            UdpRepr::parse(&p, &SRC, &DST, ChecksumCheck::Verify),
            Err(WireError::BadChecksum)
        );
        assert!(UdpRepr::parse(&p, &SRC, &DST, ChecksumCheck::Skip).is_ok());
        let mut b = DNS_QUERY;
        b[2] = 0;
        b[3] = 0;
        assert_eq!(
            UdpRepr::parse(
                &UdpPacket::new_unchecked(&b[..]),
                &SRC,
                &DST,
                ChecksumCheck::Skip
            ),
            Err(WireError::Malformed)
        );

        let repr = UdpRepr {
            src_port: 1,
            dst_port: 2,
            payload_len: 10,
        };
        let mut small = [0u8; 17];
        let mut p = UdpPacket::new_unchecked(&mut small[..]);
        assert_eq!(repr.emit_header(&mut p), Err(WireError::Truncated));
        assert_eq!(
            repr.emit(&mut p, &SRC, &DST, &[0; 9]),
            Err(WireError::Malformed)
        );
        let huge = UdpRepr {
            payload_len: 65528,
            ..repr
        };
        let mut big = vec![0u8; 70000];
        assert_eq!(
            huge.emit_header(&mut UdpPacket::new_unchecked(&mut big[..])),
            Err(WireError::Malformed)
        );
    }

    #[test]
    fn robustness() {
        for_each_mutation(&[&DNS_QUERY], |buf| {
            let p = UdpPacket::new_unchecked(buf);
            for check in [ChecksumCheck::Verify, ChecksumCheck::Skip] {
                if let Ok(repr) = UdpRepr::parse(&p, &SRC, &DST, check) {
                    let mut out = vec![0u8; repr.buffer_len()];
                    let mut o = UdpPacket::new_unchecked(&mut out[..]);
                    assert!(repr.emit(&mut o, &SRC, &DST, p.payload()).is_ok());
                    let again = UdpRepr::parse(
                        &UdpPacket::new_unchecked(&out[..]),
                        &SRC,
                        &DST,
                        ChecksumCheck::Verify,
                    );
                    assert_eq!(again, Ok(repr));
                }
            }
        });
    }
}
