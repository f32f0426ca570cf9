//! HTTP request, after ESP-IDF's `protocols/http_request`: sends `GET /` as an HTTP/1.0
//! request over a [`TcpStream`] (the `std::net`-style wrapper, with `std::io::Read`/`Write`)
//! and prints the response's status line and body length (and the body with
//! `--print-body`).
//!
//! ```text
//! ip netns exec NS python3 -m http.server 80 &
//! ip netns exec NS http_request --tap tap0 --peer 192.0.2.1 --print-body
//! ```

use std::error::Error;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use examples::bringup;
use examples::cli::{Args, Opt, Spec};
use netstack::api::{NetStack, TcpStream};

const SPEC: Spec = Spec {
    program: "http_request",
    about: "HTTP request (ESP-IDF's http_request example): GETs --path from --peer:--port with \
            HTTP/1.0 and prints the status line and the body's length.",
    opts: &[
        Opt::value::<Ipv4Addr>("--peer", "A.B.C.D", Some("192.0.2.1"), "web server address"),
        Opt::value::<u16>("--port", "N", Some("80"), "web server port"),
        Opt::value::<String>("--path", "PATH", Some("/"), "path to request"),
        Opt::switch("--print-body", "print the body too"),
        Opt::value::<u64>(
            "--timeout",
            "SECS",
            Some("5"),
            "how long to wait for data from the server",
        ),
    ],
};

fn main() -> ExitCode {
    bringup::run(&SPEC, http_get_task)
}

fn http_get_task(ns: &NetStack, args: &Args) -> Result<(), Box<dyn Error>> {
    let peer: Ipv4Addr = args.get("--peer");
    let port: u16 = args.get("--port");
    let path: String = args.get("--path");
    let print_body = args.switch("--print-body");
    let timeout: u64 = args.get("--timeout");
    let server = SocketAddr::from((peer, port));
    if !path.starts_with('/') {
        return Err(format!("--path must start with `/`: {path}").into());
    }

    let mut stream = TcpStream::connect(ns, server)
        .map_err(|e| format!("Unable to connect to {server}: {e}"))?;
    println!("Connected to {server}");
    let request = format!(
        "GET {path} HTTP/1.0\r\nHost: {peer}\r\nUser-Agent: netstack http_request example\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("socket send failed: {e}"))?;
    println!("Request sent: GET {path}");
    stream
        .set_read_timeout(Some(Duration::from_secs(timeout.max(1))))
        .map_err(|e| format!("failed to set socket receiving timeout: {e}"))?;

    // HTTP/1.0: the server closes the connection after the response.
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(|e| {
        format!(
            "reading the response failed after {} bytes: {e}",
            response.len()
        )
    })?;
    let Some(header_end) = response.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Err(format!(
            "no complete HTTP header in the {} bytes received",
            response.len()
        )
        .into());
    };
    let head = String::from_utf8_lossy(&response[..header_end]);
    let body = &response[header_end + 4..];
    let status_line = head.lines().next().unwrap_or_default();
    println!("Status: {status_line}");
    println!("Body: {} bytes", body.len());
    let content_length = head.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().ok())?
    });
    if let Some(expected) = content_length
        && expected != body.len()
    {
        return Err(format!("Content-Length says {expected} bytes, got {}", body.len()).into());
    }
    if print_body {
        println!("{}", String::from_utf8_lossy(body));
    }
    Ok(())
}
