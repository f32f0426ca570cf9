//! `check_capture` on hand-made captures: good ones pass, broken ones are listed.

use std::path::PathBuf;

use netstack::phy::{LinkType, PcapWriter};
use netstack::time::Instant;
use netstack_lab::{CaptureError, check_capture};

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

/// An Ethernet frame with an ICMP echo request from 192.0.2.1 to 192.0.2.2.
fn ping_frame() -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
    let mut ip = vec![
        0x45, 0, 0, 28, 0, 1, 0x40, 0, 64, 1, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,
    ];
    let c = checksum(&ip);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    let mut icmp = vec![8, 0, 0, 0, 0x12, 0x34, 0, 1];
    let c = checksum(&icmp);
    icmp[2..4].copy_from_slice(&c.to_be_bytes());
    f.extend_from_slice(&ip);
    f.extend_from_slice(&icmp);
    f
}

fn write_capture(name: &str, frames: &[Vec<u8>]) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "netstack-lab-check-{}-{name}.pcap",
        std::process::id()
    ));
    let file = std::fs::File::create(&path).expect("create capture");
    let mut w = PcapWriter::new(file, LinkType::Ethernet).expect("pcap header");
    for (i, f) in frames.iter().enumerate() {
        w.write_packet(Instant::from_millis(i as u64), f)
            .expect("write packet");
    }
    path
}

#[test]
fn good_packets_pass() {
    let path = write_capture("good", &[ping_frame()]);
    let report = check_capture(&path).expect("a correct ping passes");
    assert_eq!(report.packets.len(), 1);
    assert!(
        report.packets[0].contains("Echo (ping) request"),
        "{report:?}"
    );
    std::fs::remove_file(path).ok();
}

#[test]
fn bad_checksums_and_malformed_packets_are_listed() {
    let good = ping_frame();
    let mut bad_ip = good.clone();
    bad_ip[24] ^= 0xff; // IPv4 header checksum
    let mut bad_icmp = good.clone();
    bad_icmp[36] ^= 0x01; // ICMP checksum
    let mut truncated = good.clone();
    truncated[16..18].copy_from_slice(&200u16.to_be_bytes()); // total length past the end
    let path = write_capture("bad", &[good, bad_ip, bad_icmp, truncated]);
    let err = check_capture(&path).expect_err("broken packets are reported");
    let CaptureError::BadPackets { problems, .. } = &err else {
        panic!("unexpected {err}");
    };
    let numbers: Vec<&str> = problems
        .iter()
        .map(|p| p.split('\t').next().unwrap_or(""))
        .collect();
    assert_eq!(numbers, ["2", "3", "4"], "{err}");
    assert!(err.to_string().contains("3 bad packet(s)"), "{err}");
    std::fs::remove_file(path).ok();
}

#[test]
fn unreadable_files_are_an_error() {
    let path = std::env::temp_dir().join(format!(
        "netstack-lab-check-{}-garbage.pcap",
        std::process::id()
    ));
    std::fs::write(&path, b"not a capture").expect("write");
    let err = check_capture(&path).expect_err("garbage is rejected");
    assert!(matches!(err, CaptureError::Unreadable { .. }), "{err}");
    std::fs::remove_file(path).ok();
}
