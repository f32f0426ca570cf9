//! Unit tests of the importer on the real schema: one per class of old meaning.

use super::*;
use crate::resolve::{Config, resolve};

fn schema() -> &'static Schema {
    crate::embedded::schema().expect("the real schema parses")
}

/// Imports `text` (shown as `sdkconfig`) and resolves it.
fn run(text: &str) -> (Import, Config<'static>, Vec<String>) {
    let imp = import(schema(), "sdkconfig", text);
    let out = resolve(schema(), &imp.assignments);
    let mut diags: Vec<String> = imp.diagnostics.iter().map(ToString::to_string).collect();
    diags.extend(out.diagnostics.iter().map(ToString::to_string));
    (imp, out.config, diags)
}

fn value(c: &Config<'_>, key: &str) -> String {
    c.get(key).expect("option exists").value.to_string()
}

const V3: &str = "#\n# Automatically generated file; DO NOT EDIT.\n# Espressif IoT Development Framework Configuration\n#\n";

#[test]
fn v3_empty_bool_is_off() {
    let (_, c, d) = run(&format!(
        "{V3}CONFIG_LWIP_SO_REUSE=\nCONFIG_LWIP_IP4_FRAG=\nCONFIG_LWIP_DHCP_DOES_ARP_CHECK=\n"
    ));
    assert_eq!(value(&c, "so_reuse"), "false");
    assert_eq!(value(&c, "ip4_frag"), "false");
    assert_eq!(value(&c, "dhcp_checks_offered_address"), "\"no_check\"");
    assert!(!d.iter().any(|d| d.contains("assigns nothing")), "{d:#?}");
    // Without a header, the lines date the file: only v3.x wrote `CONFIG_X=`.
    let (_, c, _) = run("CONFIG_LWIP_SO_REUSE=\nCONFIG_TCP_MSS=1400\n");
    assert_eq!(value(&c, "so_reuse"), "false");
    // A kconfiglib file (v4.0+): the empty value is ignored, as kconfiglib does.
    let (_, c, d) = run(
        "# Espressif IoT Development Framework (ESP-IDF) 4.4.0 Project Configuration\nCONFIG_LWIP_SO_REUSE=\n",
    );
    assert_eq!(value(&c, "so_reuse"), "true");
    assert!(
        d.iter()
            .any(|d| d
                .starts_with("sdkconfig:2:1: warning: `CONFIG_LWIP_SO_REUSE=` assigns nothing")),
        "{d:#?}"
    );
}

#[test]
fn arp_check_bool_maps_onto_the_choice() {
    // ≤ v5.3, AutoIP on, check on: v5.4 picks ACD; a warning says so, and the import succeeds.
    let (imp, c, d) = run("CONFIG_LWIP_AUTOIP=y\nCONFIG_LWIP_DHCP_DOES_ARP_CHECK=y\n");
    assert_eq!(value(&c, "dhcp_checks_offered_address"), "\"acd_check\"");
    assert!(!d.iter().any(|d| d.contains("error")), "{d:#?}");
    assert!(
        d.iter().any(|d| d.starts_with("sdkconfig:2:")
            && d.contains("`CONFIG_LWIP_DHCP_DOES_ARP_CHECK=y`")
            && d.contains("keeps its default \"acd_check\"")),
        "{d:#?}"
    );
    assert_eq!(imp.assignments.len(), 2);
    // ≤ v5.3, check off: no check at all, with a note.
    let (_, c, d) = run("# CONFIG_LWIP_DHCP_DOES_ARP_CHECK is not set\n");
    assert_eq!(value(&c, "dhcp_checks_offered_address"), "\"no_check\"");
    assert!(
        d.iter()
            .any(|d| d.starts_with("sdkconfig:1:1: note: ") && d.contains("no_check")),
        "{d:#?}"
    );
    // v5.4+: the not-set line of one member next to another member's `=y`.
    let (_, c, d) = run(
        "# CONFIG_LWIP_DHCP_DOES_ARP_CHECK is not set\nCONFIG_LWIP_DHCP_DOES_ACD_CHECK=y\n# CONFIG_LWIP_DHCP_DOES_NOT_CHECK_OFFERED_IP is not set\n",
    );
    assert_eq!(value(&c, "dhcp_checks_offered_address"), "\"acd_check\"");
    assert!(d.is_empty(), "{d:#?}");
    // A header naming v5.4: the line is only a member's.
    let (_, c, _) = run(
        "# Espressif IoT Development Framework (ESP-IDF) 5.4.0 Project Configuration\n# CONFIG_LWIP_DHCP_DOES_ARP_CHECK is not set\n",
    );
    assert_eq!(value(&c, "dhcp_checks_offered_address"), "\"arp_check\"");
}

