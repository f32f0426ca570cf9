//! One `netstack.toml` (or preset) file: flat `key = value` lines plus an optional
//! `extends = "<preset>"`, read with the position of every key and value.

use std::collections::BTreeMap;
use std::sync::Arc;

use toml::Spanned;

use crate::diagnostics::{Diagnostic, Location, SourceMap, did_you_mean};
use crate::schema::{OptionType, Schema, Symbol};
use crate::value::Value;

/// One `key = value` line as written.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The key as written.
    pub key: String,
    /// Where the key is.
    pub key_loc: Location,
    /// The value as TOML.
    pub value: toml::Value,
    /// Where the value is.
    pub value_loc: Location,
}

/// A parsed file, before it is checked against the schema.
#[derive(Debug, Clone, Default)]
pub struct ParsedFile {
    /// `extends = "..."`, with the location of its value.
    pub extends: Option<(String, Location)>,
    /// `description = "..."` (presets describe themselves with it).
    pub description: Option<String>,
    /// Every other entry, in file order.
    pub entries: Vec<Entry>,
}

/// Where an assignment comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A preset from `configs/`, by name.
    Preset(String),
    /// A product's config file.
    File,
    /// An imported `sdkconfig`.
    Sdkconfig {
        /// The `CONFIG_*` name used in the file, when it is not the option's current one: a
        /// deprecated name, or a symbol whose old meaning was mapped onto this option.
        old_name: Option<String>,
        /// The line as written (`CONFIG_X=v` or `# CONFIG_X is not set`), for messages.
        written: String,
    },
}

/// A typed value for one option, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Option index in the schema.
    pub option: usize,
    /// The value (type already checked; range is checked by the resolver).
    pub value: Value,
    /// Which kind of input it comes from.
    pub source: Source,
    /// Where the key (or sdkconfig line) is.
    pub key_loc: Option<Location>,
    /// Where the value is.
    pub value_loc: Option<Location>,
}

impl Assignment {
    /// The best location to point at for problems with the value.
    pub fn location(&self) -> Option<Location> {
        self.value_loc.clone().or_else(|| self.key_loc.clone())
    }
}

/// Parses the TOML text of a config file shown to the user as `file`.
pub fn parse(file: impl Into<Arc<str>>, text: &str) -> (ParsedFile, Vec<Diagnostic>) {
    let map = SourceMap::new(file, text);
    let mut diags = Vec::new();
    let table: BTreeMap<Spanned<String>, Spanned<toml::Value>> = match toml::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            let loc = e.span().map(|s| map.location(s.start));
            diags.push(Diagnostic::error(
                loc,
                format!("invalid TOML: {}", e.message().trim()),
            ));
            return (ParsedFile::default(), diags);
        }
    };
    let mut entries: Vec<(Spanned<String>, Spanned<toml::Value>)> = table.into_iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    let mut out = ParsedFile::default();
    for (k, v) in entries {
        let key_loc = map.location(k.span().start);
        let value_loc = map.location(v.span().start);
        let key = k.into_inner();
        let value = v.into_inner();
        match (key.as_str(), value) {
            ("extends", toml::Value::String(s)) => {
                out.extends = Some((s, value_loc));
            }
            ("description", toml::Value::String(s)) => out.description = Some(s),
            ("extends" | "description", _) => {
                diags.push(Diagnostic::error(Some(value_loc), format!("`{key}` must be a string")));
            }
            (_, toml::Value::Table(_)) => diags.push(Diagnostic::error(
                Some(key_loc),
                format!("`{key}` is a table; netstack.toml has flat `key = value` lines only (no [sections] or dotted keys)"),
            )),
            (_, value) => out.entries.push(Entry { key, key_loc, value, value_loc }),
        }
    }
    (out, diags)
}

/// Checks an entry's key and value type against the schema.
pub fn check_entry(
    schema: &Schema,
    entry: &Entry,
    source: &Source,
) -> Result<Assignment, Diagnostic> {
    let Some(index) = schema.index_of(&entry.key) else {
        return Err(unknown_key(schema, entry));
    };
    let opt = &schema.options[index];
    let value = typed(opt, &entry.value).map_err(|expected| {
        Diagnostic::error(
            Some(entry.value_loc.clone()),
            format!("{} = {}: {expected}", entry.key, show_toml(&entry.value)),
        )
    })?;
    Ok(Assignment {
        option: index,
        value,
        source: source.clone(),
        key_loc: Some(entry.key_loc.clone()),
        value_loc: Some(entry.value_loc.clone()),
    })
}

