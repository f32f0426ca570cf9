//! The TCP hook points in simulation: two stacks on a virtual link and a third port that
//! sees every frame. The ISN hook's answer is the SYN's sequence number on the wire; an
//! input hook that drops one connection's segments stalls that connection only; options a
//! product adds are on every segment it sends, cost data instead of packet size, and the
//! peer ignores them.
//!
//! Also the TCP options that these hooks make observable: `tcp_ooseq_timeout` (a hole is
//! made by dropping one segment in the input hook; the ACK that fills it tells whether the
//! data past it was still held) and `tcp_keep_connection_when_ip_changes`.
//!
//! Needs the TCP points called (`default`, the stack's own tests' setting); the ISN test of
//! `hook_tcp_isn = "none"` runs only under that setting (netstack/tests/configs/hooks-none.toml).
// With points compiled out, parts of the harness serve no test.
#![cfg_attr(
    any(
        netstack_hook_tcp_isn = "none",
        netstack_hook_tcp_inpacket_pcb = "none",
        netstack_hook_tcp_out_tcpopt_length = "none",
        netstack_hook_tcp_out_add_tcpopts = "none",
    ),
    allow(dead_code, unused_imports)
)]

use std::net::{IpAddr, Ipv4Addr, SocketAddrV4};

use netstack::hooks::Hooks;
#[cfg(not(netstack_hook_tcp_isn = "none"))]
use netstack::hooks::IsnContext;
#[cfg(not(netstack_hook_tcp_inpacket_pcb = "none"))]
use netstack::hooks::{SegmentVerdict, TcpConnInfo};
use netstack::phy::{Device, LinkConfig, VirtualLink, VirtualPort};
use netstack::tcp::{TcpHandle, TcpListenerHandle, TcpState};
use netstack::time::Instant;
#[cfg(not(netstack_hook_tcp_out_tcpopt_length = "none"))]
use netstack::wire::TcpRepr;
use netstack::wire::{
    EtherType, EthernetAddress, EthernetFrame, IpEndpoint, IpProtocol, Ipv4Cidr, Ipv4Packet,
    TcpOption, TcpOptions, TcpPacket,
};
use netstack::{Error, NetifConfig, NetifId, Stack, StackConfig, config};

/// An experimental option (RFC 6994: kind 253, length 4, ExID 0xABCD) the product adds.
const CUSTOM_OPTION: [u8; 4] = [253, 4, 0xab, 0xcd];

/// Hooks whose answers a test sets and which record what they were called with.
#[derive(Default)]
struct TcpHooks {
    /// `tcp_isn` answers this; `None`: the default (RFC 6528).
    fixed_isn: Option<u32>,
    /// Every `tcp_isn` call: local, remote, answer.
    isn_calls: Vec<(SocketAddrV4, SocketAddrV4, u32)>,
    /// Drop the segments of connections (and listeners) whose peer uses this port.
    drop_remote_port: Option<u16>,
    /// Every `tcp_inpacket_pcb` call: the connection as the hook saw it, and whether the
    /// segment carried [`CUSTOM_OPTION`].
    #[cfg(not(netstack_hook_tcp_inpacket_pcb = "none"))]
    seen: Vec<(TcpConnInfo, bool)>,
    /// Drop segments with these sequence numbers, each this many times.
    drop_seq: Vec<(u32, usize)>,
    /// The acknowledgment numbers of the segments that arrived (in order).
    acks: Vec<u32>,
    /// `tcp_out_tcpopt_length` answers `internal_len` + this.
    extra_options: usize,
    /// Segments `tcp_out_add_tcpopts` wrote [`CUSTOM_OPTION`] into.
    options_written: usize,
}

impl Hooks for TcpHooks {
    #[cfg(not(netstack_hook_tcp_isn = "none"))]
    fn tcp_isn(&mut self, local: SocketAddrV4, remote: SocketAddrV4, isn: &IsnContext<'_>) -> u32 {
        let answer = self.fixed_isn.unwrap_or_else(|| isn.rfc6528(local, remote));
        self.isn_calls.push((local, remote, answer));
        answer
    }

