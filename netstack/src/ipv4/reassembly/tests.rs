//! Unit tests of IPv4 reassembly: orders, duplicates, overlaps with different data, expiry, malformed fragments, slot and fragment limits, floods and random fragment streams.

use super::*;
use crate::ipv4::fragment::{Fragment, fragment};
use crate::wire::test_util::Rng;
use alloc::vec;

const SRC: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const DST: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

fn header(payload_len: usize, ident: u16) -> Ipv4Repr {
    Ipv4Repr {
        src_addr: SRC,
        dst_addr: DST,
        protocol: IpProtocol::Udp,
        payload_len,
        ttl: 64,
        tos: 0,
        ident,
        dont_frag: false,
        more_frags: false,
        frag_offset: 0,
        router_alert: false,
    }
}

fn payload(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8)
        .collect()
}

/// The emitted fragments (whole packets) of a datagram.
fn packets(data: &[u8], ident: u16, mtu: usize) -> Vec<Vec<u8>> {
    fragment(&header(data.len(), ident), mtu)
        .expect("fragmentable")
        .map(|f: Fragment| {
            let mut buf = vec![0u8; f.buffer_len()];
            f.emit(data, &mut buf).expect("emit");
            buf
        })
        .collect()
}

/// One fragment built by hand.
fn frag(ident: u16, offset: u16, more: bool, data: &[u8]) -> Vec<u8> {
    let mut h = header(data.len(), ident);
    h.frag_offset = offset;
    h.more_frags = more;
    let mut buf = vec![0u8; h.buffer_len()];
    let mut p = Ipv4Packet::new_unchecked(&mut buf[..]);
    h.emit(&mut p).expect("emit");
    p.payload_mut().copy_from_slice(data);
    buf
}

fn push<const D: usize, const F: usize>(
    r: &mut Reassembler<D, F>,
    pkt: &[u8],
    now: Instant,
) -> Result<Option<Reassembled>, ReassemblyError> {
    r.push(&Ipv4Packet::new_checked(pkt).expect("valid"), now)
}

/// Feeds all packets; exactly the last must complete the datagram.
fn feed<const D: usize, const F: usize>(
    r: &mut Reassembler<D, F>,
    pkts: &[Vec<u8>],
) -> Reassembled {
    let mut done = None;
    for (i, p) in pkts.iter().enumerate() {
        let out = push(r, p, Instant::ZERO).expect("accepted");
        assert_eq!(out.is_some(), i + 1 == pkts.len(), "fragment {i}");
        done = done.or(out);
    }
    done.expect("complete")
}

fn assert_idle<const D: usize, const F: usize>(r: &Reassembler<D, F>) {
    assert_eq!(r.in_flight(), 0);
    assert_eq!(r.held_fragments(), 0);
    assert_eq!(r.held_bytes(), 0);
    assert_eq!(r.next_deadline(), None);
}

#[test]
fn round_trip_in_order_reversed_and_shuffled() {
    let mut rng = Rng::new(0x5eed);
    for &(len, mtu) in &[
        (1usize, 68usize),
        (49, 68),
        (1472, 576),
        (1481, 1500),
        (8000, 576),
        (8000, 1500),
        (65515, 1500),
        (65515, 576),
    ] {
        let data = payload(len, len as u8);
        let pkts = packets(&data, 7, mtu);
        let mut r = Reassembler::<4, 128>::with_limits();
        for order in 0..3 {
            let mut pkts = pkts.clone();
            match order {
                0 => {}
                1 => pkts.reverse(),
                _ => {
                    for i in (1..pkts.len()).rev() {
                        pkts.swap(i, rng.below(i + 1));
                    }
                }
            }
            let out = feed(&mut r, &pkts);
            assert_eq!(out.payload, data, "len {len} mtu {mtu} order {order}");
            assert_eq!(out.header, header(len, 7));
            assert_idle(&r);
        }
        assert_eq!(r.stats().reassembled, 3);
    }
}

