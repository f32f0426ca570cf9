//! Simulation: the DHCP client against a small DHCP server written here (on a second stack,
//! over a UDP socket on port 67), on a virtual link with a virtual clock: a lease, renewal at
//! T1 (unicast), rebinding at T2 when the server is silent, expiry, NAK, an address conflict
//! (DECLINE), release, packet loss, and the two DHCP hook points.

mod common;

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

use common::{Clocked, Port, fault_port, run_clock_until};
use netstack::hooks::Hooks;
use netstack::ipv4::dhcp::{DhcpEvent, DhcpState};
use netstack::phy::{FaultConfig, Faults, LinkConfig, VirtualLink};
use netstack::time::{Duration, Instant};
use netstack::wire::dhcpv4::{CLIENT_PORT, SERVER_PORT};
use netstack::wire::{
    DhcpMessageType, DhcpOpcode, DhcpPacket, DhcpRepr, EthernetAddress, IpEndpoint, Ipv4AddrList,
    Ipv4Cidr,
};
use netstack::{NetifConfig, NetifId, Stack, StackConfig, UdpHandle, UdpOptions};

const SERVER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const POOL_START: u8 = 100;
const CLIENT_MAC: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 0x42]);
const ROUTER: [u8; 4] = [10, 0, 0, 1];
const DNS: [u8; 8] = [10, 0, 0, 53, 10, 0, 0, 54];
const NTP: [u8; 4] = [10, 0, 0, 123];

/// A message the server saw.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    kind: DhcpMessageType,
    at: Instant,
    /// The IPv4 destination it was sent to.
    dst: Ipv4Addr,
    ciaddr: Ipv4Addr,
    requested: Option<Ipv4Addr>,
    server_id: Option<Ipv4Addr>,
    hostname: Option<Vec<u8>>,
    /// Codes of options outside the stack's own set.
    extra: Vec<(u8, Vec<u8>)>,
}

/// The test's DHCP server: one pool, one lease per MAC.
struct TestServer {
    sock: UdpHandle,
    lease_secs: u32,
    next: u8,
    leases: HashMap<EthernetAddress, Ipv4Addr>,
    declined: Vec<Ipv4Addr>,
    /// Answers nothing while set.
    silent: bool,
    /// NAKs the next REQUEST.
    nak_next: bool,
    /// Extra options to put in every reply (code, data).
    reply_options: Vec<(u8, Vec<u8>)>,
    seen: Vec<Seen>,
}

