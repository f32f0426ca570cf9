//! The product's DHCP options (`ProductHooks::dhcp`, `netstack_hooks::dhcp::DhcpClientOptions`):
//! in simulation against a small server written here, and (as root) against dnsmasq in the
//! interop lab: the product's host name and vendor class arrive, and the vendor-specific
//! information (43) and NTP servers (42) the server sends are recorded by the hook.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration as StdDuration;

use hooks_product::{PRODUCT_HOSTNAME, PRODUCT_VENDOR_CLASS, ProductHooks};
use netstack::api::NetStack;
use netstack::ipv4::dhcp::DhcpState;
use netstack::phy::{LinkConfig, TapDevice, VirtualLink};
use netstack::time::{Duration, Instant};
use netstack::wire::dhcpv4::{CLIENT_PORT, SERVER_PORT, code};
use netstack::wire::{
    DhcpMessageType, DhcpOpcode, DhcpPacket, DhcpRepr, EthernetAddress, IpEndpoint, Ipv4AddrList,
    Ipv4Cidr,
};
use netstack::{NetifConfig, NetifId, Stack, StackConfig, UdpHandle, UdpOptions};
use netstack_hooks::filter::PacketFilter;
use netstack_hooks::vlan::VlanTagger;
use netstack_lab::{Dnsmasq, Lab, format_mac, plan, wait_for};

const SERVER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const OFFERED: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 100);
const VENDOR_INFO: [u8; 6] = [1, 4, 0xde, 0xad, 0xbe, 0xef];
const NTP: [u8; 4] = [10, 0, 0, 123];

/// What the test server saw in the client's messages: (type, host name, vendor class).
type Seen = Vec<(DhcpMessageType, Option<Vec<u8>>, Option<Vec<u8>>)>;

/// Answers DISCOVER and REQUEST with OFFER and ACK of [`OFFERED`], broadcast, with options
/// 43 and 42.
fn serve(stack: &mut Stack<ProductHooks>, sock: UdpHandle, seen: &mut Seen) {
    while let Ok(d) = stack.udp_recv_from(sock) {
        let Ok(packet) = DhcpPacket::new_checked(&d.data[..]) else {
            continue;
        };
        let Ok(req) = DhcpRepr::parse(&packet) else {
            continue;
        };
        seen.push((
            req.message_type,
            req.hostname.map(<[u8]>::to_vec),
            req.vendor_class.map(<[u8]>::to_vec),
        ));
        let kind = match req.message_type {
            DhcpMessageType::Discover => DhcpMessageType::Offer,
            DhcpMessageType::Request => DhcpMessageType::Ack,
            _ => continue,
        };
        let reply = DhcpRepr {
            your_ip: OFFERED,
            server_identifier: Some(SERVER),
            lease_time: Some(3600),
            subnet_mask: Some(Ipv4Addr::new(255, 255, 255, 0)),
            ntp_servers: Ipv4AddrList::from_bytes(&NTP).ok(),
            ..DhcpRepr::new(
                DhcpOpcode::Reply,
                kind,
                req.transaction_id,
                req.client_hardware_addr,
            )
        };
        let mut buf = vec![0u8; DhcpRepr::buffer_len(312)];
        reply
            .emit(&mut buf, |w| {
                w.append(code::VENDOR_SPECIFIC, &VENDOR_INFO)
                    .expect("room for option 43");
            })
            .expect("reply fits");
        let dst = IpEndpoint::new(IpAddr::V4(Ipv4Addr::BROADCAST), CLIENT_PORT);
        stack.udp_send_to(sock, &buf, dst).expect("reply sent");
    }
}

