//! ESP-IDF `sdkconfig` files: import into assignments and a `netstack.toml`, export a
//! resolved configuration back.
//!
//! Lines are `CONFIG_X=y`, `CONFIG_X=123`, `CONFIG_X=0x1f`, `CONFIG_X="text"`, `CONFIG_X=`
//! (empty: off) and `# CONFIG_X is not set`. Deprecated names (the schema's `renamed_from`)
//! map to their options; a choice member set to `y` sets its choice.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use crate::config_file::{Assignment, Source};
use crate::diagnostics::{Diagnostic, Location};
use crate::resolve::{Config, Provenance};
use crate::schema::{OptionType, Schema, Symbol, parse_int};
use crate::value::{Value, quote};

/// The value part of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawValue {
    /// `# CONFIG_X is not set`.
    NotSet,
    /// Text after `=`, as written (quotes included).
    Text(String),
}

/// One `CONFIG_` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number.
    pub number: usize,
    /// The name without `CONFIG_`.
    pub name: String,
    /// The value.
    pub value: RawValue,
    /// 1-based column where the value starts.
    pub value_col: usize,
}

/// A line that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    /// 1-based line number.
    pub line: usize,
    /// The line's text.
    pub text: String,
    /// Why it was not imported.
    pub reason: String,
}

/// The result of reading an sdkconfig.
#[derive(Debug, Clone, Default)]
pub struct Import {
    /// Typed assignments, in file order, one per option.
    pub assignments: Vec<Assignment>,
    /// Lines about lwIP that could not be imported.
    pub unmapped: Vec<Unmapped>,
    /// `CONFIG_` lines about other components, skipped.
    pub skipped: usize,
    /// Warnings (conflicting duplicates, unmapped lines).
    pub diagnostics: Vec<Diagnostic>,
}

/// Splits sdkconfig text into its `CONFIG_` lines; other lines that are not comments or blank
/// are returned as unmapped.
pub fn parse_lines(text: &str) -> (Vec<Line>, Vec<Unmapped>) {
    let mut lines = Vec::new();
    let mut bad = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        let t = raw.trim();
        if let Some(rest) = t
            .strip_prefix("# CONFIG_")
            .and_then(|r| r.strip_suffix(" is not set"))
        {
            lines.push(Line {
                number,
                name: rest.trim().to_owned(),
                value: RawValue::NotSet,
                value_col: 1,
            });
        } else if t.is_empty() || t.starts_with('#') {
            continue;
        } else if let Some(rest) = t.strip_prefix("CONFIG_")
            && let Some((name, value)) = rest.split_once('=')
        {
            let lead = raw.len() - raw.trim_start().len();
            let value_col = lead + "CONFIG_".len() + name.len() + 2;
            lines.push(Line {
                number,
                name: name.trim().to_owned(),
                value: RawValue::Text(value.to_owned()),
                value_col,
            });
        } else {
            bad.push(Unmapped {
                line: number,
                text: raw.to_owned(),
                reason: "not an sdkconfig line".into(),
            });
        }
    }
    (lines, bad)
}

/// Unquotes `"a\"b"` → `a"b`; unquoted text is returned as it is.
pub fn unquote(s: &str) -> Option<String> {
    let Some(inner) = s.strip_prefix('"') else {
        return Some(s.to_owned());
    };
    let inner = inner.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'u' => {
                let hex: String = chars.by_ref().take(4).collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            other => out.push(other),
        }
    }
    Some(out)
}

fn convert(ty: OptionType, v: &RawValue) -> Result<Value, String> {
    let text = match v {
        RawValue::NotSet => {
            return if ty == OptionType::Bool {
                Ok(Value::Bool(false))
            } else {
                Err("`is not set` on a non-bool".into())
            };
        }
        RawValue::Text(t) => t.trim(),
    };
    match ty {
        OptionType::Bool => match text {
            "y" => Ok(Value::Bool(true)),
            "" | "n" => Ok(Value::Bool(false)),
            _ => Err(format!("expected y or empty for a bool, found `{text}`")),
        },
        OptionType::Int | OptionType::Hex if text.is_empty() => {
            Err("empty value for a number".into())
        }
        OptionType::Int => text
            .parse()
            .map(Value::Int)
            .map_err(|_| format!("`{text}` is not an integer")),
        OptionType::Hex => parse_int(text)
            .or_else(|| i64::from_str_radix(text, 16).ok())
            .map(Value::Int)
            .ok_or_else(|| format!("`{text}` is not a hex number")),
        OptionType::String => unquote(text)
            .map(Value::Str)
            .ok_or_else(|| format!("bad string {text}")),
        OptionType::Choice => {
            Err("a choice is set by its member lines (CONFIG_<CHOICE>_<MEMBER>=y)".into())
        }
    }
}