    #[cfg(not(netstack_hook_tcp_inpacket_pcb = "none"))]
    fn tcp_inpacket_pcb(
        &mut self,
        conn: &TcpConnInfo,
        segment: &TcpPacket<&[u8]>,
    ) -> SegmentVerdict {
        let custom = TcpOptions::new(segment.options_slice()).any(|o| {
            matches!(
                o,
                Ok(TcpOption::Unknown {
                    kind: 253,
                    data: [0xab, 0xcd]
                })
            )
        });
        self.seen.push((*conn, custom));
        if segment.ack() {
            self.acks.push(segment.ack_number().0);
        }
        if let Some((_, n)) = self
            .drop_seq
            .iter_mut()
            .find(|(seq, n)| *n > 0 && segment.seq_number().0 == *seq)
        {
            *n -= 1;
            return SegmentVerdict::Drop;
        }
        if Some(conn.remote.port()) == self.drop_remote_port {
            SegmentVerdict::Drop
        } else {
            SegmentVerdict::Accept
        }
    }

    #[cfg(not(netstack_hook_tcp_out_tcpopt_length = "none"))]
    fn tcp_out_tcpopt_length(&mut self, _: &TcpConnInfo, internal_len: usize) -> usize {
        internal_len + self.extra_options
    }

    #[cfg(not(netstack_hook_tcp_out_tcpopt_length = "none"))]
    fn tcp_out_add_tcpopts(&mut self, _: &TcpConnInfo, _: &TcpRepr, options: &mut [u8]) -> usize {
        match options.get_mut(..CUSTOM_OPTION.len()) {
            Some(out) => {
                out.copy_from_slice(&CUSTOM_OPTION);
                self.options_written += 1;
                CUSTOM_OPTION.len()
            }
            None => 0,
        }
    }
}

fn ip(d: u8) -> Ipv4Addr {
    Ipv4Addr::new(10, 0, 0, d)
}

fn ep(addr: Ipv4Addr, port: u16) -> IpEndpoint {
    IpEndpoint::new(IpAddr::V4(addr), port)
}

/// A TCP segment seen on the wire.
struct Seen {
    src: Ipv4Addr,
    seq: u32,
    syn: bool,
    header_len: usize,
    payload_len: usize,
    custom: bool,
    sack_blocks: usize,
}

/// Stack A (10.0.0.1) and B (10.0.0.2), both with [`TcpHooks`], and a sniffer.
struct Net {
    a: Stack<TcpHooks>,
    b: Stack<TcpHooks>,
    b_if: NetifId,
    sniffer: VirtualPort,
    now: u64,
}

impl Net {
    fn new() -> Net {
        let link = VirtualLink::new(LinkConfig::default());
        let host = |n: u8| {
            let mut s = Stack::with_hooks(
                StackConfig {
                    random_seed: u64::from(n),
                },
                TcpHooks::default(),
            );
            let id = s
                .add_netif(
                    NetifConfig::new("eth0")
                        .with_mac(EthernetAddress([2, 0, 0, 0, 0, n]))
                        .with_ipv4(Ipv4Cidr::new(ip(n), 24).expect("prefix")),
                    Box::new(link.port()),
                )
                .expect("netif");
            (s, id)
        };
        let ((a, _), (b, b_if)) = (host(1), host(2));
        let mut net = Net {
            a,
            b,
            b_if,
            sniffer: link.port(),
            now: 1000,
        };
        net.run(1); // the stacks' clocks start at their first poll
        net
    }

    fn run(&mut self, ms: u64) {
        for _ in 0..ms {
            self.now += 1;
            let now = Instant::from_millis(self.now);
            self.a.poll(now);
            self.b.poll(now);
        }
    }

    /// Runs until `done` (at most `ms` milliseconds); whether it happened.
    fn run_until(&mut self, ms: u64, mut done: impl FnMut(&mut Net) -> bool) -> bool {
        for _ in 0..ms {
            if done(self) {
                return true;
            }
            self.run(1);
        }
        done(self)
    }

