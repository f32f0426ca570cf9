//! Simulation: UDP between two stacks under loss, duplication, reordering and corruption,
//! with an application-level stop-and-wait protocol that checks every delivered byte.

mod common;

use common::*;
use netstack::config;
use netstack::phy::{FaultConfig, Faults};
use netstack::time::Duration;
use netstack::{Error, UdpHandle};

/// FNV-1a 64: the application's own integrity check.
fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A message: seq (4 bytes), payload, hash of both (8 bytes).
fn message(seq: u32, len: usize) -> Vec<u8> {
    let mut m: Vec<u8> = seq.to_be_bytes().to_vec();
    m.extend((0..len).map(|i| (i as u32 ^ seq.wrapping_mul(2_654_435_761)) as u8));
    let h = fnv(&m);
    m.extend_from_slice(&h.to_be_bytes());
    m
}

/// The seq of an intact message, `None` if corrupt.
fn check(m: &[u8]) -> Option<u32> {
    if m.len() < 12 {
        return None;
    }
    let (body, hash) = m.split_at(m.len() - 8);
    (fnv(body).to_be_bytes() == hash)
        .then(|| u32::from_be_bytes([body[0], body[1], body[2], body[3]]))
}

/// Echoes every datagram the server socket received; counts corrupt ones.
fn serve(sim: &mut Sim, host: usize, server: UdpHandle, corrupt: &mut u32) {
    while let Ok(d) = sim.stack(host).udp_recv_from(server) {
        if check(&d.data).is_none() {
            *corrupt += 1;
            continue;
        }
        sim.stack(host)
            .udp_send_to(server, &d.data, d.src)
            .expect("echo");
    }
}

/// Sends `count` messages of `len` bytes with stop-and-wait and retries; returns the
/// corrupt datagrams seen by (client, server).
pub fn echo_run(sim: &mut Sim, count: u32, len: usize) -> (u32, u32) {
    let server = sim.udp_bound(1, 7);
    let client = sim.udp_bound(0, 0);
    let (mut bad_client, mut bad_server) = (0, 0);
    for seq in 0..count {
        let m = message(seq, len);
        let mut acked = false;
        for _attempt in 0..50 {
            sim.stack(0)
                .udp_send_to(client, &m, ep(ip(10, 0, 0, 2), 7))
                .expect("send");
            let deadline = sim.now + Duration::from_millis(300);
            while sim.now < deadline && !acked {
                sim.run_until(Duration::from_millis(5), |_| false);
                serve(sim, 1, server, &mut bad_server);
                loop {
                    match sim.stack(0).udp_recv_from(client) {
                        Ok(d) => match check(&d.data) {
                            Some(s) if s == seq => {
                                assert_eq!(d.data, m, "intact echo must be identical");
                                acked = true;
                            }
                            Some(_) => {} // a late duplicate of an earlier message
                            None => bad_client += 1,
                        },
                        Err(Error::WouldBlock) => break,
                        Err(e) => panic!("unexpected {e}"),
                    }
                }
            }
            if acked {
                break;
            }
        }
        assert!(acked, "message {seq} never echoed");
    }
    (bad_client, bad_server)
}

#[test]
fn echo_over_a_clean_link() {
    let mut sim = pair(seed(10), FaultConfig::default());
    assert_eq!(echo_run(&mut sim, 50, 100), (0, 0));
    assert_eq!(sim.stack(1).stats().udp.dropped, 0);
}

