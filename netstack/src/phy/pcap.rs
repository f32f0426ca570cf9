//! Packet capture in the classic libpcap file format, readable by Wireshark and tshark.
//!
//! [`PcapWriter`] writes a capture to any [`std::io::Write`]; [`PcapDevice`] wraps any
//! [`Device`] and records every frame it receives and transmits, stamped with the `now`
//! the stack passed in (so a simulation's capture shows virtual time).
//!
//! Format: a 24-byte global header (magic `0xa1b2c3d4`, version 2.4, microsecond
//! timestamps) and a 16-byte header before each packet, all little-endian.

use std::io::{self, Write};

use super::{Device, DeviceCapabilities, DeviceError, Medium};
use crate::time::Instant;

/// The link-layer header type of a capture (the `network` field of the file header).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkType {
    /// `LINKTYPE_ETHERNET` (1): Ethernet II frames.
    Ethernet,
    /// `LINKTYPE_RAW` (101): bare IPv4 or IPv6 packets.
    Raw,
}

impl LinkType {
    /// The number written in the file header.
    pub const fn code(self) -> u32 {
        match self {
            LinkType::Ethernet => 1,
            LinkType::Raw => 101,
        }
    }
}

impl From<Medium> for LinkType {
    fn from(medium: Medium) -> LinkType {
        match medium {
            Medium::Ethernet => LinkType::Ethernet,
            Medium::Ip => LinkType::Raw,
        }
    }
}

/// Writes packets to a sink in pcap format.
#[derive(Debug)]
pub struct PcapWriter<W: Write> {
    sink: W,
    snaplen: u32,
    link_type: LinkType,
}

impl<W: Write> PcapWriter<W> {
    /// The snapshot length used by [`PcapWriter::new`]: whole packets up to 64 KiB.
    pub const DEFAULT_SNAPLEN: u32 = 65_535;

    /// Writes the file header to `sink` and returns a writer for packets of `link_type`.
    pub fn new(sink: W, link_type: LinkType) -> io::Result<PcapWriter<W>> {
        PcapWriter::with_snaplen(sink, link_type, Self::DEFAULT_SNAPLEN)
    }

    /// Like [`PcapWriter::new`], keeping at most `snaplen` bytes of each packet.
    pub fn with_snaplen(
        mut sink: W,
        link_type: LinkType,
        snaplen: u32,
    ) -> io::Result<PcapWriter<W>> {
        let mut header = [0u8; 24];
        header[0..4].copy_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        header[4..6].copy_from_slice(&2u16.to_le_bytes());
        header[6..8].copy_from_slice(&4u16.to_le_bytes());
        // thiszone and sigfigs stay zero.
        header[16..20].copy_from_slice(&snaplen.to_le_bytes());
        header[20..24].copy_from_slice(&link_type.code().to_le_bytes());
        sink.write_all(&header)?;
        Ok(PcapWriter {
            sink,
            snaplen,
            link_type,
        })
    }

    /// The link type the file declares.
    pub fn link_type(&self) -> LinkType {
        self.link_type
    }

    /// Appends one packet captured at `timestamp`.
    pub fn write_packet(&mut self, timestamp: Instant, packet: &[u8]) -> io::Result<()> {
        let millis = timestamp.millis();
        let secs = u32::try_from(millis / 1000).unwrap_or(u32::MAX);
        let micros = ((millis % 1000) * 1000) as u32;
        let orig_len = u32::try_from(packet.len()).unwrap_or(u32::MAX);
        let incl_len = orig_len.min(self.snaplen);
        let mut header = [0u8; 16];
        header[0..4].copy_from_slice(&secs.to_le_bytes());
        header[4..8].copy_from_slice(&micros.to_le_bytes());
        header[8..12].copy_from_slice(&incl_len.to_le_bytes());
        header[12..16].copy_from_slice(&orig_len.to_le_bytes());
        self.sink.write_all(&header)?;
        self.sink.write_all(&packet[..incl_len as usize])
    }

    /// Flushes the sink.
    pub fn flush(&mut self) -> io::Result<()> {
        self.sink.flush()
    }

    /// The sink.
    pub fn get_ref(&self) -> &W {
        &self.sink
    }

    /// The sink, mutably.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.sink
    }

    /// Unwraps the sink (not flushed).
    pub fn into_inner(self) -> W {
        self.sink
    }
}

/// Which directions a [`PcapDevice`] records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PcapMode {
    /// Received and transmitted frames.
    #[default]
    Both,
    /// Received frames only.
    Rx,
    /// Transmitted frames only.
    Tx,
}

/// A [`Device`] that records the traffic of the device it wraps.
///
/// A failed write to the capture does not fail the device: it is counted
/// ([`PcapDevice::write_errors`]) and logged on target `netstack::pcap`.
#[derive(Debug)]
pub struct PcapDevice<D, W: Write> {
    inner: D,
    writer: PcapWriter<W>,
    mode: PcapMode,
    write_errors: u64,
}

