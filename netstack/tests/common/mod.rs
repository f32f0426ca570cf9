//! Shared harness of the simulation tests: stacks on virtual links, a virtual clock, fault
//! injectors with printed seeds.
#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};

use netstack::phy::{FaultConfig, FaultInjector, LinkConfig, VirtualLink, VirtualPort};
use netstack::tcp::{TcpHandle, TcpListenerHandle, TcpState};
use netstack::time::{Duration, Instant};
use netstack::wire::{EthernetAddress, IpEndpoint, Ipv4Cidr};
use netstack::{NetifConfig, NetifId, Stack, StackConfig, UdpHandle};

pub type Port = Arc<Mutex<FaultInjector<VirtualPort>>>;

/// One simulated host.
pub struct Host {
    pub stack: Stack,
    pub netifs: Vec<NetifId>,
    pub ports: Vec<Port>,
}

/// Stacks, links and a virtual clock.
pub struct Sim {
    pub now: Instant,
    pub links: Vec<VirtualLink>,
    pub hosts: Vec<Host>,
}

pub fn ip(a: u8, b: u8, c: u8, d: u8) -> Ipv4Addr {
    Ipv4Addr::new(a, b, c, d)
}

pub fn ep(addr: Ipv4Addr, port: u16) -> IpEndpoint {
    IpEndpoint::new(IpAddr::V4(addr), port)
}

pub fn cidr(addr: Ipv4Addr, len: u8) -> Ipv4Cidr {
    Ipv4Cidr::new(addr, len).expect("valid cidr")
}

