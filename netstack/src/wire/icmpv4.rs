//! ICMP for IPv4 (RFC 792), with the path MTU field of RFC 1191 §4.
//!
//! ```text
//! | type (1) | code (1) | checksum (2) | rest of header (4) | data ...
//! ```
//!
//! Echo messages carry an identifier and a sequence number in the rest of the header;
//! error messages carry the invoking datagram's IP header and at least its first 8 data
//! bytes (RFC 792, RFC 1812 §4.3.2.3) in the data. The checksum covers the whole message.

use core::net::Ipv4Addr;

use super::checksum;
use super::ip::IpProtocol;
use super::{ChecksumCheck, WireError, read_ipv4, read_u16, read_u32, write_u16, write_u32};

/// ICMP message types (RFC 792, IANA "ICMP Type Numbers").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Icmpv4Message {
    /// Echo reply (0).
    EchoReply,
    /// Destination unreachable (3).
    DstUnreachable,
    /// Redirect (5).
    Redirect,
    /// Echo request (8).
    EchoRequest,
    /// Router advertisement (9, RFC 1256).
    RouterAdvert,
    /// Router solicitation (10, RFC 1256).
    RouterSolicit,
    /// Time exceeded (11).
    TimeExceeded,
    /// Parameter problem (12).
    ParamProblem,
    /// Timestamp (13).
    Timestamp,
    /// Timestamp reply (14).
    TimestampReply,
    /// Any other type.
    Unknown(u8),
}

impl From<u8> for Icmpv4Message {
    #[inline]
    fn from(value: u8) -> Self {
        match value {
            0 => Icmpv4Message::EchoReply,
            3 => Icmpv4Message::DstUnreachable,
            5 => Icmpv4Message::Redirect,
            8 => Icmpv4Message::EchoRequest,
            9 => Icmpv4Message::RouterAdvert,
            10 => Icmpv4Message::RouterSolicit,
            11 => Icmpv4Message::TimeExceeded,
            12 => Icmpv4Message::ParamProblem,
            13 => Icmpv4Message::Timestamp,
            14 => Icmpv4Message::TimestampReply,
            other => Icmpv4Message::Unknown(other),
        }
    }
}

impl From<Icmpv4Message> for u8 {
    #[inline]
    fn from(value: Icmpv4Message) -> Self {
        match value {
            Icmpv4Message::EchoReply => 0,
            Icmpv4Message::DstUnreachable => 3,
            Icmpv4Message::Redirect => 5,
            Icmpv4Message::EchoRequest => 8,
            Icmpv4Message::RouterAdvert => 9,
            Icmpv4Message::RouterSolicit => 10,
            Icmpv4Message::TimeExceeded => 11,
            Icmpv4Message::ParamProblem => 12,
            Icmpv4Message::Timestamp => 13,
            Icmpv4Message::TimestampReply => 14,
            Icmpv4Message::Unknown(other) => other,
        }
    }
}

/// Destination unreachable codes (RFC 792, RFC 1122 §3.2.2.1, RFC 1812 §5.2.7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Icmpv4DstUnreachable {
    /// Network unreachable (0).
    NetUnreachable,
    /// Host unreachable (1).
    HostUnreachable,
    /// Protocol unreachable (2).
    ProtoUnreachable,
    /// Port unreachable (3).
    PortUnreachable,
    /// Fragmentation needed and DF set (4); carries the next-hop MTU (RFC 1191).
    FragRequired,
    /// Source route failed (5).
    SrcRouteFailed,
    /// Destination network unknown (6).
    DstNetUnknown,
    /// Destination host unknown (7).
    DstHostUnknown,
    /// Source host isolated (8).
    SrcHostIsolated,
    /// Network administratively prohibited (9).
    NetProhibited,
    /// Host administratively prohibited (10).
    HostProhibited,
    /// Network unreachable for type of service (11).
    NetUnreachToS,
    /// Host unreachable for type of service (12).
    HostUnreachToS,
    /// Communication administratively prohibited (13).
    CommProhibited,
    /// Host precedence violation (14).
    HostPrecedViol,
    /// Precedence cutoff in effect (15).
    PrecedCutoff,
    /// Any other code.
    Unknown(u8),
}

