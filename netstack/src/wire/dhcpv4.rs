//! DHCPv4 messages (RFC 2131 §2, options RFC 2132).
//!
//! ```text
//! | op (1) | htype (1) | hlen (1) | hops (1) | xid (4) | secs (2) | flags (2) |
//! | ciaddr (4) | yiaddr (4) | siaddr (4) | giaddr (4) | chaddr (16) | sname (64) |
//! | file (128) | magic cookie 99.130.83.99 (4) | options ... End (255) |
//! ```
//!
//! [`DhcpPacket`] is the view over a message, [`DhcpOptions`] walks its options (pad and end
//! markers, and the `file`/`sname` fields when option 52 "overload" says they hold options
//! too), [`DhcpRepr`] is the typed message with the options a client and a server need, and
//! [`DhcpOptionWriter`] appends options to a bounded options area: a message the stack
//! builds never grows past the configured size, and an option that does not fit is an
//! error, never a panic or a cut option.

use core::fmt;
use core::net::Ipv4Addr;

use super::ethernet::EthernetAddress;
use super::igmp::Ipv4AddrList;
use super::{WireError, read_ipv4, read_u16, read_u32, write_ipv4, write_u16, write_u32};

/// The UDP port servers (and relays) listen on.
pub const SERVER_PORT: u16 = 67;
/// The UDP port clients listen on.
pub const CLIENT_PORT: u16 = 68;
/// The magic cookie that starts the options (RFC 2131 §3: 99.130.83.99).
pub const MAGIC_COOKIE: u32 = 0x6382_5363;
/// Length of the fixed part plus the cookie: where the options start.
pub const OPTIONS_OFFSET: usize = 240;
/// The smallest message relays must accept (RFC 1542 §2.1: a BOOTP message of 300 bytes);
/// shorter messages are padded up to it.
pub const MIN_MESSAGE_LEN: usize = 300;
/// The smallest "maximum DHCP message size" a client may announce (RFC 2132 §9.10).
pub const MIN_MAX_MESSAGE_SIZE: u16 = 576;

mod field {
    use core::ops::Range;
    pub const OP: usize = 0;
    pub const HTYPE: usize = 1;
    pub const HLEN: usize = 2;
    pub const HOPS: usize = 3;
    pub const XID: usize = 4;
    pub const SECS: usize = 8;
    pub const FLAGS: usize = 10;
    pub const CIADDR: usize = 12;
    pub const YIADDR: usize = 16;
    pub const SIADDR: usize = 20;
    pub const GIADDR: usize = 24;
    pub const CHADDR: Range<usize> = 28..44;
    pub const SNAME: Range<usize> = 44..108;
    pub const FILE: Range<usize> = 108..236;
    pub const COOKIE: usize = 236;
}

/// The broadcast bit of `flags` (RFC 2131 §2, Figure 2).
const FLAG_BROADCAST: u16 = 0x8000;
/// `htype` of Ethernet (RFC 1700 "Hardware Type").
const HTYPE_ETHERNET: u8 = 1;

/// Option codes (RFC 2132) the stack reads or writes.
pub mod code {
    /// Padding (§3.1): one byte, no length.
    pub const PAD: u8 = 0;
    /// Subnet mask (§3.3).
    pub const SUBNET_MASK: u8 = 1;
    /// Routers, in order of preference (§3.5).
    pub const ROUTER: u8 = 3;
    /// Domain name servers (§3.8).
    pub const DNS_SERVERS: u8 = 6;
    /// The client's host name (§3.14).
    pub const HOSTNAME: u8 = 12;
    /// Broadcast address of the subnet (§5.3).
    pub const BROADCAST_ADDRESS: u8 = 28;
    /// NTP servers (§8.3).
    pub const NTP_SERVERS: u8 = 42;
    /// Vendor-specific information (§8.4).
    pub const VENDOR_SPECIFIC: u8 = 43;
    /// Requested IP address (§9.1).
    pub const REQUESTED_IP: u8 = 50;
    /// IP address lease time, seconds (§9.2).
    pub const LEASE_TIME: u8 = 51;
    /// Option overload: `file` (1), `sname` (2) or both (3) hold options too (§9.3).
    pub const OVERLOAD: u8 = 52;
    /// DHCP message type (§9.6).
    pub const MESSAGE_TYPE: u8 = 53;
    /// Server identifier (§9.7).
    pub const SERVER_IDENTIFIER: u8 = 54;
    /// Parameter request list (§9.8).
    pub const PARAMETER_REQUEST_LIST: u8 = 55;
    /// A text message, e.g. why a NAK was sent (§9.9).
    pub const MESSAGE: u8 = 56;
    /// Maximum DHCP message size the sender accepts (§9.10).
    pub const MAX_MESSAGE_SIZE: u8 = 57;
    /// Renewal (T1) time, seconds (§9.11).
    pub const RENEWAL_TIME: u8 = 58;
    /// Rebinding (T2) time, seconds (§9.12).
    pub const REBINDING_TIME: u8 = 59;
    /// Vendor class identifier (§9.13).
    pub const VENDOR_CLASS: u8 = 60;
    /// Client identifier (§9.14).
    pub const CLIENT_ID: u8 = 61;
    /// End of the options (§3.2).
    pub const END: u8 = 255;
}

/// `op`: who sent the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DhcpOpcode {
    /// From a client (`BOOTREQUEST`, 1).
    Request,
    /// From a server (`BOOTREPLY`, 2).
    Reply,
}

impl DhcpOpcode {
    const fn from_u8(value: u8) -> Option<DhcpOpcode> {
        match value {
            1 => Some(DhcpOpcode::Request),
            2 => Some(DhcpOpcode::Reply),
            _ => None,
        }
    }

    const fn to_u8(self) -> u8 {
        match self {
            DhcpOpcode::Request => 1,
            DhcpOpcode::Reply => 2,
        }
    }
}

