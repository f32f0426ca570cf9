//! TCP segments (RFC 9293 §3.1) and their options (RFC 9293 §3.2, RFC 7323, RFC 2018).
//!
//! ```text
//! |          source port          |       destination port        |
//! |                        sequence number                        |
//! |                    acknowledgment number                      |
//! | off(4)|rsv(3)|N|C|E|U|A|P|R|S|F|            window             |
//! |           checksum            |        urgent pointer         |
//! |              options (off*4 - 20 bytes) ...                   |
//! |                             data ...                          |
//! ```
//!
//! TCP has no length field: the segment is whatever the IP layer hands over (its payload,
//! bounded by the IP length), so a view's buffer must be exactly the segment.
//!
//! Options are parsed without trusting any length: an option whose length byte is 0 or 1,
//! or which runs past the header, makes the segment [`WireError::Malformed`] (RFC 9293
//! MUST-7 asks to be prepared for illegal lengths). A known option with the wrong length
//! (an MSS of length 3, a SACK whose length is not 2 + 8n) is ignored as Linux does, and
//! unknown options are skipped. A window scale above 14 is read as 14 (RFC 7323 §2.3).
//!
//! Emitting lays the options out as Linux does (`MSS, SACK-permitted, timestamps, NOP,
//! window scale` on a SYN; `NOP, NOP, timestamps`, `NOP, NOP, SACK` on data), every option
//! 4-byte aligned; if that does not fit the 40 bytes of option space, the options are
//! packed back to back and padded with zeros instead, and SACK blocks that still do not fit
//! are left out (the first block, the most important one per RFC 2018 §4, is kept longest).

use core::net::IpAddr;

use super::checksum::{self, Checksum};
use super::ip::IpProtocol;
use super::{ChecksumCheck, WireError, read_u16, read_u32, write_u16, write_u32};
use crate::tcp::TcpSeqNumber;

mod field {
    pub const SRC_PORT: usize = 0;
    pub const DST_PORT: usize = 2;
    pub const SEQ: usize = 4;
    pub const ACK: usize = 8;
    pub const OFF_FLAGS: usize = 12;
    pub const WINDOW: usize = 14;
    pub const CHECKSUM: usize = 16;
    pub const URGENT: usize = 18;
}

/// The flag bits of the 16-bit data-offset/flags word (RFC 9293 §3.1, RFC 3168 §6.1,
/// RFC 3540 for NS).
pub mod flags {
    /// FIN: no more data from the sender.
    pub const FIN: u16 = 0x001;
    /// SYN: synchronise sequence numbers.
    pub const SYN: u16 = 0x002;
    /// RST: reset the connection.
    pub const RST: u16 = 0x004;
    /// PSH: push function.
    pub const PSH: u16 = 0x008;
    /// ACK: the acknowledgment field is significant.
    pub const ACK: u16 = 0x010;
    /// URG: the urgent pointer is significant.
    pub const URG: u16 = 0x020;
    /// ECE: ECN echo (RFC 3168).
    pub const ECE: u16 = 0x040;
    /// CWR: congestion window reduced (RFC 3168).
    pub const CWR: u16 = 0x080;
    /// NS: ECN nonce sum (RFC 3540, historic).
    pub const NS: u16 = 0x100;
    /// Every flag bit.
    pub const ALL: u16 = 0x1ff;
}

/// Option kinds (IANA "TCP Option Kind Numbers").
mod kind {
    pub const END: u8 = 0;
    pub const NOP: u8 = 1;
    pub const MSS: u8 = 2;
    pub const WINDOW_SCALE: u8 = 3;
    pub const SACK_PERMITTED: u8 = 4;
    pub const SACK: u8 = 5;
    pub const TIMESTAMP: u8 = 8;
}

/// Largest shift a window scale option may carry (RFC 7323 §2.3).
pub const MAX_WINDOW_SCALE: u8 = 14;

/// Most SACK blocks one option can carry (2 + 4 × 8 = 34 of the 40 option bytes).
pub const MAX_SACK_BLOCKS: usize = 4;

/// Largest TCP header: data offset 15.
pub const MAX_HEADER_LEN: usize = 60;

/// Room for options in the largest header.
pub const MAX_OPTIONS_LEN: usize = MAX_HEADER_LEN - 20;

