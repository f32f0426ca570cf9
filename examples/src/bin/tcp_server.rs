//! TCP echo server, after ESP-IDF's `protocols/sockets/tcp_server`: listens on port 3333
//! and echoes what each client sends until the client closes. Connections are served
//! concurrently, one thread each (as many as `max_sockets` leaves descriptors for; the stack
//! resets connections beyond that). Written with the BSD sockets API.
//!
//! ```text
//! ip netns exec NS tcp_server --tap tap0            # then, from Linux: nc 192.0.2.2 3333
//! ```

use std::error::Error;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use examples::bringup::{self, printable};
use examples::cli::{Args, Opt, Spec};
use netstack::api::sockets::{
    AF_INET, IPPROTO_IP, IPPROTO_TCP, SHUT_RDWR, SO_KEEPALIVE, SO_REUSEADDR, SOCK_STREAM,
    SOL_SOCKET, TCP_KEEPCNT, TCP_KEEPIDLE, TCP_KEEPINTVL,
};
use netstack::api::{Errno, Fd, NetStack};

const SPEC: Spec = Spec {
    program: "tcp_server",
    about: "TCP echo server (ESP-IDF's tcp_server example): accepts connections on --port and \
            echoes what each client sends until it closes the connection.",
    opts: &[
        Opt::value::<u16>("--port", "N", Some("3333"), "port to listen on"),
        Opt::value::<u32>(
            "--count",
            "N",
            Some("0"),
            "exit once N connections have been served; 0: serve until killed",
        ),
    ],
};

/// TCP keepalive: idle seconds before the first probe, seconds between probes, probes.
const KEEPALIVE_IDLE: i32 = 5;
const KEEPALIVE_INTERVAL: i32 = 5;
const KEEPALIVE_COUNT: i32 = 3;

fn main() -> ExitCode {
    bringup::run(&SPEC, tcp_server_task)
}

fn tcp_server_task(ns: &NetStack, args: &Args) -> Result<(), Box<dyn Error>> {
    let port: u16 = args.get("--port");
    let count: u32 = args.get("--count");

    let listen_sock = ns
        .socket(AF_INET, SOCK_STREAM, IPPROTO_IP)
        .map_err(|e| format!("Unable to create socket: {e}"))?;
    if netstack::config::SO_REUSE {
        ns.setsockopt_int(listen_sock, SOL_SOCKET, SO_REUSEADDR, 1)?;
    }
    println!("Socket created");
    let dest = SocketAddr::from((Ipv4Addr::UNSPECIFIED, port));
    ns.bind(listen_sock, dest)
        .map_err(|e| format!("Socket unable to bind: {e}"))?;
    println!("Socket bound, port {port}");
    ns.listen(listen_sock, 1)
        .map_err(|e| format!("Error occurred during listen: {e}"))?;
    println!("Socket listening");

    let mut workers = Vec::new();
    let mut served = 0;
    while count == 0 || served < count {
        let (sock, peer) = match ns.accept(listen_sock) {
            Ok(accepted) => accepted,
            // Every descriptor is taken (`max_sockets`): the stack reset that connection.
            // Keep serving the others.
            Err(e @ (Errno::ENFILE | Errno::EMFILE | Errno::ENOBUFS | Errno::ECONNABORTED)) => {
                eprintln!("Unable to accept connection: {e}");
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
            Err(e) => return Err(format!("Unable to accept connection: {e}").into()),
        };
        println!("Socket accepted ip address: {peer}");
        if let Err(e) = set_keepalive(ns, sock) {
            eprintln!("Unable to set keepalive on the connection from {peer}: {e}");
        }
        served += 1;
        let ns = ns.clone();
        workers.push(std::thread::spawn(move || {
            match do_retransmit(&ns, sock, peer) {
                Ok(total) => println!("Connection from {peer} closed ({total} bytes echoed)"),
                Err(e) => eprintln!("Error occurred on the connection from {peer}: {e}"),
            }
            let _ = ns.shutdown(sock, SHUT_RDWR);
            let _ = ns.close(sock);
        }));
        workers.retain(|w| !w.is_finished());
    }
    for worker in workers {
        let _ = worker.join();
    }
    ns.close(listen_sock)?;
    println!("Served {served} connection(s), exiting");
    Ok(())
}

/// Drops a connection whose peer vanished without closing: keepalive probes after
/// [`KEEPALIVE_IDLE`] seconds of silence.
fn set_keepalive(ns: &NetStack, sock: Fd) -> Result<(), Errno> {
    ns.setsockopt_int(sock, SOL_SOCKET, SO_KEEPALIVE, 1)?;
    ns.setsockopt_int(sock, IPPROTO_TCP, TCP_KEEPIDLE, KEEPALIVE_IDLE)?;
    ns.setsockopt_int(sock, IPPROTO_TCP, TCP_KEEPINTVL, KEEPALIVE_INTERVAL)?;
    ns.setsockopt_int(sock, IPPROTO_TCP, TCP_KEEPCNT, KEEPALIVE_COUNT)
}

/// Echoes what `sock` receives until the peer closes; returns the bytes echoed.
fn do_retransmit(ns: &NetStack, sock: Fd, peer: SocketAddr) -> Result<usize, Errno> {
    let mut rx_buffer = [0u8; 1024];
    let mut total = 0;
    loop {
        let len = ns.recv(sock, &mut rx_buffer, 0)?;
        if len == 0 {
            return Ok(total);
        }
        println!(
            "Received {len} bytes from {peer}: {}",
            printable(&rx_buffer[..len])
        );
        // send() may take less than it was given: send the rest too.
        let mut to_write = &rx_buffer[..len];
        while !to_write.is_empty() {
            let written = ns.send(sock, to_write, 0)?;
            to_write = &to_write[written..];
        }
        total += len;
    }
}
