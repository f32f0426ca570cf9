//! TCP interop with the Linux kernel over a TAP (as root, with `netstack-lab`): Linux
//! `socat` sends 1 MiB and 100 MiB to the stack (stack as server) and receives as much from
//! it (stack as client), with SHA-256 equality; the same with the stack-side fault injector
//! dropping 1 % of the frames, or reordering and duplicating them, and with Linux itself
//! making the faults (iptables in the lab's namespace, as the kernel has no `sch_netem`):
//! dropping 1 % of the TCP segments it sends and receives and duplicating 1 % of those it
//! sends, or reordering 2 % both ways through an NFQUEUE consumer that holds them back.
//! `iperf3 -c` from Linux measures the stack through a minimal iperf3 server written on the
//! stack's `tcp_*` calls. `curl` fetches a page from a tiny HTTP responder on the stack.
//! Captures of the small transfers, and of the first tenth of a second of each 100 MiB one,
//! must decode cleanly in tshark.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use common::{cidr, ep};
use netstack::phy::{FaultConfig, FaultInjector, Faults, TapDevice};
use netstack::tcp::{TcpHandle, TcpListenerHandle};
use netstack::time::{Duration, Instant};
use netstack::wire::{EthernetAddress, IpEndpoint};
use netstack::{Error, NetifConfig, Stack, StackConfig, Stats};
use netstack_lab::{Background, CaptureError, Lab, Transport, check_capture, plan, wait_for};

/// How long a test waits for a listener or a helper process to be ready.
const WAIT: std::time::Duration = std::time::Duration::from_secs(10);
use sha2::{Digest, Sha256};

struct Running {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<Stats>>,
}

impl Running {
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

/// Runs a stack at 192.0.2.2/24 on `tap` behind a fault injector, calling `app` after every
/// poll.
fn run_stack(
    tap: TapDevice,
    faults: FaultConfig,
    mut app: impl FnMut(&mut Stack, Instant) + Send + 'static,
) -> Running {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let handle = std::thread::spawn(move || {
        let dev = Arc::new(Mutex::new(FaultInjector::new(tap, 4242, faults)));
        let mut stack = Stack::new(StackConfig { random_seed: 42 });
        stack
            .add_netif(
                NetifConfig::new("tap")
                    .with_mac(EthernetAddress(plan::STACK_MAC))
                    .with_ipv4(cidr(plan::STACK_ADDR, plan::PREFIX_LEN))
                    .with_gateway(plan::LINUX_ADDR),
                Box::new(dev.clone()),
            )
            .expect("add the TAP netif");
        let start = std::time::Instant::now();
        let clock = || Instant::from_millis(start.elapsed().as_millis() as u64);
        while !flag.load(Ordering::SeqCst) {
            let now = clock();
            let r = stack.poll(now);
            app(&mut stack, now);
            if r.received > 0 {
                continue;
            }
            let wait = stack
                .next_deadline()
                .map_or(Duration::from_millis(20), |d| d.saturating_since(clock()))
                .min(Duration::from_millis(20));
            if wait.millis() > 0 {
                dev.lock()
                    .expect("device lock")
                    .inner()
                    .wait_readable(Some(wait))
                    .expect("wait on the TAP");
            }
        }
        *stack.stats()
    });
    Running {
        stop,
        handle: Some(handle),
    }
}

/// `len` bytes: a block of xorshift output (1 MiB + 13, no multiple of any segment size)
/// repeated, which a debug build makes quickly even for 100 MiB. The bytes are printable
/// (64 characters from `0`): tshark's heuristic dissectors take random binary payload for
/// protocols such as Thrift and call it malformed.
fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let block: Vec<u8> = (0..(1 << 20) + 13)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b'0' + (x as u8 & 63)
        })
        .collect();
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        let n = block.len().min(len - out.len());
        out.extend_from_slice(&block[..n]);
    }
    out
}

fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// A file name of its own for every call (the tests run in parallel).
fn tmp(name: &str) -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    std::env::temp_dir().join(format!("netstack-tcp-{}-{n}-{name}", std::process::id()))
}

/// A sink on port 45000: hashes what it reads until EOF, then closes.
#[derive(Default)]
struct Sink {
    listener: Option<TcpListenerHandle>,
    conn: Option<TcpHandle>,
    hasher: Sha256,
    len: usize,
    done: Option<(usize, String)>,
}