#[test]
fn product_options_in_simulation() {
    let link = VirtualLink::new(LinkConfig::default());
    // Both stacks are the product's (same VLAN); the server is 10.0.0.1.
    let mut server = Stack::with_hooks(
        StackConfig { random_seed: 1 },
        ProductHooks::new(PacketFilter::default()),
    );
    server
        .add_netif(
            NetifConfig::new("srv")
                .with_mac(EthernetAddress([2, 0, 0, 0, 0, 1]))
                .with_ipv4(Ipv4Cidr::new(SERVER, 24).expect("prefix")),
            Box::new(link.port()),
        )
        .expect("netif");
    let sock = server.udp_open().expect("open");
    server
        .udp_bind(
            sock,
            IpEndpoint::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), SERVER_PORT),
        )
        .expect("bind");
    // The product's own hook forbids SO_BROADCAST to sockets; the core API is not bound by it.
    server
        .udp_set_options(
            sock,
            UdpOptions {
                broadcast: true,
                ..UdpOptions::default()
            },
        )
        .expect("broadcast");
    let mut client = Stack::with_hooks(
        StackConfig { random_seed: 2 },
        ProductHooks::new(PacketFilter::default()),
    );
    let id = client
        .add_netif(
            NetifConfig::new("eth0").with_mac(EthernetAddress([2, 0, 0, 0, 0, 2])),
            Box::new(link.port()),
        )
        .expect("netif");
    client.dhcp_start(id).expect("start");
    let mut seen = Seen::new();
    let mut now = Instant::ZERO;
    while client.dhcp_state(id) != Some(DhcpState::Bound) {
        assert!(now < Instant::from_secs(60), "not bound: {seen:?}");
        server.poll(now);
        serve(&mut server, sock, &mut seen);
        server.poll(now);
        client.poll(now);
        now += Duration::from_millis(10);
    }
    assert_eq!(
        client.netif(id).and_then(|n| n.ipv4),
        Ipv4Cidr::new(OFFERED, 24).ok()
    );
    // The product's host name and vendor class were in DISCOVER and REQUEST.
    let want = (
        Some(PRODUCT_HOSTNAME.as_bytes().to_vec()),
        Some(PRODUCT_VENDOR_CLASS.as_bytes().to_vec()),
    );
    let kinds: Vec<DhcpMessageType> = seen.iter().map(|s| s.0).collect();
    assert_eq!(kinds, [DhcpMessageType::Discover, DhcpMessageType::Request]);
    for (_, hostname, vendor) in &seen {
        assert_eq!((hostname.clone(), vendor.clone()), want);
    }
    // The replies' options 43 and 42 were recorded (the latest from the ACK).
    let dhcp = &client.hooks().dhcp;
    let vendor = dhcp.recorded(code::VENDOR_SPECIFIC).expect("option 43");
    assert_eq!(vendor.message_type, DhcpMessageType::Ack);
    assert_eq!(vendor.data, VENDOR_INFO);
    assert_eq!(
        dhcp.recorded_on(id, code::NTP_SERVERS)
            .map(|o| o.data.clone()),
        Some(NTP.to_vec())
    );
    assert!(dhcp.refused().is_empty(), "{:?}", dhcp.refused());
    // And the stack kept the NTP server too (dhcp_get_ntp_srv).
    let lease = client.dhcp_lease(id).expect("lease");
    assert_eq!(
        lease.ntp_servers.first(),
        Some(&Ipv4Addr::new(10, 0, 0, 123))
    );
}

/// As root: the product's stack (untagged, on the lab's TAP) gets a lease from dnsmasq,
/// which logs the product's host name and vendor class and sends options 43 and 42.
#[test]
fn product_options_reach_dnsmasq() {
    let (lab, tap) = Lab::with_tap(TapDevice::open);
    let dnsmasq = Dnsmasq::start(
        &lab,
        "product-dnsmasq",
        &[
            "--dhcp-range=192.0.2.50,192.0.2.60,255.255.255.0,2m",
            "--dhcp-option=option:ntp-server,192.0.2.123",
            "--dhcp-option-force=43,01:04:de:ad:be:ef",
        ],
    );
    let capture = lab.start_capture("product-dhcp");

    // Linux's side of the TAP has no VLAN: the product's tagger tags nothing here.
    let mut hooks = ProductHooks::new(PacketFilter::default());
    hooks.tagger = VlanTagger::new();
    let mut stack = Stack::with_hooks(StackConfig { random_seed: 43 }, hooks);
    let id: NetifId = stack
        .add_netif(
            NetifConfig::new("tap").with_mac(EthernetAddress(plan::STACK_MAC)),
            Box::new(tap),
        )
        .expect("netif");
    let ns = NetStack::start(stack).expect("tcpip thread");
    ns.dhcp_start(id).expect("start");
    wait_for("a lease", StdDuration::from_secs(30), || {
        ns.dhcp_state(id).expect("state") == Some(DhcpState::Bound)
    });

    let text = dnsmasq.log_text();
    assert!(
        text.contains(&format!("client provides name: {PRODUCT_HOSTNAME}")),
        "{text}"
    );
    assert!(
        text.contains(&format!("vendor class: {PRODUCT_VENDOR_CLASS}")),
        "{text}"
    );
    let lease_line = dnsmasq.lease_text();
    assert!(
        lease_line.contains(PRODUCT_HOSTNAME) && lease_line.contains(&format_mac(plan::STACK_MAC)),
        "{lease_line}"
    );
    let (vendor, ntp, refused) = ns
        .call(move |core| {
            let dhcp = &core.stack.hooks().dhcp;
            (
                dhcp.recorded_on(id, code::VENDOR_SPECIFIC)
                    .map(|o| o.data.clone()),
                dhcp.recorded_on(id, code::NTP_SERVERS)
                    .map(|o| o.data.clone()),
                dhcp.refused().len(),
            )
        })
        .expect("call");
    assert_eq!(vendor, Some(vec![1, 4, 0xde, 0xad, 0xbe, 0xef]));
    assert_eq!(ntp, Some(vec![192, 0, 2, 123]));
    assert_eq!(refused, 0);
    ns.dhcp_stop(id).expect("stop");
    wait_for("the release", StdDuration::from_secs(10), || {
        dnsmasq.log_text().contains("DHCPRELEASE(")
    });
    let report = capture.stop_and_check();
    assert!(!report.matching("DHCP Discover").is_empty());
}
