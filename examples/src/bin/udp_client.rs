//! UDP client, after ESP-IDF's `protocols/sockets/udp_client`: sends a datagram to a server
//! and prints the reply, waiting for it at most `--timeout` seconds (`SO_RCVTIMEO`).
//! Written with the BSD sockets API.
//!
//! ```text
//! ip netns exec NS socat UDP4-LISTEN:3333,fork PIPE &     # a Linux echo server
//! ip netns exec NS udp_client --tap tap0 --peer 192.0.2.1
//! ```

use std::error::Error;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use examples::bringup::{self, printable};
use examples::cli::{Args, Opt, Spec};
use netstack::api::sockets::{AF_INET, IPPROTO_IP, SO_RCVTIMEO, SOCK_DGRAM, SOL_SOCKET, Timeval};
use netstack::api::{Errno, NetStack};

const SPEC: Spec = Spec {
    program: "udp_client",
    about: "UDP client (ESP-IDF's udp_client example): sends --message to --peer:--port and \
            prints the reply, --count times; no reply within --timeout is an error.",
    opts: &[
        Opt::value::<Ipv4Addr>("--peer", "A.B.C.D", Some("192.0.2.1"), "server address"),
        Opt::value::<u16>("--port", "N", Some("3333"), "server port"),
        Opt::value::<String>(
            "--message",
            "TEXT",
            Some("Message from netstack"),
            "what to send",
        ),
        Opt::value::<u32>("--count", "N", Some("1"), "how many datagrams to send"),
        Opt::value::<u64>(
            "--interval",
            "MS",
            Some("1000"),
            "milliseconds between datagrams",
        ),
        Opt::value::<u64>(
            "--timeout",
            "SECS",
            Some("5"),
            "how long to wait for each reply",
        ),
    ],
};

fn main() -> ExitCode {
    bringup::run(&SPEC, udp_client_task)
}

fn udp_client_task(ns: &NetStack, args: &Args) -> Result<(), Box<dyn Error>> {
    let peer: Ipv4Addr = args.get("--peer");
    let port: u16 = args.get("--port");
    let payload: String = args.get("--message");
    let count: u32 = args.get("--count");
    let interval = Duration::from_millis(args.get("--interval"));
    let timeout: u64 = args.get("--timeout");
    let dest = SocketAddr::from((peer, port));

    let sock = ns
        .socket(AF_INET, SOCK_DGRAM, IPPROTO_IP)
        .map_err(|e| format!("Unable to create socket: {e}"))?;
    // Set timeout
    let tv = Timeval {
        tv_sec: i64::try_from(timeout).unwrap_or(i64::MAX),
        tv_usec: 0,
    };
    ns.setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv.to_bytes())?;
    println!("Socket created, sending to {dest}");

    let mut rx_buffer = [0u8; 1500];
    for i in 0..count {
        if i > 0 {
            std::thread::sleep(interval);
        }
        ns.sendto(sock, payload.as_bytes(), 0, dest)
            .map_err(|e| format!("Error occurred during sending: {e}"))?;
        println!("Message sent");
        match ns.recvfrom(sock, &mut rx_buffer, 0) {
            Ok((len, from)) => {
                let from = from.map_or_else(|| "?".to_string(), |a| a.to_string());
                println!(
                    "Received {len} bytes from {from}: {}",
                    printable(&rx_buffer[..len])
                );
            }
            Err(Errno::EAGAIN) => {
                return Err(format!("no reply from {dest} within {timeout}s").into());
            }
            Err(e) => return Err(format!("recvfrom failed: {e}").into()),
        }
    }
    ns.close(sock)?;
    Ok(())
}