fn sink_app(state: Arc<Mutex<Sink>>) -> impl FnMut(&mut Stack, Instant) + Send + 'static {
    let mut buf = vec![0u8; 65536];
    move |stack, _| {
        let mut s = state.lock().expect("lock");
        let l = *s.listener.get_or_insert_with(|| {
            stack
                .tcp_listen(ep(Ipv4Addr::UNSPECIFIED, 45000))
                .expect("listen")
        });
        if s.conn.is_none() {
            s.conn = stack.tcp_accept(l).ok();
        }
        let Some(c) = s.conn else { return };
        if s.done.is_some() {
            return;
        }
        loop {
            match stack.tcp_recv(c, &mut buf) {
                Ok(0) => {
                    let digest = hex(&std::mem::take(&mut s.hasher).finalize());
                    s.done = Some((s.len, digest));
                    let _ = stack.tcp_close(c);
                    break;
                }
                Ok(n) => {
                    s.hasher.update(&buf[..n]);
                    s.len += n;
                }
                Err(Error::WouldBlock) => break,
                Err(e) => panic!("recv: {e}"),
            }
        }
    }
}

/// How a transfer between Linux and the stack is run.
#[derive(Debug, Clone, Copy)]
struct Transfer {
    len: usize,
    /// The stack-side fault injector's faults.
    stack_faults: FaultConfig,
    /// Faults Linux itself makes (iptables in the namespace).
    linux_faults: LinuxFaults,
    /// Capture this long from the start of the transfer and check it with tshark.
    capture: Option<std::time::Duration>,
}

impl Transfer {
    fn new(len: usize) -> Transfer {
        Transfer {
            len,
            stack_faults: FaultConfig::default(),
            linux_faults: LinuxFaults::default(),
            capture: None,
        }
    }
}

/// tshark's expert error for a TCP checksum field of 0xffff where the sum calls for 0x0000
/// (equivalent in ones' complement, RFC 1624). Linux's software checksum
/// (`skb_checksum_help`) writes it for about one segment in 65536; the capture check
/// tolerates it on Linux's segments only.
const LINUX_CHECKSUM_QUIRK: &str = "TCP Checksum 0xffff instead of 0x0000";

/// Starts a capture named `name`; after `head`, while the transfer goes on, it is stopped
/// and checked with tshark. `linux_segments` is text found in tshark's summary of every
/// segment Linux sends (its port and the arrow; tshark may put an analysis tag such as
/// `[TCP Dup ACK 487#2]` before it), for [`LINUX_CHECKSUM_QUIRK`]. The thread's result is a
/// summary, or the bad packets.
fn capture_head(
    lab: &Lab,
    name: &str,
    head: Option<std::time::Duration>,
    linux_segments: &'static str,
) -> Option<JoinHandle<Result<String, String>>> {
    head.map(|head| {
        let capture = lab.start_capture(name);
        std::thread::spawn(move || {
            std::thread::sleep(head);
            let path = capture.stop();
            let summary = match check_capture(&path) {
                Ok(report) => format!("{} packets, none malformed", report.packets.len()),
                Err(CaptureError::BadPackets { problems, .. }) => {
                    let (quirks, bad): (Vec<String>, Vec<String>) =
                        problems.into_iter().partition(|p| {
                            p.contains(LINUX_CHECKSUM_QUIRK) && p.contains(linux_segments)
                        });
                    if !bad.is_empty() {
                        return Err(format!(
                            "bad packets in {}:\n{}",
                            path.display(),
                            bad.join("\n")
                        ));
                    }
                    format!(
                        "none malformed; {} of Linux's with checksum 0xffff",
                        quirks.len()
                    )
                }
                Err(e) => return Err(e.to_string()),
            };
            // Kept only when the check fails (the lab keeps every capture by default).
            let _ = std::fs::remove_file(&path);
            Ok(summary)
        })
    })
}

/// Waits for the check of a [`capture_head`] capture; panics listing the bad packets.
fn check_capture_head(capture: Option<JoinHandle<Result<String, String>>>) {
    if let Some(capture) = capture {
        match capture.join().expect("the capture thread") {
            Ok(summary) => eprintln!("tshark: {summary}"),
            Err(bad) => panic!("{bad}"),
        }
    }
}

/// Faults Linux makes on the TCP segments of its side of the TAP, with iptables in the lab's
/// namespace, as probabilities per segment (the kernel has no `sch_netem`). Each applies to
/// the segments Linux sends and to those it receives, except duplication (sent only).
#[derive(Debug, Clone, Copy, Default)]
struct LinuxFaults {
    /// `-m statistic --mode random -j DROP`.
    drop: f64,
    /// `-j TEE --gateway` the stack: a copy goes out too.
    duplicate: f64,
    /// `-j NFQUEUE` to [`REORDER_SCRIPT`], which holds each segment 2 ms while the others
    /// pass.
    reorder: f64,
}

