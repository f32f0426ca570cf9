//! The BSD sockets API through the TCP/IP thread, on one stack over its loopback
//! interface: every function, the error paths of ESP-IDF's errno table, blocking and
//! non-blocking modes, timeouts, select/poll, fcntl/ioctl, and close from another thread.

use std::io::{IoSlice, IoSliceMut};
use std::net::{Ipv4Addr, SocketAddr};
use std::thread;
use std::time::{Duration, Instant};

use netstack::api::sockets::*;
use netstack::api::{Errno, NetStack, errno};
use netstack::{Stack, StackConfig, config};

fn stack() -> NetStack {
    NetStack::start(Stack::new(StackConfig { random_seed: 7 })).expect("tcpip thread")
}

fn lo(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

fn tcp(ns: &NetStack) -> Fd {
    ns.socket(AF_INET, SOCK_STREAM, 0).expect("socket")
}

fn udp(ns: &NetStack) -> Fd {
    ns.socket(AF_INET, SOCK_DGRAM, 0).expect("socket")
}

use netstack::api::Fd;

/// Waits (up to 5 s) until `fd` is readable.
fn wait_readable(ns: &NetStack, fd: Fd) {
    let mut p = [PollFd {
        fd,
        events: POLLIN,
        revents: 0,
    }];
    assert_eq!(
        ns.poll(&mut p, Some(Duration::from_secs(5))),
        Ok(1),
        "readable"
    );
}

/// A listener on 127.0.0.1:`port` and a connected pair (client, accepted).
fn pair(ns: &NetStack, port: u16) -> (Fd, Fd, Fd) {
    let l = tcp(ns);
    ns.bind(l, lo(port)).expect("bind");
    ns.listen(l, 4).expect("listen");
    let c = tcp(ns);
    ns.connect(c, lo(port)).expect("connect");
    let (a, peer) = ns.accept(l).expect("accept");
    assert_eq!(peer, ns.getsockname(c).expect("getsockname"));
    (l, c, a)
}

#[test]
fn tcp_echo_through_every_io_call() {
    let ns = stack();
    let (l, c, a) = pair(&ns, 5001);
    assert_eq!(
        ns.getpeername(a).expect("peer"),
        ns.getsockname(c).expect("name")
    );
    assert_eq!(ns.getpeername(c).expect("peer"), lo(5001));

    assert_eq!(ns.send(c, b"hello", 0), Ok(5));
    let mut buf = [0u8; 16];
    assert_eq!(
        ns.recv(a, &mut buf, MSG_PEEK),
        Ok(5),
        "peek leaves the data"
    );
    assert_eq!(ns.recv(a, &mut buf, 0), Ok(5));
    assert_eq!(&buf[..5], b"hello");

    assert_eq!(ns.write(a, b"world"), Ok(5));
    assert_eq!(ns.read(c, &mut buf), Ok(5));
    assert_eq!(&buf[..5], b"world");

    let parts = [IoSlice::new(b"ab"), IoSlice::new(b"cde")];
    assert_eq!(ns.writev(c, &parts), Ok(5));
    let (mut x, mut y) = ([0u8; 2], [0u8; 3]);
    let mut bufs = [IoSliceMut::new(&mut x), IoSliceMut::new(&mut y)];
    let got = ns.recv(a, &mut [0u8; 0], MSG_DONTWAIT);
    assert!(matches!(got, Ok(0) | Err(Errno::EAGAIN)));
    // MSG_WAITALL gathers the whole 5 bytes.
    let n = ns.recvmsg(a, &mut bufs, MSG_WAITALL).expect("recvmsg");
    assert_eq!(n.len, 5);
    assert_eq!((&x, &y), (b"ab", b"cde"));

    assert_eq!(ns.sendmsg(a, &[IoSlice::new(b"xyz")], 0, None), Ok(3));
    let mut one = [0u8; 1];
    let mut rest = [0u8; 2];
    assert_eq!(
        ns.readv(
            c,
            &mut [IoSliceMut::new(&mut one), IoSliceMut::new(&mut rest)]
        ),
        Ok(3)
    );
    let (n, from) = {
        ns.send(a, b"q", 0).expect("send");
        ns.recvfrom(c, &mut buf, 0).expect("recvfrom")
    };
    assert_eq!((n, from), (1, Some(lo(5001))));

    // Large transfer: a blocking send queues everything, a reader drains it.
    let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let ns2 = ns.clone();
    let expected = data.clone();
    let reader = thread::spawn(move || {
        let mut got = Vec::new();
        let mut buf = vec![0u8; 10_000];
        while got.len() < expected.len() {
            let n = ns2.recv(a, &mut buf, 0).expect("recv");
            assert!(n > 0, "early EOF");
            got.extend_from_slice(&buf[..n]);
        }
        assert!(got == expected, "data intact");
    });
    assert_eq!(ns.send(c, &data, 0), Ok(data.len()));
    reader.join().expect("reader");

    // The peer's close is EOF; then ours.
    ns.close(c).expect("close");
    assert_eq!(ns.recv(a, &mut buf, 0), Ok(0));
    ns.close(a).expect("close");
    ns.close(l).expect("close");
    assert_eq!(ns.open_sockets().expect("list"), Vec::<Fd>::new());
}

#[test]
fn udp_datagrams_and_errors() {
    let ns = stack();
    let s = udp(&ns);
    let r = udp(&ns);
    ns.bind(r, lo(6001)).expect("bind");
    assert_eq!(ns.send(s, b"x", 0), Err(Errno::EDESTADDRREQ));
    assert_eq!(errno(), Errno::EDESTADDRREQ.code(), "errno set");
    assert_eq!(ns.sendto(s, b"ping", 0, lo(6001)), Ok(4));
    let mut small = [0u8; 2];
    let msg = ns
        .recvmsg(r, &mut [IoSliceMut::new(&mut small)], 0)
        .expect("recvmsg");
    assert_eq!((msg.len, msg.flags), (2, MSG_TRUNC), "truncated datagram");
    let from = msg.from.expect("from");
    ns.sendto(r, b"pong", 0, from).expect("reply");
    let mut buf = [0u8; 8];
    wait_readable(&ns, s);
    let mut n = 0;
    assert_eq!(ns.ioctl(s, FIONREAD, &mut n), Ok(()));
    assert_eq!(n, 4, "FIONREAD: the next datagram's size");
    assert_eq!(ns.recvfrom(s, &mut buf, 0), Ok((4, Some(lo(6001)))));
    ns.connect(s, lo(6001)).expect("connect");
    assert_eq!(ns.getpeername(s), Ok(lo(6001)));
    assert_eq!(ns.send(s, b"c", 0), Ok(1));
    assert_eq!(ns.recv(r, &mut buf, 0), Ok(1));
    assert_eq!(ns.shutdown(s, SHUT_WR), Err(Errno::EOPNOTSUPP));
    assert_eq!(ns.listen(s, 1), Err(Errno::EOPNOTSUPP));
    assert_eq!(ns.fcntl(s, F_GETFL, 0), Ok(O_RDWR), "UDP is always O_RDWR");
    // Broadcast needs SO_BROADCAST (lwIP: EINVAL without).
    assert!(
        ns.sendto(s, b"b", 0, SocketAddr::from((Ipv4Addr::BROADCAST, 9)))
            .is_err()
    );
    ns.close(s).expect("close");
    ns.close(r).expect("close");
}

#[test]
fn bad_descriptors_and_arguments() {
    let ns = stack();
    let mut buf = [0u8; 4];
    for fd in [-1, 0, 5, i32::MAX] {
        assert_eq!(ns.recv(fd, &mut buf, 0), Err(Errno::EBADF));
        assert_eq!(ns.send(fd, b"x", 0), Err(Errno::EBADF));
        assert_eq!(ns.close(fd), Err(Errno::EBADF));
        assert_eq!(ns.bind(fd, lo(1)), Err(Errno::EBADF));
        assert_eq!(ns.fcntl(fd, F_GETFL, 0), Err(Errno::EBADF));
        assert_eq!(
            ns.getsockopt_int(fd, SOL_SOCKET, SO_TYPE),
            Err(Errno::EBADF)
        );
    }
    assert_eq!(errno(), Errno::EBADF.code());
    assert_eq!(
        ns.socket(AF_INET6, SOCK_STREAM, 0),
        Err(Errno::EAFNOSUPPORT)
    );
    assert_eq!(
        ns.socket(AF_INET, SOCK_STREAM, IPPROTO_UDP),
        Err(Errno::EPROTONOSUPPORT)
    );
    assert_eq!(ns.socket(AF_INET, SOCK_RAW, 0), Err(Errno::EPROTONOSUPPORT));
    assert_eq!(ns.socket(AF_INET, 99, 0), Err(Errno::EINVAL));
    let fds: Vec<Fd> = (0..config::MAX_SOCKETS).map(|_| tcp(&ns)).collect();
    assert_eq!(ns.socket(AF_INET, SOCK_STREAM, 0), Err(Errno::ENFILE));
    for fd in fds {
        ns.close(fd).expect("close");
    }
    let t = tcp(&ns);
    assert_eq!(ns.recv(t, &mut buf, 0), Err(Errno::ENOTCONN));
    assert_eq!(ns.send(t, b"x", 0), Err(Errno::ENOTCONN));
    assert_eq!(ns.getpeername(t), Err(Errno::ENOTCONN));
    assert_eq!(ns.shutdown(t, SHUT_RD), Err(Errno::ENOTCONN));
    assert_eq!(ns.shutdown(t, 7), Err(Errno::EINVAL));
    assert_eq!(ns.accept(t), Err(Errno::EINVAL));
    assert_eq!(ns.recv(t, &mut buf, MSG_OOB), Err(Errno::EOPNOTSUPP));
    assert_eq!(
        ns.bind(t, SocketAddr::from(([10, 9, 9, 9], 80))),
        Err(Errno::EADDRNOTAVAIL)
    );
    assert_eq!(
        ns.getsockname(t),
        Ok(SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)))
    );
    ns.close(t).expect("close");
}

