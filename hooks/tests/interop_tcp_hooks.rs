//! The TCP hooks against Linux in the interop lab (as root): a stack whose `tcp_isn` hook is
//! `FixedIsn` and whose option hooks add an experimental TCP option (RFC 6994: kind 253,
//! ExID 0xABCD) to every segment connects to a Linux `socat` and sends data. Linux accepts
//! the connection and the data (it skips the unknown option), and its capture of the TAP
//! shows the SYN at the hook's sequence number and the option on every segment the stack
//! sent, well formed.

use std::net::IpAddr;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use netstack::hooks::TcpConnInfo;
use netstack::phy::TapDevice;
use netstack::time::{Duration, Instant};
use netstack::wire::{EthernetAddress, IpEndpoint, Ipv4Cidr, TcpRepr};
use netstack::{NetifConfig, StackConfig};
use netstack_hooks::isn::FixedIsn;
use netstack_lab::{Lab, Transport, check_capture, plan};

/// The stack's initial sequence number.
const ISN: u32 = 0x0abc_0000;

/// The option the stack adds.
const OPTION: [u8; 4] = [253, 4, 0xab, 0xcd];

fn option_length(_: &TcpConnInfo, internal_len: usize) -> usize {
    internal_len + OPTION.len()
}

fn add_option(_: &TcpConnInfo, _: &TcpRepr, options: &mut [u8]) -> usize {
    match options.get_mut(..OPTION.len()) {
        Some(out) => {
            out.copy_from_slice(&OPTION);
            OPTION.len()
        }
        None => 0,
    }
}

netstack::hooks! {
    /// A fixed ISN and the experimental option on every segment.
    struct OptionHooks {
        isn: FixedIsn,
    }
    tcp_isn => self.isn,
    tcp_out_tcpopt_length => option_length,
    tcp_out_add_tcpopts => add_option,
}

/// The values of `field` in the frames of `capture` that match `filter`.
fn tshark_fields(capture: &Path, filter: &str, field: &str) -> Vec<String> {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(capture)
        .args(["-o", "tcp.relative_sequence_numbers:FALSE"])
        .args(["-Y", filter, "-T", "fields", "-e", field])
        .output()
        .expect("run tshark");
    assert!(out.status.success(), "tshark: {out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().to_owned())
        .collect()
}

#[test]
fn linux_accepts_the_hooks_isn_and_skips_the_products_option() {
    let (lab, tap) = Lab::with_tap(TapDevice::open);
    let file = std::env::temp_dir().join(format!("interop-tcp-hooks-{}", std::process::id()));
    let _ = std::fs::remove_file(&file);
    let mut server = lab.spawn(&[
        "socat",
        "-u",
        "TCP4-LISTEN:46100,reuseaddr",
        &format!("CREATE:{}", file.display()),
    ]);
    lab.wait_listening(Transport::Tcp, 46100, std::time::Duration::from_secs(10));
    let capture = lab.start_capture("tcp-hooks");
    let tap = Arc::new(Mutex::new(tap));
    let mut stack = netstack::Stack::with_hooks(
        StackConfig { random_seed: 1 },
        OptionHooks { isn: FixedIsn(ISN) },
    );
    stack
        .add_netif(
            NetifConfig::new("tap")
                .with_mac(EthernetAddress(plan::STACK_MAC))
                .with_ipv4(Ipv4Cidr::new(plan::STACK_ADDR, plan::PREFIX_LEN).expect("cidr")),
            Box::new(tap.clone()),
        )
        .expect("add netif");
    let payload: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let start = std::time::Instant::now();
    let clock = || Instant::from_millis(start.elapsed().as_millis() as u64);
    stack.poll(clock());
    let c = stack
        .tcp_connect(IpEndpoint::new(IpAddr::V4(plan::LINUX_ADDR), 46100), None)
        .expect("connect");
    let mut sent = 0;
    let mut closed = false;
    while server.is_running() && start.elapsed() < std::time::Duration::from_secs(30) {
        stack.poll(clock());
        while sent < payload.len() {
            match stack.tcp_send(c, &payload[sent..]) {
                Ok(n) => sent += n,
                Err(_) => break,
            }
        }
        if sent == payload.len() && !closed {
            closed = stack.tcp_close(c).is_ok();
        }
        stack.poll(clock());
        tap.lock()
            .expect("device lock")
            .wait_readable(Some(Duration::from_millis(10)))
            .expect("wait on the TAP");
    }
    // Let the stack answer Linux's FIN before the capture stops.
    for _ in 0..20 {
        stack.poll(clock());
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let finished = server.wait_timeout(std::time::Duration::from_secs(5));
    assert!(
        finished.is_some_and(|o| o.status.success()),
        "socat did not finish"
    );
    let written = std::fs::read(&file).expect("socat's file");
    let _ = std::fs::remove_file(&file);
    assert_eq!(written, payload, "Linux received every byte");

    let path = capture.stop();
    check_capture(&path).expect("a well-formed capture");
    let from_stack = "ip.src == 192.0.2.2 && tcp.port == 46100";
    let syn = tshark_fields(
        &path,
        &format!("{from_stack} && tcp.flags.syn == 1"),
        "tcp.seq",
    );
    assert_eq!(
        syn,
        vec![ISN.to_string()],
        "the SYN starts at the hook's ISN"
    );
    let all = tshark_fields(&path, from_stack, "frame.number");
    let with_option = tshark_fields(
        &path,
        &format!("{from_stack} && tcp.option_kind == 253"),
        "frame.number",
    );
    assert!(all.len() > 10, "segments from the stack: {}", all.len());
    assert_eq!(with_option, all, "the option is on every segment");
}