/// A userspace NFQUEUE consumer (Python, standard library only) that accepts every queued
/// packet `argv[2]` ms after it came, so later segments overtake it: reordering without
/// netem. Arguments: queue number, hold time in ms.
const REORDER_SCRIPT: &str = r#"
import select, socket, struct, sys, time
queue, hold = int(sys.argv[1]), float(sys.argv[2]) / 1000.0
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)  # NETLINK_NETFILTER
s.bind((0, 0))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
def attr(kind, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, kind) + payload + b"\0" * ((4 - n % 4) % 4)
def send(msg_type, attrs):  # nfnetlink subsystem 3: queue
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(queue)) + b"".join(attrs)
    s.send(struct.pack("=IHHII", 16 + len(body), (3 << 8) | msg_type, 1, 0, 0) + body)
send(2, [attr(1, struct.pack("!BBH", 1, 0, socket.AF_INET))])  # CONFIG: CMD bind
send(2, [attr(2, struct.pack("!IB", 0, 1))])  # CONFIG: PARAMS copy metadata only
held = []
while True:
    timeout = max(0.0, held[0][0] - time.monotonic()) if held else 1.0
    if select.select([s], [], [], timeout)[0]:
        data, off = s.recv(1 << 16), 0
        while off + 16 <= len(data):
            length, kind = struct.unpack_from("=IH", data, off)
            if kind == 3 << 8:  # PACKET: find the PACKET_HDR attribute's id
                a = off + 20
                while a + 4 <= off + length:
                    alen, atype = struct.unpack_from("=HH", data, a)
                    if atype & 0x7fff == 1:
                        held.append((time.monotonic() + hold, struct.unpack_from("!I", data, a + 4)[0]))
                    a += (alen + 3) & ~3
            off += (length + 3) & ~3
    while held and held[0][0] <= time.monotonic():
        send(1, [attr(2, struct.pack("!II", 1, held.pop(0)[1]))])  # VERDICT: accept
"#;

/// The iptables rules of `faults`: (table, chain, interface option, probability, target).
fn linux_fault_rules(
    faults: LinuxFaults,
) -> Vec<(&'static str, &'static str, &'static str, f64, String)> {
    let stack = plan::STACK_ADDR.to_string();
    let queue = "NFQUEUE --queue-num 0 --queue-bypass".to_string();
    [
        // The drop of outgoing segments comes before the TEE, in the same table: a segment
        // dropped in OUTPUT fails to send locally (EPERM), so Linux does not count it as
        // sent; had TEE copied it first, the stack would receive, and acknowledge, bytes
        // beyond Linux's SND.NXT, and Linux discards every such ACK (RFC 9293 §3.10.7.4) —
        // a deadlock no real network can make (found as a 1-in-10 stall of the
        // drop-and-duplicate transfer once the stack acknowledged each receive batch at once).
        ("mangle", "OUTPUT", "-o", faults.drop, "DROP".to_string()),
        ("filter", "INPUT", "-i", faults.drop, "DROP".to_string()),
        (
            "mangle",
            "OUTPUT",
            "-o",
            faults.duplicate,
            format!("TEE --gateway {stack}"),
        ),
        ("filter", "OUTPUT", "-o", faults.reorder, queue.clone()),
        ("filter", "INPUT", "-i", faults.reorder, queue),
    ]
    .into_iter()
    .filter(|rule| rule.3 > 0.0)
    .collect()
}

/// Installs `faults`; returns the reordering queue's consumer, if any (it runs until the lab
/// is dropped).
fn install_linux_faults(lab: &Lab, faults: LinuxFaults) -> Option<Background> {
    let rules = linux_fault_rules(faults);
    if rules.is_empty() {
        return None;
    }
    let tap = lab.tap_name();
    // One segment per packet at the hooks: with GSO a rule would hit a whole burst.
    lab.exec_ok(&["ip", "link", "set", "dev", tap, "gso_max_segs", "1"]);
    for (table, chain, iface, p, target) in &rules {
        let p = p.to_string();
        let mut args = vec![
            "iptables",
            "-t",
            table,
            "-A",
            chain,
            iface,
            tap,
            "-p",
            "tcp",
            "-m",
            "statistic",
            "--mode",
            "random",
            "--probability",
            &p,
            "-j",
        ];
        args.extend(target.split(' '));
        lab.exec_ok(&args);
    }
    (faults.reorder > 0.0).then(|| {
        let consumer = lab.spawn(&["python3", "-c", REORDER_SCRIPT, "0", "2"]);
        // Until it is bound, --queue-bypass lets the segments through unheld: wait until
        // the namespace's netfilter lists queue 0 as taken.
        wait_for("the NFQUEUE consumer to bind queue 0", WAIT, || {
            lab.exec_ok(&["cat", "/proc/net/netfilter/nfnetlink_queue"])
                .lines()
                .any(|line| line.split_whitespace().next() == Some("0"))
        });
        consumer
    })
}