#[test]
fn addresses_in_use_and_reuse() {
    // At most four sockets are open at a time: the min-ram preset allows no more.
    let ns = stack();
    let a = tcp(&ns);
    ns.bind(a, lo(7001)).expect("bind");
    ns.listen(a, 1).expect("listen");
    let b = tcp(&ns);
    assert_eq!(ns.bind(b, lo(7001)), Err(Errno::EADDRINUSE));
    assert_eq!(ns.getsockopt_int(a, SOL_SOCKET, SO_ACCEPTCONN), Ok(1));
    assert_eq!(ns.getsockopt_int(b, SOL_SOCKET, SO_ACCEPTCONN), Ok(0));
    ns.close(a).expect("close");
    ns.close(b).expect("close");

    // UDP: a second bind fails, unless both sockets set SO_REUSEADDR (with so_reuse).
    let u1 = udp(&ns);
    let u2 = udp(&ns);
    ns.bind(u1, lo(7002)).expect("bind");
    assert_eq!(ns.bind(u2, lo(7002)), Err(Errno::EADDRINUSE));
    ns.close(u1).expect("close");
    ns.close(u2).expect("close");
    let u3 = udp(&ns);
    let u4 = udp(&ns);
    let reuse = ns.setsockopt_int(u3, SOL_SOCKET, SO_REUSEADDR, 1);
    if config::SO_REUSE {
        reuse.expect("SO_REUSEADDR");
        ns.setsockopt_int(u4, SOL_SOCKET, SO_REUSEADDR, 1)
            .expect("SO_REUSEADDR");
        ns.bind(u3, lo(7003)).expect("bind");
        ns.bind(u4, lo(7003))
            .expect("second bind with SO_REUSEADDR");
        assert_eq!(ns.getsockopt_int(u4, SOL_SOCKET, SO_REUSEADDR), Ok(1));
    } else {
        assert_eq!(reuse, Err(Errno::ENOPROTOOPT));
    }
    ns.close(u3).expect("close");
    ns.close(u4).expect("close");

    // TCP: a port held by a connection can be bound again with SO_REUSEADDR.
    let (l, c, s) = pair(&ns, 7004);
    ns.close(l).expect("close listener");
    let port = ns.getsockname(c).expect("name").port();
    let again = tcp(&ns);
    assert_eq!(ns.bind(again, lo(port)), Err(Errno::EADDRINUSE));
    if config::SO_REUSE {
        ns.setsockopt_int(again, SOL_SOCKET, SO_REUSEADDR, 1)
            .expect("reuse");
        ns.bind(again, lo(port)).expect("bind with SO_REUSEADDR");
    }
    for fd in [c, s, again] {
        ns.close(fd).expect("close");
    }
}

