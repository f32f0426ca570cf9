//! Simulation: ARP resolution, retries, give-up, expiry and on-demand timers.

mod common;

use common::*;
use netstack::config;
use netstack::ipv4::arp::MAX_REQUESTS;
use netstack::phy::FaultConfig;
use netstack::time::Duration;
use netstack::wire::EthernetAddress;
use netstack::{Error, Stack, StackConfig};

fn mac(host: u8) -> EthernetAddress {
    EthernetAddress([2, 0, 0, 0, host, 0])
}

#[test]
fn resolution_learns_both_ways() {
    let mut sim = pair(seed(1), FaultConfig::default());
    let a = sim.udp_bound(0, 1000);
    let b = sim.udp_bound(1, 2000);
    sim.stack(0)
        .udp_send_to(a, b"hello", ep(ip(10, 0, 0, 2), 2000))
        .expect("send");
    assert!(sim.run_until(Duration::from_secs(2), |s| {
        s.stack(1).udp_queued(b).expect("socket").0 == 1
    }));
    let (na, nb) = (sim.hosts[0].netifs[0], sim.hosts[1].netifs[0]);
    assert_eq!(sim.stack(0).arp_lookup(na, ip(10, 0, 0, 2)), Some(mac(1)));
    // The request was for B: B entered A (RFC 826 merge).
    assert_eq!(sim.stack(1).arp_lookup(nb, ip(10, 0, 0, 1)), Some(mac(0)));
    assert_eq!(sim.stack(1).stats().arp.replies_sent, 1);
    let d = sim.stack(1).udp_recv_from(b).expect("datagram");
    assert_eq!(d.data, b"hello");
    assert_eq!(d.src, ep(ip(10, 0, 0, 1), 1000));
}

#[test]
fn unanswered_request_retries_then_reports_host_unreachable() {
    let mut sim = pair(seed(2), FaultConfig::default());
    sim.run_for(Duration::from_millis(10));
    let before = sim.stack(0).stats().arp.requests_sent;
    let a = sim.udp_bound(0, 1000);
    sim.stack(0)
        .udp_connect(a, ep(ip(10, 0, 0, 99), 9))
        .expect("connect");
    sim.stack(0).udp_send(a, b"anyone?").expect("queued");
    sim.run_for(Duration::from_secs(10));
    let stats = *sim.stack(0).stats();
    assert_eq!(stats.arp.requests_sent - before, MAX_REQUESTS as u64);
    assert_eq!(stats.arp.resolution_failures, 1);
    assert_eq!(stats.ip.drop_unresolved, 1);
    assert_eq!(sim.stack(0).udp_recv_from(a), Err(Error::HostUnreachable));
    assert_eq!(sim.stack(0).arp_entries().count(), 0);
}

#[test]
fn stable_entry_expires_after_maxage() {
    let mut sim = pair(seed(3), FaultConfig::default());
    let a = sim.udp_bound(0, 1000);
    let _b = sim.udp_bound(1, 2000);
    sim.stack(0)
        .udp_send_to(a, b"x", ep(ip(10, 0, 0, 2), 2000))
        .expect("send");
    sim.run_for(Duration::from_secs(1));
    let na = sim.hosts[0].netifs[0];
    assert!(sim.stack(0).arp_lookup(na, ip(10, 0, 0, 2)).is_some());
    // B goes quiet (no more gratuitous ARP to refresh A's entry).
    let nb = sim.hosts[1].netifs[0];
    sim.stack(1).set_down(nb).expect("down");
    sim.run_for(Duration::from_secs(config::ARP_MAXAGE as u64 - 5));
    assert!(sim.stack(0).arp_lookup(na, ip(10, 0, 0, 2)).is_some());
    sim.run_for(Duration::from_secs(10));
    assert_eq!(sim.stack(0).arp_lookup(na, ip(10, 0, 0, 2)), None);
    assert_eq!(sim.stack(0).stats().arp.expired, 1);
}

#[test]
fn entry_in_use_is_refreshed_before_expiry() {
    let mut sim = pair(seed(4), FaultConfig::default());
    let a = sim.udp_bound(0, 1000);
    let _b = sim.udp_bound(1, 2000);
    let na = sim.hosts[0].netifs[0];
    // Keep sending once a second for longer than the entry lives.
    let total = config::ARP_MAXAGE as u64 + 60;
    for _ in 0..total {
        sim.stack(0)
            .udp_send_to(a, b"tick", ep(ip(10, 0, 0, 2), 2000))
            .expect("send");
        sim.run_for(Duration::from_secs(1));
        assert!(sim.stack(0).arp_lookup(na, ip(10, 0, 0, 2)).is_some());
    }
    assert_eq!(sim.stack(0).stats().arp.expired, 0);
    assert_eq!(sim.stack(0).stats().arp.resolution_failures, 0);
}

#[test]
fn static_entries_need_no_resolution() {
    let mut sim = pair(seed(5), FaultConfig::default());
    sim.run_for(Duration::from_millis(10));
    let na = sim.hosts[0].netifs[0];
    sim.stack(0)
        .arp_add_static(na, ip(10, 0, 0, 2), mac(1))
        .expect("static");
    let before = sim.stack(0).stats().arp.requests_sent;
    let a = sim.udp_bound(0, 1000);
    let b = sim.udp_bound(1, 2000);
    sim.stack(0)
        .udp_send_to(a, b"direct", ep(ip(10, 0, 0, 2), 2000))
        .expect("send");
    assert!(sim.run_until(Duration::from_secs(1), |s| {
        s.stack(1).udp_queued(b).expect("socket").0 == 1
    }));
    assert_eq!(sim.stack(0).stats().arp.requests_sent, before);
    sim.run_for(Duration::from_secs(config::ARP_MAXAGE as u64 + 1));
    assert_eq!(sim.stack(0).arp_lookup(na, ip(10, 0, 0, 2)), Some(mac(1)));
}

#[test]
fn idle_stack_has_no_deadline_but_configured_periodic_ones() {
    let mut s = Stack::new(StackConfig::default());
    let t = netstack::time::Instant::from_secs(5);
    s.poll(t);
    if config::TIMERS_ONDEMAND {
        assert_eq!(s.next_deadline(), None);
    } else {
        assert_eq!(s.next_deadline(), Some(t + Duration::from_secs(1)));
    }
    // With an Ethernet interface: the announcement, then (ESP_GRATUITOUS_ARP) the periodic one.
    let mut sim = pair(seed(6), FaultConfig::default());
    sim.run_for(Duration::from_secs(2));
    let now = sim.now;
    let deadline = sim.stack(0).next_deadline();
    match (config::ESP_GRATUITOUS_ARP, config::TIMERS_ONDEMAND) {
        (true, true) => {
            let d = deadline.expect("periodic gratuitous ARP");
            assert!(d > now && d <= now + Duration::from_secs(config::GARP_TMR_INTERVAL as u64));
        }
        (false, true) => assert_eq!(deadline, None),
        (_, false) => assert!(deadline.is_some_and(|d| d <= now + Duration::from_secs(1))),
    }
}

#[test]
fn gratuitous_arp_on_up_and_periodically() {
    let mut sim = pair(seed(7), FaultConfig::default());
    sim.run_for(Duration::from_millis(10));
    assert_eq!(sim.stack(0).stats().arp.requests_sent, 1);
    sim.run_for(Duration::from_secs(
        config::GARP_TMR_INTERVAL as u64 * 2 + 1,
    ));
    let expected = if config::ESP_GRATUITOUS_ARP { 3 } else { 1 };
    assert_eq!(sim.stack(0).stats().arp.requests_sent, expected);
}
