//! Unit tests of the TCP segment view and `TcpRepr`: parse and emit, options, checksums, gathered emission.

use super::*;

#[test]
fn the_checksum_summed_from_the_values_is_the_checksum_of_the_bytes() -> Result<(), WireError> {
    let mut rng = Rng::new(0x51);
    let controls = [
        TcpControl::None,
        TcpControl::Syn,
        TcpControl::Fin,
        TcpControl::Rst,
    ];
    for _ in 0..3000 {
        let seq = |rng: &mut Rng| TcpSeqNumber(rng.next_u64() as u32);
        let mut sack_ranges = [None; MAX_SACK_BLOCKS];
        for slot in sack_ranges.iter_mut().take(rng.below(MAX_SACK_BLOCKS + 1)) {
            *slot = Some((seq(&mut rng), seq(&mut rng)));
        }
        let repr = TcpRepr {
            src_port: rng.next_u64() as u16,
            dst_port: rng.next_u64() as u16,
            control: controls[rng.below(controls.len())],
            seq_number: seq(&mut rng),
            ack_number: (rng.below(2) == 1).then(|| seq(&mut rng)),
            push: rng.below(2) == 1,
            window_len: rng.next_u64() as u16,
            max_seg_size: (rng.below(2) == 1).then(|| rng.next_u64() as u16),
            window_scale: (rng.below(2) == 1).then(|| rng.byte()),
            sack_permitted: rng.below(2) == 1,
            sack_ranges,
            timestamp: (rng.below(2) == 1).then(|| TcpTimestamp {
                tsval: rng.next_u64() as u32,
                tsecr: rng.next_u64() as u32,
            }),
            payload_len: rng.below(64),
        };
        let data: Vec<u8> = (0..repr.payload_len).map(|_| rng.byte()).collect();
        let (a, b) = data.split_at(rng.below(data.len() + 1));
        let mut buf = vec![0u8; repr.buffer_len()];
        let mut packet = TcpPacket::new_unchecked(&mut buf[..]);
        repr.emit_gathered(&mut packet, &SRC, &DST, a, b)?;
        let emitted = packet.checksum();
        packet.fill_checksum(&SRC, &DST);
        assert_eq!(emitted, packet.checksum(), "{repr:?}");
        assert_eq!(&buf[repr.header_len()..], &data[..]);
        let parsed = TcpRepr::parse(
            &TcpPacket::new_unchecked(&buf[..]),
            &SRC,
            &DST,
            ChecksumCheck::Verify,
        )?;
        assert_eq!(
            (parsed.seq_number, parsed.ack_number, parsed.window_len),
            (repr.seq_number, repr.ack_number, repr.window_len)
        );
        assert_eq!(
            (parsed.timestamp, parsed.max_seg_size, parsed.sack_permitted),
            (repr.timestamp, repr.max_seg_size, repr.sack_permitted),
            "{repr:?}"
        );
    }
    Ok(())
}

#[test]
fn aligned_timestamps_read_like_the_general_walk() {
    let opts = [1, 1, 8, 10, 0, 0, 1, 2, 0xde, 0xad, 0xbe, 0xef];
    let walked = TcpOptions::new(&opts).find_map(|o| match o {
        Ok(TcpOption::Timestamp(ts)) => Some(ts),
        _ => None,
    });
    assert_eq!(aligned_timestamp(&opts), walked);
    assert_eq!(walked.map(|t| (t.tsval, t.tsecr)), Some((258, 0xdead_beef)));
    assert_eq!(aligned_timestamp(&opts[..11]), None);
    assert_eq!(
        aligned_timestamp(&[1, 1, 8, 9, 0, 0, 0, 0, 0, 0, 0, 0]),
        None
    );
}
use crate::wire::test_util::{Rng, for_each_mutation};
use alloc::vec;
use alloc::vec::Vec;
use core::net::{Ipv4Addr, Ipv6Addr};

const SRC: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 168, 1, 10));
const DST: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 168, 1, 1));

