//! The lab with a TAP and no stack: the test plays the stack by hand, answering Linux' ARP
//! request and ping with frames built byte by byte.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use netstack::phy::{Device, DeviceError, TapDevice};
use netstack::time::{Duration as StackDuration, Instant as StackInstant};
use netstack_lab::{Lab, check_capture, plan};

const BROADCAST: [u8; 6] = [0xff; 6];

/// The fields of an Ethernet/ARP frame the test cares about.
#[derive(Debug, PartialEq)]
struct Arp {
    eth_dst: [u8; 6],
    eth_src: [u8; 6],
    op: u16,
    sender_mac: [u8; 6],
    sender_ip: Ipv4Addr,
    target_ip: Ipv4Addr,
}

fn mac_at(frame: &[u8], at: usize) -> [u8; 6] {
    frame[at..at + 6].try_into().expect("six bytes")
}

fn ip_at(frame: &[u8], at: usize) -> Ipv4Addr {
    Ipv4Addr::new(frame[at], frame[at + 1], frame[at + 2], frame[at + 3])
}

/// Parses an Ethernet II frame carrying an ARP packet for IPv4 over Ethernet (RFC 826).
fn parse_arp(frame: &[u8]) -> Option<Arp> {
    if frame.len() < 42 || frame[12..14] != [0x08, 0x06] {
        return None;
    }
    // htype 1 (Ethernet), ptype 0x0800, hlen 6, plen 4.
    assert_eq!(
        &frame[14..20],
        &[0, 1, 8, 0, 6, 4],
        "ARP for IPv4 over Ethernet"
    );
    Some(Arp {
        eth_dst: mac_at(frame, 0),
        eth_src: mac_at(frame, 6),
        op: u16::from_be_bytes([frame[20], frame[21]]),
        sender_mac: mac_at(frame, 22),
        sender_ip: ip_at(frame, 28),
        target_ip: ip_at(frame, 38),
    })
}

/// An ARP reply from `mac`/`ip` to the requester.
fn arp_reply(request: &Arp, mac: [u8; 6], ip: Ipv4Addr) -> Vec<u8> {
    let mut f = Vec::with_capacity(42);
    f.extend_from_slice(&request.sender_mac);
    f.extend_from_slice(&mac);
    f.extend_from_slice(&[0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 2]);
    f.extend_from_slice(&mac);
    f.extend_from_slice(&ip.octets());
    f.extend_from_slice(&request.sender_mac);
    f.extend_from_slice(&request.sender_ip.octets());
    f
}

/// The Internet checksum (RFC 1071) of `data`.
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

/// If `frame` is an ICMP echo request to `ip`, the echo reply to send back.
fn echo_reply(frame: &[u8], mac: [u8; 6], ip: Ipv4Addr) -> Option<Vec<u8>> {
    if frame.len() < 42 || frame[12..14] != [0x08, 0x00] {
        return None;
    }
    let ihl = usize::from(frame[14] & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([frame[16], frame[17]]));
    let icmp_at = 14 + ihl;
    if frame[23] != 1 || ip_at(frame, 30) != ip || frame[icmp_at] != 8 {
        return None;
    }
    let mut reply = frame[..14 + total].to_vec();
    reply[0..6].copy_from_slice(&frame[6..12]);
    reply[6..12].copy_from_slice(&mac);
    // Swap the IP addresses, fresh TTL, recompute the header checksum.
    reply[26..30].copy_from_slice(&frame[30..34]);
    reply[30..34].copy_from_slice(&frame[26..30]);
    reply[22] = 64;
    reply[24..26].fill(0);
    let c = checksum(&reply[14..icmp_at]);
    reply[24..26].copy_from_slice(&c.to_be_bytes());
    // Echo reply: type 0, same identifier, sequence and data.
    reply[icmp_at] = 0;
    reply[icmp_at + 2..icmp_at + 4].fill(0);
    let c = checksum(&reply[icmp_at..]);
    reply[icmp_at + 2..icmp_at + 4].copy_from_slice(&c.to_be_bytes());
    Some(reply)
}

/// Plays the stack at 192.0.2.2: answers ARP requests and pings until one echo was
/// answered or `timeout` passes. Returns the ARP requests seen.
fn play_stack(tap: &mut TapDevice, timeout: Duration) -> Vec<Arp> {
    let deadline = Instant::now() + timeout;
    let mut requests = Vec::new();
    let mut buf = [0u8; 2048];
    while Instant::now() < deadline {
        if !tap
            .wait_readable(Some(StackDuration::from_millis(100)))
            .expect("poll the TAP")
        {
            continue;
        }
        let Some(len) = tap
            .receive(&mut buf, StackInstant::ZERO)
            .expect("read the TAP")
        else {
            continue;
        };
        let frame = &buf[..len];
        if let Some(arp) = parse_arp(frame) {
            if arp.op == 1 && arp.target_ip == plan::STACK_ADDR {
                let reply = arp_reply(&arp, plan::STACK_MAC, plan::STACK_ADDR);
                tap.transmit(&reply, StackInstant::ZERO)
                    .expect("write ARP reply");
                requests.push(arp);
            }
        } else if let Some(reply) = echo_reply(frame, plan::STACK_MAC, plan::STACK_ADDR) {
            tap.transmit(&reply, StackInstant::ZERO)
                .expect("write echo reply");
            return requests;
        }
    }
    requests
}