impl<D: Device, W: Write> PcapDevice<D, W> {
    /// Wraps `inner`, writing the file header to `sink` with the link type of the device's
    /// medium.
    pub fn new(inner: D, sink: W, mode: PcapMode) -> io::Result<PcapDevice<D, W>> {
        let link_type = LinkType::from(inner.capabilities().medium);
        let writer = PcapWriter::new(sink, link_type)?;
        Ok(PcapDevice {
            inner,
            writer,
            mode,
            write_errors: 0,
        })
    }

    /// The wrapped device.
    pub fn inner(&self) -> &D {
        &self.inner
    }

    /// The wrapped device, mutably.
    pub fn inner_mut(&mut self) -> &mut D {
        &mut self.inner
    }

    /// The capture writer.
    pub fn writer(&mut self) -> &mut PcapWriter<W> {
        &mut self.writer
    }

    /// How many packets could not be written to the capture.
    pub fn write_errors(&self) -> u64 {
        self.write_errors
    }

    /// Unwraps the device and the capture writer.
    pub fn into_parts(self) -> (D, PcapWriter<W>) {
        (self.inner, self.writer)
    }

    fn record(&mut self, now: Instant, frame: &[u8]) {
        if let Err(err) = self.writer.write_packet(now, frame) {
            self.write_errors += 1;
            log::warn!(target: "netstack::pcap", "capture write failed: {err}");
        }
    }
}

impl<D: Device, W: Write> Device for PcapDevice<D, W> {
    fn capabilities(&self) -> DeviceCapabilities {
        self.inner.capabilities()
    }

    fn receive(&mut self, buf: &mut [u8], now: Instant) -> Result<Option<usize>, DeviceError> {
        let received = self.inner.receive(buf, now)?;
        if let Some(len) = received
            && self.mode != PcapMode::Tx
            && let Some(frame) = buf.get(..len)
        {
            self.record(now, frame);
        }
        Ok(received)
    }

    fn transmit(&mut self, frame: &[u8], now: Instant) -> Result<(), DeviceError> {
        self.inner.transmit(frame, now)?;
        if self.mode != PcapMode::Rx {
            self.record(now, frame);
        }
        Ok(())
    }

    #[cfg(unix)]
    fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        self.inner.raw_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phy::{LinkConfig, Loopback, VirtualLink};
    use std::path::PathBuf;
    use std::process::Command;
    use std::string::String;
    use std::vec::Vec;
    use std::{format, vec};

    #[test]
    fn headers_are_laid_out_as_libpcap_expects() {
        let mut w = PcapWriter::with_snaplen(Vec::new(), LinkType::Raw, 4).unwrap();
        w.write_packet(Instant::from_millis(1_234), &[1, 2, 3, 4, 5, 6])
            .unwrap();
        let bytes = w.into_inner();
        assert_eq!(&bytes[0..4], &[0xd4, 0xc3, 0xb2, 0xa1]);
        assert_eq!(&bytes[4..8], &[2, 0, 4, 0]);
        assert_eq!(&bytes[16..20], &4u32.to_le_bytes());
        assert_eq!(&bytes[20..24], &101u32.to_le_bytes());
        assert_eq!(&bytes[24..28], &1u32.to_le_bytes(), "seconds");
        assert_eq!(&bytes[28..32], &234_000u32.to_le_bytes(), "microseconds");
        assert_eq!(&bytes[32..36], &4u32.to_le_bytes(), "included");
        assert_eq!(&bytes[36..40], &6u32.to_le_bytes(), "original");
        assert_eq!(&bytes[40..], &[1, 2, 3, 4]);
    }

    #[test]
    fn device_records_both_directions_with_the_medium_link_type() {
        let mut dev = PcapDevice::new(Loopback::new(4), Vec::new(), PcapMode::Both).unwrap();
        assert_eq!(dev.writer().link_type(), LinkType::Raw);
        dev.transmit(&[9; 20], Instant::ZERO).unwrap();
        let mut buf = [0u8; 64];
        assert_eq!(dev.receive(&mut buf, Instant::ZERO), Ok(Some(20)));
        let (_, w) = dev.into_parts();
        assert_eq!(w.into_inner().len(), 24 + 2 * (16 + 20));

        let mut rx_only = PcapDevice::new(Loopback::new(4), Vec::new(), PcapMode::Rx).unwrap();
        rx_only.transmit(&[9; 20], Instant::ZERO).unwrap();
        assert_eq!(rx_only.writer().get_ref().len(), 24);
        assert_eq!(rx_only.write_errors(), 0);
    }