/// Builds a segment from raw header bytes (checksum field zero) and fills the checksum
/// with an independent reference computation (RFC 1071 over 16-bit words).
fn with_checksum(mut seg: Vec<u8>, src: &IpAddr, dst: &IpAddr) -> Vec<u8> {
    let mut pseudo = Vec::new();
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            pseudo.extend_from_slice(&s.octets());
            pseudo.extend_from_slice(&d.octets());
            pseudo.extend_from_slice(&[0, 6]);
            pseudo.extend_from_slice(&(seg.len() as u16).to_be_bytes());
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            pseudo.extend_from_slice(&s.octets());
            pseudo.extend_from_slice(&d.octets());
            pseudo.extend_from_slice(&(seg.len() as u32).to_be_bytes());
            pseudo.extend_from_slice(&[0, 0, 0, 6]);
        }
        _ => unreachable!(),
    }
    seg[16] = 0;
    seg[17] = 0;
    let mut all = pseudo;
    all.extend_from_slice(&seg);
    let mut sum: u32 = 0;
    for pair in all.chunks(2) {
        sum += ((pair[0] as u32) << 8) | pair.get(1).copied().unwrap_or(0) as u32;
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    let c = !(sum as u16);
    seg[16..18].copy_from_slice(&c.to_be_bytes());
    seg
}

/// A Linux SYN: 192.168.1.10:43210 → 192.168.1.1:80, seq 0x12345678, window 64240,
/// options MSS 1460, SACK permitted, timestamps (0x0a0b0c0d, 0), NOP, window scale 7.
fn linux_syn() -> Vec<u8> {
    let seg = vec![
        0xa8, 0xca, 0x00, 0x50, // ports
        0x12, 0x34, 0x56, 0x78, // seq
        0x00, 0x00, 0x00, 0x00, // ack
        0xa0, 0x02, 0xfa, 0xf0, // offset 10, SYN, window 64240
        0x00, 0x00, 0x00, 0x00, // checksum, urgent
        0x02, 0x04, 0x05, 0xb4, // MSS 1460
        0x04, 0x02, 0x08, 0x0a, // SACK permitted, TS
        0x0a, 0x0b, 0x0c, 0x0d, // TSval
        0x00, 0x00, 0x00, 0x00, // TSecr
        0x01, 0x03, 0x03, 0x07, // NOP, WS 7
    ];
    with_checksum(seg, &SRC, &DST)
}

fn linux_syn_repr() -> TcpRepr {
    TcpRepr {
        src_port: 43210,
        dst_port: 80,
        control: TcpControl::Syn,
        seq_number: TcpSeqNumber(0x1234_5678),
        window_len: 64240,
        max_seg_size: Some(1460),
        window_scale: Some(7),
        sack_permitted: true,
        timestamp: Some(TcpTimestamp {
            tsval: 0x0a0b_0c0d,
            tsecr: 0,
        }),
        ..TcpRepr::default()
    }
}

/// A SYN-ACK answering it: MSS 1440, SACK permitted, timestamps, WS 2 (DST → SRC).
fn syn_ack() -> Vec<u8> {
    let seg = vec![
        0x00, 0x50, 0xa8, 0xca, // ports
        0x00, 0x00, 0xca, 0xfe, // seq
        0x12, 0x34, 0x56, 0x79, // ack
        0xa0, 0x12, 0xfe, 0x88, // offset 10, SYN+ACK, window 65160
        0x00, 0x00, 0x00, 0x00, // checksum, urgent
        0x02, 0x04, 0x05, 0xa0, // MSS 1440
        0x04, 0x02, 0x08, 0x0a, // SACK permitted, TS
        0x00, 0x00, 0x00, 0x64, // TSval 100
        0x0a, 0x0b, 0x0c, 0x0d, // TSecr
        0x01, 0x03, 0x03, 0x02, // NOP, WS 2
    ];
    with_checksum(seg, &DST, &SRC)
}