/// Prints how many segments each Linux-side rule of `faults` hit and asserts each kind of
/// fault happened: drops and reordering in either direction (a rule on the ACK direction
/// alone may miss), duplicates when Linux sent the data (it only copies what it sends); when
/// Linux received the data, that reordering reached its out-of-order queue.
fn check_linux_faults(
    lab: &Lab,
    faults: LinuxFaults,
    mut consumer: Option<Background>,
    linux_received: bool,
) {
    let mut hits: Vec<(String, u64)> = Vec::new();
    for (table, chain, iface, _, target) in linux_fault_rules(faults) {
        let listing = lab.exec_ok(&["iptables", "-t", table, "-L", chain, "-v", "-x", "-n"]);
        let target = target.split(' ').next().expect("a target").to_string();
        let packets: u64 = listing
            .lines()
            .skip(2)
            .map(|line| line.split_whitespace().collect::<Vec<_>>())
            .filter(|f| f.len() > 2 && f[2] == target.as_str())
            .map(|f| f[0].parse::<u64>().expect("a packet count"))
            .sum();
        eprintln!("Linux-side {target} ({table} {chain} {iface} TAP): {packets} segments");
        match hits.iter_mut().find(|(t, _)| *t == target) {
            Some((_, n)) => *n += packets,
            None => hits.push((target, packets)),
        }
    }
    for (target, packets) in hits {
        if target != "TEE" || !linux_received {
            assert!(packets > 0, "the {target} rules hit nothing");
        }
    }
    if let Some(consumer) = consumer.as_mut() {
        assert!(consumer.is_running(), "the NFQUEUE consumer is running");
        if linux_received {
            // `nstat -az NAME` prints a header line, then `NAME VALUE RATE`.
            let nstat = lab.exec_ok(&["nstat", "-az", "TcpExtTCPOFOQueue"]);
            let ofo: u64 = nstat
                .lines()
                .find_map(|l| l.strip_prefix("TcpExtTCPOFOQueue"))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse().ok())
                .expect("nstat's TcpExtTCPOFOQueue");
            eprintln!("Linux queued {ofo} segments out of order");
            assert!(ofo > 0, "Linux saw the stack's segments reordered");
        }
    }
}

/// Linux sends `transfer.len` bytes to the stack with socat; the stack's hash must match.
/// Returns the throughput in MB/s.
fn linux_to_stack(transfer: Transfer) -> f64 {
    let len = transfer.len;
    let (lab, tap) = Lab::with_tap(TapDevice::open);
    let consumer = install_linux_faults(&lab, transfer.linux_faults);
    let state = Arc::new(Mutex::new(Sink::default()));
    let running = run_stack(tap, transfer.stack_faults, sink_app(state.clone()));
    let payload = data(len, len as u64);
    let file = tmp("in");
    std::fs::write(&file, &payload).expect("write");
    wait_for("the stack's listener on port 45000", WAIT, || {
        state.lock().expect("lock").listener.is_some()
    });
    let capture = capture_head(&lab, "tcp-in", transfer.capture, "→ 45000 ");
    let t = std::time::Instant::now();
    let out = lab
        .try_exec(
            &[
                "socat",
                "-u",
                &format!("FILE:{}", file.display()),
                "TCP4:192.0.2.2:45000",
            ],
            std::time::Duration::from_secs(300),
        )
        .expect("socat ran");
    assert!(out.status.success(), "socat: {out:?}");
    // socat is done once Linux's send buffer holds the rest: give the transfer (which
    // under Linux-side faults waits out Linux's retransmission timers) time to finish.
    let mut done = None;
    for _ in 0..1200 {
        done = state.lock().expect("lock").done.clone();
        if done.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let secs = t.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&file);
    let (got, digest) = done.expect("the stack saw EOF");
    assert_eq!(got, len);
    assert_eq!(digest, hex(&Sha256::digest(&payload)), "sha256 differs");
    let stats = running.stop();
    assert_eq!(stats.tcp.drop_checksum, 0);
    check_capture_head(capture);
    check_linux_faults(&lab, transfer.linux_faults, consumer, false);
    let mbps = len as f64 / 1e6 / secs;
    eprintln!("Linux -> stack: {len} bytes in {secs:.3} s ({mbps:.1} MB/s)");
    mbps
}