#[test]
fn echo_survives_loss_duplication_reordering_and_corruption() {
    let s = seed(11);
    // Corruption spares the Ethernet and IPv4 headers: UDP checksums must catch it (ARP
    // sender fields are spared too, so the caches are not poisoned).
    let faults = Faults::NONE
        .loss(0.1)
        .duplicate(0.1)
        .reorder(0.1)
        .corrupt(0.1, 34);
    let mut sim = pair(s, FaultConfig::both(faults));
    let (bad_client, bad_server) = echo_run(&mut sim, 100, 200);
    let caught = sim.stack(0).stats().udp.drop_checksum + sim.stack(1).stats().udp.drop_checksum;
    let corrupted: u64 = sim
        .hosts
        .iter()
        .flat_map(|h| h.ports.iter())
        .map(|p| {
            let st = p.lock().expect("device lock").stats();
            st.rx.corrupted + st.tx.corrupted
        })
        .sum();
    eprintln!(
        "corrupted {corrupted}, caught by UDP checksums {caught}, seen by the app {bad_client}+{bad_server}"
    );
    assert!(
        corrupted > 0,
        "the fault injector corrupted nothing: raise the rate"
    );
    if config::CHECKSUM_CHECK_UDP {
        assert_eq!((bad_client, bad_server), (0, 0), "corrupt data delivered");
        assert!(caught > 0);
    } else {
        // Verification is off in this configuration: damage reaches the application,
        // which must catch it itself; the stack counted nothing.
        assert_eq!(caught, 0);
    }
}

#[test]
fn queue_overflow_is_dropped_and_counted() {
    let mut sim = pair(seed(12), FaultConfig::default());
    let server = sim.udp_bound(1, 7);
    let client = sim.udp_bound(0, 0);
    // Resolve first, so nothing waits in (and overflows) the ARP queue.
    sim.stack(0)
        .udp_send_to(client, b"warm-up", ep(ip(10, 0, 0, 2), 7))
        .expect("send");
    sim.run_for(Duration::from_secs(1));
    sim.stack(1).udp_recv_from(server).expect("warm-up");
    let n = config::UDP_RECVMBOX_SIZE + 3;
    for i in 0..n {
        sim.stack(0)
            .udp_send_to(client, &[i as u8], ep(ip(10, 0, 0, 2), 7))
            .expect("send");
    }
    sim.run_for(Duration::from_secs(1));
    assert_eq!(
        sim.stack(1).udp_queued(server).expect("socket").0,
        config::UDP_RECVMBOX_SIZE
    );
    let st = sim.stack(1).stats().udp;
    assert_eq!(st.drop_queue_full as usize, n - config::UDP_RECVMBOX_SIZE);
    assert!(sim.stack(1).udp_readiness(server).expect("socket").readable);
    let mut events = Vec::new();
    sim.stack(1).udp_drain_events(|h, e| events.push((h, e)));
    assert_eq!(events.len(), 1);
    assert!(events[0].1.contains(netstack::UdpEvents::RECEIVED));
}

#[test]
fn broadcast_needs_the_option_and_reaches_every_listener() {
    let mut sim = pair(seed(13), FaultConfig::default());
    let a = sim.udp_bound(1, 5000);
    let b = sim.udp_bound(1, 5000 + 1);
    let _ = b;
    let client = sim.udp_bound(0, 0);
    let to = ep(ip(10, 0, 0, 255), 5000);
    assert_eq!(
        sim.stack(0).udp_send_to(client, b"all", to),
        Err(Error::BroadcastNotAllowed)
    );
    let mut o = sim.stack(0).udp_options(client).expect("opts");
    o.broadcast = true;
    sim.stack(0).udp_set_options(client, o).expect("set");
    sim.stack(0).udp_send_to(client, b"all", to).expect("send");
    sim.stack(0)
        .udp_send_to(client, b"all2", ep(ip(255, 255, 255, 255), 5000))
        .expect("send");
    sim.run_for(Duration::from_secs(1));
    let d = sim.stack(1).udp_recv_from(a).expect("subnet broadcast");
    assert_eq!((d.data.as_slice(), d.dst), (&b"all"[..], ip(10, 0, 0, 255)));
    let d = sim.stack(1).udp_recv_from(a).expect("limited broadcast");
    assert_eq!(d.dst, ip(255, 255, 255, 255));
    // No ICMP error answers a broadcast nobody listens to.
    sim.stack(0)
        .udp_send_to(client, b"nobody", ep(ip(10, 0, 0, 255), 4444))
        .expect("send");
    sim.run_for(Duration::from_secs(1));
    assert_eq!(sim.stack(1).stats().icmp.tx, 0);
}

