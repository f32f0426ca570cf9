//! Wire formats: zero-copy views over packet bytes and the `Repr` structs they parse into.
//!
//! Every header has its own file with two halves:
//!
//! - a **view** (`EthernetFrame<T>`, `Ipv4Packet<T>`, ...) wrapping any `T: AsRef<[u8]>`
//!   (and `AsMut<[u8]>` for the setters). `new_checked` validates that every fixed field and
//!   every length field fits in the buffer; after that the accessors cannot panic.
//!   `new_unchecked` skips the check (for emitting into a buffer the caller sized with
//!   `buffer_len()`); its accessors panic on a buffer that is too short, never on its content.
//! - a **`Repr`**: a plain value (addresses, ports, flags, payload length) that `parse`s from
//!   a view and `emit`s into one, symmetrically. `parse` always re-validates the view, so it
//!   never panics on any input and never trusts a length field past the buffer; `emit`
//!   returns [`WireError::Truncated`] instead of panicking when the buffer is too small, and
//!   every `Repr` has a `buffer_len()` telling how much room it needs.
//!
//! Addresses are the `core::net` types ([`Ipv4Addr`], [`Ipv6Addr`], [`IpAddr`]) so the core
//! is dual-stack from the start and needs no conversions at the API boundary; the helpers
//! they lack live in the [`Ipv4AddrExt`] and [`IpAddrExt`] extension traits.
//!
//! Nothing here allocates. Checksums use the RFC 1071 one's complement sum in
//! [`checksum`], which also serves for building packets in place.

use core::fmt;

pub mod arp;
pub mod checksum;
pub mod dhcpv4;
pub mod ethernet;
pub mod icmpv4;
pub mod igmp;
pub mod ip;
pub mod ipv4;
pub mod tcp;
pub mod udp;

pub use arp::{ArpHardware, ArpOperation, ArpPacket, ArpRepr};
pub use checksum::Checksum;
pub use dhcpv4::{
    DhcpEmitError, DhcpMessageType, DhcpOpcode, DhcpOption, DhcpOptionError, DhcpOptionWriter,
    DhcpOptions, DhcpPacket, DhcpRepr,
};
pub use ethernet::{EtherType, EthernetAddress, EthernetFrame, EthernetRepr, VlanTag};
pub use icmpv4::{
    Icmpv4DstUnreachable, Icmpv4InvokingPacket, Icmpv4Message, Icmpv4Packet, Icmpv4Repr,
    Icmpv4TimeExceeded,
};
pub use igmp::{
    GroupRecord, GroupRecordType, GroupRecords, IgmpMessage, IgmpPacket, IgmpRepr,
    IgmpV3ReportWriter, IgmpVersion, Ipv4AddrList,
};
pub use ip::{
    IpAddrExt, IpCidr, IpEndpoint, IpProtocol, IpVersion, Ipv4AddrExt, Ipv4Cidr, Ipv6Cidr,
};
pub use ipv4::{Ipv4Packet, Ipv4Repr};
pub use tcp::{SackBlock, TcpControl, TcpOption, TcpOptions, TcpPacket, TcpRepr, TcpTimestamp};
pub use udp::{UdpPacket, UdpRepr};

pub use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why a packet could not be parsed or emitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WireError {
    /// The buffer is shorter than a header, or than a length field says the packet is;
    /// when emitting, the buffer is smaller than the `Repr`'s `buffer_len()`.
    Truncated,
    /// A field holds a value the format does not allow (IPv4 IHL below 5, a length field
    /// shorter than its own header, a wrong version number, a length not a multiple of 4...).
    Malformed,
    /// The checksum does not match the content.
    BadChecksum,
    /// The packet is well formed but of a kind this stack does not handle (ARP for a
    /// hardware type other than Ethernet, an unknown IGMP message type, ...).
    Unsupported,
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WireError::Truncated => "truncated packet",
            WireError::Malformed => "malformed packet",
            WireError::BadChecksum => "bad checksum",
            WireError::Unsupported => "unsupported packet",
        })
    }
}

impl core::error::Error for WireError {}

/// Whether `parse` verifies a checksum on input.
///
/// lwIP makes input verification a per-protocol option (`CHECKSUM_CHECK_IP`,
/// `CHECKSUM_CHECK_UDP`, `CHECKSUM_CHECK_ICMP`): a NIC that verified the checksum in hardware
/// lets the stack skip it. `ChecksumCheck::from(config::CHECKSUM_CHECK_UDP)` maps the option.
/// Emitting always fills checksums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ChecksumCheck {
    /// Verify the checksum; a mismatch is [`WireError::BadChecksum`].
    #[default]
    Verify,
    /// Accept the packet whatever its checksum field holds.
    Skip,
}

