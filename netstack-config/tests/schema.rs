//! Schema self-checks: the real schema passes every check; broken schemas are caught.

use netstack_config::schema::Schema;

const OPTION_TAIL: &str =
    "menu = \"M\"\nprompt = \"P\"\nhelp = \"H\"\nstatus = \"wired\"\neffect = \"E\"\n";

fn opt(key: &str, extra: &str) -> String {
    format!("[[option]]\nkey = \"{key}\"\n{extra}\n{OPTION_TAIL}\n")
}

fn parse_errors(text: &str) -> Vec<String> {
    match Schema::parse(text) {
        Ok(_) => Vec::new(),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

fn lint(text: &str) -> Vec<String> {
    Schema::parse(text)
        .expect("parses")
        .lint()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn real_schema_is_clean() {
    let schema = netstack_config::embedded::schema().expect("the real schema parses");
    let problems = schema.lint();
    assert!(
        problems.is_empty(),
        "{}",
        problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(schema.options.len() > 150);
    assert_eq!(schema.order().len(), schema.options.len());
}

#[test]
fn real_schema_covers_every_esp_idf_symbol() {
    let schema = netstack_config::embedded::schema().unwrap();
    // Every symbol ESP-IDF v5.5's Kconfig still has (last release "-"); older ones are the
    // importer's business (tests/dialects.rs).
    let list = include_str!("../schema/esp-idf-lwip-symbols.txt");
    let current: Vec<&str> = list
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| match l.split_whitespace().collect::<Vec<_>>()[..] {
            [symbol, _, "-", ..] => Some(symbol),
            _ => None,
        })
        .collect();
    assert!(current.len() > 150, "{}", current.len());
    let missing: Vec<&&str> = current
        .iter()
        .filter(|s| schema.sdk_symbol(s).is_none())
        .collect();
    assert!(missing.is_empty(), "not in the schema: {missing:?}");
}

#[test]
fn mini_schema_is_clean() {
    let s = Schema::parse(include_str!("data/mini-schema.toml")).unwrap();
    assert!(s.lint().is_empty(), "{:?}", s.lint());
}

#[test]
fn unknown_symbol() {
    let e = parse_errors(
        &(opt("a", "type = \"bool\"\ndepends_on = \"b && ipv9\"") + &opt("b", "type = \"bool\"")),
    );
    assert_eq!(
        e,
        ["options.toml: schema error: `a`: `b && ipv9` refers to unknown symbol `ipv9`"]
    );
    let e = parse_errors(&opt("a", "type = \"bool\"\nselect = [\"nope\"]"));
    assert_eq!(
        e,
        ["options.toml: schema error: `a`: select/imply names unknown option `nope`"]
    );
}

#[test]
fn bad_choice_member_in_comparison() {
    let c = opt(
        "c",
        "type = \"choice\"\nchoices = [{ name = \"x\", prompt = \"X\" }]",
    );
    let e = parse_errors(&(c + &opt("a", "type = \"bool\"\ndepends_on = \"c = y2\"")));
    assert_eq!(
        e,
        ["options.toml: schema error: `a`: `c = y2`: `y2` is no member of choice `c`"]
    );
}

#[test]
fn cycles() {
    let e = parse_errors(
        &(opt("a", "type = \"bool\"\ndepends_on = \"b\"")
            + &opt("b", "type = \"bool\"\ndepends_on = \"a\"")),
    );
    assert_eq!(
        e,
        [
            "options.toml: schema error: dependency cycle among a, b (through depends_on, if, select or imply)"
        ]
    );
    let e = parse_errors(
        &(opt("a", "type = \"bool\"\nselect = [\"b\"]")
            + &opt(
                "b",
                "type = \"bool\"\ndefault = [{ value = true, if = \"a\" }, { value = false }]",
            )),
    );
    assert!(
        e.is_empty(),
        "select then default-if on the selector is no cycle: {e:?}"
    );
    let e = parse_errors(
        &(opt("a", "type = \"bool\"\nselect = [\"b\"]")
            + &opt("b", "type = \"bool\"\nselect = [\"a\"]")),
    );
    assert_eq!(e.len(), 1);
    let e = parse_errors(&opt("a", "type = \"bool\"\ndepends_on = \"a\""));
    assert_eq!(
        e,
        ["options.toml: schema error: `a`: `a` refers to the option itself"]
    );
}

#[test]
fn duplicates() {
    let e = parse_errors(&(opt("a", "type = \"bool\"") + &opt("a", "type = \"bool\"")));
    assert!(
        e.iter().any(|e| e.contains("`a`: symbol defined twice")),
        "{e:?}"
    );
    let e = parse_errors(
        &(opt("a", "type = \"bool\"\nkconfig = \"LWIP_X\"")
            + &opt("b", "type = \"bool\"\nrenamed_from = [\"LWIP_X\"]")),
    );
    assert_eq!(
        e,
        [
            "options.toml: schema error: `LWIP_X`: sdkconfig name used twice (kconfig or renamed_from)"
        ]
    );
}

#[test]
fn malformed_options() {
    assert_eq!(
        parse_errors(&opt("a", "type = \"int\"\nrust_type = \"u8\"")),
        ["options.toml: schema error: `a`: int/hex option needs a default"]
    );
    assert_eq!(
        parse_errors(&opt("a", "type = \"choice\"")),
        ["options.toml: schema error: `a`: choice option without choices"]
    );
    assert_eq!(
        parse_errors(&opt("a", "type = \"bool\"\ndefault = 3")),
        ["options.toml: schema error: `a`: default 3 is not a bool"]
    );
    assert_eq!(
        parse_errors(
            &(opt(
                "a",
                "type = \"bool\"\ndefault = [{ value = true, if = \"a2\" }]"
            ) + &opt("a2", "type = \"bool\""))
        ),
        ["options.toml: schema error: `a`: the last conditional default must have no `if`"]
    );
    assert_eq!(
        parse_errors(&opt(
            "a",
            "type = \"choice\"\ndefault = \"z\"\nchoices = [{ name = \"x\", prompt = \"X\" }]"
        )),
        ["options.toml: schema error: `a`: default `z` is not a member (x)"]
    );
    assert_eq!(
        parse_errors(&opt("a", "type = \"bool\"\ndepends_on = \"(b\"")),
        ["options.toml: schema error: `a`: bad expression `(b`: at offset 2: expected `)`"]
    );
    let e = parse_errors("[[option]]\nkey = \"a\"\ntype = \"bool\"\ntypo = 1\n");
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with("options.toml:4:1: schema error: unknown field `typo`"),
        "{e:?}"
    );
}

#[test]
fn lint_completeness() {
    let text = "[[option]]\nkey = \"a\"\ntype = \"bool\"\nmenu = \"M\"\n";
    assert_eq!(
        lint(text),
        [
            "options.toml: schema error: `a`: missing prompt",
            "options.toml: schema error: `a`: missing help",
            "options.toml: schema error: `a`: missing status (wired | planned | no-effect)",
        ]
    );
    let text = "[[option]]\nkey = \"a\"\ntype = \"bool\"\nmenu = \"M\"\nprompt = \"P\"\nhelp = \"H\"\nstatus = \"no-effect\"\n";
    assert_eq!(
        lint(text),
        ["options.toml: schema error: `a`: status no-effect needs the reason in `effect`"]
    );
    let text = "[[option]]\nkey = \"a\"\ntype = \"bool\"\nmenu = \"M\"\nprompt = \"P\"\nhelp = \"H\"\nstatus = \"wired\"\n";
    assert_eq!(
        lint(text),
        ["options.toml: schema error: `a`: missing effect"]
    );
}

#[test]
fn lint_numbers_and_names() {
    assert_eq!(
        lint(&opt(
            "a",
            "type = \"int\"\nrust_type = \"u8\"\ndefault = 5\nrange = [10, 20]"
        )),
        ["options.toml: schema error: `a`: default 5 is outside range 10..=20"]
    );
    assert_eq!(
        lint(&opt(
            "a",
            "type = \"int\"\nrust_type = \"u8\"\ndefault = 5\nrange = [0, 300]"
        )),
        ["options.toml: schema error: `a`: range 0..=300 does not fit u8"]
    );
    assert_eq!(
        lint(&opt("a", "type = \"int\"\ndefault = 5")),
        ["options.toml: schema error: `a`: int/hex option needs a rust_type"]
    );
    assert_eq!(
        lint(&opt("tcp_x", "type = \"bool\"\nkconfig = \"LWIP_TCP_Y\"")),
        ["options.toml: schema error: `tcp_x`: key should be `tcp_y` (from kconfig `LWIP_TCP_Y`)"]
    );
    assert_eq!(
        lint(&opt(
            "a",
            "type = \"int\"\nrust_type = \"u8\"\ndefault = 1\ncfg = true"
        )),
        ["options.toml: schema error: `a`: cfg = true needs a bool or choice option"]
    );
    let ext = "[[external]]\nname = \"X\"\nkind = \"dropped\"\nvalue = true\n";
    assert_eq!(
        lint(ext),
        ["options.toml: schema error: `X`: external symbol without a reason"]
    );
}