/// The DHCP message type (option 53, RFC 2132 §9.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DhcpMessageType {
    /// Client looks for servers (1).
    Discover,
    /// Server offers an address (2).
    Offer,
    /// Client asks for an offered address, or to extend its lease (3).
    Request,
    /// Client found the address in use (4).
    Decline,
    /// Server confirms a lease (5).
    Ack,
    /// Server refuses the request (6).
    Nak,
    /// Client gives its address back (7).
    Release,
    /// Client asks for configuration only (8).
    Inform,
}

impl DhcpMessageType {
    /// The type with this code, if it is one of RFC 2132's eight.
    pub const fn from_u8(value: u8) -> Option<DhcpMessageType> {
        Some(match value {
            1 => DhcpMessageType::Discover,
            2 => DhcpMessageType::Offer,
            3 => DhcpMessageType::Request,
            4 => DhcpMessageType::Decline,
            5 => DhcpMessageType::Ack,
            6 => DhcpMessageType::Nak,
            7 => DhcpMessageType::Release,
            8 => DhcpMessageType::Inform,
            _ => return None,
        })
    }

    /// Its code.
    pub const fn to_u8(self) -> u8 {
        match self {
            DhcpMessageType::Discover => 1,
            DhcpMessageType::Offer => 2,
            DhcpMessageType::Request => 3,
            DhcpMessageType::Decline => 4,
            DhcpMessageType::Ack => 5,
            DhcpMessageType::Nak => 6,
            DhcpMessageType::Release => 7,
            DhcpMessageType::Inform => 8,
        }
    }
}

impl fmt::Display for DhcpMessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DhcpMessageType::Discover => "DISCOVER",
            DhcpMessageType::Offer => "OFFER",
            DhcpMessageType::Request => "REQUEST",
            DhcpMessageType::Decline => "DECLINE",
            DhcpMessageType::Ack => "ACK",
            DhcpMessageType::Nak => "NAK",
            DhcpMessageType::Release => "RELEASE",
            DhcpMessageType::Inform => "INFORM",
        })
    }
}

/// A view over a DHCP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DhcpPacket<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> DhcpPacket<T> {
    /// Wraps a buffer without checking it; accessors panic if it is shorter than
    /// [`OPTIONS_OFFSET`].
    #[inline]
    pub const fn new_unchecked(buffer: T) -> DhcpPacket<T> {
        DhcpPacket { buffer }
    }

    /// Wraps a buffer after [`check_len`](Self::check_len).
    #[inline]
    pub fn new_checked(buffer: T) -> Result<DhcpPacket<T>, WireError> {
        let p = Self::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    /// The buffer holds the fixed part and the cookie ([`WireError::Truncated`]) and the
    /// cookie is DHCP's ([`WireError::Unsupported`]: a plain BOOTP message).
    #[inline]
    pub fn check_len(&self) -> Result<(), WireError> {
        if self.buffer.as_ref().len() < OPTIONS_OFFSET {
            return Err(WireError::Truncated);
        }
        if self.magic_cookie() != MAGIC_COOKIE {
            return Err(WireError::Unsupported);
        }
        Ok(())
    }

    /// The wrapped buffer.
    #[inline]
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// `op` (1 request, 2 reply).
    #[inline]
    pub fn op(&self) -> u8 {
        self.buffer.as_ref()[field::OP]
    }

    /// Hardware address type (1: Ethernet).
    #[inline]
    pub fn htype(&self) -> u8 {
        self.buffer.as_ref()[field::HTYPE]
    }

    /// Hardware address length (6 for Ethernet).
    #[inline]
    pub fn hlen(&self) -> u8 {
        self.buffer.as_ref()[field::HLEN]
    }

    /// Relay hops.
    #[inline]
    pub fn hops(&self) -> u8 {
        self.buffer.as_ref()[field::HOPS]
    }

    /// Transaction id, chosen by the client.
    #[inline]
    pub fn xid(&self) -> u32 {
        read_u32(self.buffer.as_ref(), field::XID)
    }

    /// Seconds since the client began acquiring or renewing.
    #[inline]
    pub fn secs(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::SECS)
    }

    /// The flags field.
    #[inline]
    pub fn flags(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::FLAGS)
    }

    /// `ciaddr`: the client's address, when it has one it can answer ARP for.
    #[inline]
    pub fn ciaddr(&self) -> Ipv4Addr {
        read_ipv4(self.buffer.as_ref(), field::CIADDR)
    }

    /// `yiaddr`: the address the server gives the client.
    #[inline]
    pub fn yiaddr(&self) -> Ipv4Addr {
        read_ipv4(self.buffer.as_ref(), field::YIADDR)
    }

    /// `siaddr`: the next server (boot server).
    #[inline]
    pub fn siaddr(&self) -> Ipv4Addr {
        read_ipv4(self.buffer.as_ref(), field::SIADDR)
    }

    /// `giaddr`: the relay agent.
    #[inline]
    pub fn giaddr(&self) -> Ipv4Addr {
        read_ipv4(self.buffer.as_ref(), field::GIADDR)
    }

    /// `chaddr`: the client hardware address field (16 bytes, the first `hlen` used).
    #[inline]
    pub fn chaddr(&self) -> &[u8] {
        &self.buffer.as_ref()[field::CHADDR]
    }

    /// The magic cookie.
    #[inline]
    pub fn magic_cookie(&self) -> u32 {
        read_u32(self.buffer.as_ref(), field::COOKIE)
    }

    /// The options area (after the cookie, to the end of the buffer).
    #[inline]
    pub fn options_slice(&self) -> &[u8] {
        &self.buffer.as_ref()[OPTIONS_OFFSET..]
    }

    /// The options, with the `file` and `sname` fields when option 52 says they hold some.
    #[inline]
    pub fn options(&self) -> DhcpOptions<'_> {
        let b = self.buffer.as_ref();
        DhcpOptions::new(&b[OPTIONS_OFFSET..], &b[field::FILE], &b[field::SNAME])
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> DhcpPacket<T> {
    fn bytes_mut(&mut self) -> &mut [u8] {
        self.buffer.as_mut()
    }

    /// Zeroes the fixed part and writes the cookie.
    #[inline]
    pub fn clear_header(&mut self) {
        let b = self.bytes_mut();
        b[..field::COOKIE].fill(0);
        write_u32(b, field::COOKIE, MAGIC_COOKIE);
    }

    /// Sets `op`.
    #[inline]
    pub fn set_op(&mut self, value: u8) {
        self.bytes_mut()[field::OP] = value;
    }

    /// Sets the hardware type and length.
    #[inline]
    pub fn set_hardware(&mut self, htype: u8, hlen: u8) {
        let b = self.bytes_mut();
        b[field::HTYPE] = htype;
        b[field::HLEN] = hlen;
    }

    /// Sets `hops`.
    #[inline]
    pub fn set_hops(&mut self, value: u8) {
        self.bytes_mut()[field::HOPS] = value;
    }

    /// Sets `xid`.
    #[inline]
    pub fn set_xid(&mut self, value: u32) {
        write_u32(self.bytes_mut(), field::XID, value);
    }

    /// Sets `secs`.
    #[inline]
    pub fn set_secs(&mut self, value: u16) {
        write_u16(self.bytes_mut(), field::SECS, value);
    }

    /// Sets `flags`.
    #[inline]
    pub fn set_flags(&mut self, value: u16) {
        write_u16(self.bytes_mut(), field::FLAGS, value);
    }

    /// Sets `ciaddr`, `yiaddr`, `siaddr` and `giaddr`.
    #[inline]
    pub fn set_addrs(&mut self, ci: Ipv4Addr, yi: Ipv4Addr, si: Ipv4Addr, gi: Ipv4Addr) {
        let b = self.bytes_mut();
        write_ipv4(b, field::CIADDR, ci);
        write_ipv4(b, field::YIADDR, yi);
        write_ipv4(b, field::SIADDR, si);
        write_ipv4(b, field::GIADDR, gi);
    }

    /// Sets the first bytes of `chaddr` (the rest stay zero).
    #[inline]
    pub fn set_chaddr(&mut self, addr: &[u8]) {
        let chaddr = &mut self.bytes_mut()[field::CHADDR];
        let n = addr.len().min(chaddr.len());
        chaddr[..n].copy_from_slice(&addr[..n]);
    }

    /// The options area, mutably.
    #[inline]
    pub fn options_mut(&mut self) -> &mut [u8] {
        &mut self.bytes_mut()[OPTIONS_OFFSET..]
    }
}

