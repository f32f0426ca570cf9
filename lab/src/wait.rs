//! Bounded waits for readiness: a condition polled until it holds, or a panic that names what
//! never happened. Tests wait for what they need (a listener, a log line, a counter) instead of
//! sleeping a fixed time and hoping.

use std::time::{Duration, Instant};

use crate::lab::Lab;

/// Polls `done` every 20 ms until it holds; panics naming `what` after `limit`.
pub fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let end = Instant::now() + limit;
    while !done() {
        assert!(
            Instant::now() < end,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A transport protocol whose listening sockets [`Lab::wait_listening`] looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// A TCP socket in LISTEN.
    Tcp,
    /// A bound UDP socket.
    Udp,
}

/// Whether `ss -Hln` output lists a socket on local port `port`.
fn lists_port(ss_output: &str, port: u16) -> bool {
    let suffix = format!(":{port}");
    ss_output.lines().any(|line| {
        line.split_whitespace()
            .nth(3)
            .is_some_and(|local| local.ends_with(&suffix))
    })
}

impl Lab {
    /// Waits (at most `limit`) until a Linux socket in the lab listens on `port`; panics
    /// naming the port otherwise.
    pub fn wait_listening(&self, transport: Transport, port: u16, limit: Duration) {
        let flags = match transport {
            Transport::Tcp => "-Hlnt",
            Transport::Udp => "-Hlnu",
        };
        wait_for(
            &format!(
                "a {transport:?} listener on port {port} in {}",
                self.namespace()
            ),
            limit,
            || lists_port(&self.exec_ok(&["ss", flags]), port),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listener_is_found_by_its_local_port_only() {
        let ss = "LISTEN 0      5            0.0.0.0:5001       0.0.0.0:*\n\
                  LISTEN 0      4096       127.0.0.1:45001     0.0.0.0:*\n\
                  UNCONN 0      0                  *:9000            *:*\n";
        assert!(lists_port(ss, 5001));
        assert!(lists_port(ss, 9000));
        assert!(!lists_port(ss, 500));
        assert!(!lists_port(ss, 1));
        assert!(!lists_port("", 5001));
    }

    #[test]
    fn a_wait_that_never_holds_names_what_it_waited_for() {
        let panic = std::panic::catch_unwind(|| {
            wait_for("the impossible", Duration::from_millis(50), || false);
        })
        .expect_err("times out");
        let text = panic.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(text.contains("the impossible"), "{text}");
    }
}
