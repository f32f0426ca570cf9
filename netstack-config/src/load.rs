//! Loading a configuration: a file, the presets it extends (chains allowed, cycles
//! detected), each turned into typed [`Assignment`]s, lowest priority first.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::config_file::{self, Assignment, Source};
use crate::diagnostics::{Diagnostic, Location, did_you_mean};
use crate::schema::Schema;

/// One preset file.
#[derive(Debug, Clone)]
pub struct Preset {
    /// Name, as used in `extends = "<name>"`.
    pub name: String,
    /// How it is shown in messages (`configs/<name>.toml`).
    pub display: String,
    /// Its text.
    pub text: Cow<'static, str>,
    /// Where it is on disk, if it is (for `rerun-if-changed`).
    pub disk_path: Option<PathBuf>,
}

/// Where presets come from: the embedded `configs/` or a test's own set.
pub trait Presets {
    /// The preset called `name`.
    fn get(&self, name: &str) -> Option<Preset>;
    /// Every preset name, sorted.
    fn names(&self) -> Vec<String>;
}

/// A fixed list of `(name, text, path on disk)` presets; `default` is added (empty) if missing.
#[derive(Debug, Clone, Default)]
pub struct PresetList(pub Vec<(String, Cow<'static, str>, Option<PathBuf>)>);

impl Presets for PresetList {
    fn get(&self, name: &str) -> Option<Preset> {
        let found = self
            .0
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(n, t, p)| (n.clone(), t.clone(), p.clone()));
        // `default` always exists: without a file it is the empty configuration.
        let (name, text, disk_path) = found
            .or_else(|| (name == "default").then(|| (name.to_owned(), Cow::Borrowed(""), None)))?;
        Some(Preset {
            display: format!("configs/{name}.toml"),
            name,
            text,
            disk_path,
        })
    }

    fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.0.iter().map(|(n, _, _)| n.clone()).collect();
        if !v.iter().any(|n| n == "default") {
            v.push("default".into());
        }
        v.sort();
        v
    }
}

/// Everything loaded for one configuration.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// Assignments, lowest priority first (the base preset's first, the file's own last).
    pub assignments: Vec<Assignment>,
    /// Files read from disk (the config, extended files and presets found on disk).
    pub files: Vec<PathBuf>,
    /// The chain of what was loaded, outermost first (`netstack.toml`, `preset max-throughput`).
    pub chain: Vec<String>,
    /// The top file's `description`, if any.
    pub description: Option<String>,
    /// Problems found while loading.
    pub diagnostics: Vec<Diagnostic>,
}

/// What to load.
enum Unit {
    Preset(Preset),
    File {
        display: String,
        text: String,
        path: Option<PathBuf>,
    },
}

impl Unit {
    fn id(&self) -> String {
        match self {
            Unit::Preset(p) => format!("preset `{}`", p.name),
            Unit::File { display, path, .. } => path
                .as_ref()
                .and_then(|p| p.canonicalize().ok())
                .map_or_else(|| display.clone(), |p| p.display().to_string()),
        }
    }
}

/// Loads config text shown as `display`; `path` is where it is on disk (for relative
/// `extends` paths and `rerun-if-changed`).
pub fn load_text(
    schema: &Schema,
    presets: &dyn Presets,
    display: &str,
    text: &str,
    path: Option<&Path>,
) -> Loaded {
    let mut out = Loaded::default();
    let unit = Unit::File {
        display: display.to_owned(),
        text: text.to_owned(),
        path: path.map(Path::to_path_buf),
    };
    load_unit(schema, presets, unit, &mut Vec::new(), &mut out, true);
    out
}

/// Loads a config file from disk; it is shown in messages as `path` is written.
pub fn load_path(schema: &Schema, presets: &dyn Presets, path: &Path) -> Loaded {
    match std::fs::read_to_string(path) {
        Ok(text) => load_text(
            schema,
            presets,
            &path.display().to_string(),
            &text,
            Some(path),
        ),
        Err(e) => Loaded {
            diagnostics: vec![Diagnostic::error(
                None,
                format!("cannot read {}: {e}", path.display()),
            )],
            ..Loaded::default()
        },
    }
}

