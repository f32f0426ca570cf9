//! Interop with the Linux kernel over a TAP (as root, with `netstack-lab`): ping both ways
//! (also fragmented), arping, UDP echo both ways, broadcast, an IGMP report for a joined
//! group, and malformed frames that must not stop the stack. Every capture must decode
//! cleanly in tshark (no malformed packet, no bad checksum).

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use common::{cidr, ep};
use netstack::config;
use netstack::phy::TapDevice;
use netstack::time::{Duration, Instant};
use netstack::wire::{EthernetAddress, IpEndpoint};
use netstack::{NetifConfig, NetifId, Stack, StackConfig, Stats};
use netstack_lab::{Lab, plan, wait_for};

/// The stack running on the lab's TAP in its own thread.
struct Running {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<Stats>>,
}

impl Running {
    /// Stops the stack; its counters.
    fn stop(mut self) -> Stats {
        self.stop.store(true, Ordering::SeqCst);
        self.handle
            .take()
            .expect("running")
            .join()
            .expect("stack thread")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Runs a stack at 192.0.2.2/24 on `tap`, calling `app` after every poll.
fn run_stack(
    tap: TapDevice,
    mut app: impl FnMut(&mut Stack, NetifId, Instant) + Send + 'static,
) -> Running {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let handle = std::thread::spawn(move || {
        let tap = Arc::new(Mutex::new(tap));
        let mut stack = Stack::new(StackConfig { random_seed: 42 });
        let id = stack
            .add_netif(
                NetifConfig::new("tap")
                    .with_mac(EthernetAddress(plan::STACK_MAC))
                    .with_ipv4(cidr(plan::STACK_ADDR, plan::PREFIX_LEN))
                    .with_gateway(plan::LINUX_ADDR),
                Box::new(tap.clone()),
            )
            .expect("add the TAP netif");
        let start = std::time::Instant::now();
        let clock = || Instant::from_millis(start.elapsed().as_millis() as u64);
        while !flag.load(Ordering::SeqCst) {
            let now = clock();
            stack.poll(now);
            app(&mut stack, id, now);
            let wait = stack
                .next_deadline()
                .map_or(Duration::from_millis(50), |d| d.saturating_since(clock()))
                .min(Duration::from_millis(50));
            tap.lock()
                .expect("device lock")
                .wait_readable(Some(wait))
                .expect("wait on the TAP");
        }
        *stack.stats()
    });
    Running {
        stop,
        handle: Some(handle),
    }
}

/// How long a test waits for something the stack or Linux should do within a second.
const WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Sends a datagram to 192.0.2.2:9999 from a connected UDP socket and prints `refused` when
/// the ICMP port unreachable comes back (Linux turns it into ECONNREFUSED on the socket).
const PORT_UNREACHABLE_SCRIPT: &str = r#"
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.connect(("192.0.2.2", 9999))
s.send(b"anyone?")
try:
    s.recv(100)
    print("answered")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("no answer")
"#;

fn sh(lab: &Lab, script: &str) -> std::process::Output {
    lab.exec(&["sh", "-c", script])
}

#[test]
fn ping_both_ways_fragments_and_arping() {
    let (lab, tap) = Lab::with_tap(TapDevice::open);
    let capture = lab.start_capture("ping");
    let replied = Arc::new(AtomicBool::new(false));
    let r = replied.clone();
    let mut next_ping = Instant::ZERO;
    let running = run_stack(tap, move |stack, _, now| {
        while let Some(reply) = stack.icmp_echo_reply() {
            if reply.from == plan::LINUX_ADDR && reply.data == b"from the stack" {
                r.store(true, Ordering::SeqCst);
            }
        }
        if !r.load(Ordering::SeqCst) && now >= next_ping {
            let _ = stack.icmp_echo_request(plan::LINUX_ADDR, 0x77, 1, b"from the stack");
            next_ping = now + Duration::from_millis(500);
        }
    });
    let stack = plan::STACK_ADDR.to_string();
    let out = lab.exec_ok(&["ping", "-c", "3", "-i", "0.2", "-W", "2", &stack]);
    assert!(out.contains("3 received"), "{out}");
    let out = lab.exec_ok(&[
        "ping", "-c", "2", "-i", "0.2", "-W", "2", "-s", "1472", &stack,
    ]);
    assert!(out.contains("2 received"), "{out}");
    let big = lab.exec(&[
        "ping", "-c", "2", "-i", "0.3", "-W", "2", "-s", "8000", &stack,
    ]);
    let text = String::from_utf8_lossy(&big.stdout).into_owned();
    if config::IP4_REASSEMBLY {
        assert!(big.status.success(), "8000-byte ping failed: {text}");
    } else {
        assert!(
            !big.status.success(),
            "fragments must be dropped without reassembly: {text}"
        );
    }
    let out = lab.exec_ok(&["arping", "-c", "2", "-w", "4", "-I", lab.tap_name(), &stack]);
    assert!(out.contains("02:00:00:00:00:02"), "{out}");
    wait_for("Linux's answer to the stack's ping", WAIT, || {
        replied.load(Ordering::SeqCst)
    });
    let stats = running.stop();
    let report = capture.stop_and_check();
    assert!(!report.matching("Echo (ping) reply").is_empty());
    assert_eq!(stats.ip.drop_checksum + stats.icmp.drop_checksum, 0);
    if !config::IP4_REASSEMBLY {
        assert!(stats.ip_frag.drop_reassembly > 0);
    }
}

#[test]
fn udp_echo_both_ways_broadcast_and_igmp() {
    let (lab, tap) = Lab::with_tap(TapDevice::open);
    let capture = lab.start_capture("udp");
    let linux_echo = lab.spawn(&["socat", "UDP4-LISTEN:9000,reuseaddr,fork", "PIPE"]);
    let broadcasts = Arc::new(AtomicU32::new(0));
    let echoed = Arc::new(Mutex::new(None::<Vec<u8>>));
    let (b, e) = (broadcasts.clone(), echoed.clone());
    let mut sockets = None;
    let mut next_send = Instant::ZERO;
    let group = Ipv4Addr::new(239, 1, 2, 3);
    let running = run_stack(tap, move |stack, netif, now| {
        let (server, client) = *sockets.get_or_insert_with(|| {
            let server = stack.udp_open().expect("open");
            stack
                .udp_bind(server, ep(Ipv4Addr::UNSPECIFIED, 7))
                .expect("bind 7");
            stack
                .udp_join_multicast(server, Some(netif), group)
                .expect("join");
            let client = stack.udp_open().expect("open");
            (server, client)
        });
        while let Ok(d) = stack.udp_recv_from(server) {
            if d.dst.is_broadcast() || d.dst == Ipv4Addr::new(192, 0, 2, 255) {
                b.fetch_add(1, Ordering::SeqCst);
            }
            let _ = stack.udp_send_to(server, &d.data, d.src);
        }
        while let Ok(d) = stack.udp_recv_from(client) {
            *e.lock().expect("lock") = Some(d.data);
        }
        if e.lock().expect("lock").is_none() && now >= next_send {
            let to = IpEndpoint::new(IpAddr::V4(plan::LINUX_ADDR), 9000);
            let _ = stack.udp_send_to(client, b"echo me, Linux", to);
            next_send = now + Duration::from_millis(300);
        }
    });
    let out = sh(&lab, "echo hello | socat -T 2 - UDP4:192.0.2.2:7");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello\n", "{out:?}");
    let out = sh(
        &lab,
        "echo bcast | socat -T 1 - UDP4-DATAGRAM:192.0.2.255:7,broadcast",
    );
    assert!(
        out.status.success(),
        "socat could not send the broadcast: {out:?}"
    );
    // A port nobody listens on: the stack answers ICMP port unreachable, which Linux
    // reports to the connected UDP socket as ECONNREFUSED.
    let refused = lab.exec_ok(&["python3", "-c", PORT_UNREACHABLE_SCRIPT]);
    assert_eq!(refused.trim(), "refused", "Linux saw no port unreachable");
    wait_for("Linux to echo the stack's datagram", WAIT, || {
        echoed.lock().expect("lock").as_deref() == Some(&b"echo me, Linux"[..])
    });
    wait_for("the stack to receive the broadcast", WAIT, || {
        broadcasts.load(Ordering::SeqCst) >= 1
    });
    let stats = running.stop();
    drop(linux_echo);
    let report = capture.stop_and_check();
    if config::IGMP {
        let reports = report.matching("Membership Report");
        assert!(
            reports.iter().any(|r| r.contains("239.1.2.3")),
            "no IGMP report for the group: {:#?}",
            report.packets
        );
    }
    assert!(
        !report.matching("Port unreachable").is_empty(),
        "no port unreachable in the capture: {:#?}",
        report.packets
    );
    assert!(stats.icmp.tx >= 1, "{stats:?}");
    assert!(stats.udp.drop_no_socket >= 1, "{stats:?}");
}

#[test]
fn malformed_frames_do_not_stop_the_stack() {
    let (lab, tap) = Lab::with_tap(TapDevice::open);
    let running = run_stack(tap, |_, _, _| {});
    let stack = plan::STACK_ADDR.to_string();
    lab.exec_ok(&["ping", "-c", "1", "-W", "2", &stack]);
    let script = format!(
        r#"
from scapy.all import *
import random
random.seed(7)
iface = "{iface}"
dst = "02:00:00:00:00:02"
src = "02:00:00:00:00:01"
e = Ether(dst=dst, src=src)
ip = IP(src="192.0.2.1", dst="192.0.2.2")
frames = [
    e / raw(ip / ICMP())[:15],                                  # truncated IP header
    e / (b"\x43" + raw(ip / ICMP())[1:]),                       # IHL 3
    e / (b"\x4f" + raw(ip / ICMP())[1:]),                       # IHL 15, past the data
    e / IP(src="192.0.2.1", dst="192.0.2.2", chksum=0x1234) / ICMP(),  # bad IP checksum
    e / ip / ICMP(chksum=0x1234),                               # bad ICMP checksum
    e / ip / UDP(dport=7, chksum=0x1234) / b"bad",              # bad UDP checksum
    e / IP(src="192.0.2.1", dst="192.0.2.2", len=2000) / ICMP(),  # length past the frame
    e / IP(src="192.0.2.1", dst="192.0.2.2", id=9, flags="MF", frag=0) / (b"A" * 64),
    e / IP(src="192.0.2.1", dst="192.0.2.2", id=9, frag=4) / (b"B" * 64),  # overlaps
    e / IP(src="192.0.2.1", dst="192.0.2.2", id=10, frag=8191) / (b"C" * 64),  # past 65535
    Ether(dst=dst, src=src, type=0x0806) / b"\x00\x01\x08\x00\x06",  # truncated ARP
    Ether(dst=dst, src=src, type=0x8100) / b"\x00",            # truncated VLAN tag
    Ether(dst=dst, src=src, type=0x88b5) / b"unknown ethertype",
]
for _ in range(300):
    frames.append(Ether(dst=dst, src=src, type=random.choice([0x0800, 0x0806])) /
                  bytes(random.getrandbits(8) for _ in range(random.randint(0, 120))))
sendp(frames, iface=iface, verbose=False)
"#,
        iface = lab.tap_name()
    );
    let out = lab.exec(&["/usr/bin/python3", "-c", &script]);
    assert!(
        out.status.success(),
        "scapy failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = lab.exec_ok(&["ping", "-c", "3", "-i", "0.2", "-W", "2", &stack]);
    assert!(out.contains("3 received"), "{out}");
    let stats = running.stop();
    assert!(
        stats.ip.dropped + stats.link.dropped + stats.etharp.dropped > 10,
        "{stats:?}"
    );
}
