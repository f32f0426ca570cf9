//! ESP-IDF `sdkconfig` files: import into assignments and a `netstack.toml`, export a
//! resolved configuration back.
//!
//! An import keeps what the release that wrote the file meant, from v3.0 to v5.5:
//! - [`read`] reads each line as ESP-IDF's readers do (a bool is its first character; an
//!   unquoted string is taken, with a warning);
//! - [`dialect`] dates the file (header, else the symbols it uses), which decides how an empty
//!   bool `CONFIG_X=` reads (off for v3.x, ignored since) and which meaning applies to
//!   options whose meaning moved;
//! - [`legacy`] maps those old meanings onto today's options, with a note each;
//! - deprecated names (the schema's `renamed_from`) map to their options, and a choice member
//!   set to `y` sets its choice. When two lines set the same option, the later one wins, as in
//!   ESP-IDF.
//!
//! Values ESP-IDF itself would have dropped (out of range, a choice member that is not
//! available) are dropped by the resolver with a warning, for [`Source::Sdkconfig`]
//! assignments only (see [`crate::resolve`]).

pub mod dialect;
pub mod legacy;
pub mod read;
mod write;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::config_file::{Assignment, Source};
use crate::diagnostics::{Diagnostic, Location, Severity, did_you_mean};
use crate::schema::{OptionType, Schema, Symbol};
use crate::value::Value;

pub use dialect::Dialect;
pub use read::{Line, RawValue, parse_lines, unquote};
pub use write::{export, to_netstack_toml};

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
#[derive(Debug, Clone)]
pub struct Import {
    /// Typed assignments, in file order, one per option.
    pub assignments: Vec<Assignment>,
    /// Lines about lwIP that could not be imported.
    pub unmapped: Vec<Unmapped>,
    /// `CONFIG_` lines about other components, skipped.
    pub skipped: usize,
    /// Notes (old meanings mapped), warnings (duplicates, lines not imported) and errors
    /// (old settings netstack cannot keep).
    pub diagnostics: Vec<Diagnostic>,
    /// The release the file was dated to.
    pub dialect: Dialect,
}

/// Prefixes of lwIP's older symbol families (v3.x names). An unknown `LWIP_` name is always
/// reported; an unknown name with one of these only when it is close to a known lwIP name (a
/// typo), since projects have their own (`TCP_PERF_*` of ESP-IDF's perf examples). Any other
/// unknown name belongs to another component and is skipped.
const OLD_LWIP_PREFIXES: &[&str] = &[
    "TCP_",
    "TCPIP_TASK_",
    "TCPIP_RECVMBOX",
    "UDP_",
    "PPP_",
    "ETHARP_",
    "GARP_",
    "ESP_TCP_",
];

/// The last line setting each option wins; earlier ones are remembered for the warning.
struct Seen {
    line: usize,
    shown: String,
    value: Value,
    current_name: bool,
}

struct Importer<'a> {
    schema: &'a Schema,
    file: Arc<str>,
    out: Import,
    seen: HashMap<usize, Seen>,
}

