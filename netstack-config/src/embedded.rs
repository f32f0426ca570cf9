//! The schema and presets compiled into this crate: `schema/options.toml`, the hook points of
//! `schema/hooks.toml` and `configs/*.toml`.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::OnceLock;

use crate::hooks::HookPoints;
use crate::load::{Preset, Presets};
use crate::schema::{Schema, SchemaError};

/// The text of `schema/options.toml`.
pub const SCHEMA_TEXT: &str = include_str!("../schema/options.toml");

/// Where the schema is in the source tree (for `rerun-if-changed`).
pub const SCHEMA_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/options.toml");

/// The text of `schema/hooks.toml`, the hook points' declaration.
pub const HOOKS_TEXT: &str = include_str!("../schema/hooks.toml");

/// Where the hook points' declaration is in the source tree (for `rerun-if-changed`).
pub const HOOKS_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/hooks.toml");

/// The folder of the preset files in the source tree.
pub const PRESETS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../configs");

/// Every preset: name and text of `configs/<name>.toml`.
pub const PRESET_TEXTS: &[(&str, &str)] = &[
    ("default", include_str!("../../configs/default.toml")),
    (
        "low-latency",
        include_str!("../../configs/low-latency.toml"),
    ),
    (
        "max-throughput",
        include_str!("../../configs/max-throughput.toml"),
    ),
    ("min-ram", include_str!("../../configs/min-ram.toml")),
];

/// The embedded schema with the hook points' options, parsed once.
pub fn schema() -> Result<&'static Schema, &'static [SchemaError]> {
    static SCHEMA: OnceLock<Result<Schema, Vec<SchemaError>>> = OnceLock::new();
    let parsed = SCHEMA.get_or_init(|| {
        let hooks = hooks().map_err(<[SchemaError]>::to_vec)?;
        Schema::parse_with_hooks(SCHEMA_TEXT, hooks)
    });
    match parsed {
        Ok(s) => Ok(s),
        Err(e) => Err(e),
    }
}

/// The embedded hook points' declaration, parsed once.
pub fn hooks() -> Result<&'static HookPoints, &'static [SchemaError]> {
    static HOOKS: OnceLock<Result<HookPoints, Vec<SchemaError>>> = OnceLock::new();
    match HOOKS.get_or_init(|| HookPoints::parse(HOOKS_TEXT)) {
        Ok(h) => Ok(h),
        Err(e) => Err(e),
    }
}

/// The embedded presets. `default` always exists (empty if there is no `configs/default.toml`).
#[derive(Debug, Clone, Copy, Default)]
pub struct EmbeddedPresets;

impl Presets for EmbeddedPresets {
    fn get(&self, name: &str) -> Option<Preset> {
        let text = PRESET_TEXTS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
            .or_else(|| (name == "default").then_some(""))?;
        let disk = PathBuf::from(PRESETS_DIR).join(format!("{name}.toml"));
        Some(Preset {
            name: name.to_owned(),
            display: format!("configs/{name}.toml"),
            text: Cow::Borrowed(text),
            disk_path: disk.canonicalize().ok(),
        })
    }

    fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = PRESET_TEXTS.iter().map(|(n, _)| (*n).to_owned()).collect();
        if !v.iter().any(|n| n == "default") {
            v.push("default".into());
        }
        v.sort();
        v
    }
}