/// The stack connects to a Linux socat and sends `transfer.len` bytes; the file socat wrote
/// must hash the same. Returns the throughput in MB/s.
fn stack_to_linux(transfer: Transfer) -> f64 {
    let len = transfer.len;
    let (lab, tap) = Lab::with_tap(TapDevice::open);
    let consumer = install_linux_faults(&lab, transfer.linux_faults);
    let file = tmp("out");
    let _ = std::fs::remove_file(&file);
    let server = lab.spawn(&[
        "socat",
        "-u",
        "TCP4-LISTEN:46000,reuseaddr",
        &format!("CREATE:{}", file.display()),
    ]);
    lab.wait_listening(Transport::Tcp, 46000, WAIT);
    let payload = Arc::new(data(len, 7 + len as u64));
    let p = payload.clone();
    let mut conn = None;
    let mut sent = 0;
    let mut closed = false;
    let capture = capture_head(&lab, "tcp-out", transfer.capture, "46000 → ");
    let t = std::time::Instant::now();
    let running = run_stack(tap, transfer.stack_faults, move |stack, _| {
        let c = *conn.get_or_insert_with(|| {
            stack
                .tcp_connect(IpEndpoint::new(IpAddr::V4(plan::LINUX_ADDR), 46000), None)
                .expect("connect")
        });
        while sent < p.len() {
            match stack.tcp_send(c, &p[sent..]) {
                Ok(n) => sent += n,
                Err(_) => break,
            }
        }
        if sent == p.len() && !closed {
            let _ = stack.tcp_close(c);
            closed = true;
        }
    });
    let mut server = server;
    let out = server.wait_timeout(std::time::Duration::from_secs(300));
    let secs = t.elapsed().as_secs_f64();
    assert!(
        out.is_some_and(|o| o.status.success()),
        "socat did not finish"
    );
    let written = std::fs::read(&file).expect("socat's file");
    let _ = std::fs::remove_file(&file);
    assert_eq!(written.len(), len);
    assert_eq!(
        hex(&Sha256::digest(&written)),
        hex(&Sha256::digest(&*payload))
    );
    let stats = running.stop();
    assert_eq!(stats.tcp.drop_checksum, 0);
    check_capture_head(capture);
    check_linux_faults(&lab, transfer.linux_faults, consumer, true);
    let mbps = len as f64 / 1e6 / secs;
    eprintln!("stack -> Linux: {len} bytes in {secs:.3} s ({mbps:.1} MB/s)");
    mbps
}

/// Runs `transfer` from Linux to the stack and from the stack to Linux at the same time, each
/// in its own lab (most of a lossy transfer's time is spent waiting for timeouts).
fn both_ways(transfer: Transfer) {
    std::thread::scope(|scope| {
        let incoming = scope.spawn(|| linux_to_stack(transfer));
        stack_to_linux(transfer);
        incoming.join().expect("the transfer from Linux");
    });
}

/// The size of the long transfers.
const LONG: usize = 100 << 20;

/// A second of capture (and the capture's half a second of settling): all of a transfer of
/// a few MiB.
const CAPTURE_WHOLE: Option<std::time::Duration> = Some(std::time::Duration::from_secs(1));

/// The start of a 100 MiB transfer: 0.1 s and the capture's half a second of settling,
/// about 10 000 packets (tshark takes seconds for them).
const CAPTURE_HEAD: Option<std::time::Duration> = Some(std::time::Duration::from_millis(100));

#[test]
fn linux_sends_to_the_stack() {
    linux_to_stack(Transfer {
        capture: CAPTURE_WHOLE,
        ..Transfer::new(1 << 20)
    });
    linux_to_stack(Transfer {
        capture: CAPTURE_HEAD,
        ..Transfer::new(LONG)
    });
}

#[test]
fn stack_sends_to_linux() {
    stack_to_linux(Transfer {
        capture: CAPTURE_WHOLE,
        ..Transfer::new(1 << 20)
    });
    stack_to_linux(Transfer {
        capture: CAPTURE_HEAD,
        ..Transfer::new(LONG)
    });
}

