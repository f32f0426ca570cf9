//! sdkconfig files as each ESP-IDF release wrote them (v3.0 to v5.5, `tests/fixtures/sdkconfig.v*`):
//! every line whose meaning changed between releases imports as the release that wrote it
//! meant, and every file round-trips.

mod common;

use netstack_config::diagnostics::{Diagnostic, Severity};
use netstack_config::embedded::{EmbeddedPresets, schema};
use netstack_config::load;
use netstack_config::resolve::{self, Config};
use netstack_config::sdkconfig::{self, dialect};
use netstack_config::value::Value;

/// Every dialect fixture, oldest first.
fn dialects() -> impl Iterator<Item = &'static str> {
    common::RELEASE_DIALECTS
        .iter()
        .copied()
        .chain(["sdkconfig.defaults.handwritten"])
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture exists")
}

struct Imported {
    import: sdkconfig::Import,
    config: Config<'static>,
    /// Import and resolver diagnostics, as printed.
    diagnostics: Vec<Diagnostic>,
}

impl Imported {
    fn value(&self, key: &str) -> String {
        self.config
            .get(key)
            .expect("option exists")
            .value
            .to_string()
    }

    fn printed(&self, severity: Severity) -> Vec<String> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .map(ToString::to_string)
            .collect()
    }
}

fn import(name: &str) -> Imported {
    let s = schema().expect("schema parses");
    let import = sdkconfig::import(s, name, &fixture(name));
    let out = resolve::resolve(s, &import.assignments);
    let mut diagnostics = import.diagnostics.clone();
    diagnostics.extend(out.diagnostics.iter().cloned());
    Imported {
        import,
        config: out.config,
        diagnostics,
    }
}

#[test]
fn every_dialect_imports_without_errors_or_unknown_lines() {
    for name in dialects() {
        let i = import(name);
        assert!(
            i.printed(Severity::Error).is_empty(),
            "{name}: {:#?}",
            i.diagnostics
        );
        assert!(
            i.import.unmapped.is_empty(),
            "{name}: {:?}",
            i.import.unmapped
        );
        if !name.contains("defaults") {
            assert!(i.import.skipped > 0, "{name}: other components are skipped");
        }
    }
}

#[test]
fn every_dialect_is_dated_from_its_header_or_lines() {
    let writer = |name: &str| import(name).import.dialect.writer;
    assert_eq!(writer("sdkconfig.v3.0"), Some(dialect::Writer::Conf));
    assert_eq!(writer("sdkconfig.v3.3"), Some(dialect::Writer::Conf));
    for name in ["sdkconfig.v4.1", "sdkconfig.v4.4", "sdkconfig.v5.5"] {
        assert_eq!(writer(name), Some(dialect::Writer::Kconfiglib), "{name}");
    }
    let d = import("sdkconfig.v4.1").import.dialect;
    assert!(d.may_predate(dialect::Release(4, 4)), "{d:?}");
    let d = import("sdkconfig.v4.4").import.dialect;
    assert!(!d.may_predate(dialect::Release(4, 4)), "{d:?}");
    let d = import("sdkconfig.v5.3").import.dialect;
    assert_eq!(
        (d.min, d.max),
        (dialect::Release(5, 3), Some(dialect::Release(5, 3)))
    );
}

/// Class 1: v3.x wrote a disabled bool as `CONFIG_X=`, and read it as off.
#[test]
fn v3_empty_bools_import_as_off() {
    let v30 = import("sdkconfig.v3.0");
    // `CONFIG_LWIP_SO_REUSE=`, `CONFIG_LWIP_IP_FRAG=`: both default on in netstack.
    assert_eq!(v30.value("so_reuse"), "false");
    assert_eq!(v30.value("ip4_frag"), "false");
    assert_eq!(v30.value("l2_to_l3_copy"), "false");
    assert_eq!(v30.value("etharp_trust_ip_mac"), "true");
    let v33 = import("sdkconfig.v3.3");
    assert_eq!(v33.value("so_reuse"), "false");
    for i in [&v30, &v33] {
        assert!(
            !i.diagnostics
                .iter()
                .any(|d| d.message.contains("assigns nothing")),
            "{:#?}",
            i.diagnostics
        );
    }
}

