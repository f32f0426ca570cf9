//! The whole receive path: arbitrary frames into `Stack::input` of a stack with one
//! Ethernet interface (a UDP socket bound, a group joined, a static ARP entry, a TCP
//! listener on port 80 whose connections are accepted, read and written, a DHCP client
//! discovering), with time
//! advancing and timers running between frames. It must never panic.
//!
//! Input: a sequence of frames, each a 2-byte big-endian length then that many bytes (a
//! short tail is one last frame), so one run can build up ARP, reassembly and IGMP state.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netstack::phy::{ChecksumOffload, Device, DeviceCapabilities, DeviceError, Medium};
use netstack::time::{Duration, Instant};
use netstack::wire::{EthernetAddress, IpEndpoint, Ipv4Addr, Ipv4Cidr};
use netstack::{NetifConfig, Stack, StackConfig};

/// A device that receives nothing and accepts every frame.
struct Sink;

impl Device for Sink {
    fn capabilities(&self) -> DeviceCapabilities {
        DeviceCapabilities {
            medium: Medium::Ethernet,
            mtu: 1500,
            checksum: ChecksumOffload::default(),
        }
    }
    fn receive(&mut self, _: &mut [u8], _: Instant) -> Result<Option<usize>, DeviceError> {
        Ok(None)
    }
    fn transmit(&mut self, _: &[u8], _: Instant) -> Result<(), DeviceError> {
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    let mut stack = Stack::new(StackConfig { random_seed: 1 });
    let cidr = Ipv4Cidr::new(Ipv4Addr::new(192, 0, 2, 2), 24).expect("valid");
    let netif = stack
        .add_netif(
            NetifConfig::new("fz")
                .with_mac(EthernetAddress([2, 0, 0, 0, 0, 2]))
                .with_ipv4(cidr)
                .with_gateway(Ipv4Addr::new(192, 0, 2, 1)),
            Box::new(Sink),
        )
        .expect("netif");
    let _ = stack.dhcp_start(netif);
    let udp = stack.udp_open().expect("udp");
    stack
        .udp_bind(udp, IpEndpoint::new(Ipv4Addr::UNSPECIFIED.into(), 7))
        .expect("bind");
    let _ = stack.udp_join_multicast(udp, Some(netif), Ipv4Addr::new(239, 1, 2, 3));
    let _ = stack.arp_add_static(
        netif,
        Ipv4Addr::new(192, 0, 2, 9),
        EthernetAddress([2, 0, 0, 0, 0, 9]),
    );
    let listener = stack
        .tcp_listen(IpEndpoint::new(Ipv4Addr::UNSPECIFIED.into(), 80))
        .expect("listen");
    let mut conns = Vec::new();
    let mut now = Instant::from_secs(1);
    stack.poll(now);
    let mut rest = data;
    while !rest.is_empty() {
        let (frame, tail) = match rest {
            [a, b, tail @ ..] => {
                let len = (usize::from(*a) << 8 | usize::from(*b)).min(tail.len());
                tail.split_at(len)
            }
            _ => (rest, &[][..]),
        };
        rest = tail;
        stack.input(netif, frame, now);
        while stack.udp_recv_from(udp).is_ok() {}
        while let Ok(c) = stack.tcp_accept(listener) {
            conns.push(c);
        }
        let mut buf = [0u8; 512];
        for &c in &conns {
            while matches!(stack.tcp_recv(c, &mut buf), Ok(n) if n > 0) {}
            let _ = stack.tcp_send(c, b"reply");
        }
        now += Duration::from_millis(250);
        stack.poll(now);
    }
    // Let every timer run out.
    for _ in 0..10 {
        match stack.next_deadline() {
            Some(t) => {
                now = now.max(t);
                stack.poll(now);
            }
            None => break,
        }
    }
});