    /// The TCP segments on the wire since the last call.
    fn wire(&mut self) -> Vec<Seen> {
        let mut out = Vec::new();
        let mut buf = [0u8; 1600];
        let now = Instant::from_millis(self.now);
        while let Ok(Some(n)) = self.sniffer.receive(&mut buf, now) {
            let Ok(frame) = EthernetFrame::new_checked(&buf[..n]) else {
                continue;
            };
            if frame.ethertype() != EtherType::Ipv4 {
                continue;
            }
            let Ok(packet) = Ipv4Packet::new_checked(frame.payload_slice()) else {
                continue;
            };
            if packet.protocol() != IpProtocol::Tcp {
                continue;
            }
            let Ok(tcp) = TcpPacket::new_checked(packet.payload_slice()) else {
                continue;
            };
            let custom = TcpOptions::new(tcp.options_slice())
                .any(|o| matches!(o, Ok(TcpOption::Unknown { kind: 253, .. })));
            let sack_blocks = TcpOptions::new(tcp.options_slice())
                .filter_map(|o| match o {
                    Ok(TcpOption::SackRange(blocks)) => Some(blocks.iter().flatten().count()),
                    _ => None,
                })
                .sum();
            out.push(Seen {
                src: packet.src_addr(),
                seq: tcp.seq_number().0,
                syn: tcp.syn(),
                header_len: tcp.header_len(),
                payload_len: tcp.payload_slice().len(),
                custom,
                sack_blocks,
            });
        }
        out
    }

    /// A connection from A to a listener of B on port 80: (A's handle, B's handle).
    fn connect(&mut self, l: TcpListenerHandle) -> Option<(TcpHandle, TcpHandle)> {
        let c = self.a.tcp_connect(ep(ip(2), 80), None).expect("connect");
        let mut accepted = None;
        let ok = self.run_until(3000, |n| {
            if accepted.is_none() {
                accepted = n.b.tcp_accept(l).ok();
            }
            accepted.is_some() && n.a.tcp_state(c) == Ok(TcpState::Established)
        });
        ok.then(|| (c, accepted.expect("accepted")))
    }

    /// Sends `data` from A on `c` and reads it at B on `s` until all arrived (or `ms` pass).
    fn transfer(&mut self, c: TcpHandle, s: TcpHandle, data: &[u8], ms: u64) -> Vec<u8> {
        let mut sent = 0;
        let mut got = Vec::new();
        let mut buf = vec![0u8; 4096];
        self.run_until(ms, |n| {
            if sent < data.len() {
                sent += n.a.tcp_send(c, &data[sent..]).unwrap_or(0);
            }
            while let Ok(k) = n.b.tcp_recv(s, &mut buf) {
                if k == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..k]);
            }
            got.len() == data.len()
        });
        got
    }

    /// Reads from B's `s` until `len` bytes arrived (or `ms` pass).
    fn receive(&mut self, s: TcpHandle, len: usize, ms: u64) -> Vec<u8> {
        let mut got = Vec::new();
        let mut buf = vec![0u8; 4096];
        self.run_until(ms, |n| {
            while let Ok(k) = n.b.tcp_recv(s, &mut buf) {
                if k == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..k]);
            }
            got.len() >= len
        });
        got
    }
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

#[cfg(not(netstack_hook_tcp_isn = "none"))]
#[test]
fn isn_hook_answer_is_the_syn_sequence_number() {
    let mut net = Net::new();
    net.a.hooks_mut().fixed_isn = Some(0x1234_5678);
    let l = net
        .b
        .tcp_listen(ep(Ipv4Addr::UNSPECIFIED, 80))
        .expect("listen");
    let (c, s) = net.connect(l).expect("handshake");
    let syns: Vec<Seen> = net.wire().into_iter().filter(|s| s.syn).collect();
    assert_eq!(syns.len(), 2, "SYN and SYN-ACK");
    let a_syn = syns.iter().find(|s| s.src == ip(1)).expect("A's SYN");
    assert_eq!(a_syn.seq, 0x1234_5678, "the hook's ISN is on the wire");
    // A's hook was called once, at connect, with the connection's endpoints.
    let local = net.a.tcp_local_endpoint(c).expect("endpoint");
    let calls = &net.a.hooks().isn_calls;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].0, SocketAddrV4::new(ip(1), local.port));
    assert_eq!(calls[0].1, SocketAddrV4::new(ip(2), 80));
    // B's hook ran for the SYN its listener accepted; it returned the default (RFC 6528
    // from the stack's key), and that is B's SYN-ACK sequence number.
    let b_calls = &net.b.hooks().isn_calls;
    assert_eq!(b_calls.len(), 1);
    assert_eq!(b_calls[0].0, SocketAddrV4::new(ip(2), 80));
    assert_eq!(b_calls[0].1, SocketAddrV4::new(ip(1), local.port));
    let b_syn = syns.iter().find(|s| s.src == ip(2)).expect("B's SYN-ACK");
    assert_eq!(b_syn.seq, b_calls[0].2);
    // The sequence space starts there: data flows.
    let data = pattern(5000);
    assert_eq!(net.transfer(c, s, &data, 5000), data);
}

