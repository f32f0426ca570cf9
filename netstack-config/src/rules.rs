//! Cross-option rules: the configuration checks lwIP makes at compile time in
//! `src/core/init.c` (and ESP-IDF's Kconfig help asks for), restated over our keys.
//!
//! Each rule names the options it reads; a rule whose options are not all in the schema is
//! skipped. A violation is reported at the first of its options that the user set, with a
//! note for each other option (its location if set, "default" if not).

use crate::config_file::{Assignment, Source};
use crate::diagnostics::{Diagnostic, Severity};
use crate::resolve::{Config, Provenance};
use crate::value::Value;

/// Values of a rule's options, in the order the rule lists them.
pub struct Args<'a> {
    values: Vec<&'a Value>,
}

impl Args<'_> {
    /// Option `i` as an integer (0 if it is not one).
    pub fn int(&self, i: usize) -> i64 {
        self.values.get(i).and_then(|v| v.as_int()).unwrap_or(0)
    }

    /// Option `i` as a bool (Kconfig truthiness).
    pub fn on(&self, i: usize) -> bool {
        self.values.get(i).is_some_and(|v| v.truthy())
    }
}

/// One cross-option rule.
pub struct Rule {
    /// Short name, shown in messages.
    pub name: &'static str,
    /// The lwIP check it mirrors.
    pub origin: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// The options it reads; the first is the one the message is about.
    pub keys: &'static [&'static str],
    /// Returns the complaint when the rule is broken.
    pub check: fn(&Args<'_>) -> Option<String>,
}