#[test]
fn transfers_with_one_percent_loss_on_the_stack_side() {
    let transfer = Transfer {
        stack_faults: FaultConfig::both(Faults::NONE.loss(0.01)),
        ..Transfer::new(2 << 20)
    };
    both_ways(transfer);
}

#[test]
fn transfers_with_reordering_and_duplication_on_the_stack_side() {
    let transfer = Transfer {
        stack_faults: FaultConfig::both(Faults {
            reorder: 0.02,
            duplicate: 0.01,
            reorder_hold_max: Duration::from_millis(5),
            ..Faults::NONE
        }),
        capture: CAPTURE_WHOLE,
        ..Transfer::new(2 << 20)
    };
    both_ways(transfer);
}

#[test]
fn transfers_with_linux_dropping_and_duplicating_one_percent() {
    let transfer = Transfer {
        linux_faults: LinuxFaults {
            drop: 0.01,
            duplicate: 0.01,
            ..LinuxFaults::default()
        },
        capture: CAPTURE_WHOLE,
        ..Transfer::new(2 << 20)
    };
    both_ways(transfer);
}

#[test]
fn transfers_with_linux_reordering_two_percent() {
    let transfer = Transfer {
        linux_faults: LinuxFaults {
            reorder: 0.02,
            ..LinuxFaults::default()
        },
        capture: CAPTURE_WHOLE,
        ..Transfer::new(2 << 20)
    };
    both_ways(transfer);
}

#[test]
fn curl_fetches_from_a_tiny_http_responder() {
    let (lab, tap) = Lab::with_tap(TapDevice::open);
    let capture = lab.start_capture("http");
    let body = "hello from netstack\n".repeat(200);
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut listener = None;
    let mut conns: Vec<(TcpHandle, Vec<u8>, usize)> = Vec::new();
    let running = run_stack(tap, FaultConfig::default(), move |stack, _| {
        let l = *listener.get_or_insert_with(|| {
            stack
                .tcp_listen(ep(Ipv4Addr::UNSPECIFIED, 80))
                .expect("listen")
        });
        while let Ok(c) = stack.tcp_accept(l) {
            conns.push((c, Vec::new(), 0));
        }
        let mut buf = [0u8; 2048];
        conns.retain_mut(|(c, req, sent)| {
            while let Ok(n) = stack.tcp_recv(*c, &mut buf) {
                if n == 0 {
                    break;
                }
                req.extend_from_slice(&buf[..n]);
            }
            if req.windows(4).any(|w| w == b"\r\n\r\n") {
                while *sent < response.len() {
                    match stack.tcp_send(*c, &response.as_bytes()[*sent..]) {
                        Ok(n) => *sent += n,
                        Err(_) => break,
                    }
                }
                if *sent == response.len() {
                    let _ = stack.tcp_close(*c);
                    return false;
                }
            }
            true
        });
    });
    for _ in 0..3 {
        let out = lab.exec_ok(&["curl", "-s", "--max-time", "10", "http://192.0.2.2/"]);
        assert_eq!(out, body);
    }
    // A closed port answers with a reset: curl reports "connection refused" at once.
    let out = lab.exec(&["curl", "-s", "--max-time", "5", "http://192.0.2.2:81/"]);
    assert_eq!(out.status.code(), Some(7), "{out:?}");
    let stats = running.stop();
    let report = capture.stop_and_check();
    assert!(!report.packets.is_empty());
    assert!(stats.tcp.drop_no_socket >= 1);
}

/// iperf3's control messages (iperf_api.h): one state byte each.
const TEST_START: u8 = 1;
const TEST_RUNNING: u8 = 2;
const TEST_END: u8 = 4;
const PARAM_EXCHANGE: u8 = 9;
const CREATE_STREAMS: u8 = 10;
const EXCHANGE_RESULTS: u8 = 13;
const DISPLAY_RESULTS: u8 = 14;
const IPERF_DONE: u8 = 16;
/// An iperf3 cookie: 36 characters and a NUL, the first bytes of every connection.
const COOKIE_SIZE: usize = 37;

/// Where the iperf3 server is in a test's control exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum IperfPhase {
    /// Reading the control connection's cookie.
    #[default]
    Cookie,
    /// Sent PARAM_EXCHANGE; reading the client's parameters (4-byte length + JSON).
    Parameters,
    /// Sent CREATE_STREAMS; waiting for the data connection's cookie.
    Streams,
    /// Sent TEST_START and TEST_RUNNING; counting data until the client's TEST_END.
    Running,
    /// Sent EXCHANGE_RESULTS; reading the client's results (4-byte length + JSON).
    ClientResults,
    /// Sent our results and DISPLAY_RESULTS; waiting for the client's IPERF_DONE.
    Display,
    /// The client said IPERF_DONE.
    Done,
}

