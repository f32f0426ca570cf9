//! The resolver: Kconfig semantics over the schema and a list of assignments.
//!
//! Options are evaluated in the schema's dependency order. Each gets: visibility from
//! `depends_on`; its value from `select` (forced on), the user's assignment (type, range and
//! choice availability checked), or its default (first conditional default that holds,
//! `imply` for bools). An assignment to an invisible option is a warning and is ignored.
//! Assignments imported from an sdkconfig are read as ESP-IDF reads them: a value it would
//! drop (out of range, an unavailable choice member, a selected bool set off) falls back with
//! a warning naming the line, instead of an error.
//! Then the cross-option rules of [`crate::rules`] run.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::config_file::{Assignment, Source};
use crate::diagnostics::{Diagnostic, has_errors};
use crate::expr::Env;
use crate::schema::{Cond, OptionDef, OptionType, Schema, Symbol};
use crate::value::Value;

/// Where a resolved value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// The schema's default.
    Default,
    /// The default, turned on by `imply` from this option.
    Implied(String),
    /// Forced on by `select` from this option.
    Selected(String),
    /// Set by a preset, a file or an sdkconfig import.
    Assigned(Assignment),
}

impl Provenance {
    /// Whether the value was written by the user (in a file, preset or sdkconfig).
    pub fn is_assigned(&self) -> bool {
        matches!(self, Provenance::Assigned(_))
    }

    /// Short human description: `default`, `preset min-ram (configs/min-ram.toml:3:1)`, ...
    pub fn describe(&self) -> String {
        match self {
            Provenance::Default => "default".into(),
            Provenance::Implied(by) => format!("default, implied by {by}"),
            Provenance::Selected(by) => format!("selected by {by}"),
            Provenance::Assigned(a) => {
                let at = a
                    .key_loc
                    .as_ref()
                    .map(|l| format!(" ({l})"))
                    .unwrap_or_default();
                match &a.source {
                    Source::Preset(name) => format!("preset {name}{at}"),
                    Source::File => format!("file{at}"),
                    Source::Sdkconfig { old_name: None, .. } => format!("sdkconfig{at}"),
                    Source::Sdkconfig {
                        old_name: Some(old),
                        ..
                    } => format!("sdkconfig{at}, as {old}"),
                }
            }
        }
    }
}

/// One option after resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedOption {
    /// The value.
    pub value: Value,
    /// The value it would have without an assignment to it (in this configuration).
    pub default: Value,
    /// Whether its `depends_on` holds.
    pub visible: bool,
    /// Where the value comes from.
    pub provenance: Provenance,
}

/// A resolved configuration (possibly with errors: see [`Outcome`]).
#[derive(Debug, Clone)]
pub struct Config<'s> {
    /// The schema it was resolved against.
    pub schema: &'s Schema,
    /// One entry per schema option, same index.
    pub options: Vec<ResolvedOption>,
}

impl<'s> Config<'s> {
    /// The resolved option with this key.
    pub fn get(&self, key: &str) -> Option<&ResolvedOption> {
        self.schema.index_of(key).map(|i| &self.options[i])
    }

    /// `(definition, resolved)` pairs in schema order.
    pub fn iter(&self) -> impl Iterator<Item = (&'s OptionDef, &ResolvedOption)> {
        self.schema.options.iter().zip(&self.options)
    }

    /// The configuration as `key = value` lines, one per option, in schema order.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        for (def, r) in self.iter() {
            let _ = writeln!(s, "{} = {}", def.key, r.value.to_toml(def.is_hex()));
        }
        s
    }
}

impl Env for Config<'_> {
    fn value(&self, symbol: &str) -> Option<Value> {
        lookup(self.schema, symbol, |i| {
            Some((&self.options[i].value, self.options[i].visible))
        })
    }
}