/// Loads the preset called `name` (an unknown name is an error listing the presets).
pub fn load_preset(schema: &Schema, presets: &dyn Presets, name: &str) -> Loaded {
    let mut out = Loaded::default();
    match presets.get(name) {
        Some(p) => load_unit(
            schema,
            presets,
            Unit::Preset(p),
            &mut Vec::new(),
            &mut out,
            true,
        ),
        None => out
            .diagnostics
            .push(Diagnostic::error(None, unknown_preset(presets, name))),
    }
    out
}

/// The message for an unknown preset name.
pub fn unknown_preset(presets: &dyn Presets, name: &str) -> String {
    let names = presets.names();
    let hint = did_you_mean(name, names.iter().map(String::as_str))
        .map(|h| format!("did you mean `{h}`? "))
        .unwrap_or_default();
    format!(
        "unknown preset `{name}`; {hint}presets: {}",
        names.join(", ")
    )
}

fn load_unit(
    schema: &Schema,
    presets: &dyn Presets,
    unit: Unit,
    stack: &mut Vec<String>,
    out: &mut Loaded,
    top: bool,
) {
    let (display, text, source, dir) = match &unit {
        Unit::Preset(p) => {
            if let Some(path) = &p.disk_path {
                out.files.push(path.clone());
            }
            out.chain.push(format!("preset {} ({})", p.name, p.display));
            (
                p.display.clone(),
                p.text.to_string(),
                Source::Preset(p.name.clone()),
                None,
            )
        }
        Unit::File {
            display,
            text,
            path,
        } => {
            if let Some(path) = path {
                out.files.push(path.clone());
            }
            out.chain.push(display.clone());
            let dir = path
                .as_ref()
                .and_then(|p| p.parent())
                .map(Path::to_path_buf);
            (display.clone(), text.clone(), Source::File, dir)
        }
    };
    stack.push(unit.id());
    let (parsed, diags) = config_file::parse(display.as_str(), &text);
    out.diagnostics.extend(diags);
    if top {
        out.description = parsed.description.clone();
    }
    if let Some((target, loc)) = &parsed.extends {
        match find_base(presets, target, dir.as_deref(), loc) {
            Ok(base) => {
                let id = base.id();
                if stack.contains(&id) {
                    let mut cycle = stack.clone();
                    cycle.push(id);
                    out.diagnostics.push(Diagnostic::error(
                        Some(loc.clone()),
                        format!("`extends` makes a cycle: {}", cycle.join(" -> ")),
                    ));
                } else {
                    load_unit(schema, presets, base, stack, out, false);
                }
            }
            Err(d) => out.diagnostics.push(d),
        }
    }
    for entry in &parsed.entries {
        match config_file::check_entry(schema, entry, &source) {
            Ok(a) => out.assignments.push(a),
            Err(d) => out.diagnostics.push(d),
        }
    }
    stack.pop();
}

/// A name with `/` or ending in `.toml` is a file relative to the extending file; anything
/// else names a preset.
fn find_base(
    presets: &dyn Presets,
    target: &str,
    dir: Option<&Path>,
    loc: &Location,
) -> Result<Unit, Diagnostic> {
    if target.contains('/') || target.ends_with(".toml") {
        let path = dir.map_or_else(|| PathBuf::from(target), |d| d.join(target));
        return match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Unit::File {
                display: path.display().to_string(),
                text,
                path: Some(path),
            }),
            Err(e) => Err(Diagnostic::error(
                Some(loc.clone()),
                format!("cannot read extended file {}: {e}", path.display()),
            )),
        };
    }
    presets
        .get(target)
        .map(Unit::Preset)
        .ok_or_else(|| Diagnostic::error(Some(loc.clone()), unknown_preset(presets, target)))
}
