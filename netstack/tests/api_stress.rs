//! Many threads hammering one stack through the sockets API: TCP echo clients and a
//! thread-per-connection server, UDP ping-pong, all over loopback. Every byte must come
//! back intact, nothing may deadlock (a watchdog fails the test), and afterwards no
//! descriptor and no control block (but TIME-WAIT ones) may be left.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use netstack::api::sockets::*;
use netstack::api::{Errno, Fd, NetStack};
use netstack::rand::Rng;
use netstack::{Stack, StackConfig, config};

const TCP_PORT: u16 = 9100;
const UDP_PORT: u16 = 9101;
/// Connections each TCP client makes, one after another.
const CONNECTIONS: usize = 12;
/// Datagrams each UDP client bounces.
const DATAGRAMS: usize = 150;

fn lo(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// A socket, waiting while the descriptor table is full (other threads are closing theirs).
fn socket(ns: &NetStack, ty: i32) -> Fd {
    for _ in 0..2000 {
        match ns.socket(AF_INET, ty, 0) {
            Ok(fd) => return fd,
            Err(Errno::ENFILE) | Err(Errno::ENOBUFS) => thread::sleep(Duration::from_millis(2)),
            Err(e) => panic!("socket: {e}"),
        }
    }
    panic!("the descriptor table never had room");
}

fn recv_exact(ns: &NetStack, fd: Fd, len: usize) -> Result<Vec<u8>, Errno> {
    let mut out = vec![0u8; len];
    let mut got = 0;
    while got < len {
        let n = ns.recv(fd, &mut out[got..], 0)?;
        if n == 0 {
            return Err(Errno::ECONNRESET);
        }
        got += n;
    }
    Ok(out)
}

/// One echo exchange on a new connection; errors from a full table are retried by the
/// caller.
fn tcp_exchange(ns: &NetStack, data: &[u8]) -> Result<(), Errno> {
    let fd = socket(ns, SOCK_STREAM);
    let result = (|| {
        ns.connect(fd, lo(TCP_PORT))?;
        let writer = {
            let ns = ns.clone();
            let data = data.to_vec();
            thread::spawn(move || ns.send(fd, &data, 0))
        };
        let echoed = recv_exact(ns, fd, data.len());
        let sent = writer.join().map_err(|_| Errno::EIO)??;
        assert_eq!(sent, data.len(), "a blocking send queues everything");
        let echoed = echoed?;
        assert!(echoed == data, "echo differs");
        ns.shutdown(fd, SHUT_WR)?;
        let mut rest = [0u8; 1];
        assert_eq!(ns.recv(fd, &mut rest, 0)?, 0, "EOF after the echo");
        Ok(())
    })();
    ns.close(fd).expect("close");
    result
}

fn echo_handler(ns: NetStack, fd: Fd) {
    let mut buf = vec![0u8; 8192];
    loop {
        match ns.recv(fd, &mut buf, 0) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if ns.send(fd, &buf[..n], 0).is_err() {
                    break;
                }
            }
        }
    }
    ns.close(fd).expect("close accepted");
}