/// A view over a TCP segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpPacket<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> TcpPacket<T> {
    /// Length of a header without options.
    pub const HEADER_LEN: usize = 20;

    /// Wraps a buffer without checking it; accessors panic if it is too short.
    #[inline]
    pub const fn new_unchecked(buffer: T) -> TcpPacket<T> {
        TcpPacket { buffer }
    }

    /// Wraps a buffer after [`check_len`](Self::check_len).
    #[inline]
    pub fn new_checked(buffer: T) -> Result<TcpPacket<T>, WireError> {
        let p = Self::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    /// The buffer holds the fixed header ([`WireError::Truncated`]), the data offset is at
    /// least 5 ([`WireError::Malformed`]) and the header it describes fits the buffer
    /// ([`WireError::Truncated`]).
    #[inline]
    pub fn check_len(&self) -> Result<(), WireError> {
        let len = self.buffer.as_ref().len();
        if len < Self::HEADER_LEN {
            return Err(WireError::Truncated);
        }
        let header_len = self.header_len();
        if header_len < Self::HEADER_LEN {
            return Err(WireError::Malformed);
        }
        if header_len > len {
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

    /// Sequence number.
    #[inline]
    pub fn seq_number(&self) -> TcpSeqNumber {
        TcpSeqNumber(read_u32(self.buffer.as_ref(), field::SEQ))
    }

    /// Acknowledgment number (meaningful only with ACK set).
    #[inline]
    pub fn ack_number(&self) -> TcpSeqNumber {
        TcpSeqNumber(read_u32(self.buffer.as_ref(), field::ACK))
    }

    /// Header length in bytes: the data offset field times 4.
    #[inline]
    pub fn header_len(&self) -> usize {
        (self.buffer.as_ref()[field::OFF_FLAGS] >> 4) as usize * 4
    }

    /// The nine flag bits (see [`flags`]).
    #[inline]
    pub fn flags(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::OFF_FLAGS) & flags::ALL
    }

    /// FIN flag.
    #[inline]
    pub fn fin(&self) -> bool {
        self.flags() & flags::FIN != 0
    }

    /// SYN flag.
    #[inline]
    pub fn syn(&self) -> bool {
        self.flags() & flags::SYN != 0
    }

    /// RST flag.
    #[inline]
    pub fn rst(&self) -> bool {
        self.flags() & flags::RST != 0
    }

    /// PSH flag.
    #[inline]
    pub fn psh(&self) -> bool {
        self.flags() & flags::PSH != 0
    }

    /// ACK flag.
    #[inline]
    pub fn ack(&self) -> bool {
        self.flags() & flags::ACK != 0
    }

    /// URG flag.
    #[inline]
    pub fn urg(&self) -> bool {
        self.flags() & flags::URG != 0
    }

    /// ECE flag (RFC 3168).
    #[inline]
    pub fn ece(&self) -> bool {
        self.flags() & flags::ECE != 0
    }

    /// CWR flag (RFC 3168).
    #[inline]
    pub fn cwr(&self) -> bool {
        self.flags() & flags::CWR != 0
    }

    /// NS flag (RFC 3540).
    #[inline]
    pub fn ns(&self) -> bool {
        self.flags() & flags::NS != 0
    }

    /// Window field (unscaled).
    #[inline]
    pub fn window_len(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::WINDOW)
    }

    /// Checksum field.
    #[inline]
    pub fn checksum(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::CHECKSUM)
    }

    /// Urgent pointer field.
    #[inline]
    pub fn urgent_at(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::URGENT)
    }

    /// The option bytes: 20..header length.
    #[inline]
    pub fn options(&self) -> &[u8] {
        &self.buffer.as_ref()[Self::HEADER_LEN..self.header_len()]
    }

    /// The data: everything after the header.
    #[inline]
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[self.header_len()..]
    }

    /// Sequence space the segment occupies: data length plus one for SYN and one for FIN
    /// (RFC 9293 §3.4, SEG.LEN).
    #[inline]
    pub fn segment_len(&self) -> usize {
        self.payload().len() + self.syn() as usize + self.fin() as usize
    }

    /// Whether the checksum verifies against the pseudo header of `src_addr` → `dst_addr`.
    #[inline]
    pub fn verify_checksum(&self, src_addr: &IpAddr, dst_addr: &IpAddr) -> bool {
        let segment = self.buffer.as_ref();
        checksum::pseudo_header(src_addr, dst_addr, IpProtocol::Tcp, segment.len() as u32)
            .add_bytes(segment)
            .is_valid()
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> TcpPacket<&'a T> {
    /// The options with the buffer's lifetime.
    #[inline]
    pub fn options_slice(&self) -> &'a [u8] {
        let end = self.header_len();
        &self.buffer.as_ref()[Self::HEADER_LEN..end]
    }

    /// The data with the buffer's lifetime.
    #[inline]
    pub fn payload_slice(&self) -> &'a [u8] {
        let start = self.header_len();
        &self.buffer.as_ref()[start..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> TcpPacket<T> {
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

    /// Sets the sequence number.
    #[inline]
    pub fn set_seq_number(&mut self, value: TcpSeqNumber) {
        write_u32(self.buffer.as_mut(), field::SEQ, value.0);
    }

    /// Sets the acknowledgment number.
    #[inline]
    pub fn set_ack_number(&mut self, value: TcpSeqNumber) {
        write_u32(self.buffer.as_mut(), field::ACK, value.0);
    }

    /// Sets the data offset from a header length (a multiple of 4 in 20..=60) and the flag
    /// bits (see [`flags`]); the reserved bits are cleared.
    #[inline]
    pub fn set_header_len_and_flags(&mut self, header_len: usize, flag_bits: u16) {
        let word = (((header_len / 4) as u16) << 12) | (flag_bits & flags::ALL);
        write_u16(self.buffer.as_mut(), field::OFF_FLAGS, word);
    }

    /// Sets the window field.
    #[inline]
    pub fn set_window_len(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::WINDOW, value);
    }

    /// Sets the checksum field.
    #[inline]
    pub fn set_checksum(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::CHECKSUM, value);
    }

    /// Sets the urgent pointer field.
    #[inline]
    pub fn set_urgent_at(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::URGENT, value);
    }

    /// Computes and stores the checksum over the pseudo header and the whole buffer.
    #[inline]
    pub fn fill_checksum(&mut self, src_addr: &IpAddr, dst_addr: &IpAddr) {
        self.set_checksum(0);
        let segment = self.buffer.as_ref();
        let sum =
            checksum::pseudo_header(src_addr, dst_addr, IpProtocol::Tcp, segment.len() as u32)
                .add_bytes(segment)
                .finish();
        self.set_checksum(sum);
    }

    /// The option bytes, mutably.
    #[inline]
    pub fn options_mut(&mut self) -> &mut [u8] {
        let end = self.header_len();
        &mut self.buffer.as_mut()[Self::HEADER_LEN..end]
    }

    /// The data, mutably.
    #[inline]
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let start = self.header_len();
        &mut self.buffer.as_mut()[start..]
    }
}

