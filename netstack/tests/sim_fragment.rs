//! Simulation: fragmentation and reassembly under loss, duplication and reordering, and the
//! reassembly limits under a flood of incomplete fragments.

mod common;

use common::*;
use netstack::Error;
use netstack::config;
use netstack::phy::{FaultConfig, Faults};
use netstack::time::{Duration, Instant};
use netstack::wire::{
    EtherType, EthernetAddress, EthernetFrame, EthernetRepr, IpProtocol, Ipv4Packet, Ipv4Repr,
};

fn payload(seq: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(31) ^ seq).collect()
}

#[test]
fn large_datagrams_cross_a_faulty_link_when_reassembly_is_on() {
    let faults = Faults::NONE.loss(0.05).duplicate(0.1).reorder(0.2);
    let mut sim = pair(seed(30), FaultConfig::both(faults));
    let server = sim.udp_bound(1, 7);
    let client = sim.udp_bound(0, 0);
    // Resolve the neighbour first: the ARP queue holds only a few fragments.
    sim.stack(0)
        .udp_send_to(client, b"hi", ep(ip(10, 0, 0, 2), 7))
        .expect("send");
    sim.run_for(Duration::from_secs(2));
    while sim.stack(1).udp_recv_from(server).is_ok() {}
    let mut delivered = 0;
    for seq in 0..20u8 {
        let data = payload(seq, 4000);
        let mut got = false;
        for _ in 0..20 {
            sim.stack(0)
                .udp_send_to(client, &data, ep(ip(10, 0, 0, 2), 7))
                .expect("send (fragmented)");
            sim.run_for(Duration::from_millis(200));
            while let Ok(d) = sim.stack(1).udp_recv_from(server) {
                assert_eq!(d.data.len(), 4000);
                if d.data == data {
                    got = true;
                } else {
                    // A duplicate of an earlier datagram; never a mix.
                    let earlier = (0..seq).any(|s| d.data == payload(s, 4000));
                    assert!(earlier, "reassembled data does not match any datagram sent");
                }
            }
            if got || !config::IP4_REASSEMBLY {
                break;
            }
        }
        delivered += got as u32;
    }
    let st = *sim.stack(0).stats();
    assert!(
        st.ip_frag.tx >= 20 * 3,
        "every datagram went out in fragments"
    );
    let rx = *sim.stack(1).stats();
    if config::IP4_REASSEMBLY {
        assert_eq!(delivered, 20);
        assert!(sim.stack(1).reassembly_stats().reassembled >= 20);
    } else {
        assert_eq!(delivered, 0);
        assert!(rx.ip_frag.drop_reassembly > 0);
        assert_eq!(rx.ip.drop_reassembly, rx.ip_frag.drop_reassembly);
    }
    // Whatever is left in flight expires.
    sim.run_for(Duration::from_secs(config::IP_REASS_MAXAGE as u64 + 1));
    assert_eq!(sim.stack(1).reassembly_usage(), (0, 0, 0));
}

#[test]
fn dont_fragment_and_too_big() {
    let mut sim = pair(seed(31), FaultConfig::default());
    let client = sim.udp_bound(0, 0);
    let r = sim
        .stack(0)
        .udp_send_to(client, &[0; 3000], ep(ip(10, 0, 0, 2), 7));
    if config::IP4_FRAG {
        assert_eq!(r, Ok(()));
    } else {
        assert_eq!(r, Err(Error::MsgTooLong));
    }
    assert_eq!(
        sim.stack(0)
            .udp_send_to(client, &[0; 65508], ep(ip(10, 0, 0, 2), 7)),
        Err(Error::MsgTooLong)
    );
}

/// A fragment frame for host 1 (10.0.0.2, MAC 02:00:00:00:01:00).
fn fragment_frame(ident: u16, offset: u16, more: bool, len: usize) -> Vec<u8> {
    let ip_repr = Ipv4Repr {
        src_addr: ip(10, 0, 0, 1),
        dst_addr: ip(10, 0, 0, 2),
        protocol: IpProtocol::Udp,
        payload_len: len,
        ttl: 64,
        tos: 0,
        ident,
        dont_frag: false,
        more_frags: more,
        frag_offset: offset,
        router_alert: false,
    };
    let eth = EthernetRepr {
        src_addr: EthernetAddress([2, 0, 0, 0, 0, 0]),
        dst_addr: EthernetAddress([2, 0, 0, 0, 1, 0]),
        ethertype: EtherType::Ipv4,
        vlan: None,
    };
    let mut f = vec![0u8; 14 + ip_repr.buffer_len()];
    eth.emit(&mut EthernetFrame::new_unchecked(&mut f[..]))
        .expect("eth");
    ip_repr
        .emit(&mut Ipv4Packet::new_unchecked(&mut f[14..]))
        .expect("ip");
    for (i, b) in f[14 + 20..].iter_mut().enumerate() {
        *b = i as u8;
    }
    f
}

