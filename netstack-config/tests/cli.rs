//! The `netstack-config` binary: every subcommand and its exit status.

use std::path::Path;
use std::process::Command;

mod common;

use common::{BIN, cli as run};

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn help_on_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    for sub in [
        "check",
        "show",
        "explain",
        "diff",
        "preset",
        "import",
        "export",
        "generate",
        "options-doc",
        "hooks-doc",
    ] {
        let (code, out, _) = run(&[sub, "--help"], dir.path());
        assert_eq!(code, 0, "{sub}");
        assert!(out.contains("Usage: netstack-config"), "{sub}: {out}");
    }
    let (code, _, err) = run(&["frobnicate"], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("unrecognized subcommand"));
    let (code, _, _) = run(&["diff"], dir.path());
    assert_eq!(code, 2);
}

#[test]
fn check_ok_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run(&["check"], dir.path());
    assert_eq!(code, 0);
    assert!(out.contains("default configuration: ok"));
    assert!(
        out.contains(" wired, ") && out.contains(" planned, ") && out.contains(" no-effect"),
        "{out}"
    );
    std::fs::write(
        dir.path().join("netstack.toml"),
        "extends = \"min-ram\"\ntcp_mms = 1000\ntcp_mss = 70000\n",
    )
    .unwrap();
    let (code, _, err) = run(&["check", "netstack.toml"], dir.path());
    assert_eq!(code, 1);
    assert!(
        err.contains("netstack.toml:2:1: error: unknown option `tcp_mms`; did you mean `tcp_mss`?"),
        "{err}"
    );
    assert!(
        err.contains("netstack.toml:3:11: error: tcp_mss = 70000 is out of range 536..=1460"),
        "{err}"
    );
    let (code, _, err) = run(&["check", "missing.toml"], dir.path());
    assert_eq!(code, 1);
    assert!(err.contains("cannot read missing.toml"));
}

#[test]
fn check_reads_netstack_config_env() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.toml"), "ipv4 = false\nipv6 = false\n").unwrap();
    let out = Command::new(BIN)
        .arg("check")
        .current_dir(dir.path())
        .env("NETSTACK_CONFIG", "p.toml")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("p.toml:1:8: error: ipv4 and ipv6 are both off")
    );
}

#[test]
fn show_marks_provenance() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("n.toml"),
        "extends = \"max-throughput\"\ntcp_mss = 1400\n",
    )
    .unwrap();
    let (code, out, _) = run(&["show", "n.toml"], dir.path());
    assert_eq!(code, 0);
    assert!(
        out.lines()
            .any(|l| l.starts_with("tcp_mss = 1400") && l.ends_with("# file (n.toml:2:1)")),
        "{out}"
    );
    assert!(out.lines().any(|l| l.starts_with("tcp_wnd_default = 65534")
        && l.contains("# preset max-throughput (configs/max-throughput.toml:")));
    assert!(out.lines().any(|l| l == "ipv4 = true"));
    let (code, out, _) = run(&["show", "n.toml", "--changed"], dir.path());
    assert_eq!(code, 0);
    assert!(!out.contains("ipv4 = true"));
    assert_eq!(
        out.lines().filter(|l| !l.starts_with('#')).count(),
        7,
        "{out}"
    );
}

