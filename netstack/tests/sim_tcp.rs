//! TCP in simulation: two stacks on a virtual link with a virtual clock. The handshake and
//! every state transition (simultaneous open and close, resets, refused connections),
//! zero windows, keepalive and retransmission exhaustion, and bulk transfers checked with
//! SHA-256 under loss, reordering, duplication and corruption (seeds printed).

mod common;

use std::net::Ipv4Addr;

use common::{Sim, ep, ip, pair, seed};
use netstack::Error;
use netstack::config;
use netstack::phy::{FaultConfig, Faults};
use netstack::tcp::{KeepAlive, Shutdown, TcpHandle, TcpListenerHandle, TcpState};
use netstack::time::Duration;
use sha2::{Digest, Sha256};

const CLIENT: usize = 0;
const SERVER: usize = 1;

fn server_addr() -> Ipv4Addr {
    ip(10, 0, 0, 2)
}

/// A connection from host 0 to a listener on host 1 port 80, established.
fn connected(sim: &mut Sim) -> (TcpHandle, TcpHandle, TcpListenerHandle) {
    sim.tcp_connected(
        (CLIENT, SERVER),
        ep(server_addr(), 80),
        Duration::from_secs(10),
    )
}

fn sha(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

fn payload(len: usize, seed: u64) -> Vec<u8> {
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

/// Sends `data` from client to server over a fresh connection, closes, and returns what the
/// server read and the virtual time it took.
fn transfer(sim: &mut Sim, data: &[u8], limit: Duration) -> (Vec<u8>, Duration) {
    let (c, a, _) = connected(sim);
    let start = sim.now;
    let mut sent = 0;
    let mut closed = false;
    let mut got = Vec::with_capacity(data.len());
    let mut eof = false;
    let mut buf = vec![0u8; 65536];
    let ok = sim.run_until(limit, |s| {
        while sent < data.len() {
            match s.stack(CLIENT).tcp_send(c, &data[sent..]) {
                Ok(n) => sent += n,
                Err(Error::WouldBlock) => break,
                Err(e) => panic!("send: {e}"),
            }
        }
        if sent == data.len() && !closed {
            s.stack(CLIENT).tcp_close(c).expect("close");
            closed = true;
        }
        loop {
            match s.stack(SERVER).tcp_recv(a, &mut buf) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(Error::WouldBlock) => break,
                Err(e) => panic!("recv: {e}"),
            }
        }
        eof
    });
    assert!(
        ok,
        "transfer did not finish: sent {sent}, received {} of {}",
        got.len(),
        data.len()
    );
    sim.stack(SERVER).tcp_close(a).expect("server close");
    (got, sim.now.saturating_since(start))
}

fn faults(f: Faults) -> FaultConfig {
    FaultConfig::both(f)
}

fn bulk(name: &str, default_seed: u64, f: Faults, len: usize, limit: Duration) {
    let seed = seed(default_seed);
    let mut sim = pair(seed, faults(f));
    let data = payload(len, seed);
    let wall = std::time::Instant::now();
    let (got, took) = transfer(&mut sim, &data, limit);
    let wall = wall.elapsed();
    assert_eq!(got.len(), data.len(), "{name}: length");
    assert_eq!(sha(&got), sha(&data), "{name}: sha256 differs");
    eprintln!(
        "{name}: {} bytes in {took} virtual ({:.2} MB/s), {:.3} s wall ({:.1} MB/s)",
        len,
        len as f64 / 1e6 / (took.millis().max(1) as f64 / 1000.0),
        wall.as_secs_f64(),
        len as f64 / 1e6 / wall.as_secs_f64()
    );
}

#[test]
fn handshake_and_orderly_close() {
    let mut sim = pair(seed(1), FaultConfig::default());
    let (c, a, _) = connected(&mut sim);
    assert_eq!(
        sim.stack(SERVER).tcp_remote_endpoint(a),
        sim.stack(CLIENT).tcp_local_endpoint(c)
    );
    // Client closes first: FIN-WAIT-1 → FIN-WAIT-2; server CLOSE-WAIT.
    sim.stack(CLIENT)
        .tcp_shutdown(c, Shutdown::Write)
        .expect("shutdown");
    assert_eq!(sim.stack(CLIENT).tcp_state(c), Ok(TcpState::FinWait1));
    sim.run_for(Duration::from_millis(50));
    assert_eq!(sim.stack(CLIENT).tcp_state(c), Ok(TcpState::FinWait2));
    assert_eq!(sim.stack(SERVER).tcp_state(a), Ok(TcpState::CloseWait));
    let mut buf = [0u8; 16];
    assert_eq!(sim.stack(SERVER).tcp_recv(a, &mut buf), Ok(0), "EOF");
    assert!(sim.stack(SERVER).tcp_readiness(a).expect("ready").hup);
    // Server closes: LAST-ACK → gone; client TIME-WAIT for 2·MSL.
    sim.stack(SERVER)
        .tcp_shutdown(a, Shutdown::Write)
        .expect("shutdown");
    assert_eq!(sim.stack(SERVER).tcp_state(a), Ok(TcpState::LastAck));
    sim.run_for(Duration::from_millis(50));
    assert_eq!(sim.stack(SERVER).tcp_state(a), Ok(TcpState::Closed));
    assert_eq!(sim.stack(CLIENT).tcp_state(c), Ok(TcpState::TimeWait));
    sim.run_for(Duration::from_millis(2 * config::TCP_MSL as u64 + 100));
    assert_eq!(sim.stack(CLIENT).tcp_state(c), Ok(TcpState::Closed));
    sim.stack(CLIENT).tcp_close(c).expect("close");
    sim.stack(SERVER).tcp_close(a).expect("close");
    assert_eq!(
        sim.stack(CLIENT).tcp_state(c),
        Err(Error::Invalid),
        "stale handle"
    );
}

#[test]
fn data_both_ways_and_close_with_fin_wait_2_timeout() {
    let mut sim = pair(seed(2), FaultConfig::default());
    let (c, a, _) = connected(&mut sim);
    assert_eq!(sim.stack(CLIENT).tcp_send(c, b"hello"), Ok(5));
    assert_eq!(sim.stack(SERVER).tcp_send(a, b"world!"), Ok(6));
    sim.run_for(Duration::from_millis(300));
    let mut buf = [0u8; 16];
    assert_eq!(sim.stack(SERVER).tcp_recv(a, &mut buf), Ok(5));
    assert_eq!(&buf[..5], b"hello");
    assert_eq!(sim.stack(CLIENT).tcp_recv(c, &mut buf), Ok(6));
    assert_eq!(&buf[..6], b"world!");
    // The client closes; the server never does: FIN-WAIT-2 times out.
    sim.stack(CLIENT).tcp_close(c).expect("close");
    sim.run_for(Duration::from_millis(100));
    assert_eq!(sim.stack(SERVER).tcp_state(a), Ok(TcpState::CloseWait));
    sim.run_for(Duration::from_millis(
        config::TCP_FIN_WAIT_TIMEOUT as u64 + 1000,
    ));
    // The client's block is gone: the server's FIN now draws a reset.
    sim.stack(SERVER).tcp_close(a).expect("close");
    sim.run_for(Duration::from_millis(100));
}

#[test]
fn simultaneous_open() {
    let mut sim = pair(seed(3), FaultConfig::default());
    let a = sim
        .stack(CLIENT)
        .tcp_connect(ep(server_addr(), 5001), Some(ep(ip(10, 0, 0, 1), 5000)))
        .expect("connect a");
    let b = sim
        .stack(SERVER)
        .tcp_connect(ep(ip(10, 0, 0, 1), 5000), Some(ep(server_addr(), 5001)))
        .expect("connect b");
    let ok = sim.run_until(Duration::from_secs(10), |s| {
        s.stack(CLIENT).tcp_state(a) == Ok(TcpState::Established)
            && s.stack(SERVER).tcp_state(b) == Ok(TcpState::Established)
    });
    assert!(ok, "simultaneous open");
    assert_eq!(sim.stack(CLIENT).tcp_send(a, b"x"), Ok(1));
    sim.run_for(Duration::from_millis(300));
    let mut buf = [0u8; 4];
    assert_eq!(sim.stack(SERVER).tcp_recv(b, &mut buf), Ok(1));
}

#[test]
fn simultaneous_close() {
    let mut sim = pair(seed(4), FaultConfig::default());
    let (c, a, _) = connected(&mut sim);
    sim.stack(CLIENT)
        .tcp_shutdown(c, Shutdown::Write)
        .expect("c");
    sim.stack(SERVER)
        .tcp_shutdown(a, Shutdown::Write)
        .expect("a");
    let mut saw_closing = false;
    let ok = sim.run_until(Duration::from_secs(5), |s| {
        saw_closing |= s.stack(CLIENT).tcp_state(c) == Ok(TcpState::Closing);
        s.stack(CLIENT).tcp_state(c) == Ok(TcpState::TimeWait)
            && s.stack(SERVER).tcp_state(a) == Ok(TcpState::TimeWait)
    });
    assert!(ok, "both in TIME-WAIT");
    assert!(saw_closing, "passed through CLOSING");
}

#[test]
fn connection_refused_and_closed_port_reset() {
    let mut sim = pair(seed(5), FaultConfig::default());
    let c = sim
        .stack(CLIENT)
        .tcp_connect(ep(server_addr(), 81), None)
        .expect("connect");
    assert_eq!(sim.stack(CLIENT).tcp_state(c), Ok(TcpState::SynSent));
    let ok = sim.run_until(Duration::from_secs(5), |s| {
        s.stack(CLIENT).tcp_state(c) == Ok(TcpState::Closed)
    });
    assert!(ok);
    assert_eq!(
        sim.stack(CLIENT).tcp_take_error(c),
        Ok(Some(Error::ConnectionRefused))
    );
    assert!(sim.stack(SERVER).stats().tcp.drop_no_socket >= 1);
}

#[test]
fn abort_resets_the_peer_in_each_open_state() {
    // ESTABLISHED.
    let mut sim = pair(seed(6), FaultConfig::default());
    let (c, a, _) = connected(&mut sim);
    sim.stack(CLIENT).tcp_abort(c).expect("abort");
    sim.run_for(Duration::from_millis(50));
    assert_eq!(sim.stack(SERVER).tcp_state(a), Ok(TcpState::Closed));
    let mut buf = [0u8; 4];
    assert_eq!(
        sim.stack(SERVER).tcp_recv(a, &mut buf),
        Err(Error::ConnectionReset)
    );
    // CLOSE-WAIT (peer in FIN-WAIT-2).
    let mut sim = pair(seed(7), FaultConfig::default());
    let (c, a, _) = connected(&mut sim);
    sim.stack(CLIENT)
        .tcp_shutdown(c, Shutdown::Write)
        .expect("shut");
    sim.run_for(Duration::from_millis(50));
    assert_eq!(sim.stack(SERVER).tcp_state(a), Ok(TcpState::CloseWait));
    sim.stack(SERVER).tcp_abort(a).expect("abort");
    sim.run_for(Duration::from_millis(50));
    assert_eq!(sim.stack(CLIENT).tcp_state(c), Ok(TcpState::Closed));
    assert_eq!(
        sim.stack(CLIENT).tcp_take_error(c),
        Ok(Some(Error::ConnectionReset))
    );
    // Close with unread data is a reset.
    let mut sim = pair(seed(8), FaultConfig::default());
    let (c, a, _) = connected(&mut sim);
    sim.stack(CLIENT).tcp_send(c, b"unread").expect("send");
    sim.run_for(Duration::from_millis(300));
    sim.stack(SERVER).tcp_close(a).expect("close");
    sim.run_for(Duration::from_millis(50));
    assert_eq!(
        sim.stack(CLIENT).tcp_take_error(c),
        Ok(Some(Error::ConnectionReset))
    );
}

#[test]
fn syn_to_a_port_in_time_wait_peer_and_listen_backlog() {
    let mut sim = pair(seed(9), FaultConfig::default());
    let l = sim
        .stack(SERVER)
        .tcp_listen(ep(Ipv4Addr::UNSPECIFIED, 80))
        .expect("listen");
    assert_eq!(
        sim.stack(SERVER).tcp_listen(ep(Ipv4Addr::UNSPECIFIED, 80)),
        Err(Error::AddrInUse)
    );
    let n = config::TCP_ACCEPTMBOX_SIZE.min(config::MAX_ACTIVE_TCP / 2);
    let conns: Vec<_> = (0..n + 1)
        .map(|_| {
            sim.stack(CLIENT)
                .tcp_connect(ep(server_addr(), 80), None)
                .expect("connect")
        })
        .collect();
    sim.run_for(Duration::from_secs(8));
    let established = conns
        .iter()
        .filter(|&&c| sim.stack(CLIENT).tcp_state(c) == Ok(TcpState::Established))
        .count();
    let limit = config::TCP_ACCEPTMBOX_SIZE.min(config::MAX_ACTIVE_TCP);
    assert_eq!(
        established,
        (n + 1).min(limit),
        "backlog bounds pending connections"
    );
    let mut accepted = 0;
    while sim.stack(SERVER).tcp_accept(l).is_ok() {
        accepted += 1;
    }
    assert_eq!(accepted, established);
    assert_eq!(sim.stack(SERVER).tcp_accept(l), Err(Error::WouldBlock));
}

#[test]
fn pool_exhaustion_is_an_error() {
    let mut sim = pair(seed(10), FaultConfig::default());
    let mut n = 0;
    loop {
        match sim.stack(CLIENT).tcp_connect(ep(server_addr(), 9), None) {
            Ok(_) => n += 1,
            Err(e) => {
                assert_eq!(e, Error::PoolExhausted);
                break;
            }
        }
        assert!(n <= config::MAX_ACTIVE_TCP);
    }
    assert_eq!(n, config::MAX_ACTIVE_TCP);
}

/// At the end of a receive batch the ACK a connection owes waits for the application's
/// read, and the window update that read causes carries it (one segment, not two); when
/// the application does not read, the next poll sends it, and the stack asks for that
/// poll at once.
#[test]
fn a_batch_ack_goes_with_the_read_or_at_the_next_poll() {
    let mut sim = pair(seed(31), FaultConfig::default());
    let (c, a, _) = connected(&mut sim);
    sim.run_for(Duration::from_secs(1));
    let mut buf = vec![0u8; 65536];
    // Two full segments or more in one batch: an ACK is owed at once (RFC 5681 §4.2).
    let owed = 2 * config::TCP_MSS as usize;
    for read in [false, true] {
        let data = vec![7u8; 4 * config::TCP_MSS as usize];
        let mut sent = sim.stack(CLIENT).tcp_send(c, &data).expect("send");
        let (sent_before, got) = loop {
            sim.now += Duration::from_millis(1);
            let now = sim.now;
            sim.stack(CLIENT).poll(now);
            let tx = sim.stack(SERVER).stats().tcp.tx;
            sim.stack(SERVER).poll(now);
            let got = sim.stack(SERVER).tcp_queued(a).expect("queued").0;
            // (With timestamps a full segment carries 12 bytes less.)
            if got + 24 >= owed {
                break (tx, got);
            }
            assert_eq!(got, 0, "the segments arrive in one batch");
        };
        let now = sim.now;
        assert_eq!(
            sim.stack(SERVER).stats().tcp.tx,
            sent_before,
            "the batch's ACK waits"
        );
        assert_eq!(
            sim.stack(SERVER).next_deadline(),
            Some(now),
            "poll again at once"
        );
        if read {
            assert_eq!(sim.stack(SERVER).tcp_recv(a, &mut buf), Ok(got));
            assert_eq!(
                sim.stack(SERVER).stats().tcp.tx,
                sent_before + 1,
                "the read's window update acknowledges the batch"
            );
            sim.stack(SERVER).poll(now);
            assert_eq!(
                sim.stack(SERVER).stats().tcp.tx,
                sent_before + 1,
                "nothing more"
            );
        } else {
            sim.stack(SERVER).poll(now);
            assert_eq!(
                sim.stack(SERVER).stats().tcp.tx,
                sent_before + 1,
                "unread, the ACK goes at the next poll"
            );
        }
        // The rest of the data, read as it comes.
        let mut received = 0;
        let done = sim.run_until(Duration::from_secs(10), |s| {
            if sent < data.len() {
                sent += s.stack(CLIENT).tcp_send(c, &data[sent..]).unwrap_or(0);
            }
            while let Ok(n) = s.stack(SERVER).tcp_recv(a, &mut buf) {
                if n == 0 {
                    break;
                }
                received += n;
            }
            sent == data.len() && s.stack(CLIENT).tcp_queued(c).expect("queued").1 == 0
        });
        assert!(done, "everything sent and acknowledged");
        assert_eq!(received + if read { got } else { 0 }, data.len());
    }
}

#[test]
fn zero_window_then_window_update() {
    let mut sim = pair(seed(11), FaultConfig::default());
    let (c, a, _) = connected(&mut sim);
    let data = payload(config::TCP_WND_DEFAULT * 3, 11);
    let mut sent = 0;
    // The server does not read: the window closes and the sender probes.
    sim.run_until(Duration::from_secs(20), |s| {
        if let Ok(n) = s.stack(CLIENT).tcp_send(c, &data[sent..]) {
            sent += n;
        }
        false
    });
    let (queued, _) = sim.stack(SERVER).tcp_queued(a).expect("queued");
    // Full, but for less than a segment the sender's SWS avoidance holds back.
    assert!(
        queued <= config::TCP_WND_DEFAULT
            && queued + config::TCP_MSS as usize > config::TCP_WND_DEFAULT,
        "receive buffer full: {queued}"
    );
    assert_eq!(sim.stack(CLIENT).tcp_state(c), Ok(TcpState::Established));
    // Reading opens the window; everything arrives.
    let mut got = Vec::new();
    let mut buf = vec![0u8; 4096];
    let ok = sim.run_until(Duration::from_secs(30), |s| {
        if sent < data.len()
            && let Ok(n) = s.stack(CLIENT).tcp_send(c, &data[sent..])
        {
            sent += n;
        }
        while let Ok(n) = s.stack(SERVER).tcp_recv(a, &mut buf) {
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        got.len() == data.len()
    });
    assert!(ok, "got {} of {}", got.len(), data.len());
    assert_eq!(got, data);
}

#[test]
fn keepalive_detects_a_dead_peer() {
    let mut sim = pair(seed(12), FaultConfig::default());
    let (c, _a, _) = connected(&mut sim);
    let mut opts = sim.stack(CLIENT).tcp_options(c).expect("opts");
    opts.keepalive = KeepAlive {
        enabled: true,
        idle: Duration::from_secs(10),
        interval: Duration::from_secs(2),
        count: 3,
    };
    sim.stack(CLIENT).tcp_set_options(c, opts).expect("set");
    // A live peer answers the probes.
    sim.run_for(Duration::from_secs(30));
    assert_eq!(sim.stack(CLIENT).tcp_state(c), Ok(TcpState::Established));
    // The peer goes away.
    let id = sim.hosts[SERVER].netifs[0];
    sim.stack(SERVER).set_down(id).expect("down");
    let ok = sim.run_until(Duration::from_secs(30), |s| {
        s.stack(CLIENT).tcp_state(c) == Ok(TcpState::Closed)
    });
    assert!(ok, "dead peer detected");
    assert_eq!(
        sim.stack(CLIENT).tcp_take_error(c),
        Ok(Some(Error::TimedOut))
    );
}

#[test]
fn retransmissions_exhausted() {
    let mut sim = pair(seed(13), FaultConfig::default());
    let (c, _a, _) = connected(&mut sim);
    let id = sim.hosts[SERVER].netifs[0];
    sim.stack(SERVER).set_down(id).expect("down");
    sim.stack(CLIENT).tcp_send(c, b"lost").expect("send");
    let ok = sim.run_until(Duration::from_secs(3600), |s| {
        s.stack(CLIENT).tcp_state(c) == Ok(TcpState::Closed)
    });
    assert!(ok);
    assert_eq!(
        sim.stack(CLIENT).tcp_take_error(c),
        Ok(Some(Error::TimedOut))
    );
}

#[test]
fn syn_retransmissions_exhausted() {
    let mut sim = pair(seed(14), FaultConfig::default());
    let id = sim.hosts[SERVER].netifs[0];
    sim.stack(SERVER).set_down(id).expect("down");
    let c = sim
        .stack(CLIENT)
        .tcp_connect(ep(server_addr(), 80), None)
        .expect("connect");
    let ok = sim.run_until(Duration::from_secs(3600), |s| {
        s.stack(CLIENT).tcp_state(c) == Ok(TcpState::Closed)
    });
    assert!(ok);
    // Linux reports the ARP failure that preceded the timeout (a soft error) the same way.
    let e = sim.stack(CLIENT).tcp_take_error(c).expect("handle");
    assert!(
        matches!(e, Some(Error::TimedOut | Error::HostUnreachable)),
        "{e:?}"
    );
}

#[test]
fn bulk_10mb_no_loss() {
    bulk(
        "10 MB, no loss",
        21,
        Faults::NONE,
        10 * 1024 * 1024,
        Duration::from_secs(600),
    );
}

#[test]
fn bulk_loss_1_percent() {
    bulk(
        "1% loss",
        22,
        Faults {
            loss: 0.01,
            ..Faults::NONE
        },
        2 * 1024 * 1024,
        Duration::from_secs(1200),
    );
}

#[test]
fn bulk_loss_10_percent() {
    bulk(
        "10% loss",
        23,
        Faults {
            loss: 0.10,
            ..Faults::NONE
        },
        256 * 1024,
        Duration::from_secs(3600),
    );
}

#[test]
fn bulk_reorder_duplicate_corrupt() {
    bulk(
        "reorder+dup+corrupt",
        24,
        Faults {
            reorder: 0.05,
            duplicate: 0.02,
            corrupt: 0.01,
            reorder_hold_max: Duration::from_millis(5),
            ..Faults::NONE
        },
        2 * 1024 * 1024,
        Duration::from_secs(1200),
    );
}

#[test]
fn data_before_accept_is_kept() {
    let mut sim = pair(seed(15), FaultConfig::default());
    let l = sim
        .stack(SERVER)
        .tcp_listen(ep(Ipv4Addr::UNSPECIFIED, 80))
        .expect("listen");
    let c = sim
        .stack(CLIENT)
        .tcp_connect(ep(server_addr(), 80), None)
        .expect("connect");
    // Data queued in SYN-SENT goes out after the handshake; the server accepts late.
    assert_eq!(sim.stack(CLIENT).tcp_send(c, b"early bird"), Ok(10));
    let ok = sim.run_until(Duration::from_secs(5), |s| {
        s.stack(CLIENT).tcp_state(c) == Ok(TcpState::Established)
    });
    assert!(ok);
    sim.stack(CLIENT).tcp_close(c).expect("close");
    sim.run_for(Duration::from_secs(2));
    let a = sim.stack(SERVER).tcp_accept(l).expect("accept");
    let mut buf = [0u8; 32];
    assert_eq!(sim.stack(SERVER).tcp_recv(a, &mut buf), Ok(10));
    assert_eq!(&buf[..10], b"early bird");
    assert_eq!(sim.stack(SERVER).tcp_recv(a, &mut buf), Ok(0));
}

/// RFC 1071 checksum.
fn inet_checksum(data: &[u8]) -> u16 {
    let mut sum = 0u32;
    for chunk in data.chunks(2) {
        let word = u16::from_be_bytes([chunk[0], *chunk.get(1).unwrap_or(&0)]);
        sum += u32::from(word);
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// An ICMP destination unreachable with `code` from `from` (a host on the link) quoting
/// `frame`, the client's segment as captured.
fn icmp_unreachable(frame: &[u8], code: u8) -> Vec<u8> {
    let quoted = &frame[14..14 + 28];
    let mut icmp = vec![3, code, 0, 0, 0, 0, 0, 0];
    icmp.extend_from_slice(quoted);
    let sum = inet_checksum(&icmp);
    icmp[2..4].copy_from_slice(&sum.to_be_bytes());
    let total = 20 + icmp.len();
    let mut ip = vec![
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0,
        1,
        0,
        0,
        64,
        1,
        0,
        0,
    ];
    ip.extend_from_slice(&frame[30..34]); // the segment's destination is our source
    ip.extend_from_slice(&frame[26..30]);
    let sum = inet_checksum(&ip);
    ip[10..12].copy_from_slice(&sum.to_be_bytes());
    let mut out = Vec::new();
    out.extend_from_slice(&frame[6..12]); // back to the sender's MAC
    out.extend_from_slice(&frame[0..6]);
    out.extend_from_slice(&[0x08, 0x00]);
    out.extend_from_slice(&ip);
    out.extend_from_slice(&icmp);
    out
}

#[test]
fn icmp_errors_reach_connections() {
    use netstack::phy::Device;
    let mut sim = Sim::new(1);
    sim.add_host(
        seed(16),
        &[(0, common::cidr(ip(10, 0, 0, 1), 24), None)],
        FaultConfig::default(),
    );
    let mut sniffer = sim.links[0].port();
    let peer = ip(10, 0, 0, 9);
    let netif = sim.hosts[CLIENT].netifs[0];
    sim.stack(CLIENT)
        .arp_add_static(
            netif,
            peer,
            netstack::wire::EthernetAddress([2, 0, 0, 0, 0, 9]),
        )
        .expect("static arp");
    let syn_for = |sim: &mut Sim, sniffer: &mut netstack::phy::VirtualPort, port: u16| {
        let c = sim
            .stack(CLIENT)
            .tcp_connect(ep(peer, port), None)
            .expect("connect");
        sim.run_for(Duration::from_millis(10));
        let mut buf = vec![0u8; 2048];
        let mut syn = None;
        while let Ok(Some(n)) = sniffer.receive(&mut buf, sim.now) {
            if n >= 54 && buf[12..14] == [0x08, 0x00] && buf[23] == 6 {
                syn = Some(buf[..n].to_vec());
            }
        }
        (c, syn.expect("the SYN on the link"))
    };
    // Fragmentation needed for a SYN: soft, the connection keeps trying.
    let (c, syn) = syn_for(&mut sim, &mut sniffer, 79);
    sniffer
        .transmit(&icmp_unreachable(&syn, 4), sim.now)
        .expect("send");
    sim.run_for(Duration::from_millis(10));
    assert_eq!(sim.stack(CLIENT).tcp_state(c), Ok(TcpState::SynSent));
    // Each attempt is released once checked: min-ram has four TCP control blocks.
    sim.stack(CLIENT).tcp_abort(c).expect("abort");
    // Host/net unreachable (and the codes mapped onto them) for a SYN end the attempt at
    // once with that error, as on Linux, rather than after every SYN retransmission.
    for (port, code, error) in [
        (80, 1, Error::HostUnreachable),
        (82, 0, Error::NetUnreachable),
        (83, 10, Error::HostUnreachable),
        (84, 6, Error::NetUnreachable),
    ] {
        let (c, syn) = syn_for(&mut sim, &mut sniffer, port);
        sniffer
            .transmit(&icmp_unreachable(&syn, code), sim.now)
            .expect("send");
        sim.run_for(Duration::from_millis(10));
        assert_eq!(
            sim.stack(CLIENT).tcp_state(c),
            Ok(TcpState::Closed),
            "code {code}"
        );
        assert_eq!(
            sim.stack(CLIENT).tcp_take_error(c),
            Ok(Some(error)),
            "code {code}"
        );
        sim.stack(CLIENT).tcp_close(c).expect("release");
    }
    // Port unreachable for a SYN: refused.
    let (c, syn) = syn_for(&mut sim, &mut sniffer, 81);
    sniffer
        .transmit(&icmp_unreachable(&syn, 3), sim.now)
        .expect("send");
    sim.run_for(Duration::from_millis(10));
    assert_eq!(sim.stack(CLIENT).tcp_state(c), Ok(TcpState::Closed));
    assert_eq!(
        sim.stack(CLIENT).tcp_take_error(c),
        Ok(Some(Error::ConnectionRefused))
    );
}

#[test]
fn icmp_unreachable_is_soft_once_established() {
    use netstack::phy::Device;
    let mut sim = pair(seed(17), FaultConfig::default());
    let mut sniffer = sim.links[0].port();
    let (c, a, _) = connected(&mut sim);
    let mut buf = vec![0u8; 2048];
    while let Ok(Some(_)) = sniffer.receive(&mut buf, sim.now) {}
    // Only the client runs: its data segment is in flight when the error arrives.
    sim.stack(CLIENT).tcp_send(c, b"hello").expect("send");
    let mut data = None;
    for _ in 0..50 {
        sim.now += Duration::from_millis(1);
        let now = sim.now;
        sim.stack(CLIENT).poll(now);
        while let Ok(Some(n)) = sniffer.receive(&mut buf, sim.now) {
            if n > 54 && buf[12..14] == [0x08, 0x00] && buf[23] == 6 && buf[26..30] == [10, 0, 0, 1]
            {
                data = Some(buf[..n].to_vec());
            }
        }
        if data.is_some() {
            break;
        }
    }
    let data = data.expect("the data segment on the link");
    sniffer
        .transmit(&icmp_unreachable(&data, 1), sim.now)
        .expect("send");
    let ok = sim.run_until(Duration::from_secs(5), |s| {
        let mut got = [0u8; 8];
        s.stack(SERVER).tcp_recv(a, &mut got) == Ok(5)
    });
    assert!(ok, "the data arrives despite the ICMP error");
    assert_eq!(sim.stack(CLIENT).tcp_state(c), Ok(TcpState::Established));
    assert_eq!(sim.stack(CLIENT).tcp_take_error(c), Ok(None));
}

/// A TCP segment from `src` to `dst` (IPv4 endpoints and MACs taken from `template`, a
/// captured frame going the other way) with the given fields.
fn craft_tcp(template: &[u8], seq: u32, ack: u32, flags: u8) -> Vec<u8> {
    let (src_ip, dst_ip) = (&template[30..34], &template[26..30]);
    let (src_port, dst_port) = (&template[36..38], &template[34..36]);
    let mut tcp = Vec::new();
    tcp.extend_from_slice(src_port);
    tcp.extend_from_slice(dst_port);
    tcp.extend_from_slice(&seq.to_be_bytes());
    tcp.extend_from_slice(&ack.to_be_bytes());
    tcp.extend_from_slice(&[0x50, flags, 0x10, 0x00, 0, 0, 0, 0]);
    let mut pseudo = Vec::new();
    pseudo.extend_from_slice(src_ip);
    pseudo.extend_from_slice(dst_ip);
    pseudo.extend_from_slice(&[0, 6, 0, tcp.len() as u8]);
    pseudo.extend_from_slice(&tcp);
    let sum = inet_checksum(&pseudo);
    tcp[16..18].copy_from_slice(&sum.to_be_bytes());
    let total = 20 + tcp.len();
    let mut ip = vec![0x45, 0, 0, total as u8, 0, 2, 0, 0, 64, 6, 0, 0];
    ip.extend_from_slice(src_ip);
    ip.extend_from_slice(dst_ip);
    let sum = inet_checksum(&ip);
    ip[10..12].copy_from_slice(&sum.to_be_bytes());
    let mut out = Vec::new();
    out.extend_from_slice(&template[6..12]);
    out.extend_from_slice(&template[0..6]);
    out.extend_from_slice(&[0x08, 0x00]);
    out.extend_from_slice(&ip);
    out.extend_from_slice(&tcp);
    out
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

#[test]
fn challenge_acks_for_in_window_rst_and_syn() {
    use netstack::phy::Device;
    let mut sim = pair(seed(17), FaultConfig::default());
    let mut sniffer = sim.links[0].port();
    let (c, _a, _) = connected(&mut sim);
    // Learn the numbers from a segment of the client.
    sim.stack(CLIENT).tcp_send(c, b"ping").expect("send");
    sim.run_for(Duration::from_millis(300));
    let mut buf = vec![0u8; 2048];
    let mut frames = Vec::new();
    while let Ok(Some(n)) = sniffer.receive(&mut buf, sim.now) {
        if n >= 54 && buf[12..14] == [0x08, 0x00] && buf[23] == 6 {
            frames.push(buf[..n].to_vec());
        }
    }
    let from_client = frames
        .iter()
        .rev()
        .find(|f| f[26..30] == [10, 0, 0, 1])
        .expect("a client segment")
        .clone();
    let client_ack = be32(&from_client[42..46]); // RCV.NXT of the client
    let client_seq = be32(&from_client[38..42]);
    let count_client_acks = |sniffer: &mut netstack::phy::VirtualPort, now| {
        let mut buf = vec![0u8; 2048];
        let mut n_acks = 0;
        while let Ok(Some(n)) = sniffer.receive(&mut buf, now) {
            if n >= 54 && buf[26..30] == [10, 0, 0, 1] && buf[23] == 6 && buf[47] & 0x10 != 0 {
                n_acks += 1;
            }
        }
        n_acks
    };
    // An in-window RST that is not exact: challenge ACK, connection kept (RFC 5961 §3.2).
    let rst = craft_tcp(&from_client, client_ack.wrapping_add(100), 0, 0x04);
    sniffer.transmit(&rst, sim.now).expect("send");
    sim.run_for(Duration::from_millis(20));
    assert_eq!(sim.stack(CLIENT).tcp_state(c), Ok(TcpState::Established));
    assert!(
        count_client_acks(&mut sniffer, sim.now) >= 1,
        "challenge ACK"
    );
    // A SYN in ESTABLISHED: challenge ACK too (RFC 5961 §4.2).
    sim.run_for(Duration::from_millis(20));
    let syn = craft_tcp(&from_client, client_ack.wrapping_add(5), 0, 0x02);
    sniffer.transmit(&syn, sim.now).expect("send");
    sim.run_for(Duration::from_millis(20));
    assert_eq!(sim.stack(CLIENT).tcp_state(c), Ok(TcpState::Established));
    assert!(
        count_client_acks(&mut sniffer, sim.now) >= 1,
        "challenge ACK"
    );
    // An ACK for data never sent: challenged and ignored (RFC 5961 §5.2).
    let bad_ack = craft_tcp(
        &from_client,
        client_ack,
        client_seq.wrapping_add(1_000_000),
        0x10,
    );
    sniffer.transmit(&bad_ack, sim.now).expect("send");
    sim.run_for(Duration::from_millis(20));
    assert_eq!(sim.stack(CLIENT).tcp_state(c), Ok(TcpState::Established));
    // The exact RST resets.
    let rst = craft_tcp(&from_client, client_ack, 0, 0x04);
    sniffer.transmit(&rst, sim.now).expect("send");
    sim.run_for(Duration::from_millis(20));
    assert_eq!(sim.stack(CLIENT).tcp_state(c), Ok(TcpState::Closed));
    assert_eq!(
        sim.stack(CLIENT).tcp_take_error(c),
        Ok(Some(Error::ConnectionReset))
    );
}

#[test]
fn events_and_readiness() {
    use netstack::tcp::TcpEvents;
    let mut sim = pair(seed(18), FaultConfig::default());
    let (c, a, l) = connected(&mut sim);
    let mut client_events = TcpEvents::NONE;
    sim.stack(CLIENT).tcp_drain_events(|h, e| {
        assert_eq!(h, c);
        client_events |= e;
    });
    assert!(client_events.contains(TcpEvents::CONNECTED));
    let mut listener_events = TcpEvents::NONE;
    sim.stack(SERVER).tcp_drain_listener_events(|h, e| {
        assert_eq!(h, l);
        listener_events |= e;
    });
    assert!(listener_events.contains(TcpEvents::ACCEPT));
    let r = sim.stack(CLIENT).tcp_readiness(c).expect("ready");
    assert!(r.writable && !r.readable && !r.error && !r.hup);
    sim.stack(SERVER).tcp_send(a, b"data").expect("send");
    sim.run_for(Duration::from_millis(300));
    let mut got = TcpEvents::NONE;
    sim.stack(CLIENT).tcp_drain_events(|_, e| got |= e);
    assert!(got.contains(TcpEvents::RECEIVED));
    assert!(sim.stack(CLIENT).tcp_readiness(c).expect("ready").readable);
    assert!(
        !sim.stack(SERVER)
            .tcp_listener_readiness(l)
            .expect("ready")
            .accept_ready
    );
    assert_eq!(sim.stack(CLIENT).tcp_queued(c), Ok((4, 0)));
    let mut o = sim.stack(CLIENT).tcp_options(c).expect("options");
    assert!(!o.nodelay && !o.keepalive.enabled);
    assert_eq!(o.keepalive.idle, Duration::from_secs(7200));
    o.nodelay = true;
    sim.stack(CLIENT).tcp_set_options(c, o).expect("set");
    assert!(sim.stack(CLIENT).tcp_options(c).expect("options").nodelay);
    assert_eq!(
        sim.stack(SERVER).tcp_listener_endpoint(l),
        Ok(ep(Ipv4Addr::UNSPECIFIED, 80))
    );
}

#[test]
fn time_wait_connections_give_their_slots_up() {
    let mut sim = pair(seed(19), FaultConfig::default());
    let l = sim
        .stack(SERVER)
        .tcp_listen(ep(Ipv4Addr::UNSPECIFIED, 80))
        .expect("listen");
    // The server closes first each time: its side ends in TIME-WAIT.
    for round in 0..config::MAX_ACTIVE_TCP + 2 {
        let c = sim
            .stack(CLIENT)
            .tcp_connect(ep(server_addr(), 80), None)
            .expect("connect");
        let mut a = None;
        let ok = sim.run_until(Duration::from_secs(10), |s| {
            if a.is_none() {
                a = s.stack(SERVER).tcp_accept(l).ok();
            }
            a.is_some()
        });
        assert!(ok, "round {round}: accepted");
        let a = a.expect("accepted");
        sim.stack(SERVER).tcp_close(a).expect("close");
        sim.run_for(Duration::from_millis(20));
        let mut buf = [0u8; 8];
        assert_eq!(sim.stack(CLIENT).tcp_recv(c, &mut buf), Ok(0));
        sim.stack(CLIENT).tcp_close(c).expect("close");
        sim.run_for(Duration::from_millis(20));
    }
}

#[test]
fn loopback_connection_within_one_stack() {
    if !config::NETIF_LOOPBACK {
        return;
    }
    let mut sim = pair(seed(20), FaultConfig::default());
    let lo = ip(127, 0, 0, 1);
    let l = sim.stack(CLIENT).tcp_listen(ep(lo, 7)).expect("listen");
    let c = sim
        .stack(CLIENT)
        .tcp_connect(ep(lo, 7), None)
        .expect("connect");
    let data = payload(100_000, 20);
    let (mut sent, mut got, mut a) = (0, Vec::new(), None);
    let mut buf = vec![0u8; 8192];
    let ok = sim.run_until(Duration::from_secs(30), |s| {
        let st = s.stack(CLIENT);
        if a.is_none() {
            a = st.tcp_accept(l).ok();
        }
        if sent < data.len()
            && let Ok(n) = st.tcp_send(c, &data[sent..])
        {
            sent += n;
        }
        if let Some(a) = a {
            while let Ok(n) = st.tcp_recv(a, &mut buf) {
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
        }
        got.len() == data.len()
    });
    assert!(ok, "got {} of {}", got.len(), data.len());
    assert_eq!(sha(&got), sha(&data));
}

/// A random TCP segment toward the client's connection (from the captured `template`),
/// with sequence and acknowledgment numbers near the real ones, random flags, options and
/// data; checksums valid so that it reaches the state machine.
fn random_segment(template: &[u8], rng: &mut u64, seq: u32, ack: u32) -> Vec<u8> {
    let mut next = || {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        *rng
    };
    let near = |base: u32, r: u64| {
        base.wrapping_add((r % 200_000) as u32)
            .wrapping_sub(100_000)
    };
    let mut seg = craft_tcp(template, near(seq, next()), near(ack, next()), next() as u8);
    // Random options (sometimes garbage) and data.
    let opt_words = (next() % 11) as usize;
    let mut options: Vec<u8> = (0..opt_words * 4).map(|_| next() as u8).collect();
    if next() % 2 == 0 && options.len() >= 10 {
        options[..10].copy_from_slice(&[8, 10, 0, 0, 0, 1, 0, 0, 0, 0]);
    }
    let data: Vec<u8> = (0..(next() % 1400) as usize)
        .map(|_| next() as u8)
        .collect();
    let tcp_start = 34;
    let mut tcp = seg[tcp_start..tcp_start + 20].to_vec();
    tcp[12] = ((5 + opt_words) as u8) << 4;
    tcp[14..16].copy_from_slice(&((next() % 65536) as u16).to_be_bytes());
    tcp[16..18].copy_from_slice(&[0, 0]);
    tcp.extend_from_slice(&options);
    tcp.extend_from_slice(&data);
    let mut pseudo = Vec::new();
    pseudo.extend_from_slice(&seg[26..34]);
    pseudo.extend_from_slice(&[0, 6]);
    pseudo.extend_from_slice(&(tcp.len() as u16).to_be_bytes());
    pseudo.extend_from_slice(&tcp);
    let sum = inet_checksum(&pseudo);
    tcp[16..18].copy_from_slice(&sum.to_be_bytes());
    let total = 20 + tcp.len();
    seg[16..18].copy_from_slice(&(total as u16).to_be_bytes());
    seg[24..26].copy_from_slice(&[0, 0]);
    let sum = inet_checksum(&seg[14..34]);
    seg[24..26].copy_from_slice(&sum.to_be_bytes());
    seg.truncate(tcp_start);
    seg.extend_from_slice(&tcp);
    seg
}

#[test]
fn random_segments_never_panic() {
    use netstack::phy::Device;
    let seed = seed(21);
    let mut sim = pair(seed, FaultConfig::default());
    let mut sniffer = sim.links[0].port();
    let mut rng = seed | 1;
    for round in 0..10 {
        let (c, a, l) = connected(&mut sim);
        sim.stack(CLIENT).tcp_send(c, b"hello").expect("send");
        sim.stack(SERVER).tcp_send(a, b"world").expect("send");
        sim.run_for(Duration::from_millis(300));
        let mut buf = vec![0u8; 2048];
        let mut template = None;
        while let Ok(Some(n)) = sniffer.receive(&mut buf, sim.now) {
            if n >= 54 && buf[23] == 6 && buf[26..30] == [10, 0, 0, 1] {
                template = Some(buf[..n].to_vec());
            }
        }
        let template = template.expect("a client segment");
        let (seq, ack) = (be32(&template[42..46]), be32(&template[38..42]));
        for _ in 0..500 {
            let seg = random_segment(&template, &mut rng, seq, ack);
            sniffer.transmit(&seg, sim.now).expect("send");
            sim.run_for(Duration::from_millis(1));
            let mut r = [0u8; 4096];
            let _ = sim.stack(CLIENT).tcp_recv(c, &mut r);
            let _ = sim.stack(CLIENT).tcp_send(c, b"more");
        }
        sim.run_for(Duration::from_secs(5));
        let _ = sim.stack(CLIENT).tcp_abort(c);
        let _ = sim.stack(SERVER).tcp_abort(a);
        sim.stack(SERVER).tcp_listener_close(l).expect("close");
        sim.run_for(Duration::from_secs(1));
        while sniffer
            .receive(&mut buf, sim.now)
            .is_ok_and(|r| r.is_some())
        {}
        eprintln!("round {round} done");
    }
    let stats = sim.stack(CLIENT).stats().tcp;
    assert!(stats.rx > 5000, "{stats:?}");
    assert_eq!(stats.drop_checksum, 0, "the crafted segments reach TCP");
}

/// A device that refuses every transmit ([`DeviceError::WouldBlock`]) while `blocked` is
/// set, as a full driver queue does.
struct Choke {
    inner: netstack::phy::VirtualPort,
    blocked: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl netstack::phy::Device for Choke {
    fn capabilities(&self) -> netstack::phy::DeviceCapabilities {
        self.inner.capabilities()
    }

    fn receive(
        &mut self,
        buf: &mut [u8],
        now: netstack::time::Instant,
    ) -> Result<Option<usize>, netstack::phy::DeviceError> {
        self.inner.receive(buf, now)
    }

    fn transmit(
        &mut self,
        frame: &[u8],
        now: netstack::time::Instant,
    ) -> Result<(), netstack::phy::DeviceError> {
        if self.blocked.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(netstack::phy::DeviceError::WouldBlock);
        }
        self.inner.transmit(frame, now)
    }
}

#[test]
fn a_refused_transmit_is_retried_within_a_timer_tick_not_an_rto() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let mut sim = Sim::new(1);
    let blocked = Arc::new(AtomicBool::new(false));
    let mut stack = netstack::Stack::new(netstack::StackConfig {
        random_seed: seed(21),
    });
    let device = Choke {
        inner: sim.links[0].port(),
        blocked: blocked.clone(),
    };
    let cfg = netstack::NetifConfig::new("choke")
        .with_mac(netstack::wire::EthernetAddress([2, 0, 0, 0, 9, 9]))
        .with_ipv4(common::cidr(ip(10, 0, 0, 1), 24));
    let netif = stack.add_netif(cfg, Box::new(device)).expect("netif");
    sim.hosts.push(common::Host {
        stack,
        netifs: vec![netif],
        ports: Vec::new(),
    });
    sim.add_host(
        seed(22),
        &[(0, common::cidr(server_addr(), 24), None)],
        FaultConfig::default(),
    );
    let (c, a, _) = connected(&mut sim);
    // The device refuses everything for two seconds (several RTOs) while data waits.
    let data = payload(config::TCP_SND_BUF_DEFAULT, 21);
    blocked.store(true, Ordering::Relaxed);
    let queued = sim.stack(CLIENT).tcp_send(c, &data).expect("send");
    sim.run_for(Duration::from_secs(2));
    blocked.store(false, Ordering::Relaxed);
    let unblocked = sim.now;
    let mut got = Vec::new();
    let ok = sim.run_until(Duration::from_secs(10), |s| {
        let mut buf = vec![0u8; 65536];
        if let Ok(n) = s.stack(SERVER).tcp_recv(a, &mut buf) {
            got.extend_from_slice(&buf[..n]);
        }
        got.len() == queued
    });
    assert!(ok, "the data arrives");
    assert_eq!(got, data[..queued]);
    // Retried on the next timer tick, not after a backed-off retransmission timeout.
    let waited = sim.now.saturating_since(unblocked);
    let tick = Duration::from_millis(u64::from(config::TCP_TMR_INTERVAL));
    assert!(
        waited <= tick + Duration::from_millis(50),
        "resumed {waited:?} after the device took frames again"
    );
}