#[cfg(not(netstack_hook_tcp_isn = "none"))]
#[test]
fn default_isn_differs_per_connection_and_port() {
    let mut net = Net::new();
    let l = net
        .b
        .tcp_listen(ep(Ipv4Addr::UNSPECIFIED, 80))
        .expect("listen");
    net.connect(l).expect("first");
    net.connect(l).expect("second");
    let calls = &net.a.hooks().isn_calls;
    assert_eq!(calls.len(), 2);
    assert_ne!(calls[0].0.port(), calls[1].0.port());
    // RFC 6528: the keyed hash of different 4-tuples is not the 4 µs clock apart.
    assert_ne!(calls[1].2.wrapping_sub(calls[0].2) % 250, 0);
}

/// `hook_tcp_isn = "none"`: no call; the ISN is a 4 µs clock (250 per ms) from a random
/// start, the same for every 4-tuple.
#[cfg(netstack_hook_tcp_isn = "none")]
#[test]
fn without_the_isn_hook_the_isn_is_a_clock() {
    let mut net = Net::new();
    let l = net
        .b
        .tcp_listen(ep(Ipv4Addr::UNSPECIFIED, 80))
        .expect("listen");
    let t1 = net.now;
    net.connect(l).expect("first");
    let first = net
        .wire()
        .into_iter()
        .find(|s| s.syn && s.src == ip(1))
        .expect("SYN");
    net.run(100);
    let t2 = net.now;
    net.connect(l).expect("second");
    let second = net
        .wire()
        .into_iter()
        .find(|s| s.syn && s.src == ip(1))
        .expect("SYN");
    let expected = ((t2 - t1) as u32).wrapping_mul(250);
    assert_eq!(second.seq.wrapping_sub(first.seq), expected);
    assert!(net.a.hooks().isn_calls.is_empty());
}

#[cfg(not(netstack_hook_tcp_inpacket_pcb = "none"))]
#[test]
fn inpacket_hook_dropping_one_connection_stalls_only_that_one() {
    let mut net = Net::new();
    let l = net
        .b
        .tcp_listen(ep(Ipv4Addr::UNSPECIFIED, 80))
        .expect("listen");
    let (c1, s1) = net.connect(l).expect("first");
    let (c2, s2) = net.connect(l).expect("second");
    // The hook saw B's connections with their endpoints, state and handle.
    let port2 = net.a.tcp_local_endpoint(c2).expect("endpoint").port;
    let seen = &net.b.hooks().seen;
    let listen = seen
        .iter()
        .find(|(i, _)| i.state == TcpState::Listen && i.remote.port() == port2)
        .expect("the SYN reached the listener's hook");
    assert_eq!(listen.0.local, SocketAddrV4::new(ip(2), 80));
    assert_eq!(listen.0.handle, None);
    assert!(
        seen.iter()
            .any(|(i, _)| i.handle == Some(s2) && i.state == TcpState::SynReceived),
        "the handshake's ACK was seen by the new connection"
    );

    net.b.hooks_mut().drop_remote_port = Some(port2);
    let dropped_before = net.b.stats().tcp.drop_policy;
    let data = pattern(3000);
    assert_eq!(
        net.transfer(c1, s1, &data, 3000),
        data,
        "the other connection works"
    );
    // What fits the send buffer at once, so that it is all queued while dropped.
    let data = &data[..data.len().min(config::TCP_SND_BUF_DEFAULT)];
    let stalled = net.transfer(c2, s2, data, 3000);
    assert!(
        stalled.is_empty(),
        "every segment of the second connection was dropped"
    );
    assert!(net.b.stats().tcp.drop_policy > dropped_before);
    assert_eq!(net.b.tcp_state(s2), Ok(TcpState::Established));
    assert!(
        net.b
            .hooks()
            .seen
            .iter()
            .any(|(i, _)| i.handle == Some(s2) && i.state == TcpState::Established)
    );

    // Accepting again: the retransmissions get through.
    net.b.hooks_mut().drop_remote_port = None;
    assert_eq!(net.receive(s2, data.len(), 20_000), data);
}

