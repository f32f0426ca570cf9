//! The product's stack running on its TCP/IP thread, over the built-in loopback: datagrams to
//! the telnet port are dropped by the product's hook, others arrive, and the counters (read
//! through the running stack) saw both.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use netstack::api::{NetStack, UdpSocket};
use product_template::{TELNET_PORT, stack};

fn lo(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

#[test]
fn telnet_is_dropped_and_counted() {
    let ns = NetStack::start(stack(7)).expect("start the TCP/IP thread");
    let echo = UdpSocket::bind(&ns, lo(7000)).expect("bind");
    let telnet = UdpSocket::bind(&ns, lo(TELNET_PORT)).expect("bind telnet");
    telnet
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");
    echo.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");

    echo.send_to(b"hello", lo(7000)).expect("send");
    let mut buf = [0u8; 16];
    assert_eq!(echo.recv_from(&mut buf).expect("received").0, 5);
    echo.send_to(b"login", lo(TELNET_PORT)).expect("send");
    assert!(telnet.recv_from(&mut buf).is_err(), "the hook dropped it");

    let packets = ns
        .hooks(|hooks| hooks.counters.total().packets)
        .expect("read the counters");
    assert_eq!(packets, 2);
}