#[test]
fn configured_limits_round_trip() {
    // The default configuration reassembles what fits IP_REASS_MAX_PBUFS fragments.
    let data = payload(1480 * config::IP_REASS_MAX_PBUFS, 1);
    let pkts = packets(&data, 1, 1500);
    assert_eq!(pkts.len(), config::IP_REASS_MAX_PBUFS);
    let mut r = Reassembler::new();
    assert_eq!(feed(&mut r, &pkts).payload, data);
    // One more fragment can never fit: dropped as soon as it is known.
    let data = payload(1480 * config::IP_REASS_MAX_PBUFS + 1, 2);
    let pkts = packets(&data, 2, 1500);
    for p in &pkts[..config::IP_REASS_MAX_PBUFS] {
        assert_eq!(push(&mut r, p, Instant::ZERO), Ok(None));
    }
    assert_eq!(
        push(&mut r, &pkts[config::IP_REASS_MAX_PBUFS], Instant::ZERO),
        Err(ReassemblyError::Overflow)
    );
    assert_idle(&r);
    assert_eq!(r.stats().overflow, 1);
}

#[test]
fn duplicates_are_ignored() {
    let data = payload(3000, 3);
    let pkts = packets(&data, 9, 576);
    let mut r = Reassembler::<4, 32>::with_limits();
    let mut rng = Rng::new(42);
    let mut stream: Vec<Vec<u8>> = Vec::new();
    for (i, p) in pkts.iter().enumerate() {
        stream.push(p.clone());
        // Not the last one: a copy after completion would start a new datagram.
        if i + 1 < pkts.len() && rng.below(2) == 0 {
            stream.push(p.clone());
        }
    }
    // Duplicate the first one for sure, and put the last fragment last.
    stream.insert(1, pkts[0].clone());
    let mut got = None;
    for p in &stream {
        if let Some(d) = push(&mut r, p, Instant::ZERO).expect("ok") {
            assert!(got.is_none());
            got = Some(d);
        }
    }
    assert_eq!(got.expect("complete").payload, data);
    assert_eq!(r.stats().duplicates as usize, stream.len() - pkts.len());
    assert_idle(&r);
    // A duplicate of the last fragment before completion also changes nothing.
    let last = pkts.last().expect("last").clone();
    assert_eq!(push(&mut r, &last, Instant::ZERO), Ok(None));
    assert_eq!(push(&mut r, &last, Instant::ZERO), Ok(None));
    assert_eq!(r.held_fragments(), 1);
}

#[test]
fn lost_fragment_expires_at_exactly_max_age() {
    let data = payload(4000, 4);
    let pkts = packets(&data, 11, 1500);
    let mut r = Reassembler::new();
    let t0 = Instant::from_millis(1000);
    assert_eq!(push(&mut r, &pkts[0], t0), Ok(None));
    // pkts[1] is lost.
    let t2 = t0 + Duration::from_millis(500);
    assert_eq!(push(&mut r, &pkts[2], t2), Ok(None));
    let deadline = t0 + Duration::from_secs(u64::from(config::IP_REASS_MAXAGE));
    assert_eq!(r.next_deadline(), Some(deadline));
    assert_eq!(r.poll(deadline - Duration::from_millis(1)).count(), 0);
    assert_eq!(r.in_flight(), 1);
    let expired: Vec<Expired> = r.poll(deadline).collect();
    assert_eq!(expired.len(), 1);
    let mut h = header(1480, 11);
    h.more_frags = true;
    assert_eq!(expired[0].header, h);
    // The quote: header as received and the first 8 payload bytes.
    assert_eq!(expired[0].quote(), &pkts[0][..28]);
    assert_idle(&r);
    assert_eq!(r.stats().timeout, 1);
    // A late fragment starts a new datagram that never completes.
    assert_eq!(push(&mut r, &pkts[1], deadline), Ok(None));
    assert_eq!(r.in_flight(), 1);
}