impl Importer<'_> {
    fn at(&self, line: usize, col: usize) -> Option<Location> {
        Some(Location::new(self.file.clone(), line, col))
    }

    fn unmapped(&mut self, line: &Line, reason: String) {
        self.out.unmapped.push(Unmapped {
            line: line.number,
            text: line.shown(),
            reason,
        });
    }

    fn diagnostic(&mut self, line: &Line, severity: Severity, message: String) {
        self.out.diagnostics.push(Diagnostic {
            severity,
            location: self.at(line.number, 1),
            message,
            notes: Vec::new(),
        });
    }

    /// Records `option = value` from `line`; `old_name`: the name it was written under when
    /// that is not the option's current one.
    fn assign(&mut self, line: &Line, option: usize, value: Value, old_name: Option<String>) {
        let shown = line.shown();
        if let Some(prev) = self.seen.get(&option) {
            // The same value again (the "Deprecated options" section of v4.0+ files repeats
            // every renamed option): provenance keeps the current name.
            if prev.value == value && (prev.current_name || old_name.is_some()) {
                return;
            }
            if prev.value != value {
                let def = &self.schema.options[option];
                let d = Diagnostic::warning(
                    self.at(line.number, 1),
                    format!(
                        "`{shown}` conflicts with `{}` (line {}): both set {}; the later line wins, as in ESP-IDF",
                        prev.shown, prev.line, def.key
                    ),
                )
                .with_note(self.at(prev.line, 1), format!("`{}` is here", prev.shown));
                self.out.diagnostics.push(d);
            }
            self.out.assignments.retain(|a| a.option != option);
        }
        self.seen.insert(
            option,
            Seen {
                line: line.number,
                shown: shown.clone(),
                value: value.clone(),
                current_name: old_name.is_none(),
            },
        );
        self.out.assignments.push(Assignment {
            option,
            value,
            source: Source::Sdkconfig {
                old_name,
                written: shown,
            },
            key_loc: self.at(line.number, 1),
            value_loc: self.at(line.number, line.value_col),
        });
    }

    fn unknown(&mut self, line: &Line) {
        let names = self
            .schema
            .sdk_names()
            .chain(legacy::SYMBOLS.iter().copied());
        let near = did_you_mean(&line.name, names);
        let old_family = OLD_LWIP_PREFIXES.iter().any(|p| line.name.starts_with(p));
        let reported = line.name.starts_with("LWIP_") || (old_family && near.is_some());
        if !reported {
            self.out.skipped += 1;
            return;
        }
        let hint = near
            .map(|h| format!("; did you mean `CONFIG_{h}`?"))
            .unwrap_or_default();
        self.unmapped(
            line,
            format!(
                "no lwIP option {} in any ESP-IDF release{hint}",
                line.symbol()
            ),
        );
    }

    /// Reports a line whose value is not taken; `outcome` says what happens instead
    /// ("tcp_mss keeps its default").
    fn skip(&mut self, line: &Line, skip: read::Skip, outcome: &str) {
        match skip {
            read::Skip::Empty => {
                let message = format!(
                    "`{}` assigns nothing and is ignored, as Kconfig does since ESP-IDF v4.0; {outcome} ({})",
                    line.shown(),
                    self.out.dialect.evidence
                );
                self.diagnostic(line, Severity::Warning, message);
            }
            read::Skip::Invalid(reason) => self.unmapped(line, format!("{reason}; {outcome}")),
        }
    }

    fn line(&mut self, line: &Line, on_in_file: &dyn Fn(&str) -> bool) {
        let schema = self.schema;
        if let Some(mapped) = legacy::map(schema, &self.out.dialect, line, on_in_file) {
            match mapped {
                Ok(m) => {
                    if let Some((severity, message)) = m.message {
                        self.diagnostic(line, severity, message);
                    }
                    if let Some((option, value)) = m.assign {
                        self.assign(line, option, value, Some(line.symbol()));
                    }
                }
                Err(skip) => self.skip(line, skip, "the line is ignored, as in ESP-IDF"),
            }
            return;
        }
        let Some((symbol, old)) = schema.sdk_symbol(&line.name) else {
            self.unknown(line);
            return;
        };
        let old_name = old.then(|| line.symbol());
        match symbol {
            // A value on a choice's own name is a mask ESP-IDF derives from the member line
            // (e.g. CONFIG_LWIP_TCPIP_TASK_AFFINITY=0x0 next to ..._CPU0=y): nothing to import.
            Symbol::Option(i) if schema.options[i].ty == OptionType::Choice => {}
            Symbol::Option(i) => {
                let def = &schema.options[i];
                let empty_is_off = self.out.dialect.empty_bool_is_off();
                match read::read_value(def.ty, &line.value, empty_is_off) {
                    Ok(r) => {
                        if let Some(w) = r.warning {
                            let message = format!("`{}`: {w}", line.shown());
                            self.diagnostic(line, Severity::Warning, message);
                        }
                        self.assign(line, i, r.value, old_name);
                    }
                    Err(skip) => {
                        let outcome = format!("{} keeps its default", def.key);
                        self.skip(line, skip, &outcome);
                    }
                }
            }
            // "Not set" (or empty) on a member says nothing about which member is set.
            Symbol::Member(i, m) if line.is_on() => {
                let value = Value::Choice(schema.options[i].choices[m].name.clone());
                self.assign(line, i, value, old_name);
            }
            Symbol::Member(..) | Symbol::External(_) => {}
        }
    }
}

/// Maps the lines of an sdkconfig shown as `file` onto the schema.
pub fn import(schema: &Schema, file: &str, text: &str) -> Import {
    let (lines, bad) = parse_lines(text);
    let dialect = dialect::detect(text, &lines);
    let on: HashSet<&str> = lines
        .iter()
        .filter(|l| l.is_on())
        .map(|l| l.name.as_str())
        .collect();
    let on_in_file = |name: &str| on.contains(name);
    let mut im = Importer {
        schema,
        file: file.into(),
        out: Import {
            assignments: Vec::new(),
            unmapped: bad,
            skipped: 0,
            diagnostics: Vec::new(),
            dialect,
        },
        seen: HashMap::new(),
    };
    for line in &lines {
        im.line(line, &on_in_file);
    }
    let mut out = im.out;
    for u in &out.unmapped {
        out.diagnostics.push(Diagnostic::warning(
            Some(Location::new(file, u.line, 1)),
            format!("not imported: `{}`: {}", u.text, u.reason),
        ));
    }
    out.diagnostics
        .sort_by_key(|d| d.location.as_ref().map_or(0, |l| l.line));
    out
}

#[cfg(test)]
mod tests;