fn lookup<'a>(
    schema: &Schema,
    symbol: &str,
    get: impl Fn(usize) -> Option<(&'a Value, bool)>,
) -> Option<Value> {
    match schema.symbol(symbol)? {
        Symbol::Option(i) => get(i).map(|(v, _)| v.clone()),
        Symbol::Member(i, m) => {
            let (v, visible) = get(i)?;
            Some(Value::Bool(
                visible && *v == Value::Choice(schema.options[i].choices[m].name.clone()),
            ))
        }
        Symbol::External(i) => Some(schema.externals[i].value.clone()),
    }
}

/// The resolver's result: the configuration and every diagnostic.
#[derive(Debug, Clone)]
pub struct Outcome<'s> {
    /// The configuration (meaningful only without errors).
    pub config: Config<'s>,
    /// Errors and warnings, in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

/// A configuration without errors: the only thing code can be generated from.
#[derive(Debug, Clone)]
pub struct Valid<'s>(Config<'s>);

impl<'s> std::ops::Deref for Valid<'s> {
    type Target = Config<'s>;
    fn deref(&self) -> &Config<'s> {
        &self.0
    }
}

impl<'s> Outcome<'s> {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        has_errors(&self.diagnostics)
    }

    /// The valid configuration and its warnings, or every diagnostic if there is an error.
    pub fn into_valid(self) -> Result<(Valid<'s>, Vec<Diagnostic>), Vec<Diagnostic>> {
        if self.has_errors() {
            Err(self.diagnostics)
        } else {
            Ok((Valid(self.config), self.diagnostics))
        }
    }
}

struct Partial<'a> {
    schema: &'a Schema,
    values: &'a [Option<(Value, bool)>],
}

impl Env for Partial<'_> {
    fn value(&self, symbol: &str) -> Option<Value> {
        lookup(self.schema, symbol, |i| {
            self.values[i].as_ref().map(|(v, vis)| (v, *vis))
        })
    }
}

/// Explains why a condition is false: `ppp_support && ipv6` (ppp_support = false).
fn explain_cond(schema: &Schema, cond: &Cond, env: &dyn Env) -> String {
    let mut parts = Vec::new();
    for sym in cond.expr.symbols() {
        if schema.symbol(sym).is_some()
            && let Some(v) = env.value(sym)
        {
            let s = format!("{sym} = {v}");
            if !parts.contains(&s) {
                parts.push(s);
            }
        }
    }
    if parts.is_empty() {
        format!("`{}`", cond.text)
    } else {
        format!("`{}` ({})", cond.text, parts.join(", "))
    }
}

/// Resolves `assignments` (lowest priority first; later ones override earlier ones).
pub fn resolve<'s>(schema: &'s Schema, assignments: &[Assignment]) -> Outcome<'s> {
    let mut diags = Vec::new();
    let mut user: HashMap<usize, &Assignment> = HashMap::new();
    for a in assignments {
        user.insert(a.option, a);
    }
    let n = schema.options.len();
    let mut values: Vec<Option<(Value, bool)>> = vec![None; n];
    let mut resolved: Vec<Option<ResolvedOption>> = vec![None; n];
    for &i in schema.order() {
        let def = &schema.options[i];
        let env = Partial {
            schema,
            values: &values,
        };
        let visible = def.depends_on.as_ref().is_none_or(|c| c.expr.eval(&env));
        let r = resolve_one(
            schema,
            def,
            visible,
            user.get(&i).copied(),
            &env,
            &resolved,
            &mut diags,
        );
        values[i] = Some((r.value.clone(), visible));
        resolved[i] = Some(r);
    }
    let options: Vec<ResolvedOption> = resolved
        .into_iter()
        .map(|r| {
            r.unwrap_or(ResolvedOption {
                value: Value::Bool(false),
                default: Value::Bool(false),
                visible: false,
                provenance: Provenance::Default,
            })
        })
        .collect();
    let config = Config { schema, options };
    if !has_errors(&diags) {
        diags.extend(crate::rules::check(&config));
    }
    Outcome {
        config,
        diagnostics: diags,
    }
}