#[test]
fn expiry_without_first_fragment_is_not_reported() {
    let data = payload(4000, 5);
    let pkts = packets(&data, 12, 1500);
    let mut r = Reassembler::<4, 16>::with_limits();
    assert_eq!(push(&mut r, &pkts[1], Instant::ZERO), Ok(None));
    assert_eq!(push(&mut r, &pkts[2], Instant::ZERO), Ok(None));
    let a = packets(&data, 13, 1500);
    let later = Instant::from_millis(10);
    assert_eq!(push(&mut r, &a[0], later), Ok(None));
    assert_eq!(r.next_deadline(), Some(Instant::ZERO + MAX_AGE));
    assert_eq!(r.poll(Instant::ZERO + MAX_AGE).count(), 0);
    assert_eq!(r.stats().timeout, 1);
    assert_eq!(r.next_deadline(), Some(later + MAX_AGE));
    // Dropping the iterator unconsumed still expires.
    drop(r.poll(later + MAX_AGE));
    assert_idle(&r);
    assert_eq!(r.stats().timeout, 2);
}

#[test]
fn overlap_with_different_data_drops_the_datagram() {
    let mut r = Reassembler::new();
    let a = payload(16, 1);
    assert_eq!(push(&mut r, &frag(1, 0, true, &a), Instant::ZERO), Ok(None));
    let mut b = payload(16, 1)[8..].to_vec();
    b.extend_from_slice(&[9; 8]);
    b[0] ^= 0xff; // differs inside the overlap [8, 16)
    assert_eq!(
        push(&mut r, &frag(1, 8, true, &b), Instant::ZERO),
        Err(ReassemblyError::Overlap)
    );
    assert_idle(&r);
    assert_eq!(r.stats().overlap, 1);

    // Overlap with the same bytes is accepted, and the datagram completes.
    let data = payload(40, 2);
    assert_eq!(
        push(&mut r, &frag(2, 0, true, &data[..24]), Instant::ZERO),
        Ok(None)
    );
    assert_eq!(
        push(&mut r, &frag(2, 16, true, &data[16..32]), Instant::ZERO),
        Ok(None)
    );
    let out = push(&mut r, &frag(2, 24, false, &data[24..]), Instant::ZERO)
        .expect("ok")
        .expect("complete");
    assert_eq!(out.payload, data);
    assert_idle(&r);

    // A fragment fully inside held data but different is an overlap too (Teardrop-like).
    assert_eq!(
        push(&mut r, &frag(3, 0, true, &[1; 24]), Instant::ZERO),
        Ok(None)
    );
    assert_eq!(
        push(&mut r, &frag(3, 8, true, &[2; 8]), Instant::ZERO),
        Err(ReassemblyError::Overlap)
    );
    assert_idle(&r);
}

#[test]
fn malformed_and_inconsistent_fragments() {
    let mut r = Reassembler::new();
    let t = Instant::ZERO;
    assert_eq!(
        push(&mut r, &frag(1, 0, true, &[]), t),
        Err(ReassemblyError::Empty)
    );
    assert_eq!(
        push(&mut r, &frag(1, 0, true, &[0; 12]), t),
        Err(ReassemblyError::Unaligned)
    );
    // Beyond 65535 bytes: offset 65528 (the largest) with 8 bytes, and 65512 + 8 = 65520.
    assert_eq!(
        push(&mut r, &frag(1, 65528, false, &[0; 8]), t),
        Err(ReassemblyError::TooBig)
    );
    assert_eq!(
        push(&mut r, &frag(1, 65512, false, &[0; 8]), t),
        Err(ReassemblyError::TooBig)
    );
    // Exactly 65515 is fine.
    assert_eq!(push(&mut r, &frag(1, 65504, false, &[0; 11]), t), Ok(None));
    assert_eq!(r.stats().too_big, 2);
    r.clear();

    // Two last fragments that disagree.
    assert_eq!(push(&mut r, &frag(2, 16, false, &[0; 8]), t), Ok(None));
    assert_eq!(
        push(&mut r, &frag(2, 16, false, &[0; 16]), t),
        Err(ReassemblyError::Inconsistent)
    );
    assert_idle(&r);
    // A middle fragment past the known end.
    assert_eq!(push(&mut r, &frag(3, 16, false, &[0; 8]), t), Ok(None));
    assert_eq!(
        push(&mut r, &frag(3, 16, true, &[0; 16]), t),
        Err(ReassemblyError::Inconsistent)
    );
    assert_idle(&r);
    // A last fragment ending before data already held.
    assert_eq!(push(&mut r, &frag(4, 32, true, &[0; 8]), t), Ok(None));
    assert_eq!(
        push(&mut r, &frag(4, 0, false, &[0; 16]), t),
        Err(ReassemblyError::Inconsistent)
    );
    assert_idle(&r);
    assert_eq!(r.stats().malformed, 5);

    // A header that is not IPv4.
    let mut bad = frag(5, 0, true, &[0; 8]);
    bad[0] = 0x65;
    assert_eq!(
        r.push(&Ipv4Packet::new_unchecked(&bad[..]), t),
        Err(ReassemblyError::Malformed)
    );
}