/// A data segment with PSH+ACK, timestamps and two SACK blocks, 5 bytes of data.
/// Options: NOP NOP TS, NOP NOP SACK(2 blocks) = 12 + 20 = 32 bytes, offset 13.
fn data_with_sack() -> Vec<u8> {
    let mut seg = vec![
        0xa8, 0xca, 0x00, 0x50, // ports
        0x12, 0x34, 0x56, 0x79, // seq
        0x00, 0x00, 0xca, 0xff, // ack
        0xd0, 0x18, 0x01, 0xf6, // offset 13, PSH+ACK, window 502
        0x00, 0x00, 0x00, 0x00, // checksum, urgent
        0x01, 0x01, 0x08, 0x0a, // NOP NOP TS
        0x0a, 0x0b, 0x0c, 0x20, // TSval
        0x00, 0x00, 0x00, 0x64, // TSecr 100
        0x01, 0x01, 0x05, 0x12, // NOP NOP SACK len 18
        0x00, 0x01, 0x00, 0x00, // block 1 left 0x10000
        0x00, 0x01, 0x05, 0xa0, // block 1 right 0x105a0
        0xff, 0xff, 0xff, 0x00, // block 2 left (across the wrap)
        0x00, 0x00, 0x00, 0x10, // block 2 right
    ];
    seg.extend_from_slice(b"hello");
    with_checksum(seg, &SRC, &DST)
}

fn data_with_sack_repr() -> TcpRepr {
    let mut sack = [None; MAX_SACK_BLOCKS];
    sack[0] = Some((TcpSeqNumber(0x10000), TcpSeqNumber(0x105a0)));
    sack[1] = Some((TcpSeqNumber(0xffff_ff00), TcpSeqNumber(0x10)));
    TcpRepr {
        src_port: 43210,
        dst_port: 80,
        control: TcpControl::None,
        seq_number: TcpSeqNumber(0x1234_5679),
        ack_number: Some(TcpSeqNumber(0xcaff)),
        push: true,
        window_len: 502,
        sack_ranges: sack,
        timestamp: Some(TcpTimestamp {
            tsval: 0x0a0b_0c20,
            tsecr: 100,
        }),
        payload_len: 5,
        ..TcpRepr::default()
    }
}

fn roundtrip(bytes: &[u8], src: &IpAddr, dst: &IpAddr) -> Result<TcpRepr, WireError> {
    let p = TcpPacket::new_checked(bytes)?;
    let repr = TcpRepr::parse(&p, src, dst, ChecksumCheck::Verify)?;
    let mut out = vec![0u8; repr.buffer_len()];
    repr.emit(
        &mut TcpPacket::new_unchecked(&mut out[..]),
        src,
        dst,
        p.payload(),
    )?;
    assert_eq!(out, bytes, "emit reproduces the golden bytes");
    Ok(repr)
}

#[test]
fn golden_linux_syn() -> Result<(), WireError> {
    let bytes = linux_syn();
    let p = TcpPacket::new_checked(&bytes[..])?;
    assert_eq!(p.src_port(), 43210);
    assert_eq!(p.dst_port(), 80);
    assert_eq!(p.header_len(), 40);
    assert!(p.syn() && !p.ack() && !p.fin() && !p.rst() && !p.psh() && !p.urg());
    assert!(!p.ece() && !p.cwr() && !p.ns());
    assert_eq!(p.segment_len(), 1);
    assert!(p.verify_checksum(&SRC, &DST));
    assert_eq!(roundtrip(&bytes, &SRC, &DST)?, linux_syn_repr());
    assert_eq!(linux_syn_repr().header_len(), 40);
    Ok(())
}

#[test]
fn golden_syn_ack() -> Result<(), WireError> {
    let repr = roundtrip(&syn_ack(), &DST, &SRC)?;
    assert_eq!(
        repr,
        TcpRepr {
            src_port: 80,
            dst_port: 43210,
            control: TcpControl::Syn,
            seq_number: TcpSeqNumber(0xcafe),
            ack_number: Some(TcpSeqNumber(0x1234_5679)),
            window_len: 65160,
            max_seg_size: Some(1440),
            window_scale: Some(2),
            sack_permitted: true,
            timestamp: Some(TcpTimestamp {
                tsval: 100,
                tsecr: 0x0a0b_0c0d
            }),
            ..TcpRepr::default()
        }
    );
    assert_eq!(repr.segment_len(), 1);
    Ok(())
}

#[test]
fn golden_data_with_sack() -> Result<(), WireError> {
    let bytes = data_with_sack();
    let repr = roundtrip(&bytes, &SRC, &DST)?;
    assert_eq!(repr, data_with_sack_repr());
    assert_eq!(repr.sack_block_count(), 2);
    assert_eq!(repr.header_len(), 52);
    assert_eq!(TcpPacket::new_checked(&bytes[..])?.payload(), b"hello");
    // Built in place: header, then data, then checksum.
    let mut out = vec![0u8; repr.buffer_len()];
    let mut p = TcpPacket::new_unchecked(&mut out[..]);
    repr.emit_header(&mut p)?;
    p.payload_mut().copy_from_slice(b"hello");
    p.fill_checksum(&SRC, &DST);
    assert_eq!(out, bytes);
    Ok(())
}