impl TestServer {
    fn new(stack: &mut Stack, lease_secs: u32) -> TestServer {
        let sock = stack.udp_open().expect("open");
        stack
            .udp_bind(
                sock,
                IpEndpoint::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), SERVER_PORT),
            )
            .expect("bind 67");
        stack
            .udp_set_options(
                sock,
                UdpOptions {
                    broadcast: true,
                    ..UdpOptions::default()
                },
            )
            .expect("broadcast");
        TestServer {
            sock,
            lease_secs,
            next: POOL_START,
            leases: HashMap::new(),
            declined: Vec::new(),
            silent: false,
            nak_next: false,
            reply_options: Vec::new(),
            seen: Vec::new(),
        }
    }

    fn address_for(&mut self, mac: EthernetAddress) -> Ipv4Addr {
        if let Some(a) = self.leases.get(&mac) {
            return *a;
        }
        let a = Ipv4Addr::new(10, 0, 0, self.next);
        self.next += 1;
        self.leases.insert(mac, a);
        a
    }

    fn serve(&mut self, stack: &mut Stack, now: Instant) {
        while let Ok(d) = stack.udp_recv_from(self.sock) {
            let Ok(packet) = DhcpPacket::new_checked(&d.data[..]) else {
                continue;
            };
            let Ok(req) = DhcpRepr::parse(&packet) else {
                continue;
            };
            let own = [53u8, 54, 50, 61, 55, 57, 12, 60];
            self.seen.push(Seen {
                kind: req.message_type,
                at: now,
                dst: d.dst,
                ciaddr: req.client_ip,
                requested: req.requested_ip,
                server_id: req.server_identifier,
                hostname: req.hostname.map(<[u8]>::to_vec),
                extra: packet
                    .options()
                    .flatten()
                    .filter(|o| !own.contains(&o.code))
                    .map(|o| (o.code, o.data.to_vec()))
                    .collect(),
            });
            if self.silent {
                continue;
            }
            let mac = req.client_hardware_addr;
            let kind = match req.message_type {
                DhcpMessageType::Discover => DhcpMessageType::Offer,
                DhcpMessageType::Request if self.nak_next => {
                    self.nak_next = false;
                    DhcpMessageType::Nak
                }
                DhcpMessageType::Request => DhcpMessageType::Ack,
                DhcpMessageType::Decline => {
                    if let Some(a) = req.requested_ip {
                        self.declined.push(a);
                    }
                    self.leases.remove(&mac);
                    continue;
                }
                DhcpMessageType::Release => {
                    self.leases.remove(&mac);
                    continue;
                }
                _ => continue,
            };
            let addr = self.address_for(mac);
            let extra: Vec<(u8, Vec<u8>)> = self.reply_options.clone();
            let reply = DhcpRepr {
                your_ip: if kind == DhcpMessageType::Nak {
                    Ipv4Addr::UNSPECIFIED
                } else {
                    addr
                },
                server_identifier: Some(SERVER),
                lease_time: (kind != DhcpMessageType::Nak).then_some(self.lease_secs),
                subnet_mask: Some(Ipv4Addr::new(255, 255, 255, 0)),
                router: Ipv4AddrList::from_bytes(&ROUTER).ok(),
                dns_servers: Ipv4AddrList::from_bytes(&DNS).ok(),
                ntp_servers: Ipv4AddrList::from_bytes(&NTP).ok(),
                ..DhcpRepr::new(DhcpOpcode::Reply, kind, req.transaction_id, mac)
            };
            let mut buf = vec![0u8; DhcpRepr::buffer_len(312)];
            reply
                .emit(&mut buf, |w| {
                    for (code, data) in &extra {
                        w.append(*code, data).expect("room for the test's options");
                    }
                })
                .expect("reply fits");
            // Renewals are answered to the client's address, everything else broadcast.
            let dst = if req.client_ip.is_unspecified() {
                Ipv4Addr::BROADCAST
            } else {
                req.client_ip
            };
            stack
                .udp_send_to(
                    self.sock,
                    &buf,
                    IpEndpoint::new(IpAddr::V4(dst), CLIENT_PORT),
                )
                .expect("reply sent");
        }
    }

    fn count(&self, kind: DhcpMessageType) -> usize {
        self.seen.iter().filter(|s| s.kind == kind).count()
    }
}

/// The server, the client (with hooks `H`) and optionally a third host, on one link.
struct Net<H> {
    now: Instant,
    link: VirtualLink,
    server: Stack,
    server_port: Port,
    dhcp: TestServer,
    client: Stack<H>,
    client_if: NetifId,
    client_port: Port,
    others: Vec<(Stack, Port)>,
    events: Vec<(Instant, DhcpEvent)>,
}

fn port(link: &VirtualLink, seed: u64) -> Port {
    fault_port(link, seed, FaultConfig::default())
}

impl<H: Hooks> Clocked for Net<H> {
    fn clock(&mut self) -> &mut Instant {
        &mut self.now
    }
    fn poll_now(&mut self) {
        self.poll();
    }
    fn next_due(&self) -> Option<Instant> {
        self.next_event()
    }
}