#[test]
fn connect_errors() {
    let ns = stack();
    let t = tcp(&ns);
    assert_eq!(
        ns.connect(t, lo(9)),
        Err(Errno::ECONNREFUSED),
        "closed port"
    );
    ns.close(t).expect("close");
    let t = tcp(&ns);
    assert_eq!(
        ns.connect(t, SocketAddr::from(([10, 0, 0, 1], 80))),
        Err(Errno::ENETUNREACH),
        "no route"
    );
    assert_eq!(ns.connect(t, lo(0)), Err(Errno::EINVAL), "port 0");
    ns.close(t).expect("close");
    let (l, c, a) = pair(&ns, 8001);
    assert_eq!(ns.connect(c, lo(8001)), Err(Errno::EISCONN));
    for fd in [l, c, a] {
        ns.close(fd).expect("close");
    }
}

#[test]
fn non_blocking_connect_select_and_so_error() {
    let ns = stack();
    let l = tcp(&ns);
    ns.bind(l, lo(8101)).expect("bind");
    ns.listen(l, 1).expect("listen");
    let c = tcp(&ns);
    assert_eq!(ns.fcntl(c, F_SETFL, O_NONBLOCK), Ok(0));
    assert_eq!(
        ns.fcntl(c, F_GETFL, 0).map(|f| f & O_NONBLOCK),
        Ok(O_NONBLOCK)
    );
    assert_eq!(ns.connect(c, lo(8101)), Err(Errno::EINPROGRESS));
    let mut w = FdSet::new();
    w.set(c);
    let n = ns
        .select(
            c + 1,
            None,
            Some(&mut w),
            None,
            Some(Duration::from_secs(5)),
        )
        .expect("select");
    assert_eq!(n, 1);
    assert!(w.is_set(c));
    assert_eq!(ns.getsockopt_int(c, SOL_SOCKET, SO_ERROR), Ok(0));
    assert_eq!(ns.connect(c, lo(8101)), Err(Errno::EISCONN));
    // Non-blocking accept and recv say EAGAIN when nothing is there.
    let (a, _) = ns.accept(l).expect("accept");
    ns.fcntl(l, F_SETFL, O_NONBLOCK).expect("nonblock");
    assert_eq!(ns.accept(l), Err(Errno::EAGAIN));
    let mut buf = [0u8; 4];
    assert_eq!(ns.recv(c, &mut buf, 0), Err(Errno::EAGAIN));

    // A refused non-blocking connect: writable, SO_ERROR = ECONNREFUSED.
    let r = tcp(&ns);
    let mut on = 1;
    ns.ioctl(r, FIONBIO, &mut on).expect("FIONBIO");
    assert_eq!(ns.connect(r, lo(8102)), Err(Errno::EINPROGRESS));
    let mut p = [PollFd {
        fd: r,
        events: POLLOUT,
        revents: 0,
    }];
    assert_eq!(ns.poll(&mut p, Some(Duration::from_secs(5))), Ok(1));
    assert!(p[0].revents & POLLOUT != 0);
    assert_eq!(
        ns.getsockopt_int(r, SOL_SOCKET, SO_ERROR),
        Ok(Errno::ECONNREFUSED.code())
    );
    for fd in [l, c, a, r] {
        ns.close(fd).expect("close");
    }
}