impl From<u8> for Icmpv4DstUnreachable {
    #[inline]
    fn from(value: u8) -> Self {
        use Icmpv4DstUnreachable::*;
        match value {
            0 => NetUnreachable,
            1 => HostUnreachable,
            2 => ProtoUnreachable,
            3 => PortUnreachable,
            4 => FragRequired,
            5 => SrcRouteFailed,
            6 => DstNetUnknown,
            7 => DstHostUnknown,
            8 => SrcHostIsolated,
            9 => NetProhibited,
            10 => HostProhibited,
            11 => NetUnreachToS,
            12 => HostUnreachToS,
            13 => CommProhibited,
            14 => HostPrecedViol,
            15 => PrecedCutoff,
            other => Unknown(other),
        }
    }
}

impl From<Icmpv4DstUnreachable> for u8 {
    #[inline]
    fn from(value: Icmpv4DstUnreachable) -> Self {
        use Icmpv4DstUnreachable::*;
        match value {
            NetUnreachable => 0,
            HostUnreachable => 1,
            ProtoUnreachable => 2,
            PortUnreachable => 3,
            FragRequired => 4,
            SrcRouteFailed => 5,
            DstNetUnknown => 6,
            DstHostUnknown => 7,
            SrcHostIsolated => 8,
            NetProhibited => 9,
            HostProhibited => 10,
            NetUnreachToS => 11,
            HostUnreachToS => 12,
            CommProhibited => 13,
            HostPrecedViol => 14,
            PrecedCutoff => 15,
            Unknown(other) => other,
        }
    }
}

/// Time exceeded codes (RFC 792).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Icmpv4TimeExceeded {
    /// TTL expired in transit (0).
    TtlExpired,
    /// Fragment reassembly time exceeded (1).
    FragReassembly,
    /// Any other code.
    Unknown(u8),
}

impl From<u8> for Icmpv4TimeExceeded {
    #[inline]
    fn from(value: u8) -> Self {
        match value {
            0 => Icmpv4TimeExceeded::TtlExpired,
            1 => Icmpv4TimeExceeded::FragReassembly,
            other => Icmpv4TimeExceeded::Unknown(other),
        }
    }
}

impl From<Icmpv4TimeExceeded> for u8 {
    #[inline]
    fn from(value: Icmpv4TimeExceeded) -> Self {
        match value {
            Icmpv4TimeExceeded::TtlExpired => 0,
            Icmpv4TimeExceeded::FragReassembly => 1,
            Icmpv4TimeExceeded::Unknown(other) => other,
        }
    }
}

mod field {
    pub const TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const CHECKSUM: usize = 2;
    pub const REST: usize = 4;
    pub const ECHO_IDENT: usize = 4;
    pub const ECHO_SEQNO: usize = 6;
    pub const POINTER: usize = 4;
    pub const MTU: usize = 6;
    pub const DATA: usize = 8;
}

