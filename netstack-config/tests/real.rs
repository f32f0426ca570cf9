//! Tests on the real schema, presets and sdkconfig fixtures.

use std::collections::BTreeMap;

use netstack_config::embedded::{EmbeddedPresets, schema};
use netstack_config::load::{self, Presets};
use netstack_config::resolve::{self, Config, Provenance};
use netstack_config::sdkconfig;
use netstack_config::value::Value;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture exists")
}

/// `key -> value` of every option whose value differs from the plain defaults.
fn changed(config: &Config<'_>) -> BTreeMap<String, String> {
    let base = resolve::resolve(config.schema, &[]).config;
    config
        .iter()
        .zip(base.options.iter())
        .filter(|((_, r), b)| r.value != b.value)
        .map(|((d, r), _)| (d.key.clone(), r.value.to_string()))
        .collect()
}

fn import(name: &str) -> (sdkconfig::Import, resolve::Outcome<'static>) {
    let s = schema().expect("schema parses");
    let imp = sdkconfig::import(s, name, &fixture(name));
    let out = resolve::resolve(s, &imp.assignments);
    (imp, out)
}

fn expect(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn every_preset_resolves_clean() {
    let s = schema().unwrap();
    let names = EmbeddedPresets.names();
    assert!(names.len() >= 4, "{names:?}");
    for name in names {
        let loaded = load::load_preset(s, &EmbeddedPresets, &name);
        assert!(
            loaded.diagnostics.is_empty(),
            "{name}: {:?}",
            loaded.diagnostics
        );
        let out = resolve::resolve(s, &loaded.assignments);
        assert!(out.diagnostics.is_empty(), "{name}: {:?}", out.diagnostics);
        let (valid, _) = out.into_valid().unwrap();
        netstack_config::codegen::generate(&valid, &name);
    }
}

#[test]
fn preset_differences() {
    let s = schema().unwrap();
    let out = resolve::resolve(
        s,
        &load::load_preset(s, &EmbeddedPresets, "max-throughput").assignments,
    );
    let c = changed(&out.config);
    assert_eq!(c["tcp_wnd_default"], "65534");
    assert_eq!(c["tcp_sack_out"], "true");
    let r = out.config.get("tcp_wnd_default").unwrap();
    assert!(
        matches!(&r.provenance, Provenance::Assigned(a) if a.key_loc.as_ref().unwrap().file.as_ref() == "configs/max-throughput.toml")
    );
}

#[test]
fn import_sdkconfig_new() {
    let (imp, out) = import("sdkconfig.new");
    assert!(imp.diagnostics.is_empty(), "{:?}", imp.diagnostics);
    assert!(imp.unmapped.is_empty());
    assert!(imp.skipped > 500);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    let want = expect(&[
        ("local_hostname", "\"acme-hub\""),
        ("netif_api", "true"),
        ("iram_optimization", "true"),
        ("max_sockets", "16"),
        ("so_rcvbuf", "true"),
        ("ip4_reassembly", "true"),
        ("dhcp_options_len", "68"),
        ("ipv6_autoconfig", "true"),
        ("ipv6_rdnss_max_dns_servers", "2"),
        ("netif_status_callback", "true"),
        ("tcp_snd_buf_default", "11520"),
        ("tcp_wnd_default", "11520"),
        ("tcp_recvmbox_size", "10"),
        ("tcp_ooseq_max_pbufs", "4"),
        ("tcp_sack_out", "true"),
        ("tcpip_task_stack_size", "4096"),
        ("tcpip_task_affinity", "\"cpu0\""),
        ("ppp_support", "true"),
        ("ppp_enable_ipv4", "true"),
        ("ppp_enable_ipv6", "true"),
        ("ppp_vj_header_compression", "true"),
        ("ppp_notify_phase_support", "true"),
        ("ppp_pap_support", "true"),
        ("ppp_chap_support", "true"),
        ("enable_lcp_echo", "true"),
        ("lcp_echointerval", "10"),
        ("lcp_maxechofails", "5"),
        ("sntp_max_servers", "2"),
        ("dhcp_get_ntp_srv", "true"),
        ("sntp_update_delay", "86400000"),
        ("fallback_dns_server_support", "true"),
        ("fallback_dns_server_address", "\"9.9.9.9\""),
    ]);
    assert_eq!(changed(&out.config), want);
    // Provenance names the current symbol although the old one is repeated later.
    let r = out.config.get("tcp_snd_buf_default").unwrap();
    assert!(
        matches!(&r.provenance, Provenance::Assigned(a) if matches!(a.source, netstack_config::config_file::Source::Sdkconfig { old_name: None, .. }))
    );
}

#[test]
fn import_sdkconfig_old() {
    let (imp, out) = import("sdkconfig.old");
    assert!(imp.unmapped.is_empty(), "{:?}", imp.unmapped);
    let warnings: Vec<String> = imp
        .diagnostics
        .iter()
        .chain(&out.diagnostics)
        .map(ToString::to_string)
        .collect();
    // Its header is v3.x's: the empty bools (`CONFIG_L2_TO_L3_COPY=`, ...) are off, without a
    // word; `CONFIG_LWIP_DHCP_MAX_NTP_SERVERS=1` sized the SNTP list then, and says so.
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(warnings[0].starts_with(
        "sdkconfig.old:168:1: note: `CONFIG_LWIP_DHCP_MAX_NTP_SERVERS=1`: up to ESP-IDF v4.3"
    ));
    assert!(warnings[0].contains("mapped to sntp_max_servers = 1"));
    assert!(!out.has_errors());
    let want = expect(&[
        ("max_sockets", "8"),
        ("so_rcvbuf", "true"),
        ("ip4_frag", "false"),
        ("garp_tmr_interval", "30"),
        ("tcpip_recvmbox_size", "16"),
        ("tcp_synmaxrtx", "6"),
        ("tcp_mss", "1436"),
        ("tcp_snd_buf_default", "8192"),
        ("tcp_wnd_default", "8192"),
        ("tcp_recvmbox_size", "8"),
        ("tcp_oversize", "\"quarter_mss\""),
        ("tcpip_task_stack_size", "2560"),
        ("tcpip_task_affinity", "\"cpu0\""),
    ]);
    assert_eq!(changed(&out.config), want);
    let r = out.config.get("tcp_mss").unwrap();
    assert_eq!(
        r.provenance.describe(),
        "sdkconfig (sdkconfig.old:193:1), as CONFIG_TCP_MSS"
    );
}

#[test]
fn import_iperf_defaults_equals_max_throughput_plus_no_effect() {
    let (imp, out) = import("sdkconfig.defaults.iperf");
    assert_eq!(imp.diagnostics.len(), 1, "{:?}", imp.diagnostics);
    assert!(
        imp.diagnostics[0]
            .to_string()
            .contains("CONFIG_LWIP_ETHARP_TRUST_IP_MAC=")
    );
    let s = schema().unwrap();
    let preset = resolve::resolve(
        s,
        &load::load_preset(s, &EmbeddedPresets, "max-throughput").assignments,
    );
    let mut want = changed(&preset.config);
    want.insert("iram_optimization".into(), "true".into());
    want.insert("tcpip_task_prio".into(), "23".into());
    assert_eq!(changed(&out.config), want);
}

#[test]
fn import_export_import_round_trip() {
    let s = schema().unwrap();
    for name in ["sdkconfig.new", "sdkconfig.old", "sdkconfig.defaults.iperf"] {
        let (imp, out) = import(name);
        let exported = sdkconfig::export(&out.config);
        let again = sdkconfig::import(s, "exported", &exported);
        assert!(
            again.diagnostics.is_empty(),
            "{name}: {:?}",
            again.diagnostics
        );
        let out2 = resolve::resolve(s, &again.assignments);
        assert!(
            out2.diagnostics.is_empty(),
            "{name}: {:?}",
            out2.diagnostics
        );
        let v1: Vec<&Value> = out.config.options.iter().map(|o| &o.value).collect();
        let v2: Vec<&Value> = out2.config.options.iter().map(|o| &o.value).collect();
        assert_eq!(v1, v2, "{name}");
        assert_eq!(sdkconfig::export(&out2.config), exported, "{name}");
        // The netstack.toml written by import resolves to the same configuration.
        let toml = sdkconfig::to_netstack_toml(&out.config, &imp, name);
        let loaded = load::load_text(s, &EmbeddedPresets, "imported.toml", &toml, None);
        assert!(
            loaded.diagnostics.is_empty(),
            "{name}: {:?}",
            loaded.diagnostics
        );
        let out3 = resolve::resolve(s, &loaded.assignments);
        let v3: Vec<&Value> = out3.config.options.iter().map(|o| &o.value).collect();
        assert_eq!(v1, v3, "{name}");
    }
}

#[test]
fn export_syntax() {
    let s = schema().unwrap();
    let out = resolve::resolve(s, &[]);
    let text = sdkconfig::export(&out.config);
    assert!(text.contains("\nCONFIG_LWIP_TCP_MSS=1440\n"));
    assert!(text.contains("\n# CONFIG_LWIP_WND_SCALE is not set\n"));
    assert!(text.contains(
        "\nCONFIG_LWIP_TCP_OVERSIZE_MSS=y\n# CONFIG_LWIP_TCP_OVERSIZE_QUARTER_MSS is not set\n"
    ));
    assert!(text.contains("\nCONFIG_LWIP_LOCAL_HOSTNAME=\"espressif\"\n"));
}

#[test]
fn conflicting_old_and_new_names_later_line_wins() {
    let s = schema().unwrap();
    let imp = sdkconfig::import(
        s,
        "sdkconfig",
        "CONFIG_LWIP_TCP_MSS=1200\nCONFIG_FOO=1\nCONFIG_TCP_MSS=1300\nCONFIG_LWIP_BOGUS=y\n",
    );
    let d: Vec<String> = imp.diagnostics.iter().flat_map(|d| d.lines()).collect();
    assert_eq!(
        d,
        [
            "sdkconfig:3:1: warning: `CONFIG_TCP_MSS=1300` conflicts with `CONFIG_LWIP_TCP_MSS=1200` (line 1): both set tcp_mss; the later line wins, as in ESP-IDF",
            "sdkconfig:1:1: note: `CONFIG_LWIP_TCP_MSS=1200` is here",
            "sdkconfig:4:1: warning: not imported: `CONFIG_LWIP_BOGUS=y`: no lwIP option CONFIG_LWIP_BOGUS in any ESP-IDF release",
        ]
    );
    assert_eq!(imp.skipped, 1);
    assert_eq!(imp.assignments.len(), 1);
    // ESP-IDF reads the file top to bottom: the later line wins, whichever name it uses.
    assert_eq!(imp.assignments[0].value, Value::Int(1300));
}

#[test]
fn generated_module_keeps_the_names_the_core_uses() {
    let s = schema().unwrap();
    let (valid, _) = resolve::resolve(s, &[]).into_valid().unwrap();
    let g = netstack_config::codegen::generate(&valid, "default");
    for line in [
        "pub const IP_DEFAULT_TTL: u8 = 64;",
        "pub const IP4_FRAG: bool = true;",
        "pub const IP4_REASSEMBLY: bool = false;",
        "pub const IP_REASS_MAX_PBUFS: usize = 10;",
        "pub const IP_REASS_MAXAGE: u32 = 3;",
        "pub const MEMP_NUM_REASSDATA: usize = 5;",
        "pub const IP_FORWARD: bool = false;",
        "pub const ESP_GRATUITOUS_ARP: bool = true;",
        "pub const GARP_TMR_INTERVAL: u32 = 60;",
        "pub const CHECKSUM_CHECK_IP: bool = false;",
        "pub const CHECKSUM_CHECK_UDP: bool = false;",
        "pub const CHECKSUM_CHECK_ICMP: bool = true;",
        "pub const NETIF_LOOPBACK: bool = true;",
        "pub const LOOPBACK_MAX_PBUFS: usize = 8;",
        "pub const MULTICAST_PING: bool = false;",
        "pub const BROADCAST_PING: bool = false;",
        "pub const TIMERS_ONDEMAND: bool = true;",
        "pub const MAX_UDP_PCBS: usize = 16;",
        "pub const UDP_RECVMBOX_SIZE: usize = 6;",
        "pub const ICMP: bool = true;",
        "pub const IPV4: bool = true;",
        "pub const ARP_TABLE_SIZE: usize = 10;",
        "pub const ARP_MAXAGE: u32 = 300;",
        "pub const ARP_QUEUEING: bool = true;",
        "pub const ARP_QUEUE_LEN: usize = 3;",
        "pub const ETHARP_TRUST_IP_MAC: bool = false;",
        "pub const IGMP: bool = true;",
        "pub const MEMP_NUM_IGMP_GROUP: usize = 8;",
        "pub const MAX_NETIFS: usize = 4;",
        "pub const TCP_OVERSIZE: TcpOversize = TcpOversize::Mss;",
        "pub enum TcpOversize {",
        "pub const SUMMARY: &str = \"enable = true\\n",
        "pub const SOURCE: &str = \"default\";",
    ] {
        assert!(g.rust.contains(line), "missing: {line}");
    }
    assert!(g.cfgs.contains(&"netstack_ipv6".to_owned()));
    assert!(
        g.cfgs
            .contains(&"netstack_hook_tcp_isn=\"default\"".to_owned())
    );
    assert!(g.check_cfgs.contains(
        &"cfg(netstack_hook_tcp_isn, values(\"none\", \"default\", \"custom\"))".to_owned()
    ));
    assert!(g.check_cfgs.contains(&"cfg(netstack_ipv6)".to_owned()));
}

#[test]
fn options_doc_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/options.md");
    let current = std::fs::read_to_string(path).unwrap_or_default();
    let fresh = netstack_config::docs::options_md(schema().unwrap());
    assert!(
        current == fresh,
        "docs/options.md is stale: run `cargo run -p netstack-config -- options-doc`"
    );
}

#[test]
fn every_file_in_configs_is_embedded() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../configs");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .expect("configs/ exists")
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".toml")
                .map(str::to_owned)
        })
        .collect();
    on_disk.sort();
    assert_eq!(
        on_disk,
        EmbeddedPresets.names(),
        "add new presets to embedded::PRESET_TEXTS"
    );
}