#[test]
fn receive_timeouts_and_blocking_waits() {
    let ns = stack();
    let (l, c, a) = pair(&ns, 8201);
    let tv = Timeval {
        tv_sec: 0,
        tv_usec: 200_000,
    };
    ns.setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &tv.to_bytes())
        .expect("SO_RCVTIMEO");
    let mut out = [0u8; Timeval::SIZE];
    assert_eq!(ns.getsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &mut out), Ok(16));
    assert_eq!(Timeval::from_bytes(&out), Some(tv));
    let start = Instant::now();
    let mut buf = [0u8; 4];
    assert_eq!(ns.recv(a, &mut buf, 0), Err(Errno::EAGAIN));
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(190) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    // A blocking recv wakes when data arrives.
    let ns2 = ns.clone();
    let sender = thread::spawn(move || {
        thread::sleep(Duration::from_millis(50));
        ns2.send(c, b"late", 0).expect("send");
    });
    ns.setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &Timeval::default().to_bytes())
        .expect("no timeout");
    assert_eq!(ns.recv(a, &mut buf, 0), Ok(4));
    sender.join().expect("sender");
    // accept honours SO_RCVTIMEO too.
    ns.setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv.to_bytes())
        .expect("SO_RCVTIMEO");
    assert_eq!(ns.accept(l).map(|_| ()), Err(Errno::EAGAIN));
    assert_eq!(
        ns.setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &[0u8; 3]),
        Err(Errno::EINVAL)
    );
    for fd in [l, c, a] {
        ns.close(fd).expect("close");
    }
}

#[test]
fn close_from_another_thread_ends_blocked_calls() {
    let ns = stack();
    let (l, c, a) = pair(&ns, 8301);
    let ns2 = ns.clone();
    let blocked_recv = thread::spawn(move || {
        let mut buf = [0u8; 4];
        ns2.recv(a, &mut buf, 0)
    });
    let ns3 = ns.clone();
    let blocked_accept = thread::spawn(move || ns3.accept(l).map(|_| ()));
    thread::sleep(Duration::from_millis(100));
    ns.close(a).expect("close while recv blocks");
    ns.close(l).expect("close while accept blocks");
    assert_eq!(blocked_recv.join().expect("recv thread"), Err(Errno::EBADF));
    assert_eq!(
        blocked_accept.join().expect("accept thread"),
        Err(Errno::EBADF)
    );
    ns.close(c).expect("close");
    assert!(
        ns.open_sockets().expect("list").is_empty(),
        "no descriptor leaked"
    );
}

