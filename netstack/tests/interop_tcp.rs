//! TCP interop with the Linux kernel over a TAP (as root, with `netstack-lab`): Linux
//! `socat` sends to the stack (stack as server) and receives from it (stack as client), with
//! SHA-256 equality, also with the stack-side fault injector dropping 1 % of the frames;
//! `curl` fetches a page from a tiny HTTP responder on the stack; the capture of the small
//! exchanges must decode cleanly in tshark.

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
use netstack_lab::{Lab, plan};
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

fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
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

/// Linux sends `len` bytes to the stack with socat; the stack's hash must match.
fn linux_to_stack(len: usize, faults: FaultConfig, capture: bool) -> f64 {
    let (lab, tap) = Lab::with_tap(TapDevice::open);
    let cap = capture.then(|| lab.start_capture("tcp-in"));
    let state = Arc::new(Mutex::new(Sink::default()));
    let running = run_stack(tap, faults, sink_app(state.clone()));
    let payload = data(len, len as u64);
    let file = tmp("in");
    std::fs::write(&file, &payload).expect("write");
    std::thread::sleep(std::time::Duration::from_millis(200));
    let t = std::time::Instant::now();
    let out = lab
        .try_exec(
            &[
                "socat",
                "-u",
                &format!("FILE:{}", file.display()),
                "TCP4:192.0.2.2:45000",
            ],
            std::time::Duration::from_secs(120),
        )
        .expect("socat ran");
    assert!(out.status.success(), "socat: {out:?}");
    let mut done = None;
    for _ in 0..200 {
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
    if let Some(cap) = cap {
        let report = cap.stop_and_check();
        assert!(!report.packets.is_empty());
    }
    let mbps = len as f64 / 1e6 / secs;
    eprintln!("Linux -> stack: {len} bytes in {secs:.3} s ({mbps:.1} MB/s)");
    mbps
}

/// The stack connects to a Linux socat and sends `len` bytes; the file socat wrote must
/// hash the same.
fn stack_to_linux(len: usize, faults: FaultConfig, capture: bool) -> f64 {
    let (lab, tap) = Lab::with_tap(TapDevice::open);
    let cap = capture.then(|| lab.start_capture("tcp-out"));
    let file = tmp("out");
    let _ = std::fs::remove_file(&file);
    let server = lab.spawn(&[
        "socat",
        "-u",
        "TCP4-LISTEN:46000,reuseaddr",
        &format!("CREATE:{}", file.display()),
    ]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let payload = Arc::new(data(len, 7 + len as u64));
    let p = payload.clone();
    let finished = Arc::new(Mutex::new(None::<std::time::Instant>));
    let f = finished.clone();
    let mut conn = None;
    let mut sent = 0;
    let mut closed = false;
    let t = std::time::Instant::now();
    let running = run_stack(tap, faults, move |stack, _| {
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
            *f.lock().expect("lock") = Some(std::time::Instant::now());
        }
    });
    let mut server = server;
    let out = server.wait_timeout(std::time::Duration::from_secs(120));
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
    if let Some(cap) = cap {
        let report = cap.stop_and_check();
        assert!(!report.packets.is_empty());
    }
    let mbps = len as f64 / 1e6 / secs;
    eprintln!("stack -> Linux: {len} bytes in {secs:.3} s ({mbps:.1} MB/s)");
    mbps
}

fn loss(p: f64) -> FaultConfig {
    FaultConfig::both(Faults {
        loss: p,
        ..Faults::NONE
    })
}

#[test]
fn linux_sends_to_the_stack() {
    linux_to_stack(1 << 20, FaultConfig::default(), true);
    linux_to_stack(32 << 20, FaultConfig::default(), false);
}

#[test]
fn stack_sends_to_linux() {
    stack_to_linux(1 << 20, FaultConfig::default(), true);
    stack_to_linux(32 << 20, FaultConfig::default(), false);
}

#[test]
fn transfers_with_one_percent_loss() {
    linux_to_stack(2 << 20, loss(0.01), false);
    stack_to_linux(2 << 20, loss(0.01), false);
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
