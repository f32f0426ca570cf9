//! The option schema: every option netstack accepts, loaded from `schema/options.toml`.
//!
//! [`Schema::parse`] reads the text (format: `schema/README.md`), compiles its expressions,
//! builds the symbol tables and the evaluation order, and refuses a schema the resolver could
//! not work with. [`Schema::lint`] adds the checks of completeness and consistency that the
//! crate's tests hold the real schema to.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};
use std::fmt;

use serde::Deserialize;

use crate::diagnostics::SourceMap;
use crate::expr::{Expr, Operand, Term};
use crate::value::Value;

mod rule;

pub use rule::{Message, Rule};

/// A problem in the schema itself (a bug in `options.toml`, not in a user's config).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// `line:col` in the schema text, when known.
    pub position: Option<(usize, usize)>,
    /// The option or external concerned, when known.
    pub subject: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl SchemaError {
    fn about(subject: &str, message: impl Into<String>) -> Self {
        Self {
            position: None,
            subject: Some(subject.to_owned()),
            message: message.into(),
        }
    }
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("options.toml:")?;
        if let Some((line, col)) = self.position {
            write!(f, "{line}:{col}:")?;
        }
        f.write_str(" schema error: ")?;
        if let Some(s) = &self.subject {
            write!(f, "`{s}`: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for SchemaError {}

/// The type of an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptionType {
    /// On or off.
    Bool,
    /// A decimal integer.
    Int,
    /// An integer written in hex.
    Hex,
    /// Text.
    String,
    /// One member of a fixed list.
    Choice,
}

impl OptionType {
    /// The name used in the schema.
    pub fn name(self) -> &'static str {
        match self {
            OptionType::Bool => "bool",
            OptionType::Int => "int",
            OptionType::Hex => "hex",
            OptionType::String => "string",
            OptionType::Choice => "choice",
        }
    }
}

/// The Rust type of an int/hex option's generated constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RustType {
    /// `u8`
    U8,
    /// `u16`
    U16,
    /// `u32`
    U32,
    /// `u64`
    U64,
    /// `usize`
    Usize,
    /// `i32`
    I32,
}

impl RustType {
    /// The type as written in Rust.
    pub fn name(self) -> &'static str {
        match self {
            RustType::U8 => "u8",
            RustType::U16 => "u16",
            RustType::U32 => "u32",
            RustType::U64 => "u64",
            RustType::Usize => "usize",
            RustType::I32 => "i32",
        }
    }

    /// Inclusive bounds of the type (usize as on a 32-bit target, the smallest netstack runs on).
    pub fn bounds(self) -> (i64, i64) {
        match self {
            RustType::U8 => (0, u8::MAX.into()),
            RustType::U16 => (0, u16::MAX.into()),
            RustType::U32 | RustType::Usize => (0, u32::MAX.into()),
            RustType::U64 => (0, i64::MAX),
            RustType::I32 => (i32::MIN.into(), i32::MAX.into()),
        }
    }
}

/// Whether and how an option acts in netstack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Its constant or cfg is used by the stack.
    Wired,
    /// It will be used once the part of the stack it belongs to lands.
    Planned,
    /// Accepted for compatibility and ignored, with a reason.
    NoEffect,
}

impl Status {
    /// The name used in the schema.
    pub fn name(self) -> &'static str {
        match self {
            Status::Wired => "wired",
            Status::Planned => "planned",
            Status::NoEffect => "no-effect",
        }
    }
}

/// What an external symbol is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExternalKind {
    /// A fact about the platform, with the value it has on a host.
    Platform,
    /// An ESP32-only concern that evaluates to a fixed value so the dependency no longer binds.
    Dropped,
}

/// A condition: its source text and the parsed expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cond {
    /// As written in the schema.
    pub text: String,
    /// Parsed.
    pub expr: Expr,
}

/// A value that applies when its condition holds (or always, without one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conditional<T> {
    /// The value.
    pub value: T,
    /// `if = "..."`.
    pub cond: Option<Cond>,
}