/// The seed of a test: `NETSTACK_SEED` if set, else `default`; printed so a failure can be
/// replayed.
pub fn seed(default: u64) -> u64 {
    let seed = std::env::var("NETSTACK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    eprintln!("seed = {seed} (replay with NETSTACK_SEED={seed})");
    seed
}

/// A port of `link` behind a fault injector seeded with `seed` (`faults` off by default).
pub fn fault_port(link: &VirtualLink, seed: u64, faults: FaultConfig) -> Port {
    Arc::new(Mutex::new(FaultInjector::new(link.port(), seed, faults)))
}

/// Something driven on a virtual clock: what [`run_clock_until`] steps.
pub trait Clocked {
    /// The virtual clock.
    fn clock(&mut self) -> &mut Instant;
    /// Polls everything at the current time.
    fn poll_now(&mut self);
    /// The next instant something is due, if anything is.
    fn next_due(&self) -> Option<Instant>;
}

/// Advances the virtual clock of `sim` event by event until `done` holds or `limit` has
/// passed. Returns whether `done` held.
pub fn run_clock_until<C: Clocked>(
    sim: &mut C,
    limit: Duration,
    mut done: impl FnMut(&mut C) -> bool,
) -> bool {
    let end = *sim.clock() + limit;
    loop {
        sim.poll_now();
        if done(sim) {
            return true;
        }
        let now = *sim.clock();
        if now >= end {
            return false;
        }
        *sim.clock() = match sim.next_due() {
            Some(t) if t > now => t.min(end),
            Some(_) => (now + Duration::from_millis(1)).min(end),
            None => end,
        };
    }
}

impl Clocked for Sim {
    fn clock(&mut self) -> &mut Instant {
        &mut self.now
    }
    fn poll_now(&mut self) {
        self.poll_all();
    }
    fn next_due(&self) -> Option<Instant> {
        self.next_event()
    }
}

impl Sim {
    pub fn new(links: usize) -> Sim {
        Sim {
            now: Instant::ZERO,
            links: (0..links)
                .map(|_| {
                    VirtualLink::new(LinkConfig {
                        latency: Duration::from_millis(1),
                        ..LinkConfig::default()
                    })
                })
                .collect(),
            hosts: Vec::new(),
        }
    }

    /// Adds a host with one interface per `(link, address, gateway)`.
    pub fn add_host(
        &mut self,
        seed: u64,
        ifaces: &[(usize, Ipv4Cidr, Option<Ipv4Addr>)],
        faults: FaultConfig,
    ) -> usize {
        let index = self.hosts.len();
        let mut stack = Stack::new(StackConfig { random_seed: seed });
        let mut netifs = Vec::new();
        let mut ports = Vec::new();
        for (i, &(link, addr, gw)) in ifaces.iter().enumerate() {
            let port = fault_port(
                &self.links[link],
                seed.wrapping_mul(31).wrapping_add(i as u64),
                faults,
            );
            let mut cfg = NetifConfig::new(&format!("h{index}e{i}"))
                .with_mac(EthernetAddress([2, 0, 0, 0, index as u8, i as u8]))
                .with_ipv4(addr);
            if let Some(gw) = gw {
                cfg = cfg.with_gateway(gw);
            }
            let id = stack
                .add_netif(cfg, Box::new(port.clone()))
                .expect("add netif");
            netifs.push(id);
            ports.push(port);
        }
        self.hosts.push(Host {
            stack,
            netifs,
            ports,
        });
        index
    }

    pub fn stack(&mut self, host: usize) -> &mut Stack {
        &mut self.hosts[host].stack
    }

    /// Polls every stack at the current time.
    pub fn poll_all(&mut self) {
        for h in &mut self.hosts {
            h.stack.poll(self.now);
        }
    }

    /// The next instant something is due (a stack timer, a frame on a link, a held frame).
    pub fn next_event(&self) -> Option<Instant> {
        let mut next: Option<Instant> = None;
        let mut take = |t: Option<Instant>| {
            if let Some(t) = t {
                next = Some(next.map_or(t, |n| n.min(t)));
            }
        };
        for h in &self.hosts {
            take(h.stack.next_deadline());
            for p in &h.ports {
                take(p.lock().expect("device lock").next_release());
            }
        }
        for l in &self.links {
            take(l.next_delivery());
        }
        next
    }

    /// Advances the virtual clock event by event until `done` holds or `limit` has passed.
    /// Returns whether `done` held.
    pub fn run_until(&mut self, limit: Duration, done: impl FnMut(&mut Sim) -> bool) -> bool {
        run_clock_until(self, limit, done)
    }

    /// Runs until `limit` has passed.
    pub fn run_for(&mut self, limit: Duration) {
        self.run_until(limit, |_| false);
    }

    /// Opens a UDP socket on `host` bound to `port`.
    pub fn udp_bound(&mut self, host: usize, port: u16) -> UdpHandle {
        let s = self.stack(host);
        let h = s.udp_open().expect("open");
        s.udp_bind(h, ep(Ipv4Addr::UNSPECIFIED, port))
            .expect("bind");
        h
    }
}

impl Sim {
    /// A TCP connection from host `client` to a new listener of host `server` on
    /// `to.port`, established on both sides within `limit` of virtual time (else the test
    /// fails): the client's handle, the accepted one, the listener.
    pub fn tcp_connected(
        &mut self,
        (client, server): (usize, usize),
        to: IpEndpoint,
        limit: Duration,
    ) -> (TcpHandle, TcpHandle, TcpListenerHandle) {
        let l = self
            .stack(server)
            .tcp_listen(ep(Ipv4Addr::UNSPECIFIED, to.port))
            .expect("listen");
        let c = self.stack(client).tcp_connect(to, None).expect("connect");
        let mut accepted = None;
        let ok = self.run_until(limit, |s| {
            if accepted.is_none() {
                accepted = s.stack(server).tcp_accept(l).ok();
            }
            accepted.is_some() && s.stack(client).tcp_state(c) == Ok(TcpState::Established)
        });
        assert!(ok, "handshake did not complete");
        let a = accepted.expect("accepted");
        assert_eq!(self.stack(server).tcp_state(a), Ok(TcpState::Established));
        (c, a, l)
    }
}

/// Two hosts, 10.0.0.1/24 and 10.0.0.2/24, on one link with `faults` on both.
pub fn pair(seed: u64, faults: FaultConfig) -> Sim {
    let mut sim = Sim::new(1);
    sim.add_host(seed, &[(0, cidr(ip(10, 0, 0, 1), 24), None)], faults);
    sim.add_host(
        seed ^ 0x5555,
        &[(0, cidr(ip(10, 0, 0, 2), 24), None)],
        faults,
    );
    sim
}
