//! UDP multicast, after ESP-IDF's `protocols/sockets/udp_multicast`: joins a group
//! (`IP_ADD_MEMBERSHIP`), sends a datagram to it every second (`IP_MULTICAST_TTL`,
//! `IP_MULTICAST_IF`; `IP_MULTICAST_LOOP` with `--loop`) and prints what arrives from the
//! group, waiting in `select()` for whichever comes first. Written with the BSD sockets API.
//!
//! ```text
//! ip netns exec NS udp_multicast --tap tap0 --count 5
//! ip netns exec NS socat -u UDP4-RECV:3333,ip-add-membership=232.10.11.12:192.0.2.1 -
//! ```

use std::error::Error;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use examples::bringup::{self, printable};
use examples::cli::{Args, Opt, Spec};
use netstack::api::NetStack;
use netstack::api::sockets::{
    AF_INET, FdSet, IP_ADD_MEMBERSHIP, IP_MULTICAST_IF, IP_MULTICAST_LOOP, IP_MULTICAST_TTL,
    IPPROTO_IP, SOCK_DGRAM,
};

const SPEC: Spec = Spec {
    program: "udp_multicast",
    about: "UDP multicast (ESP-IDF's udp_multicast example): joins --group, sends a datagram \
            to --group:--port every --interval milliseconds and prints the datagrams the \
            group receives.",
    opts: &[
        Opt::value::<Ipv4Addr>(
            "--group",
            "A.B.C.D",
            Some("232.10.11.12"),
            "multicast group to join and send to",
        ),
        Opt::value::<u16>("--port", "N", Some("3333"), "UDP port"),
        Opt::value::<u8>(
            "--ttl",
            "N",
            Some("1"),
            "IP_MULTICAST_TTL of sent datagrams",
        ),
        Opt::switch("--loop", "IP_MULTICAST_LOOP: receive our own datagrams too"),
        Opt::value::<u32>(
            "--count",
            "N",
            Some("0"),
            "send N datagrams, listen one more interval, then exit; 0: until killed",
        ),
        Opt::value::<u64>(
            "--interval",
            "MS",
            Some("1000"),
            "milliseconds between datagrams",
        ),
    ],
};

fn main() -> ExitCode {
    bringup::run(&SPEC, mcast_example_task)
}

fn mcast_example_task(ns: &NetStack, args: &Args) -> Result<(), Box<dyn Error>> {
    let group: Ipv4Addr = args.get("--group");
    let port: u16 = args.get("--port");
    let ttl: u8 = args.get("--ttl");
    let multicast_loop = args.switch("--loop");
    let count: u32 = args.get("--count");
    let interval = Duration::from_millis(args.get("--interval"));
    if !group.is_multicast() {
        return Err(format!("{group} is not a multicast address").into());
    }
    let if_addr = args.common.addr.address();

    // create_multicast_ipv4_socket()
    let sock = ns
        .socket(AF_INET, SOCK_DGRAM, IPPROTO_IP)
        .map_err(|e| format!("Failed to create socket: {e}"))?;
    ns.bind(sock, SocketAddr::from((Ipv4Addr::UNSPECIFIED, port)))
        .map_err(|e| format!("Failed to bind socket: {e}"))?;
    ns.setsockopt(sock, IPPROTO_IP, IP_MULTICAST_TTL, &[ttl])
        .map_err(|e| format!("Failed to set IP_MULTICAST_TTL: {e}"))?;
    ns.setsockopt(
        sock,
        IPPROTO_IP,
        IP_MULTICAST_LOOP,
        &[u8::from(multicast_loop)],
    )
    .map_err(|e| format!("Failed to set IP_MULTICAST_LOOP: {e}"))?;
    // Send from our interface's address.
    ns.setsockopt(sock, IPPROTO_IP, IP_MULTICAST_IF, &if_addr.octets())
        .map_err(|e| format!("Failed to set IP_MULTICAST_IF: {e}"))?;
    // struct ip_mreq: the group, then the interface's address.
    let mut imreq = [0u8; 8];
    imreq[..4].copy_from_slice(&group.octets());
    imreq[4..].copy_from_slice(&if_addr.octets());
    ns.setsockopt(sock, IPPROTO_IP, IP_ADD_MEMBERSHIP, &imreq)
        .map_err(|e| format!("Failed to set IP_ADD_MEMBERSHIP: {e}"))?;
    println!("Joined group {group} on {if_addr}, port {port} (TTL {ttl}, loop {multicast_loop})");

    let dest = SocketAddr::from((group, port));
    let mut recvbuf = [0u8; 1500];
    let mut sent = 0u32;
    let mut next_send = Instant::now();
    loop {
        let now = Instant::now();
        if now >= next_send {
            if count != 0 && sent >= count {
                break;
            }
            sent += 1;
            let sendbuf = format!("Multicast #{sent} sent by netstack");
            let len = ns
                .sendto(sock, sendbuf.as_bytes(), 0, dest)
                .map_err(|e| format!("IPV4 sendto failed: {e}"))?;
            println!("Sent {len} bytes to {dest}: {sendbuf}");
            next_send = now + interval;
            continue;
        }
        let mut rfds = FdSet::new();
        rfds.set(sock);
        let ready = ns
            .select(sock + 1, Some(&mut rfds), None, None, Some(next_send - now))
            .map_err(|e| format!("Select failed: {e}"))?;
        if ready > 0 && rfds.is_set(sock) {
            let (len, from) = ns
                .recvfrom(sock, &mut recvbuf, 0)
                .map_err(|e| format!("multicast recvfrom failed: {e}"))?;
            let from = from.map_or_else(|| "?".to_string(), |a| a.to_string());
            println!(
                "Received {len} bytes from {from}: {}",
                printable(&recvbuf[..len])
            );
        }
    }
    ns.close(sock)?;
    println!("Sent {sent} datagram(s), exiting");
    Ok(())
}