/// A symbol ESP-IDF's options refer to that is not an lwIP option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct External {
    /// As written in Kconfig `depends on`.
    pub name: String,
    /// Platform fact or dropped concern.
    pub kind: ExternalKind,
    /// What the symbol evaluates to.
    pub value: Value,
    /// Why.
    pub reason: String,
}

/// One member of a choice option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceMember {
    /// Member name, as written in `netstack.toml`.
    pub name: String,
    /// Its ESP-IDF symbol without `CONFIG_`, if it has one.
    pub kconfig: Option<String>,
    /// One line.
    pub prompt: String,
    /// More words, optional.
    pub help: String,
    /// Deprecated ESP-IDF names.
    pub renamed_from: Vec<String>,
    /// The member can be chosen only while this holds.
    pub depends_on: Option<Cond>,
}

/// One option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionDef {
    /// The `netstack.toml` key.
    pub key: String,
    /// ESP-IDF symbol without `CONFIG_`; `None` for netstack-only options.
    pub kconfig: Option<String>,
    /// Deprecated ESP-IDF names (without `CONFIG_`).
    pub renamed_from: Vec<String>,
    /// Kconfig menu path, `/`-separated.
    pub menu: String,
    /// One line.
    pub prompt: String,
    /// Type.
    pub ty: OptionType,
    /// Rust type of the constant (int/hex).
    pub rust_type: Option<RustType>,
    /// Defaults; the first whose condition holds wins; the last has no condition.
    pub default: Vec<Conditional<Value>>,
    /// Ranges (int/hex); the first whose condition holds applies.
    pub range: Vec<Conditional<(i64, i64)>>,
    /// Visibility condition.
    pub depends_on: Option<Cond>,
    /// Bool options forced on while this one is on.
    pub select: Vec<String>,
    /// Bool options whose default becomes on while this one is on.
    pub imply: Vec<String>,
    /// What it does, when to change it, the cost.
    pub help: String,
    /// lwIP macro(s) it stands for.
    pub lwip: String,
    /// Whether a cfg flag is emitted too.
    pub cfg: bool,
    /// Whether it acts in netstack; `None` if the schema forgot it (a lint error).
    pub status: Option<Status>,
    /// What it does in netstack, or why it is ignored.
    pub effect: String,
    /// Members (choice options only).
    pub choices: Vec<ChoiceMember>,
}

impl OptionDef {
    /// The name in `sdkconfig` files, without `CONFIG_`: the Kconfig symbol, or `LWIP_<KEY>`
    /// for netstack-only options.
    pub fn sdk_name(&self) -> String {
        self.kconfig
            .clone()
            .unwrap_or_else(|| format!("LWIP_{}", self.key.to_uppercase()))
    }

    /// The `sdkconfig` name of member `m`, without `CONFIG_`.
    pub fn member_sdk_name(&self, m: &ChoiceMember) -> String {
        m.kconfig
            .clone()
            .unwrap_or_else(|| format!("{}_{}", self.sdk_name(), m.name.to_uppercase()))
    }

    /// The member called `name`.
    pub fn member(&self, name: &str) -> Option<&ChoiceMember> {
        self.choices.iter().find(|m| m.name == name)
    }

    /// The generated constant's name.
    pub fn const_name(&self) -> String {
        self.key.to_uppercase()
    }

    /// Whether values are shown in hex.
    pub fn is_hex(&self) -> bool {
        self.ty == OptionType::Hex
    }

    /// The generated enum's name for a choice (`tcp_oversize` → `TcpOversize`).
    pub fn enum_name(&self) -> String {
        camel(&self.key)
    }
}

/// `quarter_mss` → `QuarterMss`.
pub fn camel(s: &str) -> String {
    s.split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
        })
        .collect()
}

/// What a name in an expression or an sdkconfig line stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symbol {
    /// Option by index.
    Option(usize),
    /// Member `.1` of choice option `.0`.
    Member(usize, usize),
    /// External symbol by index.
    External(usize),
}

