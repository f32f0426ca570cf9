//! The sockets API over a TAP against the Linux kernel (as root, with `netstack-lab`): the
//! TCP/IP thread sleeping on the TAP's descriptor, a TCP echo through Linux `socat`, UDP
//! both ways, and the errno values only a real network produces: `EHOSTUNREACH` from a
//! router's ICMP, `ETIMEDOUT` when keepalive finds the peer gone, `ECONNREFUSED` from
//! Linux's reset.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use netstack::api::sockets::*;
use netstack::api::{Errno, NetStack, TcpStream};
use netstack::phy::TapDevice;
use netstack::wire::{EthernetAddress, Ipv4Cidr};
use netstack::{NetifConfig, Stack, StackConfig};
use netstack_lab::{Lab, plan};

/// A lab and a running stack at 192.0.2.2/24 (gateway: Linux) on its TAP.
fn setup() -> (Lab, NetStack) {
    let (lab, tap) = Lab::with_tap(TapDevice::open);
    let mut stack = Stack::new(StackConfig { random_seed: 21 });
    stack
        .add_netif(
            NetifConfig::new("tap")
                .with_mac(EthernetAddress(plan::STACK_MAC))
                .with_ipv4(Ipv4Cidr::new(plan::STACK_ADDR, plan::PREFIX_LEN).expect("cidr"))
                .with_gateway(plan::LINUX_ADDR),
            Box::new(tap),
        )
        .expect("netif");
    (lab, NetStack::start(stack).expect("tcpip thread"))
}

fn linux(port: u16) -> SocketAddr {
    SocketAddr::from((plan::LINUX_ADDR, port))
}

/// Connects, retrying while the Linux listener is still starting.
fn connect_when_listening(ns: &NetStack, to: SocketAddr) -> TcpStream {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match TcpStream::connect(ns, to) {
            Ok(s) => return s,
            Err(e) if Instant::now() < deadline => {
                assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused, "{e}");
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => panic!("connect to {to}: {e}"),
        }
    }
}

#[test]
fn tcp_echo_and_udp_through_linux() {
    use std::io::{Read, Write};
    let (lab, ns) = setup();
    let _echo = lab.spawn(&["socat", "TCP-LISTEN:47000,reuseaddr,fork", "EXEC:cat"]);
    let mut s = connect_when_listening(&ns, linux(47000));
    let data: Vec<u8> = (0..1_000_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let writer = {
        let data = data.clone();
        let fd = s.fd();
        let ns = ns.clone();
        std::thread::spawn(move || ns.send(fd, &data, 0))
    };
    let mut back = vec![0u8; data.len()];
    s.read_exact(&mut back).expect("echo");
    assert_eq!(writer.join().expect("writer"), Ok(data.len()));
    assert!(back == data, "echo differs");
    s.write_all(b"done").expect("write");
    drop(s);

    let _udp = lab.spawn(&["socat", "UDP4-RECVFROM:47001,fork", "EXEC:cat"]);
    let u = ns.socket(AF_INET, SOCK_DGRAM, 0).expect("udp");
    let tv = Timeval {
        tv_sec: 0,
        tv_usec: 300_000,
    };
    ns.setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv.to_bytes())
        .expect("timeout");
    let mut got = None;
    for _ in 0..20 {
        ns.sendto(u, b"datagram", 0, linux(47001)).expect("sendto");
        let mut buf = [0u8; 32];
        if let Ok((n, from)) = ns.recvfrom(u, &mut buf, 0) {
            got = Some((buf[..n].to_vec(), from));
            break;
        }
    }
    assert_eq!(got, Some((b"datagram".to_vec(), Some(linux(47001)))));
    ns.close(u).expect("close");
}

/// Linux routes for the stack and answers for 203.0.113.0/24 with ICMP host unreachable
/// (an `unreachable` route).
fn unreachable_route(lab: &Lab) {
    lab.exec_ok(&["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"]);
    lab.exec_ok(&["ip", "route", "add", "unreachable", "203.0.113.0/24"]);
}

#[test]
fn connect_errors_from_a_real_network() {
    let (lab, ns) = setup();
    // Linux resets a connection to a closed port.
    let t = ns.socket(AF_INET, SOCK_STREAM, 0).expect("socket");
    assert_eq!(ns.connect(t, linux(47010)), Err(Errno::ECONNREFUSED));
    ns.close(t).expect("close");

    // A SYN answered by a router's ICMP host unreachable fails at once (as on Linux),
    // rather than after every SYN retransmission.
    unreachable_route(&lab);
    let t = ns.socket(AF_INET, SOCK_STREAM, 0).expect("socket");
    let start = Instant::now();
    assert_eq!(
        ns.connect(t, SocketAddr::from(([203, 0, 113, 5], 80))),
        Err(Errno::EHOSTUNREACH)
    );
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "the ICMP error ends the connect"
    );
    ns.close(t).expect("close");
}