/// Class 2: `CONFIG_LWIP_DHCP_DOES_ARP_CHECK` was a bool up to v5.3.
#[test]
fn arp_check_keeps_each_releases_meaning() {
    let choice = |name: &str| import(name).value("dhcp_checks_offered_address");
    // Off (empty in v3.x, "is not set" later): no check at all.
    assert_eq!(choice("sdkconfig.v3.0"), "\"no_check\"");
    assert_eq!(choice("sdkconfig.v4.1"), "\"no_check\"");
    assert_eq!(choice("sdkconfig.v5.1"), "\"no_check\"");
    // On: the ARP check.
    assert_eq!(choice("sdkconfig.v4.4"), "\"arp_check\"");
    // On with AutoIP on: ESP-IDF 5.4 takes ACD instead; the import says so and succeeds.
    for name in ["sdkconfig.v3.3", "sdkconfig.v5.3"] {
        let i = import(name);
        assert_eq!(
            i.value("dhcp_checks_offered_address"),
            "\"acd_check\"",
            "{name}"
        );
        let w = i.printed(Severity::Warning);
        assert!(
            w.len() == 1
                && w[0].contains("`CONFIG_LWIP_DHCP_DOES_ARP_CHECK=y`")
                && w[0].contains("keeps its default \"acd_check\""),
            "{name}: {w:#?}"
        );
    }
    // v5.5: the choice's member lines.
    assert_eq!(choice("sdkconfig.v5.5"), "\"no_check\"");
    let notes = import("sdkconfig.v4.1").printed(Severity::Note);
    assert!(
        notes.iter().any(|n| n.starts_with("sdkconfig.v4.1:45:1: note: `# CONFIG_LWIP_DHCP_DOES_ARP_CHECK is not set`: up to ESP-IDF v5.3")),
        "{notes:#?}"
    );
}

/// Class 3: up to v4.3, `CONFIG_LWIP_DHCP_MAX_NTP_SERVERS` sized the SNTP server list.
#[test]
fn dhcp_max_ntp_servers_keeps_each_releases_meaning() {
    for (name, n) in [
        ("sdkconfig.v3.0", "3"),
        ("sdkconfig.v3.3", "2"),
        ("sdkconfig.v4.1", "4"),
    ] {
        let i = import(name);
        assert_eq!(i.value("sntp_max_servers"), n, "{name}");
        assert_eq!(i.value("dhcp_max_ntp_servers"), "1", "{name}");
        assert!(
            !i.diagnostics
                .iter()
                .any(|d| d.message.contains("dhcp_get_ntp_srv")),
            "{name}: {:#?}",
            i.diagnostics
        );
    }
    // v4.4 on: the count of NTP servers taken from DHCP, beside LWIP_SNTP_MAX_SERVERS.
    let v44 = import("sdkconfig.v4.4");
    assert_eq!(v44.value("sntp_max_servers"), "3");
    assert_eq!(v44.value("dhcp_max_ntp_servers"), "2");
    assert!(v44.diagnostics.is_empty(), "{:#?}", v44.diagnostics);
}

/// Class 4: the v3.x symbols the importer used not to know.
#[test]
fn v3_only_symbols_are_imported() {
    let v33 = import("sdkconfig.v3.3");
    assert_eq!(v33.value("wnd_scale"), "true");
    assert_eq!(v33.value("tcp_rcv_scale"), "1");
    assert!(v33.printed(Severity::Note).iter().any(|n| n.contains(
        "`CONFIG_LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS=y` (ESP-IDF v3.2–v3.3) needs no option"
    )));
}

