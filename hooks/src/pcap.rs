//! A packet capture tap as an `ip4_input` observer: every IPv4 packet the stack receives,
//! as a pcap stream (`LINKTYPE_RAW`) that Wireshark, tshark and tcpdump read.
//!
//! The tap sees what the `ip4_input` hook point sees: each received datagram, after the
//! length checks and before anything else (so also packets the stack later drops, and
//! fragments before reassembly). No hook point sees whole outgoing packets (the TCP option
//! hooks see headers only), so for both directions wrap the device in
//! `netstack::phy::PcapDevice` instead (std).
//!
//! Hooks get no clock: the tap stamps packets with the time given to
//! [`PcapTap::set_time`], which a product calls with the `now` it passes to `Stack::poll`
//! and `Stack::input`. The capture is kept in memory up to a byte limit (packets beyond it
//! are counted, not kept); [`PcapTap::take`] hands out what was recorded so far, and the
//! pieces concatenated are one valid pcap file.
//!
//! Format: a 24-byte global header (magic `0xa1b2c3d4` little-endian, version 2.4,
//! microsecond timestamps, link type 101), then per packet a 16-byte record header
//! (seconds, microseconds, captured and original length) and the packet.

use alloc::vec::Vec;

use netstack::NetifInfo;
use netstack::hooks::InputVerdict;
use netstack::time::Instant;
use netstack::wire::Ipv4Packet;

/// `LINKTYPE_RAW`: each packet is a bare IPv4 (or IPv6) datagram.
pub const LINKTYPE_RAW: u32 = 101;

/// Length of the pcap global header.
pub const FILE_HEADER_LEN: usize = 24;

/// Length of a pcap record header.
pub const RECORD_HEADER_LEN: usize = 16;

/// Records received IPv4 packets as a pcap stream in memory.
///
/// Reading it: [`packets`](Self::packets), [`overflow`](Self::overflow),
/// [`bytes`](Self::bytes) and [`take`](Self::take) (the capture so far, as a pcap file),
/// through `NetStack::hooks` (or `stack.hooks()` / `hooks_mut()` between polls).
///
/// ```
/// use std::net::{Ipv4Addr, SocketAddr};
/// use netstack::api::{NetStack, UdpSocket};
/// use netstack::{Stack, StackConfig};
/// use netstack_hooks::pcap::{FILE_HEADER_LEN, PcapTap, RECORD_HEADER_LEN};
///
/// netstack::hooks! {
///     struct ProductHooks {
///         tap: PcapTap,
///     }
///     ip4_input => self.tap,
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let hooks = ProductHooks { tap: PcapTap::new(64 * 1024) };
/// let ns = NetStack::start(Stack::with_hooks(StackConfig::default(), hooks))?;
/// # if !netstack::config::NETIF_LOOPBACK { return Ok(()); }
/// let lo = SocketAddr::from((Ipv4Addr::LOCALHOST, 7));
/// let socket = UdpSocket::bind(&ns, lo)?;
/// socket.send_to(b"ping", lo)?;
/// socket.recv_from(&mut [0u8; 8])?;
/// assert_eq!(ns.hooks(|h| (h.tap.packets(), h.tap.overflow()))?, (1, 0));
/// let pcap: Vec<u8> = ns.hooks(|h| h.tap.take())?; // write it to a .pcap file
/// assert_eq!(pcap.len(), FILE_HEADER_LEN + RECORD_HEADER_LEN + 32);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcapTap {
    buf: Vec<u8>,
    /// Bytes recorded in total (taken or not), file header included.
    recorded: usize,
    limit: usize,
    snaplen: u32,
    now: Instant,
    packets: u64,
    overflow: u64,
}

impl PcapTap {
    /// A tap that keeps at most `limit` bytes of capture (file header included; the
    /// header is always kept), each packet cut to 65535 bytes.
    pub fn new(limit: usize) -> PcapTap {
        Self::with_snaplen(limit, 65535)
    }

    /// As [`new`](Self::new), with each packet cut to `snaplen` bytes (the pcap snapshot
    /// length; at least 1).
    pub fn with_snaplen(limit: usize, snaplen: u32) -> PcapTap {
        let snaplen = snaplen.max(1);
        let mut buf = Vec::with_capacity(FILE_HEADER_LEN);
        buf.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        buf.extend_from_slice(&2u16.to_le_bytes());
        buf.extend_from_slice(&4u16.to_le_bytes());
        buf.extend_from_slice(&0i32.to_le_bytes()); // thiszone: UTC
        buf.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
        buf.extend_from_slice(&snaplen.to_le_bytes());
        buf.extend_from_slice(&LINKTYPE_RAW.to_le_bytes());
        PcapTap {
            recorded: buf.len(),
            buf,
            limit,
            snaplen,
            now: Instant::ZERO,
            packets: 0,
            overflow: 0,
        }
    }

    /// The time stamped on the packets recorded from now on.
    #[inline]
    pub fn set_time(&mut self, now: Instant) {
        self.now = now;
    }

    /// Packets recorded.
    pub const fn packets(&self) -> u64 {
        self.packets
    }