/// The timestamps option (RFC 7323 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TcpTimestamp {
    /// TSval: the sender's timestamp clock.
    pub tsval: u32,
    /// TSecr: the TSval echoed back (meaningful with ACK set).
    pub tsecr: u32,
}

/// One SACK block (RFC 2018 §3): the left edge and the sequence number after the right edge.
pub type SackBlock = (TcpSeqNumber, TcpSeqNumber);

/// One option as it appears in a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpOption<'a> {
    /// End of option list (kind 0); the iterator stops after it.
    EndOfList,
    /// No-operation (kind 1), used for alignment.
    NoOperation,
    /// Maximum segment size (kind 2, RFC 9293 §3.7.1).
    MaxSegmentSize(u16),
    /// Window scale shift (kind 3, RFC 7323 §2), clamped to [`MAX_WINDOW_SCALE`].
    WindowScale(u8),
    /// SACK permitted (kind 4, RFC 2018 §2).
    SackPermitted,
    /// SACK blocks (kind 5, RFC 2018 §3), unused slots `None`.
    SackRange([Option<SackBlock>; MAX_SACK_BLOCKS]),
    /// Timestamps (kind 8, RFC 7323 §3).
    Timestamp(TcpTimestamp),
    /// Any other option, or a known one with the wrong length: skipped.
    Unknown {
        /// The kind byte.
        kind: u8,
        /// The bytes after kind and length.
        data: &'a [u8],
    },
}

/// Iterator over the options of a header; yields `Err(Malformed)` once on a bad length and
/// then stops.
#[derive(Debug, Clone)]
pub struct TcpOptions<'a> {
    rest: &'a [u8],
}

