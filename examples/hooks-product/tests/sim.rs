//! Two product stacks on a virtual link, with a third port listening to the wire: the
//! product's VLAN tag is on every frame, its filters drop what they should, its TCP
//! connections start at its own ISNs, and its tap captures what it receives as pcap (read
//! back here and by tshark when installed).

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};

use hooks_product::{FIRST_ISN, ISN_STEP, PRODUCT_VLAN, ProductHooks, TELNET_PORT};
use netstack::hooks::Pool;
use netstack::phy::{Device, LinkConfig, VirtualLink, VirtualPort};
use netstack::tcp::TcpState;
use netstack::time::Instant;
use netstack::wire::{
    EthernetAddress, EthernetFrame, IpEndpoint, IpProtocol, Ipv4Cidr, Ipv4Packet, TcpPacket,
};
use netstack::{NetifConfig, NetifId, Stack, StackConfig};
use netstack_hooks::filter::{PacketFilter, PortRange, Rule};
use netstack_hooks::pcap::{self, LINKTYPE_RAW};

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
            self.a.hooks_mut().tap.set_time(now);
            self.b.hooks_mut().tap.set_time(now);
            self.a.poll(now);
            self.b.poll(now);
        }
    }

    /// Every frame the sniffer port received so far.
    fn wire(&mut self) -> Vec<Vec<u8>> {
        let mut frames = Vec::new();
        let mut buf = [0u8; 1600];
        let now = Instant::from_millis(self.now);
        while let Ok(Some(n)) = self
            .sniffer
            .lock()
            .expect("device lock")
            .receive(&mut buf, now)
        {
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

/// A's SYN and B's SYN-ACK of every connection, as (source port, sequence number, SYN-ACK)
/// read from a pcap capture of raw IPv4 packets.
fn syns(capture: &[u8]) -> Vec<(u16, u32, bool)> {
    let (link, records) = pcap::parse(capture).expect("a valid pcap stream");
    assert_eq!(link, LINKTYPE_RAW);
    records
        .iter()
        .filter_map(|r| {
            let ip = Ipv4Packet::new_checked(r.data).ok()?;
            if ip.protocol() != IpProtocol::Tcp {
                return None;
            }
            let tcp = TcpPacket::new_checked(ip.payload_slice()).ok()?;
            tcp.syn()
                .then(|| (tcp.src_port(), tcp.seq_number().0, tcp.ack()))
        })
        .collect()
}

#[test]
fn tcp_connections_start_at_the_product_isns_and_the_tap_captures_them() {
    let mut net = Net::new();
    let l = net
        .b
        .tcp_listen(ep(Ipv4Addr::UNSPECIFIED, 80))
        .expect("listen");
    let mut conns = Vec::new();
    for _ in 0..2 {
        let c = net
            .a
            .tcp_connect(ep(ip(10, 0, 0, 2), 80), None)
            .expect("connect");
        net.run(50);
        assert_eq!(net.a.tcp_state(c), Ok(TcpState::Established));
        let s = net.b.tcp_accept(l).expect("accepted");
        conns.push((c, s));
    }
    let (c, s) = conns[0];
    net.a.tcp_send(c, b"captured").expect("send");
    net.run(50);
    let mut buf = [0u8; 64];
    assert_eq!(net.b.tcp_recv(s, &mut buf), Ok(8));
    assert_eq!(net.a.hooks().isn.issued(), 2);
    assert_eq!(net.b.hooks().isn.issued(), 2);

    // B's tap saw A's SYNs, A's tap B's SYN-ACKs: each side's connections start at
    // FIRST_ISN, then FIRST_ISN + ISN_STEP.
    let b_capture = net.b.hooks_mut().tap.take();
    let a_capture = net.a.hooks_mut().tap.take();
    let expected = [FIRST_ISN, FIRST_ISN.wrapping_add(ISN_STEP)];
    let at_b: Vec<u32> = syns(&b_capture).iter().map(|s| s.1).collect();
    let at_a: Vec<(u32, bool)> = syns(&a_capture).iter().map(|s| (s.1, s.2)).collect();
    assert_eq!(at_b, expected);
    assert_eq!(at_a, [(expected[0], true), (expected[1], true)]);
    assert!(
        net.b.hooks().tap.packets() >= 5,
        "two SYNs, two handshake ACKs, the data"
    );

    // tshark reads the capture (skipped where it is not installed).
    let path = std::env::temp_dir().join(format!("hooks-product-{}.pcap", std::process::id()));
    std::fs::write(&path, &b_capture).expect("write capture");
    let out = std::process::Command::new("tshark")
        .args(["-r"])
        .arg(&path)
        .args(["-o", "tcp.relative_sequence_numbers:FALSE"])
        .args(["-Y", "tcp.flags.syn == 1", "-T", "fields", "-e", "tcp.seq"])
        .output();
    let _ = std::fs::remove_file(&path);
    match out {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            let seqs: Vec<u32> = text.lines().filter_map(|l| l.trim().parse().ok()).collect();
            assert_eq!(seqs, expected, "tshark: {text}");
        }
        Ok(out) => panic!("tshark failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(e) => {
            eprintln!("tshark not run ({e}): capture checked by netstack_hooks::pcap::parse only")
        }
    }
}

/// The product's netstack.toml is the one in force (checked when the test compiles).
const _: () = {
    use netstack::hooks::enabled;
    assert!(
        netstack::hooks::ANY_CUSTOM,
        "ip4_input, vlan_set and tcp_isn are custom"
    );
    assert!(enabled::IP4_INPUT && enabled::VLAN_SET && enabled::VLAN_CHECK);
    assert!(!enabled::IP4_ROUTE && !enabled::IP4_ROUTE_SRC && !enabled::IP4_CANFORWARD);
    assert!(!enabled::ETHARP_GET_GW && !enabled::UNKNOWN_ETH_PROTOCOL);
    assert!(enabled::TCP_ISN && !enabled::TCP_INPACKET_PCB);
    assert!(!enabled::TCP_OUT_TCPOPT_LENGTH && !enabled::TCP_OUT_ADD_TCPOPTS);
};

#[test]
fn the_counters_see_a_full_table_get_room() {
    let mut net = Net::new();
    let mut open = Vec::new();
    while let Ok(h) = net.a.udp_open() {
        open.push(h);
    }
    assert_eq!(open.len(), netstack::config::MAX_UDP_PCBS);
    let counts = |net: &Net| net.a.hooks().counters.pool_available(Pool::UdpPcb);
    assert_eq!(counts(&net), 0, "full, but nothing released yet");
    for (round, h) in open.drain(..).enumerate() {
        net.a.udp_close(h).expect("close");
        assert_eq!(
            counts(&net),
            1,
            "only the first close found the table full ({round})"
        );
    }
    assert_eq!(net.a.hooks().counters.pool_available(Pool::TcpPcb), 0);
}