impl<H: Hooks> Net<H> {
    fn new(hooks: H, lease_secs: u32) -> Net<H> {
        let link = VirtualLink::new(LinkConfig {
            latency: Duration::from_millis(1),
            ..LinkConfig::default()
        });
        let mut server = Stack::new(StackConfig { random_seed: 1 });
        let server_port = port(&link, 11);
        server
            .add_netif(
                NetifConfig::new("srv")
                    .with_mac(EthernetAddress([2, 0, 0, 0, 0, 1]))
                    .with_ipv4(Ipv4Cidr::new(SERVER, 24).expect("cidr")),
                Box::new(server_port.clone()),
            )
            .expect("server netif");
        let dhcp = TestServer::new(&mut server, lease_secs);
        let mut client = Stack::with_hooks(StackConfig { random_seed: 2 }, hooks);
        let client_port = port(&link, 12);
        let client_if = client
            .add_netif(
                NetifConfig::new("cli").with_mac(CLIENT_MAC),
                Box::new(client_port.clone()),
            )
            .expect("client netif");
        Net {
            now: Instant::ZERO,
            link,
            server,
            server_port,
            dhcp,
            client,
            client_if,
            client_port,
            others: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Adds a host that already uses `addr`.
    fn add_squatter(&mut self, addr: Ipv4Addr) {
        let mut stack = Stack::new(StackConfig { random_seed: 3 });
        let p = port(&self.link, 13);
        stack
            .add_netif(
                NetifConfig::new("sq")
                    .with_mac(EthernetAddress([2, 0, 0, 0, 0, 3]))
                    .with_ipv4(Ipv4Cidr::new(addr, 24).expect("cidr")),
                Box::new(p.clone()),
            )
            .expect("netif");
        self.others.push((stack, p));
    }

    fn poll(&mut self) {
        self.server.poll(self.now);
        self.dhcp.serve(&mut self.server, self.now);
        self.server.poll(self.now);
        self.client.poll(self.now);
        for (s, _) in &mut self.others {
            s.poll(self.now);
        }
        let now = self.now;
        let events = &mut self.events;
        self.client.dhcp_drain_events(|_, e| events.push((now, e)));
    }

    fn next_event(&self) -> Option<Instant> {
        let mut times = vec![
            self.server.next_deadline(),
            self.client.next_deadline(),
            self.link.next_delivery(),
            self.client_port.lock().expect("lock").next_release(),
            self.server_port.lock().expect("lock").next_release(),
        ];
        for (s, p) in &self.others {
            times.push(s.next_deadline());
            times.push(p.lock().expect("lock").next_release());
        }
        times.into_iter().flatten().min()
    }

    /// Runs the clock event by event until `done` or `limit` from now.
    fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&Net<H>) -> bool) -> bool {
        run_clock_until(self, limit, |n| done(n))
    }

    fn state(&self) -> Option<DhcpState> {
        self.client.dhcp_state(self.client_if)
    }

    fn address(&self) -> Option<Ipv4Cidr> {
        self.client.netif(self.client_if).and_then(|n| n.ipv4)
    }

    /// Starts the client and runs until it is bound; returns when the lease was acquired
    /// (lease times count from the ACK, and the address check may take a few seconds after
    /// it).
    fn bind(&mut self) -> Instant {
        self.bind_within(Duration::from_secs(30))
    }

    fn bind_within(&mut self, limit: Duration) -> Instant {
        self.client.dhcp_start(self.client_if).expect("start");
        assert!(
            self.run_until(limit, |n| n.state() == Some(DhcpState::Bound)),
            "not bound: {:?}, server saw {:?}",
            self.state(),
            self.dhcp.seen
        );
        self.client
            .dhcp_lease(self.client_if)
            .expect("lease")
            .acquired
    }
}

fn plain(lease_secs: u32) -> Net<netstack::NoHooks> {
    Net::new(netstack::NoHooks, lease_secs)
}

