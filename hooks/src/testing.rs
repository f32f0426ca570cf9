//! Helpers for the unit tests: packets and interface views.

use alloc::boxed::Box;
use alloc::vec::Vec;

use netstack::phy::{LinkConfig, VirtualLink};
use netstack::wire::{EthernetAddress, IpProtocol, Ipv4Addr, Ipv4Cidr};
use netstack::{NetifConfig, NetifInfo, Stack, StackConfig};

/// An address.
pub(crate) fn ip(a: u8, b: u8, c: u8, d: u8) -> Ipv4Addr {
    Ipv4Addr::new(a, b, c, d)
}

/// A prefix.
pub(crate) fn cidr(a: u8, b: u8, c: u8, d: u8, len: u8) -> Ipv4Cidr {
    Ipv4Cidr::new(ip(a, b, c, d), len).expect("valid prefix")
}

/// A 20-byte-header IPv4 packet carrying `payload` (checksum not filled: hooks don't check).
pub(crate) fn ipv4_packet(
    src: Ipv4Addr,
    dst: Ipv4Addr,
    protocol: IpProtocol,
    payload: &[u8],
) -> Vec<u8> {
    let mut p = alloc::vec![0u8; 20];
    p[0] = 0x45;
    let total = u16::try_from(20 + payload.len()).expect("small");
    p[2..4].copy_from_slice(&total.to_be_bytes());
    p[8] = 64;
    p[9] = u8::from(protocol);
    p[12..16].copy_from_slice(&src.octets());
    p[16..20].copy_from_slice(&dst.octets());
    p.extend_from_slice(payload);
    p
}

/// Runs `f` with the view of a real Ethernet interface (10.0.0.1/24).
pub(crate) fn with_netif(f: impl FnOnce(&NetifInfo<'_>)) {
    let link = VirtualLink::new(LinkConfig::default());
    let mut stack = Stack::new(StackConfig::default());
    let id = stack
        .add_netif(
            NetifConfig::new("eth0")
                .with_mac(EthernetAddress([2, 0, 0, 0, 0, 1]))
                .with_ipv4(cidr(10, 0, 0, 1, 24)),
            Box::new(link.port()),
        )
        .expect("netif");
    f(&stack.netif(id).expect("info"));
}