/// A minimal iperf3 server for one TCP test with one stream, on the stack's `tcp_*` calls:
/// the control connection and the data connection both come to port 5201, told apart by
/// order (control first) and checked by the cookie.
#[derive(Default)]
struct IperfServer {
    listener: Option<TcpListenerHandle>,
    control: Option<TcpHandle>,
    data: Option<TcpHandle>,
    data_eof: bool,
    phase: IperfPhase,
    control_in: Vec<u8>,
    control_out: Vec<u8>,
    control_closed: bool,
    cookie: Vec<u8>,
    data_cookie: Vec<u8>,
    /// Data bytes received after the data connection's cookie.
    received: u64,
    started: Option<Instant>,
    ended: Option<Instant>,
    parameters: String,
    client_results: String,
}

/// Takes one length-prefixed JSON message off the front of `buf`, once it is all there.
fn take_json(buf: &mut Vec<u8>) -> Option<String> {
    let len = u32::from_be_bytes(buf.get(..4)?.try_into().ok()?) as usize;
    let json = buf.get(4..4 + len)?;
    let json = String::from_utf8_lossy(json).into_owned();
    buf.drain(..4 + len);
    Some(json)
}

/// The number after `"key":` following the first `section` in a JSON text (enough for the
/// flat objects iperf3 writes).
fn json_number(json: &str, section: &str, key: &str) -> Option<f64> {
    let rest = &json[json.find(section)? + section.len()..];
    let key = format!("\"{key}\":");
    let rest = rest[rest.find(&key)? + key.len()..].trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E')))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

impl IperfServer {
    fn poll(&mut self, stack: &mut Stack, now: Instant, buf: &mut [u8]) {
        let l = *self.listener.get_or_insert_with(|| {
            stack
                .tcp_listen(ep(Ipv4Addr::UNSPECIFIED, 5201))
                .expect("listen")
        });
        while let Ok(c) = stack.tcp_accept(l) {
            if self.control.is_none() {
                self.control = Some(c);
            } else if self.data.is_none() {
                self.data = Some(c);
            } else {
                stack.tcp_abort(c).expect("abort a third connection");
            }
        }
        if let Some(d) = self.data.filter(|_| !self.data_eof) {
            loop {
                match stack.tcp_recv(d, buf) {
                    Ok(0) => {
                        self.data_eof = true;
                        stack.tcp_close(d).expect("close the data connection");
                        break;
                    }
                    Ok(n) => {
                        let cookie = (COOKIE_SIZE - self.data_cookie.len()).min(n);
                        self.data_cookie.extend_from_slice(&buf[..cookie]);
                        self.received += (n - cookie) as u64;
                    }
                    Err(Error::WouldBlock) => break,
                    Err(e) => panic!("iperf3 data connection: {e}"),
                }
            }
        }
        let Some(c) = self.control.filter(|_| !self.control_closed) else {
            return;
        };
        while let Ok(n) = stack.tcp_recv(c, buf) {
            if n == 0 {
                break;
            }
            self.control_in.extend_from_slice(&buf[..n]);
        }
        self.advance(now);
        while !self.control_out.is_empty() {
            match stack.tcp_send(c, &self.control_out) {
                Ok(n) => {
                    self.control_out.drain(..n);
                }
                Err(_) => break,
            }
        }
        if self.phase == IperfPhase::Done && self.control_out.is_empty() {
            stack.tcp_close(c).expect("close the control connection");
            self.control_closed = true;
        }
    }

    /// Moves through the control exchange as far as the bytes received allow.
    fn advance(&mut self, now: Instant) {
        loop {
            match self.phase {
                IperfPhase::Cookie if self.control_in.len() >= COOKIE_SIZE => {
                    self.cookie = self.control_in.drain(..COOKIE_SIZE).collect();
                    self.control_out.push(PARAM_EXCHANGE);
                    self.phase = IperfPhase::Parameters;
                }
                IperfPhase::Parameters => {
                    let Some(json) = take_json(&mut self.control_in) else {
                        return;
                    };
                    self.parameters = json;
                    self.control_out.push(CREATE_STREAMS);
                    self.phase = IperfPhase::Streams;
                }
                IperfPhase::Streams if self.data_cookie.len() == COOKIE_SIZE => {
                    assert_eq!(self.data_cookie, self.cookie, "the data stream's cookie");
                    self.control_out.extend([TEST_START, TEST_RUNNING]);
                    self.started = Some(now);
                    self.phase = IperfPhase::Running;
                }
                IperfPhase::Running if !self.control_in.is_empty() => {
                    assert_eq!(self.control_in.remove(0), TEST_END, "iperf3 state");
                    self.ended = Some(now);
                    self.control_out.push(EXCHANGE_RESULTS);
                    self.phase = IperfPhase::ClientResults;
                }
                IperfPhase::ClientResults => {
                    let Some(json) = take_json(&mut self.control_in) else {
                        return;
                    };
                    self.client_results = json;
                    let results = self.results();
                    self.control_out
                        .extend_from_slice(&(results.len() as u32).to_be_bytes());
                    self.control_out.extend_from_slice(results.as_bytes());
                    self.control_out.push(DISPLAY_RESULTS);
                    self.phase = IperfPhase::Display;
                }
                IperfPhase::Display if !self.control_in.is_empty() => {
                    assert_eq!(self.control_in.remove(0), IPERF_DONE, "iperf3 state");
                    self.phase = IperfPhase::Done;
                }
                _ => return,
            }
        }
    }

    /// The server's results as iperf3's `get_results` reads them: one receiving stream
    /// with the client's stream id.
    fn results(&self) -> String {
        let id = json_number(&self.client_results, "\"streams\"", "id").unwrap_or(1.0);
        let (Some(start), Some(end)) = (self.started, self.ended) else {
            panic!("results before the test ran");
        };
        let secs = end.saturating_since(start).millis() as f64 / 1000.0;
        format!(
            "{{\"cpu_util_total\":0,\"cpu_util_user\":0,\"cpu_util_system\":0,\
             \"sender_has_retransmits\":0,\"congestion_used\":\"newreno\",\"streams\":[\
             {{\"id\":{id},\"bytes\":{},\"retransmits\":-1,\"jitter\":0,\"errors\":0,\
             \"packets\":0,\"start_time\":0,\"end_time\":{secs}}}]}}",
            self.received
        )
    }
}

#[test]
fn iperf3_client_measures_the_stack() {
    let (lab, tap) = Lab::with_tap(TapDevice::open);
    let server = Arc::new(Mutex::new(IperfServer::default()));
    let shared = server.clone();
    let mut buf = vec![0u8; 65536];
    let running = run_stack(tap, FaultConfig::default(), move |stack, now| {
        shared.lock().expect("lock").poll(stack, now, &mut buf);
    });
    wait_for("the stack's iperf3 listener", WAIT, || {
        server.lock().expect("lock").listener.is_some()
    });
    let out = lab
        .try_exec(
            &["iperf3", "-c", "192.0.2.2", "-t", "3", "-J"],
            std::time::Duration::from_secs(30),
        )
        .expect("iperf3 ran");
    let json = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "iperf3 failed: {json}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sent = json_number(&json, "\"sum_sent\"", "bytes").expect("sum_sent bytes");
    let received = json_number(&json, "\"sum_received\"", "bytes").expect("sum_received bytes");
    let bps = json_number(&json, "\"sum_received\"", "bits_per_second").expect("bits/s");
    let mbps = bps / 8e6;
    eprintln!("iperf3: sent {sent} bytes, the stack received {received}: {mbps:.1} MB/s");
    // Let the stack see the client's IPERF_DONE and the connections' ends.
    let mut done = false;
    for _ in 0..100 {
        let s = server.lock().expect("lock");
        done = s.phase == IperfPhase::Done && s.data_eof;
        if done {
            break;
        }
        drop(s);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let stats = running.stop();
    let s = server.lock().expect("lock");
    assert!(done, "iperf3 exchange ended in {:?}", s.phase);
    assert!(s.parameters.contains("\"tcp\":true"), "{}", s.parameters);
    // iperf3 reports what the stack had read at TEST_END; the stack reads on to the end.
    assert!(received > 0.0 && received as u64 <= s.received);
    assert_eq!(
        s.received as f64, sent,
        "the stack read everything iperf3 sent"
    );
    // Throughput is the benchmark's business (`tcp_bulk --tap`, docs/performance.md), not a
    // pass/fail floor here: the test checks that iperf3 measured and nothing was lost.
    assert!(mbps > 0.0, "iperf3 reported no throughput");
    assert_eq!(stats.tcp.drop_checksum, 0);
}