#[test]
fn a_lease_configures_the_interface() {
    let mut net = plain(3600);
    net.bind();
    let netif = net.client.netif(net.client_if).expect("netif");
    assert_eq!(
        netif.ipv4,
        Ipv4Cidr::new(Ipv4Addr::new(10, 0, 0, POOL_START), 24).ok()
    );
    assert_eq!(netif.gateway, Some(SERVER));
    let lease = net.client.dhcp_lease(net.client_if).expect("lease").clone();
    assert_eq!(lease.server, SERVER);
    assert_eq!(lease.lease_time, Some(3600));
    let dns: Vec<Ipv4Addr> = lease.dns_servers.iter().copied().collect();
    let want = [Ipv4Addr::new(10, 0, 0, 53), Ipv4Addr::new(10, 0, 0, 54)];
    assert_eq!(
        dns[..],
        want[..want.len().min(netstack::config::DNS_MAX_SERVERS)]
    );
    assert_eq!(
        lease.ntp_servers.first().copied(),
        netstack::config::DHCP_GET_NTP_SRV.then_some(Ipv4Addr::new(10, 0, 0, 123))
    );
    // The exchange: DISCOVER and REQUEST broadcast, the REQUEST naming the offer.
    let kinds: Vec<DhcpMessageType> = net.dhcp.seen.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, [DhcpMessageType::Discover, DhcpMessageType::Request]);
    let request = &net.dhcp.seen[1];
    assert_eq!(request.dst, Ipv4Addr::BROADCAST);
    assert_eq!(request.requested, Some(Ipv4Addr::new(10, 0, 0, POOL_START)));
    assert_eq!(request.server_id, Some(SERVER));
    assert_eq!(
        request.hostname.as_deref(),
        Some(netstack::config::LOCAL_HOSTNAME.as_bytes()).filter(|h| !h.is_empty())
    );
    assert!(matches!(
        net.events[..],
        [(
            _,
            DhcpEvent::Bound {
                gateway: Some(SERVER),
                ..
            }
        )]
    ));
    // The address works: UDP from the client reaches the server.
    let sock = net.server.udp_open().expect("open");
    net.server
        .udp_bind(sock, IpEndpoint::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 9))
        .expect("bind");
    let c = net.client.udp_open().expect("open");
    net.client
        .udp_send_to(c, b"hi", IpEndpoint::new(IpAddr::V4(SERVER), 9))
        .expect("send");
    assert!(net.run_until(Duration::from_secs(2), |n| n.server.udp_peek(sock).is_ok()));
    let d = net.server.udp_recv_from(sock).expect("datagram");
    assert_eq!(d.src.addr, IpAddr::V4(Ipv4Addr::new(10, 0, 0, POOL_START)));
}

#[test]
fn renews_at_t1_by_unicast() {
    let mut net = plain(120);
    let bound_at = net.bind();
    let requests = net.dhcp.count(DhcpMessageType::Request);
    assert!(net.run_until(
        Duration::from_secs(200),
        |n| n.dhcp.count(DhcpMessageType::Request) > requests
    ));
    let renew = net.dhcp.seen.last().expect("renewal").clone();
    let t1 = renew.at.saturating_since(bound_at).millis();
    assert!((59_000..=62_000).contains(&t1), "renewed after {t1} ms");
    assert_eq!(renew.dst, SERVER, "RENEWING is unicast to the server");
    assert_eq!(renew.ciaddr, Ipv4Addr::new(10, 0, 0, POOL_START));
    assert_eq!((renew.requested, renew.server_id), (None, None));
    assert!(net.run_until(Duration::from_secs(1), |n| n.state()
        == Some(DhcpState::Bound)));
    assert!(net.events.iter().any(|(_, e)| *e == DhcpEvent::Renewed));
    // Renewed leases keep renewing; the address never went away.
    net.run_until(Duration::from_secs(600), |_| false);
    assert!(net.dhcp.count(DhcpMessageType::Request) >= 10);
    assert!(!net.events.iter().any(|(_, e)| *e == DhcpEvent::Lost));
    assert!(net.address().is_some());
}