#[test]
fn select_and_poll_over_many_sockets() {
    let ns = stack();
    // Three receivers and a sender: the min-ram preset allows four sockets.
    let receivers: Vec<Fd> = (0..3)
        .map(|i| {
            let u = udp(&ns);
            ns.bind(u, lo(8400 + i)).expect("bind");
            u
        })
        .collect();
    let sender = udp(&ns);
    let mut r = FdSet::new();
    for &u in &receivers {
        r.set(u);
    }
    let nfds = receivers.iter().max().copied().unwrap_or(0) + 1;
    let mut none = r;
    assert_eq!(
        ns.select(nfds, Some(&mut none), None, None, Some(Duration::ZERO)),
        Ok(0),
        "nothing ready"
    );
    ns.sendto(sender, b"1", 0, lo(8401)).expect("send");
    ns.sendto(sender, b"2", 0, lo(8402)).expect("send");
    // Wait until both have arrived.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut ready;
    loop {
        ready = r;
        let n = ns
            .select(
                nfds,
                Some(&mut ready),
                None,
                None,
                Some(Duration::from_secs(1)),
            )
            .expect("select");
        if n == 2 || Instant::now() > deadline {
            break;
        }
    }
    assert!(ready.is_set(receivers[1]) && ready.is_set(receivers[2]));
    assert!(!ready.is_set(receivers[0]));
    let mut fds: Vec<PollFd> = receivers
        .iter()
        .map(|&fd| PollFd {
            fd,
            events: POLLIN,
            revents: 0,
        })
        .collect();
    fds.push(PollFd {
        fd: 200,
        events: POLLIN,
        revents: 0,
    });
    assert_eq!(ns.poll(&mut fds, Some(Duration::from_secs(1))), Ok(3));
    assert_eq!(fds[1].revents, POLLIN);
    assert_eq!(fds[2].revents, POLLIN);
    assert_eq!(fds[0].revents, 0);
    assert_eq!(fds[3].revents, POLLNVAL);
    // A descriptor that is not open in a select set is EBADF.
    let mut bad = FdSet::new();
    bad.set(200);
    assert_eq!(
        ns.select(201, Some(&mut bad), None, None, Some(Duration::ZERO)),
        Err(Errno::EBADF)
    );
    assert_eq!(ns.select(-1, None, None, None, None), Err(Errno::EINVAL));
    // A timeout with nothing ready.
    let start = Instant::now();
    let mut quiet = FdSet::new();
    quiet.set(receivers[0]);
    assert_eq!(
        ns.select(
            nfds,
            Some(&mut quiet),
            None,
            None,
            Some(Duration::from_millis(100))
        ),
        Ok(0)
    );
    assert!(start.elapsed() >= Duration::from_millis(90));
    for fd in receivers.into_iter().chain([sender]) {
        ns.close(fd).expect("close");
    }
}

#[test]
fn fcntl_access_mode_follows_shutdown_and_peer_close() {
    let ns = stack();
    let (l, c, a) = pair(&ns, 8501);
    assert_eq!(ns.fcntl(c, F_GETFL, 0), Ok(O_RDWR));
    ns.shutdown(c, SHUT_WR).expect("shutdown");
    assert_eq!(ns.fcntl(c, F_GETFL, 0), Ok(O_RDONLY), "after SHUT_WR");
    assert_eq!(ns.send(c, b"x", 0), Err(Errno::ESHUTDOWN));
    // The peer sees EOF; its side can still send.
    let mut buf = [0u8; 4];
    assert_eq!(ns.recv(a, &mut buf, 0), Ok(0));
    assert_eq!(
        ns.fcntl(a, F_GETFL, 0),
        Ok(O_WRONLY),
        "after the peer closed"
    );
    assert_eq!(ns.fcntl(a, F_SETFL, O_NONBLOCK | O_RDWR), Ok(0));
    assert_eq!(ns.fcntl(a, F_GETFL, 0), Ok(O_WRONLY | O_NONBLOCK));
    assert_eq!(ns.fcntl(a, F_SETFL, 0x100), Err(Errno::ENOSYS));
    assert_eq!(ns.fcntl(a, 99, 0), Err(Errno::ENOSYS));
    let mut arg = 0;
    assert_eq!(ns.ioctl(a, 0x1234, &mut arg), Err(Errno::EINVAL));
    ns.send(a, b"bye", 0).expect("half-closed send");
    assert_eq!(ns.recv(c, &mut buf, 0), Ok(3));
    let mut avail = 0;
    ns.send(a, b"more", 0).expect("send");
    wait_readable(&ns, c);
    ns.ioctl(c, FIONREAD, &mut avail).expect("FIONREAD");
    assert_eq!(avail, 4);
    for fd in [l, c, a] {
        ns.close(fd).expect("close");
    }
}