#[test]
fn explain_spellings_and_externals() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "tcp_mss",
        "TCP_MSS",
        "CONFIG_LWIP_TCP_MSS",
        "CONFIG_TCP_MSS",
        "LWIP_TCP_MSS",
        "lwip_tcp_mss",
        "config_lwip_tcp_mss",
        "Tcp-Mss",
    ] {
        let (code, out, _) = run(&["explain", name], dir.path());
        assert_eq!(code, 0, "{name}");
        assert!(out.starts_with("tcp_mss — "), "{name}: {out}");
        assert!(out.contains("CONFIG_LWIP_TCP_MSS (formerly CONFIG_TCP_MSS)"));
        assert!(out.contains("range:        536..=1460"));
        assert!(out.contains("lwIP:         TCP_MSS"));
        assert!(out.contains("status:"));
    }
    // A choice member's symbol, however it is spelt.
    for name in [
        "dhcp_does_arp_check",
        "DHCP_DOES_ARP_CHECK",
        "CONFIG_LWIP_DHCP_DOES_ARP_CHECK",
        "lwip_dhcp_does_arp_check",
        "Dhcp-Does-Arp-Check",
    ] {
        let (code, out, err) = run(&["explain", name], dir.path());
        assert_eq!(code, 0, "{name}: {err}");
        assert!(
            out.contains("member `arp_check` of choice `dhcp_checks_offered_address`"),
            "{name}: {out}"
        );
    }
    let (_, out, _) = run(&["explain", "tcp_rcv_scale"], dir.path());
    assert!(
        out.contains("depends on:   wnd_scale (does not hold with the defaults)"),
        "{out}"
    );
    let (_, out, _) = run(&["explain", "tcp_oversize"], dir.path());
    assert!(
        out.contains("choice:       \"quarter_mss\" (CONFIG_LWIP_TCP_OVERSIZE_QUARTER_MSS)"),
        "{out}"
    );
    let (code, out, _) = run(&["explain", "SPIRAM_TRY_ALLOCATE_WIFI_LWIP"], dir.path());
    assert_eq!(code, 0);
    assert!(
        out.contains("external symbol")
            && out.contains("value:        true")
            && out.contains("used by:      wnd_scale"),
        "{out}"
    );
    let (code, _, err) = run(&["explain", "tcp_mms"], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `tcp_mss`?"));
}

#[test]
fn diff_two_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.toml"), "tcp_mss = 1000\n").unwrap();
    std::fs::write(dir.path().join("b.toml"), "tcp_mss = 1200\nipv6 = false\n").unwrap();
    // As diff(1) and `git diff --exit-code`: 1 when they differ, 0 when equal, 2 on trouble.
    let (code, out, _) = run(&["diff", "a.toml", "b.toml"], dir.path());
    assert_eq!(code, 1);
    assert!(out.contains("tcp_mss: 1000 -> 1200"), "{out}");
    assert!(out.contains("ipv6: true -> false"));
    let (code, out, _) = run(&["diff", "a.toml", "a.toml"], dir.path());
    assert_eq!((code, out.trim()), (0, "no differences"));
    let (code, _, err) = run(&["diff", "a.toml", "missing.toml"], dir.path());
    assert_eq!(code, 2, "{err}");
    std::fs::write(dir.path().join("bad.toml"), "tcp_mss = 70000\n").unwrap();
    let (code, _, _) = run(&["diff", "a.toml", "bad.toml"], dir.path());
    assert_eq!(code, 2);
}

#[test]
fn preset_list_and_write() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run(&["preset", "--list"], dir.path());
    assert_eq!(code, 0);
    for name in ["default", "min-ram", "max-throughput", "low-latency"] {
        assert!(out.lines().any(|l| l.starts_with(name)), "{name}: {out}");
    }
    assert!(out.contains("same as the defaults"));
    assert!(
        out.contains("6 set, 6 differ from the defaults, 0 of them derived: "),
        "{out}"
    );
    let (code, _, _) = run(&["preset", "min-ram", "-o", "mine.toml"], dir.path());
    assert_eq!(code, 0);
    let text = std::fs::read_to_string(dir.path().join("mine.toml")).unwrap();
    assert!(text.contains("max_sockets = 4"));
    let (code, out, _) = run(&["check", "mine.toml"], dir.path());
    assert_eq!(code, 0, "{out}");
    let (code, _, err) = run(&["preset", "min-rom"], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("unknown preset `min-rom`; did you mean `min-ram`? presets: default, low-latency, max-throughput, min-ram"));
}