#[test]
fn unfragmented_and_empty_datagrams() {
    let mut r = Reassembler::new();
    let whole = frag(1, 0, false, &[1, 2, 3]);
    let out = push(&mut r, &whole, Instant::ZERO)
        .expect("ok")
        .expect("whole");
    assert_eq!(out.payload, [1, 2, 3]);
    let empty = frag(2, 0, false, &[]);
    let out = push(&mut r, &empty, Instant::ZERO)
        .expect("ok")
        .expect("whole");
    assert!(out.payload.is_empty());
    // A zero-length last fragment closes a datagram whose data is all there.
    assert_eq!(
        push(&mut r, &frag(3, 0, true, &[7; 8]), Instant::ZERO),
        Ok(None)
    );
    let out = push(&mut r, &frag(3, 8, false, &[]), Instant::ZERO)
        .expect("ok")
        .expect("complete");
    assert_eq!(out.payload, [7; 8]);
    assert_idle(&r);
}

#[test]
fn key_includes_protocol_and_addresses() {
    let mut r = Reassembler::<4, 16>::with_limits();
    let data = payload(16, 9);
    let a = frag(1, 0, true, &data[..8]);
    let mut b = frag(1, 8, false, &data[8..]);
    {
        let mut p = Ipv4Packet::new_unchecked(&mut b[..]);
        p.set_protocol(IpProtocol::Tcp);
        p.fill_checksum();
    }
    assert_eq!(push(&mut r, &a, Instant::ZERO), Ok(None));
    assert_eq!(push(&mut r, &b, Instant::ZERO), Ok(None));
    assert_eq!(r.in_flight(), 2);
}

#[test]
fn full_slots_drop_the_oldest() {
    let mut r = Reassembler::new();
    let n = config::MEMP_NUM_REASSDATA;
    for i in 0..=n {
        let t = Instant::from_millis(i as u64);
        assert_eq!(
            push(&mut r, &frag(i as u16, 0, true, &[i as u8; 8]), t),
            Ok(None)
        );
    }
    assert_eq!(r.in_flight(), n);
    assert_eq!(r.stats().overflow, 1);
    // Datagram 0 went; 1 is the oldest now.
    assert_eq!(r.next_deadline(), Some(Instant::from_millis(1) + MAX_AGE));
    let out = push(&mut r, &frag(1, 8, false, &[1; 4]), Instant::ZERO).expect("ok");
    assert_eq!(out.map(|d| d.payload.len()), Some(12));
    assert_eq!(
        push(&mut r, &frag(0, 8, false, &[0; 4]), Instant::ZERO),
        Ok(None)
    );
}

#[test]
fn full_fragments_drop_the_oldest_others() {
    let mut r = Reassembler::<8, 4>::with_limits();
    // Datagram 1 holds 3 fragments, datagram 2 one: full.
    for off in [0u16, 8, 16] {
        assert_eq!(
            push(&mut r, &frag(1, off, true, &[1; 8]), Instant::ZERO),
            Ok(None)
        );
    }
    assert_eq!(
        push(&mut r, &frag(2, 0, true, &[2; 8]), Instant::ZERO),
        Ok(None)
    );
    assert_eq!(r.held_fragments(), 4);
    // Datagram 2 needs another slot: datagram 1, the oldest, goes.
    assert_eq!(
        push(&mut r, &frag(2, 8, true, &[2; 8]), Instant::ZERO),
        Ok(None)
    );
    assert_eq!(r.in_flight(), 1);
    assert_eq!(r.held_fragments(), 2);
    assert_eq!(r.held_bytes(), 16);
    assert_eq!(r.stats().overflow, 1);
}

