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

fn rule(fields: &str) -> String {
    format!("[[rule]]\nname = \"r\"\norigin = \"O\"\nseverity = \"error\"\n{fields}\n")
}

fn ints() -> String {
    opt("a", "type = \"int\"\nrust_type = \"u8\"\ndefault = 1")
        + &opt("b", "type = \"int\"\nrust_type = \"u8\"\ndefault = 2")
        + &opt("on", "type = \"bool\"")
}

#[test]
fn rules_parse_and_find_their_options() {
    let text = ints()
        + &rule("if = \"on\"\ncheck = \"b + 1 >= 2 * a\"\nmessage = \"b = {b}, 2 * a = {2 * a}\"");
    let s = Schema::parse(&text).unwrap();
    assert!(s.lint().is_empty(), "{:?}", s.lint());
    let r = &s.rules[0];
    // The check's first option, the `if`'s, then the check's others.
    let keys: Vec<&str> = r
        .options
        .iter()
        .map(|&i| s.options[i].key.as_str())
        .collect();
    assert_eq!(keys, ["b", "on", "a"]);
    assert_eq!(r.check.expr.to_string(), "b + 1 >= 2 * a");
}

#[test]
fn bad_rules() {
    let errors = |fields: &str| parse_errors(&(ints() + &rule(fields)));
    assert_eq!(
        errors("check = \"a <= bb\"\nmessage = \"m\""),
        [
            "options.toml: schema error: `rule r`: `a <= bb` refers to unknown symbol `bb` (did you mean `b`?)"
        ]
    );
    assert_eq!(
        errors("if = \"onn\"\ncheck = \"a <= b\"\nmessage = \"m\""),
        [
            "options.toml: schema error: `rule r`: `onn` refers to unknown symbol `onn` (did you mean `on`?)"
        ]
    );
    assert_eq!(
        errors("check = \"a <= b\"\nmessage = \"{a} and {zzz + 1}\""),
        ["options.toml: schema error: `rule r`: `{zzz + 1}` refers to unknown symbol `zzz`"]
    );
    assert_eq!(
        errors("check = \"a <= b * on\"\nmessage = \"m\""),
        [
            "options.toml: schema error: `rule r`: `a <= b * on` computes with `on`, a bool option; arithmetic needs numbers"
        ]
    );
    assert_eq!(
        errors("check = \"a <= b +\"\nmessage = \"m\""),
        [
            "options.toml: schema error: `rule r`: bad expression `a <= b +`: at offset 8: expected a symbol, number or string"
        ]
    );
    assert_eq!(
        errors("check = \"a <= b\"\nmessage = \"{a\""),
        ["options.toml: schema error: `rule r`: message: `{` without `}`"]
    );
    assert_eq!(
        errors("check = \"a <= b\"\nmessage = \"a} \""),
        ["options.toml: schema error: `rule r`: message: `}` without `{` at offset 1"]
    );
    assert_eq!(
        errors("check = \"a <= b\"\nmessage = \"{a *}\""),
        [
            "options.toml: schema error: `rule r`: message: placeholder `{a *}` at offset 3: expected a symbol, number or string"
        ]
    );
    assert_eq!(
        errors("check = \"a <= b\"\nmessage = \" \""),
        ["options.toml: schema error: `rule r`: empty message"]
    );
    assert_eq!(
        errors("check = \"1 <= 2\"\nmessage = \"m\""),
        ["options.toml: schema error: `rule r`: a rule must read at least one option"]
    );
    let twice = ints()
        + &rule("check = \"a <= b\"\nmessage = \"m\"")
        + &rule("check = \"on\"\nmessage = \"m\"");
    assert_eq!(
        parse_errors(&twice),
        ["options.toml: schema error: `rule r`: rule name used twice"]
    );
    let e = errors("check = \"on\"\nmessage = \"m\"\nseverity2 = 1");
    assert!(e[0].contains("unknown field `severity2`"), "{e:?}");
    let e = parse_errors(
        &(ints()
            + "[[rule]]\nname = \"r\"\nseverity = \"fatal\"\ncheck = \"on\"\nmessage = \"m\"\n"),
    );
    assert!(e[0].contains("unknown variant `fatal`"), "{e:?}");
}

#[test]
fn arithmetic_stays_in_rules() {
    let e = parse_errors(&(ints() + &opt("c", "type = \"bool\"\ndepends_on = \"a + 1 > b\"")));
    assert_eq!(
        e,
        [
            "options.toml: schema error: `c`: `a + 1 > b`: arithmetic belongs in a [[rule]]; conditions of options compare plain values"
        ]
    );
}

#[test]
fn lint_rules() {
    let text = ints()
        + "[[rule]]\nname = \"Big_Rule\"\nseverity = \"warning\"\ncheck = \"on\"\nmessage = \"m\"\n";
    assert_eq!(
        lint(&text),
        [
            "options.toml: schema error: `rule Big_Rule`: name must be lower-case letters, digits and `-`",
            "options.toml: schema error: `rule Big_Rule`: missing origin (the check it mirrors)",
        ]
    );
}
