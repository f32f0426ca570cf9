//! Simulation: the next-hop hint (what routing and ARP decided for the last unicast
//! destination) never outlives what it was taken from, and the routing hooks are still
//! asked once per datagram.

mod common;

use common::*;
use netstack::Error;
use netstack::phy::FaultConfig;
use netstack::time::Duration;
use netstack::udp::UdpHandle;
use netstack::wire::EthernetAddress;

/// Sends `n` datagrams from host 0 to 10.0.0.2:2000, one per millisecond, and says how
/// many host 1's socket `b` received (reading them all).
fn stream(sim: &mut Sim, a: UdpHandle, b: UdpHandle, n: usize) -> usize {
    for _ in 0..n {
        let _ = sim
            .stack(0)
            .udp_send_to(a, b"datagram", ep(ip(10, 0, 0, 2), 2000));
        sim.run_for(Duration::from_millis(1));
    }
    sim.run_for(Duration::from_millis(50));
    let mut got = 0;
    while sim.stack(1).udp_recv_from(b).is_ok() {
        got += 1;
    }
    got
}

#[test]
fn a_changed_neighbour_address_applies_to_the_next_datagram() {
    let mut sim = pair(seed(31), FaultConfig::default());
    let a = sim.udp_bound(0, 1000);
    let b = sim.udp_bound(1, 2000);
    assert_eq!(stream(&mut sim, a, b, 5), 5, "resolved, then straight");
    // The neighbour's entry now names a hardware address nobody has: the datagrams that
    // follow go there (and are lost), not to the address the hint remembers.
    let na = sim.hosts[0].netifs[0];
    sim.stack(0)
        .arp_add_static(na, ip(10, 0, 0, 2), EthernetAddress([2, 0, 0, 0, 9, 9]))
        .expect("static entry");
    assert_eq!(stream(&mut sim, a, b, 3), 0);
    // Removed: resolved again (the datagram that asks waits for the answer), delivered
    // again.
    assert!(sim.stack(0).arp_remove(na, ip(10, 0, 0, 2)));
    assert_eq!(stream(&mut sim, a, b, 1), 1);
    assert_eq!(stream(&mut sim, a, b, 3), 3);
}

#[test]
fn a_changed_interface_applies_to_the_next_datagram() {
    let mut sim = pair(seed(32), FaultConfig::default());
    let a = sim.udp_bound(0, 1000);
    let b = sim.udp_bound(1, 2000);
    assert_eq!(stream(&mut sim, a, b, 5), 5);
    // Another subnet and no gateway: 10.0.0.2 has no route any more.
    let na = sim.hosts[0].netifs[0];
    sim.stack(0)
        .set_ipv4(na, Some(cidr(ip(10, 0, 1, 1), 24)))
        .expect("address");
    assert_eq!(
        sim.stack(0)
            .udp_send_to(a, b"lost", ep(ip(10, 0, 0, 2), 2000)),
        Err(Error::NoRoute)
    );
    // Back, and the interface down then up: delivered again only while up.
    // (A new address forgets the interface's ARP entries: the first datagram waits for
    // the answer.)
    sim.stack(0)
        .set_ipv4(na, Some(cidr(ip(10, 0, 0, 1), 24)))
        .expect("address");
    assert_eq!(stream(&mut sim, a, b, 1), 1);
    assert_eq!(stream(&mut sim, a, b, 3), 3);
    sim.stack(0).set_down(na).expect("down");
    assert_eq!(stream(&mut sim, a, b, 3), 0);
    sim.stack(0).set_up(na).expect("up");
    assert_eq!(stream(&mut sim, a, b, 1), 1);
    assert_eq!(stream(&mut sim, a, b, 3), 3);
}

/// The hooks are asked as often with the hint as without. (Needs both hook points compiled
/// in: with `none` they are never asked.)
#[cfg(not(any(netstack_hook_ip4_route = "none", netstack_hook_etharp_get_gw = "none")))]
mod hooks {
    use std::sync::{Arc, Mutex};

    use super::common::*;
    use netstack::hooks::Hooks;
    use netstack::phy::{LinkConfig, VirtualLink};
    use netstack::time::Instant;
    use netstack::wire::{EthernetAddress, Ipv4Addr};
    use netstack::{NetifConfig, NetifId, NetifInfo, Stack, StackConfig};

    /// Counts the routing hooks' calls; answers what the test sets.
    #[derive(Default)]
    struct RouteCounter {
        route_calls: u32,
        gateway_calls: u32,
        route_to: Option<NetifId>,
        gateway: Option<Ipv4Addr>,
    }

    impl Hooks for RouteCounter {
        fn ip4_route(&mut self, _: Ipv4Addr) -> Option<NetifId> {
            self.route_calls += 1;
            self.route_to
        }
        fn etharp_get_gw(&mut self, _: &NetifInfo<'_>, _: Ipv4Addr) -> Option<Ipv4Addr> {
            self.gateway_calls += 1;
            self.gateway
        }
    }

    #[test]
    fn the_routing_hooks_are_asked_once_per_datagram() {
        let link = VirtualLink::new(LinkConfig::default());
        let mut a = Stack::with_hooks(StackConfig::default(), RouteCounter::default());
        let na = a
            .add_netif(
                NetifConfig::new("a")
                    .with_mac(EthernetAddress([2, 0, 0, 0, 0, 1]))
                    .with_ipv4(cidr(ip(10, 0, 0, 1), 24))
                    .with_gateway(ip(10, 0, 0, 2)),
                Box::new(Arc::new(Mutex::new(link.port()))),
            )
            .expect("netif");
        let mut b = Stack::new(StackConfig::default());
        b.add_netif(
            NetifConfig::new("b")
                .with_mac(EthernetAddress([2, 0, 0, 0, 0, 2]))
                .with_ipv4(cidr(ip(10, 0, 0, 2), 24)),
            Box::new(Arc::new(Mutex::new(link.port()))),
        )
        .expect("netif");
        let mut t = 1000;
        let mut run = |a: &mut Stack<RouteCounter>, b: &mut Stack| {
            for _ in 0..5 {
                t += 1;
                a.poll(Instant::from_millis(t));
                b.poll(Instant::from_millis(t));
            }
        };
        let s = a.udp_open().expect("open");
        let calls = |a: &Stack<RouteCounter>| (a.hooks().route_calls, a.hooks().gateway_calls);
        // On-link: the route hook each time, the gateway hook never.
        for _ in 0..10 {
            a.udp_send_to(s, b"x", ep(ip(10, 0, 0, 2), 9))
                .expect("send");
            run(&mut a, &mut b);
        }
        assert_eq!(calls(&a), (10, 0));
        // Off-link through the interface's gateway: both, once each.
        for _ in 0..10 {
            a.udp_send_to(s, b"x", ep(ip(198, 51, 100, 7), 9))
                .expect("send");
            run(&mut a, &mut b);
        }
        assert_eq!(calls(&a), (20, 10));
        // The hooks start answering: still once each per datagram, and the answers count.
        a.hooks_mut().gateway = Some(ip(10, 0, 0, 3));
        a.udp_send_to(s, b"x", ep(ip(198, 51, 100, 7), 9))
            .expect("send");
        assert_eq!(calls(&a), (21, 11));
        run(&mut a, &mut b);
        assert!(
            a.arp_entries().any(|e| e.ip == ip(10, 0, 0, 3)),
            "the hook's gateway is being resolved"
        );
        a.hooks_mut().route_to = Some(na);
        a.udp_send_to(s, b"x", ep(ip(10, 0, 0, 2), 9))
            .expect("send");
        assert_eq!(calls(&a), (22, 11));
    }
}
