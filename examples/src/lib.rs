//! What the example binaries share: their command-line flags ([`cli`]) and bringing the stack
//! up on a TAP device ([`bringup`], the part ESP-IDF's examples leave to `example_connect()`).
//!
//! Each binary in `src/bin/` is one of ESP-IDF's protocol examples (`tcp_server`,
//! `tcp_client`, `udp_server`, `udp_client`, `udp_multicast`, `http_request`) written against
//! netstack's sockets API. Run one in the network namespace that holds its TAP device:
//!
//! ```text
//! ip netns exec NS tcp_server --tap tap0 --addr 192.0.2.2/24
//! ```

pub mod bringup;
pub mod cli;
