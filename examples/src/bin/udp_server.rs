//! UDP echo server, after ESP-IDF's `protocols/sockets/udp_server`: receives datagrams on
//! port 3333 and sends each back to its sender. Written with the BSD sockets API.
//!
//! ```text
//! ip netns exec NS udp_server --tap tap0   # then, from Linux: socat - UDP:192.0.2.2:3333
//! ```

use std::error::Error;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use examples::bringup::{self, printable};
use examples::cli::{Args, Opt, Spec};
use netstack::api::NetStack;
use netstack::api::sockets::{AF_INET, IPPROTO_IP, SOCK_DGRAM};

const SPEC: Spec = Spec {
    program: "udp_server",
    about: "UDP echo server (ESP-IDF's udp_server example): sends every datagram received on \
            --port back to its sender.",
    opts: &[
        Opt::value::<u16>("--port", "N", Some("3333"), "port to listen on"),
        Opt::value::<u32>(
            "--count",
            "N",
            Some("0"),
            "exit after echoing N datagrams; 0: serve until killed",
        ),
    ],
};

fn main() -> ExitCode {
    bringup::run(&SPEC, udp_server_task)
}

fn udp_server_task(ns: &NetStack, args: &Args) -> Result<(), Box<dyn Error>> {
    let port: u16 = args.get("--port");
    let count: u32 = args.get("--count");

    let sock = ns
        .socket(AF_INET, SOCK_DGRAM, IPPROTO_IP)
        .map_err(|e| format!("Unable to create socket: {e}"))?;
    println!("Socket created");
    ns.bind(sock, SocketAddr::from((Ipv4Addr::UNSPECIFIED, port)))
        .map_err(|e| format!("Socket unable to bind: {e}"))?;
    println!("Socket bound, port {port}");

    let mut rx_buffer = [0u8; 1500];
    let mut echoed = 0;
    while count == 0 || echoed < count {
        println!("Waiting for data");
        let (len, from) = ns
            .recvfrom(sock, &mut rx_buffer, 0)
            .map_err(|e| format!("recvfrom failed: {e}"))?;
        let Some(source) = from else {
            continue;
        };
        println!(
            "Received {len} bytes from {source}: {}",
            printable(&rx_buffer[..len])
        );
        ns.sendto(sock, &rx_buffer[..len], 0, source)
            .map_err(|e| format!("Error occurred during sending: {e}"))?;
        echoed += 1;
    }
    ns.close(sock)?;
    println!("Echoed {echoed} datagram(s), exiting");
    Ok(())
}