#[test]
fn ipv6_pseudo_header() -> Result<(), WireError> {
    let s6 = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1));
    let d6 = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2));
    let mut seg = data_with_sack();
    seg = with_checksum(seg, &s6, &d6);
    assert_eq!(roundtrip(&seg, &s6, &d6)?, data_with_sack_repr());
    let p = TcpPacket::new_checked(&seg[..])?;
    assert_eq!(
        TcpRepr::parse(&p, &d6, &d6, ChecksumCheck::Verify),
        Err(WireError::BadChecksum)
    );
    Ok(())
}

#[test]
fn checksum_errors() -> Result<(), WireError> {
    let mut seg = data_with_sack();
    let last = seg.len() - 1;
    seg[last] ^= 1;
    let p = TcpPacket::new_checked(&seg[..])?;
    assert_eq!(
        TcpRepr::parse(&p, &SRC, &DST, ChecksumCheck::Verify),
        Err(WireError::BadChecksum)
    );
    assert!(TcpRepr::parse(&p, &SRC, &DST, ChecksumCheck::Skip).is_ok());
    Ok(())
}

#[test]
fn truncation_at_every_length() {
    for seed in [linux_syn(), syn_ack(), data_with_sack()] {
        let header_len = TcpPacket::new_unchecked(&seed[..]).header_len();
        for len in 0..seed.len() {
            let p = TcpPacket::new_unchecked(&seed[..len]);
            let r = TcpRepr::parse(&p, &SRC, &DST, ChecksumCheck::Skip);
            if len < header_len {
                assert_eq!(r, Err(WireError::Truncated), "len {len}");
                assert_eq!(p.check_len(), Err(WireError::Truncated));
            } else {
                // Shorter data, header intact: still a valid segment.
                assert_eq!(r.map(|r| r.payload_len), Ok(len - header_len));
            }
        }
    }
}

#[test]
fn bad_data_offset() {
    let seed = data_with_sack();
    for offset in 0u8..16 {
        let mut b = seed.clone();
        b[12] = (offset << 4) | (b[12] & 0x0f);
        let r = TcpRepr::parse(
            &TcpPacket::new_unchecked(&b[..]),
            &SRC,
            &DST,
            ChecksumCheck::Skip,
        );
        match offset {
            0..=4 => assert_eq!(r, Err(WireError::Malformed), "offset {offset}"),
            // 5: no options, the option bytes become data.
            5 => assert_eq!(r.map(|r| r.payload_len), Ok(seed.len() - 20)),
            // 13 is the real one; 6..=12 cut options mid-way.
            13 => assert!(r.is_ok()),
            14 | 15 => assert!(r.is_err()),
            _ => {}
        }
    }
    // Offset beyond a buffer that is exactly 20 bytes: truncated.
    let mut b = seed[..20].to_vec();
    b[12] = 0xf0;
    assert_eq!(
        TcpPacket::new_checked(&b[..]).err(),
        Some(WireError::Truncated)
    );
}

