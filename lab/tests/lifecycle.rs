//! Set-up and tear-down of labs: nothing is left behind, also after a panic or a crash.

use std::net::IpAddr;
use std::panic;
use std::time::{Duration, Instant};

use netstack::phy::TapDevice;
use netstack_lab::{ExecError, Lab, QdiscError, REMOTE_IFACE, plan, sweep_leftovers};

fn namespaces() -> String {
    let out = std::process::Command::new("ip")
        .args(["netns", "list"])
        .output()
        .expect("ip netns list");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn links() -> String {
    let out = std::process::Command::new("ip")
        .args(["-o", "link", "show"])
        .output()
        .expect("ip link show");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn has_namespace(name: &str) -> bool {
    namespaces()
        .lines()
        .any(|l| l.split_whitespace().next() == Some(name))
}

#[test]
fn dropping_the_lab_removes_namespace_tap_and_processes() {
    let (lab, tap) = Lab::with_tap(TapDevice::open);
    let ns = lab.namespace().to_string();
    let tap_name = lab.tap_name().to_string();
    assert!(has_namespace(&ns));
    // The TAP lives in the namespace, not here.
    assert!(!links().contains(&format!(" {tap_name}:")));
    let sleeper = lab.spawn(&["sleep", "30"]);
    let pid = sleeper.pid();
    std::mem::forget(sleeper); // only the lab's tear-down can stop it now
    // Wait until `ip netns exec` has entered the namespace and become `sleep`.
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default() != "sleep\n" {
        assert!(Instant::now() < deadline, "sleep never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    drop(lab);
    drop(tap);
    assert!(!has_namespace(&ns), "namespace {ns} survived");
    assert!(!links().contains(&format!(" {tap_name}:")));
    // Killed: a zombie (state Z, never reaped since its handle was forgotten) or gone.
    let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    assert!(
        state.is_empty() || state.contains(") Z"),
        "sleep survived the lab: {state}"
    );
}

#[test]
fn a_panicking_test_still_tears_down() {
    let mut name = String::new();
    let result = panic::catch_unwind(panic::AssertUnwindSafe(|| {
        let lab = Lab::builder().tap_in_namespace();
        name = lab.namespace().to_string();
        panic!("test failure inside a lab");
    }));
    assert!(result.is_err());
    assert!(!name.is_empty());
    assert!(!has_namespace(&name), "namespace {name} survived a panic");
}

#[test]
fn leftovers_of_dead_processes_are_swept_and_live_ones_kept() {
    // pid 999999999 never exists (pid_max is at most 2^22).
    let stale = "nslab-999999999-0";
    let status = std::process::Command::new("ip")
        .args(["netns", "add", stale])
        .status()
        .expect("ip netns add");
    assert!(status.success());
    let live = Lab::builder().tap_in_namespace();
    assert!(sweep_leftovers() >= 1);
    assert!(!has_namespace(stale));
    assert!(has_namespace(live.namespace()), "a live lab was swept");
}

#[test]
fn exec_runs_inside_the_namespace_with_a_timeout() {
    let lab = Lab::builder().tap_in_namespace();
    let addrs = lab.exec_ok(&["ip", "-o", "-4", "addr", "show"]);
    assert!(addrs.contains("192.0.2.1/24"), "{addrs}");
    assert!(addrs.contains(" lo "), "{addrs}");
    // Only lo and the TAP: nothing leads out of the namespace.
    let links = lab.exec_ok(&["ip", "-o", "link", "show"]);
    assert_eq!(links.lines().count(), 2, "{links}");
    // No default route.
    assert!(lab.exec_ok(&["ip", "route", "show", "default"]).is_empty());

    let err = lab
        .try_exec(&["sleep", "5"], Duration::from_millis(200))
        .expect_err("sleep outlives the timeout");
    assert!(matches!(err, ExecError::TimedOut { .. }), "{err}");
    assert!(!lab.exec(&["false"]).status.success());
}

#[test]
fn background_processes_can_be_stopped_and_report_output() {
    let lab = Lab::builder().tap_in_namespace();
    let mut quick = lab.spawn(&["echo", "hello"]);
    let out = quick
        .wait_timeout(Duration::from_secs(5))
        .expect("echo exits");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello\n");
    let mut slow = lab.spawn(&["sleep", "30"]);
    assert!(slow.is_running());
    let out = slow.stop();
    assert!(!out.status.success());
}

#[test]
fn qdiscs_shape_the_linux_side() {
    let lab = Lab::builder().tap_in_namespace();
    lab.qdisc("tbf rate 1mbit burst 32kbit latency 400ms")
        .expect("tbf is available");
    let qdisc = lab.exec_ok(&["tc", "qdisc", "show", "dev", lab.tap_name()]);
    assert!(
        qdisc.contains("tbf") && qdisc.contains("rate 1Mbit"),
        "{qdisc}"
    );
    lab.clear_qdisc();
    let qdisc = lab.exec_ok(&["tc", "qdisc", "show", "dev", lab.tap_name()]);
    assert!(!qdisc.contains("tbf"), "{qdisc}");
}

#[test]
fn netem_works_or_says_the_kernel_lacks_it() {
    let lab = Lab::builder().tap_in_namespace();
    match lab.try_netem("delay 20ms loss 1%") {
        Ok(()) => {
            assert!(lab.has_netem());
            let qdisc = lab.exec_ok(&["tc", "qdisc", "show", "dev", lab.tap_name()]);
            assert!(
                qdisc.contains("netem") && qdisc.contains("delay 20ms"),
                "{qdisc}"
            );
        }
        Err(QdiscError::Unsupported { kind }) => {
            assert_eq!(kind, "netem");
            assert!(!lab.has_netem());
            eprintln!("NOTE: this kernel has no sch_netem; Lab::netem is unavailable here");
        }
        Err(other) => panic!("{other}"),
    }
}

#[test]
fn tables_of_the_linux_side_are_readable() {
    let lab = Lab::builder().ipv6(true).tap_in_namespace();
    let groups = lab.multicast_groups();
    assert!(
        groups.contains(&"224.0.0.1".parse::<IpAddr>().unwrap()),
        "{groups:?}"
    );
    assert!(
        groups.contains(&"ff02::1".parse::<IpAddr>().unwrap()),
        "{groups:?}"
    );
    assert!(lab.neighbors().is_empty());
    let addrs = lab.exec_ok(&["ip", "-o", "-6", "addr", "show", "dev", lab.tap_name()]);
    assert!(
        addrs.contains(&format!("{}/64", plan::LINUX_ADDR6)),
        "{addrs}"
    );
}

#[test]
fn ipv6_is_off_unless_asked_for() {
    let lab = Lab::builder().tap_in_namespace();
    let addrs = lab.exec_ok(&["ip", "-o", "-6", "addr", "show", "dev", lab.tap_name()]);
    assert!(addrs.is_empty(), "{addrs}");
}

#[test]
fn the_second_subnet_is_reachable_and_routed_to_the_stack() {
    let lab = Lab::builder()
        .second_subnet(true)
        .mtu(1400)
        .tap_in_namespace();
    let routes = lab.exec_ok(&["ip", "route", "show"]);
    assert!(routes.contains("203.0.113.0/24 via 192.0.2.2"), "{routes}");
    assert!(routes.contains("198.51.100.0/24 dev labremote"), "{routes}");
    lab.exec_ok(&["ping", "-c", "1", "-W", "2", &plan::REMOTE_ADDR.to_string()]);
    let link = lab.exec_ok(&["ip", "link", "show", "dev", REMOTE_IFACE]);
    assert!(link.contains("UP"), "{link}");
    let forwarding = lab.exec_ok(&["sysctl", "-n", "net.ipv4.ip_forward"]);
    assert_eq!(forwarding.trim(), "1");
    let tap = lab.exec_ok(&["ip", "link", "show", "dev", lab.tap_name()]);
    assert!(tap.contains("mtu 1400"), "{tap}");
}

#[test]
fn the_in_process_tap_reports_the_configured_mtu() {
    let (_lab, tap) = Lab::builder().mtu(1280).open_tap(TapDevice::open);
    assert_eq!(tap.mtu(), 1280);
}
