//! The hook points, declared once in `schema/hooks.toml` (format: `schema/README.md`, "Hook
//! points").
//!
//! Everything else about a point is derived from its entry here:
//!
//! - the schema's `hook_<key>` choice option ([`HookPoints::option_tables`], spliced into the
//!   options by [`Schema::parse_with_hooks`](crate::schema::Schema::parse_with_hooks)), hence
//!   `docs/options.md`, the `netstack_hook_<key>` cfg and the sdkconfig names;
//! - netstack's `Hooks` trait methods, `hooks::enabled`, `hooks::custom`, `ANY_CUSTOM` and the
//!   list of custom points ([`HookPoints::netstack_rs`], written by [`crate::build::run`] into
//!   `$OUT_DIR/hook_points.rs`);
//! - the points, signatures and chaining rules `netstack-macros` checks against;
//! - the tables of `docs/hooks.md` and `netstack/tests/configs/hooks-none.toml`
//!   ([`crate::docs::hooks_md`], [`HookPoints::hooks_none_toml`]).
//!
//! Only the default behaviour (`netstack::hooks::defaults::<point>`) and the call site are
//! written by hand.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Deserialize;

use crate::schema::{SchemaError, Status};

/// Whether a point exists in the stack yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HookStatus {
    /// The stack calls it: a `Hooks` method, `enabled`/`custom` constants, macro support.
    Wired,
    /// Reserved: its option exists (for sdkconfig files), nothing else until its layer lands.
    Planned,
}

/// One parameter of a hook point (after `&mut self`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HookArg {
    /// The parameter's name.
    pub name: String,
    /// Its Rust type, with type names as listed in `[types]`.
    #[serde(rename = "type")]
    pub ty: String,
}

/// The `[point.option]` table: what the schema option has beyond what the point gives.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHookOption {
    kconfig: Option<String>,
    member_kconfig: Option<String>,
    members: Option<Vec<String>>,
    menu: String,
    prompt: String,
    default: toml::Value,
    depends_on: Option<String>,
    help: String,
    effect: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHookPoint {
    name: String,
    key: Option<String>,
    lwip: String,
    status: HookStatus,
    layer: Option<String>,
    #[serde(default)]
    args: Vec<HookArg>,
    ret: Option<String>,
    chain: Option<String>,
    #[serde(default)]
    doc: String,
    #[serde(default)]
    runs: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    without: String,
    #[serde(default)]
    note: String,
    option: RawHookOption,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHooks {
    options_after: String,
    types: toml::Table,
    point: Vec<RawHookPoint>,
}

/// One hook point.
#[derive(Debug, Clone, PartialEq)]
pub struct HookPoint {
    /// The point's name: the `Hooks` method and the name in `#[hook(..)]` and `hooks!`.
    pub name: String,
    /// The key of its option, `hook_<key>`, and of its cfg, `netstack_hook_<key>` (ESP-IDF's
    /// name where it differs from the point's: `dhcp_parse_option` → `dhcp_extra_option`).
    pub key: String,
    /// lwIP's macro (`LWIP_HOOK_IP4_INPUT`).
    pub lwip: String,
    /// Wired or planned.
    pub status: HookStatus,
    /// For a planned point: the part of the stack it waits for (`IPv6`).
    pub layer: Option<String>,
    /// Parameters after `&mut self`.
    pub args: Vec<HookArg>,
    /// The return type; `None` for a notification.
    pub ret: Option<String>,
    /// For points whose handlers may be chained: the condition on the answer `r` under which
    /// the next handler runs. `None`: one handler only.
    pub chain: Option<String>,
    /// The trait method's documentation (Markdown, links resolved in `netstack::hooks`).
    pub doc: String,
    /// docs/hooks.md: when it runs.
    pub runs: String,
    /// docs/hooks.md: what its answer means.
    pub answer: String,
    /// docs/hooks.md: what the stack does without a hook.
    pub without: String,
    /// docs/hooks.md: a remark for the table of lwIP's hooks.
    pub note: String,
    option: RawHookOption,
}

impl HookPoint {
    /// Whether the stack calls it (it has a `Hooks` method).
    pub fn is_wired(&self) -> bool {
        self.status == HookStatus::Wired
    }

    /// `hook_<key>`.
    pub fn option_key(&self) -> String {
        format!("hook_{}", self.key)
    }

    /// `netstack_hook_<key>`.
    pub fn cfg_name(&self) -> String {
        format!("netstack_hook_{}", self.key)
    }

    /// The name of its constants in `netstack::hooks::enabled` and `custom`: `IP4_INPUT`.
    pub fn const_name(&self) -> String {
        self.name.to_uppercase()
    }

    /// The default choice, as ESP-IDF's; of a conditional list, the first (the one a
    /// configuration that sets none of the conditions' options gets, for the hook points).
    pub fn default_choice(&self) -> &str {
        match &self.option.default {
            toml::Value::String(s) => s,
            toml::Value::Array(list) => list
                .first()
                .and_then(|d| d.get("value"))
                .and_then(toml::Value::as_str)
                .unwrap_or(""),
            _ => "",
        }
    }

    /// Whether the option's key is ESP-IDF's (it has a Kconfig symbol).
    pub fn is_esp_idf_option(&self) -> bool {
        self.option.kconfig.is_some()
    }

    /// Whether the point answers nothing: every handler of a list runs.
    pub fn is_notification(&self) -> bool {
        self.ret.is_none()
    }

    /// ` -> Ret`, or nothing for a notification, with `map` applied to the type.
    fn arrow_with(&self, map: &dyn Fn(&str) -> String) -> String {
        self.ret
            .as_deref()
            .map(|r| format!(" -> {}", map(r)))
            .unwrap_or_default()
    }

    /// The signature a hook function must have: `fn(packet: &Ipv4Packet<&[u8]>, ...) -> ...`.
    pub fn fn_signature(&self) -> String {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| format!("{}: {}", a.name, a.ty))
            .collect();
        format!("fn({}){}", args.join(", "), self.arrow_with(&|t| t.into()))
    }

    /// The trait method's signature: `fn ip4_input(&mut self, packet: ...) -> InputVerdict`.
    pub fn method_signature(&self) -> String {
        self.method_signature_with(&|t| t.into())
    }

    fn method_signature_with(&self, map: &dyn Fn(&str) -> String) -> String {
        let mut parts = vec!["&mut self".to_owned()];
        parts.extend(
            self.args
                .iter()
                .map(|a| format!("{}: {}", a.name, map(&a.ty))),
        );
        format!(
            "fn {}({}){}",
            self.name,
            parts.join(", "),
            self.arrow_with(map)
        )
    }

    /// The function-pointer type of a hook function: `fn(&Ipv4Packet<&[u8]>, ...) -> ...`.
    pub fn fn_pointer_type(&self) -> String {
        let args: Vec<&str> = self.args.iter().map(|a| a.ty.as_str()).collect();
        format!("fn({}){}", args.join(", "), self.arrow_with(&|t| t.into()))
    }

    /// The error for composing a planned point.
    pub fn planned_message(&self) -> String {
        format!(
            "`{}` is planned: {} has not landed, so the stack has no such hook point yet \
             (docs/hooks.md, \"Every lwIP hook point and where it stands\")",
            self.name,
            self.layer.as_deref().unwrap_or("its layer")
        )
    }
}

