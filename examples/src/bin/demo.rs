//! The README's "run it" command: brings netstack up on a TAP device whose Linux side lives in
//! its own network namespace (`netstack-demo`), on the TCP/IP thread with the sockets API,
//! and serves what Linux tools can reach: ping, a UDP and a TCP echo on port 3333, and a
//! web page on port 80.
//!
//! ```text
//! sudo cargo run -p examples --bin demo                # serve until Ctrl-C
//! sudo cargo run -p examples --bin demo -- --check     # try each from Linux, then exit
//! ```
//!
//! From another shell while it serves:
//! `sudo ip netns exec netstack-demo ping 192.0.2.2`,
//! `echo hello | sudo ip netns exec netstack-demo nc -u -w1 192.0.2.2 3333`,
//! `sudo ip netns exec netstack-demo nc 192.0.2.2 3333` and
//! `sudo ip netns exec netstack-demo curl http://192.0.2.2/`.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::{Command, ExitCode};
use std::thread;

use netstack::api::{NetStack, TcpListener, TcpStream, UdpSocket};
use netstack::phy::TapDevice;
use netstack::wire::{EthernetAddress, Ipv4Cidr};
use netstack::{NetifConfig, Stack, StackConfig};

const NAMESPACE: &str = "netstack-demo";
const TAP: &str = "nsdemo0";
const LINUX_ADDR: &str = "192.0.2.1/24";
const STACK_ADDR: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
const STACK_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];
const ECHO_PORT: u16 = 3333;
const HTTP_PORT: u16 = 80;

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

/// Starts the stack on `tap` and the services, each on its own thread: the UDP echo, the TCP
/// echo and the web page.
fn serve(tap: TapDevice) -> Result<NetStack, String> {
    let mut stack = Stack::new(StackConfig {
        random_seed: u64::from(std::process::id()),
    });
    let cidr = Ipv4Cidr::new(STACK_ADDR, 24).map_err(|e| format!("{e:?}"))?;
    stack
        .add_netif(
            NetifConfig::new("tap")
                .with_mac(EthernetAddress(STACK_MAC))
                .with_ipv4(cidr),
            Box::new(tap),
        )
        .map_err(|e| format!("cannot add the interface: {e:?}"))?;
    let ns = NetStack::start(stack).map_err(|e| format!("cannot start the TCP/IP thread: {e}"))?;
    let any = |port| SocketAddr::from((Ipv4Addr::UNSPECIFIED, port));
    let udp = UdpSocket::bind(&ns, any(ECHO_PORT)).map_err(|e| format!("UDP {ECHO_PORT}: {e}"))?;
    thread::spawn(move || udp_echo(&udp));
    let echo =
        TcpListener::bind(&ns, any(ECHO_PORT)).map_err(|e| format!("TCP {ECHO_PORT}: {e}"))?;
    thread::spawn(move || accept_each(&echo, tcp_echo));
    let web =
        TcpListener::bind(&ns, any(HTTP_PORT)).map_err(|e| format!("TCP {HTTP_PORT}: {e}"))?;
    thread::spawn(move || accept_each(&web, http_page));
    Ok(ns)
}

/// Echoes every datagram to its sender.
fn udp_echo(socket: &UdpSocket) {
    let mut buf = [0u8; 2048];
    while let Ok((n, from)) = socket.recv_from(&mut buf) {
        if let Err(e) = socket.send_to(&buf[..n], from) {
            log_line(&format!("UDP echo to {from} failed: {e}"));
        }
    }
}

/// Serves each accepted connection with `handle` on a thread of its own.
fn accept_each(listener: &TcpListener, handle: fn(TcpStream)) {
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                thread::spawn(move || handle(stream));
            }
            Err(e) => log_line(&format!("accept failed: {e}")),
        }
    }
}

/// Sends back what the peer sends, until it closes.
fn tcp_echo(mut stream: TcpStream) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 || stream.write_all(&buf[..n]).is_err() {
            break;
        }
    }
}

/// Answers one HTTP request with a small text page.
fn http_page(mut stream: TcpStream) {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 8192 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let body = format!(
        "Hello from netstack {} at {STACK_ADDR}: a TCP/IP stack in Rust.\n",
        env!("CARGO_PKG_VERSION")
    );
    let reply = format!(
        "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    if stream.write_all(reply.as_bytes()).is_ok() {
        let _ = stream.shutdown(std::net::Shutdown::Write);
        // Read until the client closes, so our FIN is acknowledged before we drop.
        while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
    }
}

fn log_line(text: &str) {
    eprintln!("demo: {text}");
}

