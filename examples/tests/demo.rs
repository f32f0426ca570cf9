//! The README's "run it" command works: `demo --check` brings the stack up on a TAP device in
//! its own namespace, and Linux's ping, a UDP datagram and a TCP line sent with socat, and
//! curl's request for the web page all get answers.
//! Needs root (it creates the namespace); it fails, never skips, without.

use std::process::Command;

#[test]
fn demo_answers_ping_udp_tcp_and_http_from_linux() {
    let out = Command::new(env!("CARGO_BIN_EXE_demo"))
        .arg("--check")
        .output()
        .expect("run demo --check");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "demo --check failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stdout.contains("ping 192.0.2.2: 3 of 3 replies"),
        "{stdout}"
    );
    assert!(
        stdout.contains("udp echo on port 3333: \"hello netstack\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("tcp echo on port 3333: \"hello over tcp\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("http page on port 80: \"Hello from netstack"),
        "{stdout}"
    );
    let namespaces = Command::new("ip")
        .args(["netns", "list"])
        .output()
        .expect("ip netns list");
    assert!(
        !String::from_utf8_lossy(&namespaces.stdout).contains("netstack-demo"),
        "the demo must remove its namespace"
    );
}

#[test]
fn demo_rejects_unknown_arguments_with_usage_status() {
    let out = Command::new(env!("CARGO_BIN_EXE_demo"))
        .arg("--bogus")
        .output()
        .expect("run demo --bogus");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown argument `--bogus`"));
}
