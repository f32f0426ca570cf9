//! The `memp_available` hook point: a bounded table (TCP connections, TCP listeners, UDP
//! control blocks, an interface's multicast groups, socket descriptors) that was full calls
//! it once when a slot is released, and only then.
//!
//! The point is `none` by default; `netstack/tests/configs/all-features.toml` selects
//! `default`, and `scripts/test.sh` runs this file under it. Elsewhere it is skipped.
#![cfg(not(netstack_hook_memp_available = "none"))]

mod common;

use std::sync::{Arc, Mutex};

use common::{cidr, ep, ip};
use netstack::api::sockets::{AF_INET, SOCK_STREAM};
use netstack::api::{Errno, NetStack};
use netstack::hooks::{Hooks, Pool};
use netstack::phy::{FaultConfig, FaultInjector, LinkConfig, VirtualLink};
use netstack::tcp::TcpHandle;
use netstack::time::{Duration, Instant};
use netstack::wire::{EthernetAddress, Ipv4Addr};
use netstack::{Error, NetifConfig, NetifId, Stack, StackConfig, config};

/// Every pool the hook was told about, in order (shared, so a stack moved into the TCP/IP
/// thread can be watched too).
#[derive(Clone, Default)]
struct Recorder {
    calls: Arc<Mutex<Vec<Pool>>>,
}

impl Recorder {
    fn take(&self) -> Vec<Pool> {
        std::mem::take(&mut *self.calls.lock().expect("calls"))
    }
}

impl Hooks for Recorder {
    fn memp_available(&mut self, pool: Pool) {
        self.calls.lock().expect("calls").push(pool);
    }
}

/// A stack with one Ethernet interface, 10.0.0.1/24, on a link where nobody answers (so
/// connections stay in SYN-SENT).
fn stack() -> (Stack<Recorder>, NetifId, Recorder, VirtualLink) {
    let link = VirtualLink::new(LinkConfig::default());
    let port = Box::new(Arc::new(Mutex::new(FaultInjector::new(
        link.port(),
        1,
        FaultConfig::default(),
    ))));
    let recorder = Recorder::default();
    let mut s = Stack::with_hooks(StackConfig { random_seed: 3 }, recorder.clone());
    let n = s
        .add_netif(
            NetifConfig::new("a")
                .with_mac(EthernetAddress([2, 0, 0, 0, 0, 1]))
                .with_ipv4(cidr(ip(10, 0, 0, 1), 24)),
            port,
        )
        .expect("netif");
    (s, n, recorder, link)
}

/// A connection attempt to 10.0.0.2 (it stays in SYN-SENT: nothing answers).
fn connect(s: &mut Stack<Recorder>, port: u16) -> Result<TcpHandle, Error> {
    s.tcp_connect(ep(ip(10, 0, 0, 2), port), None)
}

/// Opens connections until the table is full; their handles.
fn fill_connections(s: &mut Stack<Recorder>, open: &mut Vec<TcpHandle>, next_port: &mut u16) {
    while open.len() < config::MAX_ACTIVE_TCP {
        *next_port += 1;
        open.push(connect(s, *next_port).expect("a free connection slot"));
    }
}

#[test]
fn tcp_connections() {
    let (mut s, _n, rec, _link) = stack();
    let mut open = Vec::new();
    let mut port = 1000;

    // Never full: releasing does not call the hook.
    for _ in 1..config::MAX_ACTIVE_TCP {
        port += 1;
        open.push(connect(&mut s, port).expect("connect"));
    }
    let h = open.pop().expect("one");
    s.tcp_abort(h).expect("abort");
    assert_eq!(rec.take(), [], "the table was never full");

    // Full, and one more refused: the first release calls it once, the next ones not.
    fill_connections(&mut s, &mut open, &mut port);
    assert_eq!(connect(&mut s, 1).err(), Some(Error::PoolExhausted));
    assert_eq!(rec.take(), [], "a refusal alone is not a call");
    s.tcp_abort(open.pop().expect("one")).expect("abort");
    assert_eq!(rec.take(), [Pool::TcpPcb]);
    s.tcp_close(open.pop().expect("one")).expect("close");
    assert_eq!(rec.take(), [], "the table already had room");

    // Full again (no refusal this time, as lwIP: a pool that ran out got an element back):
    // called again, through `tcp_close` of a SYN-SENT connection this time.
    fill_connections(&mut s, &mut open, &mut port);
    s.tcp_close(open.pop().expect("one")).expect("close");
    assert_eq!(rec.take(), [Pool::TcpPcb]);

    for h in open.drain(..) {
        s.tcp_abort(h).expect("abort");
    }
    assert_eq!(rec.take(), []);
}

