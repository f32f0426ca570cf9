//! The layers over the sockets API: `std::net`-style wrappers (`io::Read`/`Write`,
//! `io::Error` kinds), netconn with netbufs, and interface management through the
//! TCP/IP thread.

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use netstack::api::sockets::{AF_INET, SOCK_DGRAM, SOCK_STREAM};
use netstack::api::{
    Errno, NetStack, Netconn, NetconnType, NetifEvent, TcpListener, TcpStream, UdpSocket,
};
use netstack::phy::LinkConfig;
use netstack::phy::VirtualLink;
use netstack::wire::{EthernetAddress, Ipv4Cidr};
use netstack::{NetifConfig, Stack, StackConfig, config};

fn stack() -> NetStack {
    NetStack::start(Stack::new(StackConfig { random_seed: 11 })).expect("start")
}

fn lo(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

#[test]
fn tcp_wrappers_read_write_and_error_kinds() {
    let ns = stack();
    let listener = TcpListener::bind(&ns, lo(9201)).expect("bind");
    assert_eq!(listener.local_addr().expect("addr"), lo(9201));
    let server = thread::spawn(move || {
        let (mut s, peer) = listener.accept().expect("accept");
        assert_eq!(peer.ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).expect("read_to_end");
        s.write_all(&buf).expect("echo");
        buf.len()
    });
    let mut c = TcpStream::connect(&ns, lo(9201)).expect("connect");
    c.set_nodelay(true).expect("nodelay");
    assert!(c.nodelay().expect("nodelay"));
    assert_eq!(c.peer_addr().expect("peer"), lo(9201));
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 253) as u8).collect();
    c.write_all(&data).expect("write_all");
    c.shutdown(std::net::Shutdown::Write).expect("shutdown");
    let mut back = Vec::new();
    c.read_to_end(&mut back).expect("read back");
    assert_eq!(server.join().expect("server"), data.len());
    assert!(back == data);
    drop(c);

    // Errors carry std's kinds.
    let e = TcpStream::connect(&ns, lo(9)).err().expect("refused");
    assert_eq!(e.kind(), ErrorKind::ConnectionRefused);
    let e = TcpListener::bind(&ns, SocketAddr::from(([10, 1, 1, 1], 1)))
        .err()
        .expect("not ours");
    assert_eq!(e.kind(), ErrorKind::AddrNotAvailable);
    let l = TcpListener::bind(&ns, lo(9202)).expect("bind");
    l.set_nonblocking(true).expect("nonblocking");
    assert_eq!(
        l.accept().err().map(|e| e.kind()),
        Some(ErrorKind::WouldBlock)
    );
    let c = TcpStream::connect(&ns, lo(9202)).expect("connect");
    c.set_read_timeout(Some(Duration::from_millis(100)))
        .expect("timeout");
    assert_eq!(
        c.read_timeout().expect("timeout"),
        Some(Duration::from_millis(100))
    );
    assert!(
        c.set_read_timeout(Some(Duration::ZERO)).is_err(),
        "zero is an error, as in std"
    );
    let mut buf = [0u8; 4];
    let mut reader = c;
    assert_eq!(
        reader.read(&mut buf).err().map(|e| e.kind()),
        Some(ErrorKind::WouldBlock)
    );
    drop(reader);
    drop(l);
    assert!(
        ns.open_sockets().expect("list").is_empty(),
        "wrappers close on drop"
    );
}

#[test]
fn udp_wrapper_round_trip() {
    let ns = stack();
    let a = UdpSocket::bind(&ns, lo(9301)).expect("bind");
    let b = UdpSocket::bind(&ns, lo(0)).expect("bind");
    let b_addr = b.local_addr().expect("addr");
    assert_ne!(b_addr.port(), 0, "an ephemeral port");
    b.send_to(b"one", lo(9301)).expect("send_to");
    let mut buf = [0u8; 16];
    let (n, from) = a.recv_from(&mut buf).expect("recv_from");
    assert_eq!((&buf[..n], from), (&b"one"[..], b_addr));
    a.connect(b_addr).expect("connect");
    a.send(b"two").expect("send");
    b.set_read_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    assert_eq!(b.recv(&mut buf).expect("recv"), 3);
    b.set_broadcast(true).expect("broadcast");
    b.set_multicast_ttl_v4(2).expect("ttl");
    b.set_multicast_loop_v4(true).expect("loop");
    b.set_nonblocking(true).expect("nonblocking");
    assert_eq!(
        b.recv(&mut buf).err().map(|e| e.kind()),
        Some(ErrorKind::WouldBlock)
    );
}

