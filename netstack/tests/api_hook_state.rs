//! Reading and changing a hook's state while `NetStack` runs the stack: `NetStack::hooks`
//! reaches the hooks value on the TCP/IP thread (the stack itself is no longer the caller's).

#![cfg(not(netstack_hook_ip4_input = "none"))]

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use netstack::api::{NetStack, UdpSocket};
use netstack::hooks::{Hooks, InputVerdict};
use netstack::wire::Ipv4Packet;
use netstack::{NetifInfo, Stack, StackConfig, config};

/// Counts the IPv4 packets it sees; takes them all while `closed`.
#[derive(Default)]
struct Gate {
    seen: u64,
    closed: bool,
}

impl Hooks for Gate {
    fn ip4_input(&mut self, _: &Ipv4Packet<&[u8]>, _: &NetifInfo<'_>) -> InputVerdict {
        self.seen += 1;
        if self.closed {
            InputVerdict::Consumed
        } else {
            InputVerdict::Continue
        }
    }
}

fn lo(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

#[test]
fn hook_state_is_read_and_changed_through_the_running_stack() {
    if !config::NETIF_LOOPBACK {
        return;
    }
    let ns =
        NetStack::start(Stack::with_hooks(StackConfig::default(), Gate::default())).expect("start");
    let socket = UdpSocket::bind(&ns, lo(9301)).expect("bind");
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    socket.send_to(b"one", lo(9301)).expect("send");
    let mut buf = [0u8; 8];
    assert_eq!(socket.recv_from(&mut buf).expect("recv").0, 3);
    assert_eq!(ns.hooks(|gate| gate.seen).expect("hooks"), 1);

    // Changed from the application: the next datagram is taken by the hook.
    ns.hooks(|gate| gate.closed = true).expect("hooks");
    socket.send_to(b"two", lo(9301)).expect("send");
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");
    assert!(socket.recv_from(&mut buf).is_err(), "the hook took it");
    assert_eq!(ns.hooks(|gate| gate.seen).expect("hooks"), 2);
}
