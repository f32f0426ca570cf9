//! IGMP: versions 1 (RFC 1112 appendix I), 2 (RFC 2236) and 3 (RFC 3376).
//!
//! ```text
//! v1/v2:       | type (1) | max resp (1) | checksum (2) | group address (4) |
//! v3 query:    | 0x11 | max resp code | checksum | group address |
//!              | resv(4) S(1) QRV(3) | QQIC (1) | number of sources (2) | sources (4 each) |
//! v3 report:   | 0x22 | reserved | checksum | reserved (2) | number of group records (2) |
//!              | group records ... |
//! group record:| type (1) | aux data len (1, words) | number of sources (2) |
//!              | multicast address (4) | sources (4 each) | aux data |
//! ```
//!
//! A query's version is told by its length and max response code (RFC 3376 §7.1): 8 bytes
//! with code 0 is IGMPv1, 8 bytes otherwise IGMPv2, 12 bytes or more IGMPv3; other lengths
//! are ignored. The checksum covers the whole IGMP message (the IP payload).

use core::net::Ipv4Addr;

use super::checksum;
use super::{ChecksumCheck, WireError, read_ipv4, read_u16, write_ipv4, write_u16};
use crate::time::Duration;

/// IGMP message types (RFC 3376 §4, RFC 2236 §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IgmpMessage {
    /// Membership query, all versions (0x11).
    MembershipQuery,
    /// IGMPv1 membership report (0x12).
    MembershipReportV1,
    /// IGMPv2 membership report (0x16).
    MembershipReportV2,
    /// IGMPv2 leave group (0x17).
    LeaveGroup,
    /// IGMPv3 membership report (0x22).
    MembershipReportV3,
    /// Any other type (DVMRP, mtrace, ...).
    Unknown(u8),
}

impl From<u8> for IgmpMessage {
    #[inline]
    fn from(value: u8) -> Self {
        match value {
            0x11 => IgmpMessage::MembershipQuery,
            0x12 => IgmpMessage::MembershipReportV1,
            0x16 => IgmpMessage::MembershipReportV2,
            0x17 => IgmpMessage::LeaveGroup,
            0x22 => IgmpMessage::MembershipReportV3,
            other => IgmpMessage::Unknown(other),
        }
    }
}

impl From<IgmpMessage> for u8 {
    #[inline]
    fn from(value: IgmpMessage) -> Self {
        match value {
            IgmpMessage::MembershipQuery => 0x11,
            IgmpMessage::MembershipReportV1 => 0x12,
            IgmpMessage::MembershipReportV2 => 0x16,
            IgmpMessage::LeaveGroup => 0x17,
            IgmpMessage::MembershipReportV3 => 0x22,
            IgmpMessage::Unknown(other) => other,
        }
    }
}

/// IGMP protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IgmpVersion {
    /// IGMPv1 (RFC 1112).
    V1,
    /// IGMPv2 (RFC 2236).
    V2,
    /// IGMPv3 (RFC 3376).
    V3,
}

/// IGMPv3 group record types (RFC 3376 §4.2.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupRecordType {
    /// MODE_IS_INCLUDE (1): current state, include mode.
    ModeIsInclude,
    /// MODE_IS_EXCLUDE (2): current state, exclude mode (a plain join is EXCLUDE {}).
    ModeIsExclude,
    /// CHANGE_TO_INCLUDE_MODE (3): filter mode change (a leave is TO_IN {}).
    ChangeToInclude,
    /// CHANGE_TO_EXCLUDE_MODE (4): filter mode change (a join is TO_EX {}).
    ChangeToExclude,
    /// ALLOW_NEW_SOURCES (5).
    AllowNewSources,
    /// BLOCK_OLD_SOURCES (6).
    BlockOldSources,
    /// Any other value (to be ignored, RFC 3376 §4.2.12).
    Unknown(u8),
}

impl From<u8> for GroupRecordType {
    #[inline]
    fn from(value: u8) -> Self {
        match value {
            1 => GroupRecordType::ModeIsInclude,
            2 => GroupRecordType::ModeIsExclude,
            3 => GroupRecordType::ChangeToInclude,
            4 => GroupRecordType::ChangeToExclude,
            5 => GroupRecordType::AllowNewSources,
            6 => GroupRecordType::BlockOldSources,
            other => GroupRecordType::Unknown(other),
        }
    }
}

impl From<GroupRecordType> for u8 {
    #[inline]
    fn from(value: GroupRecordType) -> Self {
        match value {
            GroupRecordType::ModeIsInclude => 1,
            GroupRecordType::ModeIsExclude => 2,
            GroupRecordType::ChangeToInclude => 3,
            GroupRecordType::ChangeToExclude => 4,
            GroupRecordType::AllowNewSources => 5,
            GroupRecordType::BlockOldSources => 6,
            GroupRecordType::Unknown(other) => other,
        }
    }
}