/// One option: its code and its data (without the code and length bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DhcpOption<'a> {
    /// The option code (never [`code::PAD`] or [`code::END`]).
    pub code: u8,
    /// The option's data.
    pub data: &'a [u8],
}

/// Where [`DhcpOptions`] reads next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Region {
    Options,
    File,
    Sname,
    Done,
}

/// The options of a message, in order: the options area, then `file` and `sname` when an
/// option 52 in the options area says so (RFC 2131 §4.1). Pad bytes are skipped; End ends a
/// field (a field without End ends at its last byte). An option whose length runs past its
/// field yields one [`WireError::Truncated`] and ends the walk.
#[derive(Debug, Clone)]
pub struct DhcpOptions<'a> {
    file: &'a [u8],
    sname: &'a [u8],
    region: Region,
    rest: &'a [u8],
    overload: u8,
}

impl<'a> DhcpOptions<'a> {
    /// Walks `options`, then `file` and `sname` as option 52 in `options` asks.
    pub const fn new(options: &'a [u8], file: &'a [u8], sname: &'a [u8]) -> DhcpOptions<'a> {
        DhcpOptions {
            file,
            sname,
            region: Region::Options,
            rest: options,
            overload: 0,
        }
    }

    /// Moves to the next field that holds options.
    fn next_region(&mut self) {
        let (region, rest) = match self.region {
            Region::Options if self.overload & 1 != 0 => (Region::File, self.file),
            Region::Options | Region::File if self.overload & 2 != 0 => (Region::Sname, self.sname),
            _ => (Region::Done, &[][..]),
        };
        self.region = region;
        self.rest = rest;
    }
}

impl<'a> Iterator for DhcpOptions<'a> {
    type Item = Result<DhcpOption<'a>, WireError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.region == Region::Done {
                return None;
            }
            let Some((&code, after)) = self.rest.split_first() else {
                self.next_region();
                continue;
            };
            match code {
                code::PAD => {
                    self.rest = after;
                }
                code::END => {
                    self.next_region();
                }
                _ => {
                    let parsed = after.split_first().and_then(|(&len, data)| {
                        let len = usize::from(len);
                        Some((data.get(..len)?, data.get(len..)?))
                    });
                    let Some((data, rest)) = parsed else {
                        self.region = Region::Done;
                        self.rest = &[];
                        return Some(Err(WireError::Truncated));
                    };
                    self.rest = rest;
                    if code == code::OVERLOAD
                        && self.region == Region::Options
                        && let [value] = data
                    {
                        self.overload = *value & 3;
                    }
                    return Some(Ok(DhcpOption { code, data }));
                }
            }
        }
    }
}

/// Why an option could not be appended by a [`DhcpOptionWriter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DhcpOptionError {
    /// The option (code, length and data: `needed` bytes) does not fit in the `available`
    /// bytes left of the options area (one byte is always kept for End). Nothing was
    /// written; a product that needs more room raises `dhcp_options_len`.
    NoSpace {
        /// Bytes the option takes.
        needed: usize,
        /// Bytes left.
        available: usize,
    },
    /// The data is longer than 255 bytes, the most one option holds.
    TooLong,
    /// Pad (0) and End (255) are not options one appends.
    Reserved,
    /// The message already has an option with this code (the stack's own, or one appended
    /// before); a receiver would see either one, so the second is refused.
    Duplicate(u8),
}