#[allow(clippy::too_many_arguments)]
fn resolve_one(
    schema: &Schema,
    def: &OptionDef,
    visible: bool,
    assigned: Option<&Assignment>,
    env: &dyn Env,
    done: &[Option<ResolvedOption>],
    diags: &mut Vec<Diagnostic>,
) -> ResolvedOption {
    let on = |j: usize| {
        done[j]
            .as_ref()
            .is_some_and(|r| r.value == Value::Bool(true))
    };
    let selectors: Vec<usize> = (0..schema.options.len())
        .filter(|&j| schema.options[j].select.contains(&def.key) && on(j))
        .collect();
    let impliers: Vec<usize> = (0..schema.options.len())
        .filter(|&j| schema.options[j].imply.contains(&def.key) && on(j))
        .collect();

    // The default in this configuration.
    let mut default = def
        .default
        .iter()
        .find(|d| d.cond.as_ref().is_none_or(|c| c.expr.eval(env)))
        .map_or(Value::Bool(false), |d| d.value.clone());
    let mut default_prov = Provenance::Default;
    if def.ty == OptionType::Bool
        && default == Value::Bool(false)
        && visible
        && let Some(&j) = impliers.first()
    {
        default = Value::Bool(true);
        default_prov = Provenance::Implied(schema.options[j].key.clone());
    }
    if def.ty == OptionType::Choice {
        default = available_default(def, default, env);
    }
    if !visible && def.ty == OptionType::Bool {
        default = Value::Bool(false);
        default_prov = Provenance::Default;
    }
    if let Some(clamped) = clamp_default(def, &default, env, diags) {
        default = clamped;
    }

    // select forces bools on.
    if let Some(&j) = selectors.first() {
        let by = &schema.options[j];
        let by_loc = done[j].as_ref().and_then(|r| match &r.provenance {
            Provenance::Assigned(a) => a.key_loc.clone(),
            _ => None,
        });
        if let Some(a) = assigned
            && a.value == Value::Bool(false)
        {
            let d = match sdkconfig_line(a) {
                // Kconfig keeps a selected symbol on whatever the file says.
                Some(line) => Diagnostic::warning(
                    a.location(),
                    format!(
                        "`{line}`: {} is selected by `{}` (on), so it stays on, as in ESP-IDF",
                        def.key, by.key
                    ),
                ),
                None => Diagnostic::error(
                    a.location(),
                    format!(
                        "{} = false conflicts with `{}`, which selects it (is on)",
                        def.key, by.key
                    ),
                ),
            };
            diags.push(d.with_note(by_loc.clone(), format!("{} is on here", by.key)));
        }
        if !visible && let Some(c) = &def.depends_on {
            diags.push(Diagnostic::warning(
                by_loc,
                format!(
                    "{} selects {}, whose dependency {} is not met",
                    by.key,
                    def.key,
                    explain_cond(schema, c, env)
                ),
            ));
        }
        return ResolvedOption {
            value: Value::Bool(true),
            default,
            visible,
            provenance: Provenance::Selected(by.key.clone()),
        };
    }

    let fallback = ResolvedOption {
        value: default.clone(),
        default: default.clone(),
        visible,
        provenance: default_prov,
    };
    let Some(a) = assigned else { return fallback };
    let line = sdkconfig_line(a);
    if !visible {
        // An sdkconfig line that says what the option is anyway (`# CONFIG_X is not set` of
        // a hidden bool) is no setting worth a warning.
        if line.is_some() && a.value == fallback.value {
            return fallback;
        }
        let why = def
            .depends_on
            .as_ref()
            .map(|c| explain_cond(schema, c, env))
            .unwrap_or_default();
        let subject = line.map_or_else(|| def.key.clone(), |l| format!("`{l}` ({})", def.key));
        diags.push(Diagnostic::warning(
            a.key_loc.clone().or_else(|| a.location()),
            format!("{subject} is set but has no effect: it depends on {why}, which is false"),
        ));
        return fallback;
    }
    if let Err(msg) = check_value(def, &a.value, env) {
        diags.push(match line {
            // ESP-IDF drops a value it cannot use and keeps the default; so does an import.
            Some(line) => Diagnostic::warning(
                a.location(),
                format!(
                    "`{line}`: {msg}; {} keeps its default {}, as in ESP-IDF",
                    def.key,
                    fallback.value.to_toml(def.is_hex())
                ),
            ),
            None => Diagnostic::error(a.location(), msg),
        });
        return fallback;
    }
    ResolvedOption {
        value: a.value.clone(),
        default,
        visible,
        provenance: Provenance::Assigned(a.clone()),
    }
}

