//! Over TAP against the Linux kernel.
//!
//! Each stack runs on this thread on a TAP device whose other end sits in a `netstack-lab`
//! network namespace (Linux at 192.0.2.1, the stack at 192.0.2.2, MTU 1500), and moves the
//! bytes to and from `socat` there:
//!
//! - *stack → Linux*: `socat -u TCP4-LISTEN:5001 STDOUT | cmp - FILE` in the namespace; the
//!   stack connects, sends, closes; the time runs from the connect call until that pipeline
//!   has exited, and `cmp` must find the bytes equal to the pattern file.
//! - *Linux → stack*: the stack listens; `socat -u FILE TCP4:192.0.2.2:5001`; the time runs
//!   from starting socat until the stack reads the end of the stream, every byte checked.
//!
//! The reference is Linux to Linux over a veth pair between two namespaces (MTU 1500), the
//! same socat pipelines on both ends, once with the kernel's default offloads (TSO/GSO/GRO:
//! the kernel moves 64 KiB super-segments) and, when `ethtool` is there, once with them off
//! (one packet per 1500-byte frame, as on the TAP).
//!
//! Both stacks use the same driver ([`TapDevice`] under smoltcp through [`SmolDevice`]) and
//! the same loop: poll, run the application, and wait on the TAP's descriptor (at most 1 ms)
//! only when no frame came in.

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant as StdInstant};

use netstack::phy::TapDevice;
use netstack::wire::{EthernetAddress, IpEndpoint, Ipv4Cidr};
use netstack::{NetifConfig, Stack, StackConfig};
use netstack_lab::{Background, Lab, plan};
use smoltcp::iface::{Config, Interface, SocketHandle, SocketSet};
use smoltcp::socket::tcp;
use smoltcp::wire::{self as sw, IpAddress, IpCidr};

use crate::inproc::Buffers;
use crate::pattern::{Checker, Pattern};
use crate::smol_device::SmolDevice;
use crate::{BenchError, Run, cpu};

const PORT: u16 = 5001;
/// How long one TAP transfer may take.
const LIMIT: Duration = Duration::from_secs(300);

/// One end of a transfer as the benchmark drives it: the stack and one TCP connection.
trait Endpoint {
    /// Runs the stack once; whether any frame came in.
    fn poll(&mut self) -> bool;
    /// Waits up to `max` for a frame.
    fn wait(&mut self, max: Duration);
    /// Opens the connection to Linux.
    fn connect(&mut self) -> Result<(), BenchError>;
    /// Listens for Linux's connection.
    fn listen(&mut self) -> Result<(), BenchError>;
    /// Queues data; `Ok(0)` when there is no room (or no connection yet).
    fn send(&mut self, data: &[u8]) -> Result<usize, BenchError>;
    /// Closes the sending direction.
    fn close(&mut self) -> Result<(), BenchError>;
    /// Reads data: `Ok(None)` when nothing is there, `Ok(Some(0))` at the end of the stream.
    fn recv(&mut self, buf: &mut [u8]) -> Result<Option<usize>, BenchError>;
}

fn cidr(a: Ipv4Addr, len: u8) -> Result<Ipv4Cidr, BenchError> {
    Ipv4Cidr::new(a, len).map_err(|_| BenchError::Tool(format!("bad address {a}/{len}")))
}

/// netstack on a TAP.
struct NetstackEnd {
    stack: Stack,
    tap: Arc<Mutex<TapDevice>>,
    start: StdInstant,
    listener: Option<netstack::tcp::TcpListenerHandle>,
    conn: Option<netstack::tcp::TcpHandle>,
}

impl NetstackEnd {
    fn new(tap: TapDevice) -> Result<NetstackEnd, BenchError> {
        let tap = Arc::new(Mutex::new(tap));
        let mut stack = Stack::new(StackConfig { random_seed: 7 });
        stack
            .add_netif(
                NetifConfig::new("tap")
                    .with_mac(EthernetAddress(plan::STACK_MAC))
                    .with_ipv4(cidr(plan::STACK_ADDR, plan::PREFIX_LEN)?),
                Box::new(Arc::clone(&tap)),
            )
            .map_err(|e| BenchError::Netstack("add_netif", e))?;
        Ok(NetstackEnd {
            stack,
            tap,
            start: StdInstant::now(),
            listener: None,
            conn: None,
        })
    }

