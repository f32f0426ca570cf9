//! Writing: a `netstack.toml` from an import, and a resolved configuration in sdkconfig syntax.

use std::fmt::Write as _;

use crate::config_file::Source;
use crate::resolve::{Config, Provenance};
use crate::schema::{OptionDef, OptionType, Status};
use crate::value::{Value, quote};

use super::Import;

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
        let current = format!("CONFIG_{}", sdk_name_of(def, &r.value));
        let name = match &a.source {
            Source::Sdkconfig {
                old_name: Some(old),
                ..
            } if is_renamed(def, old) => format!("{old}, renamed to {current}"),
            Source::Sdkconfig {
                old_name: Some(_),
                written,
            } => format!("{written}, mapped to {current}"),
            _ => current,
        };
        let note = if def.status == Some(Status::NoEffect) {
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

/// Whether `old` (`CONFIG_X`) is a deprecated name of `def` or of one of its members.
fn is_renamed(def: &OptionDef, old: &str) -> bool {
    let bare = old.strip_prefix("CONFIG_").unwrap_or(old);
    def.renamed_from.iter().any(|r| r == bare)
        || def
            .choices
            .iter()
            .any(|m| m.renamed_from.iter().any(|r| r == bare))
}

fn sdk_name_of(def: &OptionDef, value: &Value) -> String {
    match value {
        Value::Choice(m) => def
            .member(m)
            .map_or_else(|| def.sdk_name(), |m| def.member_sdk_name(m)),
        _ => def.sdk_name(),
    }
}

/// The title line of an exported file; an import reads such a file with today's meanings.
pub const EXPORT_TITLE: &str =
    "netstack configuration (sdkconfig syntax), written by `netstack-config export`";

/// The configuration in sdkconfig syntax: every visible option, `# CONFIG_X is not set` for
/// bools that are off, one line per choice member.
pub fn export(config: &Config<'_>) -> String {
    let mut s = format!("#\n# {EXPORT_TITLE}\n#\n");
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