/// The line an sdkconfig assignment was read from; `None` for other sources.
fn sdkconfig_line(a: &Assignment) -> Option<&str> {
    match &a.source {
        Source::Sdkconfig { written, .. } => Some(written),
        _ => None,
    }
}

/// The default member if it is available, else the first available member.
fn available_default(def: &OptionDef, default: Value, env: &dyn Env) -> Value {
    let available = |name: &str| {
        def.member(name)
            .is_some_and(|m| m.depends_on.as_ref().is_none_or(|c| c.expr.eval(env)))
    };
    match &default {
        Value::Choice(name) if available(name) => default,
        _ => def
            .choices
            .iter()
            .find(|m| available(&m.name))
            .map_or(default, |m| Value::Choice(m.name.clone())),
    }
}

/// The range that applies now, with its condition.
pub fn active_range<'d>(
    def: &'d OptionDef,
    env: &dyn Env,
) -> Option<&'d crate::schema::Conditional<(i64, i64)>> {
    def.range
        .iter()
        .find(|r| r.cond.as_ref().is_none_or(|c| c.expr.eval(env)))
}

/// Kconfig clamps a default that is outside the active range; we do too, with a warning.
fn clamp_default(
    def: &OptionDef,
    default: &Value,
    env: &dyn Env,
    diags: &mut Vec<Diagnostic>,
) -> Option<Value> {
    let Value::Int(v) = default else { return None };
    let r = active_range(def, env)?;
    let (min, max) = r.value;
    if (min..=max).contains(v) {
        return None;
    }
    let c = (*v).clamp(min, max);
    diags.push(Diagnostic::warning(
        None,
        format!(
            "default {v} of {} is outside its range {min}..={max} in this configuration; using {c}",
            def.key
        ),
    ));
    Some(Value::Int(c))
}

/// Checks an assigned value's range, Rust type bounds and choice availability.
fn check_value(def: &OptionDef, value: &Value, env: &dyn Env) -> Result<(), String> {
    match value {
        Value::Int(v) => {
            let shown = value.to_toml(def.is_hex());
            if let Some(r) = active_range(def, env) {
                let (min, max) = r.value;
                if !(min..=max).contains(v) {
                    let mut msg = format!("{} = {shown} is out of range {min}..={max}", def.key);
                    if let Some(c) = &r.cond {
                        let _ = write!(msg, " (the range while `{}`", c.text);
                        for other in def.range.iter().filter(|o| !std::ptr::eq(*o, r)) {
                            if let Some(oc) = &other.cond {
                                let _ = write!(
                                    msg,
                                    "; {}..={} while `{}`",
                                    other.value.0, other.value.1, oc.text
                                );
                            }
                        }
                        msg.push(')');
                    }
                    return Err(msg);
                }
            }
            if let Some(rt) = def.rust_type {
                let (min, max) = rt.bounds();
                if !(min..=max).contains(v) {
                    return Err(format!(
                        "{} = {shown} does not fit its type {} ({min}..={max})",
                        def.key,
                        rt.name()
                    ));
                }
            }
            Ok(())
        }
        Value::Choice(name) => {
            let Some(m) = def.member(name) else {
                return Err(format!(
                    "{} = \"{name}\": {}",
                    def.key,
                    crate::config_file::bad_member(def, name)
                ));
            };
            match &m.depends_on {
                Some(c) if !c.expr.eval(env) => Err(format!(
                    "{} = \"{name}\" is not available: it depends on `{}`, which is false",
                    def.key, c.text
                )),
                _ => Ok(()),
            }
        }
        _ => Ok(()),
    }
}
