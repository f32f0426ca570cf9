//! The cross-option rules on the real schema: every rule's diagnostic, word for word, with its
//! `FILE:LINE:COL` and notes. A rule a `netstack.toml` can break is broken through one (the
//! whole pipeline: load, resolve, rules); a rule the schema's ranges and dependencies keep a file
//! from breaking is broken on a resolved configuration whose values are forged. Last, a rule
//! whose arithmetic fails on a configuration, on a schema of its own.

use netstack_config::config_file::{Assignment, Source};
use netstack_config::diagnostics::Location;
use netstack_config::embedded::{EmbeddedPresets, schema};
use netstack_config::load::PresetList;
use netstack_config::resolve::{self, Provenance};
use netstack_config::schema::Schema;
use netstack_config::value::Value;
use netstack_config::{load, rules, sdkconfig};

/// Every diagnostic line of `text` read as `netstack.toml` against the real schema.
fn file(text: &str) -> Vec<String> {
    let s = schema().expect("schema parses");
    let loaded = load::load_text(s, &EmbeddedPresets, "netstack.toml", text, None);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let out = resolve::resolve(s, &loaded.assignments);
    out.diagnostics.iter().flat_map(|d| d.lines()).collect()
}

/// The rules' diagnostic lines on the default configuration with `set` forged in: a value
/// with `Some(line)` reads as written at that line of `forged.toml`, one with `None` keeps
/// the default's provenance.
fn forged(set: &[Forged]) -> Vec<String> {
    let s = schema().expect("schema parses");
    let mut config = resolve::resolve(s, &[]).config;
    for (key, value, line) in set {
        let i = s.index_of(key).expect("known key");
        config.options[i].value = value.clone();
        if let Some(line) = line {
            config.options[i].provenance = Provenance::Assigned(Assignment {
                option: i,
                value: value.clone(),
                source: Source::File,
                key_loc: Some(Location::new("forged.toml", *line, 1)),
                value_loc: Some(Location::new("forged.toml", *line, key.len() + 4)),
            });
        }
    }
    rules::check(&config)
        .iter()
        .flat_map(|d| d.lines())
        .collect()
}

/// Every diagnostic line of the rules on `text` imported as `sdkconfig`.
fn sdk_lines(text: &str) -> Vec<String> {
    let s = schema().expect("schema parses");
    let import = sdkconfig::import(s, "sdkconfig", text);
    let out = resolve::resolve(s, &import.assignments);
    out.diagnostics.iter().flat_map(|d| d.lines()).collect()
}

