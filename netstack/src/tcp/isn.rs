//! Initial sequence numbers per RFC 6528 (RFC 9293 §3.4.1):
//! `ISN = M + F(localip, localport, remoteip, remoteport, secretkey)`.
//!
//! - `M` is a timer ticking every 4 µs, derived from the stack's millisecond clock (250
//!   ticks per ms), so successive connections of one 4-tuple get increasing ISNs and old
//!   duplicates of an earlier incarnation fall outside the new window (RFC 9293 §3.4.1).
//! - `F` is SipHash-2-4 (Aumasson & Bernstein, 2012) keyed with a 128-bit secret, over both
//!   addresses (IPv4 as IPv4-mapped IPv6, so one layout serves both families) and ports;
//!   the low 32 bits are used. Without the key an off-path attacker cannot predict the
//!   ISN of another connection from its own (RFC 6528 §3).
//!
//! This is the `default` implementation of ESP-IDF's `LWIP_HOOK_TCP_ISN` hook point
//! (`hook_tcp_isn`). The secret must come from a real entropy source (the product's
//! hardware RNG), once per boot; the stack's seeded `rand::Rng` is
//! reproducible by design and so is only fit for simulations.

use core::net::IpAddr;

use super::seq::TcpSeqNumber;
use crate::time::Instant;

/// SipHash-2-4 of `data` under `key`: the reference algorithm's 64-bit output (key and
/// message words little-endian).
pub fn siphash24(key: &[u8; 16], data: &[u8]) -> u64 {
    let k0 = u64::from_le_bytes([
        key[0], key[1], key[2], key[3], key[4], key[5], key[6], key[7],
    ]);
    let k1 = u64::from_le_bytes([
        key[8], key[9], key[10], key[11], key[12], key[13], key[14], key[15],
    ]);
    let mut v = [
        k0 ^ 0x736f_6d65_7073_6575,
        k1 ^ 0x646f_7261_6e64_6f6d,
        k0 ^ 0x6c79_6765_6e65_7261,
        k1 ^ 0x7465_6462_7974_6573,
    ];
    let (words, tail) = data.as_chunks::<8>();
    for word in words {
        let m = u64::from_le_bytes(*word);
        v[3] ^= m;
        sip_round(&mut v);
        sip_round(&mut v);
        v[0] ^= m;
    }
    let mut last = [0u8; 8];
    last[..tail.len()].copy_from_slice(tail);
    last[7] = data.len() as u8;
    let m = u64::from_le_bytes(last);
    v[3] ^= m;
    sip_round(&mut v);
    sip_round(&mut v);
    v[0] ^= m;
    v[2] ^= 0xff;
    for _ in 0..4 {
        sip_round(&mut v);
    }
    v[0] ^ v[1] ^ v[2] ^ v[3]
}

#[inline(always)]
fn sip_round(v: &mut [u64; 4]) {
    v[0] = v[0].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(13) ^ v[0];
    v[0] = v[0].rotate_left(32);
    v[2] = v[2].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(16) ^ v[2];
    v[0] = v[0].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(21) ^ v[0];
    v[2] = v[2].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(17) ^ v[2];
    v[2] = v[2].rotate_left(32);
}

/// RFC 6528 ISN generator: the secret key and the formula.
#[derive(Clone, PartialEq, Eq)]
pub struct IsnGenerator {
    key: [u8; 16],
}

impl core::fmt::Debug for IsnGenerator {
    /// The key is secret: it is not printed.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("IsnGenerator { .. }")
    }
}

impl IsnGenerator {
    /// 4 µs timer ticks per millisecond (RFC 9293 §3.4.1).
    pub const TICKS_PER_MS: u32 = 250;

    /// A generator keyed with a 128-bit secret from an entropy source.
    #[inline]
    pub const fn new(secret: [u8; 16]) -> IsnGenerator {
        IsnGenerator { key: secret }
    }

    /// `M`: the 4 µs timer at `now`, modulo 2^32.
    #[inline]
    pub fn clock(now: Instant) -> u32 {
        (now.millis() as u32).wrapping_mul(Self::TICKS_PER_MS)
    }

    /// `F`: the keyed hash of the connection's 4-tuple.
    pub fn offset(
        &self,
        local_addr: IpAddr,
        local_port: u16,
        remote_addr: IpAddr,
        remote_port: u16,
    ) -> u32 {
        let mut msg = [0u8; 36];
        msg[..16].copy_from_slice(&v6_octets(local_addr));
        msg[16..18].copy_from_slice(&local_port.to_be_bytes());
        msg[18..34].copy_from_slice(&v6_octets(remote_addr));
        msg[34..36].copy_from_slice(&remote_port.to_be_bytes());
        siphash24(&self.key, &msg) as u32
    }

    /// The initial sequence number for a connection opened at `now`: `M + F`.
    pub fn isn(
        &self,
        local_addr: IpAddr,
        local_port: u16,
        remote_addr: IpAddr,
        remote_port: u16,
        now: Instant,
    ) -> TcpSeqNumber {
        let f = self.offset(local_addr, local_port, remote_addr, remote_port);
        TcpSeqNumber(Self::clock(now).wrapping_add(f))
    }
}