#[test]
fn netconn_moves_data_in_netbufs() {
    let ns = stack();
    let server = Netconn::new(&ns, NetconnType::Tcp).expect("new");
    server.bind(lo(9401)).expect("bind");
    server.listen().expect("listen");
    let ns2 = ns.clone();
    let client = thread::spawn(move || {
        let c = Netconn::new(&ns2, NetconnType::Tcp).expect("new");
        c.connect(lo(9401)).expect("connect");
        assert_eq!(c.write(b"netconn data").expect("write"), 12);
        c.close().expect("close");
        c.delete().expect("delete");
    });
    let conn = server.accept().expect("accept");
    assert_eq!(
        conn.peer().expect("peer").ip(),
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    );
    let mut got = Vec::new();
    while let Some(buf) = conn.recv().expect("recv") {
        got.extend_from_slice(&buf.data);
    }
    assert_eq!(got, b"netconn data");
    client.join().expect("client");

    let u = Netconn::new(&ns, NetconnType::Udp).expect("udp");
    u.bind(lo(9402)).expect("bind");
    let v = Netconn::new(&ns, NetconnType::Udp).expect("udp");
    v.sendto(b"dgram", lo(9402)).expect("sendto");
    let buf = u.recv().expect("recv").expect("a datagram");
    assert_eq!(buf.data, b"dgram");
    assert_eq!(
        buf.from.map(|a| a.port()),
        Some(v.addr().expect("addr").port())
    );
    drop((conn, server, u, v));
    assert!(
        ns.open_sockets().expect("list").is_empty(),
        "netconns are deleted on drop"
    );
}

#[test]
fn interfaces_are_managed_through_the_thread() {
    let ns = stack();
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    let registered = ns.netif_set_status_callback(Box::new(move |e| {
        seen.lock().expect("events").push(e);
    }));
    assert_eq!(registered.is_ok(), config::NETIF_STATUS_CALLBACK);
    let link = VirtualLink::new(LinkConfig::default());
    let id = ns
        .netif_add(
            NetifConfig::new("sim0").with_mac(EthernetAddress([2, 0, 0, 0, 0, 9])),
            Box::new(link.port()),
        )
        .expect("add");
    let cidr = Ipv4Cidr::new(Ipv4Addr::new(198, 51, 100, 2), 24).expect("cidr");
    // Without a gateway an off-link destination is unreachable at once.
    ns.netif_set_addr(id, Some(cidr), None).expect("address");
    let off_link = SocketAddr::from(([203, 0, 113, 9], 80));
    let t = ns.socket(AF_INET, SOCK_STREAM, 0).expect("socket");
    assert_eq!(ns.connect(t, off_link), Err(Errno::ENETUNREACH));
    ns.close(t).expect("close");
    let u = ns.socket(AF_INET, SOCK_DGRAM, 0).expect("socket");
    assert_eq!(ns.connect(u, off_link), Err(Errno::ENETUNREACH));
    ns.close(u).expect("close");
    ns.netif_set_addr(id, Some(cidr), Some(Ipv4Addr::new(198, 51, 100, 1)))
        .expect("address");
    let st = ns.netif_status(id).expect("status");
    assert_eq!(
        (st.ipv4, st.gateway, st.up),
        (Some(cidr), Some(Ipv4Addr::new(198, 51, 100, 1)), true)
    );
    assert!(st.default, "the first interface is the default one");
    // A socket can bind to the new address.
    let u = UdpSocket::bind(&ns, SocketAddr::from(([198, 51, 100, 2], 5000))).expect("bind");
    drop(u);
    ns.netif_set_down(id).expect("down");
    assert!(!ns.netif_status(id).expect("status").up);
    ns.netif_set_up(id).expect("up");
    ns.dns_set_server(0, Some(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 53))))
        .expect("dns");
    assert_eq!(
        ns.dns_get_server(0),
        Ok(Some(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 53))))
    );
    assert_eq!(
        ns.dns_set_server(config::DNS_MAX_SERVERS, None),
        Err(Errno::EINVAL)
    );
    let names: Vec<String> = ns
        .netifs()
        .expect("list")
        .into_iter()
        .map(|n| n.name)
        .collect();
    assert!(names.contains(&"sim0".to_string()));
    if config::NETIF_API {
        let index = ns.if_nametoindex("sim0").expect("index");
        assert_ne!(index, 0);
        assert_eq!(ns.if_indextoname(index), Ok(Some("sim0".to_string())));
        assert_eq!(ns.if_nametoindex("nope"), Ok(0));
    } else {
        assert_eq!(ns.if_nametoindex("sim0"), Err(Errno::ENOSYS));
    }
    ns.netif_remove(id).expect("remove");
    assert_eq!(ns.netif_status(id).err(), Some(Errno::ENODEV));
    if config::NETIF_STATUS_CALLBACK {
        let got = events.lock().expect("events").clone();
        assert_eq!(
            got,
            [
                NetifEvent::Up(id),
                NetifEvent::AddressChanged(id, Some(cidr)),
                NetifEvent::Down(id),
                NetifEvent::Up(id),
                NetifEvent::Removed(id),
            ]
        );
    }
}