fn run(ns: NetStack) {
    // Sockets: listener, UDP server, two per TCP client connection, one per UDP client.
    let spare = config::MAX_SOCKETS.saturating_sub(2);
    let tcp_clients = (spare / 3).clamp(1, 3);
    let udp_clients = if spare >= 2 * tcp_clients + 2 { 2 } else { 0 };

    let listener = ns.socket(AF_INET, SOCK_STREAM, 0).expect("listener");
    ns.bind(listener, lo(TCP_PORT)).expect("bind");
    ns.listen(listener, 8).expect("listen");
    let acceptor = {
        let ns = ns.clone();
        thread::spawn(move || {
            let mut handlers = Vec::new();
            loop {
                match ns.accept(listener) {
                    Ok((fd, _)) => {
                        let ns = ns.clone();
                        handlers.push(thread::spawn(move || echo_handler(ns, fd)));
                    }
                    Err(Errno::EBADF) => break,
                    Err(Errno::ENFILE) => thread::sleep(Duration::from_millis(2)),
                    Err(e) => panic!("accept: {e}"),
                }
            }
            for h in handlers {
                h.join().expect("handler");
            }
        })
    };
    let udp_server = ns.socket(AF_INET, SOCK_DGRAM, 0).expect("udp");
    ns.bind(udp_server, lo(UDP_PORT)).expect("bind udp");
    let udp_echo = {
        let ns = ns.clone();
        thread::spawn(move || {
            let mut buf = [0u8; 2048];
            while let Ok((n, Some(from))) = ns.recvfrom(udp_server, &mut buf, 0) {
                let _ = ns.sendto(udp_server, &buf[..n], 0, from);
            }
        })
    };

    let mut clients = Vec::new();
    for c in 0..tcp_clients {
        let ns = ns.clone();
        clients.push(thread::spawn(move || {
            let mut rng = Rng::new(1000 + c as u64);
            for i in 0..CONNECTIONS {
                let len = 1 + (rng.next_u32() as usize % 40_000);
                let data: Vec<u8> = (0..len).map(|_| rng.next_u32() as u8).collect();
                let mut attempts = 0;
                while let Err(e) = tcp_exchange(&ns, &data) {
                    attempts += 1;
                    assert!(
                        attempts < 20,
                        "client {c} connection {i} keeps failing: {e}"
                    );
                    thread::sleep(Duration::from_millis(5));
                }
            }
        }));
    }
    for c in 0..udp_clients {
        let ns = ns.clone();
        clients.push(thread::spawn(move || {
            let fd = socket(&ns, SOCK_DGRAM);
            let tv = Timeval {
                tv_sec: 0,
                tv_usec: 200_000,
            };
            ns.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv.to_bytes())
                .expect("timeout");
            let mut answered = 0;
            for i in 0..DATAGRAMS {
                let msg = format!("client {c} datagram {i}");
                match ns.sendto(fd, msg.as_bytes(), 0, lo(UDP_PORT)) {
                    Ok(n) => assert_eq!(n, msg.len()),
                    // The loopback queue is full for a moment: this datagram is lost, as
                    // UDP allows (lwIP reports ERR_MEM the same way).
                    Err(Errno::ENOMEM | Errno::ENOBUFS) => continue,
                    Err(e) => panic!("sendto: {e}"),
                }
                let mut buf = [0u8; 64];
                if let Ok((n, _)) = ns.recvfrom(fd, &mut buf, 0) {
                    assert_eq!(&buf[..n], msg.as_bytes(), "a datagram came back changed");
                    answered += 1;
                }
            }
            // Loopback UDP may drop when a receive queue is full; most must come back.
            assert!(
                answered * 10 >= DATAGRAMS * 9,
                "only {answered}/{DATAGRAMS} answered"
            );
            ns.close(fd).expect("close");
        }));
    }
    for c in clients {
        c.join().expect("client");
    }
    ns.close(listener).expect("close listener");
    acceptor.join().expect("acceptor");
    ns.close(udp_server).expect("close udp");
    udp_echo.join().expect("udp echo");

    assert_eq!(
        ns.open_sockets().expect("list"),
        Vec::<Fd>::new(),
        "leaked descriptors"
    );
    // Connections finish closing on the stack's own time (FIN exchange): wait a little.
    let mut usage = ns.pcb_usage().expect("usage");
    for _ in 0..200 {
        if usage.tcp == 0 {
            break;
        }
        thread::sleep(Duration::from_millis(10));
        usage = ns.pcb_usage().expect("usage");
    }
    assert_eq!(
        (usage.tcp, usage.tcp_listeners, usage.udp),
        (0, 0, 0),
        "leaked control blocks: {usage:?}"
    );
}

#[test]
fn many_threads_one_stack_nothing_lost_nothing_leaked() {
    let ns = NetStack::start(Stack::new(StackConfig { random_seed: 3 })).expect("start");
    let (done_tx, done_rx) = mpsc::channel();
    let worker = thread::spawn(move || {
        run(ns);
        let _ = done_tx.send(());
    });
    match done_rx.recv_timeout(Duration::from_secs(240)) {
        Ok(()) => worker.join().expect("stress run"),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            worker.join().expect("stress run panicked");
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("deadlock: the stress run did not finish in 240 s")
        }
    }
}