#[cfg(not(netstack_hook_tcp_inpacket_pcb = "none"))]
#[test]
fn inpacket_hook_dropping_syns_keeps_a_connection_from_opening() {
    let mut net = Net::new();
    let l = net
        .b
        .tcp_listen(ep(Ipv4Addr::UNSPECIFIED, 80))
        .expect("listen");
    let c = net
        .a
        .tcp_connect(ep(ip(2), 80), Some(ep(ip(1), 4444)))
        .expect("connect");
    net.b.hooks_mut().drop_remote_port = Some(4444);
    net.run(2000);
    assert_eq!(net.a.tcp_state(c), Ok(TcpState::SynSent));
    assert!(net.b.tcp_accept(l).is_err());
    assert!(net.b.stats().tcp.drop_policy >= 1);
}

#[cfg(not(any(
    netstack_hook_tcp_out_tcpopt_length = "none",
    netstack_hook_tcp_out_add_tcpopts = "none",
    netstack_hook_tcp_inpacket_pcb = "none",
)))]
#[test]
fn product_options_are_on_every_segment_and_the_peer_ignores_them() {
    let mut net = Net::new();
    net.a.hooks_mut().extra_options = CUSTOM_OPTION.len();
    let l = net
        .b
        .tcp_listen(ep(Ipv4Addr::UNSPECIFIED, 80))
        .expect("listen");
    let (c, s) = net.connect(l).expect("handshake");
    let data = pattern(40_000);
    assert_eq!(
        net.transfer(c, s, &data, 20_000),
        data,
        "B ignores the unknown option"
    );
    net.run(1000);
    let wire = net.wire();
    let from_a: Vec<&Seen> = wire.iter().filter(|s| s.src == ip(1)).collect();
    assert!(from_a.len() > 10);
    assert!(
        from_a.iter().all(|s| s.custom),
        "every segment of A carries the option"
    );
    assert!(wire.iter().filter(|s| s.src == ip(2)).all(|s| !s.custom));
    assert_eq!(net.a.hooks().options_written, from_a.len());
    // B's input hook reads the option from A's segments.
    assert!(
        net.b
            .hooks()
            .seen
            .iter()
            .filter(|(i, _)| i.state != TcpState::Listen)
            .all(|(_, c)| *c)
    );
    // The option's room comes out of the data: full segments carry 4 bytes less than the
    // MSS, so the packets are as large as without the option.
    let mss = usize::from(config::TCP_MSS).min(1460);
    let largest = from_a.iter().map(|s| s.payload_len).max().unwrap_or(0);
    assert_eq!(largest, mss - CUSTOM_OPTION.len());
}

#[cfg(not(any(
    netstack_hook_tcp_out_tcpopt_length = "none",
    netstack_hook_tcp_out_add_tcpopts = "none",
)))]
#[test]
fn asking_for_more_than_40_option_bytes_is_clamped() {
    let mut net = Net::new();
    net.a.hooks_mut().extra_options = 100;
    let l = net
        .b
        .tcp_listen(ep(Ipv4Addr::UNSPECIFIED, 80))
        .expect("listen");
    let (c, s) = net.connect(l).expect("handshake despite the clamp");
    let data = pattern(10_000);
    assert_eq!(net.transfer(c, s, &data, 20_000), data);
    let wire = net.wire();
    let from_a: Vec<&Seen> = wire.iter().filter(|s| s.src == ip(1)).collect();
    assert!(
        from_a.iter().all(|s| s.header_len == 60),
        "options filled to 40 bytes exactly"
    );
    assert!(from_a.iter().all(|s| s.custom));
}

