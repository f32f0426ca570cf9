//! Two product stacks on a virtual link, with a third port listening to the wire: the
//! product's VLAN tag is on every frame, its filters drop what they should.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};

use hooks_product::{PRODUCT_VLAN, ProductHooks, TELNET_PORT};
use netstack::phy::{Device, LinkConfig, VirtualLink, VirtualPort};
use netstack::time::Instant;
use netstack::wire::{EthernetAddress, EthernetFrame, IpEndpoint, IpProtocol, Ipv4Cidr};
use netstack::{NetifConfig, NetifId, Stack, StackConfig};
use netstack_hooks::filter::{PacketFilter, PortRange, Rule};

fn ip(a: u8, b: u8, c: u8, d: u8) -> Ipv4Addr {
    Ipv4Addr::new(a, b, c, d)
}

fn ep(addr: Ipv4Addr, port: u16) -> IpEndpoint {
    IpEndpoint::new(IpAddr::V4(addr), port)
}

struct Net {
    a: Stack<ProductHooks>,
    b: Stack<ProductHooks>,
    a_if: NetifId,
    sniffer: Arc<Mutex<VirtualPort>>,
    now: u64,
}

fn host(link: &VirtualLink, n: u8, filter: PacketFilter) -> (Stack<ProductHooks>, NetifId) {
    let mut stack = Stack::with_hooks(StackConfig::default(), ProductHooks::new(filter));
    let id = stack
        .add_netif(
            NetifConfig::new("eth0")
                .with_mac(EthernetAddress([2, 0, 0, 0, 0, n]))
                .with_ipv4(Ipv4Cidr::new(ip(10, 0, 0, n), 24).expect("prefix")),
            Box::new(link.port()),
        )
        .expect("netif");
    (stack, id)
}

impl Net {
    /// A (10.0.0.1) denies UDP port 9 from B's address; B (10.0.0.2) allows everything.
    fn new() -> Net {
        let link = VirtualLink::new(LinkConfig::default());
        let deny_discard = Rule::deny()
            .protocol(IpProtocol::Udp)
            .from(Ipv4Cidr::new(ip(10, 0, 0, 2), 32).expect("prefix"))
            .dst_port(PortRange::one(9));
        let (a, a_if) = host(&link, 1, PacketFilter::default().rule(deny_discard));
        let (b, _) = host(&link, 2, PacketFilter::default());
        let sniffer = Arc::new(Mutex::new(link.port()));
        Net {
            a,
            b,
            a_if,
            sniffer,
            now: 1000,
        }
    }

    fn run(&mut self, ms: u64) {
        for _ in 0..ms {
            self.now += 1;
            let now = Instant::from_millis(self.now);
            self.a.poll(now);
            self.b.poll(now);
        }
    }

    /// Every frame the sniffer port received so far.
    fn wire(&mut self) -> Vec<Vec<u8>> {
        let mut frames = Vec::new();
        let mut buf = [0u8; 1600];
        let now = Instant::from_millis(self.now);
        while let Ok(Some(n)) = self.sniffer.lock().expect("device lock").receive(&mut buf, now) {
            frames.push(buf[..n].to_vec());
        }
        frames
    }
}

#[test]
fn every_frame_carries_the_product_vlan_and_ping_works() {
    let mut net = Net::new();
    net.b
        .icmp_echo_request(ip(10, 0, 0, 1), 7, 1, b"hello")
        .expect("ping");
    net.run(20);
    assert!(
        net.b.icmp_echo_reply().is_some(),
        "A answered over VLAN 100"
    );
    let frames = net.wire();
    assert!(frames.len() >= 4, "ARP request/reply, echo request/reply");
    for frame in &frames {
        let eth = EthernetFrame::new_checked(&frame[..]).expect("frame");
        let tag = eth.vlan_tag().expect("802.1Q tagged");
        assert_eq!(tag.vid, PRODUCT_VLAN);
    }
    let a = net.a_if.index();
    assert_eq!(
        net.a.hooks().counters.get(a).map(|c| c.packets),
        Some(1),
        "one IPv4 packet reached A: the echo request"
    );
}

#[test]
fn filters_drop_what_they_should() {
    let mut net = Net::new();
    let rx = net.a.udp_open().expect("open");
    net.a
        .udp_bind(rx, ep(Ipv4Addr::UNSPECIFIED, 9))
        .expect("bind 9");
    let telnet = net.a.udp_open().expect("open");
    net.a
        .udp_bind(telnet, ep(Ipv4Addr::UNSPECIFIED, TELNET_PORT))
        .expect("bind 23");
    let ok = net.a.udp_open().expect("open");
    net.a
        .udp_bind(ok, ep(Ipv4Addr::UNSPECIFIED, 7))
        .expect("bind 7");

    let tx = net.b.udp_open().expect("open");
    for port in [9, TELNET_PORT, 7] {
        net.b
            .udp_send_to(tx, b"x", ep(ip(10, 0, 0, 1), port))
            .expect("send");
        net.run(10);
    }
    assert!(
        net.a.udp_recv_from(rx).is_err(),
        "the packet filter took port 9"
    );
    assert!(
        net.a.udp_recv_from(telnet).is_err(),
        "drop_telnet took port 23"
    );
    assert!(net.a.udp_recv_from(ok).is_ok(), "port 7 got through");
    let hooks = net.a.hooks();
    assert_eq!(hooks.filter.denied(), 1);
    assert_eq!(
        hooks.filter.allowed(),
        1,
        "the telnet packet never reached the filter"
    );
    assert_eq!(
        hooks.counters.total().packets,
        3,
        "the counters saw all three"
    );
    assert_eq!(net.a.stats().ip.dropped, 0, "taken packets are not drops");
}

#[test]
fn frames_of_other_vlans_are_refused() {
    let mut net = Net::new();
    // A UDP datagram in a frame tagged for VLAN 200, handed to A directly.
    let mut frame = vec![0u8; 18];
    frame[..6].copy_from_slice(&[2, 0, 0, 0, 0, 1]);
    frame[6..12].copy_from_slice(&[2, 0, 0, 0, 0, 2]);
    frame[12..14].copy_from_slice(&0x8100u16.to_be_bytes());
    frame[14..16].copy_from_slice(&200u16.to_be_bytes());
    frame[16..18].copy_from_slice(&0x0800u16.to_be_bytes());
    frame.resize(64, 0);
    let a_if = net.a_if;
    net.a.input(a_if, &frame, Instant::from_millis(net.now));
    assert_eq!(net.a.hooks().vlans.refused(), 1);
    assert_eq!(net.a.stats().link.drop_policy, 1);
    assert_eq!(net.a.hooks().counters.total().packets, 0);
}

/// The product's netstack.toml is the one in force (checked when the test compiles).
const _: () = {
    use netstack::hooks::enabled;
    assert!(
        netstack::hooks::ANY_CUSTOM,
        "ip4_input and vlan_set are custom"
    );
    assert!(enabled::IP4_INPUT && enabled::VLAN_SET && enabled::VLAN_CHECK);
    assert!(!enabled::IP4_ROUTE && !enabled::IP4_ROUTE_SRC && !enabled::IP4_CANFORWARD);
    assert!(!enabled::ETHARP_GET_GW && !enabled::UNKNOWN_ETH_PROTOCOL);
};
