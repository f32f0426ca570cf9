//! The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum
//! of the data taken as big-endian 16-bit words, plus the IPv4/IPv6 pseudo headers that UDP,
//! TCP and ICMPv6 include in theirs (RFC 768, RFC 9293 §3.1, RFC 8200 §8.1).
//!
//! [`Checksum`] is an accumulator: feed it the pieces of a packet in order (a pseudo header,
//! a header, a payload written in place, even pieces of odd length) and `finish()` gives the
//! value to store. The sum is computed on little-endian 16-bit words (no byte swapping in
//! the loop) in 32-bit lanes, which the compiler vectorises, then folded and byte-swapped
//! once at the end (RFC 1071 §2 (B), (C)).

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::ip::IpProtocol;

/// A running one's complement sum (RFC 1071), not yet complemented.
///
/// Pieces may have any length: a piece that starts at an odd offset of the stream is
/// byte-swapped before it is added (RFC 1071 §2 (B), byte order independence), so
/// `new().add_bytes(a).add_bytes(b)` equals `new().add_bytes(a ++ b)`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Checksum {
    /// Unfolded sum: 16-bit words and 32-bit values (a 32-bit value counts as its two
    /// words, since 2^16 ≡ 1 modulo 2^16 − 1) added as they come, folded once when the
    /// result is asked for. 64 bits hold 2^48 words: no piece of a packet comes near.
    sum: u64,
    /// Whether the bytes added so far have odd length.
    odd: bool,
}

impl PartialEq for Checksum {
    /// Equal when the folded sums and the parities are: two accumulators that took the
    /// same bytes in different pieces compare equal.
    fn eq(&self, other: &Checksum) -> bool {
        self.sum() == other.sum() && self.odd == other.odd
    }
}

impl Eq for Checksum {}

impl Checksum {
    /// An empty sum.
    #[inline]
    pub const fn new() -> Checksum {
        Checksum { sum: 0, odd: false }
    }

    /// Adds bytes that follow everything added so far in the checksummed stream.
    #[inline]
    pub fn add_bytes(self, data: &[u8]) -> Checksum {
        // Summed in the machine's little-endian order and swapped once (RFC 1071 §2 (B):
        // the sum is byte-order independent), so the loop needs no per-word byte swap.
        let piece = fold64(sum_le_words(data)).swap_bytes();
        self.add_piece(piece, data.len() % 2 == 1)
    }

    /// Adds a 16-bit value as one word of the sum (pseudo-header fields, a length, a
    /// protocol number). Does not change the byte-stream parity.
    #[inline]
    pub const fn add_u16(self, word: u16) -> Checksum {
        Checksum {
            sum: self.sum + word as u64,
            odd: self.odd,
        }
    }

    /// Adds a 32-bit value as two words of the sum. Does not change the byte-stream parity.
    #[inline]
    pub const fn add_u32(self, value: u32) -> Checksum {
        Checksum {
            sum: self.sum + value as u64,
            odd: self.odd,
        }
    }

    /// Appends another running sum, as if its bytes followed ours in the stream.
    #[inline]
    pub const fn combine(self, other: Checksum) -> Checksum {
        self.add_piece(fold64(other.sum), other.odd)
    }

    #[inline]
    const fn add_piece(self, piece: u16, piece_odd: bool) -> Checksum {
        let piece = if self.odd { piece.swap_bytes() } else { piece };
        Checksum {
            sum: self.sum + piece as u64,
            odd: self.odd ^ piece_odd,
        }
    }

    /// The one's complement sum folded to 16 bits, not complemented. A packet whose stored
    /// checksum is correct sums to `0xffff`.
    #[inline]
    pub const fn sum(self) -> u16 {
        fold64(self.sum)
    }

    /// The checksum to store: the one's complement of the sum.
    #[inline]
    pub const fn finish(self) -> u16 {
        !self.sum()
    }