impl ChecksumCheck {
    /// True when the checksum must be verified.
    #[inline]
    pub const fn verify(self) -> bool {
        matches!(self, ChecksumCheck::Verify)
    }
}

impl From<bool> for ChecksumCheck {
    /// `true` → [`ChecksumCheck::Verify`], `false` → [`ChecksumCheck::Skip`].
    #[inline]
    fn from(verify: bool) -> Self {
        if verify {
            ChecksumCheck::Verify
        } else {
            ChecksumCheck::Skip
        }
    }
}

/// Big-endian field access shared by the views. The callers have checked the bounds (or
/// are documented to panic on a too-short buffer, as `new_unchecked` views are).
#[inline]
pub(crate) fn read_u16(data: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([data[at], data[at + 1]])
}

#[inline]
pub(crate) fn write_u16(data: &mut [u8], at: usize, value: u16) {
    data[at..at + 2].copy_from_slice(&value.to_be_bytes());
}

#[inline]
pub(crate) fn read_u32(data: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]])
}

#[inline]
pub(crate) fn write_u32(data: &mut [u8], at: usize, value: u32) {
    data[at..at + 4].copy_from_slice(&value.to_be_bytes());
}

#[inline]
pub(crate) fn read_ipv4(data: &[u8], at: usize) -> Ipv4Addr {
    Ipv4Addr::new(data[at], data[at + 1], data[at + 2], data[at + 3])
}

#[inline]
pub(crate) fn write_ipv4(data: &mut [u8], at: usize, addr: Ipv4Addr) {
    data[at..at + 4].copy_from_slice(&addr.octets());
}

#[cfg(test)]
pub(crate) mod test_util {
    //! Helpers for the robustness tests: a tiny deterministic PRNG and a mutation driver.

    use alloc::vec::Vec;

    /// xorshift64*: deterministic, dependency-free.
    pub(crate) struct Rng(u64);

    impl Rng {
        pub(crate) fn new(seed: u64) -> Rng {
            Rng(seed | 1)
        }

        pub(crate) fn next_u64(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            self.0 = x;
            x.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        pub(crate) fn below(&mut self, n: usize) -> usize {
            if n == 0 {
                0
            } else {
                (self.next_u64() % n as u64) as usize
            }
        }

        pub(crate) fn byte(&mut self) -> u8 {
            self.next_u64() as u8
        }
    }

    /// Calls `f` with: every truncation of every seed, random buffers of random length, and
    /// many random mutations (bit flips, byte sets, truncations, extensions) of the seeds.
    pub(crate) fn for_each_mutation(seeds: &[&[u8]], mut f: impl FnMut(&[u8])) {
        for seed in seeds {
            for len in 0..=seed.len() {
                f(&seed[..len]);
            }
        }
        let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15);
        for _ in 0..2000 {
            let len = rng.below(100);
            let buf: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
            f(&buf);
        }
        for seed in seeds {
            for _ in 0..3000 {
                let mut buf: Vec<u8> = seed.to_vec();
                for _ in 0..=rng.below(4) {
                    match rng.below(5) {
                        0 if !buf.is_empty() => {
                            let i = rng.below(buf.len());
                            buf[i] ^= 1 << rng.below(8);
                        }
                        1 if !buf.is_empty() => {
                            let i = rng.below(buf.len());
                            buf[i] = rng.byte();
                        }
                        2 => {
                            let len = rng.below(buf.len() + 1);
                            buf.truncate(len);
                        }
                        3 => {
                            for _ in 0..rng.below(16) {
                                buf.push(rng.byte());
                            }
                        }
                        _ if !buf.is_empty() => {
                            // Set a byte to an edge value: lengths and counts love these.
                            let i = rng.below(buf.len());
                            buf[i] = [0x00, 0x01, 0x04, 0x05, 0x0f, 0x45, 0x7f, 0x80, 0xff]
                                [rng.below(9)];
                        }
                        _ => {}
                    }
                }
                f(&buf);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_display() {
        use alloc::string::ToString;
        assert_eq!(WireError::Truncated.to_string(), "truncated packet");
        assert_eq!(WireError::BadChecksum.to_string(), "bad checksum");
    }

    #[test]
    fn checksum_check_from_bool() {
        assert_eq!(ChecksumCheck::from(true), ChecksumCheck::Verify);
        assert_eq!(ChecksumCheck::from(false), ChecksumCheck::Skip);
        assert!(ChecksumCheck::Verify.verify());
        assert!(!ChecksumCheck::Skip.verify());
    }
}