impl<'a> TcpOptions<'a> {
    /// Iterates over `options` (the bytes between the fixed header and the data).
    #[inline]
    pub const fn new(options: &'a [u8]) -> TcpOptions<'a> {
        TcpOptions { rest: options }
    }
}

impl<'a> Iterator for TcpOptions<'a> {
    type Item = Result<TcpOption<'a>, WireError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (&kind, after_kind) = self.rest.split_first()?;
        match kind {
            kind::END => {
                self.rest = &[];
                return Some(Ok(TcpOption::EndOfList));
            }
            kind::NOP => {
                self.rest = after_kind;
                return Some(Ok(TcpOption::NoOperation));
            }
            _ => {}
        }
        let len = match after_kind.first() {
            Some(&len) if len >= 2 && len as usize <= self.rest.len() => len as usize,
            _ => {
                self.rest = &[];
                return Some(Err(WireError::Malformed));
            }
        };
        let data = &self.rest[2..len];
        self.rest = &self.rest[len..];
        let option = match (kind, data.len()) {
            (kind::MSS, 2) => TcpOption::MaxSegmentSize(read_u16(data, 0)),
            (kind::WINDOW_SCALE, 1) => TcpOption::WindowScale(data[0].min(MAX_WINDOW_SCALE)),
            (kind::SACK_PERMITTED, 0) => TcpOption::SackPermitted,
            (kind::TIMESTAMP, 8) => TcpOption::Timestamp(TcpTimestamp {
                tsval: read_u32(data, 0),
                tsecr: read_u32(data, 4),
            }),
            (kind::SACK, n) if n > 0 && n % 8 == 0 && n / 8 <= MAX_SACK_BLOCKS => {
                let mut blocks = [None; MAX_SACK_BLOCKS];
                for (slot, chunk) in blocks.iter_mut().zip(data.chunks_exact(8)) {
                    *slot = Some((
                        TcpSeqNumber(read_u32(chunk, 0)),
                        TcpSeqNumber(read_u32(chunk, 4)),
                    ));
                }
                TcpOption::SackRange(blocks)
            }
            _ => TcpOption::Unknown { kind, data },
        };
        Some(Ok(option))
    }
}

/// The options of nearly every segment between stacks that use timestamps, NOP, NOP and
/// the timestamps option (RFC 7323 Appendix A), read without the general walk.
#[inline]
fn aligned_timestamp(options: &[u8]) -> Option<TcpTimestamp> {
    match *options {
        [
            kind::NOP,
            kind::NOP,
            kind::TIMESTAMP,
            10,
            v0,
            v1,
            v2,
            v3,
            e0,
            e1,
            e2,
            e3,
        ] => Some(TcpTimestamp {
            tsval: u32::from_be_bytes([v0, v1, v2, v3]),
            tsecr: u32::from_be_bytes([e0, e1, e2, e3]),
        }),
        _ => None,
    }
}

/// The control flag a segment carries besides ACK and PSH; at most one is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TcpControl {
    /// None of SYN, FIN, RST.
    #[default]
    None,
    /// SYN.
    Syn,
    /// FIN.
    Fin,
    /// RST.
    Rst,
}

impl TcpControl {
    /// Sequence space the flag occupies: 1 for SYN and FIN, 0 otherwise.
    #[inline]
    pub const fn len(self) -> usize {
        match self {
            TcpControl::Syn | TcpControl::Fin => 1,
            TcpControl::None | TcpControl::Rst => 0,
        }
    }

    /// True for [`TcpControl::None`].
    #[inline]
    pub const fn is_empty(self) -> bool {
        matches!(self, TcpControl::None)
    }

    #[inline]
    const fn flag_bits(self) -> u16 {
        match self {
            TcpControl::None => 0,
            TcpControl::Syn => flags::SYN,
            TcpControl::Fin => flags::FIN,
            TcpControl::Rst => flags::RST,
        }
    }
}