#[test]
fn socket_options() {
    let ns = stack();
    let t = tcp(&ns);
    let u = udp(&ns);
    assert_eq!(ns.getsockopt_int(t, SOL_SOCKET, SO_TYPE), Ok(SOCK_STREAM));
    assert_eq!(ns.getsockopt_int(u, SOL_SOCKET, SO_TYPE), Ok(SOCK_DGRAM));
    for (name, value) in [
        (TCP_NODELAY, 1),
        (TCP_KEEPIDLE, 30),
        (TCP_KEEPINTVL, 5),
        (TCP_KEEPCNT, 4),
    ] {
        ns.setsockopt_int(t, IPPROTO_TCP, name, value).expect("set");
        assert_eq!(ns.getsockopt_int(t, IPPROTO_TCP, name), Ok(value));
    }
    ns.setsockopt_int(t, IPPROTO_TCP, TCP_KEEPALIVE, 12_000)
        .expect("TCP_KEEPALIVE ms");
    assert_eq!(ns.getsockopt_int(t, IPPROTO_TCP, TCP_KEEPIDLE), Ok(12));
    assert_eq!(
        ns.setsockopt_int(t, IPPROTO_TCP, TCP_KEEPCNT, 0),
        Err(Errno::EINVAL)
    );
    ns.setsockopt_int(t, SOL_SOCKET, SO_KEEPALIVE, 1)
        .expect("SO_KEEPALIVE");
    assert_eq!(ns.getsockopt_int(t, SOL_SOCKET, SO_KEEPALIVE), Ok(1));
    assert_eq!(
        ns.setsockopt_int(u, IPPROTO_TCP, TCP_NODELAY, 1),
        Err(Errno::ENOPROTOOPT)
    );
    assert_eq!(
        ns.setsockopt_int(t, SOL_SOCKET, 0x7777, 1),
        Err(Errno::ENOPROTOOPT)
    );
    assert_eq!(ns.setsockopt_int(t, 99, 1, 1), Err(Errno::ENOPROTOOPT));

    for (name, value) in [(IP_TTL, 33), (IP_TOS, 0x10)] {
        ns.setsockopt_int(u, IPPROTO_IP, name, value).expect("set");
        assert_eq!(ns.getsockopt_int(u, IPPROTO_IP, name), Ok(value));
    }
    ns.setsockopt_int(u, SOL_SOCKET, SO_BROADCAST, 1)
        .expect("SO_BROADCAST");
    assert_eq!(ns.getsockopt_int(u, SOL_SOCKET, SO_BROADCAST), Ok(1));
    ns.setsockopt_int(u, SOL_SOCKET, SO_NO_CHECK, 1)
        .expect("SO_NO_CHECK");
    assert_eq!(ns.getsockopt_int(u, SOL_SOCKET, SO_NO_CHECK), Ok(1));
    ns.setsockopt(u, IPPROTO_IP, IP_MULTICAST_TTL, &[4])
        .expect("ttl");
    assert_eq!(ns.getsockopt_int(u, IPPROTO_IP, IP_MULTICAST_TTL), Ok(4));
    ns.setsockopt(u, IPPROTO_IP, IP_MULTICAST_LOOP, &[1])
        .expect("loop");
    assert_eq!(ns.getsockopt_int(u, IPPROTO_IP, IP_MULTICAST_LOOP), Ok(1));
    ns.setsockopt(u, IPPROTO_IP, IP_MULTICAST_IF, &[127, 0, 0, 1])
        .expect("if");
    let mut addr = [0u8; 4];
    assert_eq!(
        ns.getsockopt(u, IPPROTO_IP, IP_MULTICAST_IF, &mut addr),
        Ok(4)
    );
    assert_eq!(addr, [127, 0, 0, 1]);
    let mut mreq = [0u8; 8];
    mreq[..4].copy_from_slice(&[10, 0, 0, 1]);
    assert_eq!(
        ns.setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq),
        Err(Errno::EINVAL),
        "not a group"
    );
    mreq[..4].copy_from_slice(&[239, 1, 2, 3]);
    mreq[4..].copy_from_slice(&[10, 9, 9, 9]);
    assert_eq!(
        ns.setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq),
        Err(Errno::EADDRNOTAVAIL)
    );

    let linger = Linger {
        l_onoff: 1,
        l_linger: 0,
    }
    .to_bytes();
    let r = ns.setsockopt(t, SOL_SOCKET, SO_LINGER, &linger);
    let rcvbuf = ns.setsockopt_int(u, SOL_SOCKET, SO_RCVBUF, 100);
    let pktinfo = ns.setsockopt_int(u, IPPROTO_IP, IP_PKTINFO, 1);
    assert_eq!(r.is_ok(), config::SO_LINGER);
    assert_eq!(rcvbuf.is_ok(), config::SO_RCVBUF);
    assert_eq!(pktinfo.is_ok(), config::NETBUF_RECVINFO);
    if !config::SO_LINGER {
        assert_eq!(r, Err(Errno::ENOPROTOOPT));
    }
    // Read-only options.
    assert_eq!(
        ns.setsockopt_int(t, SOL_SOCKET, SO_ERROR, 0),
        Err(Errno::ENOPROTOOPT)
    );
    let mut short = [0u8; 2];
    assert_eq!(
        ns.getsockopt(t, SOL_SOCKET, SO_TYPE, &mut short),
        Err(Errno::EINVAL)
    );
    ns.close(t).expect("close");
    ns.close(u).expect("close");
}

