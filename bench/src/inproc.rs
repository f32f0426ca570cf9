//! In-process bulk transfer: two stacks of one kind on one in-memory Ethernet link.
//!
//! Both runs use the same [`VirtualLink`] (MTU 1500, no latency, no loss, frames delivered
//! as soon as they are sent), the same single-threaded loop shape (poll the sender's side,
//! poll the receiver's side, let the sending application queue as much as fits, let the
//! receiving application read and check everything there is) and the same clock (real
//! elapsed time), and socket buffers of the sizes netstack's configuration gives
//! ([`Buffers::from_config`]). The time is wall-clock time from the connect call until the
//! receiver reads the end of the stream, the ARP exchange and handshakes included.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant as StdInstant};

use netstack::phy::{LinkConfig, VirtualLink};
use netstack::wire::{EthernetAddress, IpEndpoint, Ipv4Cidr};
use netstack::{NetifConfig, Stack, StackConfig};
use smoltcp::iface::{Config, Interface, SocketSet};
use smoltcp::socket::tcp;
use smoltcp::wire::{self as sw, IpAddress, IpCidr};

use crate::counting::{Counting, CountsHandle};
use crate::pattern::{Checker, Pattern};
use crate::smol_device::SmolDevice;
use crate::{BenchError, Run, cpu};

/// TCP port of the receiving side.
const PORT: u16 = 5001;
/// Size of the application's receive buffer (one `recv` call reads at most this much).
const APP_BUF: usize = 65536;

/// Socket buffer sizes and segment size, shared by both stacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Buffers {
    /// Send buffer of each connection (`tcp_snd_buf_default`).
    pub send: usize,
    /// Receive window / receive buffer of each connection (`tcp_wnd_default`).
    pub window: usize,
    /// Maximum segment size (`tcp_mss`); smoltcp derives its MSS from the IP MTU, so it is
    /// given an IP MTU of `mss + 40`.
    pub mss: usize,
}

impl Buffers {
    /// The sizes netstack was built with (`netstack::config`).
    pub fn from_config() -> Buffers {
        Buffers {
            send: netstack::config::TCP_SND_BUF_DEFAULT,
            window: netstack::config::TCP_WND_DEFAULT,
            mss: usize::from(netstack::config::TCP_MSS),
        }
    }
}

/// How smoltcp's interfaces are driven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmolOptions {
    /// IP MTU smoltcp is told (the link itself carries 1500): `mss + 40` makes smoltcp
    /// use the same segment size as netstack; 1500 is smoltcp's own choice (MSS 1460).
    pub ip_mtu: usize,
    /// After each `Interface::poll`, call `poll_egress` again while it sends something:
    /// smoltcp emits at most one segment per socket per egress pass, netstack sends all the
    /// window allows at once, so draining gives smoltcp the same bursts per loop turn.
    pub drain_egress: bool,
}

impl SmolOptions {
    /// Same segment size as netstack, egress drained.
    pub fn matching(buffers: Buffers) -> SmolOptions {
        SmolOptions {
            ip_mtu: buffers.mss + 40,
            drain_egress: true,
        }
    }
}

fn cidr(a: Ipv4Addr) -> Result<Ipv4Cidr, BenchError> {
    Ipv4Cidr::new(a, 24).map_err(|_| BenchError::Tool(format!("bad address {a}")))
}

fn elapsed_cpu(start: Option<u64>) -> Option<f64> {
    Some(cpu::thread_cpu_ns()?.saturating_sub(start?) as f64 / 1e9)
}