/// Sends two full segments from A (ISN 1000, so the data starts at 1001) while B's input
/// hook drops the first one: once, or every copy for `hold_ms`. Returns the first
/// acknowledgment B sends past 1001 once the hole is filled, and the segment size.
#[cfg(not(netstack_hook_tcp_inpacket_pcb = "none"))]
fn ack_filling_a_hole(hold_ms: Option<u64>) -> (u32, u32) {
    let mut net = Net::new();
    net.a.hooks_mut().fixed_isn = Some(1000);
    let l = net
        .b
        .tcp_listen(ep(Ipv4Addr::UNSPECIFIED, 80))
        .expect("listen");
    let (c, s) = net.connect(l).expect("handshake");
    let mss = u32::from(config::TCP_MSS).min(1460);
    let data = pattern(2 * mss as usize);
    net.b.hooks_mut().drop_seq = vec![(1001, if hold_ms.is_some() { usize::MAX } else { 1 })];
    let sent = net.a.tcp_send(c, &data).expect("send");
    assert_eq!(sent, data.len());
    if let Some(ms) = hold_ms {
        net.run(ms);
        net.b.hooks_mut().drop_seq.clear();
    }
    assert_eq!(net.receive(s, data.len(), 60_000), data);
    net.run(10);
    let ack = net
        .a
        .hooks()
        .acks
        .iter()
        .copied()
        .find(|&a| a > 1001)
        .expect("an ACK past the hole");
    (ack, mss)
}

/// `tcp_ooseq_timeout`: data past a hole is held while the hole is filled in time, and
/// given up when no segment arrived for `tcp_ooseq_timeout` × RTO, the RTO taken as at
/// least `tcp_rto_time` (B's own estimate is the 200 ms minimum: the connection's RTT is
/// about a millisecond, and B sends no data of its own).
#[cfg(not(netstack_hook_tcp_inpacket_pcb = "none"))]
#[test]
fn out_of_order_data_is_held_for_tcp_ooseq_timeout_rtos() {
    let rto = 200u64.max(u64::from(config::TCP_RTO_TIME));
    let lifetime = rto * u64::from(config::TCP_OOSEQ_TIMEOUT);
    if config::TCP_QUEUE_OOSEQ && lifetime > 300 {
        // A's first retransmission (one RTO, 200 ms, later) fills the hole in time: the
        // ACK covers both segments.
        let (ack, mss) = ack_filling_a_hole(None);
        assert_eq!(ack, 1001 + 2 * mss, "held data acknowledged with the hole");
    }
    // Every copy of the first segment is lost until well past the lifetime: the held
    // segment is given up, and the ACK covers only the first (without tcp_queue_ooseq
    // nothing is ever held).
    let (ack, mss) = ack_filling_a_hole(Some(lifetime + 300));
    assert_eq!(ack, 1001 + mss, "held data given up after the lifetime");
}

/// `tcp_keep_connection_when_ip_changes` off (lwIP, ESP-IDF's default): a new address
/// aborts the connections bound to the old one (resetting the peer), and listeners bound to
/// it move to the new one.
#[test]
fn a_new_address_aborts_connections_bound_to_the_old_one() {
    let mut net = Net::new();
    let l = net
        .b
        .tcp_listen(ep(Ipv4Addr::UNSPECIFIED, 80))
        .expect("listen");
    let bound = net
        .b
        .tcp_listen(ep(ip(2), 81))
        .expect("listen on the address");
    let (c, s) = net.connect(l).expect("handshake");
    let b_if = net.b_if;
    net.b
        .set_ipv4(b_if, Some(Ipv4Cidr::new(ip(3), 24).expect("prefix")))
        .expect("new address");
    assert_eq!(net.b.tcp_state(s), Ok(TcpState::Closed));
    assert_eq!(net.b.tcp_take_error(s), Ok(Some(Error::AddrNotAvailable)));
    net.run(20);
    assert_eq!(net.a.tcp_state(c), Ok(TcpState::Closed), "A got the reset");
    assert_eq!(net.a.tcp_take_error(c), Ok(Some(Error::ConnectionReset)));
    assert_eq!(
        net.b.tcp_listener_endpoint(bound),
        Ok(ep(ip(3), 81)),
        "the listener follows the address"
    );
    // New connections reach the new address.
    let c2 = net.a.tcp_connect(ep(ip(3), 81), None).expect("connect");
    net.run(100);
    assert_eq!(net.a.tcp_state(c2), Ok(TcpState::Established));
    assert!(net.b.tcp_accept(bound).is_ok());
}

