//! What every command needs: the schema, the presets, and loading + resolving a config.

use std::path::{Path, PathBuf};

use netstack_config::diagnostics::{Diagnostic, has_errors};
use netstack_config::embedded::EmbeddedPresets;
use netstack_config::load::{self, Loaded};
use netstack_config::resolve::{self, Outcome};
use netstack_config::schema::Schema;

use super::{CONFIG_ERROR, USAGE};

/// The schema and presets in use.
pub struct Context {
    /// The schema.
    pub schema: &'static Schema,
    /// The presets.
    pub presets: EmbeddedPresets,
}

/// A configuration loaded and resolved.
pub struct Resolved {
    /// How it was loaded.
    pub loaded: Loaded,
    /// The resolver's outcome.
    pub outcome: Outcome<'static>,
    /// What it is called in messages.
    pub name: String,
}

impl Resolved {
    /// Every diagnostic, loading first.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut d = self.loaded.diagnostics.clone();
        d.extend(self.outcome.diagnostics.iter().cloned());
        d
    }

    /// Whether there is any error.
    pub fn has_errors(&self) -> bool {
        has_errors(&self.diagnostics())
    }
}

/// Prints diagnostics to standard error.
pub fn report(diags: &[Diagnostic]) {
    for d in diags {
        eprintln!("{d}");
    }
}

impl Context {
    /// Loads the schema (the built-in one, or `schema_path`).
    pub fn new(schema_path: Option<&Path>) -> Result<Context, i32> {
        let schema: &'static Schema = match schema_path {
            None => netstack_config::embedded::schema().map_err(|errors| {
                for e in errors {
                    eprintln!("{e}");
                }
                CONFIG_ERROR
            })?,
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| {
                    eprintln!("error: cannot read {}: {e}", p.display());
                    USAGE
                })?;
                // The built-in hook points' options join a schema that has the option they
                // follow (a copy of options.toml being developed); other schemas stand alone.
                let parsed = match netstack_config::embedded::hooks() {
                    Ok(h) if text.contains(&format!("key = \"{}\"", h.options_after)) => {
                        Schema::parse_with_hooks(&text, h)
                    }
                    _ => Schema::parse(&text),
                };
                let s = parsed.map_err(|errors| {
                    for e in errors {
                        eprintln!("{e}");
                    }
                    CONFIG_ERROR
                })?;
                Box::leak(Box::new(s))
            }
        };
        Ok(Context {
            schema,
            presets: EmbeddedPresets,
        })
    }

    /// The file to use: the argument, else `$NETSTACK_CONFIG`, else `None` (the default config).
    pub fn pick(file: Option<&Path>) -> Option<PathBuf> {
        file.map(Path::to_path_buf).or_else(|| {
            std::env::var_os("NETSTACK_CONFIG")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
    }

    /// Loads and resolves a config file (or the default configuration).
    pub fn resolve(&self, file: Option<&Path>) -> Resolved {
        let (loaded, name) = match Self::pick(file) {
            Some(p) => (
                load::load_path(self.schema, &self.presets, &p),
                p.display().to_string(),
            ),
            None => return self.defaults(),
        };
        self.finish(loaded, name)
    }

    /// The default configuration (`configs/default.toml`), what "the defaults" means in every
    /// command's output.
    pub fn defaults(&self) -> Resolved {
        let loaded = load::load_preset(self.schema, &self.presets, "default");
        self.finish(loaded, "default configuration".to_owned())
    }

    /// Resolves what was loaded.
    pub fn finish(&self, loaded: Loaded, name: String) -> Resolved {
        let outcome = resolve::resolve(self.schema, &loaded.assignments);
        Resolved {
            loaded,
            outcome,
            name,
        }
    }

    /// Loads and resolves, printing diagnostics; `Err(status)` if there were errors.
    pub fn resolve_ok(&self, file: Option<&Path>) -> Result<Resolved, i32> {
        let r = self.resolve(file);
        report(&r.diagnostics());
        if r.has_errors() {
            Err(CONFIG_ERROR)
        } else {
            Ok(r)
        }
    }
}

/// Writes `text` to `output`, or standard output (a reader that closed the pipe early is no
/// error).
pub fn write_out(output: Option<&Path>, text: &str) -> i32 {
    match output {
        None => {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Ok(()) => super::OK,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => super::OK,
                Err(e) => {
                    eprintln!("error: cannot write to standard output: {e}");
                    CONFIG_ERROR
                }
            }
        }
        Some(p) => match std::fs::write(p, text) {
            Ok(()) => super::OK,
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", p.display());
                CONFIG_ERROR
            }
        },
    }
}