/// A view over an ICMPv4 message (the whole IPv4 payload).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Icmpv4Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Icmpv4Packet<T> {
    /// Length of the header (type, code, checksum, rest of header).
    pub const HEADER_LEN: usize = 8;

    /// Wraps a buffer without checking it; accessors panic if it is too short.
    #[inline]
    pub const fn new_unchecked(buffer: T) -> Icmpv4Packet<T> {
        Icmpv4Packet { buffer }
    }

    /// Wraps a buffer after [`check_len`](Self::check_len).
    #[inline]
    pub fn new_checked(buffer: T) -> Result<Icmpv4Packet<T>, WireError> {
        let p = Self::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    /// [`WireError::Truncated`] unless the buffer holds the 8-byte header.
    #[inline]
    pub fn check_len(&self) -> Result<(), WireError> {
        if self.buffer.as_ref().len() < Self::HEADER_LEN {
            Err(WireError::Truncated)
        } else {
            Ok(())
        }
    }

    /// The wrapped buffer.
    #[inline]
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Message type.
    #[inline]
    pub fn msg_type(&self) -> Icmpv4Message {
        self.buffer.as_ref()[field::TYPE].into()
    }

    /// Message code.
    #[inline]
    pub fn msg_code(&self) -> u8 {
        self.buffer.as_ref()[field::CODE]
    }

    /// Checksum field.
    #[inline]
    pub fn checksum(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::CHECKSUM)
    }

    /// The 4 bytes after the checksum, as one number.
    #[inline]
    pub fn rest_of_header(&self) -> u32 {
        read_u32(self.buffer.as_ref(), field::REST)
    }

    /// Echo identifier.
    #[inline]
    pub fn echo_ident(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::ECHO_IDENT)
    }

    /// Echo sequence number.
    #[inline]
    pub fn echo_seq_no(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::ECHO_SEQNO)
    }

    /// Next-hop MTU of a "fragmentation needed" message (RFC 1191 §4).
    #[inline]
    pub fn next_hop_mtu(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::MTU)
    }

    /// Pointer of a parameter problem message: the offending octet of the invoking header.
    #[inline]
    pub fn pointer(&self) -> u8 {
        self.buffer.as_ref()[field::POINTER]
    }

    /// The data after the 8-byte header.
    #[inline]
    pub fn data(&self) -> &[u8] {
        &self.buffer.as_ref()[field::DATA..]
    }

    /// Whether the checksum over the whole message verifies.
    #[inline]
    pub fn verify_checksum(&self) -> bool {
        checksum::verify(self.buffer.as_ref())
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Icmpv4Packet<T> {
    /// Sets the message type.
    #[inline]
    pub fn set_msg_type(&mut self, value: Icmpv4Message) {
        self.buffer.as_mut()[field::TYPE] = value.into();
    }

    /// Sets the message code.
    #[inline]
    pub fn set_msg_code(&mut self, value: u8) {
        self.buffer.as_mut()[field::CODE] = value;
    }

    /// Sets the checksum field.
    #[inline]
    pub fn set_checksum(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::CHECKSUM, value);
    }

    /// Sets the 4 bytes after the checksum.
    #[inline]
    pub fn set_rest_of_header(&mut self, value: u32) {
        write_u32(self.buffer.as_mut(), field::REST, value);
    }

    /// Sets the echo identifier.
    #[inline]
    pub fn set_echo_ident(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::ECHO_IDENT, value);
    }

    /// Sets the echo sequence number.
    #[inline]
    pub fn set_echo_seq_no(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::ECHO_SEQNO, value);
    }

    /// Computes and stores the checksum over the whole buffer (the buffer must be exactly
    /// the message).
    #[inline]
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let sum = checksum::checksum(self.buffer.as_ref());
        self.set_checksum(sum);
    }

    /// The data after the header, mutably.
    #[inline]
    pub fn data_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[field::DATA..]
    }
}

/// An ICMPv4 message. Data slices borrow from the parsed buffer (or, to emit, from the
/// caller's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Icmpv4Repr<'a> {
    /// Echo request: answered with an echo reply carrying the same ident, seq and data.
    EchoRequest {
        /// Identifier.
        ident: u16,
        /// Sequence number.
        seq_no: u16,
        /// Data.
        data: &'a [u8],
    },
    /// Echo reply.
    EchoReply {
        /// Identifier.
        ident: u16,
        /// Sequence number.
        seq_no: u16,
        /// Data.
        data: &'a [u8],
    },
    /// Destination unreachable.
    DstUnreachable {
        /// Why.
        reason: Icmpv4DstUnreachable,
        /// Next-hop MTU (RFC 1191; meaningful with [`Icmpv4DstUnreachable::FragRequired`],
        /// zero otherwise).
        next_hop_mtu: u16,
        /// The invoking datagram: its IP header and first data bytes
        /// (see [`Icmpv4InvokingPacket`]).
        data: &'a [u8],
    },
    /// Time exceeded.
    TimeExceeded {
        /// Why.
        reason: Icmpv4TimeExceeded,
        /// The invoking datagram's IP header and first data bytes.
        data: &'a [u8],
    },
    /// Parameter problem.
    ParamProblem {
        /// Code (0: pointer indicates the error, 1: missing option, 2: bad length).
        code: u8,
        /// Offset of the offending octet in the invoking header.
        pointer: u8,
        /// The invoking datagram's IP header and first data bytes.
        data: &'a [u8],
    },
    /// Any other message (redirect, router discovery, timestamp, unknown types), kept
    /// whole so the core can ignore or log it.
    Other {
        /// Type.
        msg_type: Icmpv4Message,
        /// Code.
        code: u8,
        /// The 4 bytes after the checksum.
        rest_of_header: u32,
        /// Data.
        data: &'a [u8],
    },
}

