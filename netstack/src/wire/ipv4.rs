//! IPv4 headers (RFC 791 §3.1).
//!
//! ```text
//! |ver(4)|ihl(4)| DSCP(6)|ECN(2) |         total length          |
//! |        identification         |flags(3)| fragment offset(13) |
//! |   TTL   |  protocol  |         header checksum               |
//! |                       source address                         |
//! |                     destination address                      |
//! |                 options (ihl*4 - 20 bytes)                   |
//! ```
//!
//! The payload is bounded by the total length, never by the buffer: Ethernet pads short
//! frames, and the padding is not part of the datagram. Options are skipped as a block,
//! except that [`Ipv4Repr`] notes a Router Alert (RFC 2113), which IGMP uses.

use core::net::Ipv4Addr;

use super::checksum::{self, Checksum};
use super::ip::IpProtocol;
use super::{ChecksumCheck, WireError, read_ipv4, read_u16, write_ipv4, write_u16};

mod field {
    pub const VER_IHL: usize = 0;
    pub const TOS: usize = 1;
    pub const LENGTH: usize = 2;
    pub const IDENT: usize = 4;
    pub const FLG_OFF: usize = 6;
    pub const TTL: usize = 8;
    pub const PROTOCOL: usize = 9;
    pub const CHECKSUM: usize = 10;
    pub const SRC: usize = 12;
    pub const DST: usize = 16;
}

/// The Router Alert option (RFC 2113 §2.1): type 148, length 4, value 0.
const ROUTER_ALERT: [u8; 4] = [0x94, 0x04, 0x00, 0x00];

const FLAG_DF: u16 = 0x4000;
const FLAG_MF: u16 = 0x2000;

