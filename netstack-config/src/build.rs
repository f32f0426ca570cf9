//! The entry point for `netstack/build.rs`: find the product's `netstack.toml`, resolve it,
//! write `$OUT_DIR/config.rs`, and talk to cargo.
//!
//! Where the file comes from: `NETSTACK_CONFIG` (a path). A relative path is tried against
//! `$PWD` (cargo leaves the invoking shell's directory there), then against the workspace root
//! found by walking up from `CARGO_MANIFEST_DIR`. Unset: the embedded `configs/default.toml`.
//! Either way the build prints a cargo warning naming the configuration it uses, so a product
//! whose `NETSTACK_CONFIG` was not seen notices.
//!
//! ```no_run
//! // The body of `fn main` in netstack/build.rs:
//! netstack_config::build::run();
//! ```

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::codegen;
use crate::diagnostics::{Diagnostic, Severity};
use crate::load::{self, Presets};
use crate::resolve;
use crate::schema::Schema;

/// The environment variable naming the product's config file.
pub const ENV_VAR: &str = "NETSTACK_CONFIG";

/// What the build module reads from the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildEnv {
    /// `NETSTACK_CONFIG`.
    pub netstack_config: Option<OsString>,
    /// `PWD`: the directory cargo was invoked from.
    pub pwd: Option<PathBuf>,
    /// `CARGO_MANIFEST_DIR` of the crate being built.
    pub manifest_dir: Option<PathBuf>,
}

impl BuildEnv {
    /// Reads the process environment.
    pub fn from_env() -> Self {
        Self {
            netstack_config: std::env::var_os(ENV_VAR).filter(|v| !v.is_empty()),
            pwd: std::env::var_os("PWD").map(PathBuf::from),
            manifest_dir: std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from),
        }
    }
}

/// Which configuration to build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigChoice {
    /// `NETSTACK_CONFIG` unset: the embedded default preset.
    Default,
    /// This file.
    File(PathBuf),
}

/// `NETSTACK_CONFIG` names a file that is not there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFound {
    /// The value of `NETSTACK_CONFIG`.
    pub given: PathBuf,
    /// Every place looked at.
    pub tried: Vec<PathBuf>,
}

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{ENV_VAR}={} not found; looked at ",
            self.given.display()
        )?;
        let tried: Vec<String> = self.tried.iter().map(|p| p.display().to_string()).collect();
        f.write_str(&tried.join(", "))
    }
}

impl std::error::Error for NotFound {}

/// The nearest directory at or above `start` whose `Cargo.toml` declares `[workspace]`.
pub fn workspace_root(start: &Path) -> Option<PathBuf> {
    start.ancestors().find_map(|dir| {
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
        manifest
            .lines()
            .any(|l| l.trim() == "[workspace]")
            .then(|| dir.to_path_buf())
    })
}

/// Decides which configuration file to use (see the module docs).
pub fn locate(env: &BuildEnv) -> Result<ConfigChoice, NotFound> {
    let Some(given) = env.netstack_config.as_ref().map(PathBuf::from) else {
        return Ok(ConfigChoice::Default);
    };
    let mut tried = Vec::new();
    if given.is_absolute() {
        tried.push(given.clone());
    } else {
        if let Some(pwd) = &env.pwd {
            tried.push(pwd.join(&given));
        }
        if let Some(root) = env.manifest_dir.as_deref().and_then(workspace_root) {
            tried.push(root.join(&given));
        }
        if tried.is_empty() {
            tried.push(given.clone());
        }
    }
    match tried.iter().find(|p| p.is_file()) {
        Some(p) => Ok(ConfigChoice::File(p.clone())),
        None => Err(NotFound { given, tried }),
    }
}

/// The build's warning when `NETSTACK_CONFIG` is unset: a product whose setting was not seen
/// (cargo run from another directory than the one holding its `.cargo/config.toml`) learns it
/// here, and from `netstack::expect_config!` as a compile error.
pub const UNSET_WARNING: &str = "NETSTACK_CONFIG is unset, so this build uses the \
     built-in default configuration (configs/default.toml); a product names its netstack.toml \
     in NETSTACK_CONFIG and states it with netstack::expect_config!";