/// A key, the value forged into it, and the line of `forged.toml` it reads as written at.
type Forged = (&'static str, Value, Option<usize>);

fn int(n: i64) -> Value {
    Value::Int(n)
}

fn on(b: bool) -> Value {
    Value::Bool(b)
}

/// Every rule's name, in the schema's order: each must appear in the expectations below.
const RULES: &[&str] = &[
    "ip-version",
    "snd-buf-vs-mss",
    "wnd-vs-mss",
    "wnd-needs-scale",
    "snd-buf-needs-scale",
    "rcv-scale-max",
    "wnd-fits-scale",
    "wnd-not-zero-scaled",
    "maxrtx",
    "synmaxrtx",
    "sack-needs-ooseq",
    "reassdata-vs-pbufs",
    "core-locking-input",
    "igmp-needs-ipv4",
    "igmp-groups",
    "ppp-ipv6",
    "sockets-vs-pcbs",
    "tcp-recvmbox-vs-wnd",
];

/// `netstack.toml` texts and the rules' diagnostics on them.
const FILE_CASES: &[(&str, &[&str])] = &[
    (
        "ipv4 = false\nipv6 = false\n",
        &[
            "netstack.toml:1:8: error: ipv4 and ipv6 are both off; turn at least one on [rule ip-version; netstack: a stack needs an IP version]",
            "netstack.toml:2:8: note: ipv6 = false is set here",
        ],
    ),
    (
        "tcp_mss = 1460\ntcp_snd_buf_default = 2500\n",
        &[
            "netstack.toml:2:23: error: tcp_snd_buf_default = 2500 must be at least 2 * tcp_mss = 2920 [rule snd-buf-vs-mss; lwIP init.c: TCP_SND_BUF >= 2 * TCP_MSS]",
            "netstack.toml:1:11: note: tcp_mss = 1460 is set here",
        ],
    ),
    (
        "tcp_snd_buf_default = 2500\n",
        &[
            "netstack.toml:1:23: error: tcp_snd_buf_default = 2500 must be at least 2 * tcp_mss = 2880 [rule snd-buf-vs-mss; lwIP init.c: TCP_SND_BUF >= 2 * TCP_MSS]",
            "note: tcp_mss = 1440 (default)",
        ],
    ),
    (
        "wnd_scale = true\ntcp_wnd_default = 100000\ntcp_recvmbox_size = 100\n",
        &[
            "netstack.toml:2:19: error: tcp_wnd_default = 100000 cannot be announced with tcp_rcv_scale = 0 (at most 65535) [rule wnd-fits-scale; lwIP init.c: TCP_WND <= 0xFFFF << TCP_RCV_SCALE]",
            "netstack.toml:1:13: note: wnd_scale = true is set here",
            "note: tcp_rcv_scale = 0 (default)",
        ],
    ),
    (
        "tcp_recvmbox_size = 200\ntcp_wnd_default = 200000\ntcp_rcv_scale = 1\nwnd_scale = true\n",
        &[
            "netstack.toml:2:19: error: tcp_wnd_default = 200000 cannot be announced with tcp_rcv_scale = 1 (at most 131070) [rule wnd-fits-scale; lwIP init.c: TCP_WND <= 0xFFFF << TCP_RCV_SCALE]",
            "netstack.toml:4:13: note: wnd_scale = true is set here",
            "netstack.toml:3:17: note: tcp_rcv_scale = 1 is set here",
        ],
    ),
    (
        "wnd_scale = true\ntcp_rcv_scale = 14\ntcp_wnd_default = 2440\n",
        &[
            "netstack.toml:3:19: error: tcp_wnd_default = 2440 shifted by tcp_rcv_scale = 14 is a zero window [rule wnd-not-zero-scaled; lwIP init.c: (TCP_WND >> TCP_RCV_SCALE) != 0]",
            "netstack.toml:1:13: note: wnd_scale = true is set here",
            "netstack.toml:2:17: note: tcp_rcv_scale = 14 is set here",
        ],
    ),
    (
        "wnd_scale = true\ntcp_rcv_scale = 14\n",
        &[
            "netstack.toml:1:13: error: tcp_wnd_default = 5760 shifted by tcp_rcv_scale = 14 is a zero window [rule wnd-not-zero-scaled; lwIP init.c: (TCP_WND >> TCP_RCV_SCALE) != 0]",
            "note: tcp_wnd_default = 5760 (default)",
            "netstack.toml:2:17: note: tcp_rcv_scale = 14 is set here",
        ],
    ),
    (
        "ip4_reassembly = true\nmemp_num_reassdata = 64\n",
        &[
            "netstack.toml:2:22: error: memp_num_reassdata = 64 is above ip_reass_max_pbufs = 10; each datagram holds at least one fragment [rule reassdata-vs-pbufs; lwIP init.c: MEMP_NUM_REASSDATA <= IP_REASS_MAX_PBUFS]",
            "netstack.toml:1:18: note: ip4_reassembly = true is set here",
            "note: ip_reass_max_pbufs = 10 (default)",
        ],
    ),
    (
        "memp_num_igmp_group = 1\n",
        &[
            "netstack.toml:1:23: error: memp_num_igmp_group = 1 must be at least 2 (the all-systems group takes one) [rule igmp-groups; lwIP init.c: MEMP_NUM_IGMP_GROUP > 1 with LWIP_IGMP]",
            "note: igmp = true (default)",
        ],
    ),
    (
        "max_sockets = 253\nmax_active_tcp = 1\nmax_listening_tcp = 1\nmax_udp_pcbs = 1\n",
        &[
            "netstack.toml:1:15: error: max_sockets = 253 is more than all control blocks together (19 = max_active_tcp + max_listening_tcp + max_udp_pcbs + max_raw_pcbs) [rule sockets-vs-pcbs; lwIP init.c: MEMP_NUM_NETCONN <= MEMP_NUM_{TCP,RAW,UDP}_PCB + MEMP_NUM_TCP_PCB_LISTEN]",
            "netstack.toml:2:18: note: max_active_tcp = 1 is set here",
            "netstack.toml:3:21: note: max_listening_tcp = 1 is set here",
            "netstack.toml:4:16: note: max_udp_pcbs = 1 is set here",
            "note: max_raw_pcbs = 16 (default)",
        ],
    ),
    (
        "tcp_mss = 536\ntcp_wnd_default = 65535\n",
        &[
            "netstack.toml:2:19: warning: tcp_recvmbox_size = 6 holds fewer segments than a full window needs (124 = tcp_wnd_default / tcp_mss + 2); the window cannot be used [rule tcp-recvmbox-vs-wnd; ESP-IDF: LWIP_TCP_RECVMBOX_SIZE >= LWIP_TCP_WND_DEFAULT / LWIP_TCP_MSS + 2]",
            "note: tcp_recvmbox_size = 6 (default)",
            "netstack.toml:1:11: note: tcp_mss = 536 is set here",
        ],
    ),
];

const SDKCONFIG: &str = "CONFIG_LWIP_MAX_SOCKETS=253\nCONFIG_LWIP_MAX_ACTIVE_TCP=1\nCONFIG_LWIP_MAX_LISTENING_TCP=1\nCONFIG_LWIP_MAX_UDP_PCBS=1\nCONFIG_TCP_MSS=536\nCONFIG_LWIP_TCP_WND_DEFAULT=65535\n";

const SDKCONFIG_LINES: &[&str] = &[
    "sdkconfig:1:25: error: `CONFIG_LWIP_MAX_SOCKETS=253`: max_sockets = 253 is more than all control blocks together (19 = max_active_tcp + max_listening_tcp + max_udp_pcbs + max_raw_pcbs) [rule sockets-vs-pcbs; lwIP init.c: MEMP_NUM_NETCONN <= MEMP_NUM_{TCP,RAW,UDP}_PCB + MEMP_NUM_TCP_PCB_LISTEN]",
    "sdkconfig:2:28: note: `CONFIG_LWIP_MAX_ACTIVE_TCP=1` sets max_active_tcp = 1",
    "sdkconfig:3:31: note: `CONFIG_LWIP_MAX_LISTENING_TCP=1` sets max_listening_tcp = 1",
    "sdkconfig:4:26: note: `CONFIG_LWIP_MAX_UDP_PCBS=1` sets max_udp_pcbs = 1",
    "note: max_raw_pcbs = 16 (default)",
    "sdkconfig:6:29: warning: `CONFIG_LWIP_TCP_WND_DEFAULT=65535`: tcp_recvmbox_size = 6 holds fewer segments than a full window needs (124 = tcp_wnd_default / tcp_mss + 2); the window cannot be used [rule tcp-recvmbox-vs-wnd; ESP-IDF: LWIP_TCP_RECVMBOX_SIZE >= LWIP_TCP_WND_DEFAULT / LWIP_TCP_MSS + 2]",
    "note: tcp_recvmbox_size = 6 (default)",
    "sdkconfig:5:16: note: `CONFIG_TCP_MSS=536` sets tcp_mss = 536",
];

#[test]
fn rules_a_file_can_break() {
    for (text, expected) in FILE_CASES {
        assert_eq!(file(text), *expected, "{text}");
    }
}

#[test]
fn rules_from_an_sdkconfig_name_its_lines() {
    assert_eq!(sdk_lines(SDKCONFIG), SDKCONFIG_LINES);
}

/// Forged values (a range or a dependency keeps a file from writing them) and the rules'
/// diagnostics on them.
fn forged_cases() -> Vec<(Vec<Forged>, &'static [&'static str])> {
    vec![
        (
            vec![
                ("tcp_wnd_default", int(1000), Some(1)),
                ("tcp_mss", int(1460), Some(2)),
            ],
            &[
                "forged.toml:1:19: error: tcp_wnd_default = 1000 must be at least tcp_mss = 1460 [rule wnd-vs-mss; lwIP init.c: TCP_WND >= TCP_MSS]",
                "forged.toml:2:11: note: tcp_mss = 1460 is set here",
            ],
        ),
        (
            vec![("tcp_wnd_default", int(1000), None)],
            &[
                "error: tcp_wnd_default = 1000 must be at least tcp_mss = 1440 [rule wnd-vs-mss; lwIP init.c: TCP_WND >= TCP_MSS]",
                "note: tcp_mss = 1440 (default)",
            ],
        ),
        (
            vec![("tcp_wnd_default", int(70000), Some(3))],
            &[
                "forged.toml:3:19: error: tcp_wnd_default = 70000 is above 65535, which needs wnd_scale = true [rule wnd-needs-scale; lwIP init.c: TCP_WND > 0xffff needs LWIP_WND_SCALE]",
                "note: wnd_scale = false (default)",
                "forged.toml:3:19: warning: tcp_recvmbox_size = 6 holds fewer segments than a full window needs (50 = tcp_wnd_default / tcp_mss + 2); the window cannot be used [rule tcp-recvmbox-vs-wnd; ESP-IDF: LWIP_TCP_RECVMBOX_SIZE >= LWIP_TCP_WND_DEFAULT / LWIP_TCP_MSS + 2]",
                "note: tcp_recvmbox_size = 6 (default)",
                "note: tcp_mss = 1440 (default)",
            ],
        ),
        (
            vec![
                ("tcp_snd_buf_default", int(70000), None),
                ("wnd_scale", on(false), Some(1)),
            ],
            &[
                "forged.toml:1:13: error: tcp_snd_buf_default = 70000 is above 65535, which needs wnd_scale = true [rule snd-buf-needs-scale; lwIP: TCP_SND_BUF is 16-bit without LWIP_WND_SCALE]",
                "note: tcp_snd_buf_default = 70000 (default)",
            ],
        ),
        (
            vec![
                ("wnd_scale", on(true), Some(1)),
                ("tcp_rcv_scale", int(15), Some(2)),
            ],
            &[
                "forged.toml:2:17: error: tcp_rcv_scale = 15 is above 14, the largest shift RFC 7323 allows [rule rcv-scale-max; lwIP init.c: TCP_RCV_SCALE <= 14 (RFC 7323 2.3)]",
                "forged.toml:1:13: note: wnd_scale = true is set here",
                "forged.toml:1:13: error: tcp_wnd_default = 5760 shifted by tcp_rcv_scale = 15 is a zero window [rule wnd-not-zero-scaled; lwIP init.c: (TCP_WND >> TCP_RCV_SCALE) != 0]",
                "note: tcp_wnd_default = 5760 (default)",
                "forged.toml:2:17: note: tcp_rcv_scale = 15 is set here",
            ],
        ),
        (
            vec![("tcp_maxrtx", int(13), Some(1))],
            &[
                "forged.toml:1:14: error: tcp_maxrtx = 13 is above 12, the size of the backoff table [rule maxrtx; lwIP init.c: TCP_MAXRTX <= 12 (tcp_backoff table)]",
            ],
        ),
        (
            vec![("tcp_synmaxrtx", int(20), None)],
            &[
                "error: tcp_synmaxrtx = 20 is above 12, the size of the backoff table [rule synmaxrtx; lwIP init.c: TCP_SYNMAXRTX <= 12 (tcp_backoff table)]",
            ],
        ),
        (
            vec![
                ("tcp_queue_ooseq", on(false), Some(1)),
                ("tcp_sack_out", on(true), None),
            ],
            &[
                "forged.toml:1:19: error: tcp_sack_out needs tcp_queue_ooseq = true [rule sack-needs-ooseq; lwIP init.c: LWIP_TCP_SACK_OUT needs TCP_QUEUE_OOSEQ]",
                "note: tcp_sack_out = true (default)",
            ],
        ),
        (
            vec![("tcpip_core_locking_input", on(true), Some(4))],
            &[
                "forged.toml:4:28: error: tcpip_core_locking_input needs tcpip_core_locking = true [rule core-locking-input; lwIP init.c: LWIP_TCPIP_CORE_LOCKING_INPUT needs LWIP_TCPIP_CORE_LOCKING]",
                "note: tcpip_core_locking = false (default)",
            ],
        ),
        (
            vec![("ipv4", on(false), Some(2)), ("ipv6", on(true), Some(3))],
            &[
                "forged.toml:2:8: error: igmp needs ipv4 = true [rule igmp-needs-ipv4; lwIP init.c: LWIP_IGMP needs LWIP_IPV4]",
                "note: igmp = true (default)",
            ],
        ),
        (
            vec![
                ("ppp_enable_ipv6", on(true), None),
                ("ipv6", on(false), Some(1)),
                ("tcp_mss", int(1460), Some(2)),
            ],
            &[
                "forged.toml:1:8: error: ppp_enable_ipv6 needs ipv6 = true [rule ppp-ipv6; lwIP init.c: PPP_IPV6_SUPPORT needs LWIP_IPV6]",
                "note: ppp_enable_ipv6 = true (default)",
            ],
        ),
    ]
}