#[test]
fn udp_multicast_loop_and_pktinfo() {
    let ns = stack();
    let r = udp(&ns);
    ns.bind(r, SocketAddr::from((Ipv4Addr::UNSPECIFIED, 8601)))
        .expect("bind");
    let mut mreq = [0u8; 8];
    mreq[..4].copy_from_slice(&[239, 1, 2, 3]);
    mreq[4..].copy_from_slice(&[127, 0, 0, 1]);
    let joined = ns.setsockopt(r, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq);
    if !config::IGMP {
        // Without IGMP there is no group to join; the call must say so, not pretend.
        assert!(joined.is_err(), "IP_ADD_MEMBERSHIP succeeded without IGMP");
        return;
    }
    joined.expect("IP_ADD_MEMBERSHIP on the loopback interface (IGMP is on)");
    if config::NETBUF_RECVINFO {
        ns.setsockopt_int(r, IPPROTO_IP, IP_PKTINFO, 1)
            .expect("IP_PKTINFO");
    }
    let s = udp(&ns);
    ns.setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &[127, 0, 0, 1])
        .expect("if");
    ns.setsockopt(s, IPPROTO_IP, IP_MULTICAST_LOOP, &[1])
        .expect("loop");
    ns.sendto(s, b"group", 0, SocketAddr::from(([239, 1, 2, 3], 8601)))
        .expect("send");
    let tv = Timeval {
        tv_sec: 2,
        tv_usec: 0,
    };
    ns.setsockopt(r, SOL_SOCKET, SO_RCVTIMEO, &tv.to_bytes())
        .expect("timeout");
    let mut buf = [0u8; 16];
    let msg = ns
        .recvmsg(r, &mut [IoSliceMut::new(&mut buf)], 0)
        .expect("multicast looped back");
    assert_eq!(&buf[..msg.len], b"group");
    if config::NETBUF_RECVINFO {
        assert_eq!(
            msg.pktinfo.map(|p| p.addr),
            Some(Ipv4Addr::new(239, 1, 2, 3))
        );
    }
    ns.setsockopt(r, IPPROTO_IP, IP_DROP_MEMBERSHIP, &mreq)
        .expect("drop");
    ns.close(r).expect("close");
    ns.close(s).expect("close");
}

#[test]
fn calls_from_inside_the_core_do_not_deadlock() {
    let ns = stack();
    let inner = ns.clone();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        ns.call(move |_core| inner.socket(AF_INET, SOCK_DGRAM, 0))
    }));
    let panicked = outcome.is_err();
    assert_eq!(
        panicked,
        config::CHECK_THREAD_SAFETY,
        "panics only with check_thread_safety"
    );
    if let Ok(result) = outcome {
        assert_eq!(result, Ok(Err(Errno::EDEADLK)));
    }
    // The stack still works afterwards.
    let u = udp(&ns);
    ns.close(u).expect("close");
}

#[test]
fn timers_stop_and_restart() {
    let ns = stack();
    assert!(ns.timeouts_running());
    ns.timeouts_deinit();
    assert!(!ns.timeouts_running());
    // With timers (and polling) stopped, a loopback connect cannot complete.
    let l = tcp(&ns);
    ns.bind(l, lo(8701)).expect("bind");
    ns.listen(l, 1).expect("listen");
    let c = tcp(&ns);
    ns.fcntl(c, F_SETFL, O_NONBLOCK).expect("nonblock");
    assert_eq!(ns.connect(c, lo(8701)), Err(Errno::EINPROGRESS));
    thread::sleep(Duration::from_millis(100));
    let mut w = FdSet::new();
    w.set(c);
    assert_eq!(
        ns.select(c + 1, None, Some(&mut w), None, Some(Duration::ZERO)),
        Ok(0)
    );
    ns.timeouts_init();
    let mut w = FdSet::new();
    w.set(c);
    assert_eq!(
        ns.select(
            c + 1,
            None,
            Some(&mut w),
            None,
            Some(Duration::from_secs(5))
        ),
        Ok(1)
    );
    ns.close(c).expect("close");
    ns.close(l).expect("close");
}

