//! `netstack-config import` on sdkconfig files of every ESP-IDF release, and the CLI as a Unix
//! tool (closed pipes, `diff`'s exit status). Each test runs the binary.

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};

mod common;

use common::{BIN, cli as run};

/// A fixture's path, relative to `tests/fixtures` (the working directory of these runs), so
/// that messages read `sdkconfig.v3.0:12:1: ...`.
fn fixtures() -> String {
    format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"))
}

fn import(name: &str) -> (i32, String, String) {
    run(&["import", name], Path::new(&fixtures()))
}

/// Class 1.
#[test]
fn v3_empty_bools_import_as_off() {
    let (code, toml, err) = import("sdkconfig.v3.0");
    assert_eq!(code, 0, "{err}");
    assert!(
        toml.contains("so_reuse = false  # line 26: CONFIG_LWIP_SO_REUSE\n"),
        "{toml}"
    );
    assert!(
        toml.contains(
            "ip4_frag = false  # line 29: CONFIG_LWIP_IP_FRAG, renamed to CONFIG_LWIP_IP4_FRAG\n"
        ),
        "{toml}"
    );
    assert!(!err.contains("assigns nothing"), "{err}");
}

/// Class 2.
#[test]
fn old_arp_check_bool_maps_onto_the_choice() {
    let (code, toml, err) = import("sdkconfig.v4.1");
    assert_eq!(code, 0, "{err}");
    assert!(toml.contains("dhcp_checks_offered_address = \"no_check\"  # line 45: # CONFIG_LWIP_DHCP_DOES_ARP_CHECK is not set, mapped to CONFIG_LWIP_DHCP_DOES_NOT_CHECK_OFFERED_IP"), "{toml}");
    assert!(
        err.contains("sdkconfig.v4.1:45:1: note: `# CONFIG_LWIP_DHCP_DOES_ARP_CHECK is not set`: up to ESP-IDF v5.3"),
        "{err}"
    );
    // AutoIP on and the check on: ESP-IDF 5.4 takes ACD; so does the import, exit 0.
    let dir = tempfile::tempdir().unwrap();
    let src = format!("{}/sdkconfig.v5.3", fixtures());
    let (code, _, err) = run(&["import", &src, "-o", "n.toml"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("sdkconfig.v5.3:56:33: warning: `CONFIG_LWIP_DHCP_DOES_ARP_CHECK=y`: dhcp_checks_offered_address = \"arp_check\" is not available"),
        "{err}"
    );
    let (code, shown, _) = run(&["show", "n.toml"], dir.path());
    assert_eq!(code, 0);
    assert!(
        shown.contains("dhcp_checks_offered_address = \"acd_check\""),
        "{shown}"
    );
}

/// Class 3.
#[test]
fn dhcp_max_ntp_servers_sized_sntp_up_to_v4_3() {
    let (code, toml, err) = import("sdkconfig.v3.0");
    assert_eq!(code, 0);
    assert!(toml.contains("sntp_max_servers = 3  # line 28: CONFIG_LWIP_DHCP_MAX_NTP_SERVERS=3, mapped to CONFIG_LWIP_SNTP_MAX_SERVERS"), "{toml}");
    assert!(!err.contains("depends on"), "{err}");
    let (_, toml, err) = import("sdkconfig.v4.4");
    assert!(
        toml.contains("sntp_max_servers = 3  # line 148: CONFIG_LWIP_SNTP_MAX_SERVERS"),
        "{toml}"
    );
    assert!(toml.contains("dhcp_max_ntp_servers = 2"), "{toml}");
    assert!(!err.contains("warning"), "{err}");
}

/// Class 4.
#[test]
fn v3_symbols_and_unknown_old_names_are_reported() {
    let (code, toml, err) = import("sdkconfig.v3.3");
    assert_eq!(code, 0, "{err}");
    assert!(toml.contains("tcp_rcv_scale = 1  # line 78: CONFIG_TCP_RCV_SCALE, renamed to CONFIG_LWIP_TCP_RCV_SCALE"), "{toml}");
    assert!(err.contains("; 0 line(s) not imported;"), "{err}");
    // An unknown name of one of lwIP's old families is not dropped silently.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sdkconfig"),
        "CONFIG_ETHARP_SUPORT_VLAN=y\n",
    )
    .unwrap();
    let (code, _, err) = run(&["import", "sdkconfig"], dir.path());
    assert_eq!(code, 0);
    assert!(
        err.contains("sdkconfig:1:1: warning: not imported: `CONFIG_ETHARP_SUPORT_VLAN=y`: no lwIP option CONFIG_ETHARP_SUPORT_VLAN in any ESP-IDF release; did you mean `CONFIG_ETHARP_SUPPORT_VLAN`?"),
        "{err}"
    );
}