#[test]
fn import_writes_only_differences_and_round_trips_with_export() {
    let dir = tempfile::tempdir().unwrap();
    let src = fixture("sdkconfig.old");
    let (code, toml, err) = run(&["import", &src], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(
        toml.contains("tcp_mss = 1436  # line 193: CONFIG_TCP_MSS, renamed to CONFIG_LWIP_TCP_MSS"),
        "{toml}"
    );
    assert!(toml.contains("tcp_oversize = \"quarter_mss\""));
    assert!(!toml.contains("ipv4 ="));
    // A v3.x file: its empty bools are off, without a warning.
    assert!(!err.contains("assigns nothing"), "{err}");
    assert!(
        err.contains(
            "sdkconfig.old:168:1: note: `CONFIG_LWIP_DHCP_MAX_NTP_SERVERS=1`: up to ESP-IDF v4.3"
        ),
        "{err}"
    );
    assert!(err.contains("line(s) of other components skipped"));
    let (code, _, _) = run(&["import", &src, "-o", "n.toml"], dir.path());
    assert_eq!(code, 0);
    let (code, exported, _) = run(&["export", "n.toml"], dir.path());
    assert_eq!(code, 0);
    assert!(exported.contains("CONFIG_LWIP_TCP_MSS=1436"));
    assert!(exported.contains("CONFIG_LWIP_TCP_OVERSIZE_QUARTER_MSS=y"));
    assert!(exported.contains("# CONFIG_LWIP_IP4_FRAG is not set"));
    std::fs::write(dir.path().join("sdkconfig.exported"), &exported).unwrap();
    let (code, toml2, _) = run(
        &["import", "sdkconfig.exported", "-o", "n2.toml"],
        dir.path(),
    );
    assert_eq!(code, 0, "{toml2}");
    let (_, d, _) = run(&["diff", "n.toml", "n2.toml"], dir.path());
    assert_eq!(d.trim(), "no differences");
    let (code, _, err) = run(&["import", "nope"], dir.path());
    assert_eq!(code, 2, "{err}");
}

#[test]
fn import_errors_name_the_line_and_out_of_range_values_fall_back() {
    let dir = tempfile::tempdir().unwrap();
    // ESP-IDF drops an out-of-range value and keeps the default: so does the import.
    std::fs::write(dir.path().join("sdkconfig"), "CONFIG_LWIP_TCP_MSS=99999\n").unwrap();
    let (code, out, err) = run(&["import", "sdkconfig"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("tcp_mss"), "{out}");
    assert!(
        err.contains("sdkconfig:1:21: warning: `CONFIG_LWIP_TCP_MSS=99999`: tcp_mss = 99999 is out of range 536..=1460; tcp_mss keeps its default 1440, as in ESP-IDF"),
        "{err}"
    );
    // What netstack cannot keep fails the import, naming the line as written.
    std::fs::write(
        dir.path().join("sdkconfig"),
        "CONFIG_TCP_MSS=1460\nCONFIG_TCP_SND_BUF_DEFAULT=2440\n",
    )
    .unwrap();
    let (code, out, err) = run(&["import", "sdkconfig"], dir.path());
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(
        err.contains("sdkconfig:2:28: error: `CONFIG_TCP_SND_BUF_DEFAULT=2440`: tcp_snd_buf_default = 2440 must be at least 2 * tcp_mss = 2920"),
        "{err}"
    );
    assert!(
        err.contains("sdkconfig:1:16: note: `CONFIG_TCP_MSS=1460` sets tcp_mss = 1460"),
        "{err}"
    );
    // An unknown lwIP symbol is named as written, with a did-you-mean.
    std::fs::write(dir.path().join("sdkconfig"), "CONFIG_LWIP_TCP_MMS=1000\n").unwrap();
    let (code, _, err) = run(&["import", "sdkconfig"], dir.path());
    assert_eq!(code, 0);
    assert!(
        err.contains("sdkconfig:1:1: warning: not imported: `CONFIG_LWIP_TCP_MMS=1000`: no lwIP option CONFIG_LWIP_TCP_MMS in any ESP-IDF release; did you mean `CONFIG_LWIP_TCP_MSS`?"),
        "{err}"
    );
}

#[test]
fn generate_writes_rust_and_cfgs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("n.toml"), "extends = \"min-ram\"\n").unwrap();
    let (code, _, err) = run(&["generate", "n.toml", "--out", "gen"], dir.path());
    assert_eq!(code, 0, "{err}");
    let rust = std::fs::read_to_string(dir.path().join("gen/config.rs")).unwrap();
    assert!(rust.contains("pub const MAX_SOCKETS: usize = 4;"));
    assert!(rust.contains("pub const IPV6: bool = false;"));
    assert!(rust.contains("pub const SOURCE: &str = \"n.toml\";"));
    let cfgs = std::fs::read_to_string(dir.path().join("gen/cfgs.txt")).unwrap();
    assert!(cfgs.contains("cargo::rustc-check-cfg=cfg(netstack_ipv6)\n"));
    assert!(!cfgs.contains("cargo::rustc-cfg=netstack_ipv6\n"));
    assert!(cfgs.contains("cargo::rustc-cfg=netstack_ipv4\n"));
    std::fs::write(dir.path().join("bad.toml"), "ipv5 = true\n").unwrap();
    let (code, _, _) = run(&["generate", "bad.toml", "--out", "gen2"], dir.path());
    assert_eq!(code, 1);
    assert!(!dir.path().join("gen2").exists());
}