impl<'a> Icmpv4Repr<'a> {
    /// Parses a message: at least 8 bytes ([`WireError::Truncated`]), checksum when `check`
    /// asks ([`WireError::BadChecksum`]). Codes of echo messages are ignored (RFC 792 sets
    /// them to 0).
    #[inline]
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &Icmpv4Packet<&'a T>,
        check: ChecksumCheck,
    ) -> Result<Icmpv4Repr<'a>, WireError> {
        packet.check_len()?;
        if check.verify() && !packet.verify_checksum() {
            return Err(WireError::BadChecksum);
        }
        let data = &packet.buffer.as_ref()[field::DATA..];
        Ok(match packet.msg_type() {
            Icmpv4Message::EchoRequest => Icmpv4Repr::EchoRequest {
                ident: packet.echo_ident(),
                seq_no: packet.echo_seq_no(),
                data,
            },
            Icmpv4Message::EchoReply => Icmpv4Repr::EchoReply {
                ident: packet.echo_ident(),
                seq_no: packet.echo_seq_no(),
                data,
            },
            Icmpv4Message::DstUnreachable => Icmpv4Repr::DstUnreachable {
                reason: packet.msg_code().into(),
                next_hop_mtu: packet.next_hop_mtu(),
                data,
            },
            Icmpv4Message::TimeExceeded => Icmpv4Repr::TimeExceeded {
                reason: packet.msg_code().into(),
                data,
            },
            Icmpv4Message::ParamProblem => Icmpv4Repr::ParamProblem {
                code: packet.msg_code(),
                pointer: packet.pointer(),
                data,
            },
            msg_type => Icmpv4Repr::Other {
                msg_type,
                code: packet.msg_code(),
                rest_of_header: packet.rest_of_header(),
                data,
            },
        })
    }

    /// The data carried after the 8-byte header.
    #[inline]
    pub const fn data(&self) -> &'a [u8] {
        match *self {
            Icmpv4Repr::EchoRequest { data, .. }
            | Icmpv4Repr::EchoReply { data, .. }
            | Icmpv4Repr::DstUnreachable { data, .. }
            | Icmpv4Repr::TimeExceeded { data, .. }
            | Icmpv4Repr::ParamProblem { data, .. }
            | Icmpv4Repr::Other { data, .. } => data,
        }
    }

    /// Length of the emitted message: 8 + data.
    #[inline]
    pub const fn buffer_len(&self) -> usize {
        Icmpv4Packet::<&[u8]>::HEADER_LEN + self.data().len()
    }

    /// Writes the message and its checksum. The checksum covers `buffer_len()` bytes; a
    /// longer buffer is allowed (the rest is untouched and not covered).
    /// [`WireError::Truncated`] when the buffer is shorter.
    #[inline]
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut Icmpv4Packet<T>,
    ) -> Result<(), WireError> {
        let len = self.buffer_len();
        let buf = packet.buffer.as_mut();
        if buf.len() < len {
            return Err(WireError::Truncated);
        }
        let mut p = Icmpv4Packet::new_unchecked(&mut buf[..len]);
        let (msg_type, code, rest) = match *self {
            Icmpv4Repr::EchoRequest { ident, seq_no, .. } => (
                Icmpv4Message::EchoRequest,
                0,
                (ident as u32) << 16 | seq_no as u32,
            ),
            Icmpv4Repr::EchoReply { ident, seq_no, .. } => (
                Icmpv4Message::EchoReply,
                0,
                (ident as u32) << 16 | seq_no as u32,
            ),
            Icmpv4Repr::DstUnreachable {
                reason,
                next_hop_mtu,
                ..
            } => (
                Icmpv4Message::DstUnreachable,
                reason.into(),
                next_hop_mtu as u32,
            ),
            Icmpv4Repr::TimeExceeded { reason, .. } => {
                (Icmpv4Message::TimeExceeded, reason.into(), 0)
            }
            Icmpv4Repr::ParamProblem { code, pointer, .. } => {
                (Icmpv4Message::ParamProblem, code, (pointer as u32) << 24)
            }
            Icmpv4Repr::Other {
                msg_type,
                code,
                rest_of_header,
                ..
            } => (msg_type, code, rest_of_header),
        };
        p.set_msg_type(msg_type);
        p.set_msg_code(code);
        p.set_rest_of_header(rest);
        p.data_mut().copy_from_slice(self.data());
        p.fill_checksum();
        Ok(())
    }
}

