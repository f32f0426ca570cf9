//! Every validator error class, with the exact `FILE:LINE:COL` and message (mini schema).

mod common;

use common::{diags, run};
use netstack_config::resolve::Provenance;
use netstack_config::value::Value;

#[test]
fn clean_file_has_no_diagnostics() {
    assert!(diags("tcp_mss = 1000\n").is_empty());
}

#[test]
fn unknown_key_did_you_mean() {
    assert_eq!(
        diags("tcp_mms = 1000\n"),
        ["netstack.toml:1:1: error: unknown option `tcp_mms`; did you mean `tcp_mss`?"]
    );
}

#[test]
fn kconfig_spelled_keys_get_the_right_key() {
    let d = diags("\nCONFIG_LWIP_TCP_MSS = 1000\nTCP_MSS = 1\n");
    assert_eq!(
        d[0],
        "netstack.toml:2:1: error: unknown option `CONFIG_LWIP_TCP_MSS`; write it as `tcp_mss` (keys are the ESP-IDF name without CONFIG_LWIP_, lower-case)"
    );
    assert!(
        d[1].starts_with(
            "netstack.toml:3:1: error: unknown option `TCP_MSS`; write it as `tcp_mss`"
        )
    );
    let d = diags("tcp_oversize_mss = true\n");
    assert_eq!(
        d,
        [
            "netstack.toml:1:1: error: `tcp_oversize_mss` is a member of choice `tcp_oversize`; write `tcp_oversize = \"mss\"`"
        ]
    );
}

#[test]
fn wrong_types() {
    assert_eq!(
        diags("tcp_mss = \"1440\"\n"),
        ["netstack.toml:1:11: error: tcp_mss = \"1440\": expected an integer in 536..=1460"]
    );
    assert_eq!(
        diags("ipv6 = 1\n"),
        ["netstack.toml:1:8: error: ipv6 = 1: expected a bool (true or false)"]
    );
    assert_eq!(
        diags("ipv6 = \"n\"\n"),
        ["netstack.toml:1:8: error: ipv6 = \"n\": expected a bool: write `ipv6 = false`"]
    );
    assert_eq!(
        diags("local_hostname = 5\n"),
        ["netstack.toml:1:18: error: local_hostname = 5: expected a quoted string"]
    );
    assert_eq!(
        diags("task_mask = true\n"),
        [
            "netstack.toml:1:13: error: task_mask = true: expected a hex integer such as 0x1f in 0..=255"
        ]
    );
}

#[test]
fn out_of_range() {
    assert_eq!(
        diags("tcp_mss = 70000\n"),
        ["netstack.toml:1:11: error: tcp_mss = 70000 is out of range 536..=1460"]
    );
    assert_eq!(
        diags("tcp_wnd_default = 100000\n"),
        [
            "netstack.toml:1:19: error: tcp_wnd_default = 100000 is out of range 2440..=65535 (the range while `!wnd_scale`; 2440..=1024000 while `wnd_scale`)"
        ]
    );
    // The conditional range follows the condition.
    assert!(diags("wnd_scale = true\ntcp_rcv_scale = 2\ntcp_wnd_default = 100000\ntcp_snd_buf_default = 100000\n").is_empty());
    assert_eq!(
        diags("task_mask = 0x100\n"),
        ["netstack.toml:1:13: error: task_mask = 0x100 is out of range 0..=255"]
    );
}

#[test]
fn bad_choice_lists_valid_members() {
    assert_eq!(
        diags("tcp_oversize = \"quarter\"\n"),
        [
            "netstack.toml:1:16: error: tcp_oversize = \"quarter\": not a choice of `tcp_oversize`; valid: \"mss\", \"quarter_mss\", \"disable\"; did you mean \"quarter_mss\"?"
        ]
    );
    assert_eq!(
        diags("ipv4 = false\ntcp_oversize = \"disable\"\n"),
        [
            "netstack.toml:2:16: error: tcp_oversize = \"disable\" is not available: it depends on `ipv4`, which is false"
        ]
    );
}

#[test]
fn dependency_off_is_a_warning_naming_it() {
    let (out, d) = run("tcp_rcv_scale = 3\n");
    assert_eq!(
        d,
        [
            "netstack.toml:1:1: warning: tcp_rcv_scale is set but has no effect: it depends on `wnd_scale` (wnd_scale = false), which is false"
        ]
    );
    assert!(!out.has_errors());
    assert_eq!(
        out.config.get("tcp_rcv_scale").unwrap().value,
        Value::Int(0)
    );
}

#[test]
fn toml_syntax_and_tables() {
    assert_eq!(
        diags("tcp_mss = \n"),
        [
            "netstack.toml:1:11: error: invalid TOML: string values must be quoted, expected literal string"
        ]
    );
    assert_eq!(
        diags("[tcp]\nmss = 1\n"),
        [
            "netstack.toml:1:2: error: `tcp` is a table; netstack.toml has flat `key = value` lines only (no [sections] or dotted keys)"
        ]
    );
}

