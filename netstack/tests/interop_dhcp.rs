//! The DHCP client against dnsmasq (as root, with `netstack-lab`): the stack, running the
//! sockets API's TCP/IP thread on a TAP, gets a lease from dnsmasq in the lab namespace; its
//! address, router and DNS servers are dnsmasq's; a forced renewal is acknowledged; the
//! release empties dnsmasq's lease file; the host name arrives; tshark finds every packet
//! well-formed.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use netstack::api::{NetStack, NetifEvent};
use netstack::ipv4::dhcp::{DhcpClientConfig, DhcpEvent, DhcpState};
use netstack::phy::TapDevice;
use netstack::wire::EthernetAddress;
use netstack::{NetifConfig, NetifId, Stack, StackConfig};
use netstack_lab::{Dnsmasq, Lab, format_mac, plan, wait_for};

const RANGE_START: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 50);
const RANGE_END: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 60);
const DNS1: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 53);
const DNS2: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 54);

/// dnsmasq with this test's range, router and DNS servers. `ping`: dnsmasq pings an
/// address before offering it (its default).
fn start_dnsmasq(lab: &Lab, ping: bool) -> Dnsmasq {
    let range = format!("--dhcp-range={RANGE_START},{RANGE_END},255.255.255.0,2m");
    let router = format!("--dhcp-option=option:router,{}", plan::LINUX_ADDR);
    let dns = format!("--dhcp-option=option:dns-server,{DNS1},{DNS2}");
    let mut options = vec![range.as_str(), &router, &dns, "--dhcp-authoritative"];
    if !ping {
        options.push("--no-ping");
    }
    Dnsmasq::start(lab, "dnsmasq", &options)
}

/// A lab, dnsmasq in it, and a running stack without an address on the TAP.
fn setup(ping: bool) -> (Lab, Dnsmasq, NetStack, NetifId) {
    let (lab, tap) = Lab::with_tap(TapDevice::open);
    let dnsmasq = start_dnsmasq(&lab, ping);
    let mut stack = Stack::new(StackConfig { random_seed: 67 });
    let id = stack
        .add_netif(
            NetifConfig::new("tap").with_mac(EthernetAddress(plan::STACK_MAC)),
            Box::new(tap),
        )
        .expect("netif");
    let ns = NetStack::start(stack).expect("tcpip thread");
    (lab, dnsmasq, ns, id)
}

fn bound(ns: &NetStack, id: NetifId) -> bool {
    ns.dhcp_state(id).expect("state") == Some(DhcpState::Bound)
}

fn in_range(addr: Ipv4Addr) -> bool {
    (RANGE_START..=RANGE_END).contains(&addr)
}

