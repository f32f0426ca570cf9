//! Simulation: three stacks, A — R — B on two links; R forwards when `config::IP_FORWARD`.

mod common;

use common::*;
use netstack::Error;
use netstack::config;
use netstack::phy::FaultConfig;
use netstack::time::Duration;

/// A = 10.0.1.2 (gw 10.0.1.1) on link 0; R = 10.0.1.1 + 10.0.2.1; B = 10.0.2.2 (gw 10.0.2.1).
fn triangle(seed: u64) -> Sim {
    let mut sim = Sim::new(2);
    let none = FaultConfig::default();
    sim.add_host(
        seed,
        &[(0, cidr(ip(10, 0, 1, 2), 24), Some(ip(10, 0, 1, 1)))],
        none,
    );
    sim.add_host(
        seed + 1,
        &[
            (0, cidr(ip(10, 0, 1, 1), 24), None),
            (1, cidr(ip(10, 0, 2, 1), 24), None),
        ],
        none,
    );
    sim.add_host(
        seed + 2,
        &[(1, cidr(ip(10, 0, 2, 2), 24), Some(ip(10, 0, 2, 1)))],
        none,
    );
    sim
}

#[test]
fn router_forwards_per_configuration() {
    let mut sim = triangle(seed(40));
    let a = sim.udp_bound(0, 1000);
    let b = sim.udp_bound(2, 2000);
    sim.stack(0)
        .udp_send_to(a, b"across", ep(ip(10, 0, 2, 2), 2000))
        .expect("send");
    let arrived = sim.run_until(Duration::from_secs(2), |s| {
        s.stack(2).udp_queued(b).expect("socket").0 == 1
    });
    assert_eq!(arrived, config::IP_FORWARD);
    if config::IP_FORWARD {
        let d = sim.stack(2).udp_recv_from(b).expect("datagram");
        assert_eq!(d.src, ep(ip(10, 0, 1, 2), 1000));
        assert_eq!(sim.stack(1).stats().ip.forwarded, 1);
        // And back, through B's gateway.
        sim.stack(2).udp_send_to(b, b"back", d.src).expect("send");
        assert!(sim.run_until(Duration::from_secs(2), |s| {
            s.stack(0).udp_queued(a).expect("socket").0 == 1
        }));
        // A large datagram is re-fragmented or passed in fragments.
        sim.stack(0)
            .udp_send_to(a, &[7; 3000], ep(ip(10, 0, 2, 2), 2000))
            .expect("send");
        let big = sim.run_until(Duration::from_secs(2), |s| {
            s.stack(2).udp_queued(b).expect("socket").0 == 1
        });
        assert_eq!(big, config::IP4_REASSEMBLY);
    } else {
        assert_eq!(sim.stack(1).stats().ip.drop_not_for_us, 1);
        assert_eq!(sim.stack(1).stats().ip.forwarded, 0);
    }
}

#[test]
fn ttl_expiry_is_reported_when_forwarding() {
    let mut sim = triangle(seed(41));
    let a = sim.udp_bound(0, 1000);
    let _b = sim.udp_bound(2, 2000);
    let mut o = sim.stack(0).udp_options(a).expect("opts");
    o.ttl = 1;
    sim.stack(0).udp_set_options(a, o).expect("set");
    sim.stack(0)
        .udp_connect(a, ep(ip(10, 0, 2, 2), 2000))
        .expect("connect");
    sim.stack(0).udp_send(a, b"short-lived").expect("send");
    sim.run_for(Duration::from_secs(2));
    if config::IP_FORWARD {
        assert_eq!(sim.stack(1).stats().ip.forwarded, 0);
        assert_eq!(sim.stack(1).stats().icmp.tx, 1);
        assert_eq!(sim.stack(0).udp_recv_from(a), Err(Error::HostUnreachable));
    } else {
        assert_eq!(sim.stack(0).udp_recv_from(a), Err(Error::WouldBlock));
    }
}

#[test]
fn broadcasts_and_link_local_are_never_forwarded() {
    let mut sim = triangle(seed(42));
    let a = sim.udp_bound(0, 1000);
    let mut o = sim.stack(0).udp_options(a).expect("opts");
    o.broadcast = true;
    sim.stack(0).udp_set_options(a, o).expect("set");
    sim.stack(0)
        .udp_send_to(a, b"bcast", ep(ip(10, 0, 2, 255), 2000))
        .expect("send");
    sim.stack(0)
        .udp_send_to(a, b"ll", ep(ip(169, 254, 1, 1), 2000))
        .expect("send (on-link)");
    sim.run_for(Duration::from_secs(7));
    assert_eq!(sim.stack(1).stats().ip.forwarded, 0);
}
