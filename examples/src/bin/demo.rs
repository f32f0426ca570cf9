//! The README's "run it" command: brings netstack up on a TAP device whose Linux side lives in
//! its own network namespace (`netstack-demo`), answers ping and echoes UDP on port 3333.
//!
//! ```text
//! sudo cargo run -p examples --bin demo                # serve until Ctrl-C
//! sudo cargo run -p examples --bin demo -- --check     # ping + UDP echo from Linux, then exit
//! ```
//!
//! From another shell while it serves:
//! `sudo ip netns exec netstack-demo ping 192.0.2.2` and
//! `echo hello | sudo ip netns exec netstack-demo nc -u -w1 192.0.2.2 3333`.

use std::net::{IpAddr, Ipv4Addr};
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use netstack::phy::TapDevice;
use netstack::time::{Duration, Instant};
use netstack::wire::{EthernetAddress, IpEndpoint, Ipv4Cidr};
use netstack::{NetifConfig, Stack, StackConfig};

const NAMESPACE: &str = "netstack-demo";
const TAP: &str = "nsdemo0";
const LINUX_ADDR: &str = "192.0.2.1/24";
const STACK_ADDR: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
const STACK_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
const ECHO_PORT: u16 = 3333;

/// Runs `ip` with `args`; an error names the command.
fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run `ip`: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`ip {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Creates the namespace and the TAP, opens the TAP, then moves it into the namespace (the
/// open descriptor stays attached) and gives the Linux side its address.
fn set_up() -> Result<TapDevice, String> {
    // A previous run killed by Ctrl-C leaves its namespace behind; start clean.
    let _ = ip(&["netns", "del", NAMESPACE]);
    let _ = ip(&["link", "del", TAP]);
    ip(&["netns", "add", NAMESPACE])?;
    ip(&["tuntap", "add", "dev", TAP, "mode", "tap"])?;
    let tap = TapDevice::open(TAP).map_err(|e| format!("cannot open TAP {TAP}: {e:?}"))?;
    ip(&["link", "set", TAP, "netns", NAMESPACE])?;
    ip(&["-n", NAMESPACE, "addr", "add", LINUX_ADDR, "dev", TAP])?;
    ip(&["-n", NAMESPACE, "link", "set", TAP, "up"])?;
    ip(&["-n", NAMESPACE, "link", "set", "lo", "up"])?;
    Ok(tap)
}

/// Runs the stack until `stop` is set: answers ping, echoes UDP on [`ECHO_PORT`].
fn serve(tap: TapDevice, stop: &AtomicBool) -> Result<(), String> {
    let tap = Arc::new(Mutex::new(tap));
    let mut stack = Stack::new(StackConfig {
        random_seed: u64::from(std::process::id()),
    });
    let cidr = Ipv4Cidr::new(STACK_ADDR, 24).map_err(|e| format!("{e:?}"))?;
    stack
        .add_netif(
            NetifConfig::new("tap")
                .with_mac(EthernetAddress(STACK_MAC))
                .with_ipv4(cidr),
            Box::new(tap.clone()),
        )
        .map_err(|e| format!("cannot add the interface: {e:?}"))?;
    let echo = stack.udp_open().map_err(|e| format!("udp_open: {e:?}"))?;
    stack
        .udp_bind(
            echo,
            IpEndpoint::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), ECHO_PORT),
        )
        .map_err(|e| format!("bind port {ECHO_PORT}: {e:?}"))?;
    let start = std::time::Instant::now();
    let clock = || Instant::from_millis(start.elapsed().as_millis() as u64);
    while !stop.load(Ordering::SeqCst) {
        stack.poll(clock());
        while let Ok(datagram) = stack.udp_recv_from(echo) {
            if let Err(e) = stack.udp_send_to(echo, &datagram.data, datagram.src) {
                log_line(&format!("echo to {} failed: {e:?}", datagram.src));
            }
        }
        let wait = stack
            .next_deadline()
            .map_or(Duration::from_millis(100), |d| d.saturating_since(clock()))
            .min(Duration::from_millis(100));
        tap.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .wait_readable(Some(wait))
            .map_err(|e| format!("waiting on the TAP: {e}"))?;
    }
    Ok(())
}

fn log_line(text: &str) {
    eprintln!("demo: {text}");
}

/// Pings the stack and sends it a UDP datagram from the Linux side; true when both answer.
fn check_from_linux() -> bool {
    let stack = STACK_ADDR.to_string();
    let ping = Command::new("ip")
        .args([
            "netns", "exec", NAMESPACE, "ping", "-c", "3", "-i", "0.2", "-W", "2", &stack,
        ])
        .output();
    let ping_ok = ping.as_ref().is_ok_and(|o| o.status.success());
    println!(
        "ping {stack}: {}",
        if ping_ok { "3 replies" } else { "FAILED" }
    );
    let echo = Command::new("ip")
        .args(["netns", "exec", NAMESPACE, "sh", "-c"])
        .arg(format!(
            "echo 'hello netstack' | socat -t 2 - UDP4:{stack}:{ECHO_PORT}"
        ))
        .output();
    let reply = echo
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let echo_ok = reply == "hello netstack";
    println!("udp echo on port {ECHO_PORT}: {reply:?}");
    ping_ok && echo_ok
}

fn main() -> ExitCode {
    let check = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--check") => true,
        Some("--help" | "-h") => {
            println!(
                "usage: demo [--check]\n\nBrings netstack up at {STACK_ADDR} on TAP {TAP}, whose Linux side ({LINUX_ADDR}) is in network namespace {NAMESPACE}; answers ping and echoes UDP on port {ECHO_PORT}. Needs root.\n  --check  ping it and echo a datagram from Linux, print the results, exit (0 when both work)"
            );
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            eprintln!("demo: unknown argument `{other}` (try --help)");
            return ExitCode::from(2);
        }
    };
    let tap = match set_up() {
        Ok(tap) => tap,
        Err(e) => {
            eprintln!(
                "demo: {e}\ndemo: run it as root: it creates a network namespace and a TAP device"
            );
            let _ = ip(&["netns", "del", NAMESPACE]);
            return ExitCode::FAILURE;
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    let stop_server = stop.clone();
    let server = std::thread::spawn(move || serve(tap, &stop_server));
    let ok = if check {
        let ok = check_from_linux();
        stop.store(true, Ordering::SeqCst);
        ok
    } else {
        println!(
            "netstack is up at {STACK_ADDR} (namespace {NAMESPACE}). Try, from another shell:"
        );
        println!("  sudo ip netns exec {NAMESPACE} ping {STACK_ADDR}");
        println!(
            "  echo hello | sudo ip netns exec {NAMESPACE} nc -u -w1 {STACK_ADDR} {ECHO_PORT}"
        );
        println!("Ctrl-C to stop.");
        true
    };
    let served = server.join();
    let _ = ip(&["netns", "del", NAMESPACE]);
    match served {
        Ok(Ok(())) if ok => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("demo: {e}");
            ExitCode::FAILURE
        }
        _ => ExitCode::FAILURE,
    }
}