#[test]
fn options_doc_write_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, _) = run(&["options-doc", "--check", "--out", "o.md"], dir.path());
    assert_eq!(code, 1);
    let (code, out, _) = run(&["options-doc", "--out", "o.md"], dir.path());
    assert_eq!(code, 0);
    assert!(out.contains("wrote o.md"));
    let (code, _, _) = run(&["options-doc", "--check", "--out", "o.md"], dir.path());
    assert_eq!(code, 0);
    let md = std::fs::read_to_string(dir.path().join("o.md")).unwrap();
    assert!(
        md.contains("| `tcp_mss` | `CONFIG_LWIP_TCP_MSS` | int (u16) | 1440 | 536..=1460 |"),
        "{md}"
    );
    assert!(md.contains("Choices of `tcp_oversize`"));
}

#[test]
fn hooks_doc_write_and_check() {
    // A workspace with a docs/hooks.md holding the markers (and other text, kept).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), "[workspace]\n").unwrap();
    std::fs::create_dir_all(dir.path().join("docs")).unwrap();
    std::fs::create_dir_all(dir.path().join("netstack/tests/configs")).unwrap();
    let mut md = String::from("# Hooks\n\n");
    for part in ["points", "lwip"] {
        md.push_str(&format!(
            "<!-- BEGIN hooks.toml: {part} (generated by `netstack-config hooks-doc`; edit netstack-config/schema/hooks.toml) -->\nold\n<!-- END hooks.toml: {part} -->\n\nkept\n"
        ));
    }
    std::fs::write(dir.path().join("docs/hooks.md"), md).unwrap();
    let (code, _, err) = run(&["hooks-doc", "--check"], dir.path());
    assert_eq!(code, 1);
    assert!(err.contains("is stale"), "{err}");
    let (code, out, _) = run(&["hooks-doc"], dir.path());
    assert_eq!(code, 0, "{out}");
    let (code, _, _) = run(&["hooks-doc", "--check"], dir.path());
    assert_eq!(code, 0);
    let md = std::fs::read_to_string(dir.path().join("docs/hooks.md")).unwrap();
    assert!(
        md.contains("| `ip4_input(packet, netif)` | `LWIP_HOOK_IP4_INPUT` |"),
        "{md}"
    );
    assert!(md.contains("| `LWIP_HOOK_IP6_INPUT` | `ip6_input` | planned: comes with IPv6"));
    assert_eq!(md.matches("kept").count(), 2);
    let none =
        std::fs::read_to_string(dir.path().join("netstack/tests/configs/hooks-none.toml")).unwrap();
    assert!(none.contains("hook_dhcp_extra_option = \"none\"\n"));
    assert!(!none.contains("ip6_input"));
}

#[test]
fn custom_schema_flag() {
    let dir = tempfile::tempdir().unwrap();
    let mini = format!("{}/tests/data/mini-schema.toml", env!("CARGO_MANIFEST_DIR"));
    let (code, out, _) = run(&["--schema", &mini, "explain", "task_mask"], dir.path());
    assert_eq!(code, 0);
    assert!(out.contains("default:      0x10"), "{out}");
    std::fs::write(dir.path().join("broken.toml"), "[[option]]\nkey = 1\n").unwrap();
    let (code, _, err) = run(&["--schema", "broken.toml", "check"], dir.path());
    assert_eq!(code, 1);
    assert!(err.contains("schema error"), "{err}");
}

/// A product's file as a new user starts it: min-ram, where `ipv6 = false` also switches off
/// three IPv6 options it does not name.
fn min_ram_product(dir: &Path) {
    std::fs::write(
        dir.join("netstack.toml"),
        "extends = \"min-ram\"\nmax_sockets = 6\n",
    )
    .expect("write netstack.toml");
}