/// Class 4: every lwIP symbol any ESP-IDF release from v3.0 to v5.5 had is known to the
/// importer, under its old name too.
#[test]
fn every_lwip_symbol_of_every_release_is_known() {
    let s = schema().unwrap();
    let known: Vec<&str> = s.sdk_names().collect();
    let history = dialect::history();
    assert!(history.len() >= 230, "{}", history.len());
    let mut missing: Vec<&str> = history
        .keys()
        .copied()
        .filter(|n| !known.contains(n) && !sdkconfig::legacy::SYMBOLS.contains(n))
        .collect();
    missing.sort_unstable();
    assert!(missing.is_empty(), "unknown to the importer: {missing:?}");
    // And every one of them imports without a complaint about the name.
    for name in history.keys() {
        let imp = sdkconfig::import(s, "sdkconfig", &format!("# CONFIG_{name} is not set\n"));
        assert!(
            !imp.unmapped
                .iter()
                .any(|u| u.reason.contains("no lwIP option")),
            "{name}: {:?}",
            imp.unmapped
        );
    }
}

/// Class 5 and 6: a hand-edited defaults file read as ESP-IDF reads it.
#[test]
fn hand_written_lines_read_as_esp_idf_reads_them() {
    let i = import("sdkconfig.defaults.handwritten");
    assert_eq!(i.value("ip4_frag"), "false");
    assert_eq!(i.value("local_hostname"), "\"gateway\"");
    assert_eq!(i.value("max_sockets"), "10");
    assert_eq!(i.value("tcp_mss"), "1360");
    let w = i.printed(Severity::Warning);
    let name = "sdkconfig.defaults.handwritten";
    for expected in [
        format!(
            "{name}:8:1: warning: `CONFIG_LWIP_LOCAL_HOSTNAME=gateway`: the string is not quoted, which ESP-IDF rejects"
        ),
        format!(
            "{name}:11:25: warning: `CONFIG_LWIP_MAX_SOCKETS=300`: max_sockets = 300 is out of range 1..=253; max_sockets keeps its default 10, as in ESP-IDF"
        ),
        format!(
            "{name}:15:1: warning: `CONFIG_LWIP_TCP_MSS=1360` conflicts with `CONFIG_TCP_MSS=1400` (line 14): both set tcp_mss; the later line wins, as in ESP-IDF"
        ),
    ] {
        assert!(
            w.iter().any(|l| l.starts_with(&expected)),
            "{expected}\n{w:#?}"
        );
    }
    // Nothing about the debug options that are not set.
    assert_eq!(w.len(), 3, "{w:#?}");
    assert!(
        !i.diagnostics
            .iter()
            .any(|d| d.message.contains("no effect"))
    );
}

/// import → export → import, and import → netstack.toml → load, keep every value.
#[test]
fn every_dialect_round_trips_losslessly() {
    let s = schema().unwrap();
    for name in dialects() {
        let first = import(name);
        let values =
            |c: &Config<'_>| -> Vec<Value> { c.options.iter().map(|o| o.value.clone()).collect() };
        let exported = sdkconfig::export(&first.config);
        let again = sdkconfig::import(s, "exported", &exported);
        assert!(
            again.diagnostics.is_empty(),
            "{name}: {:#?}",
            again.diagnostics
        );
        let second = resolve::resolve(s, &again.assignments);
        assert!(
            second.diagnostics.is_empty(),
            "{name}: {:#?}",
            second.diagnostics
        );
        assert_eq!(values(&first.config), values(&second.config), "{name}");
        assert_eq!(sdkconfig::export(&second.config), exported, "{name}");
        let toml = sdkconfig::to_netstack_toml(&first.config, &first.import, name);
        let loaded = load::load_text(s, &EmbeddedPresets, "imported.toml", &toml, None);
        assert!(
            loaded.diagnostics.is_empty(),
            "{name}: {:#?}",
            loaded.diagnostics
        );
        let third = resolve::resolve(s, &loaded.assignments);
        assert_eq!(values(&first.config), values(&third.config), "{name}");
    }
}