    fn now(&self) -> netstack::time::Instant {
        netstack::time::Instant::from_millis(self.start.elapsed().as_millis() as u64)
    }
}

impl Endpoint for NetstackEnd {
    fn poll(&mut self) -> bool {
        let now = self.now();
        self.stack.poll(now).received > 0
    }

    fn wait(&mut self, max: Duration) {
        let max = netstack::time::Duration::from_millis(max.as_millis() as u64);
        let wait = self
            .stack
            .next_deadline()
            .map_or(max, |d| d.saturating_since(self.now()))
            .min(max);
        let tap = self.tap.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = tap.wait_readable(Some(wait));
    }

    fn connect(&mut self) -> Result<(), BenchError> {
        let now = self.now();
        self.stack.poll(now);
        let remote = IpEndpoint::new(IpAddr::V4(plan::LINUX_ADDR), PORT);
        self.conn = Some(
            self.stack
                .tcp_connect(remote, None)
                .map_err(|e| BenchError::Netstack("connect", e))?,
        );
        Ok(())
    }

    fn listen(&mut self) -> Result<(), BenchError> {
        let local = IpEndpoint::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), PORT);
        self.listener = Some(
            self.stack
                .tcp_listen(local)
                .map_err(|e| BenchError::Netstack("listen", e))?,
        );
        Ok(())
    }

    fn send(&mut self, data: &[u8]) -> Result<usize, BenchError> {
        let Some(c) = self.conn else { return Ok(0) };
        match self.stack.tcp_send(c, data) {
            Ok(n) => Ok(n),
            Err(netstack::Error::WouldBlock) => Ok(0),
            Err(e) => Err(BenchError::Netstack("send", e)),
        }
    }

    fn close(&mut self) -> Result<(), BenchError> {
        match self.conn {
            Some(c) => self
                .stack
                .tcp_close(c)
                .map_err(|e| BenchError::Netstack("close", e)),
            None => Ok(()),
        }
    }

    fn recv(&mut self, buf: &mut [u8]) -> Result<Option<usize>, BenchError> {
        if let (None, Some(l)) = (self.conn, self.listener) {
            self.conn = self.stack.tcp_accept(l).ok();
        }
        let Some(c) = self.conn else { return Ok(None) };
        match self.stack.tcp_recv(c, buf) {
            Ok(n) => Ok(Some(n)),
            Err(netstack::Error::WouldBlock) => Ok(None),
            Err(e) => Err(BenchError::Netstack("recv", e)),
        }
    }
}

/// smoltcp on a TAP.
struct SmolEnd {
    device: SmolDevice<TapDevice>,
    iface: Interface,
    sockets: SocketSet<'static>,
    handle: SocketHandle,
    start: StdInstant,
}

impl SmolEnd {
    fn new(tap: TapDevice, buffers: Buffers) -> Result<SmolEnd, BenchError> {
        let start = StdInstant::now();
        let mut device = SmolDevice::new(tap, buffers.mss + 40);
        let mut config = Config::new(sw::EthernetAddress(plan::STACK_MAC).into());
        config.random_seed = 7;
        let mut iface = Interface::new(config, &mut device, smoltcp::time::Instant::ZERO);
        let o = plan::STACK_ADDR.octets();
        let mut pushed = Ok(());
        iface.update_ip_addrs(|addrs| {
            pushed = addrs.push(IpCidr::new(
                IpAddress::v4(o[0], o[1], o[2], o[3]),
                plan::PREFIX_LEN,
            ));
        });
        pushed.map_err(|_| BenchError::Smoltcp("address", "table full".into()))?;
        let socket = tcp::Socket::new(
            tcp::SocketBuffer::new(vec![0u8; buffers.window]),
            tcp::SocketBuffer::new(vec![0u8; buffers.send]),
        );
        let mut sockets = SocketSet::new(Vec::new());
        let handle = sockets.add(socket);
        Ok(SmolEnd {
            device,
            iface,
            sockets,
            handle,
            start,
        })
    }