/// A view over an IPv4 packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ipv4Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Ipv4Packet<T> {
    /// Length of a header without options.
    pub const HEADER_LEN: usize = 20;

    /// Largest datagram the total length field can describe.
    pub const MAX_LEN: usize = 65535;

    /// Wraps a buffer without checking it; accessors panic if it is too short.
    #[inline]
    pub const fn new_unchecked(buffer: T) -> Ipv4Packet<T> {
        Ipv4Packet { buffer }
    }

    /// Wraps a buffer after [`check_len`](Self::check_len).
    #[inline]
    pub fn new_checked(buffer: T) -> Result<Ipv4Packet<T>, WireError> {
        let p = Self::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    /// Validates the length fields against each other and the buffer:
    /// the buffer holds 20 bytes ([`WireError::Truncated`]); IHL ≥ 5 and
    /// IHL × 4 ≤ total length ([`WireError::Malformed`]); total length ≤ buffer length
    /// ([`WireError::Truncated`]). The version is checked by [`Ipv4Repr::parse`].
    #[inline]
    pub fn check_len(&self) -> Result<(), WireError> {
        let len = self.buffer.as_ref().len();
        if len < Self::HEADER_LEN {
            return Err(WireError::Truncated);
        }
        let header_len = self.header_len();
        let total_len = self.total_len() as usize;
        if header_len < Self::HEADER_LEN || total_len < header_len {
            return Err(WireError::Malformed);
        }
        if total_len > len {
            return Err(WireError::Truncated);
        }
        Ok(())
    }

    /// The wrapped buffer.
    #[inline]
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Version field (4 for IPv4).
    #[inline]
    pub fn version(&self) -> u8 {
        self.buffer.as_ref()[field::VER_IHL] >> 4
    }

    /// Header length in bytes (IHL × 4).
    #[inline]
    pub fn header_len(&self) -> usize {
        ((self.buffer.as_ref()[field::VER_IHL] & 0x0f) as usize) * 4
    }

    /// The whole second byte: DSCP and ECN, once "type of service" (RFC 2474, RFC 3168).
    #[inline]
    pub fn tos(&self) -> u8 {
        self.buffer.as_ref()[field::TOS]
    }

    /// Differentiated services code point (RFC 2474 §3).
    #[inline]
    pub fn dscp(&self) -> u8 {
        self.tos() >> 2
    }

    /// Explicit congestion notification bits (RFC 3168 §5).
    #[inline]
    pub fn ecn(&self) -> u8 {
        self.tos() & 0x03
    }

    /// Total length of the datagram, header included.
    #[inline]
    pub fn total_len(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::LENGTH)
    }

    /// Identification, shared by all fragments of a datagram.
    #[inline]
    pub fn ident(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::IDENT)
    }

    /// Don't Fragment flag.
    #[inline]
    pub fn dont_frag(&self) -> bool {
        read_u16(self.buffer.as_ref(), field::FLG_OFF) & FLAG_DF != 0
    }

    /// More Fragments flag.
    #[inline]
    pub fn more_frags(&self) -> bool {
        read_u16(self.buffer.as_ref(), field::FLG_OFF) & FLAG_MF != 0
    }

    /// Fragment offset in bytes (the field × 8).
    #[inline]
    pub fn frag_offset(&self) -> u16 {
        (read_u16(self.buffer.as_ref(), field::FLG_OFF) & 0x1fff) << 3
    }

    /// Whether this packet is a fragment (MF set or offset nonzero).
    #[inline]
    pub fn is_fragment(&self) -> bool {
        read_u16(self.buffer.as_ref(), field::FLG_OFF) & (FLAG_MF | 0x1fff) != 0
    }

    /// Time to live.
    #[inline]
    pub fn ttl(&self) -> u8 {
        self.buffer.as_ref()[field::TTL]
    }

    /// Protocol of the payload.
    #[inline]
    pub fn protocol(&self) -> IpProtocol {
        self.buffer.as_ref()[field::PROTOCOL].into()
    }

    /// Header checksum field.
    #[inline]
    pub fn checksum(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::CHECKSUM)
    }

    /// Source address.
    #[inline]
    pub fn src_addr(&self) -> Ipv4Addr {
        read_ipv4(self.buffer.as_ref(), field::SRC)
    }

    /// Destination address.
    #[inline]
    pub fn dst_addr(&self) -> Ipv4Addr {
        read_ipv4(self.buffer.as_ref(), field::DST)
    }

    /// The header, options included.
    #[inline]
    pub fn header(&self) -> &[u8] {
        &self.buffer.as_ref()[..self.header_len()]
    }

    /// The options (bytes 20..IHL×4), unparsed.
    #[inline]
    pub fn options(&self) -> &[u8] {
        &self.buffer.as_ref()[Self::HEADER_LEN..self.header_len()]
    }

    /// Whether the header checksum verifies (RFC 791 §3.1).
    #[inline]
    pub fn verify_checksum(&self) -> bool {
        checksum::verify(self.header())
    }

    /// Whether the options carry a Router Alert (RFC 2113). Scans the options block
    /// without trusting any option length past it.
    pub fn has_router_alert(&self) -> bool {
        let opts = self.options();
        let mut i = 0;
        while i < opts.len() {
            match opts[i] {
                0 => return false, // end of option list
                1 => i += 1,       // no-operation
                kind => {
                    let Some(&len) = opts.get(i + 1) else {
                        return false;
                    };
                    let len = len as usize;
                    if len < 2 || i + len > opts.len() {
                        return false;
                    }
                    if kind == ROUTER_ALERT[0] && len == 4 {
                        return true;
                    }
                    i += len;
                }
            }
        }
        false
    }

    /// The payload: bytes IHL×4..total length.
    #[inline]
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[self.header_len()..self.total_len() as usize]
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Ipv4Packet<&'a T> {
    /// The payload with the buffer's lifetime.
    #[inline]
    pub fn payload_slice(&self) -> &'a [u8] {
        let range = self.header_len()..self.total_len() as usize;
        &self.buffer.as_ref()[range]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Ipv4Packet<T> {
    /// Sets version and IHL: version 4 and `header_len / 4`.
    #[inline]
    pub fn set_version_and_header_len(&mut self, header_len: usize) {
        self.buffer.as_mut()[field::VER_IHL] = 0x40 | ((header_len / 4) as u8 & 0x0f);
    }

    /// Sets the DSCP/ECN byte.
    #[inline]
    pub fn set_tos(&mut self, value: u8) {
        self.buffer.as_mut()[field::TOS] = value;
    }

    /// Sets the total length.
    #[inline]
    pub fn set_total_len(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::LENGTH, value);
    }

    /// Sets the identification.
    #[inline]
    pub fn set_ident(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::IDENT, value);
    }

    /// Sets the flags and the fragment offset (in bytes; the low 3 bits are dropped).
    #[inline]
    pub fn set_flags_and_frag_offset(&mut self, dont_frag: bool, more_frags: bool, offset: u16) {
        let mut v = (offset >> 3) & 0x1fff;
        if dont_frag {
            v |= FLAG_DF;
        }
        if more_frags {
            v |= FLAG_MF;
        }
        write_u16(self.buffer.as_mut(), field::FLG_OFF, v);
    }

    /// Sets the time to live.
    #[inline]
    pub fn set_ttl(&mut self, value: u8) {
        self.buffer.as_mut()[field::TTL] = value;
    }

    /// Sets the protocol.
    #[inline]
    pub fn set_protocol(&mut self, value: IpProtocol) {
        self.buffer.as_mut()[field::PROTOCOL] = value.into();
    }

    /// Sets the checksum field.
    #[inline]
    pub fn set_checksum(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::CHECKSUM, value);
    }

    /// Sets the source address.
    #[inline]
    pub fn set_src_addr(&mut self, value: Ipv4Addr) {
        write_ipv4(self.buffer.as_mut(), field::SRC, value);
    }

    /// Sets the destination address.
    #[inline]
    pub fn set_dst_addr(&mut self, value: Ipv4Addr) {
        write_ipv4(self.buffer.as_mut(), field::DST, value);
    }

    /// Computes and stores the header checksum.
    #[inline]
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let sum = Checksum::new().add_bytes(self.header()).finish();
        self.set_checksum(sum);
    }

    /// Decrements the TTL and updates the checksum incrementally (RFC 1624), as a router
    /// does when forwarding (RFC 1812 §5.3.1). Returns the new TTL; a TTL already 0 stays 0.
    #[inline]
    pub fn decrement_ttl(&mut self) -> u8 {
        let ttl = self.ttl();
        if ttl == 0 {
            return 0;
        }
        let proto = self.buffer.as_ref()[field::PROTOCOL];
        let old = u16::from_be_bytes([ttl, proto]);
        let new = u16::from_be_bytes([ttl - 1, proto]);
        let sum = checksum::adjust(self.checksum(), old, new);
        self.set_ttl(ttl - 1);
        self.set_checksum(sum);
        ttl - 1
    }

    /// The options, mutably.
    #[inline]
    pub fn options_mut(&mut self) -> &mut [u8] {
        let end = self.header_len();
        &mut self.buffer.as_mut()[Self::HEADER_LEN..end]
    }

    /// The payload (bytes IHL×4..total length), mutably.
    #[inline]
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let range = self.header_len()..self.total_len() as usize;
        &mut self.buffer.as_mut()[range]
    }
}