/// An IGMPv2 general query (RFC 2236 §2) to 224.0.0.1 from 10.0.0.9, max response time
/// 1 s, in an Ethernet frame.
fn general_query() -> Vec<u8> {
    use netstack::wire::checksum::checksum;
    let mut igmp = vec![0x11, 10, 0, 0, 0, 0, 0, 0];
    let sum = checksum(&igmp);
    igmp[2..4].copy_from_slice(&sum.to_be_bytes());
    let mut ip = vec![
        0x45, 0xc0, 0, 28, 0, 0, 0, 0, 1, 2, 0, 0, 10, 0, 0, 9, 224, 0, 0, 1,
    ];
    let sum = checksum(&ip);
    ip[10..12].copy_from_slice(&sum.to_be_bytes());
    let mut frame = vec![0x01, 0x00, 0x5e, 0, 0, 1, 2, 0, 0, 0, 0, 9, 0x08, 0x00];
    frame.extend_from_slice(&ip);
    frame.extend_from_slice(&igmp);
    frame
}

/// A member answers a general query with a report within the query's max response time
/// (the report is scheduled by the query, not by the application).
#[test]
fn a_general_query_is_answered_within_its_response_time() {
    use netstack::phy::Device;
    if !config::IGMP {
        return;
    }
    let mut sim = pair(seed(15), FaultConfig::default());
    let socket = sim.udp_bound(1, 6000);
    sim.stack(1)
        .udp_join_multicast(socket, None, ip(239, 1, 2, 3))
        .expect("join");
    // Past the join's unsolicited reports.
    sim.run_for(Duration::from_secs(11));
    let before = sim.stack(1).stats().igmp.tx;
    sim.run_for(Duration::from_secs(5));
    assert_eq!(sim.stack(1).stats().igmp.tx, before, "nothing pending");
    let mut querier = sim.links[0].port();
    querier
        .transmit(&general_query(), sim.now)
        .expect("query sent");
    sim.run_for(Duration::from_millis(1100));
    assert_eq!(sim.stack(1).stats().igmp.rx, 1, "the query arrived");
    assert_eq!(
        sim.stack(1).stats().igmp.tx,
        before + 1,
        "one report within the max response time"
    );
}

#[test]
fn multicast_join_filters_and_reports() {
    let mut sim = pair(seed(14), FaultConfig::default());
    let group = ip(239, 1, 2, 3);
    let server = sim.udp_bound(1, 6000);
    let client = sim.udp_bound(0, 0);
    let send = |sim: &mut Sim| {
        sim.stack(0)
            .udp_send_to(client, b"mc", ep(group, 6000))
            .expect("send");
        sim.run_for(Duration::from_millis(100));
    };
    send(&mut sim);
    assert_eq!(sim.stack(1).udp_recv_from(server), Err(Error::WouldBlock));
    assert!(sim.stack(1).stats().ip.drop_not_for_us >= 1);
    let igmp_before = sim.stack(1).stats().igmp.tx;
    sim.stack(1)
        .udp_join_multicast(server, None, group)
        .expect("join");
    let n1 = sim.hosts[1].netifs[0];
    assert!(sim.stack(1).is_multicast_member(n1, group));
    send(&mut sim);
    let d = sim.stack(1).udp_recv_from(server).expect("group datagram");
    assert_eq!(d.dst, group);
    if config::IGMP {
        assert!(
            sim.stack(1).stats().igmp.tx > igmp_before,
            "join sends a report"
        );
        // The unsolicited repeat goes out within the report interval.
        let after_join = sim.stack(1).stats().igmp.tx;
        sim.run_for(Duration::from_secs(11));
        assert!(sim.stack(1).stats().igmp.tx > after_join);
    }
    sim.stack(1).udp_close(server).expect("close");
    assert!(!sim.stack(1).is_multicast_member(n1, group));
}
