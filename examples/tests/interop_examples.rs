//! The socket examples against Linux: each example runs inside a lab namespace on the TAP
//! device there (as a user runs it with `ip netns exec NS example --tap TAP`), with Linux
//! tools (socat, nc, python3's http.server) as the other end, and the tests check what
//! both sides print. Needs root (the lab makes namespaces); it fails, never skips, without.
//!
//! The command-line tests at the end (`--help`, bad flags) need no root.

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use netstack_lab::{Lab, Transport, plan};

const TCP_SERVER: &str = env!("CARGO_BIN_EXE_tcp_server");
const TCP_CLIENT: &str = env!("CARGO_BIN_EXE_tcp_client");
const UDP_SERVER: &str = env!("CARGO_BIN_EXE_udp_server");
const UDP_CLIENT: &str = env!("CARGO_BIN_EXE_udp_client");
const UDP_MULTICAST: &str = env!("CARGO_BIN_EXE_udp_multicast");
const HTTP_REQUEST: &str = env!("CARGO_BIN_EXE_http_request");

const ALL: [(&str, &str); 6] = [
    ("tcp_server", TCP_SERVER),
    ("tcp_client", TCP_CLIENT),
    ("udp_server", UDP_SERVER),
    ("udp_client", UDP_CLIENT),
    ("udp_multicast", UDP_MULTICAST),
    ("http_request", HTTP_REQUEST),
];

/// How long an example gets to come up (open the TAP, start the thread) and print its
/// first line; generous, as the machine may be busy.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// An example running in the lab's namespace; killed when dropped.
struct Example {
    name: String,
    child: Child,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<thread::JoinHandle<()>>,
}

/// Appends what `pipe` yields to `into` until it closes.
fn collect(
    mut pipe: impl Read + Send + 'static,
    into: Arc<Mutex<String>>,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            into.lock()
                .expect("output lock")
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    })
}

impl Example {
    /// Starts `bin --tap TAP args...` inside the lab's namespace.
    fn start(lab: &Lab, bin: &str, args: &[&str]) -> Example {
        let mut child = Command::new("ip")
            .args([
                "netns",
                "exec",
                lab.namespace(),
                bin,
                "--tap",
                lab.tap_name(),
            ])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let readers = vec![
            collect(child.stdout.take().expect("stdout pipe"), stdout.clone()),
            collect(child.stderr.take().expect("stderr pipe"), stderr.clone()),
        ];
        let name = Path::new(bin)
            .file_name()
            .map_or_else(|| bin.to_string(), |n| n.to_string_lossy().into_owned());
        Example {
            name,
            child,
            stdout,
            stderr,
            readers,
        }
    }

    fn stdout(&self) -> String {
        self.stdout.lock().expect("output lock").clone()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().expect("output lock").clone()
    }

    fn printed(&self, needle: &str) -> bool {
        self.stdout().contains(needle) || self.stderr().contains(needle)
    }

    /// Both outputs, for failure messages.
    fn output(&self) -> String {
        format!(
            "--- {} stdout:\n{}--- {} stderr:\n{}",
            self.name,
            self.stdout(),
            self.name,
            self.stderr()
        )
    }

    /// Waits until stdout or stderr contains `needle`; panics (with the output) after
    /// `timeout` or if the example exits first.
    fn wait_for(&mut self, needle: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            if self.printed(needle) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                self.join_readers();
                assert!(
                    self.printed(needle),
                    "{} exited ({status}) before printing {needle:?}\n{}",
                    self.name,
                    self.output()
                );
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not print {needle:?} within {timeout:?}\n{}",
                self.name,
                self.output()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for the example to exit by itself; panics (killing it) after `timeout`.
    /// Returns its status and stdout.
    fn wait_exit(&mut self, timeout: Duration) -> (ExitStatus, String) {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                self.join_readers();
                return (status, self.stdout());
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                self.join_readers();
                panic!(
                    "{} did not exit within {timeout:?}\n{}",
                    self.name,
                    self.output()
                );
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Like [`Example::wait_exit`], and asserts the exit status is 0.
    fn wait_success(&mut self, timeout: Duration) -> String {
        let (status, stdout) = self.wait_exit(timeout);
        assert!(
            status.success(),
            "{} failed ({status})\n{}",
            self.name,
            self.output()
        );
        stdout
    }

    /// Sends SIGTERM and waits (up to `timeout`) for the example to exit; returns its status.
    fn terminate(&mut self, timeout: Duration) -> ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM {}", self.child.id());
        self.wait_exit(timeout).0
    }

    fn join_readers(&mut self) {
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
    }
}

impl Drop for Example {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if thread::panicking() {
            eprintln!("{}", self.output());
        }
    }
}