    /// An Ethernet frame carrying an IPv4/UDP datagram with correct checksums.
    fn udp_frame(payload: &[u8]) -> Vec<u8> {
        fn sum(data: &[u8], mut acc: u32) -> u32 {
            for chunk in data.chunks(2) {
                let word = u16::from_be_bytes([chunk[0], *chunk.get(1).unwrap_or(&0)]);
                acc += u32::from(word);
            }
            acc
        }
        fn fold(mut acc: u32) -> u16 {
            while acc > 0xffff {
                acc = (acc & 0xffff) + (acc >> 16);
            }
            !(acc as u16)
        }
        let src = [192, 0, 2, 1];
        let dst = [192, 0, 2, 2];
        let udp_len = (8 + payload.len()) as u16;
        let mut udp = Vec::new();
        udp.extend_from_slice(&4000u16.to_be_bytes());
        udp.extend_from_slice(&5000u16.to_be_bytes());
        udp.extend_from_slice(&udp_len.to_be_bytes());
        udp.extend_from_slice(&[0, 0]);
        udp.extend_from_slice(payload);
        let mut pseudo = Vec::new();
        pseudo.extend_from_slice(&src);
        pseudo.extend_from_slice(&dst);
        pseudo.extend_from_slice(&[0, 17]);
        pseudo.extend_from_slice(&udp_len.to_be_bytes());
        let csum = fold(sum(&udp, sum(&pseudo, 0)));
        udp[6..8].copy_from_slice(&csum.to_be_bytes());

        let mut ip = vec![0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 17, 0, 0];
        ip[2..4].copy_from_slice(&(20 + udp_len).to_be_bytes());
        ip.extend_from_slice(&src);
        ip.extend_from_slice(&dst);
        let csum = fold(sum(&ip, 0));
        ip[10..12].copy_from_slice(&csum.to_be_bytes());

        let mut frame = vec![0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00];
        frame.extend_from_slice(&ip);
        frame.extend_from_slice(&udp);
        frame
    }

    fn temp_path(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("netstack-pcap-{}-{name}.pcap", std::process::id()))
    }

    /// Runs tshark on a capture; panics (never skips) when tshark is missing.
    fn tshark(path: &PathBuf, extra: &[&str]) -> String {
        let out = Command::new("tshark")
            .arg("-r")
            .arg(path)
            .args([
                "-o",
                "ip.check_checksum:TRUE",
                "-o",
                "udp.check_checksum:TRUE",
            ])
            .args(extra)
            .output()
            .expect("tshark must be installed to test pcap output (apt-get install tshark)");
        assert!(
            out.status.success(),
            "tshark failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("tshark prints UTF-8")
    }

    #[test]
    fn tshark_decodes_a_capture_of_a_virtual_link() {
        let path = temp_path("eth");
        let link = VirtualLink::new(LinkConfig::default());
        let file = std::fs::File::create(&path).unwrap();
        let mut a = PcapDevice::new(link.port(), file, PcapMode::Both).unwrap();
        let mut b = link.port();
        a.transmit(&udp_frame(b"hello"), Instant::from_millis(1_500))
            .unwrap();
        b.transmit(&udp_frame(b"world!"), Instant::from_millis(2_000))
            .unwrap();
        let mut buf = [0u8; 1600];
        assert!(
            a.receive(&mut buf, Instant::from_millis(2_000))
                .unwrap()
                .is_some()
        );
        a.writer().flush().unwrap();
        drop(a);

        let fields = tshark(
            &path,
            &[
                "-T",
                "fields",
                "-e",
                "frame.time_epoch",
                "-e",
                "ip.src",
                "-e",
                "udp.dstport",
                "-e",
                "udp.length",
                "-e",
                "ip.checksum.status",
                "-e",
                "udp.checksum.status",
                "-e",
                "_ws.malformed",
            ],
        );
        std::fs::remove_file(&path).ok();
        let lines: Vec<&str> = fields.lines().collect();
        assert_eq!(lines.len(), 2, "{fields}");
        // Checksum status 1 is "good" (0 bad, 2 unverified); no malformed field.
        assert_eq!(lines[0], "1.500000000\t192.0.2.1\t5000\t13\t1\t1\t");
        assert_eq!(lines[1], "2.000000000\t192.0.2.1\t5000\t14\t1\t1\t");
    }

    #[test]
    fn tshark_decodes_raw_ip_captures() {
        let path = temp_path("raw");
        let file = std::fs::File::create(&path).unwrap();
        let mut w = PcapWriter::new(io::BufWriter::new(file), LinkType::Raw).unwrap();
        w.write_packet(Instant::from_secs(3), &udp_frame(b"raw")[14..])
            .unwrap();
        w.flush().unwrap();
        drop(w);
        let fields = tshark(
            &path,
            &["-T", "fields", "-e", "ip.dst", "-e", "udp.srcport"],
        );
        std::fs::remove_file(&path).ok();
        assert_eq!(fields.trim_end(), "192.0.2.2\t4000");
    }
}