    /// Whether data that includes its own checksum field verifies (sums to `0xffff`).
    #[inline]
    pub const fn is_valid(self) -> bool {
        self.sum() == 0xffff
    }
}

/// The checksum to store for `data` (RFC 1071).
#[inline]
pub fn checksum(data: &[u8]) -> u16 {
    Checksum::new().add_bytes(data).finish()
}

/// Whether `data`, which includes its own checksum field, verifies.
#[inline]
pub fn verify(data: &[u8]) -> bool {
    Checksum::new().add_bytes(data).is_valid()
}

/// The IPv4 pseudo header of UDP and TCP (RFC 768, RFC 9293 §3.1): source, destination,
/// zero, protocol, and the transport length (header + data).
#[inline]
pub fn pseudo_header_v4(
    src_addr: &Ipv4Addr,
    dst_addr: &Ipv4Addr,
    protocol: IpProtocol,
    length: u16,
) -> Checksum {
    v4_words(*src_addr, *dst_addr, protocol, u32::from(length))
}

/// The IPv4 pseudo header summed as 32-bit values in one 64-bit accumulator and folded
/// once (2^16 ≡ 1 modulo 2^16 − 1, so a 32-bit value counts as its two 16-bit words).
#[inline]
fn v4_words(src: Ipv4Addr, dst: Ipv4Addr, protocol: IpProtocol, length: u32) -> Checksum {
    let sum = u64::from(src.to_bits())
        + u64::from(dst.to_bits())
        + u64::from(u8::from(protocol))
        + u64::from(length);
    Checksum { sum, odd: false }
}

/// The IPv6 pseudo header (RFC 8200 §8.1): source, destination, 32-bit upper-layer length,
/// zeros, next header.
#[inline]
pub fn pseudo_header_v6(
    src_addr: &Ipv6Addr,
    dst_addr: &Ipv6Addr,
    protocol: IpProtocol,
    length: u32,
) -> Checksum {
    Checksum::new()
        .add_bytes(&src_addr.octets())
        .add_bytes(&dst_addr.octets())
        .add_u32(length)
        .add_u16(u8::from(protocol) as u16)
}

/// The pseudo header for either version. The two layouts sum alike, so addresses of mixed
/// versions give a well-defined (if meaningless) sum rather than a panic.
#[inline(always)]
pub fn pseudo_header(
    src_addr: &IpAddr,
    dst_addr: &IpAddr,
    protocol: IpProtocol,
    length: u32,
) -> Checksum {
    match (src_addr, dst_addr) {
        // An IPv4 transport length always fits the 16-bit field; the full value is added
        // anyway so nothing is silently dropped. (IPv4 inline: a handful of additions.)
        (IpAddr::V4(s), IpAddr::V4(d)) => v4_words(*s, *d, protocol, length),
        addrs => pseudo_header_other(addrs, protocol, length),
    }
}

/// [`pseudo_header`] for IPv6 and mixed versions (the source and destination as a pair).
#[inline(never)]
fn pseudo_header_other(addrs: (&IpAddr, &IpAddr), protocol: IpProtocol, length: u32) -> Checksum {
    let (src_addr, dst_addr) = addrs;
    match addrs {
        (IpAddr::V6(s), IpAddr::V6(d)) => pseudo_header_v6(s, d, protocol, length),
        _ => Checksum::new()
            .add_bytes(&ip_octets(src_addr))
            .add_bytes(&ip_octets(dst_addr))
            .add_u32(length)
            .add_u16(u8::from(protocol) as u16),
    }
}

fn ip_octets(addr: &IpAddr) -> [u8; 16] {
    match addr {
        IpAddr::V4(a) => a.to_ipv6_mapped().octets(),
        IpAddr::V6(a) => a.octets(),
    }
}

/// Updates a stored checksum after one 16-bit word of the covered data changed from `old`
/// to `new` (RFC 1624 §3, eqn. 3: `HC' = ~(~HC + ~m + m')`), e.g. a TTL decrement when
/// forwarding.
#[inline]
pub const fn adjust(checksum: u16, old: u16, new: u16) -> u16 {
    let sum = (!checksum) as u32 + (!old) as u32 + new as u32;
    !(fold32(sum) as u16)
}