/// Every hook point and the type paths their signatures use.
#[derive(Debug, Clone, PartialEq)]
pub struct HookPoints {
    /// Every point, wired and planned, in declaration order (the trait's order).
    pub points: Vec<HookPoint>,
    /// `(type name, module path)`: `("Ipv4Packet", "netstack::wire")`.
    pub types: Vec<(String, String)>,
    /// The schema option after which the hook options go.
    pub options_after: String,
}

fn error(subject: &str, message: impl Into<String>) -> SchemaError {
    SchemaError {
        position: None,
        subject: Some(subject.to_owned()),
        message: format!("hooks.toml: {}", message.into()),
    }
}

/// The words of a type: `&Option<Ipv4Addr>` → `Option`, `Ipv4Addr`.
fn type_names(ty: &str) -> impl Iterator<Item = &str> {
    ty.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase()))
}

impl HookPoints {
    /// Parses and checks the declaration.
    pub fn parse(text: &str) -> Result<HookPoints, Vec<SchemaError>> {
        let raw: RawHooks =
            toml::from_str(text).map_err(|e| vec![error("hooks.toml", e.message().trim())])?;
        let mut errors = Vec::new();
        let types: Vec<(String, String)> = raw
            .types
            .into_iter()
            .filter_map(|(name, path)| match path {
                toml::Value::String(p) => Some((name, p)),
                _ => {
                    errors.push(error(&name, "a type's path must be a string"));
                    None
                }
            })
            .collect();
        let mut seen = BTreeSet::new();
        let mut points = Vec::new();
        for p in raw.point {
            let name = p.name.clone();
            if !seen.insert(name.clone()) {
                errors.push(error(&name, "point declared twice"));
            }
            let ident = |s: &str| {
                s.starts_with(|c: char| c.is_ascii_lowercase())
                    && s.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            };
            if !ident(&name) || !p.key.as_deref().is_none_or(ident) {
                errors.push(error(&name, "names and keys are lower-case identifiers"));
            }
            match p.status {
                HookStatus::Wired => {
                    for (what, text) in [
                        ("doc", &p.doc),
                        ("runs", &p.runs),
                        ("answer", &p.answer),
                        ("without", &p.without),
                    ] {
                        if text.trim().is_empty() {
                            errors.push(error(&name, format!("a wired point needs `{what}`")));
                        }
                    }
                    if p.layer.is_some() {
                        errors.push(error(&name, "`layer` is for planned points"));
                    }
                }
                HookStatus::Planned if p.layer.is_none() => errors.push(error(
                    &name,
                    "a planned point names the `layer` it waits for",
                )),
                HookStatus::Planned => {}
            }
            let used = p
                .args
                .iter()
                .map(|a| a.ty.as_str())
                .chain(p.ret.as_deref())
                .flat_map(type_names);
            for t in used {
                if !types.iter().any(|(n, _)| n == t) {
                    errors.push(error(&name, format!("type `{t}` is not in [types]")));
                }
            }
            let members = p.option.members.as_deref().unwrap_or(&[]);
            if members
                .iter()
                .any(|m| !["none", "default", "custom"].contains(&m.as_str()))
            {
                errors.push(error(&name, "members are none, default and custom"));
            }
            points.push(HookPoint {
                key: p.key.unwrap_or_else(|| p.name.clone()),
                name: p.name,
                lwip: p.lwip,
                status: p.status,
                layer: p.layer,
                args: p.args,
                ret: p.ret,
                chain: p.chain,
                doc: p.doc,
                runs: p.runs,
                answer: p.answer,
                without: p.without,
                note: p.note,
                option: p.option,
            });
        }
        if errors.is_empty() {
            Ok(HookPoints {
                points,
                types,
                options_after: raw.options_after,
            })
        } else {
            Err(errors)
        }
    }