fn assert_arp_request(arp: &Arp) {
    assert_eq!(arp.eth_dst, BROADCAST, "who-has is broadcast");
    assert_eq!(arp.eth_src, plan::LINUX_MAC);
    assert_eq!(arp.op, 1, "request");
    assert_eq!(arp.sender_mac, plan::LINUX_MAC);
    assert_eq!(arp.sender_ip, plan::LINUX_ADDR);
    assert_eq!(arp.target_ip, plan::STACK_ADDR);
}

#[test]
fn linux_resolves_and_pings_a_hand_played_stack_over_an_in_process_tap() {
    let (lab, mut tap) = Lab::with_tap(TapDevice::open);
    assert_eq!(tap.mtu(), 1500);
    assert_eq!(lab.linux_mac(), plan::LINUX_MAC);
    let capture = lab.start_capture("arp");
    let stack = plan::STACK_ADDR.to_string();
    let ping = lab.spawn(&["ping", "-c", "1", "-W", "5", &stack]);

    let requests = play_stack(&mut tap, Duration::from_secs(8));
    assert!(
        !requests.is_empty(),
        "no ARP request for {stack} reached the TAP"
    );
    assert_arp_request(&requests[0]);

    let neighbor = lab
        .neighbor(IpAddr::V4(plan::STACK_ADDR))
        .expect("Linux has a neighbour entry for the stack");
    assert_eq!(neighbor.mac, Some(plan::STACK_MAC), "{neighbor:?}");

    let mut ping = ping;
    let out = ping
        .wait_timeout(Duration::from_secs(8))
        .expect("ping finishes");
    assert!(
        out.status.success(),
        "ping failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );

    let report = capture.stop_and_check();
    assert!(
        !report
            .matching("Who has 192.0.2.2? Tell 192.0.2.1")
            .is_empty(),
        "{report:#?}"
    );
    assert!(
        !report
            .matching("192.0.2.2 is at 02:00:00:00:00:02")
            .is_empty(),
        "{report:#?}"
    );
    assert!(
        !report.matching("Echo (ping) reply").is_empty(),
        "{report:#?}"
    );
}

/// Run in the namespace by `a_program_inside_the_namespace_opens_the_tap_there`; does
/// nothing when run by hand.
#[test]
#[ignore = "helper process, started by another test"]
fn helper_play_stack_in_namespace() {
    let Ok(name) = std::env::var("NETSTACK_LAB_HELPER_TAP") else {
        return;
    };
    let mut tap = TapDevice::open(&name).expect("open the TAP inside the namespace");
    let requests = play_stack(&mut tap, Duration::from_secs(8));
    assert!(!requests.is_empty(), "no ARP request");
    println!("helper answered {} ARP request(s)", requests.len());
    // Keep the TAP open (carrier up, so Linux keeps its neighbour entry) until told to go.
    let done = std::env::var("NETSTACK_LAB_HELPER_DONE").expect("done-file path");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !std::path::Path::new(&done).exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_program_inside_the_namespace_opens_the_tap_there() {
    let lab = Lab::builder().tap_in_namespace();
    let exe = std::env::current_exe().expect("test binary path");
    let env = format!("NETSTACK_LAB_HELPER_TAP={}", lab.tap_name());
    let done = std::env::temp_dir().join(format!("{}-helper-done", lab.namespace()));
    std::fs::remove_file(&done).ok();
    let done_env = format!("NETSTACK_LAB_HELPER_DONE={}", done.display());
    let mut helper = lab.spawn(&[
        "env",
        &env,
        &done_env,
        exe.to_str().expect("UTF-8 path"),
        "--exact",
        "helper_play_stack_in_namespace",
        "--ignored",
        "--nocapture",
    ]);
    // Give the helper time to open the TAP: until then the link has no carrier.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !lab
        .exec_ok(&["ip", "link", "show", "dev", lab.tap_name()])
        .contains("LOWER_UP")
    {
        assert!(Instant::now() < deadline, "helper never opened the TAP");
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = lab.exec(&["ping", "-c", "1", "-W", "5", &plan::STACK_ADDR.to_string()]);
    assert!(out.status.success(), "{out:?}");
    let neighbor = lab.neighbor(IpAddr::V4(plan::STACK_ADDR)).expect("entry");
    assert_eq!(neighbor.mac, Some(plan::STACK_MAC));
    std::fs::write(&done, b"").expect("write the done file");
    let helper_out = helper
        .wait_timeout(Duration::from_secs(10))
        .expect("helper exits after the ping");
    assert!(helper_out.status.success(), "{helper_out:?}");
    assert!(String::from_utf8_lossy(&helper_out.stdout).contains("helper answered"));
    std::fs::remove_file(&done).ok();
}

#[test]
fn the_tap_descriptor_reports_down_once_the_lab_is_gone() {
    let (lab, mut tap) = Lab::with_tap(TapDevice::open);
    drop(lab);
    let mut buf = [0u8; 2048];
    assert_eq!(
        tap.transmit(&[0u8; 60], StackInstant::ZERO),
        Err(DeviceError::Down)
    );
    assert_eq!(
        tap.receive(&mut buf, StackInstant::ZERO),
        Err(DeviceError::Down)
    );
}

#[test]
fn capture_check_accepts_linux_traffic() {
    let (lab, _tap) = Lab::with_tap(TapDevice::open);
    let capture = lab.start_capture("arp-only");
    // Nobody answers: Linux sends ARP requests only.
    let out = lab.exec(&["ping", "-c", "1", "-W", "1", &plan::STACK_ADDR.to_string()]);
    assert!(!out.status.success());
    let path = capture.stop();
    let report = check_capture(&path).expect("Linux' ARP requests are well-formed");
    assert!(
        !report.matching("Who has 192.0.2.2").is_empty(),
        "{report:#?}"
    );
}