#[test]
fn lease_renew_release_against_dnsmasq() {
    let (lab, dnsmasq, ns, id) = setup(true);
    let capture = lab.start_capture("dhcp");
    let events = Arc::new(Mutex::new(Vec::new()));
    if netstack::config::NETIF_STATUS_CALLBACK {
        let seen = Arc::clone(&events);
        ns.netif_set_status_callback(Box::new(move |e| {
            seen.lock().expect("events").push(e);
        }))
        .expect("callback");
    }
    ns.dhcp_start(id).expect("start");
    wait_for("a lease", Duration::from_secs(30), || bound(&ns, id));

    // The interface has dnsmasq's configuration.
    let status = ns.netif_status(id).expect("status");
    let cidr = status.ipv4.expect("an address");
    assert!(in_range(cidr.address()), "{cidr}");
    assert_eq!(cidr.prefix_len(), 24);
    assert_eq!(status.gateway, Some(plan::LINUX_ADDR));
    assert_eq!(ns.dns_get_server(0), Ok(Some(IpAddr::V4(DNS1))));
    if netstack::config::DNS_MAX_SERVERS > 1 {
        assert_eq!(ns.dns_get_server(1), Ok(Some(IpAddr::V4(DNS2))));
    }
    let lease = ns.dhcp_lease(id).expect("call").expect("lease");
    assert_eq!(lease.server, plan::LINUX_ADDR);
    assert_eq!(lease.lease_time, Some(120));
    let mac = format_mac(plan::STACK_MAC);
    let leases = dnsmasq.lease_text();
    let line = leases
        .lines()
        .find(|l| l.contains(&mac))
        .unwrap_or_else(|| panic!("no lease for {mac} in {leases}"));
    assert!(line.contains(&cidr.address().to_string()), "{line}");
    let hostname = netstack::config::LOCAL_HOSTNAME;
    if !hostname.is_empty() {
        assert!(line.contains(hostname), "host name in {line}");
    }
    // The client identifier the stack built from its MAC (option 61: 01 + MAC).
    if !netstack::config::DHCP_DISABLE_CLIENT_ID {
        assert!(line.ends_with(&format!("01:{mac}")), "client id in {line}");
    }

    // The status callbacks heard of it: the address, then the DHCP event.
    if netstack::config::NETIF_STATUS_CALLBACK {
        wait_for("the callbacks", Duration::from_secs(5), || {
            events.lock().expect("events").len() >= 2
        });
        let got = events.lock().expect("events").clone();
        assert_eq!(
            got[0],
            NetifEvent::AddressChanged(id, Some(cidr)),
            "{got:?}"
        );
        assert_eq!(
            got[1],
            NetifEvent::Dhcp(
                id,
                DhcpEvent::Bound {
                    address: cidr,
                    gateway: Some(plan::LINUX_ADDR)
                }
            ),
            "{got:?}"
        );
    }

    // The address works: Linux reaches it.
    let ping = lab.exec(&["ping", "-c", "1", "-W", "2", &cidr.address().to_string()]);
    assert!(ping.status.success(), "ping {}", cidr.address());

    // A forced renewal: a unicast REQUEST from the bound address, acknowledged.
    let acks = dnsmasq.count("DHCPACK(");
    ns.dhcp_renew(id).expect("renew");
    wait_for("the renewal's ACK", Duration::from_secs(15), || {
        dnsmasq.count("DHCPACK(") > acks && bound(&ns, id)
    });
    assert_eq!(ns.netif_status(id).expect("status").ipv4, Some(cidr));

    // Release: dnsmasq forgets the lease, the interface loses the address.
    ns.dhcp_release(id).expect("release");
    assert_eq!(ns.netif_status(id).expect("status").ipv4, None);
    wait_for("the release", Duration::from_secs(10), || {
        dnsmasq.count("DHCPRELEASE(") == 1
    });
    wait_for(
        "the lease file to drop the lease",
        Duration::from_secs(10),
        || !dnsmasq.lease_text().contains(&mac),
    );
    assert_eq!(ns.dhcp_state(id), Ok(Some(DhcpState::Released)));

    let report = capture.stop_and_check();
    for kind in [
        "DHCP Discover",
        "DHCP Offer",
        "DHCP Request",
        "DHCP ACK",
        "DHCP Release",
    ] {
        assert!(
            !report.matching(kind).is_empty(),
            "no {kind} in the capture"
        );
    }
    let log = dnsmasq.log_text();
    assert!(!log.contains("DHCPNAK"), "{log}");
    assert!(!log.contains("DHCPDECLINE"), "{log}");
}

#[test]
fn an_address_in_use_is_declined_to_dnsmasq() {
    if netstack::config::DHCP_CHECKS_OFFERED_ADDRESS
        == netstack::config::DhcpChecksOfferedAddress::NoCheck
    {
        return;
    }
    // dnsmasq without its own ping check, so that it offers an address Linux has taken.
    // The replies must be broadcast: a unicast one to the taken address would stay inside
    // Linux, which holds it (the client's BROADCAST flag).
    let (lab, dnsmasq, ns, id) = setup(false);
    let settings = DhcpClientConfig {
        broadcast_flag: true,
        ..DhcpClientConfig::default()
    };
    ns.dhcp_start_with(id, settings).expect("start");
    wait_for("a lease", Duration::from_secs(30), || bound(&ns, id));
    let first = ns
        .netif_status(id)
        .expect("status")
        .ipv4
        .expect("address")
        .address();
    ns.dhcp_release(id).expect("release");
    wait_for("the release", Duration::from_secs(10), || {
        dnsmasq.count("DHCPRELEASE(") == 1
    });
    // dnsmasq offers the same address to the same client again; Linux now answers ARP for
    // it, so the stack's probe finds the conflict and declines it.
    lab.exec_ok(&[
        "ip",
        "addr",
        "add",
        &format!("{first}/32"),
        "dev",
        lab.tap_name(),
    ]);
    lab.exec_ok(&["ip", "neigh", "flush", "dev", lab.tap_name()]);
    ns.dhcp_renew(id).expect("discover again");
    wait_for("a DECLINE", Duration::from_secs(30), || {
        dnsmasq.count("DHCPDECLINE(") >= 1
    });
    wait_for("another lease", Duration::from_secs(60), || bound(&ns, id));
    let second = ns
        .netif_status(id)
        .expect("status")
        .ipv4
        .expect("address")
        .address();
    assert_ne!(first, second);
    assert!(in_range(second));
}