/// A TCP header as the stack uses it; the data stays in the packet buffer.
///
/// ECN flags and the urgent pointer are not represented (the stack neither negotiates ECN
/// nor delivers urgent data, as lwIP); the view exposes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpRepr {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// SYN, FIN, RST or none.
    pub control: TcpControl,
    /// Sequence number.
    pub seq_number: TcpSeqNumber,
    /// Acknowledgment number; `Some` exactly when ACK is set.
    pub ack_number: Option<TcpSeqNumber>,
    /// PSH flag.
    pub push: bool,
    /// Window field, unscaled.
    pub window_len: u16,
    /// MSS option.
    pub max_seg_size: Option<u16>,
    /// Window scale option (shift, at most [`MAX_WINDOW_SCALE`]).
    pub window_scale: Option<u8>,
    /// SACK-permitted option.
    pub sack_permitted: bool,
    /// SACK option blocks, first the most important; unused slots `None`.
    pub sack_ranges: [Option<SackBlock>; MAX_SACK_BLOCKS],
    /// Timestamps option.
    pub timestamp: Option<TcpTimestamp>,
    /// Length of the data.
    pub payload_len: usize,
}

impl Default for TcpRepr {
    /// A bare segment from port 0 to port 0: a base for struct update syntax.
    fn default() -> TcpRepr {
        TcpRepr {
            src_port: 0,
            dst_port: 0,
            control: TcpControl::None,
            seq_number: TcpSeqNumber(0),
            ack_number: None,
            push: false,
            window_len: 0,
            max_seg_size: None,
            window_scale: None,
            sack_permitted: false,
            sack_ranges: [None; MAX_SACK_BLOCKS],
            timestamp: None,
            payload_len: 0,
        }
    }
}

/// Length of the options of a segment whose only option is the timestamps, aligned: NOP,
/// NOP, kind, length, TSval, TSecr.
const TIMESTAMP_ONLY_LEN: usize = 12;

/// Sizes of the options as [`TcpRepr::emit_header`] lays them out.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OptionsLayout {
    /// Options length including padding (a multiple of 4, at most 40).
    len: usize,
    /// Whether each option is NOP-aligned (Linux layout) or packed.
    aligned: bool,
    /// SACK blocks that fit.
    sack_blocks: usize,
}

impl OptionsLayout {
    /// The header length with these options.
    #[inline]
    pub(crate) fn header_len(self) -> usize {
        TcpPacket::<&[u8]>::HEADER_LEN + self.len
    }
}