/// Decodes an IGMPv3 Max Resp Code or QQIC (RFC 3376 §4.1.1, §4.1.7): below 128 the value
/// itself, else a floating-point `1 | exp(3) | mant(4)` meaning `(mant | 0x10) << (exp + 3)`.
#[inline]
pub const fn decode_v3_code(code: u8) -> u16 {
    if code < 128 {
        code as u16
    } else {
        let exp = (code >> 4) & 0x07;
        let mant = code & 0x0f;
        ((mant as u16) | 0x10) << (exp + 3)
    }
}

/// Encodes a value as an IGMPv3 Max Resp Code or QQIC, rounding down to the nearest
/// representable value (values past 31744 encode as the largest, 0xff).
#[inline]
pub const fn encode_v3_code(value: u16) -> u8 {
    if value < 128 {
        return value as u8;
    }
    // value = (mant | 0x10) << (exp + 3) with exp 0..=7: find exp so that the shifted value
    // has its top bit at position 4.
    let mut exp = 0u8;
    while exp < 7 && (value >> (exp + 3)) > 0x1f {
        exp += 1;
    }
    let mant = value >> (exp + 3);
    if mant > 0x1f {
        return 0xff;
    }
    0x80 | (exp << 4) | (mant as u8 & 0x0f)
}

/// A list of IPv4 addresses stored back to back in packet bytes (the source lists of
/// IGMPv3). Always a whole number of addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Ipv4AddrList<'a> {
    bytes: &'a [u8],
}

impl<'a> Ipv4AddrList<'a> {
    /// Wraps bytes holding addresses; [`WireError::Malformed`] unless the length is a
    /// multiple of 4.
    #[inline]
    pub const fn from_bytes(bytes: &'a [u8]) -> Result<Ipv4AddrList<'a>, WireError> {
        if !bytes.len().is_multiple_of(4) {
            return Err(WireError::Malformed);
        }
        Ok(Ipv4AddrList { bytes })
    }

    /// Number of addresses.
    #[inline]
    pub const fn len(&self) -> usize {
        self.bytes.len() / 4
    }

    /// No addresses.
    #[inline]
    pub const fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The `index`-th address.
    #[inline]
    pub fn get(&self, index: usize) -> Option<Ipv4Addr> {
        let at = index.checked_mul(4)?;
        let b = self.bytes.get(at..at.checked_add(4)?)?;
        Some(read_ipv4(b, 0))
    }

    /// The addresses in order.
    #[inline]
    pub fn iter(&self) -> impl Iterator<Item = Ipv4Addr> + 'a {
        self.bytes.chunks_exact(4).map(|c| read_ipv4(c, 0))
    }

    /// The raw bytes.
    #[inline]
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

/// One IGMPv3 group record (RFC 3376 §4.2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GroupRecord<'a> {
    /// Record type.
    pub record_type: GroupRecordType,
    /// The multicast group.
    pub group_addr: Ipv4Addr,
    /// Source addresses.
    pub sources: Ipv4AddrList<'a>,
    /// Auxiliary data (none defined by IGMPv3; a multiple of 4 bytes).
    pub aux_data: &'a [u8],
}

impl GroupRecord<'_> {
    /// Encoded length: 8 + 4 per source + aux data.
    #[inline]
    pub const fn buffer_len(&self) -> usize {
        8 + self.sources.as_bytes().len() + self.aux_data.len()
    }
}

/// The validated group records of an IGMPv3 report, borrowed from the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct GroupRecords<'a> {
    bytes: &'a [u8],
    count: u16,
}

impl<'a> GroupRecords<'a> {
    /// Validates `count` records at the start of `data`: each must fit with its sources and
    /// aux data ([`WireError::Truncated`]). Bytes after the last record are not included.
    pub fn parse(data: &'a [u8], count: u16) -> Result<GroupRecords<'a>, WireError> {
        let mut at = 0usize;
        for _ in 0..count {
            let header = data.get(at..at + 8).ok_or(WireError::Truncated)?;
            let len = 8 + header[1] as usize * 4 + read_u16(header, 2) as usize * 4;
            if data.len() - at < len {
                return Err(WireError::Truncated);
            }
            at += len;
        }
        Ok(GroupRecords {
            bytes: &data[..at],
            count,
        })
    }

    /// Number of records.
    #[inline]
    pub const fn len(&self) -> usize {
        self.count as usize
    }

    /// No records.
    #[inline]
    pub const fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The encoded records.
    #[inline]
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The records in order.
    #[inline]
    pub fn iter(&self) -> GroupRecordIter<'a> {
        GroupRecordIter {
            rest: self.bytes,
            left: self.count,
        }
    }
}

impl<'a> IntoIterator for GroupRecords<'a> {
    type Item = GroupRecord<'a>;
    type IntoIter = GroupRecordIter<'a>;

    #[inline]
    fn into_iter(self) -> GroupRecordIter<'a> {
        self.iter()
    }
}

/// Iterator over [`GroupRecords`].
#[derive(Debug, Clone)]
pub struct GroupRecordIter<'a> {
    rest: &'a [u8],
    left: u16,
}

impl<'a> Iterator for GroupRecordIter<'a> {
    type Item = GroupRecord<'a>;