/// What a build should do: lines for cargo and, if the config is valid, the generated code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildOutput {
    /// `cargo::...` lines, in order.
    pub instructions: Vec<String>,
    /// The content of `config.rs`; `None` when the configuration is invalid.
    pub config_rs: Option<String>,
}

impl BuildOutput {
    /// Whether the build succeeded.
    pub fn ok(&self) -> bool {
        self.config_rs.is_some()
    }
}

fn diag_lines(out: &mut Vec<String>, d: &Diagnostic) {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning | Severity::Note => "warning",
    };
    for line in d.lines() {
        out.push(format!("cargo::{kind}={line}"));
    }
}

/// Does the whole job against a given schema and preset set, without touching the process:
/// `extra_rerun` are files (the schema, ...) whose change must rebuild.
pub fn build_with(
    schema: &Schema,
    presets: &dyn Presets,
    env: &BuildEnv,
    extra_rerun: &[PathBuf],
) -> BuildOutput {
    let mut out = BuildOutput::default();
    out.instructions
        .push(format!("cargo::rerun-if-env-changed={ENV_VAR}"));
    if env
        .netstack_config
        .as_ref()
        .is_some_and(|v| Path::new(v).is_relative())
    {
        out.instructions
            .push("cargo::rerun-if-env-changed=PWD".into());
    }
    for p in extra_rerun.iter().filter(|p| p.exists()) {
        out.instructions
            .push(format!("cargo::rerun-if-changed={}", p.display()));
    }
    let (loaded, source) = match locate(env) {
        Ok(ConfigChoice::Default) => {
            out.instructions
                .push(format!("cargo::warning={UNSET_WARNING}"));
            (
                load::load_preset(schema, presets, "default"),
                "default (configs/default.toml)".to_owned(),
            )
        }
        Ok(ConfigChoice::File(path)) => {
            out.instructions.push(format!(
                "cargo::warning=configuration from {ENV_VAR}={}",
                path.display()
            ));
            (
                load::load_path(schema, presets, &path),
                path.display().to_string(),
            )
        }
        Err(e) => {
            out.instructions.push(format!("cargo::error={e}"));
            return out;
        }
    };
    for f in &loaded.files {
        out.instructions
            .push(format!("cargo::rerun-if-changed={}", f.display()));
    }
    let mut diags = loaded.diagnostics;
    let outcome = resolve::resolve(schema, &loaded.assignments);
    diags.extend(outcome.diagnostics.iter().cloned());
    // Load errors (unknown keys, bad types) make the configuration invalid too.
    let valid = if crate::diagnostics::has_errors(&diags) {
        None
    } else {
        outcome.into_valid().ok()
    };
    for d in &diags {
        diag_lines(&mut out.instructions, d);
    }
    let Some((valid, _)) = valid else { return out };
    let generated = codegen::generate(&valid, &source);
    for c in &generated.check_cfgs {
        out.instructions.push(format!("cargo::rustc-check-cfg={c}"));
    }
    for c in &generated.cfgs {
        out.instructions.push(format!("cargo::rustc-cfg={c}"));
    }
    out.config_rs = Some(generated.rust);
    out
}

/// Runs `out` for cargo: writes `config.rs` into `out_dir` and prints the instructions.
/// Returns false if the build must fail.
pub fn emit(out: &BuildOutput, out_dir: &Path) -> bool {
    for line in &out.instructions {
        println!("{line}");
    }
    let Some(code) = &out.config_rs else {
        return false;
    };
    write_if_changed(&out_dir.join("config.rs"), code)
}