impl fmt::Display for DhcpOptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DhcpOptionError::NoSpace { needed, available } => write!(
                f,
                "DHCP option needs {needed} bytes, {available} left in the options area \
                 (raise dhcp_options_len)"
            ),
            DhcpOptionError::TooLong => f.write_str("DHCP option data longer than 255 bytes"),
            DhcpOptionError::Reserved => f.write_str("pad and end are not DHCP options"),
            DhcpOptionError::Duplicate(code) => write!(f, "DHCP option {code} is already set"),
        }
    }
}

impl core::error::Error for DhcpOptionError {}

/// Appends options to a bounded options area. Every append either writes the whole option
/// or nothing; one byte is always kept for the End option [`finish`](Self::finish) writes.
#[derive(Debug)]
pub struct DhcpOptionWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> DhcpOptionWriter<'a> {
    /// A writer filling `buf` (the whole options area) from its start.
    pub fn new(buf: &'a mut [u8]) -> DhcpOptionWriter<'a> {
        DhcpOptionWriter { buf, len: 0 }
    }

    /// Bytes written so far.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Nothing written yet.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes an option may still take (code, length and data), End's byte kept aside.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.len).saturating_sub(1)
    }

    /// The options written so far.
    #[inline]
    pub fn written(&self) -> DhcpOptions<'_> {
        DhcpOptions::new(&self.buf[..self.len], &[], &[])
    }

    /// Whether an option with `code` was written.
    pub fn contains(&self, code: u8) -> bool {
        self.written().any(|o| o.is_ok_and(|o| o.code == code))
    }

    /// Appends option `code` with `data`.
    pub fn append(&mut self, code: u8, data: &[u8]) -> Result<(), DhcpOptionError> {
        if code == code::PAD || code == code::END {
            return Err(DhcpOptionError::Reserved);
        }
        let len = u8::try_from(data.len()).map_err(|_| DhcpOptionError::TooLong)?;
        if self.contains(code) {
            return Err(DhcpOptionError::Duplicate(code));
        }
        let needed = 2 + data.len();
        let available = self.remaining();
        let end = self.len + needed;
        let Some(out) = self
            .buf
            .get_mut(self.len..end)
            .filter(|_| needed <= available)
        else {
            return Err(DhcpOptionError::NoSpace { needed, available });
        };
        out[0] = code;
        out[1] = len;
        out[2..].copy_from_slice(data);
        self.len = end;
        Ok(())
    }

    /// Appends a one-byte option.
    pub fn append_u8(&mut self, code: u8, value: u8) -> Result<(), DhcpOptionError> {
        self.append(code, &[value])
    }

    /// Appends a 16-bit option (network order).
    pub fn append_u16(&mut self, code: u8, value: u16) -> Result<(), DhcpOptionError> {
        self.append(code, &value.to_be_bytes())
    }

    /// Appends a 32-bit option (network order).
    pub fn append_u32(&mut self, code: u8, value: u32) -> Result<(), DhcpOptionError> {
        self.append(code, &value.to_be_bytes())
    }

    /// Appends an address option.
    pub fn append_addr(&mut self, code: u8, addr: Ipv4Addr) -> Result<(), DhcpOptionError> {
        self.append(code, &addr.octets())
    }

    /// Appends a list of addresses (at most 63, what 255 bytes hold).
    pub fn append_addrs(&mut self, code: u8, addrs: &[Ipv4Addr]) -> Result<(), DhcpOptionError> {
        let mut bytes = [0u8; 252];
        if addrs.len() > bytes.len() / 4 {
            return Err(DhcpOptionError::TooLong);
        }
        for (chunk, addr) in bytes.chunks_exact_mut(4).zip(addrs) {
            chunk.copy_from_slice(&addr.octets());
        }
        self.append(code, &bytes[..addrs.len() * 4])
    }

    /// Writes End and zero-fills the rest of the area; returns the options' length (End
    /// included). An empty area (no room even for End) gives 0.
    pub fn finish(self) -> usize {
        let DhcpOptionWriter { buf, len } = self;
        match buf.get_mut(len..) {
            Some([end, rest @ ..]) => {
                *end = code::END;
                rest.fill(0);
                len + 1
            }
            _ => len,
        }
    }
}

/// A DHCP message with the fields and options the stack uses.
///
/// Options the stack does not know are not kept here; read them with
/// [`DhcpPacket::options`]. Parsing takes the first instance of an option; a known option
/// with a wrong length makes the whole message [`WireError::Malformed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DhcpRepr<'a> {
    /// Who sent it.
    pub opcode: DhcpOpcode,
    /// The message type (option 53).
    pub message_type: DhcpMessageType,
    /// `xid`.
    pub transaction_id: u32,
    /// `secs`.
    pub secs: u16,
    /// The broadcast flag: the client cannot receive unicast before it has its address.
    pub broadcast: bool,
    /// `ciaddr`.
    pub client_ip: Ipv4Addr,
    /// `yiaddr`.
    pub your_ip: Ipv4Addr,
    /// `siaddr`.
    pub server_ip: Ipv4Addr,
    /// `giaddr`.
    pub relay_agent_ip: Ipv4Addr,
    /// `chaddr` (Ethernet).
    pub client_hardware_addr: EthernetAddress,
    /// Server identifier (54).
    pub server_identifier: Option<Ipv4Addr>,
    /// Requested IP address (50).
    pub requested_ip: Option<Ipv4Addr>,
    /// Lease time in seconds (51); `u32::MAX` is infinite.
    pub lease_time: Option<u32>,
    /// T1 in seconds (58).
    pub renewal_time: Option<u32>,
    /// T2 in seconds (59).
    pub rebinding_time: Option<u32>,
    /// Subnet mask (1).
    pub subnet_mask: Option<Ipv4Addr>,
    /// Routers (3).
    pub router: Option<Ipv4AddrList<'a>>,
    /// DNS servers (6).
    pub dns_servers: Option<Ipv4AddrList<'a>>,
    /// NTP servers (42).
    pub ntp_servers: Option<Ipv4AddrList<'a>>,
    /// Host name (12).
    pub hostname: Option<&'a [u8]>,
    /// Vendor class identifier (60).
    pub vendor_class: Option<&'a [u8]>,
    /// Client identifier (61).
    pub client_id: Option<&'a [u8]>,
    /// Parameter request list (55): option codes.
    pub parameter_request_list: Option<&'a [u8]>,
    /// Maximum message size (57).
    pub max_message_size: Option<u16>,
    /// Message (56), e.g. a NAK's reason.
    pub message: Option<&'a [u8]>,
}