/// Class 5.
#[test]
fn values_read_as_esp_idf_reads_them() {
    let (code, toml, err) = import("sdkconfig.defaults.handwritten");
    assert_eq!(code, 0, "{err}");
    assert!(
        toml.contains("ip4_frag = false  # line 5: CONFIG_LWIP_IP4_FRAG\n"),
        "{toml}"
    );
    assert!(
        toml.contains("tcp_mss = 1360  # line 15: CONFIG_LWIP_TCP_MSS\n"),
        "{toml}"
    );
    assert!(toml.contains("local_hostname = \"gateway\""), "{toml}");
    assert!(!toml.contains("max_sockets"), "{toml}");
    assert!(err.contains("sdkconfig.defaults.handwritten:11:25: warning: `CONFIG_LWIP_MAX_SOCKETS=300`: max_sockets = 300 is out of range 1..=253; max_sockets keeps its default 10, as in ESP-IDF"), "{err}");
    assert!(!err.contains("expected y or empty"), "{err}");
}

/// Class 6.
#[test]
fn messages_name_the_line_as_written() {
    let (_, _, err) = import("sdkconfig.defaults.handwritten");
    assert!(!err.contains("has no effect"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sdkconfig"),
        "# Espressif IoT Development Framework Configuration\nCONFIG_LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS=\nCONFIG_LWIP_NETIF_DEBUG=y\n",
    )
    .unwrap();
    let (code, out, err) = run(&["import", "sdkconfig"], dir.path());
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("sdkconfig:2:1: error: `CONFIG_LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS=` (ESP-IDF v3.2–v3.3) asks for predictable local ports"),
        "{err}"
    );
    assert!(
        err.contains("sdkconfig:3:1: warning: `CONFIG_LWIP_NETIF_DEBUG=y` (netif_debug) is set but has no effect: it depends on `debug`"),
        "{err}"
    );
}

/// import → export → import through the binary: `diff` finds nothing (exit 0).
#[test]
fn every_dialect_round_trips_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    for name in common::RELEASE_DIALECTS {
        let src = format!("{}/{name}", fixtures());
        let (code, _, err) = run(&["import", &src, "-o", "a.toml"], dir.path());
        assert_eq!(code, 0, "{name}: {err}");
        let (code, _, err) = run(&["export", "a.toml", "-o", "exported"], dir.path());
        assert_eq!(code, 0, "{name}: {err}");
        let (code, _, err) = run(&["import", "exported", "-o", "b.toml"], dir.path());
        assert_eq!(code, 0, "{name}: {err}");
        assert!(!err.contains("warning"), "{name}: {err}");
        let (code, out, _) = run(&["diff", "a.toml", "b.toml"], dir.path());
        assert_eq!((code, out.trim()), (0, "no differences"), "{name}");
    }
}

/// Class 7: `show | head`, `explain | head`.
#[test]
fn a_closed_pipe_ends_the_tool_quietly() {
    for args in [&["show"][..], &["explain", "tcp_mss"], &["export"]] {
        // The race between our close and the tool's writes is the point: try several times.
        for _ in 0..10 {
            let mut child = Command::new(BIN)
                .args(args)
                .env_remove("NETSTACK_CONFIG")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("runs the binary");
            let mut stdout = child.stdout.take().expect("piped");
            let mut first = [0u8; 8];
            stdout.read_exact(&mut first).expect("some output");
            drop(stdout);
            let out = child.wait_with_output().expect("waits");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(!err.contains("panicked"), "{args:?}: {err}");
            assert_ne!(out.status.code(), Some(101), "{args:?}: {err}");
            assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        }
    }
}

/// Class 7: `diff` exits as diff(1) does.
#[test]
fn diff_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.toml"), "tcp_mss = 1000\n").unwrap();
    std::fs::write(dir.path().join("b.toml"), "tcp_mss = 1200\n").unwrap();
    assert_eq!(run(&["diff", "a.toml", "a.toml"], dir.path()).0, 0);
    assert_eq!(run(&["diff", "a.toml", "b.toml"], dir.path()).0, 1);
    assert_eq!(run(&["diff", "a.toml", "nope.toml"], dir.path()).0, 2);
}