/// Everything `netstack/build.rs` needs: resolves the configuration named by
/// `NETSTACK_CONFIG` against the embedded schema and presets, writes `$OUT_DIR/config.rs` and
/// `$OUT_DIR/hook_points.rs` (the hook points' trait methods and constants, from
/// `schema/hooks.toml`: [`HookPoints::netstack_rs`](crate::hooks::HookPoints::netstack_rs)),
/// prints the cargo instructions, and on an invalid configuration prints every diagnostic
/// as `cargo::error=` lines, which fail the build with just those messages (no panic, no
/// backtrace, no dump of the script's other output).
pub fn run() {
    let schema = match crate::embedded::schema() {
        Ok(s) => s,
        Err(errors) => {
            for e in errors {
                println!("cargo::error={e}");
            }
            return;
        }
    };
    let env = BuildEnv::from_env();
    let extra = [
        PathBuf::from(crate::embedded::SCHEMA_PATH),
        PathBuf::from(crate::embedded::HOOKS_PATH),
    ];
    let out = build_with(schema, &crate::embedded::EmbeddedPresets, &env, &extra);
    let Some(out_dir) = std::env::var_os("OUT_DIR") else {
        println!(
            "cargo::error=OUT_DIR is not set: netstack_config::build::run() must run inside a build script"
        );
        return;
    };
    // On failure `emit` has printed `cargo::error=` lines; they alone fail the build.
    if emit(&out, Path::new(&out_dir))
        && let Ok(hooks) = crate::embedded::hooks()
    {
        write_if_changed(
            &Path::new(&out_dir).join("hook_points.rs"),
            &hooks.netstack_rs(),
        );
    }
}