/// Every rule.
pub const RULES: &[Rule] = &[
    Rule {
        name: "ip-version",
        origin: "netstack: a stack needs an IP version",
        severity: Severity::Error,
        keys: &["ipv4", "ipv6"],
        check: |a| {
            (!a.on(0) && !a.on(1))
                .then(|| "ipv4 and ipv6 are both off; turn at least one on".into())
        },
    },
    Rule {
        name: "snd-buf-vs-mss",
        origin: "lwIP init.c: TCP_SND_BUF >= 2 * TCP_MSS",
        severity: Severity::Error,
        keys: &["tcp_snd_buf_default", "tcp_mss"],
        check: |a| {
            (a.int(0) < 2 * a.int(1)).then(|| {
                format!(
                    "tcp_snd_buf_default = {} must be at least 2 * tcp_mss = {}",
                    a.int(0),
                    2 * a.int(1)
                )
            })
        },
    },
    Rule {
        name: "wnd-vs-mss",
        origin: "lwIP init.c: TCP_WND >= TCP_MSS",
        severity: Severity::Error,
        keys: &["tcp_wnd_default", "tcp_mss"],
        check: |a| {
            (a.int(0) < a.int(1)).then(|| {
                format!(
                    "tcp_wnd_default = {} must be at least tcp_mss = {}",
                    a.int(0),
                    a.int(1)
                )
            })
        },
    },
    Rule {
        name: "wnd-needs-scale",
        origin: "lwIP init.c: TCP_WND > 0xffff needs LWIP_WND_SCALE",
        severity: Severity::Error,
        keys: &["tcp_wnd_default", "wnd_scale"],
        check: |a| {
            (a.int(0) > 0xffff && !a.on(1)).then(|| {
                format!(
                    "tcp_wnd_default = {} is above 65535, which needs wnd_scale = true",
                    a.int(0)
                )
            })
        },
    },
    Rule {
        name: "snd-buf-needs-scale",
        origin: "lwIP: TCP_SND_BUF is 16-bit without LWIP_WND_SCALE",
        severity: Severity::Error,
        keys: &["tcp_snd_buf_default", "wnd_scale"],
        check: |a| {
            (a.int(0) > 0xffff && !a.on(1)).then(|| {
                format!(
                    "tcp_snd_buf_default = {} is above 65535, which needs wnd_scale = true",
                    a.int(0)
                )
            })
        },
    },
    Rule {
        name: "rcv-scale-max",
        origin: "lwIP init.c: TCP_RCV_SCALE <= 14 (RFC 7323 2.3)",
        severity: Severity::Error,
        keys: &["tcp_rcv_scale", "wnd_scale"],
        check: |a| {
            (a.on(1) && a.int(0) > 14).then(|| {
                format!(
                    "tcp_rcv_scale = {} is above 14, the largest shift RFC 7323 allows",
                    a.int(0)
                )
            })
        },
    },
    Rule {
        name: "wnd-fits-scale",
        origin: "lwIP init.c: TCP_WND <= 0xFFFF << TCP_RCV_SCALE",
        severity: Severity::Error,
        keys: &["tcp_wnd_default", "wnd_scale", "tcp_rcv_scale"],
        check: |a| {
            let shift = a.int(2).clamp(0, 14);
            (a.on(1) && a.int(0) > (0xffff << shift)).then(|| {
                format!(
                    "tcp_wnd_default = {} cannot be announced with tcp_rcv_scale = {} (at most {})",
                    a.int(0),
                    a.int(2),
                    0xffff_i64 << shift
                )
            })
        },
    },
    Rule {
        name: "wnd-not-zero-scaled",
        origin: "lwIP init.c: (TCP_WND >> TCP_RCV_SCALE) != 0",
        severity: Severity::Error,
        keys: &["tcp_wnd_default", "wnd_scale", "tcp_rcv_scale"],
        check: |a| {
            let shift = a.int(2).clamp(0, 62);
            (a.on(1) && a.int(0) >> shift == 0).then(|| {
                format!(
                    "tcp_wnd_default = {} shifted by tcp_rcv_scale = {} is a zero window",
                    a.int(0),
                    a.int(2)
                )
            })
        },
    },
    Rule {
        name: "maxrtx",
        origin: "lwIP init.c: TCP_MAXRTX <= 12 (tcp_backoff table)",
        severity: Severity::Error,
        keys: &["tcp_maxrtx"],
        check: |a| {
            (a.int(0) > 12).then(|| {
                format!(
                    "tcp_maxrtx = {} is above 12, the size of the backoff table",
                    a.int(0)
                )
            })
        },
    },
    Rule {
        name: "synmaxrtx",
        origin: "lwIP init.c: TCP_SYNMAXRTX <= 12 (tcp_backoff table)",
        severity: Severity::Error,
        keys: &["tcp_synmaxrtx"],
        check: |a| {
            (a.int(0) > 12).then(|| {
                format!(
                    "tcp_synmaxrtx = {} is above 12, the size of the backoff table",
                    a.int(0)
                )
            })
        },
    },
    Rule {
        name: "sack-needs-ooseq",
        origin: "lwIP init.c: LWIP_TCP_SACK_OUT needs TCP_QUEUE_OOSEQ",
        severity: Severity::Error,
        keys: &["tcp_sack_out", "tcp_queue_ooseq"],
        check: |a| {
            (a.on(0) && !a.on(1)).then(|| "tcp_sack_out needs tcp_queue_ooseq = true".into())
        },
    },
    Rule {
        name: "reassdata-vs-pbufs",
        origin: "lwIP init.c: MEMP_NUM_REASSDATA <= IP_REASS_MAX_PBUFS",
        severity: Severity::Error,
        keys: &["memp_num_reassdata", "ip4_reassembly", "ip_reass_max_pbufs"],
        check: |a| {
            (a.on(1) && a.int(0) > a.int(2)).then(|| {
                format!(
                    "memp_num_reassdata = {} is above ip_reass_max_pbufs = {}; each datagram holds at least one fragment",
                    a.int(0),
                    a.int(2)
                )
            })
        },
    },
    Rule {
        name: "core-locking-input",
        origin: "lwIP init.c: LWIP_TCPIP_CORE_LOCKING_INPUT needs LWIP_TCPIP_CORE_LOCKING",
        severity: Severity::Error,
        keys: &["tcpip_core_locking_input", "tcpip_core_locking"],
        check: |a| {
            (a.on(0) && !a.on(1))
                .then(|| "tcpip_core_locking_input needs tcpip_core_locking = true".into())
        },
    },
    Rule {
        name: "igmp-needs-ipv4",
        origin: "lwIP init.c: LWIP_IGMP needs LWIP_IPV4",
        severity: Severity::Error,
        keys: &["igmp", "ipv4"],
        check: |a| (a.on(0) && !a.on(1)).then(|| "igmp needs ipv4 = true".into()),
    },
    Rule {
        name: "igmp-groups",
        origin: "lwIP init.c: MEMP_NUM_IGMP_GROUP > 1 with LWIP_IGMP",
        severity: Severity::Error,
        keys: &["memp_num_igmp_group", "igmp"],
        check: |a| {
            (a.on(1) && a.int(0) <= 1).then(|| {
                format!(
                    "memp_num_igmp_group = {} must be at least 2 (the all-systems group takes one)",
                    a.int(0)
                )
            })
        },
    },
    Rule {
        name: "ppp-ipv6",
        origin: "lwIP init.c: PPP_IPV6_SUPPORT needs LWIP_IPV6",
        severity: Severity::Error,
        keys: &["ppp_enable_ipv6", "ipv6"],
        check: |a| (a.on(0) && !a.on(1)).then(|| "ppp_enable_ipv6 needs ipv6 = true".into()),
    },
    Rule {
        name: "sockets-vs-pcbs",
        origin: "lwIP init.c: MEMP_NUM_NETCONN <= MEMP_NUM_{TCP,RAW,UDP}_PCB + MEMP_NUM_TCP_PCB_LISTEN",
        severity: Severity::Error,
        keys: &[
            "max_sockets",
            "max_active_tcp",
            "max_listening_tcp",
            "max_udp_pcbs",
            "max_raw_pcbs",
        ],
        check: |a| {
            let sum = a.int(1) + a.int(2) + a.int(3) + a.int(4);
            (a.int(0) > sum).then(|| {
                format!(
                    "max_sockets = {} is more than all control blocks together ({sum} = max_active_tcp + max_listening_tcp + max_udp_pcbs + max_raw_pcbs)",
                    a.int(0)
                )
            })
        },
    },
    Rule {
        name: "tcp-recvmbox-vs-wnd",
        origin: "ESP-IDF: LWIP_TCP_RECVMBOX_SIZE >= LWIP_TCP_WND_DEFAULT / LWIP_TCP_MSS + 2",
        severity: Severity::Warning,
        keys: &["tcp_recvmbox_size", "tcp_wnd_default", "tcp_mss"],
        check: |a| {
            let need = a.int(1) / a.int(2).max(1) + 2;
            (a.int(0) < need).then(|| {
                format!(
                    "tcp_recvmbox_size = {} holds fewer segments than a full window needs ({need} = tcp_wnd_default / tcp_mss + 2); the window cannot be used",
                    a.int(0)
                )
            })
        },
    },
];