#[test]
fn flood_stays_bounded_and_drains() {
    let mut r = Reassembler::new();
    let mut rng = Rng::new(7);
    let frag_len = 1480;
    let max_bytes = config::IP_REASS_MAX_PBUFS * frag_len;
    let chunk = vec![0xa5u8; frag_len];
    let mut t = Instant::ZERO;
    let mut legit = 0;
    for i in 0..5000u32 {
        t = Instant::from_millis(u64::from(i / 4));
        // A forged fragment of a datagram that never completes.
        let mut p = frag(i as u16, (rng.below(40) * 1480) as u16, true, &chunk);
        {
            let mut v = Ipv4Packet::new_unchecked(&mut p[..]);
            v.set_src_addr(Ipv4Addr::from(0x0a00_0000 | (i >> 16)));
            v.fill_checksum();
        }
        let _ = push(&mut r, &p, t);
        // Now and then a legitimate two-fragment datagram gets through the flood.
        if i % 500 == 0 {
            let data = payload(2000, i as u8);
            let pkts = packets(&data, 0xffff, 1500);
            assert_eq!(push(&mut r, &pkts[0], t), Ok(None));
            let out = push(&mut r, &pkts[1], t).expect("ok").expect("complete");
            assert_eq!(out.payload, data);
            legit += 1;
        }
        assert!(r.in_flight() <= config::MEMP_NUM_REASSDATA);
        assert!(r.held_fragments() <= config::IP_REASS_MAX_PBUFS);
        assert!(r.held_bytes() <= max_bytes);
    }
    assert_eq!(r.stats().reassembled, legit);
    assert!(r.stats().overflow >= 4900);
    let deadline = r.next_deadline().expect("busy");
    assert!(deadline <= t + MAX_AGE);
    // The flood's fragments are at random offsets; some were first fragments.
    let _ = r.poll(t + MAX_AGE).count();
    assert_idle(&r);
}

#[test]
fn random_fragments_never_break_the_invariants() {
    let mut r = Reassembler::<3, 12>::with_limits();
    let mut rng = Rng::new(0xf00d);
    let mut t = 0u64;
    for _ in 0..20_000 {
        t += if rng.below(300) == 0 {
            4000
        } else {
            rng.below(50) as u64
        };
        let now = Instant::from_millis(t);
        let ident = rng.below(4) as u16;
        let offset = (rng.below(12) * 8) as u16;
        let len = [0, 1, 7, 8, 16, 24, 40][rng.below(7)];
        // Content depends only on the position, except now and then.
        let mut data: Vec<u8> = (0..len).map(|i| (usize::from(offset) + i) as u8).collect();
        if rng.below(20) == 0 && len > 0 {
            data[0] ^= 1;
        }
        let pkt = frag(ident, offset, rng.below(3) != 0, &data);
        if let Ok(Some(d)) = push(&mut r, &pkt, now) {
            assert_eq!(d.header.payload_len, d.payload.len());
            assert!(!d.header.more_frags && d.header.frag_offset == 0);
        }
        let _ = r.poll(now).count();
        assert!(r.in_flight() <= 3);
        assert!(r.held_fragments() <= 12);
        let bytes: usize = r.held.iter().map(|h| h.data.len()).sum();
        assert_eq!(bytes, r.held_bytes());
        assert!(
            r.held
                .iter()
                .all(|h| r.datagrams.iter().any(|d| d.serial == h.serial))
        );
    }
    let s = r.stats();
    assert!(
        s.reassembled > 0 && s.overlap > 0 && s.duplicates > 0 && s.timeout > 0,
        "{s:?}"
    );
    let _ = r.poll(Instant::from_millis(t) + MAX_AGE).count();
    assert_idle(&r);
}

#[test]
fn error_display() {
    use alloc::string::ToString;
    assert_eq!(
        ReassemblyError::Overlap.to_string(),
        "overlapping fragments with different data"
    );
}