impl<'a> DhcpRepr<'a> {
    /// A message of `message_type` with every other field empty (a builder's start).
    pub const fn new(
        opcode: DhcpOpcode,
        message_type: DhcpMessageType,
        transaction_id: u32,
        client_hardware_addr: EthernetAddress,
    ) -> DhcpRepr<'a> {
        DhcpRepr {
            opcode,
            message_type,
            transaction_id,
            secs: 0,
            broadcast: false,
            client_ip: Ipv4Addr::UNSPECIFIED,
            your_ip: Ipv4Addr::UNSPECIFIED,
            server_ip: Ipv4Addr::UNSPECIFIED,
            relay_agent_ip: Ipv4Addr::UNSPECIFIED,
            client_hardware_addr,
            server_identifier: None,
            requested_ip: None,
            lease_time: None,
            renewal_time: None,
            rebinding_time: None,
            subnet_mask: None,
            router: None,
            dns_servers: None,
            ntp_servers: None,
            hostname: None,
            vendor_class: None,
            client_id: None,
            parameter_request_list: None,
            max_message_size: None,
            message: None,
        }
    }

    /// Parses a message: an Ethernet hardware address ([`WireError::Unsupported`]
    /// otherwise), a known `op` and message type ([`WireError::Malformed`] otherwise, also
    /// for a message without option 53: plain BOOTP), well-formed options.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &'a DhcpPacket<&'a T>,
    ) -> Result<DhcpRepr<'a>, WireError> {
        packet.check_len()?;
        let opcode = DhcpOpcode::from_u8(packet.op()).ok_or(WireError::Malformed)?;
        if packet.htype() != HTYPE_ETHERNET || packet.hlen() != 6 {
            return Err(WireError::Unsupported);
        }
        let chaddr = EthernetAddress::from_bytes(packet.chaddr().get(..6).unwrap_or(&[]))
            .ok_or(WireError::Truncated)?;
        let mut repr = DhcpRepr::new(opcode, DhcpMessageType::Discover, packet.xid(), chaddr);
        repr.secs = packet.secs();
        repr.broadcast = packet.flags() & FLAG_BROADCAST != 0;
        repr.client_ip = packet.ciaddr();
        repr.your_ip = packet.yiaddr();
        repr.server_ip = packet.siaddr();
        repr.relay_agent_ip = packet.giaddr();
        let mut message_type = None;
        for opt in packet.options() {
            let DhcpOption { code, data } = opt?;
            match code {
                code::MESSAGE_TYPE => {
                    let t = one_byte(data)?;
                    message_type
                        .get_or_insert(DhcpMessageType::from_u8(t).ok_or(WireError::Malformed)?);
                }
                code::SERVER_IDENTIFIER => first(&mut repr.server_identifier, addr(data)?),
                code::REQUESTED_IP => first(&mut repr.requested_ip, addr(data)?),
                code::LEASE_TIME => first(&mut repr.lease_time, be_u32(data)?),
                code::RENEWAL_TIME => first(&mut repr.renewal_time, be_u32(data)?),
                code::REBINDING_TIME => first(&mut repr.rebinding_time, be_u32(data)?),
                code::SUBNET_MASK => first(&mut repr.subnet_mask, addr(data)?),
                code::ROUTER => first(&mut repr.router, addr_list(data)?),
                code::DNS_SERVERS => first(&mut repr.dns_servers, addr_list(data)?),
                code::NTP_SERVERS => first(&mut repr.ntp_servers, addr_list(data)?),
                code::HOSTNAME => first(&mut repr.hostname, non_empty(data)?),
                code::VENDOR_CLASS => first(&mut repr.vendor_class, non_empty(data)?),
                code::CLIENT_ID => first(&mut repr.client_id, at_least(data, 2)?),
                code::PARAMETER_REQUEST_LIST => {
                    first(&mut repr.parameter_request_list, non_empty(data)?);
                }
                code::MAX_MESSAGE_SIZE => {
                    let [a, b] = data else {
                        return Err(WireError::Malformed);
                    };
                    first(&mut repr.max_message_size, u16::from_be_bytes([*a, *b]));
                }
                code::MESSAGE => first(&mut repr.message, non_empty(data)?),
                code::OVERLOAD => {
                    one_byte(data)?;
                }
                _ => {}
            }
        }
        repr.message_type = message_type.ok_or(WireError::Malformed)?;
        Ok(repr)
    }

    /// Bytes a message with an options area of `options_len` bytes takes (at least
    /// [`MIN_MESSAGE_LEN`]).
    pub const fn buffer_len(options_len: usize) -> usize {
        let len = OPTIONS_OFFSET + options_len;
        if len < MIN_MESSAGE_LEN {
            MIN_MESSAGE_LEN
        } else {
            len
        }
    }

    /// Writes the fixed part and the cookie.
    pub fn emit_header<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        packet: &mut DhcpPacket<T>,
    ) -> Result<(), WireError> {
        if packet.buffer.as_ref().len() < OPTIONS_OFFSET {
            return Err(WireError::Truncated);
        }
        packet.clear_header();
        packet.set_op(self.opcode.to_u8());
        packet.set_hardware(HTYPE_ETHERNET, 6);
        packet.set_xid(self.transaction_id);
        packet.set_secs(self.secs);
        packet.set_flags(if self.broadcast { FLAG_BROADCAST } else { 0 });
        packet.set_addrs(
            self.client_ip,
            self.your_ip,
            self.server_ip,
            self.relay_agent_ip,
        );
        packet.set_chaddr(self.client_hardware_addr.as_bytes());
        Ok(())
    }

    /// Appends the options this value holds: message type first, then the others in code
    /// order of RFC 2132's sections as listed in the struct.
    pub fn emit_options(&self, w: &mut DhcpOptionWriter<'_>) -> Result<(), DhcpOptionError> {
        w.append_u8(code::MESSAGE_TYPE, self.message_type.to_u8())?;
        if let Some(a) = self.server_identifier {
            w.append_addr(code::SERVER_IDENTIFIER, a)?;
        }
        if let Some(a) = self.requested_ip {
            w.append_addr(code::REQUESTED_IP, a)?;
        }
        if let Some(t) = self.lease_time {
            w.append_u32(code::LEASE_TIME, t)?;
        }
        if let Some(t) = self.renewal_time {
            w.append_u32(code::RENEWAL_TIME, t)?;
        }
        if let Some(t) = self.rebinding_time {
            w.append_u32(code::REBINDING_TIME, t)?;
        }
        if let Some(a) = self.subnet_mask {
            w.append_addr(code::SUBNET_MASK, a)?;
        }
        let lists = [
            (code::ROUTER, self.router),
            (code::DNS_SERVERS, self.dns_servers),
            (code::NTP_SERVERS, self.ntp_servers),
        ];
        for (code, list) in lists {
            if let Some(list) = list {
                w.append(code, list.as_bytes())?;
            }
        }
        let bytes = [
            (code::HOSTNAME, self.hostname),
            (code::VENDOR_CLASS, self.vendor_class),
            (code::CLIENT_ID, self.client_id),
            (code::PARAMETER_REQUEST_LIST, self.parameter_request_list),
        ];
        for (code, data) in bytes {
            if let Some(data) = data {
                w.append(code, data)?;
            }
        }
        if let Some(size) = self.max_message_size {
            w.append_u16(code::MAX_MESSAGE_SIZE, size)?;
        }
        if let Some(data) = self.message {
            w.append(code::MESSAGE, data)?;
        }
        Ok(())
    }

    /// Writes a whole message into `buf`: the header, this value's options, what `extra`
    /// appends, End, and zero padding to the end of `buf`. `buf` is the message: its length
    /// is the options area plus [`OPTIONS_OFFSET`] (see [`buffer_len`](Self::buffer_len)).
    pub fn emit(
        &self,
        buf: &mut [u8],
        extra: impl FnOnce(&mut DhcpOptionWriter<'_>),
    ) -> Result<(), DhcpEmitError> {
        let mut packet = DhcpPacket::new_unchecked(&mut *buf);
        self.emit_header(&mut packet)
            .map_err(|_| DhcpEmitError::BufferTooSmall)?;
        let mut w = DhcpOptionWriter::new(packet.options_mut());
        self.emit_options(&mut w).map_err(DhcpEmitError::NoRoom)?;
        extra(&mut w);
        w.finish();
        Ok(())
    }
}