    /// The point called `name` (wired or planned).
    pub fn find(&self, name: &str) -> Option<&HookPoint> {
        self.points.iter().find(|p| p.name == name)
    }

    /// The wired points, in order.
    pub fn wired(&self) -> impl Iterator<Item = &HookPoint> {
        self.points.iter().filter(|p| p.is_wired())
    }

    /// `ty` with every type name written as its full path, `netstack` replaced by `krate`
    /// (`crate` inside netstack, `::netstack` elsewhere): for code that cannot bring the names
    /// into scope.
    pub fn qualified(&self, ty: &str, krate: &str) -> String {
        let mut out = String::new();
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            match self.types.iter().find(|(n, _)| n == word) {
                Some((name, module)) => {
                    let module = match module.strip_prefix("netstack") {
                        Some(rest) => format!("{krate}{rest}"),
                        None => format!("::{module}"),
                    };
                    let _ = write!(out, "{module}::{name}");
                }
                None => out.push_str(word),
            }
            word.clear();
        };
        for c in ty.chars() {
            if c.is_alphanumeric() || c == '_' {
                word.push(c);
            } else {
                flush(&mut word, &mut out);
                out.push(c);
            }
        }
        flush(&mut word, &mut out);
        out
    }

    /// The schema options, one `hook_<key>` choice per point, as `[[option]]` tables.
    pub fn option_tables(&self) -> Vec<toml::Table> {
        self.points.iter().map(|p| self.option_table(p)).collect()
    }

    fn option_table(&self, p: &HookPoint) -> toml::Table {
        let o = &p.option;
        let mut t = toml::Table::new();
        let s = |v: &str| toml::Value::String(v.to_owned());
        t.insert("key".into(), s(&p.option_key()));
        if let Some(k) = &o.kconfig {
            t.insert("kconfig".into(), s(k));
        }
        t.insert("menu".into(), s(&o.menu));
        t.insert("prompt".into(), s(&o.prompt));
        t.insert("type".into(), s("choice"));
        t.insert("default".into(), o.default.clone());
        if let Some(d) = &o.depends_on {
            t.insert("depends_on".into(), s(d));
        }
        let all = ["none", "default", "custom"].map(String::from);
        let members = o.members.as_deref().unwrap_or(&all);
        let choices = members
            .iter()
            .map(|m| {
                let mut c = toml::Table::new();
                c.insert("name".into(), s(m));
                if let Some(k) = o.member_kconfig.as_ref().or(o.kconfig.as_ref()) {
                    c.insert("kconfig".into(), s(&format!("{k}_{}", m.to_uppercase())));
                }
                let name = &p.name;
                let (prompt, help) = match m.as_str() {
                    "none" => (
                        "No hook".to_owned(),
                        "No call at all: the hook point compiles to nothing and the stack \
                         behaves as with the built-in default."
                            .to_owned(),
                    ),
                    "default" => (
                        if o.kconfig.is_some() {
                            "Built-in implementation"
                        } else {
                            "Overridable default"
                        }
                        .to_owned(),
                        format!(
                            "Hooks::{name} is called; its default body is the stack's own \
                             behaviour and a product may override it."
                        ),
                    ),
                    _ => (
                        "Product implementation".to_owned(),
                        format!(
                            "Hooks::{name} has no default body: a Hooks implementation that \
                             lacks it does not compile."
                        ),
                    ),
                };
                c.insert("prompt".into(), s(&prompt));
                c.insert("help".into(), s(&help));
                toml::Value::Table(c)
            })
            .collect();
        t.insert("choices".into(), toml::Value::Array(choices));
        t.insert("help".into(), s(&o.help));
        t.insert("lwip".into(), s(&p.lwip));
        t.insert("cfg".into(), toml::Value::Boolean(true));
        let status = match p.status {
            HookStatus::Wired => Status::Wired,
            HookStatus::Planned => Status::Planned,
        };
        t.insert("status".into(), s(status.name()));
        t.insert("effect".into(), s(&o.effect));
        t
    }

    /// `netstack/tests/configs/hooks-none.toml`: every wired point `none`.
    pub fn hooks_none_toml(&self) -> String {
        let mut s = String::from(
            "# Test configuration: every hook point compiled out (`none`). scripts/test.sh runs the\n\
             # netstack suite under it (the stack must behave as with the defaults), and\n\
             # netstack/examples/hook_cost.rs is measured with it (docs/hooks.md, \"Free when unused\").\n\
             # Generated from netstack-config/schema/hooks.toml by `netstack-config hooks-doc`.\n",
        );
        for p in self.wired() {
            let _ = writeln!(s, "{} = \"none\"", p.option_key());
        }
        s
    }

    /// `$OUT_DIR/hook_points.rs` of netstack: macros that `netstack::hooks` expands into the
    /// `Hooks` methods, the `enabled` and `custom` constants and the list of custom points.
    pub fn netstack_rs(&self) -> String {
        let q = |t: &str| self.qualified(t, "crate");
        let mut s = String::from(
            "// Generated by netstack-config from netstack-config/schema/hooks.toml; do not edit.\n\n",
        );
        s.push_str("/// The methods of `Hooks`, one per wired hook point.\nmacro_rules! hook_methods {\n    () => {\n");
        for p in self.wired() {
            let doc: Vec<String> = p
                .doc
                .lines()
                .map(|l| format!("        #[doc = {:?}]\n", format!(" {l}")))
                .collect();
            let doc = doc.concat();
            let sig = p.method_signature_with(&q);
            let call: Vec<&str> = p.args.iter().map(|a| a.name.as_str()).collect();
            let cfg = p.cfg_name();
            let _ = write!(
                s,
                "{doc}        #[cfg(not({cfg} = \"custom\"))]\n        #[inline]\n        {sig} {{\n            crate::hooks::defaults::{}({})\n        }}\n\n",
                p.name,
                call.join(", ")
            );
            let _ = write!(
                s,
                "{doc}        #[doc = \"\"]\n        #[doc = \" This build selects `custom` for this point: every implementation must provide it.\"]\n        #[cfg({cfg} = \"custom\")]\n        {sig};\n\n"
            );
        }
        s.push_str("    };\n}\n\n");
        for (mac, what, pred) in [
            ("hook_enabled_consts", "is not `none`", "not({} = \"none\")"),
            ("hook_custom_consts", "is `custom`", "{} = \"custom\""),
        ] {
            let _ = write!(
                s,
                "/// One constant per wired hook point: whether its option {what}.\nmacro_rules! {mac} {{\n    () => {{\n"
            );
            for p in self.wired() {
                let point = if p.key == p.name {
                    String::new()
                } else {
                    format!(" (the point `{}`)", p.name)
                };
                let _ = write!(
                    s,
                    "        #[doc = \" `{}`{point} {what}.\"]\n        pub const {}: bool = cfg!({});\n",
                    p.option_key(),
                    p.const_name(),
                    pred.replace("{}", &p.cfg_name())
                );
            }
            s.push_str("    };\n}\n\n");
        }
        let custom: Vec<String> = self
            .wired()
            .map(|p| format!("{} = \"custom\"", p.cfg_name()))
            .collect();
        let any = custom.join(", ");
        let _ = write!(
            s,
            "/// Whether some wired hook point is `custom`.\nmacro_rules! hook_any_custom {{\n    () => {{\n        cfg!(any({any}))\n    }};\n}}\n\n"
        );
        let _ = write!(
            s,
            "/// Emits items only when no hook point is `custom` (where `NoHooks` can implement `Hooks`).\nmacro_rules! without_custom_hooks {{\n    ($($item:item)*) => {{\n        $(\n            #[cfg(not(any({any})))]\n            $item\n        )*\n    }};\n}}\n"
        );
        s
    }
}
