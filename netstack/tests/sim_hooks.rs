//! The hook points are called where documented and their answers are obeyed.
//!
//! Needs every hook point called (`default`, the stack's own tests' setting): a configuration
//! that compiles a point out (`none`) skips the file.
#![cfg(not(any(
    netstack_hook_ip4_input = "none",
    netstack_hook_ip4_route = "none",
    netstack_hook_ip4_route_src = "none",
    netstack_hook_ip4_canforward = "none",
    netstack_hook_etharp_get_gw = "none",
    netstack_hook_vlan_check = "none",
    netstack_hook_vlan_set = "none",
    netstack_hook_unknown_eth_protocol = "none",
)))]

mod common;

use std::sync::{Arc, Mutex};

use common::{cidr, ep, ip};
use netstack::hooks::{ForwardDecision, Hooks, InputVerdict};
use netstack::phy::{FaultConfig, FaultInjector, LinkConfig, VirtualLink};
use netstack::time::Instant;
use netstack::wire::{EtherType, EthernetAddress, EthernetFrame, Ipv4Addr, Ipv4Packet, VlanTag};
use netstack::{NetifConfig, NetifId, NetifInfo, Stack, StackConfig};

#[derive(Default)]
struct Recorder {
    ip4_inputs: u32,
    consume_ip: bool,
    unknown: u32,
    vlan_seen: Vec<u16>,
    accept_vlan: Option<u16>,
    tag_output: Option<VlanTag>,
    gateway: Option<Ipv4Addr>,
    route_to: Option<NetifId>,
}

impl Hooks for Recorder {
    fn ip4_input(&mut self, _: &Ipv4Packet<&[u8]>, _: &NetifInfo<'_>) -> InputVerdict {
        self.ip4_inputs += 1;
        if self.consume_ip {
            InputVerdict::Consumed
        } else {
            InputVerdict::Continue
        }
    }
    fn ip4_route(&mut self, _: Ipv4Addr) -> Option<NetifId> {
        self.route_to
    }
    fn ip4_canforward(&mut self, _: &Ipv4Packet<&[u8]>, _: Ipv4Addr) -> ForwardDecision {
        ForwardDecision::Default
    }
    fn etharp_get_gw(&mut self, _: &NetifInfo<'_>, _: Ipv4Addr) -> Option<Ipv4Addr> {
        self.gateway
    }
    fn vlan_check(&mut self, _: &NetifInfo<'_>, _: &EthernetFrame<&[u8]>, tag: VlanTag) -> bool {
        self.vlan_seen.push(tag.vid);
        Some(tag.vid) == self.accept_vlan
    }
    fn vlan_set(
        &mut self,
        _: &NetifInfo<'_>,
        _: EthernetAddress,
        _: EthernetAddress,
        _: EtherType,
    ) -> Option<VlanTag> {
        self.tag_output
    }
    fn unknown_eth_protocol(
        &mut self,
        _: &NetifInfo<'_>,
        _: &EthernetFrame<&[u8]>,
    ) -> InputVerdict {
        self.unknown += 1;
        InputVerdict::Consumed
    }
}

fn stacks() -> (Stack<Recorder>, NetifId, Stack, NetifId, VirtualLink) {
    let link = VirtualLink::new(LinkConfig::default());
    let port = |l: &VirtualLink| {
        Box::new(Arc::new(Mutex::new(FaultInjector::new(
            l.port(),
            1,
            FaultConfig::default(),
        ))))
    };
    let mut a = Stack::with_hooks(StackConfig::default(), Recorder::default());
    let na = a
        .add_netif(
            NetifConfig::new("a")
                .with_mac(EthernetAddress([2, 0, 0, 0, 0, 1]))
                .with_ipv4(cidr(ip(10, 0, 0, 1), 24)),
            port(&link),
        )
        .expect("netif");
    let mut b = Stack::new(StackConfig::default());
    let nb = b
        .add_netif(
            NetifConfig::new("b")
                .with_mac(EthernetAddress([2, 0, 0, 0, 0, 2]))
                .with_ipv4(cidr(ip(10, 0, 0, 2), 24)),
            port(&link),
        )
        .expect("netif");
    (a, na, b, nb, link)
}