#[test]
fn dhcp_max_ntp_servers_sized_sntp_up_to_v4_3() {
    let (_, c, d) = run(&format!("{V3}CONFIG_LWIP_DHCP_MAX_NTP_SERVERS=3\n"));
    assert_eq!(value(&c, "sntp_max_servers"), "3");
    assert!(!d.iter().any(|d| d.contains("has no effect")), "{d:#?}");
    assert!(
        d.iter().any(|d| d
            .starts_with("sdkconfig:5:1: note: `CONFIG_LWIP_DHCP_MAX_NTP_SERVERS=3`")
            && d.contains("sntp_max_servers = 3")),
        "{d:#?}"
    );
    // v4.4+: the count of servers taken from DHCP.
    let (_, c, d) = run(
        "CONFIG_LWIP_SNTP_MAX_SERVERS=2\nCONFIG_LWIP_DHCP_GET_NTP_SRV=y\nCONFIG_LWIP_DHCP_MAX_NTP_SERVERS=3\n",
    );
    assert_eq!(value(&c, "sntp_max_servers"), "2");
    assert_eq!(value(&c, "dhcp_max_ntp_servers"), "3");
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn v3_symbols_are_known() {
    let (imp, c, d) = run(&format!(
        "{V3}CONFIG_LWIP_WND_SCALE=y\nCONFIG_TCP_RCV_SCALE=2\nCONFIG_LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS=y\nCONFIG_ETHARP_SUPPORT_VLAN=\n"
    ));
    assert_eq!(value(&c, "tcp_rcv_scale"), "2");
    assert!(imp.unmapped.is_empty(), "{:?}", imp.unmapped);
    assert!(
        !d.iter()
            .any(|d| d.contains("warning") || d.contains("error")),
        "{d:#?}"
    );
    // VLAN support on: the hook becomes the product's.
    let (_, c, d) = run(&format!("{V3}CONFIG_ETHARP_SUPPORT_VLAN=y\n"));
    assert_eq!(value(&c, "hook_vlan_check"), "\"custom\"");
    assert!(d.iter().any(|d| d.contains("Hooks::vlan_check")), "{d:#?}");
    // Predictable ports cannot be kept: an error, not a silent change.
    let (imp, _, _) = run(&format!("{V3}CONFIG_LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS=\n"));
    assert!(crate::diagnostics::has_errors(&imp.diagnostics));
    // Unknown names of lwIP's old families are reported, with a did-you-mean.
    let imp = import(
        schema(),
        "sdkconfig",
        "CONFIG_TCP_MMS=1000\nCONFIG_FOO=1\nCONFIG_TCP_PERF_TX=y\nCONFIG_UDP_PERF_SERVER_PORT=2222\n",
    );
    // The perf examples' own symbols are another component's.
    assert_eq!(imp.skipped, 3);
    assert_eq!(imp.unmapped.len(), 1);
    assert!(
        imp.diagnostics[0]
            .to_string()
            .contains("did you mean `CONFIG_TCP_MSS`?"),
        "{:?}",
        imp.diagnostics
    );
}

#[test]
fn values_read_as_esp_idf_reads_them() {
    let (_, c, d) = run(
        "CONFIG_LWIP_IP4_FRAG=n # no fragments\nCONFIG_LWIP_TCP_MSS=99999\nCONFIG_LWIP_LOCAL_HOSTNAME=gateway\n",
    );
    assert_eq!(value(&c, "ip4_frag"), "false");
    assert_eq!(value(&c, "tcp_mss"), "1440");
    assert_eq!(value(&c, "local_hostname"), "\"gateway\"");
    assert!(!d.iter().any(|d| d.contains("error")), "{d:#?}");
    assert!(
        d.iter().any(|d| d.starts_with("sdkconfig:2:21: warning: `CONFIG_LWIP_TCP_MSS=99999`: tcp_mss = 99999 is out of range 536..=1460; tcp_mss keeps its default 1440")),
        "{d:#?}"
    );
    assert!(
        d.iter().any(|d| d.starts_with(
            "sdkconfig:3:1: warning: `CONFIG_LWIP_LOCAL_HOSTNAME=gateway`: the string is not quoted"
        )),
        "{d:#?}"
    );
    // Old and new names: the later line wins, whichever name it uses.
    let (imp, c, d) = run("CONFIG_LWIP_TCP_MSS=1200\nCONFIG_TCP_MSS=1300\n");
    assert_eq!(value(&c, "tcp_mss"), "1300");
    assert_eq!(imp.assignments.len(), 1);
    assert!(d[0].contains("the later line wins"), "{d:#?}");
}

#[test]
fn hidden_options_that_are_not_set_say_nothing() {
    let (_, _, d) = run(
        "# CONFIG_LWIP_DEBUG is not set\n# CONFIG_LWIP_NETIF_DEBUG is not set\n# CONFIG_LWIP_PPP_PAP_SUPPORT is not set\n",
    );
    assert!(d.is_empty(), "{d:#?}");
    // Set on while hidden: the warning names the line.
    let (_, _, d) = run("CONFIG_LWIP_NETIF_DEBUG=y\n");
    assert!(
        d.iter()
            .any(|d| d
                .contains("`CONFIG_LWIP_NETIF_DEBUG=y` (netif_debug) is set but has no effect")),
        "{d:#?}"
    );
}