fn v6_octets(addr: IpAddr) -> [u8; 16] {
    match addr {
        IpAddr::V4(a) => a.to_ipv6_mapped().octets(),
        IpAddr::V6(a) => a.octets(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::net::{Ipv4Addr, Ipv6Addr};

    /// The SipHash-2-4 test vectors of the reference implementation (`vectors.h`): key
    /// 00..0f, message 00..(n-1) for n = 0..63. Entry 15 is the paper's Appendix A example.
    const VECTORS: [u64; 64] = [
        0x726fdb47dd0e0e31,
        0x74f839c593dc67fd,
        0x0d6c8009d9a94f5a,
        0x85676696d7fb7e2d,
        0xcf2794e0277187b7,
        0x18765564cd99a68d,
        0xcbc9466e58fee3ce,
        0xab0200f58b01d137,
        0x93f5f5799a932462,
        0x9e0082df0ba9e4b0,
        0x7a5dbbc594ddb9f3,
        0xf4b32f46226bada7,
        0x751e8fbc860ee5fb,
        0x14ea5627c0843d90,
        0xf723ca908e7af2ee,
        0xa129ca6149be45e5,
        0x3f2acc7f57c29bdb,
        0x699ae9f52cbe4794,
        0x4bc1b3f0968dd39c,
        0xbb6dc91da77961bd,
        0xbed65cf21aa2ee98,
        0xd0f2cbb02e3b67c7,
        0x93536795e3a33e88,
        0xa80c038ccd5ccec8,
        0xb8ad50c6f649af94,
        0xbce192de8a85b8ea,
        0x17d835b85bbb15f3,
        0x2f2e6163076bcfad,
        0xde4daaaca71dc9a5,
        0xa6a2506687956571,
        0xad87a3535c49ef28,
        0x32d892fad841c342,
        0x7127512f72f27cce,
        0xa7f32346f95978e3,
        0x12e0b01abb051238,
        0x15e034d40fa197ae,
        0x314dffbe0815a3b4,
        0x027990f029623981,
        0xcadcd4e59ef40c4d,
        0x9abfd8766a33735c,
        0x0e3ea96b5304a7d0,
        0xad0c42d6fc585992,
        0x187306c89bc215a9,
        0xd4a60abcf3792b95,
        0xf935451de4f21df2,
        0xa9538f0419755787,
        0xdb9acddff56ca510,
        0xd06c98cd5c0975eb,
        0xe612a3cb9ecba951,
        0xc766e62cfcadaf96,
        0xee64435a9752fe72,
        0xa192d576b245165a,
        0x0a8787bf8ecb74b2,
        0x81b3e73d20b49b6f,
        0x7fa8220ba3b2ecea,
        0x245731c13ca42499,
        0xb78dbfaf3a8d83bd,
        0xea1ad565322a1a0b,
        0x60e61c23a3795013,
        0x6606d7e446282b93,
        0x6ca4ecb15c5f91e1,
        0x9f626da15c9625f3,
        0xe51b38608ef25f57,
        0x958a324ceb064572,
    ];

    #[test]
    fn siphash_reference_vectors() {
        let mut key = [0u8; 16];
        for (i, k) in key.iter_mut().enumerate() {
            *k = i as u8;
        }
        let mut msg = [0u8; 64];
        for (i, m) in msg.iter_mut().enumerate() {
            *m = i as u8;
        }
        for (len, expect) in VECTORS.iter().enumerate() {
            assert_eq!(siphash24(&key, &msg[..len]), *expect, "length {len}");
        }
    }

    const A: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 168, 1, 10));
    const B: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 168, 1, 1));

    #[test]
    fn isn_grows_with_time_for_one_tuple() {
        let g = IsnGenerator::new([7; 16]);
        let mut prev = (0u64, g.isn(A, 40000, B, 80, Instant::ZERO));
        assert_eq!(prev.1.0, g.offset(A, 40000, B, 80));
        for ms in [1u64, 2, 10, 1000, 60_000, 3_600_000, 8_000_000] {
            let isn = g.isn(A, 40000, B, 80, Instant::from_millis(ms));
            // 250 ticks per ms, modulo 2^32 (wraps after ~4.77 h).
            let ticks = ((ms - prev.0) as u32).wrapping_mul(250);
            assert_eq!(isn.0.wrapping_sub(prev.1.0), ticks, "{ms}");
            prev = (ms, isn);
        }
        // Monotonic in sequence space while less than 2^31 ticks (~2.4 h) apart.
        let t0 = g.isn(A, 1, B, 2, Instant::from_millis(5));
        let t1 = g.isn(A, 1, B, 2, Instant::from_millis(6));
        let t2 = g.isn(A, 1, B, 2, Instant::from_millis(2 * 3_600_000));
        assert!(t0 < t1 && t1 < t2);
        assert_eq!(t1 - t0, 250);
    }

    #[test]
    fn isn_depends_on_every_tuple_field_and_the_key() {
        let g = IsnGenerator::new(*b"0123456789abcdef");
        let now = Instant::from_millis(12345);
        let base = g.isn(A, 40000, B, 80, now);
        let a6 = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1));
        for other in [
            g.isn(B, 40000, B, 80, now),
            g.isn(A, 40001, B, 80, now),
            g.isn(A, 40000, A, 80, now),
            g.isn(A, 40000, B, 81, now),
            g.isn(B, 80, A, 40000, now),
            g.isn(a6, 40000, B, 80, now),
            IsnGenerator::new(*b"0123456789abcdeg").isn(A, 40000, B, 80, now),
        ] {
            assert_ne!(other, base);
        }
        // Deterministic for one key.
        assert_eq!(g.isn(A, 40000, B, 80, now), base);
        use alloc::format;
        assert_eq!(format!("{g:?}"), "IsnGenerator { .. }");
    }
}