#[test]
fn flags_and_ports() {
    let seed = data_with_sack();
    let with_flags = |bits: u16| {
        let mut b = seed.clone();
        let word = (13u16 << 12) | bits;
        b[12..14].copy_from_slice(&word.to_be_bytes());
        TcpRepr::parse(
            &TcpPacket::new_unchecked(&b[..]),
            &SRC,
            &DST,
            ChecksumCheck::Skip,
        )
    };
    for bad in [
        flags::SYN | flags::FIN,
        flags::SYN | flags::RST,
        flags::FIN | flags::RST,
        flags::SYN | flags::FIN | flags::RST,
    ] {
        assert_eq!(with_flags(bad), Err(WireError::Malformed));
    }
    assert_eq!(
        with_flags(flags::RST).map(|r| r.control),
        Ok(TcpControl::Rst)
    );
    assert_eq!(
        with_flags(flags::FIN | flags::ACK).map(|r| (r.control, r.ack_number.is_some())),
        Ok((TcpControl::Fin, true))
    );
    let r = with_flags(flags::ECE | flags::CWR | flags::NS | flags::URG);
    assert_eq!(r.map(|r| (r.ack_number, r.push)), Ok((None, false)));
    let mut b = seed.clone();
    b[12] |= 0x0e; // reserved bits: ignored
    let p = TcpPacket::new_unchecked(&b[..]);
    assert_eq!(p.header_len(), 52);
    assert_eq!(p.flags(), flags::ACK | flags::PSH);
    for port_at in [0, 2] {
        let mut b = seed.clone();
        b[port_at] = 0;
        b[port_at + 1] = 0;
        assert_eq!(
            TcpRepr::parse(
                &TcpPacket::new_unchecked(&b[..]),
                &SRC,
                &DST,
                ChecksumCheck::Skip
            ),
            Err(WireError::Malformed)
        );
    }
    let mut b = seed.clone();
    let mut p = TcpPacket::new_unchecked(&mut b[..]);
    p.set_header_len_and_flags(52, flags::ALL | 0xe00);
    p.set_urgent_at(7);
    assert!(p.ns() && p.cwr() && p.ece() && p.urg());
    assert_eq!(p.urgent_at(), 7);
    assert_eq!(p.header_len(), 52);
}

fn parse_options(options: &[u8]) -> Result<TcpRepr, WireError> {
    let mut seg = vec![0u8; 20];
    seg[1] = 1;
    seg[3] = 2;
    seg.extend_from_slice(options);
    let hl = seg.len();
    TcpPacket::new_unchecked(&mut seg[..]).set_header_len_and_flags(hl, flags::ACK);
    TcpRepr::parse(
        &TcpPacket::new_unchecked(&seg[..]),
        &SRC,
        &DST,
        ChecksumCheck::Skip,
    )
}

#[test]
fn option_edge_cases() {
    // Length 0 or 1: malformed.
    assert_eq!(parse_options(&[2, 0, 0, 0]), Err(WireError::Malformed));
    assert_eq!(parse_options(&[2, 1, 0, 0]), Err(WireError::Malformed));
    assert_eq!(parse_options(&[99, 1, 0, 0]), Err(WireError::Malformed));
    // Runs past the header.
    assert_eq!(parse_options(&[1, 1, 2, 4]), Err(WireError::Malformed));
    assert_eq!(parse_options(&[1, 1, 1, 2]), Err(WireError::Malformed));
    assert_eq!(parse_options(&[1, 8, 10, 0]), Err(WireError::Malformed));
    assert_eq!(parse_options(&[99, 5, 0, 0]), Err(WireError::Malformed));
    // Unknown kinds skipped, including at the end.
    let r = parse_options(&[99, 2, 2, 4, 5, 0xb4, 30, 6, 1, 2, 3, 4]);
    assert_eq!(r.map(|r| r.max_seg_size), Ok(Some(1460)));
    // Known options with the wrong length are ignored.
    assert_eq!(
        parse_options(&[2, 3, 5, 0]).map(|r| r.max_seg_size),
        Ok(None)
    );
    assert_eq!(
        parse_options(&[3, 4, 7, 0]).map(|r| r.window_scale),
        Ok(None)
    );
    assert_eq!(
        parse_options(&[4, 3, 0, 0]).map(|r| r.sack_permitted),
        Ok(false)
    );
    assert_eq!(
        parse_options(&[8, 8, 0, 0, 0, 0, 0, 0]).map(|r| r.timestamp),
        Ok(None)
    );
    assert_eq!(
        parse_options(&[5, 2, 0, 0]).map(|r| r.sack_block_count()),
        Ok(0)
    );
    let mut sack9 = vec![5, 11];
    sack9.extend_from_slice(&[0; 9]);
    sack9.push(0);
    assert_eq!(parse_options(&sack9).map(|r| r.sack_block_count()), Ok(0));
    // EOL stops parsing: whatever follows is not looked at.
    let r = parse_options(&[0, 2, 0, 0, 2, 4, 5, 0xb4]);
    assert_eq!(r.map(|r| r.max_seg_size), Ok(None));
    let r = parse_options(&[2, 4, 5, 0xb4, 0, 0xff, 0xff, 0xff]);
    assert_eq!(r.map(|r| r.max_seg_size), Ok(Some(1460)));
    // NOPs only.
    assert_eq!(
        parse_options(&[1, 1, 1, 1]).map(|r| r.max_seg_size),
        Ok(None)
    );
    // Window scale above 14 is read as 14.
    let r = parse_options(&[1, 3, 3, 15]);
    assert_eq!(r.map(|r| r.window_scale), Ok(Some(14)));
    let r = parse_options(&[1, 3, 3, 255]);
    assert_eq!(r.map(|r| r.window_scale), Ok(Some(14)));
    // Duplicates: the last one wins.
    let r = parse_options(&[2, 4, 1, 0, 2, 4, 2, 0]);
    assert_eq!(r.map(|r| r.max_seg_size), Ok(Some(512)));
    // Four SACK blocks (the most an option can carry).
    let mut four = vec![1, 1, 5, 34];
    for i in 0..8u32 {
        four.extend_from_slice(&(i * 100).to_be_bytes());
    }
    let r = parse_options(&four).map(|r| r.sack_ranges);
    assert_eq!(
        r.map(|s| s[3]),
        Ok(Some((TcpSeqNumber(600), TcpSeqNumber(700))))
    );
}