/// Why [`DhcpRepr::emit`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DhcpEmitError {
    /// The buffer cannot hold the fixed part.
    BufferTooSmall,
    /// One of the message's own options did not fit.
    NoRoom(DhcpOptionError),
}

impl fmt::Display for DhcpEmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DhcpEmitError::BufferTooSmall => f.write_str("buffer too small for a DHCP message"),
            DhcpEmitError::NoRoom(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for DhcpEmitError {}

fn first<T>(slot: &mut Option<T>, value: T) {
    if slot.is_none() {
        *slot = Some(value);
    }
}

fn one_byte(data: &[u8]) -> Result<u8, WireError> {
    match data {
        [b] => Ok(*b),
        _ => Err(WireError::Malformed),
    }
}

fn addr(data: &[u8]) -> Result<Ipv4Addr, WireError> {
    match data {
        [a, b, c, d] => Ok(Ipv4Addr::new(*a, *b, *c, *d)),
        _ => Err(WireError::Malformed),
    }
}

fn be_u32(data: &[u8]) -> Result<u32, WireError> {
    match data {
        [a, b, c, d] => Ok(u32::from_be_bytes([*a, *b, *c, *d])),
        _ => Err(WireError::Malformed),
    }
}

fn addr_list(data: &[u8]) -> Result<Ipv4AddrList<'_>, WireError> {
    if data.is_empty() {
        return Err(WireError::Malformed);
    }
    Ipv4AddrList::from_bytes(data)
}

fn non_empty(data: &[u8]) -> Result<&[u8], WireError> {
    at_least(data, 1)
}