/// An IPv4 header as the stack uses it.
///
/// Fragmentation fields are kept so the core can fragment and reassemble; other options
/// than Router Alert are dropped on parse and never emitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipv4Repr {
    /// Source address.
    pub src_addr: Ipv4Addr,
    /// Destination address.
    pub dst_addr: Ipv4Addr,
    /// Protocol of the payload.
    pub protocol: IpProtocol,
    /// Payload length (total length minus header length).
    pub payload_len: usize,
    /// Time to live.
    pub ttl: u8,
    /// DSCP/ECN byte.
    pub tos: u8,
    /// Identification.
    pub ident: u16,
    /// Don't Fragment.
    pub dont_frag: bool,
    /// More Fragments.
    pub more_frags: bool,
    /// Fragment offset in bytes (a multiple of 8).
    pub frag_offset: u16,
    /// A Router Alert option is present (parse) / is to be sent (emit); RFC 2113, required
    /// on IGMP messages (RFC 2236 §2, RFC 3376 §4).
    pub router_alert: bool,
}

impl Ipv4Repr {
    /// Parses and validates a header: lengths ([`Ipv4Packet::check_len`]), version 4
    /// ([`WireError::Malformed`]), and the checksum when `check` asks
    /// ([`WireError::BadChecksum`]).
    #[inline]
    pub fn parse<T: AsRef<[u8]>>(
        packet: &Ipv4Packet<T>,
        check: ChecksumCheck,
    ) -> Result<Ipv4Repr, WireError> {
        packet.check_len()?;
        if packet.version() != 4 {
            return Err(WireError::Malformed);
        }
        if check.verify() && !packet.verify_checksum() {
            return Err(WireError::BadChecksum);
        }
        Ok(Ipv4Repr {
            src_addr: packet.src_addr(),
            dst_addr: packet.dst_addr(),
            protocol: packet.protocol(),
            payload_len: packet.total_len() as usize - packet.header_len(),
            ttl: packet.ttl(),
            tos: packet.tos(),
            ident: packet.ident(),
            dont_frag: packet.dont_frag(),
            more_frags: packet.more_frags(),
            frag_offset: packet.frag_offset(),
            router_alert: packet.header_len() > Ipv4Packet::<&[u8]>::HEADER_LEN
                && packet.has_router_alert(),
        })
    }