/// One's complement sum of `data` as little-endian 16-bit words (a last odd byte
/// zero-padded on the right), not yet folded. Since 2^16 ≡ 1 (mod 2^16 − 1), folded to 16
/// bits it is the byte swap of the big-endian 16-bit sum RFC 1071 defines (§2 (A), (B)).
///
/// The words of each 64-byte block go into 32 independent 32-bit lanes, which the
/// compiler turns into vector additions (SSE2 on x86-64, NEON on AArch64): no carries to
/// propagate, and a lane cannot overflow within a 64 KiB piece (1024 words of at most
/// 0xffff each), after which the lanes are added into the 64-bit total.
#[inline]
fn sum_le_words(data: &[u8]) -> u64 {
    const LANES: usize = 32;
    const PIECE: usize = 64 * 1024;
    let mut total = 0u64;
    for piece in data.chunks(PIECE) {
        let (blocks, rest) = piece.as_chunks::<{ 2 * LANES }>();
        let mut lanes = [0u32; LANES];
        for block in blocks {
            for (lane, word) in lanes.iter_mut().zip(block.as_chunks::<2>().0) {
                *lane += u32::from(u16::from_le_bytes(*word));
            }
        }
        total += lanes.iter().map(|&l| u64::from(l)).sum::<u64>();
        let (words, odd) = rest.as_chunks::<2>();
        total += words
            .iter()
            .map(|w| u64::from(u16::from_le_bytes(*w)))
            .sum::<u64>();
        if let [last] = odd {
            total += u64::from(*last);
        }
    }
    total
}

/// Folds a 64-bit sum to 16 bits with end-around carry.
#[inline]
const fn fold64(sum: u64) -> u16 {
    let s = (sum & 0xffff_ffff) + (sum >> 32);
    let s = (s & 0xffff_ffff) + (s >> 32);
    fold32(s as u32) as u16
}

