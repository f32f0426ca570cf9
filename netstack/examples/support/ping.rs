//! Shared by the `hook_cost*` examples: the frames and the measuring loop.

use netstack::hooks::Hooks;
use netstack::phy::{LinkConfig, VirtualLink};
use netstack::time::Instant;
use netstack::wire::{EthernetAddress, Ipv4Addr, Ipv4Cidr};
use netstack::{NetifConfig, Stack};

const OUR_MAC: [u8; 6] = [2, 0, 0, 0, 0, 2];
const PEER_MAC: [u8; 6] = [2, 0, 0, 0, 0, 1];
const OUR_IP: [u8; 4] = [192, 0, 2, 2];
const PEER_IP: [u8; 4] = [192, 0, 2, 1];

/// The Internet checksum (RFC 1071).
fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = data
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// An ARP request from the peer for our address (teaches the stack the peer's MAC).
fn arp_frame() -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&[0xff; 6]);
    f.extend_from_slice(&PEER_MAC);
    f.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 1]);
    f.extend_from_slice(&PEER_MAC);
    f.extend_from_slice(&PEER_IP);
    f.extend_from_slice(&[0; 6]);
    f.extend_from_slice(&OUR_IP);
    f.resize(60, 0);
    f
}

/// An ICMP echo request from the peer to us.
fn ping_frame() -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&OUR_MAC);
    f.extend_from_slice(&PEER_MAC);
    f.extend_from_slice(&[0x08, 0x00]);
    let mut ip = vec![0x45, 0, 0, 36, 0, 1, 0x40, 0, 64, 1, 0, 0];
    ip.extend_from_slice(&PEER_IP);
    ip.extend_from_slice(&OUR_IP);
    let c = checksum(&ip);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    let mut icmp = vec![8, 0, 0, 0, 0x12, 0x34, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8];
    let c = checksum(&icmp);
    icmp[2..4].copy_from_slice(&c.to_be_bytes());
    f.extend_from_slice(&ip);
    f.extend_from_slice(&icmp);
    f.resize(60, 0);
    f
}

/// Feeds `n` pings to `stack` and prints its counters.
pub fn run<H: Hooks>(mut stack: Stack<H>, n: u64) {
    let link = VirtualLink::new(LinkConfig::default());
    let [a, b, c, d] = OUR_IP;
    let id = stack
        .add_netif(
            NetifConfig::new("eth0")
                .with_mac(EthernetAddress(OUR_MAC))
                .with_ipv4(Ipv4Cidr::new(Ipv4Addr::new(a, b, c, d), 24).expect("prefix")),
            // The only port of its link: what the stack sends reaches no one.
            Box::new(link.port()),
        )
        .expect("netif");
    stack.input(id, &arp_frame(), Instant::from_millis(1));
    let ping = ping_frame();
    for i in 0..n {
        stack.input(id, &ping, Instant::from_millis(1 + i / 1000));
    }
    let s = stack.stats();
    println!(
        "{n} echo requests: link rx {} tx {}, ip dropped {}",
        s.link.rx, s.link.tx, s.ip.dropped
    );
}