fn at_least(data: &[u8], n: usize) -> Result<&[u8], WireError> {
    if data.len() < n {
        Err(WireError::Malformed)
    } else {
        Ok(data)
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use super::*;
    use crate::wire::test_util::for_each_mutation;

    const MAC: EthernetAddress = EthernetAddress([0x02, 0, 0, 0, 0, 0x42]);

    fn list(bytes: &[u8]) -> Ipv4AddrList<'_> {
        Ipv4AddrList::from_bytes(bytes).expect("whole addresses")
    }

    fn full_repr<'a>() -> DhcpRepr<'a> {
        DhcpRepr {
            secs: 3,
            broadcast: true,
            client_ip: Ipv4Addr::new(10, 0, 0, 9),
            your_ip: Ipv4Addr::new(10, 0, 0, 10),
            server_ip: Ipv4Addr::new(10, 0, 0, 1),
            relay_agent_ip: Ipv4Addr::new(10, 0, 0, 2),
            server_identifier: Some(Ipv4Addr::new(10, 0, 0, 1)),
            requested_ip: Some(Ipv4Addr::new(10, 0, 0, 10)),
            lease_time: Some(3600),
            renewal_time: Some(1800),
            rebinding_time: Some(3150),
            subnet_mask: Some(Ipv4Addr::new(255, 255, 255, 0)),
            router: Some(list(&[10, 0, 0, 1])),
            dns_servers: Some(list(&[10, 0, 0, 53, 10, 0, 0, 54])),
            ntp_servers: Some(list(&[10, 0, 0, 123])),
            hostname: Some(b"node"),
            vendor_class: Some(b"netstack"),
            client_id: Some(&[1, 2, 0, 0, 0, 0, 0x42]),
            parameter_request_list: Some(&[1, 3, 6, 42]),
            max_message_size: Some(1500),
            message: Some(b"hello"),
            ..DhcpRepr::new(DhcpOpcode::Reply, DhcpMessageType::Ack, 0xdead_beef, MAC)
        }
    }

    fn emit(repr: &DhcpRepr<'_>, options_len: usize) -> Vec<u8> {
        let mut buf = vec![0xaau8; DhcpRepr::buffer_len(options_len)];
        repr.emit(&mut buf, |_| {}).expect("fits");
        buf
    }

    #[test]
    fn every_option_round_trips() {
        let repr = full_repr();
        let buf = emit(&repr, 200);
        let packet = DhcpPacket::new_checked(&buf[..]).expect("valid");
        assert_eq!(packet.magic_cookie(), MAGIC_COOKIE);
        assert_eq!(packet.xid(), 0xdead_beef);
        assert_eq!(packet.flags(), 0x8000);
        assert_eq!(DhcpRepr::parse(&packet), Ok(repr));
    }

    #[test]
    fn golden_discover_bytes() {
        // A DISCOVER as a client sends it: type, client id, parameter list, End.
        let mut repr = DhcpRepr::new(
            DhcpOpcode::Request,
            DhcpMessageType::Discover,
            0x0102_0304,
            MAC,
        );
        repr.client_id = Some(&[1, 0x02, 0, 0, 0, 0, 0x42]);
        repr.parameter_request_list = Some(&[1, 3, 6]);
        let buf = emit(&repr, 60);
        assert_eq!(buf.len(), 300);
        assert_eq!(&buf[..12], &[1, 1, 6, 0, 1, 2, 3, 4, 0, 0, 0, 0]);
        assert_eq!(&buf[28..34], MAC.as_bytes());
        assert!(buf[34..236].iter().all(|&b| b == 0));
        assert_eq!(&buf[236..240], &[99, 130, 83, 99]);
        assert_eq!(
            &buf[240..261],
            &[
                53, 1, 1, 61, 7, 1, 2, 0, 0, 0, 0, 0x42, 55, 3, 1, 3, 6, 255, 0, 0, 0
            ]
        );
        assert!(buf[258..].iter().all(|&b| b == 0));
    }

    #[test]
    fn pad_end_and_overload() {
        let mut repr = DhcpRepr::new(DhcpOpcode::Reply, DhcpMessageType::Offer, 7, MAC);
        repr.your_ip = Ipv4Addr::new(192, 0, 2, 7);
        let mut buf = emit(&repr, 60);
        // Options area: pad, type, overload = both, End.
        let opts = [0, 0, 53, 1, 2, 52, 1, 3, 255];
        buf[240..240 + opts.len()].copy_from_slice(&opts);
        // `file` holds the server id; `sname` the lease time.
        buf[108..115].copy_from_slice(&[54, 4, 192, 0, 2, 1, 255]);
        buf[44..50].copy_from_slice(&[51, 4, 0, 0, 0x0e, 0x10]);
        let packet = DhcpPacket::new_checked(&buf[..]).expect("valid");
        let parsed = DhcpRepr::parse(&packet).expect("parses");
        assert_eq!(parsed.message_type, DhcpMessageType::Offer);
        assert_eq!(parsed.server_identifier, Some(Ipv4Addr::new(192, 0, 2, 1)));
        assert_eq!(parsed.lease_time, Some(3600));
        let codes: Vec<u8> = packet.options().map(|o| o.expect("ok").code).collect();
        assert_eq!(codes, [53, 52, 54, 51]);
        // Without the overload option the other fields are not read.
        buf[245..248].fill(0);
        let packet = DhcpPacket::new_checked(&buf[..]).expect("valid");
        let codes: Vec<u8> = packet.options().map(|o| o.expect("ok").code).collect();
        assert_eq!(codes, [53]);
    }

    #[test]
    fn option_without_end_ends_with_the_buffer() {
        let mut buf = emit(
            &DhcpRepr::new(DhcpOpcode::Reply, DhcpMessageType::Nak, 1, MAC),
            60,
        );
        buf.truncate(243);
        let packet = DhcpPacket::new_checked(&buf[..]).expect("valid");
        assert_eq!(
            DhcpRepr::parse(&packet).map(|r| r.message_type),
            Ok(DhcpMessageType::Nak)
        );
    }

    #[test]
    fn malformed_and_truncated_inputs() {
        let good = emit(&full_repr(), 200);
        // Too short for the header.
        for len in [0, 1, 100, 239] {
            assert_eq!(
                DhcpPacket::new_checked(&good[..len]).err(),
                Some(WireError::Truncated)
            );
        }
        // Not DHCP: no cookie.
        let mut b = good.clone();
        b[236] = 0;
        assert_eq!(
            DhcpPacket::new_checked(&b[..]).err(),
            Some(WireError::Unsupported)
        );
        // An option running past the buffer.
        let cut = {
            let mut v = good[..240].to_vec();
            v.extend_from_slice(&[53, 1, 5, 51, 4, 0, 0]);
            v
        };
        let packet = DhcpPacket::new_checked(&cut[..]).expect("header ok");
        assert_eq!(DhcpRepr::parse(&packet), Err(WireError::Truncated));
        // Wrong lengths for known options.
        for bad in [
            &[53u8, 2, 5, 5][..],
            &[53, 1, 9],
            &[53, 1, 5, 54, 3, 1, 2, 3],
            &[53, 1, 5, 51, 2, 1, 2],
            &[53, 1, 5, 3, 5, 1, 2, 3, 4, 5],
            &[53, 1, 5, 6, 0],
            &[53, 1, 5, 57, 1, 2],
            &[53, 1, 5, 61, 1, 1],
            &[53, 1, 5, 12, 0],
            &[53, 1, 5, 52, 2, 1, 1],
        ] {
            let mut v = good[..240].to_vec();
            v.extend_from_slice(bad);
            v.push(255);
            let packet = DhcpPacket::new_checked(&v[..]).expect("header ok");
            assert_eq!(
                DhcpRepr::parse(&packet),
                Err(WireError::Malformed),
                "{bad:?}"
            );
        }
        // No message type: BOOTP.
        let mut v = good[..240].to_vec();
        v.push(255);
        let packet = DhcpPacket::new_checked(&v[..]).expect("header ok");
        assert_eq!(DhcpRepr::parse(&packet), Err(WireError::Malformed));
        // Not Ethernet.
        let mut v = good.clone();
        v[1] = 6;
        let packet = DhcpPacket::new_checked(&v[..]).expect("header ok");
        assert_eq!(DhcpRepr::parse(&packet), Err(WireError::Unsupported));
        // Unknown op.
        let mut v = good.clone();
        v[0] = 3;
        let packet = DhcpPacket::new_checked(&v[..]).expect("header ok");
        assert_eq!(DhcpRepr::parse(&packet), Err(WireError::Malformed));
    }

    #[test]
    fn unknown_options_are_walked_not_kept() {
        let mut v = emit(
            &DhcpRepr::new(DhcpOpcode::Reply, DhcpMessageType::Ack, 1, MAC),
            60,
        );
        v.truncate(240);
        v.extend_from_slice(&[53, 1, 5, 43, 3, 9, 9, 9, 224, 0, 255]);
        let packet = DhcpPacket::new_checked(&v[..]).expect("valid");
        let opts: Vec<DhcpOption<'_>> = packet.options().map(|o| o.expect("ok")).collect();
        assert_eq!(opts.len(), 3);
        assert_eq!(
            opts[1],
            DhcpOption {
                code: 43,
                data: &[9, 9, 9]
            }
        );
        assert_eq!(
            opts[2],
            DhcpOption {
                code: 224,
                data: &[]
            }
        );
        assert!(DhcpRepr::parse(&packet).is_ok());
    }

    #[test]
    fn writer_is_bounded_and_atomic() {
        let mut area = [0xeeu8; 12];
        let mut w = DhcpOptionWriter::new(&mut area);
        assert_eq!(w.remaining(), 11);
        assert_eq!(w.append_u8(53, 1), Ok(()));
        assert_eq!(w.append_u8(53, 3), Err(DhcpOptionError::Duplicate(53)));
        assert_eq!(w.append(0, &[]), Err(DhcpOptionError::Reserved));
        assert_eq!(w.append(255, &[]), Err(DhcpOptionError::Reserved));
        assert_eq!(w.append(12, &[0; 256]), Err(DhcpOptionError::TooLong));
        assert_eq!(
            w.append(12, b"longname"),
            Err(DhcpOptionError::NoSpace {
                needed: 10,
                available: 8
            })
        );
        assert_eq!(w.len(), 3);
        assert_eq!(w.append(12, b"exact6"), Ok(()));
        assert_eq!(w.remaining(), 0);
        assert_eq!(
            w.append(1, &[]),
            Err(DhcpOptionError::NoSpace {
                needed: 2,
                available: 0
            })
        );
        assert!(w.contains(12));
        assert_eq!(w.finish(), 12);
        assert_eq!(area[11], 255);
        // An area too small for anything.
        let mut tiny: [u8; 0] = [];
        let w = DhcpOptionWriter::new(&mut tiny);
        assert_eq!(w.remaining(), 0);
        assert_eq!(w.finish(), 0);
        let too_many = [Ipv4Addr::UNSPECIFIED; 64];
        let mut area = [0u8; 300];
        let mut w = DhcpOptionWriter::new(&mut area);
        assert_eq!(w.append_addrs(6, &too_many), Err(DhcpOptionError::TooLong));
        assert_eq!(w.append_addrs(6, &too_many[..2]), Ok(()));
        assert_eq!(w.len(), 10);
    }

    #[test]
    fn emit_reports_own_options_that_do_not_fit() {
        let repr = full_repr();
        let mut buf = vec![0u8; OPTIONS_OFFSET + 20];
        assert!(matches!(
            repr.emit(&mut buf, |_| {}),
            Err(DhcpEmitError::NoRoom(DhcpOptionError::NoSpace { .. }))
        ));
        let mut small = vec![0u8; 100];
        assert_eq!(
            repr.emit(&mut small, |_| {}),
            Err(DhcpEmitError::BufferTooSmall)
        );
    }

    #[test]
    fn message_types_round_trip() {
        for code in 0..=255u8 {
            if let Some(t) = DhcpMessageType::from_u8(code) {
                assert_eq!(t.to_u8(), code);
            } else {
                assert!(code == 0 || code > 8);
            }
        }
    }

    #[test]
    fn mutations_never_panic() {
        let seed = emit(&full_repr(), 200);
        for_each_mutation(&[&seed], |data| {
            if let Ok(packet) = DhcpPacket::new_checked(data) {
                for _ in packet.options() {}
                let _ = DhcpRepr::parse(&packet);
            }
        });
    }
}
