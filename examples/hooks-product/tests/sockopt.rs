//! The product's socket option hooks (`sockets_setsockopt`/`sockets_getsockopt`, `custom` in
//! its netstack.toml) through `NetStack::setsockopt`/`getsockopt` on a running stack, over
//! loopback: its own option is accepted and read back, `SO_BROADCAST` is refused with the
//! product's errno, and every other option behaves as the stack's.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use hooks_product::{BROADCAST_FORBIDDEN, PRODUCT_TAG, ProductHooks, SOL_PRODUCT};
use netstack::api::sockets::*;
use netstack::api::{Errno, Fd, NetStack, errno};
use netstack::hooks::enabled;
use netstack::{Stack, StackConfig};
use netstack_hooks::filter::PacketFilter;

fn stack() -> NetStack<ProductHooks> {
    let hooks = ProductHooks::new(PacketFilter::default());
    NetStack::start(Stack::with_hooks(StackConfig { random_seed: 3 }, hooks)).expect("tcpip thread")
}

fn lo(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

fn tcp(ns: &NetStack<ProductHooks>) -> Fd {
    ns.socket(AF_INET, SOCK_STREAM, 0).expect("socket")
}

fn udp(ns: &NetStack<ProductHooks>) -> Fd {
    ns.socket(AF_INET, SOCK_DGRAM, 0).expect("socket")
}

#[test]
fn the_points_are_called_in_this_build() {
    const { assert!(enabled::SOCKETS_SETSOCKOPT && enabled::SOCKETS_GETSOCKOPT) };
}

#[test]
fn the_product_option_is_accepted_and_read_back() {
    let ns = stack();
    let (t, u) = (tcp(&ns), udp(&ns));
    // Unset: 0.
    assert_eq!(ns.getsockopt_int(t, SOL_PRODUCT, PRODUCT_TAG), Ok(0));
    ns.setsockopt_int(t, SOL_PRODUCT, PRODUCT_TAG, 42)
        .expect("product option on TCP");
    ns.setsockopt_int(u, SOL_PRODUCT, PRODUCT_TAG, -7)
        .expect("product option on UDP");
    assert_eq!(ns.getsockopt_int(t, SOL_PRODUCT, PRODUCT_TAG), Ok(42));
    assert_eq!(ns.getsockopt_int(u, SOL_PRODUCT, PRODUCT_TAG), Ok(-7));
    // Read into a larger buffer: the hook's length (4) is what the call returns.
    let mut out = [0xffu8; 16];
    assert_eq!(ns.getsockopt(t, SOL_PRODUCT, PRODUCT_TAG, &mut out), Ok(4));
    assert_eq!(out[..4], 42i32.to_ne_bytes());
    // The hook's own errors come back as errno, and are recorded as errno().
    assert_eq!(
        ns.setsockopt(t, SOL_PRODUCT, PRODUCT_TAG, &[1, 2]),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        ns.getsockopt(t, SOL_PRODUCT, PRODUCT_TAG, &mut [0u8; 2]),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        ns.setsockopt_int(t, SOL_PRODUCT, 2, 1),
        Err(Errno::ENOPROTOOPT)
    );
    assert_eq!(errno(), Errno::ENOPROTOOPT.code());
    assert_eq!(
        ns.getsockopt_int(u, SOL_PRODUCT, 2),
        Err(Errno::ENOPROTOOPT)
    );
    // A failed set left the value alone.
    assert_eq!(ns.getsockopt_int(t, SOL_PRODUCT, PRODUCT_TAG), Ok(42));
    // Without the hook the stack knows no such level.
    assert_eq!(
        ns.setsockopt_int(t, SOL_PRODUCT + 1, PRODUCT_TAG, 1),
        Err(Errno::ENOPROTOOPT)
    );
    // The hook runs for sockets only: a bad descriptor is the stack's EBADF.
    assert_eq!(
        ns.setsockopt_int(999, SOL_PRODUCT, PRODUCT_TAG, 1),
        Err(Errno::EBADF)
    );
    assert_eq!(
        ns.getsockopt_int(999, SOL_PRODUCT, PRODUCT_TAG),
        Err(Errno::EBADF)
    );
    ns.close(t).expect("close");
    ns.close(u).expect("close");
}

#[test]
fn a_forbidden_standard_option_fails_with_the_products_errno() {
    let ns = stack();
    let u = udp(&ns);
    assert_eq!(
        ns.setsockopt_int(u, SOL_SOCKET, SO_BROADCAST, 1),
        Err(BROADCAST_FORBIDDEN)
    );
    assert_eq!(errno(), Errno::EPERM.code());
    // Reading it is left to the stack, which never saw the set: still off.
    assert_eq!(ns.getsockopt_int(u, SOL_SOCKET, SO_BROADCAST), Ok(0));
    // So sending to the broadcast address is refused as without SO_BROADCAST.
    ns.bind(u, lo(0)).expect("bind");
    assert!(
        ns.sendto(u, b"x", 0, SocketAddr::from((Ipv4Addr::BROADCAST, 9999)))
            .is_err()
    );
    ns.close(u).expect("close");
}

#[test]
fn continue_leaves_the_standard_options_to_the_stack() {
    let ns = stack();
    let u = udp(&ns);
    let t = tcp(&ns);
    // int options, set and read back through the stack.
    ns.setsockopt_int(u, IPPROTO_IP, IP_TTL, 17)
        .expect("IP_TTL");
    assert_eq!(ns.getsockopt_int(u, IPPROTO_IP, IP_TTL), Ok(17));
    ns.setsockopt_int(t, IPPROTO_TCP, TCP_NODELAY, 1)
        .expect("TCP_NODELAY");
    assert_eq!(ns.getsockopt_int(t, IPPROTO_TCP, TCP_NODELAY), Ok(1));
    assert_eq!(ns.getsockopt_int(t, SOL_SOCKET, SO_TYPE), Ok(SOCK_STREAM));
    // The stack's own errors.
    assert_eq!(
        ns.setsockopt_int(t, IPPROTO_IP, IP_TTL, 17),
        Err(Errno::ENOPROTOOPT)
    );
    assert_eq!(
        ns.setsockopt_int(u, IPPROTO_IP, IP_TTL, 300),
        Err(Errno::EINVAL)
    );
    let mut short = [0u8; 8];
    assert_eq!(
        ns.getsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &mut short),
        Err(Errno::EINVAL)
    );
    // And the option takes effect: a receive timeout set through the hook's Continue.
    ns.bind(u, lo(47001)).expect("bind");
    let tv = Timeval {
        tv_sec: 0,
        tv_usec: 150_000,
    };
    ns.setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv.to_bytes())
        .expect("SO_RCVTIMEO");
    let mut out = [0u8; Timeval::SIZE];
    assert_eq!(ns.getsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &mut out), Ok(16));
    assert_eq!(Timeval::from_bytes(&out), Some(tv));
    let start = Instant::now();
    let mut buf = [0u8; 8];
    assert_eq!(ns.recv(u, &mut buf, 0), Err(Errno::EAGAIN));
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(140) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    // Data still flows on the socket.
    let sender = udp(&ns);
    ns.sendto(sender, b"hello", 0, lo(47001)).expect("sendto");
    assert_eq!(ns.recv(u, &mut buf, 0), Ok(5));
    assert_eq!(&buf[..5], b"hello");
    for fd in [u, t, sender] {
        ns.close(fd).expect("close");
    }
}