    fn next(&mut self) -> Option<GroupRecord<'a>> {
        if self.left == 0 {
            return None;
        }
        let header = self.rest.get(..8)?;
        let aux_len = header[1] as usize * 4;
        let src_len = read_u16(header, 2) as usize * 4;
        let sources = self.rest.get(8..8 + src_len)?;
        let aux_data = self.rest.get(8 + src_len..8 + src_len + aux_len)?;
        let record = GroupRecord {
            record_type: header[0].into(),
            group_addr: read_ipv4(header, 4),
            sources: Ipv4AddrList { bytes: sources },
            aux_data,
        };
        self.rest = &self.rest[8 + src_len + aux_len..];
        self.left -= 1;
        Some(record)
    }
}

mod field {
    pub const TYPE: usize = 0;
    pub const MAX_RESP: usize = 1;
    pub const CHECKSUM: usize = 2;
    pub const GROUP: usize = 4;
    pub const S_QRV: usize = 8;
    pub const QQIC: usize = 9;
    pub const NUM_SOURCES: usize = 10;
    pub const SOURCES: usize = 12;
    pub const NUM_RECORDS: usize = 6;
    pub const RECORDS: usize = 8;
}

/// A view over an IGMP message (the whole IPv4 payload).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgmpPacket<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> IgmpPacket<T> {
    /// Length of an IGMPv1/v2 message and of the fixed part of a v3 report.
    pub const HEADER_LEN: usize = 8;
    /// Length of the fixed part of an IGMPv3 query.
    pub const V3_QUERY_LEN: usize = 12;

    /// Wraps a buffer without checking it; accessors panic if it is too short.
    #[inline]
    pub const fn new_unchecked(buffer: T) -> IgmpPacket<T> {
        IgmpPacket { buffer }
    }

    /// Wraps a buffer after [`check_len`](Self::check_len).
    #[inline]
    pub fn new_checked(buffer: T) -> Result<IgmpPacket<T>, WireError> {
        let p = Self::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    /// [`WireError::Truncated`] unless the buffer holds 8 bytes. The v3 parts are checked
    /// by [`IgmpRepr::parse`].
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
    pub fn msg_type(&self) -> IgmpMessage {
        self.buffer.as_ref()[field::TYPE].into()
    }

    /// Max response time (v2, tenths of a second) or Max Resp Code (v3).
    #[inline]
    pub fn max_resp_code(&self) -> u8 {
        self.buffer.as_ref()[field::MAX_RESP]
    }

    /// Checksum field.
    #[inline]
    pub fn checksum(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::CHECKSUM)
    }

    /// Group address (v1/v2 messages and queries).
    #[inline]
    pub fn group_addr(&self) -> Ipv4Addr {
        read_ipv4(self.buffer.as_ref(), field::GROUP)
    }

    /// v3 query: S flag, "suppress router-side processing".
    #[inline]
    pub fn suppress_router(&self) -> bool {
        self.buffer.as_ref()[field::S_QRV] & 0x08 != 0
    }

    /// v3 query: querier's robustness variable.
    #[inline]
    pub fn qrv(&self) -> u8 {
        self.buffer.as_ref()[field::S_QRV] & 0x07
    }

    /// v3 query: querier's query interval code.
    #[inline]
    pub fn qqic(&self) -> u8 {
        self.buffer.as_ref()[field::QQIC]
    }

    /// v3 query: number of sources.
    #[inline]
    pub fn num_sources(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::NUM_SOURCES)
    }

    /// v3 report: number of group records.
    #[inline]
    pub fn num_group_records(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::NUM_RECORDS)
    }

    /// Whether the checksum over the whole message verifies.
    #[inline]
    pub fn verify_checksum(&self) -> bool {
        checksum::verify(self.buffer.as_ref())
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> IgmpPacket<T> {
    /// Sets the message type.
    #[inline]
    pub fn set_msg_type(&mut self, value: IgmpMessage) {
        self.buffer.as_mut()[field::TYPE] = value.into();
    }

    /// Sets the max response code.
    #[inline]
    pub fn set_max_resp_code(&mut self, value: u8) {
        self.buffer.as_mut()[field::MAX_RESP] = value;
    }

    /// Sets the checksum field.
    #[inline]
    pub fn set_checksum(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::CHECKSUM, value);
    }

    /// Sets the group address.
    #[inline]
    pub fn set_group_addr(&mut self, value: Ipv4Addr) {
        write_ipv4(self.buffer.as_mut(), field::GROUP, value);
    }

    /// Computes and stores the checksum over the whole buffer (the buffer must be exactly
    /// the message).
    #[inline]
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let sum = checksum::checksum(self.buffer.as_ref());
        self.set_checksum(sum);
    }
}