struct Seen {
    line: usize,
    name: String,
    old: bool,
    value: Value,
}

/// Maps the lines of an sdkconfig shown as `file` onto the schema.
pub fn import(schema: &Schema, file: &str, text: &str) -> Import {
    let file: Arc<str> = file.into();
    let (lines, bad) = parse_lines(text);
    let mut out = Import {
        unmapped: bad,
        ..Import::default()
    };
    let mut seen: HashMap<usize, Seen> = HashMap::new();
    for line in &lines {
        let shown = match &line.value {
            RawValue::NotSet => format!("# CONFIG_{} is not set", line.name),
            RawValue::Text(t) => format!("CONFIG_{}={t}", line.name),
        };
        let Some((symbol, old)) = schema.sdk_symbol(&line.name) else {
            if line.name.starts_with("LWIP_") {
                out.unmapped.push(Unmapped {
                    line: line.number,
                    text: shown,
                    reason: "no such option".into(),
                });
            } else {
                out.skipped += 1;
            }
            continue;
        };
        if matches!(&line.value, RawValue::Text(t) if t.trim().is_empty()) {
            // Kconfig ignores an empty assignment (with a warning); so do we.
            let key = match symbol {
                Symbol::Option(i) | Symbol::Member(i, _) => schema.options[i].key.as_str(),
                Symbol::External(_) => "",
            };
            out.diagnostics.push(Diagnostic::warning(
                Some(Location::new(file.clone(), line.number, 1)),
                format!("`{shown}` assigns nothing and is ignored, as Kconfig does; {key} keeps its default"),
            ));
            continue;
        }
        let (option, value) = match symbol {
            // A value on a choice's own name is a mask ESP-IDF derives from the member line
            // (e.g. CONFIG_LWIP_TCPIP_TASK_AFFINITY=0x0 next to ..._CPU0=y): nothing to import.
            Symbol::Option(i) if schema.options[i].ty == OptionType::Choice => continue,
            Symbol::Option(i) => match convert(schema.options[i].ty, &line.value) {
                Ok(v) => (i, v),
                Err(reason) => {
                    out.unmapped.push(Unmapped {
                        line: line.number,
                        text: shown,
                        reason,
                    });
                    continue;
                }
            },
            Symbol::Member(i, m) => match &line.value {
                RawValue::Text(t) if t.trim() == "y" => {
                    (i, Value::Choice(schema.options[i].choices[m].name.clone()))
                }
                // "not set" on a member says nothing about which member is set.
                _ => continue,
            },
            Symbol::External(_) => continue,
        };
        let name = format!("CONFIG_{}", line.name);
        if let Some(prev) = seen.get(&option) {
            if prev.value == value {
                continue;
            }
            // The current name beats a deprecated one; otherwise the later line wins.
            let current_wins = !old || prev.old;
            let def = &schema.options[option];
            let winner = if current_wins { &name } else { &prev.name };
            out.diagnostics.push(
                Diagnostic::warning(
                    Some(Location::new(file.clone(), line.number, 1)),
                    format!(
                        "{name}={} conflicts with {}={} (line {}): both set {}; using {winner}",
                        value.to_toml(def.is_hex()),
                        prev.name,
                        prev.value.to_toml(def.is_hex()),
                        prev.line,
                        def.key
                    ),
                )
                .with_note(
                    Some(Location::new(file.clone(), prev.line, 1)),
                    format!("{} is set here", prev.name),
                ),
            );
            if !current_wins {
                continue;
            }
            out.assignments.retain(|a| a.option != option);
        }
        seen.insert(
            option,
            Seen {
                line: line.number,
                name: name.clone(),
                old,
                value: value.clone(),
            },
        );
        out.assignments.push(Assignment {
            option,
            value,
            source: Source::Sdkconfig {
                old_name: old.then_some(name),
            },
            key_loc: Some(Location::new(file.clone(), line.number, 1)),
            value_loc: Some(Location::new(file.clone(), line.number, line.value_col)),
        });
    }
    for u in &out.unmapped {
        out.diagnostics.push(Diagnostic::warning(
            Some(Location::new(file.clone(), u.line, 1)),
            format!("not imported: `{}`: {}", u.text, u.reason),
        ));
    }
    out
}