#[test]
fn flood_of_incomplete_fragments_stays_bounded() {
    let mut sim = pair(seed(32), FaultConfig::default());
    sim.run_for(Duration::from_millis(10));
    let netif = sim.hosts[1].netifs[0];
    let mut now = sim.now;
    for ident in 0..2000u16 {
        // First halves only: never complete.
        let frame = fragment_frame(ident, 0, true, 1000);
        now += Duration::from_millis(1);
        sim.stack(1).input(netif, &frame, now);
        let (flight, frags, bytes) = sim.stack(1).reassembly_usage();
        assert!(flight <= config::MEMP_NUM_REASSDATA);
        assert!(frags <= config::IP_REASS_MAX_PBUFS);
        assert!(bytes <= config::IP_REASS_MAX_PBUFS * 1500);
    }
    let st = *sim.stack(1).stats();
    assert_eq!(st.ip_frag.rx, 2000);
    let later = now + Duration::from_secs(config::IP_REASS_MAXAGE as u64 + 1);
    if config::IP4_REASSEMBLY {
        assert!(sim.stack(1).reassembly_stats().overflow > 0);
        // Timed out: nothing held.
        sim.stack(1).poll(later);
        assert_eq!(sim.stack(1).reassembly_usage(), (0, 0, 0));
        // The datagrams whose first fragment had arrived are reported (RFC 1122 §3.3.2).
        assert!(sim.stack(1).stats().icmp.tx >= 1);
    } else {
        assert_eq!(sim.stack(1).reassembly_usage(), (0, 0, 0));
        assert_eq!(st.ip_frag.drop_reassembly, 2000);
    }
    // Still answers.
    let a = sim.udp_bound(0, 0);
    let b = sim.udp_bound(1, 7);
    sim.now = later;
    sim.poll_all();
    sim.stack(0)
        .udp_send_to(a, b"still there?", ep(ip(10, 0, 0, 2), 7))
        .expect("send");
    assert!(sim.run_until(Duration::from_secs(2), |s| {
        s.stack(1).udp_queued(b).expect("socket").0 == 1
    }));
}

#[test]
fn out_of_order_and_duplicate_fragments_reassemble() {
    let mut sim = pair(seed(33), FaultConfig::default());
    sim.run_for(Duration::from_millis(10));
    let b = sim.udp_bound(1, 7);
    let netif = sim.hosts[1].netifs[0];
    // A UDP datagram of 8 + 1592 bytes in two fragments, sent last-first and twice.
    let data: Vec<u8> = (0..1592).map(|i| i as u8).collect();
    let mut datagram = vec![0u8; 8 + data.len()];
    let udp = netstack::wire::UdpRepr {
        src_port: 1234,
        dst_port: 7,
        payload_len: data.len(),
    };
    let (s, d) = (
        std::net::IpAddr::V4(ip(10, 0, 0, 1)),
        std::net::IpAddr::V4(ip(10, 0, 0, 2)),
    );
    udp.emit(
        &mut netstack::wire::UdpPacket::new_unchecked(&mut datagram[..]),
        &s,
        &d,
        &data,
    )
    .expect("udp");
    let mk = |offset: usize, len: usize, more: bool| {
        let mut f = fragment_frame(99, offset as u16, more, len);
        f[34..].copy_from_slice(&datagram[offset..offset + len]);
        let mut p = Ipv4Packet::new_unchecked(&mut f[14..]);
        p.fill_checksum();
        f
    };
    let first = mk(0, 800, true);
    let last = mk(800, 800, false);
    let t = Instant::from_millis(20);
    sim.stack(1).input(netif, &last, t);
    sim.stack(1).input(netif, &last, t);
    sim.stack(1).input(netif, &first, t);
    sim.stack(1).input(netif, &first, t);
    let got = sim.stack(1).udp_recv_from(b);
    if config::IP4_REASSEMBLY {
        assert_eq!(got.expect("reassembled").data, data);
        assert_eq!(sim.stack(1).udp_recv_from(b), Err(Error::WouldBlock));
    } else {
        assert_eq!(got, Err(Error::WouldBlock));
        assert_eq!(sim.stack(1).stats().ip_frag.drop_reassembly, 4);
    }
}
