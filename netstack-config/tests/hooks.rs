//! The hook points' declaration (`schema/hooks.toml`): every point has its schema option,
//! the files derived from it are up to date, and a broken declaration is refused.

use netstack_config::embedded::{hooks, schema};
use netstack_config::hooks::HookPoints;
use netstack_config::schema::{OptionType, Status};

#[test]
fn every_point_has_its_choice_option() {
    let hooks = hooks().expect("hooks.toml parses");
    let schema = schema().expect("the schema parses");
    for p in &hooks.points {
        let o = schema
            .option(&p.option_key())
            .unwrap_or_else(|| panic!("no option for {}", p.name));
        assert_eq!(o.ty, OptionType::Choice, "{}", p.name);
        assert!(o.cfg, "{}", p.name);
        assert_eq!(o.lwip, p.lwip, "{}", p.name);
        let status = if p.is_wired() {
            Status::Wired
        } else {
            Status::Planned
        };
        assert_eq!(o.status, Some(status), "{}", p.name);
        assert!(o.member("none").is_some() && o.member("custom").is_some());
    }
    // Every hook option of the schema is a point's (the one bool that tunes a default aside).
    let hook_options = schema
        .options
        .iter()
        .filter(|o| o.key.starts_with("hook_") && o.ty == OptionType::Choice)
        .count();
    assert_eq!(hook_options, hooks.points.len());
    // The ESP-IDF name is kept for the option, the point keeps lwIP's.
    let parse = hooks.find("dhcp_parse_option").expect("the point");
    assert_eq!(parse.option_key(), "hook_dhcp_extra_option");
    assert_eq!(parse.cfg_name(), "netstack_hook_dhcp_extra_option");
    assert_eq!(
        schema
            .option("hook_dhcp_extra_option")
            .and_then(|o| o.kconfig.as_deref()),
        Some("LWIP_HOOK_DHCP_EXTRA_OPTION")
    );
    // The proof of the three-edit path: ip6_input is declared and planned.
    let ip6 = hooks.find("ip6_input").expect("ip6_input is declared");
    assert!(!ip6.is_wired());
    assert!(ip6.planned_message().contains("IPv6 has not landed"));
    assert!(hooks.wired().count() >= 17);
}

#[test]
fn hooks_doc_is_up_to_date() {
    let hooks = hooks().expect("hooks.toml parses");
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let md = std::fs::read_to_string(format!("{root}/docs/hooks.md")).expect("docs/hooks.md");
    let none = std::fs::read_to_string(format!("{root}/netstack/tests/configs/hooks-none.toml"))
        .expect("hooks-none.toml");
    let stale = "is stale: run `cargo run -p netstack-config -- hooks-doc`";
    assert!(
        netstack_config::docs::hooks_md(&md, hooks).as_deref() == Ok(md.as_str()),
        "docs/hooks.md {stale}"
    );
    assert!(none == hooks.hooks_none_toml(), "hooks-none.toml {stale}");
}

const POINT: &str = r#"
options_after = "a"
[types]
InputVerdict = "netstack::hooks"
[[point]]
name = "ip4_input"
lwip = "LWIP_HOOK_IP4_INPUT"
status = "wired"
args = [ { name = "packet", type = "&Ipv4Packet<&[u8]>" } ]
ret = "InputVerdict"
doc = "d"
runs = "r"
answer = "a"
without = "w"
[point.option]
menu = "m"
prompt = "p"
default = "default"
help = "h"
effect = "e"
"#;

fn errors(text: &str) -> Vec<String> {
    match HookPoints::parse(text) {
        Ok(_) => Vec::new(),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn a_broken_declaration_is_refused() {
    assert_eq!(
        errors(POINT),
        [
            "options.toml: schema error: `ip4_input`: hooks.toml: type `Ipv4Packet` is not in [types]"
        ]
    );
    let planned = POINT.replace("status = \"wired\"", "status = \"planned\"");
    assert_eq!(
        errors(&planned.replace("&Ipv4Packet<&[u8]>", "u8")),
        [
            "options.toml: schema error: `ip4_input`: hooks.toml: a planned point names the `layer` it waits for"
        ]
    );
    let twice = format!(
        "{}{}",
        POINT,
        &POINT[POINT.find("[[point]]").unwrap_or(0)..]
    )
    .replace("&Ipv4Packet<&[u8]>", "u8");
    assert_eq!(
        errors(&twice),
        ["options.toml: schema error: `ip4_input`: hooks.toml: point declared twice"]
    );
    let ok = HookPoints::parse(&POINT.replace("&Ipv4Packet<&[u8]>", "u8")).expect("parses");
    assert_eq!(
        ok.points[0].method_signature(),
        "fn ip4_input(&mut self, packet: u8) -> InputVerdict"
    );
    assert_eq!(
        ok.qualified("Option<InputVerdict>", "crate"),
        "Option<crate::hooks::InputVerdict>"
    );
}