#[test]
fn rebinds_at_t2_when_the_server_is_silent_then_the_lease_expires() {
    let mut net = plain(200);
    let bound_at = net.bind();
    net.dhcp.silent = true;
    // T2 = 175 s: a broadcast REQUEST.
    assert!(
        net.run_until(Duration::from_secs(180), |n| n.dhcp.seen.iter().any(|s| s
            .kind
            == DhcpMessageType::Request
            && s.dst == Ipv4Addr::BROADCAST
            && !s.ciaddr.is_unspecified()))
    );
    let rebind = net.dhcp.seen.last().expect("rebind").clone();
    let t2 = rebind.at.saturating_since(bound_at).millis();
    assert!((174_000..=177_000).contains(&t2), "rebinding after {t2} ms");
    assert_eq!(net.state(), Some(DhcpState::Rebinding));
    let unicast = net
        .dhcp
        .seen
        .iter()
        .filter(|s| s.dst == SERVER && s.at < rebind.at)
        .count();
    assert!(
        unicast >= 2,
        "RENEWING retransmitted ({unicast} unicast requests)"
    );
    // Expiry at 200 s: the address goes, discovery starts over.
    assert!(net.run_until(Duration::from_secs(30), |n| n.address().is_none()));
    let lost_at = net.now.saturating_since(bound_at).millis();
    assert!(
        (199_000..=202_000).contains(&lost_at),
        "lost after {lost_at} ms"
    );
    assert!(net.events.iter().any(|(_, e)| *e == DhcpEvent::Lost));
    assert!(net.run_until(Duration::from_secs(1), |n| {
        n.dhcp
            .seen
            .last()
            .is_some_and(|s| s.kind == DhcpMessageType::Discover)
    }));
    // The server comes back: a new lease.
    net.dhcp.silent = false;
    assert!(net.run_until(Duration::from_secs(120), |n| n.state()
        == Some(DhcpState::Bound)));
    assert!(net.address().is_some());
}

#[test]
fn a_nak_restarts_discovery() {
    let mut net = plain(3600);
    net.dhcp.nak_next = true;
    net.bind();
    let kinds: Vec<DhcpMessageType> = net.dhcp.seen.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            DhcpMessageType::Discover,
            DhcpMessageType::Request,
            DhcpMessageType::Discover,
            DhcpMessageType::Request
        ]
    );
    // A NAK while renewing drops the address.
    net.dhcp.nak_next = true;
    net.client.dhcp_renew(net.client_if).expect("renew");
    assert!(net.run_until(Duration::from_secs(5), |n| n.address().is_none()));
    assert!(net.events.iter().any(|(_, e)| *e == DhcpEvent::Lost));
    assert!(net.run_until(Duration::from_secs(30), |n| n.state()
        == Some(DhcpState::Bound)));
}

#[test]
fn an_address_in_use_is_declined() {
    if netstack::config::DHCP_CHECKS_OFFERED_ADDRESS
        == netstack::config::DhcpChecksOfferedAddress::NoCheck
    {
        return;
    }
    let mut net = plain(3600);
    let taken = Ipv4Addr::new(10, 0, 0, POOL_START);
    net.add_squatter(taken);
    net.client.dhcp_start(net.client_if).expect("start");
    assert!(net.run_until(Duration::from_secs(60), |n| n.state()
        == Some(DhcpState::Bound)));
    assert_eq!(net.dhcp.declined, [taken]);
    let decline = net
        .dhcp
        .seen
        .iter()
        .find(|s| s.kind == DhcpMessageType::Decline)
        .expect("a DECLINE");
    assert_eq!(
        (decline.requested, decline.server_id),
        (Some(taken), Some(SERVER))
    );
    assert_eq!(decline.ciaddr, Ipv4Addr::UNSPECIFIED);
    let next_discover = net
        .dhcp
        .seen
        .iter()
        .filter(|s| s.kind == DhcpMessageType::Discover)
        .nth(1)
        .expect("discovering again");
    assert!(next_discover.at.saturating_since(decline.at).millis() >= 10_000);
    assert!(
        net.events
            .iter()
            .any(|(_, e)| *e == DhcpEvent::Declined(taken))
    );
    assert_eq!(
        net.address().map(|c| c.address()),
        Some(Ipv4Addr::new(10, 0, 0, POOL_START + 1))
    );
}