/// The part of an IPv4 datagram an ICMP error message should quote: its header and the
/// first 8 bytes of its data (RFC 792; lwIP quotes exactly this), bounded by the slice.
/// An input too short to hold an IPv4 header comes back whole.
#[inline]
pub fn invoking_excerpt(datagram: &[u8]) -> &[u8] {
    let header_len = datagram.first().map_or(0, |b| (b & 0x0f) as usize * 4);
    let len = (header_len + 8).min(datagram.len());
    &datagram[..len]
}

/// The fields of the datagram quoted in an ICMP error that the core needs to find the
/// socket it concerns (RFC 1122 §3.2.2: pass the error to the transport layer).
///
/// The quoted header's total length describes the original datagram, not the quote, so it
/// is not checked against the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Icmpv4InvokingPacket<'a> {
    /// Source address of the original datagram (ours, for an error about our packet).
    pub src_addr: Ipv4Addr,
    /// Destination address of the original datagram.
    pub dst_addr: Ipv4Addr,
    /// Its protocol.
    pub protocol: IpProtocol,
    /// The quoted start of its payload (at most what was quoted; for UDP/TCP the first
    /// 8 bytes hold the ports).
    pub payload: &'a [u8],
}

impl<'a> Icmpv4InvokingPacket<'a> {
    /// Parses the quote in an error message's data: a version 4 header with IHL ≥ 5
    /// ([`WireError::Malformed`]) that fits in `data` ([`WireError::Truncated`]).
    #[inline]
    pub fn parse(data: &'a [u8]) -> Result<Icmpv4InvokingPacket<'a>, WireError> {
        let Some(&ver_ihl) = data.first() else {
            return Err(WireError::Truncated);
        };
        if ver_ihl >> 4 != 4 {
            return Err(WireError::Malformed);
        }
        let header_len = (ver_ihl & 0x0f) as usize * 4;
        if header_len < 20 {
            return Err(WireError::Malformed);
        }
        if data.len() < header_len {
            return Err(WireError::Truncated);
        }
        let total_len = read_u16(data, 2) as usize;
        let end = total_len.clamp(header_len, data.len());
        Ok(Icmpv4InvokingPacket {
            src_addr: read_ipv4(data, 12),
            dst_addr: read_ipv4(data, 16),
            protocol: data[9].into(),
            payload: &data[header_len..end],
        })
    }

    /// Source and destination ports when the quoted payload is UDP or TCP and holds them.
    #[inline]
    pub fn ports(&self) -> Option<(u16, u16)> {
        match (self.protocol, self.payload) {
            (IpProtocol::Udp | IpProtocol::Tcp, [a, b, c, d, ..]) => {
                Some((u16::from_be_bytes([*a, *b]), u16::from_be_bytes([*c, *d])))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::test_util::for_each_mutation;
    use alloc::vec;

    /// The ICMP part of a Linux `ping` (echo request, id 42, seq 1, 56 bytes of data).
    const ECHO_REQUEST: [u8; 64] = [
        0x08, 0x00, 0xce, 0x21, 0x00, 0x2a, 0x00, 0x01, 0xb3, 0x1f, 0x6b, 0x66, 0x00, 0x00, 0x00,
        0x00, 0x3e, 0x5a, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
        0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24,
        0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33,
        0x34, 0x35, 0x36, 0x37,
    ];

    /// Port unreachable from 192.168.1.1 about a UDP datagram 192.168.1.10:40000 →
    /// 192.168.1.1:9999 (IP header + 8 bytes quoted, as Linux quotes at least that).
    const PORT_UNREACHABLE: [u8; 36] = [
        0x03, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // ICMP header (checksum filled below)
        0x45, 0x00, 0x00, 0x21, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x01,
        0x0a, 0xc0, 0xa8, 0x01, 0x01, // quoted IPv4 header
        0x9c, 0x40, 0x27, 0x0f, 0x00, 0x0d, 0x00, 0x00, // quoted UDP header
    ];

    fn with_checksum<const N: usize>(mut b: [u8; N]) -> [u8; N] {
        Icmpv4Packet::new_unchecked(&mut b[..]).fill_checksum();
        b
    }

    #[test]
    fn echo_request_reply() -> Result<(), WireError> {
        let p = Icmpv4Packet::new_checked(&ECHO_REQUEST[..])?;
        assert_eq!(p.msg_type(), Icmpv4Message::EchoRequest);
        assert!(p.verify_checksum());
        let repr = Icmpv4Repr::parse(&p, ChecksumCheck::Verify)?;
        let Icmpv4Repr::EchoRequest {
            ident,
            seq_no,
            data,
        } = repr
        else {
            panic!("not an echo request: {repr:?}");
        };
        assert_eq!((ident, seq_no, data.len()), (42, 1, 56));
        let mut buf = [0u8; 64];
        repr.emit(&mut Icmpv4Packet::new_unchecked(&mut buf[..]))?;
        assert_eq!(buf, ECHO_REQUEST);

        // The reply differs in the type byte, and the checksum by exactly 0x0800.
        let reply = Icmpv4Repr::EchoReply {
            ident,
            seq_no,
            data,
        };
        let mut out = vec![0u8; reply.buffer_len()];
        reply.emit(&mut Icmpv4Packet::new_unchecked(&mut out[..]))?;
        assert_eq!(out[0], 0);
        assert_eq!(u16::from_be_bytes([out[2], out[3]]), 0xce21 + 0x0800);
        assert_eq!(&out[4..], &ECHO_REQUEST[4..]);
        Ok(())
    }

    #[test]
    fn port_unreachable() -> Result<(), WireError> {
        let bytes = with_checksum(PORT_UNREACHABLE);
        let p = Icmpv4Packet::new_checked(&bytes[..])?;
        let repr = Icmpv4Repr::parse(&p, ChecksumCheck::Verify)?;
        let Icmpv4Repr::DstUnreachable {
            reason,
            next_hop_mtu,
            data,
        } = repr
        else {
            panic!("not unreachable: {repr:?}");
        };
        assert_eq!(reason, Icmpv4DstUnreachable::PortUnreachable);
        assert_eq!(next_hop_mtu, 0);
        let inv = Icmpv4InvokingPacket::parse(data)?;
        assert_eq!(inv.src_addr, Ipv4Addr::new(192, 168, 1, 10));
        assert_eq!(inv.dst_addr, Ipv4Addr::new(192, 168, 1, 1));
        assert_eq!(inv.protocol, IpProtocol::Udp);
        assert_eq!(inv.ports(), Some((40000, 9999)));
        let mut out = [0u8; 36];
        repr.emit(&mut Icmpv4Packet::new_unchecked(&mut out[..]))?;
        assert_eq!(out, bytes);

        // Building one from the offending datagram.
        let mut datagram = vec![0u8; 33];
        datagram[..28].copy_from_slice(&PORT_UNREACHABLE[8..]);
        let excerpt = invoking_excerpt(&datagram);
        assert_eq!(excerpt.len(), 28);
        assert_eq!(invoking_excerpt(&datagram[..10]).len(), 10);
        assert_eq!(invoking_excerpt(&[]).len(), 0);
        Ok(())
    }

    #[test]
    fn frag_needed_time_exceeded_param_problem_other() -> Result<(), WireError> {
        let quote = &PORT_UNREACHABLE[8..];
        let reprs = [
            Icmpv4Repr::DstUnreachable {
                reason: Icmpv4DstUnreachable::FragRequired,
                next_hop_mtu: 1400,
                data: quote,
            },
            Icmpv4Repr::TimeExceeded {
                reason: Icmpv4TimeExceeded::FragReassembly,
                data: quote,
            },
            Icmpv4Repr::ParamProblem {
                code: 0,
                pointer: 9,
                data: quote,
            },
            Icmpv4Repr::Other {
                msg_type: Icmpv4Message::Timestamp,
                code: 0,
                rest_of_header: 0x1234_0001,
                data: &[0; 12],
            },
        ];
        for repr in reprs {
            let mut buf = vec![0u8; repr.buffer_len() + 5];
            repr.emit(&mut Icmpv4Packet::new_unchecked(&mut buf[..]))?;
            let p = Icmpv4Packet::new_checked(&buf[..repr.buffer_len()])?;
            assert_eq!(Icmpv4Repr::parse(&p, ChecksumCheck::Verify), Ok(repr));
        }
        let mut b = [0u8; 8];
        Icmpv4Repr::DstUnreachable {
            reason: Icmpv4DstUnreachable::FragRequired,
            next_hop_mtu: 1400,
            data: &[],
        }
        .emit(&mut Icmpv4Packet::new_unchecked(&mut b[..]))?;
        assert_eq!(Icmpv4Packet::new_unchecked(&b[..]).next_hop_mtu(), 1400);
        for code in 0..=255u8 {
            assert_eq!(u8::from(Icmpv4DstUnreachable::from(code)), code);
            assert_eq!(u8::from(Icmpv4TimeExceeded::from(code)), code);
            assert_eq!(u8::from(Icmpv4Message::from(code)), code);
        }
        Ok(())
    }

    #[test]
    fn errors() {
        for len in 0..8 {
            let p = Icmpv4Packet::new_unchecked(&ECHO_REQUEST[..len]);
            assert_eq!(
                Icmpv4Repr::parse(&p, ChecksumCheck::Skip),
                Err(WireError::Truncated)
            );
        }
        // Truncated messages past the header are valid shapes but fail the checksum.
        for len in 8..64 {
            let p = Icmpv4Packet::new_unchecked(&ECHO_REQUEST[..len]);
            assert_eq!(
                Icmpv4Repr::parse(&p, ChecksumCheck::Verify),
                Err(WireError::BadChecksum),
                "len {len}"
            );
            assert!(Icmpv4Repr::parse(&p, ChecksumCheck::Skip).is_ok());
        }
        let repr = Icmpv4Repr::EchoReply {
            ident: 1,
            seq_no: 2,
            data: &[1, 2, 3],
        };
        let mut small = [0u8; 10];
        assert_eq!(
            repr.emit(&mut Icmpv4Packet::new_unchecked(&mut small[..])),
            Err(WireError::Truncated)
        );
        assert_eq!(Icmpv4InvokingPacket::parse(&[]), Err(WireError::Truncated));
        assert_eq!(
            Icmpv4InvokingPacket::parse(&[0x65; 40]),
            Err(WireError::Malformed)
        );
        assert_eq!(
            Icmpv4InvokingPacket::parse(&[0x44; 40]),
            Err(WireError::Malformed)
        );
        assert_eq!(
            Icmpv4InvokingPacket::parse(&PORT_UNREACHABLE[8..27]),
            Err(WireError::Truncated)
        );
        let inv = Icmpv4InvokingPacket::parse(&PORT_UNREACHABLE[8..30]);
        assert_eq!(inv.map(|i| i.ports()), Ok(None));
    }

    #[test]
    fn robustness() {
        let unreachable = with_checksum(PORT_UNREACHABLE);
        for_each_mutation(&[&ECHO_REQUEST, &unreachable], |buf| {
            let p = Icmpv4Packet::new_unchecked(buf);
            for check in [ChecksumCheck::Verify, ChecksumCheck::Skip] {
                if let Ok(repr) = Icmpv4Repr::parse(&p, check) {
                    if let Ok(inv) = Icmpv4InvokingPacket::parse(repr.data()) {
                        let _ = inv.ports();
                    }
                    let _ = invoking_excerpt(repr.data());
                    let mut out = vec![0u8; repr.buffer_len()];
                    assert!(
                        repr.emit(&mut Icmpv4Packet::new_unchecked(&mut out[..]))
                            .is_ok()
                    );
                    let again = Icmpv4Repr::parse(
                        &Icmpv4Packet::new_unchecked(&out[..]),
                        ChecksumCheck::Verify,
                    );
                    assert_eq!(again, Ok(repr));
                }
            }
        });
    }
}