    /// Header length this repr emits: 20, or 24 with Router Alert.
    #[inline]
    pub const fn header_len(&self) -> usize {
        if self.router_alert { 24 } else { 20 }
    }

    /// Total length of the datagram: header plus payload.
    #[inline]
    pub const fn buffer_len(&self) -> usize {
        self.header_len() + self.payload_len
    }

    /// Writes the header and its checksum. The payload is the caller's to fill (through
    /// [`Ipv4Packet::payload_mut`]).
    ///
    /// [`WireError::Malformed`] when header + payload exceed 65535 bytes,
    /// [`WireError::Truncated`] when the buffer is shorter than [`buffer_len`](Self::buffer_len).
    #[inline]
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut Ipv4Packet<T>,
    ) -> Result<(), WireError> {
        let total = self.buffer_len();
        if total > Ipv4Packet::<&[u8]>::MAX_LEN {
            return Err(WireError::Malformed);
        }
        if packet.buffer.as_ref().len() < total {
            return Err(WireError::Truncated);
        }
        let (fixed, options) = packet
            .buffer
            .as_mut()
            .split_first_chunk_mut::<{ Ipv4Packet::<&[u8]>::HEADER_LEN }>()
            .ok_or(WireError::Truncated)?;
        // One fixed-size block: each field a store, no per-field bounds check.
        let [l0, l1] = (total as u16).to_be_bytes();
        let [i0, i1] = self.ident.to_be_bytes();
        let [f0, f1] = self.flags_and_frag_offset().to_be_bytes();
        let [c0, c1] = self.header_checksum(total as u16).to_be_bytes();
        let s = self.src_addr.octets();
        let d = self.dst_addr.octets();
        *fixed = [
            0x40 | (self.header_len() / 4) as u8,
            self.tos,
            l0,
            l1,
            i0,
            i1,
            f0,
            f1,
            self.ttl,
            u8::from(self.protocol),
            c0,
            c1,
            s[0],
            s[1],
            s[2],
            s[3],
            d[0],
            d[1],
            d[2],
            d[3],
        ];
        if self.router_alert
            && let Some(out) = options.first_chunk_mut::<4>()
        {
            *out = ROUTER_ALERT;
        }
        Ok(())
    }

    /// The flags and fragment offset word.
    #[inline]
    fn flags_and_frag_offset(&self) -> u16 {
        let mut word = (self.frag_offset >> 3) & 0x1fff;
        if self.dont_frag {
            word |= FLAG_DF;
        }
        if self.more_frags {
            word |= FLAG_MF;
        }
        word
    }

    /// The header checksum of this header with total length `total`, summed from the field
    /// values rather than read back from the bytes just written (a read of freshly stored
    /// bytes waits for the stores to reach the cache).
    #[inline]
    fn header_checksum(&self, total: u16) -> u16 {
        let flags = self.flags_and_frag_offset();
        let ver_ihl = 0x40 | (self.header_len() / 4) as u32;
        let mut sum = (ver_ihl << 8 | u32::from(self.tos))
            + u32::from(total)
            + u32::from(self.ident)
            + u32::from(flags)
            + (u32::from(self.ttl) << 8 | u32::from(u8::from(self.protocol)));
        if self.router_alert {
            sum += u32::from(u16::from_be_bytes([ROUTER_ALERT[0], ROUTER_ALERT[1]]))
                + u32::from(u16::from_be_bytes([ROUTER_ALERT[2], ROUTER_ALERT[3]]));
        }
        Checksum::new()
            .add_u32(sum)
            .add_u32(self.src_addr.to_bits())
            .add_u32(self.dst_addr.to_bits())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::test_util::for_each_mutation;
    use alloc::vec;

    /// Linux `ping -c1 192.168.1.1` from 192.168.1.10: IPv4 header + ICMP echo request
    /// (64 bytes of ICMP).
    const PING: [u8; 84] = [
        0x45, 0x00, 0x00, 0x54, 0x3a, 0x5c, 0x40, 0x00, 0x40, 0x01, 0x7c, 0xf1, 0xc0, 0xa8, 0x01,
        0x0a, 0xc0, 0xa8, 0x01, 0x01, // IPv4
        0x08, 0x00, 0xce, 0x21, 0x00, 0x2a, 0x00, 0x01, // ICMP echo request, id 42, seq 1
        0xb3, 0x1f, 0x6b, 0x66, 0x00, 0x00, 0x00, 0x00, 0x3e, 0x5a, 0x0e, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
        0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c,
        0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
    ];

    /// An IGMPv2 report header as Linux sends it: TTL 1, TOS 0xc0, Router Alert, to
    /// 239.255.255.250 (8 bytes of IGMP payload follow).
    const IGMP_HEADER_RA: [u8; 32] = [
        0x46, 0xc0, 0x00, 0x20, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02, 0x32, 0x6b, 0xc0, 0xa8, 0x01,
        0x0a, 0xef, 0xff, 0xff, 0xfa, 0x94, 0x04, 0x00, 0x00, // IPv4 + RA
        0x16, 0x00, 0xfa, 0x04, 0xef, 0xff, 0xff, 0xfa, // IGMPv2 report
    ];

    #[test]
    fn parse_ping() -> Result<(), WireError> {
        let p = Ipv4Packet::new_checked(&PING[..])?;
        assert_eq!(p.version(), 4);
        assert_eq!(p.header_len(), 20);
        assert_eq!(p.total_len(), 84);
        assert_eq!(p.ident(), 0x3a5c);
        assert!(p.dont_frag() && !p.more_frags() && !p.is_fragment());
        assert_eq!(p.ttl(), 64);
        assert_eq!(p.protocol(), IpProtocol::Icmp);
        assert!(p.verify_checksum());
        assert_eq!(p.payload().len(), 64);
        assert_eq!(p.payload_slice()[0], 0x08);
        let repr = Ipv4Repr::parse(&p, ChecksumCheck::Verify)?;
        assert_eq!(
            repr,
            Ipv4Repr {
                src_addr: Ipv4Addr::new(192, 168, 1, 10),
                dst_addr: Ipv4Addr::new(192, 168, 1, 1),
                protocol: IpProtocol::Icmp,
                payload_len: 64,
                ttl: 64,
                tos: 0,
                ident: 0x3a5c,
                dont_frag: true,
                more_frags: false,
                frag_offset: 0,
                router_alert: false,
            }
        );
        let mut buf = vec![0u8; repr.buffer_len()];
        let mut out = Ipv4Packet::new_unchecked(&mut buf[..]);
        repr.emit(&mut out)?;
        out.payload_mut().copy_from_slice(p.payload());
        assert_eq!(&buf[..], &PING[..]);
        Ok(())
    }

    #[test]
    fn router_alert_round_trip() -> Result<(), WireError> {
        let p = Ipv4Packet::new_checked(&IGMP_HEADER_RA[..])?;
        assert!(p.verify_checksum());
        assert_eq!(p.header_len(), 24);
        assert_eq!(p.options(), &ROUTER_ALERT);
        assert!(p.has_router_alert());
        let repr = Ipv4Repr::parse(&p, ChecksumCheck::Verify)?;
        assert!(repr.router_alert);
        assert_eq!(repr.tos, 0xc0);
        assert_eq!(repr.payload_len, 8);
        assert_eq!(p.dscp(), 0x30);
        assert_eq!(p.ecn(), 0);
        let mut buf = vec![0u8; repr.buffer_len()];
        let mut out = Ipv4Packet::new_unchecked(&mut buf[..]);
        repr.emit(&mut out)?;
        out.payload_mut().copy_from_slice(p.payload());
        assert_eq!(&buf[..], &IGMP_HEADER_RA[..]);
        Ok(())
    }

    #[test]
    fn the_checksum_summed_from_the_fields_is_the_checksum_of_the_bytes() -> Result<(), WireError> {
        let mut rng = crate::wire::test_util::Rng::new(7);
        for _ in 0..2000 {
            let word = rng.next_u64();
            let repr = Ipv4Repr {
                src_addr: Ipv4Addr::from_bits(word as u32),
                dst_addr: Ipv4Addr::from_bits((word >> 32) as u32),
                protocol: IpProtocol::from(rng.byte()),
                payload_len: rng.below(1500),
                ttl: rng.byte(),
                tos: rng.byte(),
                ident: rng.next_u64() as u16,
                dont_frag: rng.below(2) == 1,
                more_frags: rng.below(2) == 1,
                frag_offset: (rng.below(8192) * 8) as u16,
                router_alert: rng.below(2) == 1,
            };
            let mut buf = vec![0u8; repr.buffer_len()];
            let mut out = Ipv4Packet::new_unchecked(&mut buf[..]);
            repr.emit(&mut out)?;
            let emitted = out.checksum();
            out.fill_checksum();
            assert_eq!(emitted, out.checksum(), "{repr:?}");
            assert!(out.verify_checksum());
        }
        Ok(())
    }

    #[test]
    fn options_scan() {
        let with = |opts: &[u8]| {
            let mut b = vec![0u8; 20 + opts.len()];
            b[0] = 0x40 | ((20 + opts.len()) / 4) as u8;
            b[3] = b.len() as u8;
            b[20..].copy_from_slice(opts);
            Ipv4Packet::new_unchecked(b).has_router_alert()
        };
        assert!(with(&[1, 1, 1, 1, 0x94, 4, 0, 0]));
        assert!(!with(&[0, 0, 0, 0]));
        assert!(!with(&[0x44, 0xff, 0, 0])); // length past the block
        assert!(!with(&[0x44, 0x00, 0x94, 0x04])); // length 0
        assert!(!with(&[1, 1, 1, 0x94])); // no length byte
        assert!(with(&[0x07, 0x03, 0x00, 0x94, 0x04, 0x00, 0x00, 0x00])); // RR then RA
    }

    #[test]
    fn padded_frame_payload_is_bounded() -> Result<(), WireError> {
        // 46-byte Ethernet minimum payload carrying a 28-byte datagram.
        let mut buf = [0u8; 46];
        let repr = Ipv4Repr {
            src_addr: Ipv4Addr::new(10, 0, 0, 1),
            dst_addr: Ipv4Addr::new(10, 0, 0, 2),
            protocol: IpProtocol::Udp,
            payload_len: 8,
            ttl: 64,
            tos: 0,
            ident: 1,
            dont_frag: false,
            more_frags: true,
            frag_offset: 1480,
            router_alert: false,
        };
        repr.emit(&mut Ipv4Packet::new_unchecked(&mut buf[..]))?;
        let p = Ipv4Packet::new_checked(&buf[..])?;
        assert_eq!(p.payload().len(), 8);
        assert!(p.is_fragment());
        assert_eq!(Ipv4Repr::parse(&p, ChecksumCheck::Verify), Ok(repr));
        Ok(())
    }

    #[test]
    fn errors() {
        for len in 0..PING.len() {
            let r = Ipv4Repr::parse(
                &Ipv4Packet::new_unchecked(&PING[..len]),
                ChecksumCheck::Verify,
            );
            assert_eq!(r, Err(WireError::Truncated), "len {len}");
        }
        let modified = |at: usize, value: u8| {
            let mut b = PING;
            b[at] = value;
            Ipv4Repr::parse(&Ipv4Packet::new_unchecked(&b[..]), ChecksumCheck::Skip)
        };
        // IHL 4 and IHL 0.
        assert_eq!(modified(0, 0x44), Err(WireError::Malformed));
        assert_eq!(modified(0, 0x40), Err(WireError::Malformed));
        // Version 6 with a valid IHL.
        assert_eq!(modified(0, 0x65), Err(WireError::Malformed));
        // Total length below the header, above the buffer.
        assert_eq!(modified(3, 19), Err(WireError::Malformed));
        assert_eq!(modified(3, 85), Err(WireError::Truncated));
        assert_eq!(modified(2, 0xff), Err(WireError::Truncated));
        // IHL 15 (60 bytes) within an 84-byte datagram is fine; beyond total length is not.
        assert!(modified(0, 0x4f).is_ok());
        let mut b = PING;
        b[0] = 0x4f;
        b[3] = 40;
        assert_eq!(
            Ipv4Repr::parse(&Ipv4Packet::new_unchecked(&b[..]), ChecksumCheck::Skip),
            Err(WireError::Malformed)
        );
        // Bad checksum: rejected when verifying, accepted when skipping.
        let mut b = PING;
        b[8] = 63;
        let p = Ipv4Packet::new_unchecked(&b[..]);
        assert_eq!(
            Ipv4Repr::parse(&p, ChecksumCheck::Verify),
            Err(WireError::BadChecksum)
        );
        assert!(Ipv4Repr::parse(&p, ChecksumCheck::Skip).is_ok());
        // Emit into small buffers, and a payload too large for IPv4.
        let mut repr =
            Ipv4Repr::parse(&Ipv4Packet::new_unchecked(&PING[..]), ChecksumCheck::Verify)
                .expect("golden packet parses");
        let mut small = [0u8; 83];
        assert_eq!(
            repr.emit(&mut Ipv4Packet::new_unchecked(&mut small[..])),
            Err(WireError::Truncated)
        );
        repr.payload_len = 65516;
        let mut big = vec![0u8; 70000];
        assert_eq!(
            repr.emit(&mut Ipv4Packet::new_unchecked(&mut big[..])),
            Err(WireError::Malformed)
        );
        repr.payload_len = 65515;
        assert!(
            repr.emit(&mut Ipv4Packet::new_unchecked(&mut big[..]))
                .is_ok()
        );
    }

    #[test]
    fn ttl_decrement_keeps_checksum_valid() -> Result<(), WireError> {
        let mut b = PING;
        let mut p = Ipv4Packet::new_checked(&mut b[..])?;
        for expect in (0..64).rev() {
            assert_eq!(p.decrement_ttl(), expect);
            assert!(p.verify_checksum());
        }
        assert_eq!(p.decrement_ttl(), 0);
        Ok(())
    }

    #[test]
    fn robustness() {
        for_each_mutation(&[&PING, &IGMP_HEADER_RA], |buf| {
            let p = Ipv4Packet::new_unchecked(buf);
            for check in [ChecksumCheck::Verify, ChecksumCheck::Skip] {
                if let Ok(repr) = Ipv4Repr::parse(&p, check) {
                    let _ = (p.options(), p.payload(), p.has_router_alert());
                    let mut out = vec![0u8; repr.buffer_len()];
                    let mut o = Ipv4Packet::new_unchecked(&mut out[..]);
                    assert!(repr.emit(&mut o).is_ok());
                    o.payload_mut().copy_from_slice(p.payload());
                    let again = Ipv4Repr::parse(
                        &Ipv4Packet::new_unchecked(&out[..]),
                        ChecksumCheck::Verify,
                    );
                    assert_eq!(again, Ok(repr));
                }
            }
        });
    }
}