    fn now(&self) -> smoltcp::time::Instant {
        smoltcp::time::Instant::from_micros(self.start.elapsed().as_micros() as i64)
    }

    fn socket(&mut self) -> &mut tcp::Socket<'static> {
        self.sockets.get_mut::<tcp::Socket>(self.handle)
    }
}

impl Endpoint for SmolEnd {
    fn poll(&mut self) -> bool {
        let before = self.device.received();
        let now = self.now();
        self.iface.poll(now, &mut self.device, &mut self.sockets);
        while self
            .iface
            .poll_egress(now, &mut self.device, &mut self.sockets)
            == smoltcp::iface::PollResult::SocketStateChanged
        {}
        self.device.received() > before
    }

    fn wait(&mut self, max: Duration) {
        let now = self.now();
        let wait = self
            .iface
            .poll_delay(now, &self.sockets)
            .map_or(max, |d| Duration::from_micros(d.total_micros()))
            .min(max);
        let ms = netstack::time::Duration::from_millis(wait.as_millis() as u64);
        let _ = self.device.inner().wait_readable(Some(ms));
    }

    fn connect(&mut self) -> Result<(), BenchError> {
        let o = plan::LINUX_ADDR.octets();
        let cx = self.iface.context();
        let socket = self.sockets.get_mut::<tcp::Socket>(self.handle);
        socket
            .connect(cx, (IpAddress::v4(o[0], o[1], o[2], o[3]), PORT), 49152)
            .map_err(|e| BenchError::Smoltcp("connect", e.to_string()))
    }

    fn listen(&mut self) -> Result<(), BenchError> {
        self.socket()
            .listen(PORT)
            .map_err(|e| BenchError::Smoltcp("listen", e.to_string()))
    }

    fn send(&mut self, data: &[u8]) -> Result<usize, BenchError> {
        match self.socket().send_slice(data) {
            Ok(n) => Ok(n),
            Err(tcp::SendError::InvalidState) => Ok(0),
        }
    }

    fn close(&mut self) -> Result<(), BenchError> {
        self.socket().close();
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8]) -> Result<Option<usize>, BenchError> {
        match self.socket().recv_slice(buf) {
            Ok(0) => Ok(None),
            Ok(n) => Ok(Some(n)),
            Err(tcp::RecvError::Finished) => Ok(Some(0)),
            Err(tcp::RecvError::InvalidState) => Ok(None),
        }
    }
}

/// A shell pipeline that receives on port 5001 and compares with `file`.
fn sink_command(file: &Path) -> String {
    format!(
        "socat -u TCP4-LISTEN:{PORT},reuseaddr STDOUT | cmp - {}",
        file.display()
    )
}