fn run(a: &mut Stack<Recorder>, b: &mut Stack, ms: u64) {
    for t in 0..ms {
        let now = Instant::from_millis(1000 + t);
        a.poll(now);
        b.poll(now);
    }
}

#[test]
fn input_hooks_see_and_may_take_packets() {
    let (mut a, na, mut b, _nb, _link) = stacks();
    b.icmp_echo_request(ip(10, 0, 0, 1), 1, 1, b"x")
        .expect("ping");
    run(&mut a, &mut b, 20);
    assert!(b.icmp_echo_reply().is_some());
    assert_eq!(a.hooks().ip4_inputs, 1);
    a.hooks_mut().consume_ip = true;
    b.icmp_echo_request(ip(10, 0, 0, 1), 1, 2, b"x")
        .expect("ping");
    run(&mut a, &mut b, 20);
    assert!(b.icmp_echo_reply().is_none(), "the hook took the request");
    assert_eq!(a.hooks().ip4_inputs, 2);
    assert_eq!(a.stats().ip.dropped, 0, "a consumed packet is not a drop");

    // Unknown ethertype and a VLAN-tagged frame, handed in directly.
    let mut frame = vec![0u8; 60];
    frame[..6].copy_from_slice(&[2, 0, 0, 0, 0, 1]);
    frame[6..12].copy_from_slice(&[2, 0, 0, 0, 0, 9]);
    frame[12..14].copy_from_slice(&0x88b5u16.to_be_bytes());
    a.input(na, &frame, Instant::from_secs(5));
    assert_eq!(a.hooks().unknown, 1);
    frame[12..14].copy_from_slice(&0x8100u16.to_be_bytes());
    frame[14..16].copy_from_slice(&42u16.to_be_bytes());
    frame[16..18].copy_from_slice(&0x88b5u16.to_be_bytes());
    a.input(na, &frame, Instant::from_secs(5));
    assert_eq!(a.hooks().vlan_seen, vec![42]);
    assert_eq!(a.hooks().unknown, 1, "VLAN 42 refused");
    assert_eq!(a.stats().link.drop_policy, 1);
    a.hooks_mut().accept_vlan = Some(42);
    a.input(na, &frame, Instant::from_secs(5));
    assert_eq!(
        a.hooks().unknown,
        2,
        "VLAN 42 accepted, then the ethertype hook"
    );
}

#[test]
fn output_hooks_choose_gateway_and_tag() {
    let (mut a, na, mut b, _nb, _link) = stacks();
    // Off-link destination with no gateway: no route, unless the hook names one.
    let s = a.udp_open().expect("open");
    let far = ep(ip(198, 51, 100, 7), 9);
    assert_eq!(a.udp_send_to(s, b"x", far), Err(netstack::Error::NoRoute));
    a.hooks_mut().gateway = Some(ip(10, 0, 0, 2));
    a.hooks_mut().route_to = Some(na);
    a.udp_send_to(s, b"x", far).expect("via the hook's gateway");
    run(&mut a, &mut b, 20);
    assert!(a.arp_lookup(na, ip(10, 0, 0, 2)).is_some());
    // Tagged output: B (no VLAN acceptance) drops it.
    a.hooks_mut().tag_output = Some(VlanTag {
        pcp: 0,
        dei: false,
        vid: 7,
    });
    let before = b.stats().link.drop_policy;
    a.udp_send_to(s, b"tagged", ep(ip(10, 0, 0, 2), 9))
        .expect("send");
    run(&mut a, &mut b, 20);
    assert_eq!(b.stats().link.drop_policy, before + 1);
}
