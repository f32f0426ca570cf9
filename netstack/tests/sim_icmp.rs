//! Simulation: ICMP echo both ways, broadcast ping per configuration, port unreachable to a
//! connected socket, no errors about broadcasts.

mod common;

use common::*;
use netstack::Error;
use netstack::config;
use netstack::phy::FaultConfig;
use netstack::time::Duration;

#[test]
fn ping_gets_an_identical_reply() {
    let mut sim = pair(seed(20), FaultConfig::default());
    let data: Vec<u8> = (0..56).collect();
    sim.stack(0)
        .icmp_echo_request(ip(10, 0, 0, 2), 0x1234, 7, &data)
        .expect("ping");
    let mut reply = None;
    assert!(sim.run_until(Duration::from_secs(2), |s| {
        reply = s.stack(0).icmp_echo_reply();
        reply.is_some()
    }));
    let reply = reply.expect("reply");
    assert_eq!(reply.from, ip(10, 0, 0, 2));
    assert_eq!((reply.ident, reply.seq_no), (0x1234, 7));
    assert_eq!(reply.data, data);
    assert_eq!(sim.stack(1).stats().icmp.tx, 1);
}

#[test]
fn ping_to_ourselves_and_to_loopback() {
    let mut sim = pair(seed(21), FaultConfig::default());
    for dst in [ip(10, 0, 0, 1), ip(127, 0, 0, 1)] {
        let r = sim.stack(0).icmp_echo_request(dst, 1, 1, b"me");
        if !config::NETIF_LOOPBACK {
            assert!(r.is_err());
            continue;
        }
        r.expect("ping");
        let mut reply = None;
        assert!(sim.run_until(Duration::from_secs(1), |s| {
            reply = s.stack(0).icmp_echo_reply();
            reply.is_some()
        }));
        assert_eq!(reply.expect("reply").from, dst);
    }
}

#[test]
fn broadcast_ping_is_answered_only_when_configured() {
    let mut sim = pair(seed(22), FaultConfig::default());
    sim.stack(0)
        .icmp_echo_request(ip(10, 0, 0, 255), 2, 1, b"anyone")
        .expect("ping");
    let answered = sim.run_until(Duration::from_secs(1), |s| {
        s.stack(0).icmp_echo_reply().is_some()
    });
    assert_eq!(answered, config::BROADCAST_PING);
    if !config::BROADCAST_PING {
        assert_eq!(sim.stack(1).stats().icmp.drop_policy, 1);
    }
}

#[test]
fn multicast_ping_is_answered_only_when_configured() {
    let mut sim = pair(seed(23), FaultConfig::default());
    sim.stack(0)
        .icmp_echo_request(ip(224, 0, 0, 1), 3, 1, b"all hosts")
        .expect("ping");
    let answered = sim.run_until(Duration::from_secs(1), |s| {
        s.stack(0).icmp_echo_reply().is_some()
    });
    assert_eq!(answered, config::MULTICAST_PING);
}

#[test]
fn port_unreachable_reaches_the_connected_socket() {
    let mut sim = pair(seed(24), FaultConfig::default());
    let a = sim.udp_bound(0, 1000);
    sim.stack(0)
        .udp_connect(a, ep(ip(10, 0, 0, 2), 9))
        .expect("connect");
    sim.stack(0).udp_send(a, b"knock").expect("send");
    assert!(sim.run_until(Duration::from_secs(2), |s| {
        s.stack(0).udp_readiness(a).expect("socket").error
    }));
    let mut events = Vec::new();
    sim.stack(0).udp_drain_events(|_, e| events.push(e));
    assert!(
        events
            .iter()
            .any(|e| e.contains(netstack::UdpEvents::ERROR))
    );
    assert_eq!(sim.stack(0).udp_recv_from(a), Err(Error::ConnectionRefused));
    assert_eq!(sim.stack(0).udp_recv_from(a), Err(Error::WouldBlock));
    assert_eq!(sim.stack(1).stats().udp.drop_no_socket, 1);
    // An unconnected socket does not get errors (BSD without IP_RECVERR).
    let b = sim.udp_bound(0, 1001);
    sim.stack(0)
        .udp_send_to(b, b"knock", ep(ip(10, 0, 0, 2), 9))
        .expect("send");
    sim.run_for(Duration::from_secs(1));
    assert_eq!(sim.stack(0).udp_take_error(b), Ok(None));
    assert_eq!(sim.stack(1).stats().icmp.tx, 2);
}

#[test]
fn errors_are_rate_limited() {
    let mut sim = pair(seed(25), FaultConfig::default());
    let a = sim.udp_bound(0, 1000);
    sim.stack(0)
        .udp_send_to(a, b"warm-up", ep(ip(10, 0, 0, 2), 9))
        .expect("send");
    sim.run_for(Duration::from_secs(1));
    let sent_before = sim.stack(1).stats().icmp.tx;
    for _ in 0..100 {
        sim.stack(0)
            .udp_send_to(a, b"x", ep(ip(10, 0, 0, 2), 9))
            .expect("send");
    }
    sim.run_for(Duration::from_millis(20));
    let sent = sim.stack(1).stats().icmp.tx - sent_before;
    assert!(
        sent <= netstack::ipv4::icmp::ERROR_BURST as u64,
        "{sent} errors sent"
    );
    assert!(sim.stack(1).stats().icmp.drop_policy > 0);
}