fn show_toml(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => crate::value::quote(s),
        other => other.to_string(),
    }
}

fn unknown_key(schema: &Schema, entry: &Entry) -> Diagnostic {
    let key = &entry.key;
    let loc = Some(entry.key_loc.clone());
    let msg = match schema.lookup(key) {
        Some(Symbol::Option(i)) => format!(
            "unknown option `{key}`; write it as `{}` (keys are the ESP-IDF name without CONFIG_LWIP_, lower-case)",
            schema.options[i].key
        ),
        Some(Symbol::Member(i, m)) => {
            let o = &schema.options[i];
            format!(
                "`{key}` is a member of choice `{}`; write `{} = \"{}\"`",
                o.key, o.key, o.choices[m].name
            )
        }
        Some(Symbol::External(i)) => {
            let e = &schema.externals[i];
            format!(
                "`{key}` is not a netstack option: it is an external symbol fixed to {} ({})",
                e.value, e.reason
            )
        }
        None => match did_you_mean(key, schema.keys()) {
            Some(s) => format!("unknown option `{key}`; did you mean `{s}`?"),
            None => format!(
                "unknown option `{key}` (`netstack-config explain` lists what an option is)"
            ),
        },
    };
    Diagnostic::error(loc, msg)
}

/// Converts a TOML value to the option's type, or says what was expected.
fn typed(opt: &crate::schema::OptionDef, v: &toml::Value) -> Result<Value, String> {
    match (opt.ty, v) {
        (OptionType::Bool, toml::Value::Boolean(b)) => Ok(Value::Bool(*b)),
        (OptionType::Bool, toml::Value::String(s)) if s == "y" || s == "n" => Err(format!(
            "expected a bool: write `{} = {}`",
            opt.key,
            s == "y"
        )),
        (OptionType::Bool, _) => Err("expected a bool (true or false)".into()),
        (OptionType::Int, toml::Value::Integer(n)) => Ok(Value::Int(*n)),
        (OptionType::Int, _) => Err(format!("expected an integer{}", range_hint(opt))),
        (OptionType::Hex, toml::Value::Integer(n)) => Ok(Value::Int(*n)),
        (OptionType::Hex, toml::Value::String(s)) => match crate::schema::parse_int(s) {
            Some(n) => Ok(Value::Int(n)),
            None => Err(format!(
                "expected a hex integer such as 0x1f{}",
                range_hint(opt)
            )),
        },
        (OptionType::Hex, _) => Err(format!(
            "expected a hex integer such as 0x1f{}",
            range_hint(opt)
        )),
        (OptionType::String, toml::Value::String(s)) => Ok(Value::Str(s.clone())),
        (OptionType::String, _) => Err("expected a quoted string".into()),
        (OptionType::Choice, toml::Value::String(s)) => match opt.member(s) {
            Some(_) => Ok(Value::Choice(s.clone())),
            None => Err(bad_member(opt, s)),
        },
        (OptionType::Choice, _) => Err(format!("expected one of {}", member_list(opt))),
    }
}

/// `"mss", "quarter_mss", "disable"`.
pub fn member_list(opt: &crate::schema::OptionDef) -> String {
    opt.choices
        .iter()
        .map(|m| format!("\"{}\"", m.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The message for a choice value that is no member.
pub fn bad_member(opt: &crate::schema::OptionDef, s: &str) -> String {
    let hint = did_you_mean(s, opt.choices.iter().map(|m| m.name.as_str()))
        .map(|h| format!("; did you mean \"{h}\"?"))
        .unwrap_or_default();
    format!(
        "not a choice of `{}`; valid: {}{hint}",
        opt.key,
        member_list(opt)
    )
}

fn range_hint(opt: &crate::schema::OptionDef) -> String {
    match opt.range.as_slice() {
        [] => String::new(),
        [r] => format!(" in {}..={}", r.value.0, r.value.1),
        _ => " (see `netstack-config explain` for its ranges)".into(),
    }
}