/// An IGMP message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IgmpRepr<'a> {
    /// IGMPv1 (code 0) or IGMPv2 membership query, general (group 0.0.0.0) or
    /// group-specific.
    MembershipQuery {
        /// Max response time in tenths of a second (0 in a v1 query).
        max_resp_code: u8,
        /// Group queried, or 0.0.0.0 for a general query.
        group_addr: Ipv4Addr,
    },
    /// IGMPv3 membership query (RFC 3376 §4.1).
    MembershipQueryV3 {
        /// Max Resp Code (see [`decode_v3_code`]), tenths of a second.
        max_resp_code: u8,
        /// Group queried, or 0.0.0.0 for a general query.
        group_addr: Ipv4Addr,
        /// S flag.
        suppress_router: bool,
        /// Querier's robustness variable (0..=7).
        qrv: u8,
        /// Querier's query interval code (see [`decode_v3_code`]), seconds.
        qqic: u8,
        /// Sources of a group-and-source-specific query.
        sources: Ipv4AddrList<'a>,
    },
    /// IGMPv1 or IGMPv2 membership report.
    MembershipReport {
        /// The group joined.
        group_addr: Ipv4Addr,
        /// [`IgmpVersion::V1`] or [`IgmpVersion::V2`]; V3 reports are
        /// [`IgmpRepr::MembershipReportV3`].
        version: IgmpVersion,
    },
    /// IGMPv2 leave group, sent to 224.0.0.2.
    LeaveGroup {
        /// The group left.
        group_addr: Ipv4Addr,
    },
    /// IGMPv3 membership report, sent to 224.0.0.22 (RFC 3376 §4.2). To build one from the
    /// stack's own state, use [`IgmpV3ReportWriter`].
    MembershipReportV3 {
        /// The records.
        records: GroupRecords<'a>,
    },
}

impl<'a> IgmpRepr<'a> {
    /// Parses a message: 8 bytes at least ([`WireError::Truncated`]), checksum when `check`
    /// asks ([`WireError::BadChecksum`]); a query of 9 to 11 bytes is
    /// [`WireError::Malformed`] (RFC 3376 §7.1 says to ignore it); v3 source lists and group
    /// records must fit ([`WireError::Truncated`]); other message types are
    /// [`WireError::Unsupported`].
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &IgmpPacket<&'a T>,
        check: ChecksumCheck,
    ) -> Result<IgmpRepr<'a>, WireError> {
        packet.check_len()?;
        if check.verify() && !packet.verify_checksum() {
            return Err(WireError::BadChecksum);
        }
        let data: &'a [u8] = packet.buffer.as_ref();
        match packet.msg_type() {
            IgmpMessage::MembershipQuery => match data.len() {
                8 => Ok(IgmpRepr::MembershipQuery {
                    max_resp_code: packet.max_resp_code(),
                    group_addr: packet.group_addr(),
                }),
                9..=11 => Err(WireError::Malformed),
                _ => {
                    let n = packet.num_sources() as usize * 4;
                    let sources = data
                        .get(field::SOURCES..field::SOURCES + n)
                        .ok_or(WireError::Truncated)?;
                    Ok(IgmpRepr::MembershipQueryV3 {
                        max_resp_code: packet.max_resp_code(),
                        group_addr: packet.group_addr(),
                        suppress_router: packet.suppress_router(),
                        qrv: packet.qrv(),
                        qqic: packet.qqic(),
                        sources: Ipv4AddrList { bytes: sources },
                    })
                }
            },
            IgmpMessage::MembershipReportV1 => Ok(IgmpRepr::MembershipReport {
                group_addr: packet.group_addr(),
                version: IgmpVersion::V1,
            }),
            IgmpMessage::MembershipReportV2 => Ok(IgmpRepr::MembershipReport {
                group_addr: packet.group_addr(),
                version: IgmpVersion::V2,
            }),
            IgmpMessage::LeaveGroup => Ok(IgmpRepr::LeaveGroup {
                group_addr: packet.group_addr(),
            }),
            IgmpMessage::MembershipReportV3 => Ok(IgmpRepr::MembershipReportV3 {
                records: GroupRecords::parse(&data[field::RECORDS..], packet.num_group_records())?,
            }),
            IgmpMessage::Unknown(_) => Err(WireError::Unsupported),
        }
    }

    /// The IGMP version a query belongs to (RFC 3376 §7.1); `None` for other messages.
    #[inline]
    pub const fn query_version(&self) -> Option<IgmpVersion> {
        match self {
            IgmpRepr::MembershipQuery {
                max_resp_code: 0, ..
            } => Some(IgmpVersion::V1),
            IgmpRepr::MembershipQuery { .. } => Some(IgmpVersion::V2),
            IgmpRepr::MembershipQueryV3 { .. } => Some(IgmpVersion::V3),
            _ => None,
        }
    }

    /// The longest a host may wait before answering a query: 10 s for IGMPv1
    /// (RFC 2236 §4), the code in tenths of a second for v2, the decoded code for v3.
    /// `None` for other messages.
    #[inline]
    pub const fn max_resp_time(&self) -> Option<Duration> {
        match *self {
            IgmpRepr::MembershipQuery {
                max_resp_code: 0, ..
            } => Some(Duration::from_secs(10)),
            IgmpRepr::MembershipQuery { max_resp_code, .. } => {
                Some(Duration::from_millis(max_resp_code as u64 * 100))
            }
            IgmpRepr::MembershipQueryV3 { max_resp_code, .. } => Some(Duration::from_millis(
                decode_v3_code(max_resp_code) as u64 * 100,
            )),
            _ => None,
        }
    }

    /// Length of the emitted message.
    #[inline]
    pub const fn buffer_len(&self) -> usize {
        match self {
            IgmpRepr::MembershipQueryV3 { sources, .. } => 12 + sources.as_bytes().len(),
            IgmpRepr::MembershipReportV3 { records } => 8 + records.as_bytes().len(),
            _ => 8,
        }
    }

    /// Writes the message and its checksum over `buffer_len()` bytes.
    /// [`WireError::Truncated`] when the buffer is shorter; [`WireError::Malformed`] for a
    /// `MembershipReport` of version V3 or a v3 query with more than 65535 sources.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut IgmpPacket<T>,
    ) -> Result<(), WireError> {
        let len = self.buffer_len();
        let buf = packet.buffer.as_mut();
        if buf.len() < len {
            return Err(WireError::Truncated);
        }
        let buf = &mut buf[..len];
        buf[..8].fill(0);
        match *self {
            IgmpRepr::MembershipQuery {
                max_resp_code,
                group_addr,
            } => {
                buf[field::TYPE] = IgmpMessage::MembershipQuery.into();
                buf[field::MAX_RESP] = max_resp_code;
                write_ipv4(buf, field::GROUP, group_addr);
            }
            IgmpRepr::MembershipQueryV3 {
                max_resp_code,
                group_addr,
                suppress_router,
                qrv,
                qqic,
                sources,
            } => {
                let count = u16::try_from(sources.len()).map_err(|_| WireError::Malformed)?;
                buf[field::TYPE] = IgmpMessage::MembershipQuery.into();
                buf[field::MAX_RESP] = max_resp_code;
                write_ipv4(buf, field::GROUP, group_addr);
                buf[field::S_QRV] = ((suppress_router as u8) << 3) | (qrv & 0x07);
                buf[field::QQIC] = qqic;
                write_u16(buf, field::NUM_SOURCES, count);
                buf[field::SOURCES..].copy_from_slice(sources.as_bytes());
            }
            IgmpRepr::MembershipReport {
                group_addr,
                version,
            } => {
                buf[field::TYPE] = match version {
                    IgmpVersion::V1 => IgmpMessage::MembershipReportV1,
                    IgmpVersion::V2 => IgmpMessage::MembershipReportV2,
                    IgmpVersion::V3 => return Err(WireError::Malformed),
                }
                .into();
                write_ipv4(buf, field::GROUP, group_addr);
            }
            IgmpRepr::LeaveGroup { group_addr } => {
                buf[field::TYPE] = IgmpMessage::LeaveGroup.into();
                write_ipv4(buf, field::GROUP, group_addr);
            }
            IgmpRepr::MembershipReportV3 { records } => {
                buf[field::TYPE] = IgmpMessage::MembershipReportV3.into();
                write_u16(buf, field::NUM_RECORDS, records.count);
                buf[field::RECORDS..].copy_from_slice(records.as_bytes());
            }
        }
        IgmpPacket::new_unchecked(buf).fill_checksum();
        Ok(())
    }
}