/// Runs `script` with `sh -c` in the namespace; its trimmed standard output.
fn in_namespace(script: &str) -> String {
    Command::new("ip")
        .args(["netns", "exec", NAMESPACE, "sh", "-c", script])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// Echo requests `--check` sends; every one must be answered.
const PINGS: u32 = 3;

/// The replies iputils' ping counted, from its summary line
/// (`3 packets transmitted, 2 received, 33% packet loss, …`). Its exit status alone says
/// only that at least one reply came.
fn replies_counted(ping_stdout: &str) -> Option<u32> {
    ping_stdout
        .lines()
        .find(|line| line.contains("packets transmitted"))?
        .split(',')
        .find_map(|part| part.trim().strip_suffix(" received"))?
        .parse()
        .ok()
}

/// Tries every service from the Linux side: ping, UDP echo, TCP echo, the web page; true
/// when all answer.
fn check_from_linux() -> bool {
    let stack = STACK_ADDR.to_string();
    let ping = Command::new("ip")
        .args([
            "netns",
            "exec",
            NAMESPACE,
            "ping",
            "-c",
            &PINGS.to_string(),
            "-i",
            "0.2",
            "-W",
            "2",
            &stack,
        ])
        .output();
    let replies = ping
        .as_ref()
        .ok()
        .and_then(|o| replies_counted(&String::from_utf8_lossy(&o.stdout)));
    let ping_ok = replies == Some(PINGS);
    match replies {
        Some(n) => println!("ping {stack}: {n} of {PINGS} replies"),
        None => println!("ping {stack}: FAILED (no ping summary)"),
    }
    let udp = in_namespace(&format!(
        "echo 'hello netstack' | socat -t 2 - UDP4:{stack}:{ECHO_PORT}"
    ));
    println!("udp echo on port {ECHO_PORT}: {udp:?}");
    let tcp = in_namespace(&format!(
        "echo 'hello over tcp' | socat -t 2 - TCP4:{stack}:{ECHO_PORT}"
    ));
    println!("tcp echo on port {ECHO_PORT}: {tcp:?}");
    let page = in_namespace(&format!("curl -s -m 5 http://{stack}:{HTTP_PORT}/"));
    println!("http page on port {HTTP_PORT}: {page:?}");
    ping_ok
        && udp == "hello netstack"
        && tcp == "hello over tcp"
        && page.starts_with("Hello from netstack")
}

fn main() -> ExitCode {
    let check = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--check") => true,
        Some("--help" | "-h") => {
            println!(
                "usage: demo [--check]\n\nBrings netstack up at {STACK_ADDR} on TAP {TAP}, whose Linux side ({LINUX_ADDR}) is in network namespace {NAMESPACE}; answers ping, echoes UDP and TCP on port {ECHO_PORT} and serves a page on port {HTTP_PORT}. Needs root.\n  --check  try each from Linux, print the results, exit (0 when all work)"
            );
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            eprintln!("demo: unknown argument `{other}` (try --help)");
            return ExitCode::from(2);
        }
    };
    let started = set_up().and_then(serve);
    let ns = match started {
        Ok(ns) => ns,
        Err(e) => {
            eprintln!(
                "demo: {e}\ndemo: run it as root: it creates a network namespace and a TAP device"
            );
            let _ = ip(&["netns", "del", NAMESPACE]);
            return ExitCode::FAILURE;
        }
    };
    if check {
        let ok = check_from_linux();
        let _ = ip(&["netns", "del", NAMESPACE]);
        drop(ns);
        return if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    println!("netstack is up at {STACK_ADDR} (namespace {NAMESPACE}). Try, from another shell:");
    println!("  sudo ip netns exec {NAMESPACE} ping {STACK_ADDR}");
    println!("  echo hello | sudo ip netns exec {NAMESPACE} nc -u -w1 {STACK_ADDR} {ECHO_PORT}");
    println!("  sudo ip netns exec {NAMESPACE} nc {STACK_ADDR} {ECHO_PORT}");
    println!("  sudo ip netns exec {NAMESPACE} curl http://{STACK_ADDR}/");
    println!("Ctrl-C to stop.");
    loop {
        thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_replies_are_counted_from_pings_summary() {
        let all = "64 bytes from 192.0.2.2: icmp_seq=1 ttl=64 time=0.1 ms\n\n\
                   --- 192.0.2.2 ping statistics ---\n\
                   3 packets transmitted, 3 received, 0% packet loss, time 401ms\n";
        assert_eq!(replies_counted(all), Some(3));
        let one = "3 packets transmitted, 1 received, 66.6667% packet loss, time 2003ms";
        assert_eq!(replies_counted(one), Some(1));
        let dup = "3 packets transmitted, 3 received, +1 duplicates, 0% packet loss";
        assert_eq!(replies_counted(dup), Some(3));
        assert_eq!(
            replies_counted("ping: connect: Network is unreachable"),
            None
        );
    }
}