#[test]
fn option_iterator() {
    let opts = [1, 2, 4, 5, 0xb4, 99, 3, 7, 0, 9];
    let all: Vec<_> = TcpOptions::new(&opts).collect();
    assert_eq!(
        all,
        vec![
            Ok(TcpOption::NoOperation),
            Ok(TcpOption::MaxSegmentSize(1460)),
            Ok(TcpOption::Unknown {
                kind: 99,
                data: &[7]
            }),
            Ok(TcpOption::EndOfList),
        ]
    );
    let all: Vec<_> = TcpOptions::new(&[1, 2, 9, 1]).collect();
    assert_eq!(
        all,
        vec![Ok(TcpOption::NoOperation), Err(WireError::Malformed)]
    );
    assert_eq!(
        TcpOptions::new(&[2]).next(),
        Some(Err(WireError::Malformed))
    );
    assert_eq!(TcpOptions::new(&[]).next(), None);
}

#[test]
fn emit_layouts() -> Result<(), WireError> {
    let base = TcpRepr {
        src_port: 1,
        dst_port: 2,
        ack_number: Some(TcpSeqNumber(1)),
        ..TcpRepr::default()
    };
    let emit = |r: &TcpRepr| -> Result<Vec<u8>, WireError> {
        let mut out = vec![0u8; r.buffer_len()];
        r.emit(&mut TcpPacket::new_unchecked(&mut out[..]), &SRC, &DST, &[])?;
        Ok(out[20..].to_vec())
    };
    assert_eq!(emit(&base)?, vec![]);
    let sp = TcpRepr {
        sack_permitted: true,
        ..base
    };
    assert_eq!(emit(&sp)?, vec![1, 1, 4, 2]);
    let ws = TcpRepr {
        window_scale: Some(20),
        ..base
    };
    assert_eq!(emit(&ws)?, vec![1, 3, 3, 14]);
    let mss = TcpRepr {
        max_seg_size: Some(536),
        ..base
    };
    assert_eq!(emit(&mss)?, vec![2, 4, 2, 0x18]);
    // Everything at once: MSS + SP + TS + WS + 4 SACK blocks does not fit aligned
    // (20 + 36 > 40); packed it is 19 + 2 + 8n, so 2 blocks fit (37 → 40 with EOL).
    let mut sack = [None; MAX_SACK_BLOCKS];
    for (i, s) in sack.iter_mut().enumerate() {
        let i = i as u32;
        *s = Some((TcpSeqNumber(i * 10), TcpSeqNumber(i * 10 + 5)));
    }
    let full = TcpRepr {
        max_seg_size: Some(1460),
        window_scale: Some(7),
        sack_permitted: true,
        timestamp: Some(TcpTimestamp { tsval: 1, tsecr: 2 }),
        sack_ranges: sack,
        ..base
    };
    assert_eq!(full.header_len(), 60);
    let out = emit(&full)?;
    assert_eq!(
        out,
        vec![
            2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 3, 3, 7, 5, 18, 0, 0, 0, 0, 0, 0,
            0, 5, 0, 0, 0, 10, 0, 0, 0, 15, 0, 0, 0
        ]
    );
    let mut expect = full;
    expect.sack_ranges[2] = None;
    expect.sack_ranges[3] = None;
    let mut seg = vec![0u8; full.buffer_len()];
    full.emit(&mut TcpPacket::new_unchecked(&mut seg[..]), &SRC, &DST, &[])?;
    assert_eq!(
        TcpRepr::parse(
            &TcpPacket::new_unchecked(&seg[..]),
            &SRC,
            &DST,
            ChecksumCheck::Verify
        ),
        Ok(expect)
    );
    // MSS + TS + 3 SACK blocks: 44 aligned, 40 packed.
    let r = TcpRepr {
        max_seg_size: Some(1460),
        timestamp: Some(TcpTimestamp { tsval: 1, tsecr: 2 }),
        sack_ranges: [sack[0], sack[1], sack[2], None],
        ..base
    };
    assert_eq!(r.header_len(), 60);
    let out = emit(&r)?;
    assert_eq!(&out[..6], &[2, 4, 5, 0xb4, 8, 10]);
    assert_eq!(&out[14..16], &[5, 26]);
    // Too small a buffer.
    let mut small = vec![0u8; r.buffer_len() - 1];
    assert_eq!(
        r.emit_header(&mut TcpPacket::new_unchecked(&mut small[..])),
        Err(WireError::Truncated)
    );
    assert_eq!(
        r.emit(
            &mut TcpPacket::new_unchecked(&mut seg[..]),
            &SRC,
            &DST,
            &[1]
        ),
        Err(WireError::Malformed)
    );
    Ok(())
}