#[test]
fn release_and_stop() {
    let mut net = plain(3600);
    net.bind();
    net.client.dhcp_release(net.client_if).expect("release");
    assert_eq!(net.address(), None);
    assert_eq!(net.state(), Some(DhcpState::Released));
    assert!(net.run_until(
        Duration::from_secs(2),
        |n| n.dhcp.count(DhcpMessageType::Release) == 1
    ));
    let release = net.dhcp.seen.last().expect("release");
    assert_eq!(release.dst, SERVER);
    assert_eq!(release.ciaddr, Ipv4Addr::new(10, 0, 0, POOL_START));
    assert!(net.dhcp.leases.is_empty());
    // Idle: nothing more is sent.
    net.run_until(Duration::from_secs(300), |_| false);
    assert_eq!(net.dhcp.seen.len(), 3);
    // Renew starts over; stop releases and forgets the client.
    net.client.dhcp_renew(net.client_if).expect("renew");
    assert!(net.run_until(Duration::from_secs(30), |n| n.state()
        == Some(DhcpState::Bound)));
    net.client.dhcp_stop(net.client_if).expect("stop");
    assert_eq!(net.state(), None);
    assert_eq!(net.address(), None);
    assert!(net.client.dhcp_release(net.client_if).is_err());
    assert!(net.run_until(
        Duration::from_secs(2),
        |n| n.dhcp.count(DhcpMessageType::Release) == 2
    ));
}

#[test]
fn loss_is_survived_by_retransmission() {
    let mut net = plain(3600);
    let lossy = FaultConfig::both(Faults::NONE.loss(0.4));
    net.client_port.lock().expect("lock").set_config(lossy);
    net.bind_within(Duration::from_secs(600));
    assert!(net.dhcp.seen.len() > 2, "some messages were retransmitted");
    // Retransmissions keep their exchange's xid; it took several but the lease is right.
    assert_eq!(
        net.address().map(|c| c.address()),
        Some(Ipv4Addr::new(10, 0, 0, POOL_START))
    );
}

#[test]
fn loopback_and_non_ethernet_interfaces_have_no_client() {
    let mut stack = Stack::new(StackConfig::default());
    if let Some(lo) = stack.loopback_netif() {
        assert!(stack.dhcp_start(lo).is_err());
        assert!(stack.dhcp_renew(lo).is_err());
        assert_eq!(stack.dhcp_state(lo), None);
    }
    let ip_only = stack
        .add_netif(
            NetifConfig::new("ip"),
            Box::new(netstack::phy::Loopback::new(4)),
        )
        .expect("netif");
    assert!(stack.dhcp_start(ip_only).is_err());
}

#[test]
fn init_reboot_asks_for_the_saved_address_first() {
    let mut net = plain(3600);
    let saved = Ipv4Addr::new(10, 0, 0, POOL_START);
    let settings = netstack::ipv4::dhcp::DhcpClientConfig {
        last_address: Some(saved),
        ..netstack::ipv4::dhcp::DhcpClientConfig::default()
    };
    net.client
        .dhcp_start_with(net.client_if, settings)
        .expect("start");
    assert!(net.run_until(Duration::from_secs(30), |n| n.state()
        == Some(DhcpState::Bound)));
    let first = &net.dhcp.seen[0];
    if netstack::config::DHCP_RESTORE_LAST_IP {
        // INIT-REBOOT (RFC 2131 §4.3.2): a broadcast REQUEST naming the address, no server id.
        assert_eq!(first.kind, DhcpMessageType::Request);
        assert_eq!((first.requested, first.server_id), (Some(saved), None));
        assert_eq!(first.ciaddr, Ipv4Addr::UNSPECIFIED);
        assert_eq!(net.dhcp.count(DhcpMessageType::Discover), 0);
    } else {
        assert_eq!(first.kind, DhcpMessageType::Discover);
    }
    assert_eq!(net.address().map(|c| c.address()), Some(saved));
}