/// Moves `bytes` from one netstack stack to another over a [`VirtualLink`]; fails after
/// `limit` of wall time.
pub fn netstack_pair(bytes: u64, limit: Duration) -> Result<Run, BenchError> {
    const NAME: &str = "netstack -> netstack";
    let pattern = Pattern::new();
    let link = VirtualLink::new(LinkConfig::default());
    let (port_a, count_a) = Counting::new(link.port());
    let (port_b, count_b) = Counting::new(link.port());
    let mut a = Stack::new(StackConfig { random_seed: 1 });
    let mut b = Stack::new(StackConfig { random_seed: 2 });
    a.add_netif(
        NetifConfig::new("a")
            .with_mac(EthernetAddress([2, 0, 0, 0, 0, 1]))
            .with_ipv4(cidr(Ipv4Addr::new(10, 0, 0, 1))?),
        Box::new(port_a),
    )
    .map_err(|e| BenchError::Netstack("add_netif", e))?;
    b.add_netif(
        NetifConfig::new("b")
            .with_mac(EthernetAddress([2, 0, 0, 0, 0, 2]))
            .with_ipv4(cidr(Ipv4Addr::new(10, 0, 0, 2))?),
        Box::new(port_b),
    )
    .map_err(|e| BenchError::Netstack("add_netif", e))?;
    let listener = b
        .tcp_listen(IpEndpoint::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), PORT))
        .map_err(|e| BenchError::Netstack("listen", e))?;

    let mut buf = vec![0u8; APP_BUF];
    let mut checker = Checker::default();
    let (mut sent, mut closed, mut accepted, mut finished) = (0u64, false, None, false);

    let cpu0 = cpu::thread_cpu_ns();
    let start = StdInstant::now();
    let clock = || netstack::time::Instant::from_millis(start.elapsed().as_millis() as u64);
    a.poll(clock());
    let conn = a
        .tcp_connect(
            IpEndpoint::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)), PORT),
            None,
        )
        .map_err(|e| BenchError::Netstack("connect", e))?;
    while !finished {
        let now = clock();
        a.poll(now);
        b.poll(now);
        // The sending application: queue what fits, then close.
        while sent < bytes {
            match a.tcp_send(conn, pattern.chunk(sent, bytes - sent)) {
                Ok(n) => sent += n as u64,
                Err(netstack::Error::WouldBlock) => break,
                Err(e) => return Err(BenchError::Netstack("send", e)),
            }
        }
        if sent == bytes && !closed {
            a.tcp_close(conn)
                .map_err(|e| BenchError::Netstack("close", e))?;
            closed = true;
        }
        // The receiving application: read and check everything there is.
        if accepted.is_none() {
            accepted = b.tcp_accept(listener).ok();
        }
        if let Some(s) = accepted {
            loop {
                match b.tcp_recv(s, &mut buf) {
                    Ok(0) => {
                        finished = true;
                        break;
                    }
                    Ok(n) => checker.feed(&pattern, &buf[..n]),
                    Err(netstack::Error::WouldBlock) => break,
                    Err(e) => return Err(BenchError::Netstack("recv", e)),
                }
            }
        }
        if start.elapsed() > limit {
            return Err(BenchError::Timeout(NAME));
        }
    }
    let wall_secs = start.elapsed().as_secs_f64();
    let cpu_secs = elapsed_cpu(cpu0);
    checker.verdict(NAME, bytes)?;
    Ok(Run {
        name: NAME.into(),
        bytes,
        wall_secs,
        cpu_secs,
        frames: Some(count_a.get().plus(count_b.get())),
    })
}

/// One smoltcp host: an interface on a port of the link, its socket set, one TCP socket.
struct SmolHost {
    device: SmolDevice<Counting<netstack::phy::VirtualPort>>,
    counts: CountsHandle,
    iface: Interface,
    sockets: SocketSet<'static>,
    handle: smoltcp::iface::SocketHandle,
}

impl SmolHost {
    fn new(
        link: &VirtualLink,
        index: u8,
        buffers: Buffers,
        options: SmolOptions,
        now: smoltcp::time::Instant,
    ) -> Result<SmolHost, BenchError> {
        let (port, counts) = Counting::new(link.port());
        let mut device = SmolDevice::new(port, options.ip_mtu);
        let mut config = Config::new(sw::EthernetAddress([2, 0, 0, 0, 0, index]).into());
        config.random_seed = u64::from(index);
        let mut iface = Interface::new(config, &mut device, now);
        let mut pushed = Ok(());
        iface.update_ip_addrs(|addrs| {
            pushed = addrs.push(IpCidr::new(IpAddress::v4(10, 0, 0, index), 24));
        });
        pushed.map_err(|_| BenchError::Smoltcp("address", "table full".into()))?;
        let socket = tcp::Socket::new(
            tcp::SocketBuffer::new(vec![0u8; buffers.window]),
            tcp::SocketBuffer::new(vec![0u8; buffers.send]),
        );
        let mut sockets = SocketSet::new(Vec::new());
        let handle = sockets.add(socket);
        Ok(SmolHost {
            device,
            counts,
            iface,
            sockets,
            handle,
        })
    }

