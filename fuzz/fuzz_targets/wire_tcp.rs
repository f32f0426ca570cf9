//! TCP: parse over IPv4 and IPv6 pseudo headers (the first bytes choose the addresses),
//! and on success emit the repr with the payload and re-parse to the same value; also walk
//! the option iterator, which must end after at most one error.
#![no_main]

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use libfuzzer_sys::fuzz_target;
use netstack::wire::{ChecksumCheck, TcpOptions, TcpPacket, TcpRepr};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Some((addrs, segment)) = rest.split_at_checked(8) else {
        return;
    };
    let (src, dst) = if selector & 1 == 0 {
        (
            IpAddr::V4(Ipv4Addr::new(addrs[0], addrs[1], addrs[2], addrs[3])),
            IpAddr::V4(Ipv4Addr::new(addrs[4], addrs[5], addrs[6], addrs[7])),
        )
    } else {
        let a = u32::from_be_bytes([addrs[0], addrs[1], addrs[2], addrs[3]]);
        let b = u32::from_be_bytes([addrs[4], addrs[5], addrs[6], addrs[7]]);
        (
            IpAddr::V6(Ipv6Addr::from_bits(0x2001_0db8 << 96 | a as u128)),
            IpAddr::V6(Ipv6Addr::from_bits(0x2001_0db8 << 96 | b as u128)),
        )
    };
    let packet = TcpPacket::new_unchecked(segment);
    if let Ok(checked) = TcpPacket::new_checked(segment) {
        let mut errors = 0;
        for option in TcpOptions::new(checked.options()) {
            assert_eq!(errors, 0, "the iterator stops after an error");
            errors += option.is_err() as usize;
        }
    }
    for check in [ChecksumCheck::Verify, ChecksumCheck::Skip] {
        let Ok(repr) = TcpRepr::parse(&packet, &src, &dst, check) else {
            continue;
        };
        assert!(repr.header_len() <= 60 && repr.header_len() % 4 == 0);
        let mut out = vec![0u8; repr.buffer_len()];
        repr.emit(
            &mut TcpPacket::new_unchecked(&mut out[..]),
            &src,
            &dst,
            packet.payload(),
        )
        .expect("buffer_len is enough");
        let again = TcpRepr::parse(
            &TcpPacket::new_unchecked(&out[..]),
            &src,
            &dst,
            ChecksumCheck::Verify,
        );
        assert_eq!(again, Ok(repr));
    }
});