/// A `netstack.toml` holding what an imported configuration sets differently from the
/// defaults, each line commented with the sdkconfig line it came from.
pub fn to_netstack_toml(config: &Config<'_>, import: &Import, file: &str) -> String {
    let mut s = format!(
        "# Imported from {file} by `netstack-config import`.\n# Only values that differ from the defaults are listed.\n\n"
    );
    for (def, r) in config.iter() {
        let Provenance::Assigned(a) = &r.provenance else {
            continue;
        };
        if r.value == r.default {
            continue;
        }
        let line = a.key_loc.as_ref().map_or(0, |l| l.line);
        let name = match &a.source {
            Source::Sdkconfig {
                old_name: Some(old),
            } => format!("{old}, renamed to CONFIG_{}", sdk_name_of(def, &r.value)),
            _ => format!("CONFIG_{}", sdk_name_of(def, &r.value)),
        };
        let note = if def.status == Some(crate::schema::Status::NoEffect) {
            " (no effect on netstack)"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "{} = {}  # line {line}: {name}{note}",
            def.key,
            r.value.to_toml(def.is_hex())
        );
    }
    if !import.unmapped.is_empty() {
        s.push_str("\n# Lines not imported:\n");
        for u in &import.unmapped {
            let _ = writeln!(s, "#   line {}: {} ({})", u.line, u.text, u.reason);
        }
    }
    s
}

fn sdk_name_of(def: &crate::schema::OptionDef, value: &Value) -> String {
    match value {
        Value::Choice(m) => def
            .member(m)
            .map_or_else(|| def.sdk_name(), |m| def.member_sdk_name(m)),
        _ => def.sdk_name(),
    }
}

/// The configuration in sdkconfig syntax: every visible option, `# CONFIG_X is not set` for
/// bools that are off, one line per choice member.
pub fn export(config: &Config<'_>) -> String {
    let mut s = String::from(
        "#\n# netstack configuration (sdkconfig syntax), written by `netstack-config export`\n#\n",
    );
    let mut menu = "";
    for (def, r) in config.iter() {
        if !r.visible {
            continue;
        }
        if def.menu != menu {
            menu = &def.menu;
            let _ = write!(s, "\n#\n# {menu}\n#\n");
        }
        let name = def.sdk_name();
        match (&r.value, def.ty) {
            (Value::Bool(true), _) => {
                let _ = writeln!(s, "CONFIG_{name}=y");
            }
            (Value::Bool(false), _) => {
                let _ = writeln!(s, "# CONFIG_{name} is not set");
            }
            (Value::Int(n), OptionType::Hex) => {
                let _ = writeln!(s, "CONFIG_{name}=0x{n:x}");
            }
            (Value::Int(n), _) => {
                let _ = writeln!(s, "CONFIG_{name}={n}");
            }
            (Value::Str(t), _) => {
                let _ = writeln!(s, "CONFIG_{name}={}", quote(t));
            }
            (Value::Choice(chosen), _) => {
                for m in &def.choices {
                    let mname = def.member_sdk_name(m);
                    if &m.name == chosen {
                        let _ = writeln!(s, "CONFIG_{mname}=y");
                    } else {
                        let _ = writeln!(s, "# CONFIG_{mname} is not set");
                    }
                }
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let (l, bad) =
            parse_lines("# c\nCONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=\"x\\\"y\"\ngarbage\n\n");
        assert_eq!(l.len(), 3);
        assert_eq!(l[0].name, "A");
        assert_eq!(l[0].value_col, 10);
        assert_eq!(l[1].value, RawValue::NotSet);
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].line, 5);
        assert_eq!(unquote("\"x\\\"y\\\\\"").as_deref(), Some("x\"y\\"));
        assert_eq!(unquote("\"bad").as_deref(), None);
    }

    #[test]
    fn conversions() {
        assert_eq!(
            convert(OptionType::Bool, &RawValue::Text(String::new())),
            Ok(Value::Bool(false))
        );
        assert_eq!(
            convert(OptionType::Hex, &RawValue::Text("0x1F".into())),
            Ok(Value::Int(31))
        );
        assert_eq!(
            convert(OptionType::Hex, &RawValue::Text("ff".into())),
            Ok(Value::Int(255))
        );
        assert!(convert(OptionType::Int, &RawValue::Text(String::new())).is_err());
        assert!(convert(OptionType::Int, &RawValue::NotSet).is_err());
    }
}