impl TcpRepr {
    /// Parses and validates a segment: lengths ([`TcpPacket::check_len`]); when `check`
    /// asks, the checksum against the pseudo header of `src_addr` → `dst_addr`
    /// ([`WireError::BadChecksum`]); ports non-zero, at most one of SYN/FIN/RST, and the
    /// options ([`WireError::Malformed`]).
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &TcpPacket<&T>,
        src_addr: &IpAddr,
        dst_addr: &IpAddr,
        check: ChecksumCheck,
    ) -> Result<TcpRepr, WireError> {
        packet.check_len()?;
        if check.verify() && !packet.verify_checksum(src_addr, dst_addr) {
            return Err(WireError::BadChecksum);
        }
        if packet.src_port() == 0 || packet.dst_port() == 0 {
            return Err(WireError::Malformed);
        }
        let control = match (packet.syn(), packet.fin(), packet.rst()) {
            (false, false, false) => TcpControl::None,
            (true, false, false) => TcpControl::Syn,
            (false, true, false) => TcpControl::Fin,
            (false, false, true) => TcpControl::Rst,
            _ => return Err(WireError::Malformed),
        };
        let mut repr = TcpRepr {
            src_port: packet.src_port(),
            dst_port: packet.dst_port(),
            control,
            seq_number: packet.seq_number(),
            ack_number: packet.ack().then(|| packet.ack_number()),
            push: packet.psh(),
            window_len: packet.window_len(),
            payload_len: packet.payload_slice().len(),
            ..TcpRepr::default()
        };
        let options = packet.options_slice();
        if let Some(ts) = aligned_timestamp(options) {
            repr.timestamp = Some(ts);
            return Ok(repr);
        }
        for option in TcpOptions::new(options) {
            match option? {
                TcpOption::MaxSegmentSize(mss) => repr.max_seg_size = Some(mss),
                TcpOption::WindowScale(shift) => repr.window_scale = Some(shift),
                TcpOption::SackPermitted => repr.sack_permitted = true,
                TcpOption::SackRange(blocks) => repr.sack_ranges = blocks,
                TcpOption::Timestamp(ts) => repr.timestamp = Some(ts),
                TcpOption::EndOfList | TcpOption::NoOperation | TcpOption::Unknown { .. } => {}
            }
        }
        Ok(repr)
    }

    /// Number of SACK blocks present.
    #[inline]
    pub fn sack_block_count(&self) -> usize {
        self.sack_ranges.iter().flatten().count()
    }

    /// How the options will be laid out (for a caller that needs the header length before
    /// [`emit_gathered_laid_out`](Self::emit_gathered_laid_out) writes them).
    #[inline]
    pub(crate) fn layout(&self) -> OptionsLayout {
        let sack = self.sack_block_count();
        // Aligned (Linux) layout: every option padded with NOPs to a 4-byte boundary.
        let mut fixed_aligned = 0;
        // Packed layout: the bare option sizes.
        let mut fixed_packed = 0;
        if self.max_seg_size.is_some() {
            fixed_aligned += 4;
            fixed_packed += 4;
        }
        match (self.sack_permitted, self.timestamp.is_some()) {
            (true, true) => {
                fixed_aligned += 12;
                fixed_packed += 12;
            }
            (false, true) => {
                fixed_aligned += 12;
                fixed_packed += 10;
            }
            (true, false) => {
                fixed_aligned += 4;
                fixed_packed += 2;
            }
            (false, false) => {}
        }
        if self.window_scale.is_some() {
            fixed_aligned += 4;
            fixed_packed += 3;
        }
        let sack_len = |n: usize| if n == 0 { 0 } else { 2 + 8 * n };
        let aligned = fixed_aligned + if sack == 0 { 0 } else { 2 + sack_len(sack) };
        if aligned <= MAX_OPTIONS_LEN {
            return OptionsLayout {
                len: aligned,
                aligned: true,
                sack_blocks: sack,
            };
        }
        let mut blocks = sack;
        while blocks > 0 && fixed_packed + sack_len(blocks) > MAX_OPTIONS_LEN {
            blocks -= 1;
        }
        OptionsLayout {
            len: (fixed_packed + sack_len(blocks)).div_ceil(4) * 4,
            aligned: false,
            sack_blocks: blocks,
        }
    }

    /// Length of the header with its options: 20 + options, a multiple of 4, at most 60.
    #[inline]
    pub fn header_len(&self) -> usize {
        TcpPacket::<&[u8]>::HEADER_LEN + self.layout().len
    }

    /// Length of the segment: header + data.
    #[inline]
    pub fn buffer_len(&self) -> usize {
        self.header_len() + self.payload_len
    }

    /// Sequence space the segment occupies: data + SYN + FIN (RFC 9293 §3.4, SEG.LEN).
    #[inline]
    pub fn segment_len(&self) -> usize {
        self.payload_len + self.control.len()
    }

    /// Writes the header and options with a zero checksum and a zero urgent pointer, for
    /// building in place: write the data through [`TcpPacket::payload_mut`], then call
    /// [`TcpPacket::fill_checksum`]. The view's buffer must be exactly
    /// [`buffer_len`](Self::buffer_len) bytes for the checksum to cover the right bytes.
    ///
    /// [`WireError::Truncated`] when the buffer is shorter than `buffer_len`.
    pub fn emit_header<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut TcpPacket<T>,
    ) -> Result<(), WireError> {
        self.emit_header_laid_out(packet, self.layout()).map(|_| ())
    }

    /// [`emit_header`](Self::emit_header) with the options already laid out; returns the
    /// header length.
    #[inline]
    fn emit_header_laid_out<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut TcpPacket<T>,
        layout: OptionsLayout,
    ) -> Result<usize, WireError> {
        let header_len = TcpPacket::<&[u8]>::HEADER_LEN + layout.len;
        let buf = packet.buffer.as_mut();
        if buf.len() < header_len + self.payload_len {
            return Err(WireError::Truncated);
        }
        let (fixed, rest) = buf
            .split_first_chunk_mut::<{ TcpPacket::<&[u8]>::HEADER_LEN }>()
            .ok_or(WireError::Truncated)?;
        // One fixed-size block: each field a store, no per-field bounds check.
        let seq = self.seq_number.0.to_be_bytes();
        let ack = self.ack_number.unwrap_or_default().0.to_be_bytes();
        let [sp0, sp1] = self.src_port.to_be_bytes();
        let [dp0, dp1] = self.dst_port.to_be_bytes();
        let [of0, of1] =
            ((((header_len / 4) as u16) << 12) | (self.flag_bits() & flags::ALL)).to_be_bytes();
        let [w0, w1] = self.window_len.to_be_bytes();
        *fixed = [
            sp0, sp1, dp0, dp1, seq[0], seq[1], seq[2], seq[3], ack[0], ack[1], ack[2], ack[3],
            of0, of1, w0, w1, 0, 0, 0, 0,
        ];
        let options = rest.get_mut(..layout.len).ok_or(WireError::Truncated)?;
        if let Some(ts) = self.only_timestamp(layout) {
            // The usual data segment: NOP, NOP, timestamps (RFC 7323 Appendix A).
            let (v, e) = (ts.tsval.to_be_bytes(), ts.tsecr.to_be_bytes());
            if let Some(out) = options.first_chunk_mut::<TIMESTAMP_ONLY_LEN>() {
                *out = [
                    kind::NOP,
                    kind::NOP,
                    kind::TIMESTAMP,
                    10,
                    v[0],
                    v[1],
                    v[2],
                    v[3],
                    e[0],
                    e[1],
                    e[2],
                    e[3],
                ];
            }
            return Ok(header_len);
        }
        let mut writer = OptionWriter {
            out: options,
            at: 0,
        };
        self.walk_options(&mut writer, layout);
        // Padding: End of Option List, then zeros (RFC 9293 §3.1).
        let at = writer.at;
        writer.out[at..].fill(kind::END);
        Ok(header_len)
    }

    /// The timestamps when they are the only option and laid out the aligned way (every
    /// data segment of a connection that negotiated them): the fast path of emission.
    #[inline]
    fn only_timestamp(&self, layout: OptionsLayout) -> Option<TcpTimestamp> {
        (layout.len == TIMESTAMP_ONLY_LEN
            && layout.aligned
            && self.max_seg_size.is_none()
            && !self.sack_permitted
            && self.window_scale.is_none()
            && layout.sack_blocks == 0)
            .then_some(self.timestamp)
            .flatten()
    }

    /// The flag bits of the header: the control flags, PSH, and ACK when an acknowledgment
    /// number is present.
    #[inline]
    fn flag_bits(&self) -> u16 {
        let mut bits = self.control.flag_bits();
        if self.push {
            bits |= flags::PSH;
        }
        if self.ack_number.is_some() {
            bits |= flags::ACK;
        }
        bits
    }

    /// The one's complement sum of the header [`emit_header`](Self::emit_header) writes
    /// (checksum field zero), computed from the values rather than read back from the
    /// bytes just written (a read of freshly stored bytes waits for the stores to reach
    /// the cache).
    #[inline]
    fn header_sum(&self, layout: OptionsLayout) -> Checksum {
        let header_len = TcpPacket::<&[u8]>::HEADER_LEN + layout.len;
        let seq = self.seq_number.0;
        let ack = self.ack_number.unwrap_or_default().0;
        // Eight 16-bit words: at most 8 × 0xffff, no overflow.
        let words = u32::from(self.src_port)
            + u32::from(self.dst_port)
            + (seq >> 16)
            + (seq & 0xffff)
            + (ack >> 16)
            + (ack & 0xffff)
            + u32::from(((header_len as u16 / 4) << 12) | self.flag_bits())
            + u32::from(self.window_len);
        let options = match self.only_timestamp(layout) {
            Some(ts) => {
                u32::from(u16::from_be_bytes([kind::NOP, kind::NOP]))
                    + u32::from(u16::from_be_bytes([kind::TIMESTAMP, 10]))
                    + (ts.tsval >> 16)
                    + (ts.tsval & 0xffff)
                    + (ts.tsecr >> 16)
                    + (ts.tsecr & 0xffff)
            }
            None => {
                let mut sum = OptionSum { sum: 0, at: 0 };
                self.walk_options(&mut sum, layout);
                sum.sum
            }
        };
        Checksum::new().add_u32(words).add_u32(options)
    }

    /// Hands the options of `layout` to `sink` in wire order, NOP padding included and the
    /// trailing End of Option List padding not.
    #[inline]
    fn walk_options<S: OptionSink>(&self, w: &mut S, layout: OptionsLayout) {
        let pad = layout.aligned;
        if let Some(mss) = self.max_seg_size {
            w.put(&[kind::MSS, 4]);
            w.put(&mss.to_be_bytes());
        }
        if self.sack_permitted {
            if pad && self.timestamp.is_none() {
                w.put(&[kind::NOP, kind::NOP]);
            }
            w.put(&[kind::SACK_PERMITTED, 2]);
        }
        if let Some(ts) = self.timestamp {
            if pad && !self.sack_permitted {
                w.put(&[kind::NOP, kind::NOP]);
            }
            w.put(&[kind::TIMESTAMP, 10]);
            w.put(&ts.tsval.to_be_bytes());
            w.put(&ts.tsecr.to_be_bytes());
        }
        if let Some(shift) = self.window_scale {
            if pad {
                w.put(&[kind::NOP]);
            }
            w.put(&[kind::WINDOW_SCALE, 3, shift.min(MAX_WINDOW_SCALE)]);
        }
        if layout.sack_blocks > 0 {
            if pad {
                w.put(&[kind::NOP, kind::NOP]);
            }
            w.put(&[kind::SACK, (2 + 8 * layout.sack_blocks) as u8]);
            for (left, right) in self.sack_ranges.iter().flatten().take(layout.sack_blocks) {
                w.put(&left.0.to_be_bytes());
                w.put(&right.0.to_be_bytes());
            }
        }
    }

    /// Writes the segment: the header, the data `a` followed by `b` (whose lengths must add
    /// up to `payload_len`, else [`WireError::Malformed`]; two parts so a ring buffer's
    /// wrapped range goes out without being joined first), and the checksum for `src_addr`
    /// → `dst_addr`, summed from the header's values and the data's source bytes. The
    /// checksum covers the first [`buffer_len`](Self::buffer_len) bytes of the buffer.
    pub fn emit_gathered<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut TcpPacket<T>,
        src_addr: &IpAddr,
        dst_addr: &IpAddr,
        a: &[u8],
        b: &[u8],
    ) -> Result<(), WireError> {
        self.emit_gathered_laid_out(self.layout(), packet, src_addr, dst_addr, a, b)
    }

    /// [`emit_gathered`](Self::emit_gathered) with the options already laid out
    /// ([`layout`](Self::layout) of this header).
    #[inline]
    pub(crate) fn emit_gathered_laid_out<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        layout: OptionsLayout,
        packet: &mut TcpPacket<T>,
        src_addr: &IpAddr,
        dst_addr: &IpAddr,
        a: &[u8],
        b: &[u8],
    ) -> Result<(), WireError> {
        if a.len() + b.len() != self.payload_len {
            return Err(WireError::Malformed);
        }
        let header_len = self.emit_header_laid_out(packet, layout)?;
        let total = header_len + self.payload_len;
        let buf = packet.buffer.as_mut();
        let (a_out, rest) = buf[header_len..total].split_at_mut(a.len());
        a_out.copy_from_slice(a);
        rest.copy_from_slice(b);
        let sum = checksum::pseudo_header(src_addr, dst_addr, IpProtocol::Tcp, total as u32)
            .combine(self.header_sum(layout))
            .add_bytes(a)
            .add_bytes(b)
            .finish();
        write_u16(buf, field::CHECKSUM, sum);
        Ok(())
    }

    /// Writes the header, copies `payload` (whose length must be `payload_len`, else
    /// [`WireError::Malformed`]) and fills the checksum for `src_addr` → `dst_addr`.
    /// The checksum covers the first [`buffer_len`](Self::buffer_len) bytes of the buffer.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut TcpPacket<T>,
        src_addr: &IpAddr,
        dst_addr: &IpAddr,
        payload: &[u8],
    ) -> Result<(), WireError> {
        self.emit_gathered(packet, src_addr, dst_addr, payload, &[])
    }
}

/// Where [`TcpRepr::walk_options`] puts the option bytes.
trait OptionSink {
    /// Takes the next option bytes.
    fn put(&mut self, bytes: &[u8]);
}

/// Sequential writer for option bytes; the layout computation guarantees room.
struct OptionWriter<'a> {
    out: &'a mut [u8],
    at: usize,
}

impl OptionSink for OptionWriter<'_> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.out[self.at..self.at + bytes.len()].copy_from_slice(bytes);
        self.at += bytes.len();
    }
}

/// Sums option bytes as the big-endian 16-bit words they form at their offsets (the
/// options start at an even offset of the header).
struct OptionSum {
    sum: u32,
    at: usize,
}

impl OptionSink for OptionSum {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            let shift = if self.at.is_multiple_of(2) { 8 } else { 0 };
            self.sum += u32::from(byte) << shift;
            self.at += 1;
        }
    }
}

#[cfg(test)]
mod tests;