/// Runs both stacks for `ms` milliseconds of virtual time from `*now`, in 5 ms steps.
fn run(a: &mut Stack<Recorder>, b: &mut Stack, now: &mut Instant, ms: u64) {
    for _ in 0..ms / 5 {
        *now += Duration::from_millis(5);
        a.poll(*now);
        b.poll(*now);
    }
}

#[test]
fn tcp_connection_freed_by_a_timer() {
    let (mut a, _na, rec, link) = stack();
    let port = Box::new(Arc::new(Mutex::new(FaultInjector::new(
        link.port(),
        2,
        FaultConfig::default(),
    ))));
    let mut b = Stack::new(StackConfig { random_seed: 4 });
    b.add_netif(
        NetifConfig::new("b")
            .with_mac(EthernetAddress([2, 0, 0, 0, 0, 2]))
            .with_ipv4(cidr(ip(10, 0, 0, 2), 24)),
        port,
    )
    .expect("netif");
    let mut now = Instant::ZERO;
    let listener = a.tcp_listen(ep(Ipv4Addr::UNSPECIFIED, 80)).expect("listen");
    // Every connection slot of `a` holds an accepted connection.
    let mut accepted = Vec::new();
    let mut clients = Vec::new();
    while accepted.len() < config::MAX_ACTIVE_TCP {
        clients.push(
            b.tcp_connect(ep(ip(10, 0, 0, 1), 80), None)
                .expect("connect"),
        );
        run(&mut a, &mut b, &mut now, 50);
        accepted.push(a.tcp_accept(listener).expect("accepted"));
    }
    assert_eq!(
        a.tcp_connect(ep(ip(10, 0, 0, 2), 7), None).err(),
        Some(Error::PoolExhausted)
    );
    // `a` closes one (it waits in TIME-WAIT once `b` closes too); `b` closes all of its
    // ends, so the others wait in CLOSE-WAIT for `a`'s application. Only the TIME-WAIT one
    // is freed, by `a`'s timer, 2 MSL later: one call.
    a.tcp_close(accepted.remove(0)).expect("close");
    for h in clients.drain(..) {
        b.tcp_close(h).expect("close");
    }
    run(&mut a, &mut b, &mut now, 1000);
    assert_eq!(rec.take(), [], "still in TIME-WAIT");
    run(
        &mut a,
        &mut b,
        &mut now,
        2 * u64::from(config::TCP_MSL) + 1000,
    );
    assert_eq!(rec.take(), [Pool::TcpPcb]);
    for h in accepted {
        a.tcp_abort(h).expect("abort");
    }
    assert_eq!(rec.take(), []);
}

#[test]
fn tcp_listeners() {
    let (mut s, _n, rec, _link) = stack();
    let mut listeners = Vec::new();
    for port in 1..config::MAX_LISTENING_TCP as u16 {
        listeners.push(
            s.tcp_listen(ep(Ipv4Addr::UNSPECIFIED, port))
                .expect("listen"),
        );
    }
    if let Some(l) = listeners.pop() {
        s.tcp_listener_close(l).expect("close");
    }
    assert_eq!(rec.take(), [], "never full");
    for round in 0..2u16 {
        let mut port = 100 * (round + 1);
        while listeners.len() < config::MAX_LISTENING_TCP {
            port += 1;
            listeners.push(
                s.tcp_listen(ep(Ipv4Addr::UNSPECIFIED, port))
                    .expect("listen"),
            );
        }
        assert_eq!(
            s.tcp_listen(ep(Ipv4Addr::UNSPECIFIED, 60000)).err(),
            Some(Error::PoolExhausted)
        );
        s.tcp_listener_close(listeners.remove(0)).expect("close");
        assert_eq!(rec.take(), [Pool::TcpPcbListen], "round {round}");
    }
    for l in listeners.drain(..) {
        s.tcp_listener_close(l).expect("close");
    }
    assert_eq!(rec.take(), []);
}