#[test]
fn cross_option_rule_reports_both_locations() {
    let d = diags("tcp_mss = 1460\ntcp_snd_buf_default = 2500\n");
    assert_eq!(
        d,
        [
            "netstack.toml:2:23: error: tcp_snd_buf_default = 2500 must be at least 2 * tcp_mss = 2920 [rule snd-buf-vs-mss; lwIP init.c: TCP_SND_BUF >= 2 * TCP_MSS]",
            "netstack.toml:1:11: note: tcp_mss = 1460 is set here",
        ]
    );
    let d = diags("ipv4 = false\nipv6 = false\n");
    assert_eq!(
        d[0],
        "netstack.toml:1:8: error: ipv4 and ipv6 are both off; turn at least one on [rule ip-version; netstack: a stack needs an IP version]"
    );
    assert_eq!(d[1], "netstack.toml:2:8: note: ipv6 = false is set here");
}

#[test]
fn rule_with_a_default_partner_notes_the_default() {
    let d = diags("tcp_wnd_default = 2440\ntcp_mss = 1460\ntcp_snd_buf_default = 2920\n");
    assert!(d.is_empty(), "{d:?}");
    let d = diags("tcp_snd_buf_default = 2500\n");
    assert_eq!(d[1], "note: tcp_mss = 1440 (default)");
}

#[test]
fn select_forces_and_conflicts() {
    let (out, d) = run("ppp_support = true\n");
    assert!(d.is_empty(), "{d:?}");
    let r = out.config.get("l2_to_l3_copy").unwrap();
    assert_eq!(r.value, Value::Bool(true));
    assert_eq!(r.provenance, Provenance::Selected("ppp_support".into()));
    let d = diags("ppp_support = true\nl2_to_l3_copy = false\n");
    assert_eq!(
        d,
        [
            "netstack.toml:2:17: error: l2_to_l3_copy = false conflicts with `ppp_support`, which selects it (is on)",
            "netstack.toml:1:1: note: ppp_support is on here",
        ]
    );
}

#[test]
fn imply_changes_only_the_default() {
    let (out, _) = run("ppp_support = true\n");
    let r = out.config.get("ppp_enable_ipv6").unwrap();
    assert_eq!(
        (r.value.clone(), r.provenance.clone()),
        (Value::Bool(true), Provenance::Implied("ppp_support".into()))
    );
    let (out, d) = run("ppp_support = true\nppp_enable_ipv6 = false\n");
    assert!(d.is_empty());
    assert_eq!(
        out.config.get("ppp_enable_ipv6").unwrap().value,
        Value::Bool(false)
    );
}

#[test]
fn conditional_default() {
    let (out, _) = run("");
    assert_eq!(
        out.config.get("tcp_wnd_default").unwrap().value,
        Value::Int(5760)
    );
    let (out, _) = run("wnd_scale = true\n");
    assert_eq!(
        out.config.get("tcp_wnd_default").unwrap().value,
        Value::Int(5744)
    );
}

#[test]
fn extends_chain_and_provenance() {
    let (out, d) = run("extends = \"bigger\"\ntcp_mss = 1000\n");
    assert!(d.is_empty(), "{d:?}");
    let c = &out.config;
    assert_eq!(
        c.get("tcp_snd_buf_default").unwrap().value,
        Value::Int(20000)
    );
    assert_eq!(c.get("tcp_wnd_default").unwrap().value, Value::Int(30000));
    assert_eq!(
        c.get("tcp_snd_buf_default").unwrap().provenance.describe(),
        "preset big (configs/big.toml:1:1)"
    );
    assert_eq!(
        c.get("tcp_mss").unwrap().provenance.describe(),
        "file (netstack.toml:2:1)"
    );
    assert_eq!(c.get("ipv4").unwrap().provenance.describe(), "default");
    // The file overrides its preset.
    let (out, _) = run("extends = \"big\"\ntcp_snd_buf_default = 3000\n");
    assert_eq!(
        out.config.get("tcp_snd_buf_default").unwrap().value,
        Value::Int(3000)
    );
}

#[test]
fn extends_cycle_and_unknown_preset() {
    assert_eq!(
        diags("extends = \"loop-a\"\n"),
        [
            "configs/loop-b.toml:1:11: error: `extends` makes a cycle: netstack.toml -> preset `loop-a` -> preset `loop-b` -> preset `loop-a`"
        ]
    );
    assert_eq!(
        diags("extends = \"bog\"\n"),
        [
            "netstack.toml:1:11: error: unknown preset `bog`; did you mean `big`? presets: big, bigger, default, loop-a, loop-b"
        ]
    );
    assert_eq!(
        diags("extends = 3\n"),
        ["netstack.toml:1:11: error: `extends` must be a string"]
    );
}

#[test]
fn extends_a_file_by_path() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.toml"), "tcp_mss = 1000\n").unwrap();
    let top = dir.path().join("top.toml");
    std::fs::write(&top, "extends = \"./base.toml\"\nipv6 = false\n").unwrap();
    let loaded = netstack_config::load::load_path(common::mini(), &common::mini_presets(), &top);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert_eq!(loaded.files.len(), 2);
    let out = netstack_config::resolve::resolve(common::mini(), &loaded.assignments);
    assert_eq!(out.config.get("tcp_mss").unwrap().value, Value::Int(1000));
}

#[test]
fn invalid_configs_produce_no_code() {
    let (out, _) = run("tcp_mss = 70000\n");
    assert!(out.into_valid().is_err());
    let (out, _) = run("tcp_mss = 1000\n");
    let (valid, warnings) = out.into_valid().unwrap();
    assert!(warnings.is_empty());
    let g = netstack_config::codegen::generate(&valid, "netstack.toml");
    assert!(g.rust.contains("pub const TCP_MSS: u16 = 1000;"));
}