/// The hook points: the product's options reach the server, and replies' options reach the
/// product (which may make the client ignore a reply).
#[cfg(not(any(
    netstack_hook_dhcp_append_options = "none",
    netstack_hook_dhcp_extra_option = "none",
)))]
mod hooks {
    use netstack::NetifInfo;
    use netstack::hooks::{DhcpOptionVerdict, Hooks};
    use netstack::wire::DhcpOptionWriter;

    use super::*;

    #[derive(Default)]
    struct Product {
        appended: Vec<(DhcpState, DhcpMessageType)>,
        vendor_info: Vec<(DhcpMessageType, Vec<u8>)>,
        /// Replies whose option 43 is this are ignored.
        refuse_vendor: Option<Vec<u8>>,
        overflow: Vec<netstack::wire::DhcpOptionError>,
    }

    impl Hooks for Product {
        fn dhcp_append_options(
            &mut self,
            _netif: &NetifInfo<'_>,
            state: DhcpState,
            message_type: DhcpMessageType,
            options: &mut DhcpOptionWriter<'_>,
        ) {
            self.appended.push((state, message_type));
            options.append(224, b"product").expect("room for 9 bytes");
            // Far too long for the options area: refused, nothing written.
            if let Err(e) = options.append(225, &[0; 200]) {
                self.overflow.push(e);
            }
        }

        fn dhcp_parse_option(
            &mut self,
            _netif: &NetifInfo<'_>,
            _state: DhcpState,
            message_type: DhcpMessageType,
            code: u8,
            data: &[u8],
        ) -> DhcpOptionVerdict {
            if code == 43 {
                self.vendor_info.push((message_type, data.to_vec()));
            }
            if code == 43 && self.refuse_vendor.as_deref() == Some(data) {
                return DhcpOptionVerdict::Drop;
            }
            DhcpOptionVerdict::Continue
        }
    }

    #[test]
    fn product_options_go_out_and_reply_options_come_in() {
        let mut net = Net::new(Product::default(), 3600);
        net.dhcp.reply_options.push((43, vec![1, 2, 0xaa, 0xbb]));
        net.bind();
        for s in &net.dhcp.seen {
            assert_eq!(s.extra, [(224, b"product".to_vec())], "{:?}", s.kind);
        }
        let hooks = net.client.hooks();
        assert_eq!(
            hooks.appended,
            [
                (DhcpState::Selecting, DhcpMessageType::Discover),
                (DhcpState::Requesting, DhcpMessageType::Request)
            ]
        );
        assert_eq!(hooks.overflow.len(), 2);
        assert!(matches!(
            hooks.overflow[0],
            netstack::wire::DhcpOptionError::NoSpace { needed: 202, .. }
        ));
        assert_eq!(
            hooks.vendor_info,
            [
                (DhcpMessageType::Offer, vec![1, 2, 0xaa, 0xbb]),
                (DhcpMessageType::Ack, vec![1, 2, 0xaa, 0xbb])
            ]
        );
    }

    #[test]
    fn a_dropped_reply_is_as_good_as_lost() {
        let mut net = Net::new(
            Product {
                refuse_vendor: Some(vec![0xde, 0xad]),
                ..Product::default()
            },
            3600,
        );
        net.dhcp.reply_options.push((43, vec![0xde, 0xad]));
        net.client.dhcp_start(net.client_if).expect("start");
        net.run_until(Duration::from_secs(20), |_| false);
        assert_eq!(net.state(), Some(DhcpState::Selecting));
        assert!(net.dhcp.count(DhcpMessageType::Discover) >= 2);
        assert_eq!(net.dhcp.count(DhcpMessageType::Request), 0);
        // The server's vendor option changes: the next offer is taken.
        net.dhcp.reply_options = vec![(43, vec![7])];
        assert!(net.run_until(Duration::from_secs(60), |n| n.state()
            == Some(DhcpState::Bound)));
    }
}