#[test]
fn explain_shows_the_value_and_dependency_in_a_file() {
    let dir = tempfile::tempdir().unwrap();
    min_ram_product(dir.path());
    let (code, out, _) = run(&["explain", "max_sockets", "netstack.toml"], dir.path());
    assert_eq!(code, 0);
    assert!(
        out.contains("value:        max_sockets = 6 in netstack.toml (file (netstack.toml:2:1))"),
        "{out}"
    );
    let (_, out, _) = run(&["explain", "max_active_tcp", "netstack.toml"], dir.path());
    assert!(
        out.contains("value:        max_active_tcp = 4 in netstack.toml (preset min-ram (configs/min-ram.toml:"),
        "{out}"
    );
    // The dependency is judged in the file: min-ram switches IPv6 off.
    let (_, out, _) = run(&["explain", "nd6", "netstack.toml"], dir.path());
    assert!(
        out.contains("depends on:   ipv6 (does not hold in netstack.toml)"),
        "{out}"
    );
    assert!(
        out.contains("value:        nd6 = false in netstack.toml (derived: not set, follows other options; true in the default configuration)"),
        "{out}"
    );
    // Without a file: the defaults, as before.
    let (_, out, _) = run(&["explain", "nd6"], dir.path());
    assert!(
        out.contains("depends on:   ipv6 (holds with the defaults)"),
        "{out}"
    );
    assert!(
        out.contains("value:        nd6 = true with the defaults (default)"),
        "{out}"
    );
    // A file with errors is reported, not explained.
    std::fs::write(dir.path().join("bad.toml"), "tcp_mms = 1\n").unwrap();
    let (code, _, err) = run(&["explain", "tcp_mss", "bad.toml"], dir.path());
    assert_eq!(code, 1);
    assert!(err.contains("did you mean `tcp_mss`?"), "{err}");
}

#[test]
fn diff_with_one_file_compares_with_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    min_ram_product(dir.path());
    let (_, out, _) = run(&["diff", "netstack.toml"], dir.path());
    assert!(
        out.contains("max_sockets: 10 -> 6    # default / file (netstack.toml:2:1)"),
        "{out}"
    );
    assert!(
        out.contains("nd6: true -> false    # default / default"),
        "{out}"
    );
    assert!(
        out.contains("netstack.toml: 15 set, 18 differ from the defaults, 3 of them derived"),
        "{out}"
    );
    assert!(out.contains("derived: differs without being set"), "{out}");
    let (_, out, _) = run(&["diff", "netstack.toml", "netstack.toml"], dir.path());
    assert_eq!(out.trim(), "no differences");
}

#[test]
fn check_show_diff_and_preset_count_alike() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(&["preset", "min-ram", "-o", "netstack.toml"], dir.path());
    assert_eq!(code, 0);
    let counts = "15 set, 18 differ from the defaults, 3 of them derived";
    let legend = "(set: written in the file or a preset it extends; differ: a value other than \
                  the default configuration's; derived: differs without being set, following \
                  other options)";
    assert!(
        err.contains(&format!("preset min-ram: {counts}\n{legend}")),
        "{err}"
    );
    let (_, out, _) = run(&["check", "netstack.toml"], dir.path());
    assert!(
        out.contains(&format!(
            "netstack.toml: ok ({counts}; 0 warning(s))\n{legend}"
        )),
        "{out}"
    );
    let (_, out, _) = run(&["diff", "netstack.toml"], dir.path());
    assert!(
        out.contains(&format!("netstack.toml: {counts}\n{legend}")),
        "{out}"
    );
    let (_, out, _) = run(&["show", "netstack.toml", "--changed"], dir.path());
    assert!(out.contains(&format!("# {counts}\n# {legend}")), "{out}");
    // --changed lists what differs: the 15 set and the 3 derived.
    assert_eq!(
        out.lines().filter(|l| !l.starts_with('#')).count(),
        18,
        "{out}"
    );
    assert_eq!(out.matches("# derived (").count(), 3, "{out}");
    let (_, out, _) = run(&["preset", "--list"], dir.path());
    assert!(out.contains(&format!("{counts}: ")), "{out}");
}