#[test]
fn udp_control_blocks() {
    let (mut s, _n, rec, _link) = stack();
    let mut open = Vec::new();
    while open.len() + 1 < config::MAX_UDP_PCBS {
        open.push(s.udp_open().expect("udp"));
    }
    if let Some(h) = open.pop() {
        s.udp_close(h).expect("close");
    }
    assert_eq!(rec.take(), [], "never full");
    for round in 0..2 {
        while open.len() < config::MAX_UDP_PCBS {
            open.push(s.udp_open().expect("udp"));
        }
        assert_eq!(s.udp_open().err(), Some(Error::PoolExhausted));
        s.udp_close(open.remove(0)).expect("close");
        assert_eq!(rec.take(), [Pool::UdpPcb], "round {round}");
        // A stale handle frees nothing.
        assert!(s.udp_close(open[0]).is_ok());
        assert!(s.udp_close(open[0]).is_err());
        open.remove(0);
        assert_eq!(rec.take(), []);
    }
}

#[test]
fn multicast_groups_of_an_interface() {
    let (mut s, n, rec, _link) = stack();
    let group = |i: usize| Ipv4Addr::new(239, 1, 2, u8::try_from(i % 250).unwrap_or(0) + 1);
    // Join until the interface's table is full.
    let mut joined = 0;
    while s.join_multicast(n, group(joined)).is_ok() {
        joined += 1;
        assert!(joined < 1000, "the table is bounded");
    }
    assert_eq!(
        joined,
        config::MEMP_NUM_IGMP_GROUP - 1,
        "224.0.0.1 takes one"
    );
    if joined == 0 {
        return;
    }
    // A second reference to a group: leaving once keeps it, so no room yet.
    s.join_multicast(n, group(0))
        .expect("second join of a member");
    s.leave_multicast(n, group(0)).expect("leave");
    assert_eq!(rec.take(), []);
    s.leave_multicast(n, group(0)).expect("leave");
    assert_eq!(rec.take(), [Pool::IgmpGroup(n)]);
    // The group retransmitting its leave gives its slot to a new join: full again.
    s.join_multicast(n, group(0)).expect("rejoin");
    assert_eq!(
        s.join_multicast(n, Ipv4Addr::new(239, 9, 9, 9)).err(),
        Some(Error::PoolExhausted)
    );
    s.leave_multicast(n, group(joined - 1)).expect("leave");
    assert_eq!(rec.take(), [Pool::IgmpGroup(n)]);
    for i in 0..joined - 1 {
        s.leave_multicast(n, group(i)).expect("leave");
    }
    assert_eq!(rec.take(), [], "the table had room");
}

#[test]
fn socket_descriptors() {
    let rec = Recorder::default();
    let ns = NetStack::start(Stack::with_hooks(
        StackConfig { random_seed: 4 },
        rec.clone(),
    ))
    .expect("tcpip thread");
    let mut fds = Vec::new();
    while fds.len() + 1 < config::MAX_SOCKETS {
        fds.push(ns.socket(AF_INET, SOCK_STREAM, 0).expect("socket"));
    }
    if let Some(fd) = fds.pop() {
        ns.close(fd).expect("close");
    }
    assert_eq!(rec.take(), [], "never full");
    for round in 0..2 {
        while fds.len() < config::MAX_SOCKETS {
            fds.push(ns.socket(AF_INET, SOCK_STREAM, 0).expect("socket"));
        }
        assert_eq!(ns.socket(AF_INET, SOCK_STREAM, 0), Err(Errno::ENFILE));
        ns.close(fds.remove(0)).expect("close");
        assert_eq!(rec.take(), [Pool::Netconn], "round {round}");
        ns.close(fds.remove(0)).expect("close");
        assert_eq!(rec.take(), []);
    }
    for fd in fds {
        ns.close(fd).expect("close");
    }
    assert_eq!(rec.take(), []);
}

#[test]
fn pool_indexes_and_names() {
    let (_s, n, _rec, _link) = stack();
    let pools = [
        Pool::TcpPcb,
        Pool::TcpPcbListen,
        Pool::UdpPcb,
        Pool::IgmpGroup(n),
        Pool::Netconn,
    ];
    for (i, p) in pools.iter().enumerate() {
        assert_eq!(p.index(), i);
        assert!(p.lwip_name().starts_with("MEMP_"));
    }
    assert_eq!(pools.len(), Pool::COUNT);
}