#[test]
fn so_linger_zero_resets_and_a_positive_linger_waits_for_the_ack() {
    let ns = stack();
    let (l, c, a) = pair(&ns, 8801);
    let zero = Linger {
        l_onoff: 1,
        l_linger: 0,
    };
    let set = ns.setsockopt(c, SOL_SOCKET, SO_LINGER, &zero.to_bytes());
    if !config::SO_LINGER {
        assert_eq!(set, Err(Errno::ENOPROTOOPT));
        return;
    }
    set.expect("SO_LINGER");
    let mut out = [0u8; 8];
    assert_eq!(ns.getsockopt(c, SOL_SOCKET, SO_LINGER, &mut out), Ok(8));
    assert_eq!(Linger::from_bytes(&out), Some(zero));
    ns.close(c).expect("close");
    // The peer sees a reset, not an orderly EOF.
    let mut buf = [0u8; 4];
    assert_eq!(ns.recv(a, &mut buf, 0), Err(Errno::ECONNRESET));
    ns.close(a).expect("close");

    // A positive linger: close returns once the queued data is acknowledged.
    let c = tcp(&ns);
    ns.connect(c, lo(8801)).expect("connect");
    let (a, _) = ns.accept(l).expect("accept");
    let two = Linger {
        l_onoff: 1,
        l_linger: 2,
    };
    ns.setsockopt(c, SOL_SOCKET, SO_LINGER, &two.to_bytes())
        .expect("SO_LINGER");
    let data = vec![7u8; 20_000];
    let ns2 = ns.clone();
    let reader = thread::spawn(move || {
        let mut got = 0;
        let mut buf = [0u8; 4096];
        loop {
            match ns2.recv(a, &mut buf, 0) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) => panic!("recv: {e}"),
            }
        }
        ns2.close(a).expect("close");
        got
    });
    assert_eq!(ns.send(c, &data, 0), Ok(data.len()));
    ns.close(c).expect("close with linger");
    assert_eq!(reader.join().expect("reader"), data.len(), "nothing lost");
    ns.close(l).expect("close");
}

#[test]
fn so_rcvbuf_bounds_what_a_udp_socket_queues() {
    let ns = stack();
    let r = udp(&ns);
    ns.bind(r, lo(8901)).expect("bind");
    let set = ns.setsockopt_int(r, SOL_SOCKET, SO_RCVBUF, 100);
    if !config::SO_RCVBUF {
        assert_eq!(set, Err(Errno::ENOPROTOOPT));
        return;
    }
    set.expect("SO_RCVBUF");
    assert_eq!(ns.getsockopt_int(r, SOL_SOCKET, SO_RCVBUF), Ok(100));
    let s = udp(&ns);
    // Three 60-byte datagrams: the second makes 120 queued bytes, the third is dropped.
    for i in 0..3u8 {
        ns.sendto(s, &[i; 60], 0, lo(8901)).expect("send");
        // Let each arrive before the next (loopback is processed by the thread).
        thread::sleep(Duration::from_millis(30));
    }
    let tv = Timeval {
        tv_sec: 0,
        tv_usec: 200_000,
    };
    ns.setsockopt(r, SOL_SOCKET, SO_RCVTIMEO, &tv.to_bytes())
        .expect("timeout");
    let mut buf = [0u8; 100];
    assert_eq!(ns.recv(r, &mut buf, 0), Ok(60));
    assert_eq!(buf[0], 0);
    assert_eq!(ns.recv(r, &mut buf, 0), Ok(60));
    assert_eq!(buf[0], 1);
    assert_eq!(
        ns.recv(r, &mut buf, 0),
        Err(Errno::EAGAIN),
        "the third was dropped"
    );
    ns.close(r).expect("close");
    ns.close(s).expect("close");
}

#[test]
fn so_sndtimeo_bounds_a_send_into_a_full_window() {
    let ns = stack();
    let (l, c, a) = pair(&ns, 9001);
    let tv = Timeval {
        tv_sec: 0,
        tv_usec: 200_000,
    };
    ns.setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv.to_bytes())
        .expect("SO_SNDTIMEO");
    let mut out = [0u8; Timeval::SIZE];
    ns.getsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &mut out)
        .expect("get");
    assert_eq!(Timeval::from_bytes(&out), Some(tv));
    // Nobody reads `a`: the peer's window and our send buffer fill up. A send queues what
    // fits and returns that count when the timeout passes; once nothing fits any more, a
    // send waits the timeout and says EAGAIN.
    let big = vec![1u8; 4 * 1024 * 1024];
    let first = ns.send(c, &big, 0).expect("partial send");
    assert!(first > 0 && first < big.len(), "{first}");
    let mut timed_out = None;
    for _ in 0..20 {
        let start = Instant::now();
        match ns.send(c, &big, 0) {
            Ok(n) => assert!(n < big.len(), "{n}"),
            Err(e) => {
                timed_out = Some((e, start.elapsed()));
                break;
            }
        }
    }
    let (e, waited) = timed_out.expect("the window stays closed: EAGAIN");
    assert_eq!(e, Errno::EAGAIN);
    assert!(
        waited >= Duration::from_millis(190) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    for fd in [l, c, a] {
        ns.close(fd).expect("close");
    }
}