/// Writes `text` to `path` unless it already holds it (so dependents do not rebuild for
/// nothing); a failure is a `cargo::error=` line.
fn write_if_changed(path: &Path, text: &str) -> bool {
    if std::fs::read_to_string(path).ok().as_deref() == Some(text) {
        return true;
    }
    match std::fs::write(path, text) {
        Ok(()) => true,
        Err(e) => {
            println!("cargo::error=cannot write {}: {e}", path.display());
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::PresetList;

    fn mini() -> Schema {
        Schema::parse(include_str!("../tests/data/mini-schema.toml")).unwrap()
    }

    fn env(config: Option<&str>, pwd: Option<&Path>, manifest: Option<&Path>) -> BuildEnv {
        BuildEnv {
            netstack_config: config.map(OsString::from),
            pwd: pwd.map(Path::to_path_buf),
            manifest_dir: manifest.map(Path::to_path_buf),
        }
    }

    #[test]
    fn unset_means_default() {
        assert_eq!(locate(&BuildEnv::default()), Ok(ConfigChoice::Default));
    }

    #[test]
    fn relative_path_tries_pwd_then_workspace_root() {
        let ws = tempfile::tempdir().unwrap();
        std::fs::write(ws.path().join("Cargo.toml"), "[workspace]\nmembers = []\n").unwrap();
        let krate = ws.path().join("netstack");
        std::fs::create_dir(&krate).unwrap();
        std::fs::write(krate.join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
        std::fs::write(ws.path().join("n.toml"), "").unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        // Not in PWD: found at the workspace root.
        let e = env(Some("n.toml"), Some(elsewhere.path()), Some(&krate));
        assert_eq!(locate(&e), Ok(ConfigChoice::File(ws.path().join("n.toml"))));
        assert_eq!(workspace_root(&krate).as_deref(), Some(ws.path()));
        // In PWD: PWD wins.
        std::fs::write(elsewhere.path().join("n.toml"), "").unwrap();
        assert_eq!(
            locate(&e),
            Ok(ConfigChoice::File(elsewhere.path().join("n.toml")))
        );
        // Nowhere: the error lists both places.
        let e = env(Some("none.toml"), Some(elsewhere.path()), Some(&krate));
        let err = locate(&e).unwrap_err();
        assert_eq!(
            err.tried,
            [
                elsewhere.path().join("none.toml"),
                ws.path().join("none.toml")
            ]
        );
        assert!(
            err.to_string()
                .starts_with("NETSTACK_CONFIG=none.toml not found; looked at ")
        );
    }

    #[test]
    fn absolute_path() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.toml");
        std::fs::write(&p, "").unwrap();
        assert_eq!(
            locate(&env(p.to_str(), None, None)),
            Ok(ConfigChoice::File(p))
        );
    }

    #[test]
    fn valid_config_output() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("n.toml");
        std::fs::write(&p, "extends = \"base\"\nipv6 = false\ntcp_rcv_scale = 2\n").unwrap();
        let presets = PresetList(vec![(
            "base".into(),
            "tcp_mss = 1000\n".into(),
            Some(dir.path().join("base.toml")),
        )]);
        let out = build_with(
            &mini(),
            &presets,
            &env(p.to_str(), None, None),
            std::slice::from_ref(&p),
        );
        assert!(out.ok());
        let i = &out.instructions;
        assert_eq!(i[0], "cargo::rerun-if-env-changed=NETSTACK_CONFIG");
        assert!(i.contains(&format!(
            "cargo::warning=configuration from NETSTACK_CONFIG={}",
            p.display()
        )));
        assert!(i.contains(&format!("cargo::rerun-if-changed={}", p.display())));
        assert!(i.contains(&format!(
            "cargo::rerun-if-changed={}",
            dir.path().join("base.toml").display()
        )));
        assert!(i.iter().any(|l| l.starts_with("cargo::warning=")
            && l.contains("n.toml:3:1: warning: tcp_rcv_scale is set")));
        assert!(i.contains(&"cargo::rustc-check-cfg=cfg(netstack_ipv6)".to_owned()));
        assert!(i.contains(&"cargo::rustc-check-cfg=cfg(netstack_tcp_oversize, values(\"mss\", \"quarter_mss\", \"disable\"))".to_owned()));
        assert!(i.contains(&"cargo::rustc-cfg=netstack_ipv4".to_owned()));
        assert!(!i.contains(&"cargo::rustc-cfg=netstack_ipv6".to_owned()));
        assert!(i.contains(&"cargo::rustc-cfg=netstack_tcp_oversize=\"mss\"".to_owned()));
        let code = out.config_rs.as_deref().unwrap();
        assert!(code.contains("pub const TCP_MSS: u16 = 1000;"));
        assert!(code.contains(&format!(
            "pub const SOURCE: &str = {:?};",
            p.display().to_string()
        )));
        let out_dir = tempfile::tempdir().unwrap();
        assert!(emit(&out, out_dir.path()));
        assert_eq!(
            std::fs::read_to_string(out_dir.path().join("config.rs")).unwrap(),
            code
        );
    }

    #[test]
    fn invalid_config_output() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("n.toml");
        std::fs::write(&p, "tcp_mms = 1000\ntcp_snd_buf_default = 2500\n").unwrap();
        let out = build_with(
            &mini(),
            &PresetList::default(),
            &env(p.to_str(), None, None),
            &[],
        );
        assert!(!out.ok());
        let errors: Vec<&String> = out
            .instructions
            .iter()
            .filter(|l| l.starts_with("cargo::error="))
            .collect();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert_eq!(
            *errors[0],
            format!(
                "cargo::error={}:1:1: error: unknown option `tcp_mms`; did you mean `tcp_mss`?",
                p.display()
            )
        );
        assert_eq!(*errors[2], "cargo::error=note: tcp_mss = 1440 (default)");
        assert!(
            !out.instructions
                .iter()
                .any(|l| l.starts_with("cargo::rustc-cfg"))
        );
        let out_dir = tempfile::tempdir().unwrap();
        assert!(!emit(&out, out_dir.path()));
        assert!(!out_dir.path().join("config.rs").exists());
    }

    #[test]
    fn missing_file_is_an_error_not_a_panic() {
        let out = build_with(
            &mini(),
            &PresetList::default(),
            &env(Some("/nonexistent/n.toml"), None, None),
            &[],
        );
        assert!(!out.ok());
        assert!(out.instructions.contains(&"cargo::error=NETSTACK_CONFIG=/nonexistent/n.toml not found; looked at /nonexistent/n.toml".to_owned()));
    }

    #[test]
    fn default_when_unset() {
        let out = build_with(&mini(), &PresetList::default(), &BuildEnv::default(), &[]);
        assert!(out.ok(), "{:?}", out.instructions);
        assert!(
            out.instructions
                .contains(&format!("cargo::warning={UNSET_WARNING}"))
        );
        assert!(
            out.config_rs
                .unwrap()
                .contains("pub const SOURCE: &str = \"default (configs/default.toml)\";")
        );
    }
}