    /// Packets not recorded because the byte limit was reached.
    pub const fn overflow(&self) -> u64 {
        self.overflow
    }

    /// The capture recorded since the last `take` (the first one starts with the file
    /// header). The room it used is free again for the byte limit.
    pub fn take(&mut self) -> Vec<u8> {
        self.recorded -= self.buf.len().min(self.recorded);
        core::mem::take(&mut self.buf)
    }

    /// The capture not taken yet.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Appends one packet, if it fits the byte limit.
    pub fn record(&mut self, packet: &[u8]) {
        let kept = packet.len().min(self.snaplen as usize);
        let need = RECORD_HEADER_LEN + kept;
        if self.recorded + need > self.limit {
            self.overflow += 1;
            return;
        }
        let ms = self.now.millis();
        let secs = u32::try_from(ms / 1000).unwrap_or(u32::MAX);
        let micros = (ms % 1000) as u32 * 1000;
        self.buf.extend_from_slice(&secs.to_le_bytes());
        self.buf.extend_from_slice(&micros.to_le_bytes());
        self.buf.extend_from_slice(&(kept as u32).to_le_bytes());
        self.buf.extend_from_slice(
            &u32::try_from(packet.len())
                .unwrap_or(u32::MAX)
                .to_le_bytes(),
        );
        self.buf.extend_from_slice(&packet[..kept]);
        self.recorded += need;
        self.packets += 1;
    }

    /// The `ip4_input` hook: records the packet and lets the stack go on.
    #[inline]
    pub fn ip4_input(&mut self, packet: &Ipv4Packet<&[u8]>, _: &NetifInfo<'_>) -> InputVerdict {
        self.record(packet.clone().into_inner());
        InputVerdict::Continue
    }
}

/// One record of a pcap stream, as [`parse`] reads it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// The time stamp, in microseconds.
    pub micros: u64,
    /// The packet's length on the wire (it may have been cut to the snapshot length).
    pub orig_len: u32,
    /// The bytes recorded.
    pub data: &'a [u8],
}

/// Reads a little-endian microsecond pcap stream back: its link type and records, or
/// `None` when the header or a record is malformed or cut short.
pub fn parse(stream: &[u8]) -> Option<(u32, Vec<Record<'_>>)> {
    let u32_at = |b: &[u8], at: usize| -> Option<u32> {
        let w = b.get(at..at + 4)?;
        Some(u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
    };
    if u32_at(stream, 0)? != 0xa1b2_c3d4 {
        return None;
    }
    let link_type = u32_at(stream, 20)?;
    let mut records = Vec::new();
    let mut at = FILE_HEADER_LEN;
    while at < stream.len() {
        let secs = u32_at(stream, at)?;
        let micros = u32_at(stream, at + 4)?;
        let incl = u32_at(stream, at + 8)? as usize;
        let orig_len = u32_at(stream, at + 12)?;
        let start = at + RECORD_HEADER_LEN;
        let data = stream.get(start..start.checked_add(incl)?)?;
        records.push(Record {
            micros: u64::from(secs) * 1_000_000 + u64::from(micros),
            orig_len,
            data,
        });
        at = start + incl;
    }
    Some((link_type, records))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{ip, ipv4_packet, with_netif};
    use netstack::wire::IpProtocol;

    #[test]
    fn records_read_back_with_their_time() {
        let mut tap = PcapTap::new(10_000);
        let p = ipv4_packet(ip(10, 0, 0, 2), ip(10, 0, 0, 1), IpProtocol::Udp, b"hello");
        with_netif(|netif| {
            tap.set_time(Instant::from_millis(1_234_567));
            let view = Ipv4Packet::new_unchecked(&p[..]);
            assert_eq!(tap.ip4_input(&view, netif), InputVerdict::Continue);
        });
        let bytes = tap.take();
        let (link, records) = parse(&bytes).expect("valid pcap");
        assert_eq!(link, LINKTYPE_RAW);
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].micros, 1_234_567_000);
        assert_eq!(records[0].data, &p[..]);
        assert_eq!(records[0].orig_len as usize, p.len());
    }

    #[test]
    fn the_limit_bounds_memory_and_counts_the_rest() {
        let mut tap = PcapTap::new(FILE_HEADER_LEN + 2 * (RECORD_HEADER_LEN + 30));
        for _ in 0..5 {
            tap.record(&[0x45; 30]);
        }
        assert_eq!(tap.packets(), 2);
        assert_eq!(tap.overflow(), 3);
        let first = tap.take();
        tap.record(&[0x45; 30]);
        let mut all = first;
        all.extend_from_slice(&tap.take());
        let (_, records) = parse(&all).expect("pieces make one file");
        assert_eq!(records.len(), 3);
    }

    #[test]
    fn snaplen_cuts_packets_and_keeps_their_length() {
        let mut tap = PcapTap::with_snaplen(1000, 8);
        tap.record(&[1; 20]);
        let bytes = tap.take();
        let (_, records) = parse(&bytes).expect("valid");
        assert_eq!(records[0].data.len(), 8);
        assert_eq!(records[0].orig_len, 20);
        assert!(parse(&bytes[..bytes.len() - 1]).is_none(), "cut short");
    }
}