#[test]
fn a_connected_udp_socket_learns_of_icmp_errors() {
    let (lab, ns) = setup();
    unreachable_route(&lab);
    let u = ns.socket(AF_INET, SOCK_DGRAM, 0).expect("udp");
    ns.connect(u, SocketAddr::from(([203, 0, 113, 5], 53)))
        .expect("connect");
    ns.send(u, b"q", 0).expect("send");
    let tv = Timeval {
        tv_sec: 3,
        tv_usec: 0,
    };
    ns.setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv.to_bytes())
        .expect("timeout");
    let mut buf = [0u8; 4];
    assert_eq!(ns.recv(u, &mut buf, 0), Err(Errno::EHOSTUNREACH));
    ns.close(u).expect("close");
}

#[test]
fn keepalive_reports_a_vanished_peer_as_etimedout() {
    let (lab, ns) = setup();
    let _hold = lab.spawn(&["socat", "TCP-LISTEN:47020,reuseaddr", "SYSTEM:sleep 60"]);
    let s = connect_when_listening(&ns, linux(47020));
    let fd = s.fd();
    ns.setsockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1)
        .expect("SO_KEEPALIVE");
    ns.setsockopt_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, 1)
        .expect("idle");
    ns.setsockopt_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, 1)
        .expect("interval");
    ns.setsockopt_int(fd, IPPROTO_TCP, TCP_KEEPCNT, 2)
        .expect("count");
    // The peer vanishes without a word: Linux drops everything from the stack.
    lab.exec_ok(&[
        "iptables",
        "-A",
        "INPUT",
        "-s",
        &plan::STACK_ADDR.to_string(),
        "-j",
        "DROP",
    ]);
    let start = Instant::now();
    let mut buf = [0u8; 4];
    assert_eq!(ns.recv(fd, &mut buf, 0), Err(Errno::ETIMEDOUT));
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_secs(15),
        "{waited:?}"
    );
}

#[test]
fn ip_ttl_and_tos_options_reach_the_wire() {
    let (lab, ns) = setup();
    let capture = lab.start_capture("ttl-tos");
    let u = ns.socket(AF_INET, SOCK_DGRAM, 0).expect("udp");
    ns.setsockopt_int(u, IPPROTO_IP, IP_TTL, 33)
        .expect("IP_TTL");
    ns.setsockopt_int(u, IPPROTO_IP, IP_TOS, 0x28)
        .expect("IP_TOS");
    for _ in 0..3 {
        ns.sendto(u, b"marked", 0, linux(47030)).expect("sendto");
        std::thread::sleep(Duration::from_millis(100));
    }
    ns.close(u).expect("close");
    let report = capture.stop_and_check();
    let fields = std::process::Command::new("tshark")
        .args(["-n", "-r"])
        .arg(&report.path)
        .args([
            "-Y",
            "udp.dstport == 47030 && !icmp",
            "-T",
            "fields",
            "-e",
            "ip.ttl",
            "-e",
            "ip.dsfield",
        ])
        .output()
        .expect("tshark");
    let text = String::from_utf8_lossy(&fields.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert!(!lines.is_empty(), "the datagrams are in the capture");
    for line in lines {
        assert_eq!(
            line.split('\t').collect::<Vec<_>>(),
            ["33", "0x28"],
            "{line}"
        );
    }
}

#[test]
fn dropping_the_stack_right_after_close_still_finishes_the_close() {
    let (lab, ns) = setup();
    let _echo = lab.spawn(&["socat", "TCP-LISTEN:47040,reuseaddr", "EXEC:cat"]);
    let fd = ns.socket(AF_INET, SOCK_STREAM, 0).expect("socket");
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Err(e) = ns.connect(fd, linux(47040)) {
        assert!(
            e == Errno::ECONNREFUSED && Instant::now() < deadline,
            "connect: {e}"
        );
        ns.close(fd).expect("close");
        assert_eq!(
            ns.socket(AF_INET, SOCK_STREAM, 0),
            Ok(fd),
            "the same descriptor again"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    ns.send(fd, b"bye", 0).expect("send");
    ns.close(fd).expect("close");
    drop(ns); // the last handle: the TCP/IP thread stops
    // Linux got our FIN, closed its side, and our ACK of its FIN arrived: nothing is left
    // in LAST-ACK (or CLOSE-WAIT) on port 47040.
    let mut left = String::new();
    for _ in 0..30 {
        left = lab.exec_ok(&["ss", "-H", "-tan", "sport = :47040"]);
        if !left.contains("LAST-ACK") && !left.contains("CLOSE-WAIT") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        !left.contains("LAST-ACK") && !left.contains("CLOSE-WAIT"),
        "{left}"
    );
}