/// Builds an IGMPv3 membership report (RFC 3376 §4.2) in place from the stack's own group
/// state, one record at a time; when a record does not fit, send what was written and start
/// a new report (RFC 3376 §5.2: split reports at the MTU).
#[derive(Debug)]
pub struct IgmpV3ReportWriter<'b> {
    buf: &'b mut [u8],
    len: usize,
    count: u16,
}

impl<'b> IgmpV3ReportWriter<'b> {
    /// Starts a report in `buf` (at least 8 bytes, else [`WireError::Truncated`]).
    #[inline]
    pub fn new(buf: &'b mut [u8]) -> Result<IgmpV3ReportWriter<'b>, WireError> {
        if buf.len() < 8 {
            return Err(WireError::Truncated);
        }
        Ok(IgmpV3ReportWriter {
            buf,
            len: 8,
            count: 0,
        })
    }

    /// Encoded length of a record with `num_sources` sources and no aux data.
    #[inline]
    pub const fn record_len(num_sources: usize) -> usize {
        8 + 4 * num_sources
    }

    /// Appends a record. [`WireError::Truncated`] if it does not fit (nothing is written),
    /// [`WireError::Malformed`] past 65535 records or sources.
    pub fn push_record(
        &mut self,
        record_type: GroupRecordType,
        group_addr: Ipv4Addr,
        sources: &[Ipv4Addr],
    ) -> Result<(), WireError> {
        let num = u16::try_from(sources.len()).map_err(|_| WireError::Malformed)?;
        if self.count == u16::MAX {
            return Err(WireError::Malformed);
        }
        let need = Self::record_len(sources.len());
        let rec = self
            .buf
            .get_mut(self.len..self.len + need)
            .ok_or(WireError::Truncated)?;
        rec[0] = record_type.into();
        rec[1] = 0;
        write_u16(rec, 2, num);
        write_ipv4(rec, 4, group_addr);
        for (i, s) in sources.iter().enumerate() {
            write_ipv4(rec, 8 + 4 * i, *s);
        }
        self.len += need;
        self.count += 1;
        Ok(())
    }

    /// Bytes written so far, header included.
    #[inline]
    pub const fn len(&self) -> usize {
        self.len
    }

    /// No record written yet.
    #[inline]
    pub const fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Writes the header and the checksum; returns the message length (the IPv4 payload
    /// length).
    pub fn finish(self) -> usize {
        let buf = &mut self.buf[..self.len];
        buf[field::TYPE] = IgmpMessage::MembershipReportV3.into();
        buf[1] = 0;
        buf[4] = 0;
        buf[5] = 0;
        write_u16(buf, field::NUM_RECORDS, self.count);
        IgmpPacket::new_unchecked(buf).fill_checksum();
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::test_util::for_each_mutation;
    use alloc::vec;
    use alloc::vec::Vec;

    /// IGMPv3 general query as the Linux bridge querier sends it: max resp 10 s (code 100),
    /// QRV 2, QQIC 125 s, no sources.
    const V3_GENERAL_QUERY: [u8; 12] = [
        0x11, 0x64, 0xec, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x02, 0x7d, 0x00, 0x00,
    ];

    /// IGMPv2 general query (max resp 10 s).
    const V2_QUERY: [u8; 8] = [0x11, 0x64, 0xee, 0x9b, 0x00, 0x00, 0x00, 0x00];

    /// IGMPv2 report for 239.255.255.250 (SSDP), as Linux sends on join.
    const V2_REPORT: [u8; 8] = [0x16, 0x00, 0xfa, 0x04, 0xef, 0xff, 0xff, 0xfa];

    /// IGMPv3 report as Linux sends on joining 224.0.0.251 (mDNS): one CHANGE_TO_EXCLUDE
    /// record with no sources.
    const V3_REPORT: [u8; 16] = [
        0x22, 0x00, 0xf9, 0x02, 0x00, 0x00, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0xe0, 0x00, 0x00,
        0xfb,
    ];

    #[test]
    fn v3_general_query() -> Result<(), WireError> {
        let p = IgmpPacket::new_checked(&V3_GENERAL_QUERY[..])?;
        assert!(p.verify_checksum());
        let repr = IgmpRepr::parse(&p, ChecksumCheck::Verify)?;
        assert_eq!(
            repr,
            IgmpRepr::MembershipQueryV3 {
                max_resp_code: 100,
                group_addr: Ipv4Addr::UNSPECIFIED,
                suppress_router: false,
                qrv: 2,
                qqic: 125,
                sources: Ipv4AddrList::default(),
            }
        );
        assert_eq!(repr.query_version(), Some(IgmpVersion::V3));
        assert_eq!(repr.max_resp_time(), Some(Duration::from_secs(10)));
        let mut buf = [0u8; 12];
        repr.emit(&mut IgmpPacket::new_unchecked(&mut buf[..]))?;
        assert_eq!(buf, V3_GENERAL_QUERY);
        Ok(())
    }

    #[test]
    fn v3_source_specific_query() -> Result<(), WireError> {
        let sources = [10u8, 0, 0, 1, 10, 0, 0, 2];
        let repr = IgmpRepr::MembershipQueryV3 {
            max_resp_code: encode_v3_code(1000),
            group_addr: Ipv4Addr::new(232, 1, 1, 1),
            suppress_router: true,
            qrv: 2,
            qqic: 125,
            sources: Ipv4AddrList::from_bytes(&sources)?,
        };
        let mut buf = vec![0u8; repr.buffer_len()];
        assert_eq!(buf.len(), 20);
        repr.emit(&mut IgmpPacket::new_unchecked(&mut buf[..]))?;
        let parsed = IgmpRepr::parse(&IgmpPacket::new_checked(&buf[..])?, ChecksumCheck::Verify)?;
        assert_eq!(parsed, repr);
        if let IgmpRepr::MembershipQueryV3 { sources, .. } = parsed {
            let v: Vec<Ipv4Addr> = sources.iter().collect();
            assert_eq!(v, [Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2)]);
            assert_eq!(sources.get(1), Some(Ipv4Addr::new(10, 0, 0, 2)));
            assert_eq!(sources.get(2), None);
        }
        // A query longer than its sources (trailing bytes) is fine.
        let mut longer = buf.clone();
        longer.extend_from_slice(&[0, 0, 0, 0]);
        IgmpPacket::new_unchecked(&mut longer[..]).fill_checksum();
        assert_eq!(
            IgmpRepr::parse(
                &IgmpPacket::new_unchecked(&longer[..]),
                ChecksumCheck::Verify
            ),
            Ok(repr)
        );
        Ok(())
    }

    #[test]
    fn v1_v2_messages() -> Result<(), WireError> {
        let q = IgmpRepr::parse(
            &IgmpPacket::new_checked(&V2_QUERY[..])?,
            ChecksumCheck::Verify,
        )?;
        assert_eq!(q.query_version(), Some(IgmpVersion::V2));
        assert_eq!(q.max_resp_time(), Some(Duration::from_secs(10)));
        let r = IgmpRepr::parse(
            &IgmpPacket::new_checked(&V2_REPORT[..])?,
            ChecksumCheck::Verify,
        )?;
        assert_eq!(
            r,
            IgmpRepr::MembershipReport {
                group_addr: Ipv4Addr::new(239, 255, 255, 250),
                version: IgmpVersion::V2
            }
        );
        assert_eq!(r.query_version(), None);
        assert_eq!(r.max_resp_time(), None);
        for (repr, golden) in [(q, V2_QUERY), (r, V2_REPORT)] {
            let mut buf = [0u8; 8];
            repr.emit(&mut IgmpPacket::new_unchecked(&mut buf[..]))?;
            assert_eq!(buf, golden);
        }
        let v1q = IgmpRepr::MembershipQuery {
            max_resp_code: 0,
            group_addr: Ipv4Addr::UNSPECIFIED,
        };
        assert_eq!(v1q.query_version(), Some(IgmpVersion::V1));
        assert_eq!(v1q.max_resp_time(), Some(Duration::from_secs(10)));
        for repr in [
            v1q,
            IgmpRepr::MembershipReport {
                group_addr: Ipv4Addr::new(224, 1, 2, 3),
                version: IgmpVersion::V1,
            },
            IgmpRepr::LeaveGroup {
                group_addr: Ipv4Addr::new(224, 1, 2, 3),
            },
        ] {
            let mut buf = [0u8; 8];
            repr.emit(&mut IgmpPacket::new_unchecked(&mut buf[..]))?;
            assert_eq!(
                IgmpRepr::parse(&IgmpPacket::new_unchecked(&buf[..]), ChecksumCheck::Verify),
                Ok(repr)
            );
        }
        Ok(())
    }

    #[test]
    fn v3_report_writer_and_parse() -> Result<(), WireError> {
        let mut buf = [0u8; 64];
        let mut w = IgmpV3ReportWriter::new(&mut buf)?;
        assert!(w.is_empty());
        w.push_record(
            GroupRecordType::ChangeToExclude,
            Ipv4Addr::new(224, 0, 0, 251),
            &[],
        )?;
        let len = w.finish();
        assert_eq!(&buf[..len], &V3_REPORT);

        let repr = IgmpRepr::parse(
            &IgmpPacket::new_checked(&V3_REPORT[..])?,
            ChecksumCheck::Verify,
        )?;
        let IgmpRepr::MembershipReportV3 { records } = repr else {
            panic!("not a v3 report: {repr:?}");
        };
        assert_eq!(records.len(), 1);
        let rec: Vec<GroupRecord<'_>> = records.into_iter().collect();
        assert_eq!(rec[0].record_type, GroupRecordType::ChangeToExclude);
        assert_eq!(rec[0].group_addr, Ipv4Addr::new(224, 0, 0, 251));
        assert!(rec[0].sources.is_empty());
        assert_eq!(rec[0].buffer_len(), 8);

        // Several records with sources; the writer refuses what does not fit.
        let mut buf = [0u8; 39];
        let mut w = IgmpV3ReportWriter::new(&mut buf)?;
        let srcs = [Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2)];
        w.push_record(
            GroupRecordType::ModeIsInclude,
            Ipv4Addr::new(232, 0, 0, 1),
            &srcs,
        )?;
        w.push_record(
            GroupRecordType::ModeIsExclude,
            Ipv4Addr::new(239, 0, 0, 1),
            &[],
        )?;
        assert_eq!(w.len(), 8 + 16 + 8);
        assert_eq!(
            w.push_record(
                GroupRecordType::ModeIsExclude,
                Ipv4Addr::new(239, 0, 0, 2),
                &[]
            ),
            Err(WireError::Truncated)
        );
        assert_eq!(IgmpV3ReportWriter::record_len(2), 16);
        let len = w.finish();
        let repr = IgmpRepr::parse(
            &IgmpPacket::new_checked(&buf[..len])?,
            ChecksumCheck::Verify,
        )?;
        let IgmpRepr::MembershipReportV3 { records } = repr else {
            panic!("not a v3 report");
        };
        let rec: Vec<GroupRecord<'_>> = records.iter().collect();
        assert_eq!(rec.len(), 2);
        assert_eq!(rec[0].sources.iter().collect::<Vec<_>>(), srcs);
        assert_eq!(rec[1].record_type, GroupRecordType::ModeIsExclude);
        let mut again = vec![0u8; repr.buffer_len()];
        repr.emit(&mut IgmpPacket::new_unchecked(&mut again[..]))?;
        assert_eq!(&again[..], &buf[..len]);
        assert_eq!(
            IgmpV3ReportWriter::new(&mut [0u8; 7]).err(),
            Some(WireError::Truncated)
        );
        Ok(())
    }

    #[test]
    fn v3_codes() {
        for code in 0..=255u8 {
            let value = decode_v3_code(code);
            assert_eq!(encode_v3_code(value), code, "code {code:#x} value {value}");
        }
        assert_eq!(decode_v3_code(0xff), 31744);
        assert_eq!(encode_v3_code(u16::MAX), 0xff);
        // Rounds down: 130 is between 128 (0x80) and 136 (0x81).
        assert_eq!(encode_v3_code(130), 0x80);
        for v in 0..=u16::MAX {
            assert!(decode_v3_code(encode_v3_code(v)) <= v);
        }
    }

    #[test]
    fn errors() -> Result<(), WireError> {
        for len in 0..8 {
            assert_eq!(
                IgmpRepr::parse(
                    &IgmpPacket::new_unchecked(&V2_REPORT[..len]),
                    ChecksumCheck::Skip
                ),
                Err(WireError::Truncated)
            );
        }
        // Queries of 9..=11 bytes.
        for len in 9..12 {
            assert_eq!(
                IgmpRepr::parse(
                    &IgmpPacket::new_unchecked(&V3_GENERAL_QUERY[..len]),
                    ChecksumCheck::Skip
                ),
                Err(WireError::Malformed)
            );
        }
        // Bad checksum.
        let mut b = V2_REPORT;
        b[7] ^= 1;
        let p = IgmpPacket::new_unchecked(&b[..]);
        assert_eq!(
            IgmpRepr::parse(&p, ChecksumCheck::Verify),
            Err(WireError::BadChecksum)
        );
        assert!(IgmpRepr::parse(&p, ChecksumCheck::Skip).is_ok());
        // More sources than the buffer holds.
        let mut b = V3_GENERAL_QUERY;
        b[11] = 1;
        assert_eq!(
            IgmpRepr::parse(&IgmpPacket::new_unchecked(&b[..]), ChecksumCheck::Skip),
            Err(WireError::Truncated)
        );
        // More records than present; a record whose sources / aux data overrun.
        let mut b = V3_REPORT;
        b[7] = 2;
        assert_eq!(
            IgmpRepr::parse(&IgmpPacket::new_unchecked(&b[..]), ChecksumCheck::Skip),
            Err(WireError::Truncated)
        );
        for (at, value) in [(10, 1), (11, 1), (9, 1)] {
            let mut b = V3_REPORT;
            b[at] = value;
            assert_eq!(
                IgmpRepr::parse(&IgmpPacket::new_unchecked(&b[..]), ChecksumCheck::Skip),
                Err(WireError::Truncated)
            );
        }
        for len in 8..16 {
            assert_eq!(
                IgmpRepr::parse(
                    &IgmpPacket::new_unchecked(&V3_REPORT[..len]),
                    ChecksumCheck::Skip
                ),
                Err(WireError::Truncated)
            );
        }
        // Unknown type (DVMRP).
        let mut b = V2_REPORT;
        b[0] = 0x13;
        assert_eq!(
            IgmpRepr::parse(&IgmpPacket::new_unchecked(&b[..]), ChecksumCheck::Skip),
            Err(WireError::Unsupported)
        );
        // Emit errors.
        let bad = IgmpRepr::MembershipReport {
            group_addr: Ipv4Addr::UNSPECIFIED,
            version: IgmpVersion::V3,
        };
        assert_eq!(
            bad.emit(&mut IgmpPacket::new_unchecked(&mut [0u8; 8][..])),
            Err(WireError::Malformed)
        );
        let q = IgmpRepr::parse(
            &IgmpPacket::new_unchecked(&V3_GENERAL_QUERY[..]),
            ChecksumCheck::Verify,
        )?;
        assert_eq!(
            q.emit(&mut IgmpPacket::new_unchecked(&mut [0u8; 11][..])),
            Err(WireError::Truncated)
        );
        assert_eq!(
            Ipv4AddrList::from_bytes(&[1, 2, 3]),
            Err(WireError::Malformed)
        );
        for t in 0..=255u8 {
            assert_eq!(u8::from(IgmpMessage::from(t)), t);
            assert_eq!(u8::from(GroupRecordType::from(t)), t);
        }
        Ok(())
    }

    #[test]
    fn robustness() {
        let mut v3_query_sources = vec![0u8; 20];
        v3_query_sources[..12].copy_from_slice(&V3_GENERAL_QUERY);
        v3_query_sources[11] = 2;
        IgmpPacket::new_unchecked(&mut v3_query_sources[..]).fill_checksum();
        for_each_mutation(
            &[
                &V3_GENERAL_QUERY,
                &V2_QUERY,
                &V2_REPORT,
                &V3_REPORT,
                &v3_query_sources,
            ],
            |buf| {
                let p = IgmpPacket::new_unchecked(buf);
                for check in [ChecksumCheck::Verify, ChecksumCheck::Skip] {
                    if let Ok(repr) = IgmpRepr::parse(&p, check) {
                        let _ = repr.max_resp_time();
                        if let IgmpRepr::MembershipReportV3 { records } = repr {
                            assert_eq!(records.iter().count(), records.len());
                        }
                        let mut out = vec![0u8; repr.buffer_len()];
                        assert!(
                            repr.emit(&mut IgmpPacket::new_unchecked(&mut out[..]))
                                .is_ok()
                        );
                        let again = IgmpRepr::parse(
                            &IgmpPacket::new_unchecked(&out[..]),
                            ChecksumCheck::Verify,
                        );
                        assert_eq!(again, Ok(repr));
                    }
                }
            },
        );
    }
}