/// Runs every applicable rule.
pub fn check(config: &Config<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in RULES {
        let Some(idx) = rule
            .keys
            .iter()
            .map(|k| config.schema.index_of(k))
            .collect::<Option<Vec<usize>>>()
        else {
            continue;
        };
        let args = Args {
            values: idx.iter().map(|&i| &config.options[i].value).collect(),
        };
        let Some(message) = (rule.check)(&args) else {
            continue;
        };
        let location_of = |i: usize| match &config.options[i].provenance {
            Provenance::Assigned(a) => a.location(),
            _ => None,
        };
        // An sdkconfig line is named as the user wrote it.
        let written = |i: usize| match &config.options[i].provenance {
            Provenance::Assigned(Assignment {
                source: Source::Sdkconfig { written, .. },
                ..
            }) => Some(written.as_str()),
            _ => None,
        };
        let primary = idx
            .iter()
            .position(|&i| location_of(i).is_some())
            .unwrap_or(0);
        let line = written(idx[primary]).map_or_else(String::new, |w| format!("`{w}`: "));
        let mut d = Diagnostic {
            severity: rule.severity,
            location: location_of(idx[primary]),
            message: format!("{line}{message} [rule {}; {}]", rule.name, rule.origin),
            notes: Vec::new(),
        };
        for (n, &i) in idx.iter().enumerate() {
            if n == primary {
                continue;
            }
            let key = &config.schema.options[i].key;
            let r = &config.options[i];
            let shown = r.value.to_toml(config.schema.options[i].is_hex());
            d = match (location_of(i), written(i)) {
                (Some(loc), Some(w)) => {
                    d.with_note(Some(loc), format!("`{w}` sets {key} = {shown}"))
                }
                (Some(loc), None) => d.with_note(Some(loc), format!("{key} = {shown} is set here")),
                (None, _) => d.with_note(
                    None,
                    format!("{key} = {shown} ({})", r.provenance.describe()),
                ),
            };
        }
        out.push(d);
    }
    out
}