#[test]
fn rules_a_file_cannot_break() {
    for (set, expected) in forged_cases() {
        assert_eq!(forged(&set), expected, "{set:?}");
    }
}

#[test]
fn every_rule_is_covered() {
    let mut seen: Vec<String> = FILE_CASES
        .iter()
        .flat_map(|(_, lines)| lines.iter())
        .chain(SDKCONFIG_LINES)
        .map(|l| (*l).to_owned())
        .collect();
    seen.extend(
        forged_cases()
            .into_iter()
            .flat_map(|(_, l)| l.iter().map(|s| (*s).to_owned())),
    );
    for name in RULES {
        let tag = format!("[rule {name};");
        assert!(
            seen.iter().any(|l| l.contains(&tag)),
            "no case breaks rule {name}"
        );
    }
}

#[test]
fn a_rule_that_cannot_be_evaluated_is_an_error() {
    let option = |key: &str, default: i64| {
        format!(
            "[[option]]\nkey = \"{key}\"\ntype = \"int\"\nrust_type = \"u8\"\ndefault = {default}\n"
        )
    };
    let text = option("a", 1)
        + &option("b", 0)
        + "[[rule]]\nname = \"ratio\"\norigin = \"O\"\nseverity = \"warning\"\n\
           check = \"a / b < 2\"\nmessage = \"a / b = {a / b}\"\n";
    let s = Schema::parse(&text).unwrap();
    let lines = |config: &str| {
        let loaded = load::load_text(&s, &PresetList(Vec::new()), "netstack.toml", config, None);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let out = resolve::resolve(&s, &loaded.assignments);
        out.diagnostics
            .iter()
            .flat_map(|d| d.lines())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        lines("a = 5\n"),
        [
            "netstack.toml:1:5: error: the rule cannot be checked on this configuration: `a / b` divides by zero [rule ratio; O]",
            "note: b = 0 (default)",
        ]
    );
    assert_eq!(lines("b = 5\n"), Vec::<String>::new());
    assert_eq!(
        lines("a = 10\nb = 5\n"),
        [
            "netstack.toml:1:5: warning: a / b = 2 [rule ratio; O]",
            "netstack.toml:2:5: note: b = 5 is set here",
        ]
    );
}