/// Runs `script` with `sh -c` in the lab's namespace; panics unless it succeeds. Returns
/// its stdout.
fn sh(lab: &Lab, script: &str) -> String {
    lab.exec_ok(&["sh", "-c", script])
}

/// Waits (up to 5 s) until Linux has no TCP socket in `state` (an `ss` state filter).
fn wait_no_tcp_sockets(lab: &Lab, state: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left = lab.exec_ok(&["ss", "-Htn", "state", state]);
        if left.trim().is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "Linux still has sockets in state {state}:\n{left}"
        );
        thread::sleep(Duration::from_millis(50));
    }
}

/// A scratch directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(lab: &Lab, what: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("{}-{what}", lab.namespace()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch directory");
        Scratch(dir)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn tcp_server_echoes_linux_clients_one_after_another_and_concurrently() {
    let lab = Lab::builder().tap_in_namespace();
    let scratch = Scratch::new(&lab, "tcp-server");
    let mut server = Example::start(&lab, TCP_SERVER, &["--count", "3"]);
    server.wait_for("Socket listening", START_TIMEOUT);
    let stack = plan::STACK_ADDR;

    // One short exchange with socat: it half-closes after its input, the server echoes and
    // closes.
    let reply = sh(
        &lab,
        &format!("printf 'hello netstack' | socat -t 5 - TCP4:{stack}:3333"),
    );
    assert_eq!(reply, "hello netstack");

    // A slow client keeps its connection open while a second one sends 100 kB with nc:
    // the second is served meanwhile, and the echo is byte for byte what was sent.
    let slow = lab.spawn(&[
        "sh",
        "-c",
        &format!("(printf first; sleep 3; printf -- -second) | socat -t 5 - TCP4:{stack}:3333"),
    ]);
    server.wait_for("Received 5 bytes from 192.0.2.1", START_TIMEOUT);
    let (input, output) = (scratch.path("in"), scratch.path("out"));
    std::fs::write(
        &input,
        (0..100_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect::<Vec<u8>>(),
    )
    .expect("write the input file");
    let started = Instant::now();
    sh(
        &lab,
        &format!("nc -N -w 5 {stack} 3333 < {input} > {output}"),
    );
    let took = started.elapsed();
    let sent = std::fs::read(&input).expect("read input");
    let echoed = std::fs::read(&output).expect("read output");
    assert_eq!(echoed.len(), sent.len(), "echo length");
    assert!(echoed == sent, "the echo differs from what nc sent");
    let mut slow = slow;
    assert!(
        slow.is_running(),
        "the 100 kB exchange took {took:?}: it waited for the slow connection"
    );
    let slow_out = slow
        .wait_timeout(Duration::from_secs(10))
        .expect("the slow client finishes");
    assert_eq!(String::from_utf8_lossy(&slow_out.stdout), "first-second");

    let log = server.wait_success(Duration::from_secs(10));
    assert_eq!(
        count(&log, "Socket accepted ip address: 192.0.2.1:"),
        3,
        "{log}"
    );
    assert!(log.contains("Received 14 bytes from 192.0.2.1:"), "{log}");
    assert!(log.contains(": hello netstack"), "{log}");
    assert!(log.contains("(100000 bytes echoed)"), "{log}");
    assert!(log.contains("(12 bytes echoed)"), "{log}");
    assert!(log.contains("Served 3 connection(s), exiting"), "{log}");
}

#[test]
fn tcp_server_outlives_more_clients_than_it_has_descriptors() {
    let lab = Lab::builder().tap_in_namespace();
    let mut server = Example::start(&lab, TCP_SERVER, &[]);
    server.wait_for("Socket listening", START_TIMEOUT);
    let stack = plan::STACK_ADDR;
    // The listening socket takes one descriptor; the stack resets connections beyond.
    let room = netstack::config::MAX_SOCKETS - 1;
    let clients: Vec<_> = (0..room + 2)
        .map(|i| {
            lab.spawn(&[
                "sh",
                "-c",
                &format!("(printf conn{i}; sleep 3) | socat -t 5 - TCP4:{stack}:3333"),
            ])
        })
        .collect();
    server.wait_for(
        "Unable to accept connection: Too many open files in system",
        START_TIMEOUT,
    );
    let log = server.stdout();
    assert_eq!(
        count(&log, "Socket accepted ip address: 192.0.2.1:"),
        room,
        "{}",
        server.output()
    );
    let echoed = clients
        .into_iter()
        .filter_map(|mut c| c.wait_timeout(Duration::from_secs(15)))
        .filter(|out| String::from_utf8_lossy(&out.stdout).starts_with("conn"))
        .count();
    assert_eq!(echoed, room, "{}", server.output());
    // Once those closed, the server takes new connections again.
    let reply = sh(
        &lab,
        &format!("printf 'after the crowd' | socat -t 5 - TCP4:{stack}:3333"),
    );
    assert_eq!(reply, "after the crowd", "{}", server.output());
    assert!(
        server.child.try_wait().is_ok_and(|s| s.is_none()),
        "{}",
        server.output()
    );
}

#[test]
fn tcp_server_drops_a_vanished_client_after_its_keepalive_probes() {
    let lab = Lab::builder().tap_in_namespace();
    let mut server = Example::start(&lab, TCP_SERVER, &[]);
    server.wait_for("Socket listening", START_TIMEOUT);
    let _client = lab.spawn(&[
        "sh",
        "-c",
        &format!(
            "(printf hi; sleep 60) | socat -t 5 - TCP4:{}:3333",
            plan::STACK_ADDR
        ),
    ]);
    server.wait_for("Received 2 bytes from 192.0.2.1:", START_TIMEOUT);
    // The client vanishes: Linux neither sees nor answers anything on the connection.
    sh(
        &lab,
        "iptables -A INPUT -p tcp --sport 3333 -j DROP && \
         iptables -A OUTPUT -p tcp --dport 3333 -j DROP",
    );
    let vanished = Instant::now();
    // TCP_KEEPIDLE 5 s, then TCP_KEEPCNT 3 probes TCP_KEEPINTVL 5 s apart: about 20 s.
    server.wait_for("Connection timed out", Duration::from_secs(45));
    let took = vanished.elapsed();
    assert!(
        took >= Duration::from_secs(14),
        "dropped after {took:?}, before its keepalive probes\n{}",
        server.output()
    );
    assert!(
        server
            .stderr()
            .contains("Error occurred on the connection from 192.0.2.1:"),
        "{}",
        server.output()
    );
}

#[test]
fn tcp_client_gets_its_messages_back_from_a_linux_echo_server() {
    let lab = Lab::builder().tap_in_namespace();
    let _echo = lab.spawn(&["socat", "TCP4-LISTEN:3333,fork,reuseaddr", "EXEC:cat"]);
    lab.wait_listening(Transport::Tcp, 3333, START_TIMEOUT);
    let mut client = Example::start(&lab, TCP_CLIENT, &["--count", "3", "--interval", "100"]);
    let log = client.wait_success(Duration::from_secs(30));
    assert!(
        log.contains("Socket created, connecting to 192.0.2.1:3333"),
        "{log}"
    );
    assert!(log.contains("Successfully connected"), "{log}");
    assert_eq!(
        count(
            &log,
            "Received 21 bytes from 192.0.2.1:3333: Message from netstack\n"
        ),
        3,
        "{log}"
    );

    // The client closed its connection before exiting: Linux's side of it is gone too.
    wait_no_tcp_sockets(&lab, "connected");

    let mut custom = Example::start(
        &lab,
        TCP_CLIENT,
        &[
            "--peer",
            "192.0.2.1",
            "--port",
            "3333",
            "--message",
            "ping über TCP",
        ],
    );
    let log = custom.wait_success(Duration::from_secs(30));
    assert!(
        log.contains("Received 14 bytes from 192.0.2.1:3333: ping über TCP\n"),
        "{log}"
    );
}

#[test]
fn tcp_client_reaches_another_subnet_through_its_gateway() {
    let lab = Lab::builder().second_subnet(true).tap_in_namespace();
    let _echo = lab.spawn(&["socat", "TCP4-LISTEN:3333,fork,reuseaddr", "EXEC:cat"]);
    lab.wait_listening(Transport::Tcp, 3333, START_TIMEOUT);
    let remote = plan::REMOTE_ADDR.to_string();
    // Through Linux as the gateway.
    let mut client = Example::start(
        &lab,
        TCP_CLIENT,
        &["--peer", &remote, "--gateway", "192.0.2.1"],
    );
    let log = client.wait_success(Duration::from_secs(30));
    assert!(
        log.contains("netstack up on") && log.contains(", gateway 192.0.2.1"),
        "{log}"
    );
    assert!(
        log.contains("Received 21 bytes from 198.51.100.1:3333: Message from netstack\n"),
        "{log}"
    );
}

#[test]
fn tcp_client_reports_a_refused_connection() {
    let lab = Lab::builder().tap_in_namespace();
    let mut client = Example::start(&lab, TCP_CLIENT, &["--port", "3334"]);
    let (status, _) = client.wait_exit(Duration::from_secs(30));
    assert_eq!(status.code(), Some(1), "{}", client.output());
    assert!(
        client
            .stderr()
            .contains("tcp_client: Socket unable to connect: Connection refused"),
        "{}",
        client.output()
    );
}

#[test]
fn udp_server_echoes_datagrams_from_linux() {
    let lab = Lab::builder().tap_in_namespace();
    let mut server = Example::start(&lab, UDP_SERVER, &[]);
    server.wait_for("Socket bound, port 3333", START_TIMEOUT);
    let stack = plan::STACK_ADDR;
    let reply = sh(
        &lab,
        &format!("printf 'hello udp' | socat -t 2 - UDP4:{stack}:3333"),
    );
    assert_eq!(reply, "hello udp");
    let reply = sh(
        &lab,
        &format!("printf 'second datagram' | nc -u -w 2 {stack} 3333"),
    );
    assert_eq!(reply, "second datagram");
    // The largest datagram that needs no fragmentation on a 1500-byte link comes back whole.
    let reply = sh(
        &lab,
        &format!("head -c 1472 /dev/zero | tr '\\0' x | socat -t 2 - UDP4:{stack}:3333"),
    );
    assert_eq!(reply, "x".repeat(1472));
    // Without --count it serves until killed.
    assert_eq!(
        server.terminate(Duration::from_secs(10)).signal(),
        Some(15),
        "{}",
        server.output()
    );
    let log = server.stdout();
    assert!(log.contains("Received 9 bytes from 192.0.2.1:"), "{log}");
    assert!(log.contains(": hello udp\n"), "{log}");
    assert!(log.contains(": second datagram\n"), "{log}");
    assert!(log.contains("Received 1472 bytes from 192.0.2.1:"), "{log}");
    assert_eq!(count(&log, "Waiting for data\n"), 4, "{log}");
}

#[test]
fn udp_client_gets_replies_from_a_linux_echo_server() {
    let lab = Lab::builder().tap_in_namespace();
    let _echo = lab.spawn(&["socat", "UDP4-LISTEN:3333,fork,reuseaddr", "PIPE"]);
    lab.wait_listening(Transport::Udp, 3333, START_TIMEOUT);
    let mut client = Example::start(
        &lab,
        UDP_CLIENT,
        &[
            "--count",
            "2",
            "--interval",
            "100",
            "--message",
            "datagram from netstack",
        ],
    );
    let log = client.wait_success(Duration::from_secs(30));
    assert!(
        log.contains("Socket created, sending to 192.0.2.1:3333"),
        "{log}"
    );
    assert_eq!(count(&log, "Message sent\n"), 2, "{log}");
    assert_eq!(
        count(
            &log,
            "Received 22 bytes from 192.0.2.1:3333: datagram from netstack\n"
        ),
        2,
        "{log}"
    );
}

#[test]
fn udp_client_gives_up_after_its_receive_timeout() {
    let lab = Lab::builder().tap_in_namespace();
    let started = Instant::now();
    let mut client = Example::start(&lab, UDP_CLIENT, &["--port", "3334", "--timeout", "1"]);
    let (status, log) = client.wait_exit(Duration::from_secs(30));
    assert_eq!(status.code(), Some(1), "{}", client.output());
    assert!(log.contains("Message sent"), "{log}");
    assert!(
        client
            .stderr()
            .contains("udp_client: no reply from 192.0.2.1:3334 within 1s"),
        "{}",
        client.output()
    );
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[test]
fn udp_multicast_datagrams_reach_a_linux_group_member() {
    let lab = Lab::builder().tap_in_namespace();
    let receiver = lab.spawn(&[
        "socat",
        "-u",
        "UDP4-RECV:3333,ip-add-membership=232.10.11.12:192.0.2.1,reuseaddr",
        "STDOUT",
    ]);
    let deadline = Instant::now() + START_TIMEOUT;
    while !lab.maddr().contains("232.10.11.12") {
        assert!(Instant::now() < deadline, "Linux never joined the group");
        thread::sleep(Duration::from_millis(50));
    }
    let capture = lab.start_capture("udp-multicast");
    let mut example = Example::start(&lab, UDP_MULTICAST, &["--count", "3", "--interval", "300"]);
    let log = example.wait_success(Duration::from_secs(30));
    assert!(
        log.contains("Joined group 232.10.11.12 on 192.0.2.2, port 3333 (TTL 1, loop false)"),
        "{log}"
    );
    for i in 1..=3 {
        assert!(
            log.contains(&format!(
                "Sent 29 bytes to 232.10.11.12:3333: Multicast #{i} sent by netstack"
            )),
            "{log}"
        );
    }
    // IP_MULTICAST_LOOP is off: the example does not hear itself.
    assert!(!log.contains("Received"), "{log}");
    assert!(log.contains("Sent 3 datagram(s), exiting"), "{log}");
    let heard = receiver.stop();
    let heard = String::from_utf8_lossy(&heard.stdout);
    assert_eq!(
        heard,
        "Multicast #1 sent by netstackMulticast #2 sent by netstackMulticast #3 sent by netstack"
    );
    // On the wire: well-formed, and IP_ADD_MEMBERSHIP announced the group with IGMP.
    let report = capture.stop_and_check();
    if netstack::config::IGMP {
        assert!(
            report
                .matching("Membership Report")
                .iter()
                .any(|r| r.contains("232.10.11.12")),
            "no IGMP report for the group: {:#?}",
            report.packets
        );
    }
    assert_eq!(report.matching("3333").len(), 3, "{:#?}", report.packets);
}

#[test]
fn udp_multicast_prints_what_linux_sends_to_the_group_and_its_own_with_loop() {
    let lab = Lab::builder().tap_in_namespace();
    // Linux sends multicast where a route says (the namespace has no default route).
    lab.exec_ok(&["ip", "route", "add", "224.0.0.0/4", "dev", lab.tap_name()]);
    let mut example = Example::start(
        &lab,
        UDP_MULTICAST,
        &["--count", "8", "--interval", "500", "--loop", "--ttl", "2"],
    );
    example.wait_for("Joined group", START_TIMEOUT);
    sh(
        &lab,
        "printf 'hello group' | socat -u - UDP4-DATAGRAM:232.10.11.12:3333,ip-multicast-if=192.0.2.1",
    );
    let log = example.wait_success(Duration::from_secs(30));
    assert!(log.contains("(TTL 2, loop true)"), "{log}");
    assert!(log.contains("Received 11 bytes from 192.0.2.1:"), "{log}");
    assert!(log.contains(": hello group\n"), "{log}");
    // IP_MULTICAST_LOOP: its own datagrams come back to it.
    assert!(
        log.contains("Received 29 bytes from 192.0.2.2:3333: Multicast #1 sent by netstack\n"),
        "{log}"
    );
}

#[test]
fn http_request_gets_a_page_from_a_linux_web_server() {
    let lab = Lab::builder().tap_in_namespace();
    let scratch = Scratch::new(&lab, "http");
    let page = "<html><body>netstack http_request example</body></html>\n";
    std::fs::write(scratch.path("index.html"), page).expect("write index.html");
    let _server = lab.spawn(&[
        "python3",
        "-m",
        "http.server",
        "80",
        "--bind",
        "192.0.2.1",
        "--directory",
        &scratch.path(""),
    ]);
    lab.wait_listening(Transport::Tcp, 80, START_TIMEOUT);
    let mut client = Example::start(&lab, HTTP_REQUEST, &["--print-body"]);
    let log = client.wait_success(Duration::from_secs(30));
    assert!(log.contains("Connected to 192.0.2.1:80"), "{log}");
    assert!(log.contains("Status: HTTP/1.0 200 OK\n"), "{log}");
    assert!(
        log.contains(&format!("Body: {} bytes\n", page.len())),
        "{log}"
    );
    assert!(log.contains(page), "{log}");

    // The example closed its side before exiting: Linux got its FIN (no FIN-WAIT-2 left).
    wait_no_tcp_sockets(&lab, "fin-wait-2");

    // A body of many windows' worth, read to its end through the TcpStream wrapper.
    let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(scratch.path("big.bin"), &big).expect("write big.bin");
    let mut large = Example::start(&lab, HTTP_REQUEST, &["--path", "/big.bin"]);
    let log = large.wait_success(Duration::from_secs(30));
    assert!(log.contains("Status: HTTP/1.0 200 OK\n"), "{log}");
    assert!(log.contains("Body: 300000 bytes\n"), "{log}");

    let mut missing = Example::start(
        &lab,
        HTTP_REQUEST,
        &["--peer", "192.0.2.1", "--port", "80", "--path", "/missing"],
    );
    let log = missing.wait_success(Duration::from_secs(30));
    assert!(
        log.contains("Status: HTTP/1.0 404 File not found\n"),
        "{log}"
    );
    assert!(!log.contains("<html><body>netstack"), "{log}");
}

/// Runs `bin` with `args` in the current namespace (no lab needed); at most 20 s.
fn run_plain(bin: &str, args: &[&str]) -> std::process::Output {
    let mut child = Command::new(bin)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while matches!(child.try_wait(), Ok(None)) {
        if Instant::now() >= deadline {
            let _ = child.kill();
            panic!("{bin} {args:?} did not exit");
        }
        thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().expect("collect output")
}

#[test]
fn every_example_prints_its_usage_with_help() {
    for (name, bin) in ALL {
        let out = run_plain(bin, &["--help"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{name}: {out:?}");
        assert!(
            stdout.starts_with(&format!("usage: {name} --tap IFNAME [OPTIONS]")),
            "{stdout}"
        );
        for flag in [
            "--tap IFNAME",
            "--addr A.B.C.D/PREFIX",
            "--gateway A.B.C.D",
            "--port N",
        ] {
            assert!(
                stdout.contains(flag),
                "{name} usage lacks {flag}:\n{stdout}"
            );
        }
    }
}

#[test]
fn every_example_rejects_bad_flags_with_status_2() {
    for (name, bin) in ALL {
        for (args, message) in [
            (&["--tap", "tap0", "--bogus"][..], "unknown flag `--bogus`"),
            (&[][..], "missing `--tap IFNAME`"),
            (
                &["--tap", "tap0", "--port", "70000"][..],
                "invalid value `70000` for `--port N`",
            ),
            (
                &["--tap", "tap0", "--addr", "192.0.2.300/24"][..],
                "invalid address `192.0.2.300/24`",
            ),
            (
                &["--tap", "tap0", "--gateway"][..],
                "`--gateway` needs a value",
            ),
        ] {
            let out = run_plain(bin, args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{name} {args:?}: {stderr}");
            assert!(
                stderr.starts_with(&format!("{name}: {message}")),
                "{name} {args:?}: {stderr}"
            );
            assert!(stderr.contains("usage:"), "{name} {args:?}: {stderr}");
            assert!(out.stdout.is_empty(), "{name} {args:?}");
        }
    }
}

#[test]
fn an_example_names_a_missing_tap_device() {
    let out = run_plain(UDP_SERVER, &["--tap", "nsx-missing0"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("udp_server: no network device `nsx-missing0` in this network namespace"),
        "{stderr}"
    );
}
