//! TCP client, after ESP-IDF's `protocols/sockets/tcp_client`: connects to a server, sends a
//! message, prints the reply, `--count` times. Written with the BSD sockets API.
//!
//! ```text
//! ip netns exec NS socat TCP-LISTEN:3333,fork EXEC:cat &     # a Linux echo server
//! ip netns exec NS tcp_client --tap tap0 --peer 192.0.2.1 --count 3
//! ```

use std::error::Error;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use examples::bringup::{self, printable};
use examples::cli::{Args, Opt, Spec};
use netstack::api::sockets::{
    AF_INET, IPPROTO_IP, SHUT_WR, SO_RCVTIMEO, SOCK_STREAM, SOL_SOCKET, Timeval,
};
use netstack::api::{Errno, NetStack};

const SPEC: Spec = Spec {
    program: "tcp_client",
    about: "TCP client (ESP-IDF's tcp_client example): connects to --peer:--port, sends \
            --message and prints the reply, --count times.",
    opts: &[
        Opt::value::<Ipv4Addr>("--peer", "A.B.C.D", Some("192.0.2.1"), "server address"),
        Opt::value::<u16>("--port", "N", Some("3333"), "server port"),
        Opt::value::<String>(
            "--message",
            "TEXT",
            Some("Message from netstack"),
            "what to send",
        ),
        Opt::value::<u32>("--count", "N", Some("1"), "how many times to send it"),
        Opt::value::<u64>(
            "--interval",
            "MS",
            Some("1000"),
            "milliseconds between messages",
        ),
        Opt::value::<u64>(
            "--timeout",
            "SECS",
            Some("5"),
            "how long to wait for a reply",
        ),
    ],
};

fn main() -> ExitCode {
    bringup::run(&SPEC, tcp_client_task)
}

fn tcp_client_task(ns: &NetStack, args: &Args) -> Result<(), Box<dyn Error>> {
    let peer: Ipv4Addr = args.get("--peer");
    let port: u16 = args.get("--port");
    let payload: String = args.get("--message");
    let count: u32 = args.get("--count");
    let interval = Duration::from_millis(args.get("--interval"));
    let timeout: u64 = args.get("--timeout");
    let dest = SocketAddr::from((peer, port));

    let sock = ns
        .socket(AF_INET, SOCK_STREAM, IPPROTO_IP)
        .map_err(|e| format!("Unable to create socket: {e}"))?;
    println!("Socket created, connecting to {dest}");
    ns.connect(sock, dest)
        .map_err(|e| format!("Socket unable to connect: {e}"))?;
    println!("Successfully connected");
    // A reply that does not come within the timeout is an error, not a hang.
    let timeout = Timeval {
        tv_sec: i64::try_from(timeout).unwrap_or(i64::MAX),
        tv_usec: 0,
    };
    ns.setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout.to_bytes())?;

    for i in 0..count {
        if i > 0 {
            std::thread::sleep(interval);
        }
        let mut to_send = payload.as_bytes();
        while !to_send.is_empty() {
            let n = ns
                .send(sock, to_send, 0)
                .map_err(|e| format!("Error occurred during sending: {e}"))?;
            to_send = &to_send[n..];
        }
        // The reply may come in pieces: read until it is as long as the message, the
        // server closes, or nothing more comes within the timeout.
        let mut reply = Vec::new();
        let mut rx_buffer = [0u8; 128];
        while reply.len() < payload.len() {
            match ns.recv(sock, &mut rx_buffer, 0) {
                Ok(0) => break,
                Ok(n) => reply.extend_from_slice(&rx_buffer[..n]),
                Err(Errno::EAGAIN) if !reply.is_empty() => break,
                Err(Errno::EAGAIN) => {
                    return Err(format!("no reply from {dest} within {}s", timeout.tv_sec).into());
                }
                Err(e) => return Err(format!("recv failed: {e}").into()),
            }
        }
        if reply.is_empty() {
            return Err(format!("{dest} closed the connection").into());
        }
        println!(
            "Received {} bytes from {dest}: {}",
            reply.len(),
            printable(&reply)
        );
    }
    // Close gracefully: say we are done (FIN), let the server finish and close its side,
    // then release the socket. The stack runs in this process: closing and exiting at once
    // could leave the server's FIN unacknowledged.
    println!("Shutting down socket");
    ns.shutdown(sock, SHUT_WR)?;
    let mut rx_buffer = [0u8; 128];
    while let Ok(n) = ns.recv(sock, &mut rx_buffer, 0) {
        if n == 0 {
            break;
        }
    }
    ns.close(sock)?;
    Ok(())
}