/// Parsed → emitted → parsed again is the same repr, for every valid segment.
fn check_roundtrip(buf: &[u8], src: &IpAddr, dst: &IpAddr) {
    let p = TcpPacket::new_unchecked(buf);
    for check in [ChecksumCheck::Verify, ChecksumCheck::Skip] {
        if let Ok(repr) = TcpRepr::parse(&p, src, dst, check) {
            assert!(repr.header_len() <= MAX_HEADER_LEN);
            let mut out = vec![0u8; repr.buffer_len()];
            let mut o = TcpPacket::new_unchecked(&mut out[..]);
            assert!(repr.emit(&mut o, src, dst, p.payload()).is_ok());
            let again = TcpRepr::parse(
                &TcpPacket::new_unchecked(&out[..]),
                src,
                dst,
                ChecksumCheck::Verify,
            );
            assert_eq!(again, Ok(repr));
        }
    }
}

#[test]
fn robustness() {
    let seeds = [linux_syn(), syn_ack(), data_with_sack()];
    let seeds: Vec<&[u8]> = seeds.iter().map(|s| &s[..]).collect();
    for_each_mutation(&seeds, |buf| check_roundtrip(buf, &SRC, &DST));
}

#[test]
fn random_option_soup() {
    // Headers made of random option bytes biased towards the known kinds and lengths.
    let mut rng = Rng::new(0x7c9);
    let atoms: [&[u8]; 10] = [
        &[0],
        &[1],
        &[2, 4, 5, 0xb4],
        &[3, 3, 9],
        &[4, 2],
        &[8, 10, 1, 2, 3, 4, 5, 6, 7, 8],
        &[5, 10, 0, 0, 0, 1, 0, 0, 0, 2],
        &[5, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4],
        &[77, 3, 0],
        &[2, 4],
    ];
    for _ in 0..20_000 {
        let mut opts = Vec::new();
        while opts.len() < 40 && rng.below(6) != 0 {
            opts.extend_from_slice(atoms[rng.below(atoms.len())]);
        }
        opts.truncate(40);
        while opts.len() % 4 != 0 {
            opts.push(rng.byte() & 1);
        }
        let mut seg = vec![
            0x12, 0x34, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0x10, 1, 0,
        ];
        seg.extend_from_slice(&[0, 0, 0, 0]);
        seg.extend_from_slice(&opts);
        let hl = seg.len();
        TcpPacket::new_unchecked(&mut seg[..]).set_header_len_and_flags(
            hl,
            [flags::ACK, flags::SYN, flags::SYN | flags::ACK][rng.below(3)],
        );
        seg.extend_from_slice(&[0xaa; 3]);
        check_roundtrip(&seg, &SRC, &DST);
    }
}