/// Folds a 32-bit sum to 16 bits with end-around carry.
#[inline]
const fn fold32(sum: u32) -> u32 {
    let s = (sum & 0xffff) + (sum >> 16);
    (s & 0xffff) + (s >> 16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::test_util::Rng;
    use alloc::vec::Vec;

    /// The obvious RFC 1071 reference: 16-bit words, fold at the end.
    fn reference(data: &[u8]) -> u16 {
        let mut sum: u64 = 0;
        for pair in data.chunks(2) {
            let hi = pair[0] as u64;
            let lo = pair.get(1).copied().unwrap_or(0) as u64;
            sum += (hi << 8) | lo;
        }
        while sum > 0xffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        !(sum as u16)
    }

    #[test]
    fn rfc1071_example() {
        // RFC 1071 §3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2.
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(Checksum::new().add_bytes(&data).sum(), 0xddf2);
        assert_eq!(checksum(&data), !0xddf2);
    }

    #[test]
    fn real_ipv4_header() {
        // Linux ping 192.168.1.10 -> 192.168.1.1, checksum 0x7cf1 stored.
        let header = [
            0x45, 0x00, 0x00, 0x54, 0x3a, 0x5c, 0x40, 0x00, 0x40, 0x01, 0x7c, 0xf1, 0xc0, 0xa8,
            0x01, 0x0a, 0xc0, 0xa8, 0x01, 0x01,
        ];
        assert!(verify(&header));
        let mut h = header;
        h[10] = 0;
        h[11] = 0;
        assert_eq!(checksum(&h), 0x7cf1);
    }

    #[test]
    fn matches_reference_on_long_and_saturated_data() {
        let mut rng = Rng::new(11);
        for len in (0..1600).step_by(7).chain(1400..1520) {
            for fill in [0x00u8, 0xff, 0x80, 0x7f] {
                let data = alloc::vec![fill; len];
                assert_eq!(
                    checksum(&data),
                    reference(&data),
                    "len {len} fill {fill:#x}"
                );
            }
            let data: Vec<u8> = (0..len)
                .map(|_| if rng.below(4) == 0 { rng.byte() } else { 0xff })
                .collect();
            assert_eq!(checksum(&data), reference(&data), "len {len} mostly 0xff");
            for offset in 1..8.min(len + 1) {
                assert_eq!(
                    checksum(&data[offset..]),
                    reference(&data[offset..]),
                    "len {len} offset {offset}"
                );
            }
        }
    }

    #[test]
    fn matches_reference_and_splits() {
        let mut rng = Rng::new(7);
        for len in 0..300 {
            let data: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
            let expect = reference(&data);
            assert_eq!(checksum(&data), expect, "len {len}");
            // Any split into pieces gives the same result.
            for _ in 0..4 {
                let a = rng.below(len + 1);
                let b = a + rng.below(len - a + 1);
                let split = Checksum::new()
                    .add_bytes(&data[..a])
                    .add_bytes(&data[a..b])
                    .add_bytes(&data[b..]);
                assert_eq!(split.finish(), expect, "len {len} split {a} {b}");
                let combined = Checksum::new()
                    .add_bytes(&data[..a])
                    .combine(Checksum::new().add_bytes(&data[a..]));
                assert_eq!(combined.finish(), expect);
            }
        }
    }

    #[test]
    fn all_ones_data() {
        let data = [0xffu8; 4096];
        assert_eq!(checksum(&data), reference(&data));
        assert_eq!(checksum(&[]), 0xffff);
    }

    #[test]
    fn adjust_matches_recompute() {
        let mut rng = Rng::new(99);
        for _ in 0..1000 {
            let mut data: Vec<u8> = (0..20).map(|_| rng.byte()).collect();
            let before = checksum(&data);
            let i = rng.below(10) * 2;
            let old = u16::from_be_bytes([data[i], data[i + 1]]);
            let new = rng.next_u64() as u16;
            data[i..i + 2].copy_from_slice(&new.to_be_bytes());
            let after = checksum(&data);
            let adjusted = adjust(before, old, new);
            // 0x0000 and 0xffff are the same value in one's complement.
            assert!(
                adjusted == after
                    || (adjusted ^ after) == 0xffff && (after == 0 || after == 0xffff),
                "{adjusted:#x} vs {after:#x}"
            );
        }
    }

    #[test]
    fn pseudo_headers() {
        let s = Ipv4Addr::new(192, 168, 1, 10);
        let d = Ipv4Addr::new(192, 168, 1, 1);
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&s.octets());
        bytes.extend_from_slice(&d.octets());
        bytes.extend_from_slice(&[0, 17, 0, 40]);
        let expect = Checksum::new().add_bytes(&bytes).sum();
        assert_eq!(pseudo_header_v4(&s, &d, IpProtocol::Udp, 40).sum(), expect);
        assert_eq!(
            pseudo_header(&s.into(), &d.into(), IpProtocol::Udp, 40).sum(),
            expect
        );

        let s6 = Ipv6Addr::new(0xfe80, 0, 0, 0, 1, 2, 3, 4);
        let d6 = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&s6.octets());
        bytes.extend_from_slice(&d6.octets());
        bytes.extend_from_slice(&[0, 1, 0, 8, 0, 0, 0, 58]);
        let expect = Checksum::new().add_bytes(&bytes).sum();
        assert_eq!(
            pseudo_header_v6(&s6, &d6, IpProtocol::Icmpv6, 0x10008).sum(),
            expect
        );
        assert_eq!(
            pseudo_header(&s6.into(), &d6.into(), IpProtocol::Icmpv6, 0x10008).sum(),
            expect
        );
        // Mixed versions: defined, no panic.
        let _ = pseudo_header(&s.into(), &d6.into(), IpProtocol::Udp, 8).finish();
    }
}