/// Waits until something listens on port 5001 in `lab`'s namespace.
fn wait_listening(lab: &Lab) -> Result<(), BenchError> {
    for _ in 0..200 {
        let out = lab.exec(&["ss", "-Htln", &format!("sport = :{PORT}")]);
        if !out.stdout.is_empty() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Err(BenchError::Tool(
        "the Linux sink did not start listening".into(),
    ))
}

/// The output of a finished Linux pipeline, or an error naming it.
fn finished_ok(what: &str, sink: Background) -> Result<(), BenchError> {
    let out = sink.stop();
    if out.status.success() {
        Ok(())
    } else {
        Err(BenchError::Tool(format!(
            "{what}: {} {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}

/// The stack sends `bytes` to a Linux sink.
fn stack_to_linux(
    name: &str,
    lab: &Lab,
    end: &mut dyn Endpoint,
    pattern: &Pattern,
    file: &Path,
    bytes: u64,
) -> Result<Run, BenchError> {
    let mut sink = lab.spawn(&["sh", "-c", &sink_command(file)]);
    wait_listening(lab)?;
    let cpu0 = cpu::thread_cpu_ns();
    let start = StdInstant::now();
    end.connect()?;
    let (mut sent, mut closed) = (0u64, false);
    let mut turns = 0u32;
    loop {
        let got = end.poll();
        while sent < bytes {
            let n = end.send(pattern.chunk(sent, bytes - sent))?;
            if n == 0 {
                break;
            }
            sent += n as u64;
        }
        if sent == bytes && !closed {
            end.close()?;
            closed = true;
        }
        turns = turns.wrapping_add(1);
        if closed && (turns.is_multiple_of(64) || !got) && !sink.is_running() {
            break;
        }
        if !got {
            end.wait(Duration::from_millis(1));
        }
        if start.elapsed() > LIMIT {
            return Err(BenchError::Timeout("stack -> Linux"));
        }
    }
    let wall_secs = start.elapsed().as_secs_f64();
    let cpu_secs = cpu::thread_cpu_ns()
        .zip(cpu0)
        .map(|(a, b)| a.saturating_sub(b) as f64 / 1e9);
    finished_ok("Linux sink (socat | cmp)", sink)?;
    Ok(Run {
        name: name.into(),
        bytes,
        wall_secs,
        cpu_secs,
        frames: None,
    })
}

/// A Linux source sends `bytes` to the stack.
fn linux_to_stack(
    name: &'static str,
    lab: &Lab,
    end: &mut dyn Endpoint,
    pattern: &Pattern,
    file: &Path,
    bytes: u64,
) -> Result<Run, BenchError> {
    end.listen()?;
    let mut buf = vec![0u8; 65536];
    let mut checker = Checker::default();
    let cpu0 = cpu::thread_cpu_ns();
    let start = StdInstant::now();
    let source = lab.spawn(&[
        "socat",
        "-u",
        &format!("FILE:{}", file.display()),
        &format!("TCP4:{}:{PORT}", plan::STACK_ADDR),
    ]);
    'run: loop {
        let got = end.poll();
        loop {
            match end.recv(&mut buf)? {
                Some(0) => break 'run,
                Some(n) => checker.feed(pattern, &buf[..n]),
                None => break,
            }
        }
        if !got {
            end.wait(Duration::from_millis(1));
        }
        if start.elapsed() > LIMIT {
            return Err(BenchError::Timeout("Linux -> stack"));
        }
    }
    let wall_secs = start.elapsed().as_secs_f64();
    let cpu_secs = cpu::thread_cpu_ns()
        .zip(cpu0)
        .map(|(a, b)| a.saturating_sub(b) as f64 / 1e9);
    end.close()?;
    // Let the close reach Linux so socat exits by itself.
    let until = StdInstant::now() + Duration::from_secs(2);
    let mut source = source;
    while source.is_running() && StdInstant::now() < until {
        if !end.poll() {
            end.wait(Duration::from_millis(1));
        }
    }
    drop(source);
    checker.verdict(name, bytes)?;
    Ok(Run {
        name: name.into(),
        bytes,
        wall_secs,
        cpu_secs,
        frames: None,
    })
}

/// A temporary file holding `bytes` of the pattern, removed on drop.
struct PatternFile(PathBuf);

impl PatternFile {
    fn new(pattern: &Pattern, bytes: u64) -> Result<PatternFile, BenchError> {
        let path = std::env::temp_dir().join(format!("netstack-bench-{}.bin", std::process::id()));
        pattern.write_file(&path, bytes)?;
        Ok(PatternFile(path))
    }
}

impl Drop for PatternFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Linux to Linux over a veth pair between two lab namespaces; `offloads: false` turns
/// TSO/GSO/GRO off on both ends first.
fn linux_to_linux(file: &Path, bytes: u64, offloads: bool) -> Result<Run, BenchError> {
    let a = Lab::builder().tap_in_namespace();
    let b = Lab::builder().tap_in_namespace();
    let pid = std::process::id() % 100_000;
    let (va, vb) = (format!("nsbv{pid}a"), format!("nsbv{pid}b"));
    let ip = |args: &[&str]| -> Result<(), BenchError> {
        let out = std::process::Command::new("ip").args(args).output()?;
        if out.status.success() {
            Ok(())
        } else {
            Err(BenchError::Tool(format!(
                "ip {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            )))
        }
    };
    ip(&["link", "add", &va, "type", "veth", "peer", "name", &vb])?;
    ip(&["link", "set", &va, "netns", a.namespace()])?;
    ip(&["link", "set", &vb, "netns", b.namespace()])?;
    for (lab, dev, addr) in [(&a, &va, "10.77.0.1/24"), (&b, &vb, "10.77.0.2/24")] {
        lab.exec_ok(&["ip", "addr", "add", addr, "dev", dev]);
        lab.exec_ok(&["ip", "link", "set", "dev", dev, "up"]);
        if !offloads {
            lab.exec_ok(&[
                "ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off",
            ]);
        }
    }
    let sink = b.spawn(&["sh", "-c", &sink_command(file)]);
    wait_listening(&b)?;
    let start = StdInstant::now();
    let out = a
        .try_exec(
            &[
                "socat",
                "-u",
                &format!("FILE:{}", file.display()),
                &format!("TCP4:10.77.0.2:{PORT}"),
            ],
            LIMIT,
        )
        .map_err(|e| BenchError::Tool(format!("socat: {e}")))?;
    if !out.status.success() {
        return Err(BenchError::Tool(format!(
            "socat: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let mut sink = sink;
    while sink.is_running() && start.elapsed() < LIMIT {
        std::thread::sleep(Duration::from_micros(200));
    }
    let wall_secs = start.elapsed().as_secs_f64();
    finished_ok("Linux sink (socat | cmp)", sink)?;
    Ok(Run {
        name: if offloads {
            "Linux -> Linux (veth)".into()
        } else {
            "Linux -> Linux (veth, TSO/GSO/GRO off)".into()
        },
        bytes,
        wall_secs,
        cpu_secs: None,
        frames: None,
    })
}

/// The median of `runs` by throughput.
fn median(mut runs: Vec<Run>) -> Option<Run> {
    runs.sort_by(|a, b| a.mb_per_sec().total_cmp(&b.mb_per_sec()));
    let mid = runs.len() / 2;
    runs.into_iter().nth(mid)
}

/// Runs every TAP transfer of `bytes` `repeat` times (as root): netstack and smoltcp each
/// way against Linux, and Linux against Linux; the median of each by throughput. Each run
/// gets a fresh lab.
pub fn run_all(bytes: u64, buffers: Buffers, repeat: usize) -> Result<Vec<Run>, BenchError> {
    let pattern = Pattern::new();
    let file = PatternFile::new(&pattern, bytes)?;
    let path = file.0.as_path();
    let offloads_off = netstack_lab::has_tool("ethtool");
    let mut table: Vec<Vec<Run>> = vec![Vec::new(); if offloads_off { 6 } else { 5 }];
    for round in 0..repeat.max(1) {
        eprintln!("TAP round {} of {}", round + 1, repeat.max(1));
        let mut slot = table.iter_mut();
        let mut push = |run: Run| {
            if let Some(s) = slot.next() {
                s.push(run);
            }
        };
        push(linux_to_linux(path, bytes, true)?);
        if offloads_off {
            push(linux_to_linux(path, bytes, false)?);
        }
        let (lab, tap) = Lab::with_tap(TapDevice::open);
        let mut end = NetstackEnd::new(tap)?;
        push(stack_to_linux(
            "netstack -> Linux",
            &lab,
            &mut end,
            &pattern,
            path,
            bytes,
        )?);
        drop((end, lab));
        let (lab, tap) = Lab::with_tap(TapDevice::open);
        let mut end = NetstackEnd::new(tap)?;
        push(linux_to_stack(
            "Linux -> netstack",
            &lab,
            &mut end,
            &pattern,
            path,
            bytes,
        )?);
        drop((end, lab));
        let (lab, tap) = Lab::with_tap(TapDevice::open);
        let mut end = SmolEnd::new(tap, buffers)?;
        push(stack_to_linux(
            "smoltcp -> Linux",
            &lab,
            &mut end,
            &pattern,
            path,
            bytes,
        )?);
        drop((end, lab));
        let (lab, tap) = Lab::with_tap(TapDevice::open);
        let mut end = SmolEnd::new(tap, buffers)?;
        push(linux_to_stack(
            "Linux -> smoltcp",
            &lab,
            &mut end,
            &pattern,
            path,
            bytes,
        )?);
    }
    Ok(table.into_iter().filter_map(median).collect())
}