/// The whole schema.
#[derive(Debug, Clone)]
pub struct Schema {
    /// Every external symbol.
    pub externals: Vec<External>,
    /// Every option, in schema order.
    pub options: Vec<OptionDef>,
    /// Every cross-option rule, in schema order.
    pub rules: Vec<Rule>,
    symbols: HashMap<String, Symbol>,
    sdk_names: HashMap<String, (Symbol, bool)>,
    order: Vec<usize>,
}

// ---- raw serde form ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchema {
    #[serde(default)]
    external: Vec<RawExternal>,
    #[serde(default)]
    option: Vec<RawOption>,
    #[serde(default)]
    rule: Vec<rule::RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExternal {
    name: String,
    kind: ExternalKind,
    value: toml::Value,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawDefault {
    List(Vec<RawCondDefault>),
    Plain(toml::Value),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondDefault {
    value: toml::Value,
    #[serde(rename = "if")]
    cond: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawRange {
    List(Vec<RawCondRange>),
    Plain(Vec<toml::Value>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondRange {
    min: toml::Value,
    max: toml::Value,
    #[serde(rename = "if")]
    cond: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMember {
    name: String,
    kconfig: Option<String>,
    #[serde(default)]
    prompt: String,
    #[serde(default)]
    help: String,
    #[serde(default)]
    renamed_from: Vec<String>,
    depends_on: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    key: String,
    kconfig: Option<String>,
    #[serde(default)]
    renamed_from: Vec<String>,
    #[serde(default)]
    menu: String,
    #[serde(default)]
    prompt: String,
    #[serde(rename = "type")]
    ty: OptionType,
    rust_type: Option<RustType>,
    default: Option<RawDefault>,
    range: Option<RawRange>,
    depends_on: Option<String>,
    #[serde(default)]
    select: Vec<String>,
    #[serde(default)]
    imply: Vec<String>,
    #[serde(default)]
    help: String,
    #[serde(default)]
    lwip: String,
    #[serde(default)]
    cfg: bool,
    status: Option<Status>,
    #[serde(default)]
    effect: String,
    #[serde(default)]
    choices: Vec<RawMember>,
}

/// Reads an integer written as a TOML integer or a `"0x..."` / decimal string.
pub fn int_of(v: &toml::Value) -> Option<i64> {
    match v {
        toml::Value::Integer(n) => Some(*n),
        toml::Value::String(s) => parse_int(s),
        _ => None,
    }
}

/// Parses `123`, `-5`, `0x1F`.
pub fn parse_int(s: &str) -> Option<i64> {
    let s = s.trim();
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => i64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

fn compile_cond(text: &str, subject: &str, errors: &mut Vec<SchemaError>) -> Option<Cond> {
    match Expr::parse(text) {
        Ok(expr) => Some(Cond {
            text: text.to_owned(),
            expr,
        }),
        Err(e) => {
            errors.push(SchemaError::about(
                subject,
                format!("bad expression `{text}`: {e}"),
            ));
            None
        }
    }
}

fn typed_value(ty: OptionType, v: &toml::Value) -> Option<Value> {
    match (ty, v) {
        (OptionType::Bool, toml::Value::Boolean(b)) => Some(Value::Bool(*b)),
        (OptionType::Int, toml::Value::Integer(n)) => Some(Value::Int(*n)),
        (OptionType::Hex, v) => int_of(v).map(Value::Int),
        (OptionType::String, toml::Value::String(s)) => Some(Value::Str(s.clone())),
        (OptionType::Choice, toml::Value::String(s)) => Some(Value::Choice(s.clone())),
        _ => None,
    }
}

impl Schema {
    /// Parses and compiles schema text; on failure returns every problem found.
    pub fn parse(text: &str) -> Result<Schema, Vec<SchemaError>> {
        Self::from_raw(Self::parse_raw(text)?)
    }

    /// Parses schema text plus the hook points' options (`hooks.toml`, see [`crate::hooks`]),
    /// placed after the option `hooks.options_after`.
    pub fn parse_with_hooks(
        text: &str,
        hooks: &crate::hooks::HookPoints,
    ) -> Result<Schema, Vec<SchemaError>> {
        let mut raw = Self::parse_raw(text)?;
        let Some(at) = raw.option.iter().position(|o| o.key == hooks.options_after) else {
            return Err(vec![SchemaError::about(
                &hooks.options_after,
                "hooks.toml: `options_after` names no option of options.toml",
            )]);
        };
        let mut errors = Vec::new();
        let generated: Vec<RawOption> = hooks
            .option_tables()
            .into_iter()
            .filter_map(|t| {
                let key = t.get("key").and_then(toml::Value::as_str).unwrap_or("?");
                let key = key.to_owned();
                t.try_into()
                    .map_err(|e: toml::de::Error| {
                        errors.push(SchemaError::about(
                            &key,
                            format!("hooks.toml: {}", e.message().trim()),
                        ))
                    })
                    .ok()
            })
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        raw.option.splice(at + 1..at + 1, generated);
        Self::from_raw(raw)
    }

    fn parse_raw(text: &str) -> Result<RawSchema, Vec<SchemaError>> {
        toml::from_str(text).map_err(|e| {
            let position = e.span().map(|s| {
                let loc = SourceMap::new("options.toml", text).location(s.start);
                (loc.line, loc.col)
            });
            vec![SchemaError {
                position,
                subject: None,
                message: e.message().trim().to_owned(),
            }]
        })
    }

    fn from_raw(raw: RawSchema) -> Result<Schema, Vec<SchemaError>> {
        let mut errors = Vec::new();
        let externals = raw
            .external
            .into_iter()
            .filter_map(|e| {
                let value = match &e.value {
                    toml::Value::Boolean(b) => Value::Bool(*b),
                    toml::Value::Integer(n) => Value::Int(*n),
                    toml::Value::String(s) => Value::Str(s.clone()),
                    _ => {
                        errors.push(SchemaError::about(
                            &e.name,
                            "value must be a bool, integer or string",
                        ));
                        return None;
                    }
                };
                Some(External {
                    name: e.name,
                    kind: e.kind,
                    value,
                    reason: e.reason,
                })
            })
            .collect();
        let options = raw
            .option
            .into_iter()
            .map(|o| compile_option(o, &mut errors))
            .collect();
        let rules: Vec<Rule> = raw
            .rule
            .into_iter()
            .filter_map(|r| rule::compile(r, &mut errors))
            .collect();
        for (i, r) in rules.iter().enumerate() {
            if rules[..i].iter().any(|earlier| earlier.name == r.name) {
                errors.push(SchemaError::about(
                    &rule::subject(&r.name),
                    "rule name used twice",
                ));
            }
        }
        let mut schema = Schema {
            externals,
            options,
            rules,
            symbols: HashMap::new(),
            sdk_names: HashMap::new(),
            order: Vec::new(),
        };
        schema.build_tables(&mut errors);
        if errors.is_empty() {
            schema.check_references(&mut errors);
        }
        if errors.is_empty() {
            schema.compute_order(&mut errors);
        }
        if errors.is_empty() {
            schema.find_rule_options(&mut errors);
        }
        if errors.is_empty() {
            Ok(schema)
        } else {
            Err(errors)
        }
    }

    fn build_tables(&mut self, errors: &mut Vec<SchemaError>) {
        let mut add_sym = |symbols: &mut HashMap<String, Symbol>, name: String, sym: Symbol| {
            if symbols.insert(name.clone(), sym).is_some() {
                errors.push(SchemaError::about(
                    &name,
                    "symbol defined twice (key, choice member or external)",
                ));
            }
        };
        let mut symbols = HashMap::new();
        for (i, e) in self.externals.iter().enumerate() {
            add_sym(&mut symbols, e.name.clone(), Symbol::External(i));
        }
        for (i, o) in self.options.iter().enumerate() {
            add_sym(&mut symbols, o.key.clone(), Symbol::Option(i));
            for (m, member) in o.choices.iter().enumerate() {
                add_sym(
                    &mut symbols,
                    format!("{}_{}", o.key, member.name),
                    Symbol::Member(i, m),
                );
            }
        }
        self.symbols = symbols;
        let mut sdk = HashMap::new();
        let mut add_sdk = |name: String, target: Symbol, old: bool| {
            if sdk.insert(name.clone(), (target, old)).is_some() {
                errors.push(SchemaError::about(
                    &name,
                    "sdkconfig name used twice (kconfig or renamed_from)",
                ));
            }
        };
        for (i, o) in self.options.iter().enumerate() {
            add_sdk(o.sdk_name(), Symbol::Option(i), false);
            for old in &o.renamed_from {
                add_sdk(old.clone(), Symbol::Option(i), true);
            }
            for (m, member) in o.choices.iter().enumerate() {
                add_sdk(o.member_sdk_name(member), Symbol::Member(i, m), false);
                for old in &member.renamed_from {
                    add_sdk(old.clone(), Symbol::Member(i, m), true);
                }
            }
        }
        self.sdk_names = sdk;
    }

    fn check_references(&self, errors: &mut Vec<SchemaError>) {
        for o in &self.options {
            for cond in self.conditions(o) {
                self.check_expr(&o.key, cond, errors);
                if cond.expr.has_arithmetic() {
                    errors.push(SchemaError::about(
                        &o.key,
                        format!("`{}`: arithmetic belongs in a [[rule]]; conditions of options compare plain values", cond.text),
                    ));
                }
            }
            for t in o.select.iter().chain(&o.imply) {
                match self.option(t) {
                    Some(target) if target.ty == OptionType::Bool => {}
                    Some(_) => errors.push(SchemaError::about(
                        &o.key,
                        format!("select/imply target `{t}` is not a bool"),
                    )),
                    None => errors.push(SchemaError::about(
                        &o.key,
                        format!("select/imply names unknown option `{t}`"),
                    )),
                }
            }
            if (!o.select.is_empty() || !o.imply.is_empty()) && o.ty != OptionType::Bool {
                errors.push(SchemaError::about(
                    &o.key,
                    "only bool options may select or imply",
                ));
            }
        }
        self.check_rules(errors);
    }

    fn unknown_symbol(&self, subject: &str, text: &str, name: &str) -> SchemaError {
        let hint = crate::diagnostics::did_you_mean(name, self.symbols.keys().map(String::as_str))
            .map(|h| format!(" (did you mean `{h}`?)"))
            .unwrap_or_default();
        SchemaError::about(
            subject,
            format!("`{text}` refers to unknown symbol `{name}`{hint}"),
        )
    }

    /// Every operand of arithmetic must be a number: an integer, or an int/hex option or
    /// integer external.
    fn check_arithmetic(
        &self,
        subject: &str,
        text: &str,
        term: &Term,
        errors: &mut Vec<SchemaError>,
    ) {
        for op in term.operands() {
            let what = match op {
                Operand::Int(_) => continue,
                Operand::Sym(name) => match self.symbols.get(name) {
                    None => {
                        errors.push(self.unknown_symbol(subject, text, name));
                        continue;
                    }
                    Some(Symbol::Option(i)) => match self.options[*i].ty {
                        OptionType::Int | OptionType::Hex => continue,
                        ty => format!("`{name}`, a {} option", ty.name()),
                    },
                    Some(Symbol::External(i)) => match self.externals[*i].value {
                        Value::Int(_) => continue,
                        _ => format!("`{name}`, an external symbol without a number"),
                    },
                    Some(Symbol::Member(..)) => format!("`{name}`, a choice member"),
                },
                Operand::Str(_) | Operand::Bool(_) => format!("`{op}`"),
            };
            errors.push(SchemaError::about(
                subject,
                format!("`{text}` computes with {what}; arithmetic needs numbers"),
            ));
        }
    }

    fn check_expr(&self, subject: &str, cond: &Cond, errors: &mut Vec<SchemaError>) {
        fn walk(s: &Schema, e: &Expr, subject: &str, text: &str, errors: &mut Vec<SchemaError>) {
            match e {
                Expr::Sym(name) => {
                    if !s.symbols.contains_key(name) {
                        errors.push(s.unknown_symbol(subject, text, name));
                    }
                }
                Expr::Not(e) => walk(s, e, subject, text, errors),
                Expr::And(a, b) | Expr::Or(a, b) => {
                    walk(s, a, subject, text, errors);
                    walk(s, b, subject, text, errors);
                }
                Expr::Cmp { lhs, rhs, .. } => {
                    let choice = [lhs, rhs].into_iter().find_map(|t| match t {
                        Term::Atom(Operand::Sym(n)) => {
                            s.option(n).filter(|o| o.ty == OptionType::Choice)
                        }
                        _ => None,
                    });
                    for side in [lhs, rhs] {
                        let name = match side {
                            Term::Atom(Operand::Sym(name)) => name,
                            Term::Atom(_) => continue,
                            _ => {
                                s.check_arithmetic(subject, text, side, errors);
                                continue;
                            }
                        };
                        if s.symbols.contains_key(name) {
                            continue;
                        }
                        match choice {
                            Some(c) if c.member(name).is_some() => {}
                            Some(c) => errors.push(SchemaError::about(
                                subject,
                                format!("`{text}`: `{name}` is no member of choice `{}`", c.key),
                            )),
                            None => errors.push(s.unknown_symbol(subject, text, name)),
                        }
                    }
                }
            }
        }
        walk(self, &cond.expr, subject, &cond.text, errors);
    }

    /// Every condition an option's value depends on.
    fn conditions<'a>(&self, o: &'a OptionDef) -> impl Iterator<Item = &'a Cond> {
        o.depends_on
            .iter()
            .chain(o.default.iter().filter_map(|d| d.cond.as_ref()))
            .chain(o.range.iter().filter_map(|r| r.cond.as_ref()))
            .chain(o.choices.iter().filter_map(|m| m.depends_on.as_ref()))
    }

    /// Indices of the options option `i` needs resolved before itself.
    pub fn dependencies(&self, i: usize) -> BTreeSet<usize> {
        let o = &self.options[i];
        let mut deps = BTreeSet::new();
        for cond in self.conditions(o) {
            for name in cond.expr.symbols() {
                match self.symbols.get(name) {
                    Some(Symbol::Option(j) | Symbol::Member(j, _)) if *j != i => {
                        deps.insert(*j);
                    }
                    _ => {}
                }
            }
        }
        for (j, other) in self.options.iter().enumerate() {
            if other.select.contains(&o.key) || other.imply.contains(&o.key) {
                deps.insert(j);
            }
        }
        deps
    }

    fn compute_order(&mut self, errors: &mut Vec<SchemaError>) {
        let n = self.options.len();
        let deps: Vec<BTreeSet<usize>> = (0..n).map(|i| self.dependencies(i)).collect();
        let mut self_ref = false;
        for (i, o) in self.options.iter().enumerate() {
            for cond in self.conditions(o) {
                if cond.expr.symbols().iter().any(|s| {
                    matches!(self.symbols.get(*s), Some(Symbol::Option(j) | Symbol::Member(j, _)) if *j == i)
                }) {
                    errors.push(SchemaError::about(&o.key, format!("`{}` refers to the option itself", cond.text)));
                    self_ref = true;
                }
            }
        }
        if self_ref {
            return;
        }
        let mut missing: Vec<usize> = deps.iter().map(BTreeSet::len).collect();
        let mut users: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, d) in deps.iter().enumerate() {
            for &j in d {
                users[j].push(i);
            }
        }
        let mut ready: BinaryHeap<Reverse<usize>> =
            (0..n).filter(|&i| missing[i] == 0).map(Reverse).collect();
        let mut order = Vec::with_capacity(n);
        while let Some(Reverse(i)) = ready.pop() {
            order.push(i);
            for &u in &users[i] {
                missing[u] -= 1;
                if missing[u] == 0 {
                    ready.push(Reverse(u));
                }
            }
        }
        if order.len() < n {
            let stuck: Vec<&str> = (0..n)
                .filter(|&i| missing[i] > 0)
                .map(|i| self.options[i].key.as_str())
                .collect();
            errors.push(SchemaError {
                position: None,
                subject: None,
                message: format!(
                    "dependency cycle among {} (through depends_on, if, select or imply)",
                    stuck.join(", ")
                ),
            });
        }
        self.order = order;
    }

    /// Option indices in evaluation order (every option after those it depends on).
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// The option with this key.
    pub fn option(&self, key: &str) -> Option<&OptionDef> {
        self.index_of(key).map(|i| &self.options[i])
    }

    /// Index of the option with this key.
    pub fn index_of(&self, key: &str) -> Option<usize> {
        match self.symbols.get(key) {
            Some(Symbol::Option(i)) => Some(*i),
            _ => None,
        }
    }

    /// What an expression symbol stands for.
    pub fn symbol(&self, name: &str) -> Option<Symbol> {
        self.symbols.get(name).copied()
    }

    /// What an sdkconfig name (without `CONFIG_`) stands for, and whether it is a deprecated name.
    pub fn sdk_symbol(&self, name: &str) -> Option<(Symbol, bool)> {
        self.sdk_names.get(name).copied()
    }

    /// Every sdkconfig name (without `CONFIG_`): current and deprecated names of options and
    /// choice members.
    pub fn sdk_names(&self) -> impl Iterator<Item = &str> {
        self.sdk_names.keys().map(String::as_str)
    }

    /// Finds a symbol by any of its spellings, in any case and with `-` for `_`: key,
    /// `CONFIG_LWIP_X`, `LWIP_X`, `X`, deprecated names, `<choice>_<member>`, external names.
    pub fn lookup(&self, name: &str) -> Option<Symbol> {
        if let Some(s) = self.symbols.get(name) {
            return Some(*s);
        }
        // However it is spelt: any case, `-` for `_`, with or without `CONFIG_` and `LWIP_`.
        let upper = name.trim().to_uppercase().replace('-', "_");
        let bare = upper.strip_prefix("CONFIG_").unwrap_or(&upper);
        let short = bare.strip_prefix("LWIP_").unwrap_or(bare);
        for sdk in [bare.to_owned(), short.to_owned(), format!("LWIP_{short}")] {
            if let Some((s, _)) = self.sdk_names.get(sdk.as_str()) {
                return Some(*s);
            }
        }
        [bare, short]
            .iter()
            .find_map(|k| self.symbols.get(k.to_lowercase().as_str()))
            .copied()
    }

    /// Every option key, in schema order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.options.iter().map(|o| o.key.as_str())
    }
}

fn compile_option(raw: RawOption, errors: &mut Vec<SchemaError>) -> OptionDef {
    let key = raw.key;
    let ty = raw.ty;
    let mut default = Vec::new();
    match raw.default {
        None => match ty {
            OptionType::Bool => default.push(Conditional {
                value: Value::Bool(false),
                cond: None,
            }),
            OptionType::String => default.push(Conditional {
                value: Value::Str(String::new()),
                cond: None,
            }),
            OptionType::Choice => {
                if let Some(m) = raw.choices.first() {
                    default.push(Conditional {
                        value: Value::Choice(m.name.clone()),
                        cond: None,
                    });
                }
            }
            OptionType::Int | OptionType::Hex => {
                errors.push(SchemaError::about(&key, "int/hex option needs a default"))
            }
        },
        Some(RawDefault::Plain(v)) => match typed_value(ty, &v) {
            Some(value) => default.push(Conditional { value, cond: None }),
            None => errors.push(SchemaError::about(
                &key,
                format!("default {v} is not a {}", ty.name()),
            )),
        },
        Some(RawDefault::List(list)) => {
            let n = list.len();
            for (idx, d) in list.into_iter().enumerate() {
                let cond = d
                    .cond
                    .as_deref()
                    .and_then(|c| compile_cond(c, &key, errors));
                if idx + 1 == n && d.cond.is_some() {
                    errors.push(SchemaError::about(
                        &key,
                        "the last conditional default must have no `if`",
                    ));
                }
                match typed_value(ty, &d.value) {
                    Some(value) => default.push(Conditional { value, cond }),
                    None => errors.push(SchemaError::about(
                        &key,
                        format!("default {} is not a {}", d.value, ty.name()),
                    )),
                }
            }
            if n == 0 {
                errors.push(SchemaError::about(&key, "empty default list"));
            }
        }
    }
    let mut range = Vec::new();
    match raw.range {
        None => {}
        Some(RawRange::Plain(v)) => match v.as_slice() {
            [a, b] => match (int_of(a), int_of(b)) {
                (Some(a), Some(b)) => range.push(Conditional {
                    value: (a, b),
                    cond: None,
                }),
                _ => errors.push(SchemaError::about(&key, "range bounds must be integers")),
            },
            _ => errors.push(SchemaError::about(&key, "range must be [min, max]")),
        },
        Some(RawRange::List(list)) => {
            for r in list {
                let cond = r
                    .cond
                    .as_deref()
                    .and_then(|c| compile_cond(c, &key, errors));
                match (int_of(&r.min), int_of(&r.max)) {
                    (Some(a), Some(b)) => range.push(Conditional {
                        value: (a, b),
                        cond,
                    }),
                    _ => errors.push(SchemaError::about(&key, "range bounds must be integers")),
                }
            }
        }
    }
    if !range.is_empty() && !matches!(ty, OptionType::Int | OptionType::Hex) {
        errors.push(SchemaError::about(
            &key,
            "only int/hex options have a range",
        ));
    }
    if ty == OptionType::Choice && raw.choices.is_empty() {
        errors.push(SchemaError::about(&key, "choice option without choices"));
    }
    if ty != OptionType::Choice && !raw.choices.is_empty() {
        errors.push(SchemaError::about(&key, "only choice options have choices"));
    }
    let choices: Vec<ChoiceMember> = raw
        .choices
        .into_iter()
        .map(|m| ChoiceMember {
            depends_on: m
                .depends_on
                .as_deref()
                .and_then(|c| compile_cond(c, &key, errors)),
            name: m.name,
            kconfig: m.kconfig,
            prompt: m.prompt,
            help: m.help,
            renamed_from: m.renamed_from,
        })
        .collect();
    if ty == OptionType::Choice {
        for d in &default {
            if let Value::Choice(name) = &d.value
                && !choices.iter().any(|m| &m.name == name)
            {
                let names: Vec<&str> = choices.iter().map(|m| m.name.as_str()).collect();
                errors.push(SchemaError::about(
                    &key,
                    format!("default `{name}` is not a member ({})", names.join(", ")),
                ));
            }
        }
    }
    OptionDef {
        depends_on: raw
            .depends_on
            .as_deref()
            .and_then(|c| compile_cond(c, &key, errors)),
        key,
        kconfig: raw.kconfig,
        renamed_from: raw.renamed_from,
        menu: raw.menu,
        prompt: raw.prompt,
        ty,
        rust_type: raw.rust_type,
        default,
        range,
        select: raw.select,
        imply: raw.imply,
        help: raw.help,
        lwip: raw.lwip,
        cfg: raw.cfg,
        status: raw.status,
        effect: raw.effect,
        choices,
    }
}