/// Removing the address and giving it back: connections bound to it are aborted, unless
/// `tcp_keep_connection_when_ip_changes` is on, when they carry on once it is back (data
/// sent meanwhile is retransmitted).
#[test]
fn an_address_that_comes_back_keeps_connections_only_with_the_option() {
    let mut net = Net::new();
    let l = net
        .b
        .tcp_listen(ep(Ipv4Addr::UNSPECIFIED, 80))
        .expect("listen");
    let (c, s) = net.connect(l).expect("handshake");
    let b_if = net.b_if;
    net.b.set_ipv4(b_if, None).expect("remove");
    let data = pattern(3000);
    let sent = net.a.tcp_send(c, &data).expect("send");
    net.run(500);
    net.b
        .set_ipv4(b_if, Some(Ipv4Cidr::new(ip(2), 24).expect("prefix")))
        .expect("back");
    if config::TCP_KEEP_CONNECTION_WHEN_IP_CHANGES {
        assert_eq!(net.b.tcp_state(s), Ok(TcpState::Established));
        let got = net.receive(s, sent, 20_000);
        assert_eq!(got, &data[..sent], "the connection resumed");
    } else {
        assert_eq!(net.b.tcp_state(s), Ok(TcpState::Closed));
        assert_eq!(net.b.tcp_take_error(s), Ok(Some(Error::AddrNotAvailable)));
    }
}

/// SACK blocks give way to the product's options: a receiver with a hole (its input hook
/// drops one segment) whose options leave room for one block sends at most one, with its
/// own option on every segment. Runs where SACK blocks are sent (`tcp_sack_out`, e.g. the
/// max-throughput preset).
#[cfg(not(any(
    netstack_hook_tcp_out_tcpopt_length = "none",
    netstack_hook_tcp_out_add_tcpopts = "none",
    netstack_hook_tcp_inpacket_pcb = "none",
)))]
#[test]
fn sack_blocks_give_way_to_product_options() {
    if !(config::TCP_SACK_OUT && config::TCP_QUEUE_OOSEQ) {
        return;
    }
    let mut net = Net::new();
    // Timestamps (12) + 16 of the product's leave 12 bytes: one SACK block (NOP, NOP, 10).
    net.a.hooks_mut().extra_options = 16;
    net.b.hooks_mut().fixed_isn = Some(5000);
    let l = net
        .b
        .tcp_listen(ep(Ipv4Addr::UNSPECIFIED, 80))
        .expect("listen");
    let (c, s) = net.connect(l).expect("handshake");
    // B sends to A; A loses B's first and third data segments once: two holes, whose two
    // SACK blocks (with timestamps 32 bytes) would not fit beside 16 bytes of A's own.
    let mss = usize::from(config::TCP_MSS).min(1460);
    let third = 5001 + 2 * u32::try_from(mss).unwrap_or(0);
    net.a.hooks_mut().drop_seq = vec![(5001, 1), (third, 1)];
    let data = pattern(8 * mss);
    let mut sent = 0;
    let mut got = Vec::new();
    let mut buf = vec![0u8; 4096];
    net.run_until(30_000, |n| {
        if sent < data.len() {
            sent += n.b.tcp_send(s, &data[sent..]).unwrap_or(0);
        }
        while let Ok(k) = n.a.tcp_recv(c, &mut buf) {
            if k == 0 {
                break;
            }
            got.extend_from_slice(&buf[..k]);
        }
        got.len() == data.len()
    });
    assert_eq!(got, data);
    let wire = net.wire();
    let from_a: Vec<&Seen> = wire.iter().filter(|s| s.src == ip(1)).collect();
    assert!(from_a.iter().all(|s| s.custom && s.header_len <= 60));
    assert!(
        from_a.iter().any(|s| s.sack_blocks == 1),
        "the hole was reported"
    );
    assert!(
        from_a.iter().all(|s| s.sack_blocks <= 1),
        "no room for more"
    );
}