    fn poll(&mut self, now: smoltcp::time::Instant, drain: bool) {
        self.iface.poll(now, &mut self.device, &mut self.sockets);
        if drain {
            while self
                .iface
                .poll_egress(now, &mut self.device, &mut self.sockets)
                == smoltcp::iface::PollResult::SocketStateChanged
            {}
        }
    }

    fn socket(&mut self) -> &mut tcp::Socket<'static> {
        self.sockets.get_mut::<tcp::Socket>(self.handle)
    }
}

/// Moves `bytes` from one smoltcp interface to another over a [`VirtualLink`], with socket
/// buffers of `buffers`; fails after `limit` of wall time.
pub fn smoltcp_pair(
    bytes: u64,
    buffers: Buffers,
    options: SmolOptions,
    limit: Duration,
) -> Result<Run, BenchError> {
    const NAME: &str = "smoltcp -> smoltcp";
    let pattern = Pattern::new();
    let link = VirtualLink::new(LinkConfig::default());
    let start = StdInstant::now();
    let clock = || smoltcp::time::Instant::from_micros(start.elapsed().as_micros() as i64);
    let mut a = SmolHost::new(&link, 1, buffers, options, clock())?;
    let mut b = SmolHost::new(&link, 2, buffers, options, clock())?;
    b.socket()
        .listen(PORT)
        .map_err(|e| BenchError::Smoltcp("listen", e.to_string()))?;

    let mut buf = vec![0u8; APP_BUF];
    let mut checker = Checker::default();
    let (mut sent, mut closed, mut finished) = (0u64, false, false);

    let cpu0 = cpu::thread_cpu_ns();
    let start = StdInstant::now();
    let clock = || smoltcp::time::Instant::from_micros(start.elapsed().as_micros() as i64);
    {
        let cx = a.iface.context();
        let socket = a.sockets.get_mut::<tcp::Socket>(a.handle);
        socket
            .connect(cx, (IpAddress::v4(10, 0, 0, 2), PORT), 49152)
            .map_err(|e| BenchError::Smoltcp("connect", e.to_string()))?;
    }
    while !finished {
        let now = clock();
        a.poll(now, options.drain_egress);
        b.poll(now, options.drain_egress);
        let s = a.socket();
        while sent < bytes {
            match s.send_slice(pattern.chunk(sent, bytes - sent)) {
                Ok(0) => break,
                Ok(n) => sent += n as u64,
                // Not established yet.
                Err(tcp::SendError::InvalidState) => break,
            }
        }
        if sent == bytes && !closed {
            s.close();
            closed = true;
        }
        let s = b.socket();
        loop {
            match s.recv_slice(&mut buf) {
                Ok(0) => break,
                Ok(n) => checker.feed(&pattern, &buf[..n]),
                Err(tcp::RecvError::Finished) => {
                    finished = true;
                    break;
                }
                // Not established yet.
                Err(tcp::RecvError::InvalidState) => break,
            }
        }
        if start.elapsed() > limit {
            return Err(BenchError::Timeout(NAME));
        }
    }
    let wall_secs = start.elapsed().as_secs_f64();
    let cpu_secs = elapsed_cpu(cpu0);
    checker.verdict(NAME, bytes)?;
    if a.device.errors() + b.device.errors() > 0 {
        return Err(BenchError::Tool(format!(
            "smoltcp: {} device errors",
            a.device.errors() + b.device.errors()
        )));
    }
    Ok(Run {
        name: NAME.into(),
        bytes,
        wall_secs,
        cpu_secs,
        frames: Some(a.counts.get().plus(b.counts.get())),
    })
}
