//! What `netstack::expect_config!` checks: a product's own `netstack.toml`, resolved here,
//! against the configuration netstack was built with.
//!
//! netstack's build script takes its configuration from `NETSTACK_CONFIG`, which a product
//! usually sets in its `.cargo/config.toml`; cargo reads that file only from the directory it
//! runs in, so a build started elsewhere quietly uses another configuration. The macro
//! resolves the product's file with [`expect`] and emits a compile-time comparison of
//! [`Expectation::summary`] with `netstack::config::SUMMARY` (the same canonical text:
//! [`crate::resolve::Config::summary`]); [`mismatch_message`] is what the build says when they
//! differ.

use std::path::{Path, PathBuf};

use crate::build::{self, BuildEnv, ConfigChoice, ENV_VAR};
use crate::diagnostics::has_errors;
use crate::embedded::{self, EmbeddedPresets};
use crate::load::{self, Loaded};
use crate::resolve::{self, Config};

/// A product's configuration, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// The file, as an absolute path.
    pub path: PathBuf,
    /// Every file read for it (the file and what it `extends` on disk): the expansion
    /// includes them so that the product rebuilds when one changes.
    pub files: Vec<PathBuf>,
    /// The resolved configuration as `netstack::config::SUMMARY` spells it.
    pub summary: String,
}

/// Loads and resolves `given` (relative to `crate_dir`, the calling crate's
/// `CARGO_MANIFEST_DIR`). The error is the message for the product: the file is missing or
/// invalid (with the validator's `FILE:LINE:COL` lines).
pub fn expect(crate_dir: &Path, given: &str) -> Result<Expectation, String> {
    let path = crate_dir.join(given);
    if !path.is_file() {
        return Err(format!(
            "expect_config!: {} not found (a relative path is taken from the crate's \
             directory, where its Cargo.toml is)",
            path.display()
        ));
    }
    let schema = embedded::schema().map_err(|e| format!("netstack-config's schema: {e:?}"))?;
    let loaded = load::load_path(schema, &EmbeddedPresets, &path);
    let outcome = resolve::resolve(schema, &loaded.assignments);
    let mut diags = loaded.diagnostics.clone();
    diags.extend(outcome.diagnostics.iter().cloned());
    if has_errors(&diags) {
        let lines: Vec<String> = diags
            .iter()
            .filter(|d| d.is_error())
            .flat_map(|d| d.lines())
            .collect();
        return Err(format!(
            "expect_config!: {} is invalid:\n{}",
            path.display(),
            lines.join("\n")
        ));
    }
    Ok(Expectation {
        files: loaded.files.clone(),
        summary: outcome.config.summary(),
        path,
    })
}

/// What the current environment makes netstack's build script read, resolved: a best guess
/// from the macro's side (the build script ran in a process of its own), used only to explain
/// a mismatch. `None` when it cannot be worked out.
fn guess_built(env: &BuildEnv) -> Option<(String, Loaded)> {
    let schema = embedded::schema().ok()?;
    match build::locate(env).ok()? {
        ConfigChoice::Default => Some((
            format!(
                "{ENV_VAR} is unset, so netstack used its built-in default (configs/default.toml)"
            ),
            load::load_preset(schema, &EmbeddedPresets, "default"),
        )),
        ConfigChoice::File(p) => Some((
            format!("this build's {ENV_VAR} names {}", p.display()),
            load::load_path(schema, &EmbeddedPresets, &p),
        )),
    }
}

/// How many differing options a mismatch message lists.
const LISTED: usize = 8;

/// `key: built -> expected` for the options whose values differ.
fn differences(built: &Config<'_>, expected: &Config<'_>) -> Vec<String> {
    built
        .iter()
        .zip(expected.iter())
        .filter(|((_, a), (_, b))| a.value != b.value)
        .map(|((def, a), (_, b))| {
            format!(
                "{} = {} (built) / {} (expected)",
                def.key,
                a.value.to_toml(def.is_hex()),
                b.value.to_toml(def.is_hex())
            )
        })
        .collect()
}

/// The compile error for a build whose netstack configuration is not `expected`: what was
/// used (as far as `env` tells), which options differ, and how to point the build at the
/// file. `crate_dir` is the product crate's directory.
pub fn mismatch_message(expected: &Expectation, crate_dir: &Path, env: &BuildEnv) -> String {
    let file = expected.path.display();
    let mut msg = format!("netstack was built with another configuration than {file}");
    if let Some(schema) = embedded::schema().ok()
        && let Some((what, loaded)) = guess_built(env)
        && !has_errors(&loaded.diagnostics)
    {
        msg.push_str(&format!(": {what}"));
        let built = resolve::resolve(schema, &loaded.assignments).config;
        let wanted = load::load_path(schema, &EmbeddedPresets, &expected.path);
        let wanted = resolve::resolve(schema, &wanted.assignments).config;
        let diff = differences(&built, &wanted);
        if !diff.is_empty() {
            let more = diff.len().saturating_sub(LISTED);
            msg.push_str(&format!("; {} option(s) differ: ", diff.len()));
            msg.push_str(&diff[..diff.len().min(LISTED)].join(", "));
            if more > 0 {
                msg.push_str(&format!(", and {more} more"));
            }
        }
    }
    let dir = crate_dir.display();
    let relative = expected
        .path
        .strip_prefix(crate_dir)
        .unwrap_or(&expected.path)
        .display();
    msg.push_str(&format!(
        ". Set {ENV_VAR} to the product's file: in {dir}/.cargo/config.toml \
         (`[env] {ENV_VAR} = {{ value = \"{relative}\", relative = true }}`) and run cargo \
         from {dir}, or `export {ENV_VAR}={file}` (cargo reads .cargo/config.toml only from \
         the directory it runs in, not from --manifest-path)"
    ));
    msg
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn product(text: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("netstack.toml"), text).unwrap();
        dir
    }

    #[test]
    fn resolves_the_file_relative_to_the_crate() {
        let dir = product("extends = \"min-ram\"\nmax_sockets = 6\n");
        let e = expect(dir.path(), "netstack.toml").unwrap();
        assert_eq!(e.path, dir.path().join("netstack.toml"));
        // The file, then the preset it extends (read from the source tree).
        assert_eq!(e.files[0], dir.path().join("netstack.toml"));
        assert!(
            e.files[1].ends_with("configs/min-ram.toml"),
            "{:?}",
            e.files
        );
        assert!(e.summary.contains("\nmax_sockets = 6\n"), "{}", e.summary);
    }

    #[test]
    fn missing_and_invalid_files_are_errors() {
        let dir = product("tcp_mms = 1000\n");
        let err = expect(dir.path(), "nope.toml").unwrap_err();
        assert!(err.contains("nope.toml not found"), "{err}");
        assert!(err.contains("taken from the crate's directory"), "{err}");
        let err = expect(dir.path(), "netstack.toml").unwrap_err();
        assert!(err.contains("did you mean `tcp_mss`?"), "{err}");
        assert!(err.contains("netstack.toml:1:1: error:"), "{err}");
    }

    #[test]
    fn mismatch_names_the_default_the_differences_and_the_fix() {
        let dir = product("max_sockets = 4\n");
        let e = expect(dir.path(), "netstack.toml").unwrap();
        let msg = mismatch_message(&e, dir.path(), &BuildEnv::default());
        assert!(
            msg.starts_with(&format!(
                "netstack was built with another configuration than {}: NETSTACK_CONFIG is unset",
                e.path.display()
            )),
            "{msg}"
        );
        assert!(
            msg.contains("1 option(s) differ: max_sockets = 10 (built) / 4 (expected)"),
            "{msg}"
        );
        assert!(
            msg.contains(
                "`[env] NETSTACK_CONFIG = { value = \"netstack.toml\", relative = true }`"
            ),
            "{msg}"
        );
        assert!(
            msg.contains(&format!("export NETSTACK_CONFIG={}", e.path.display())),
            "{msg}"
        );
    }

    #[test]
    fn mismatch_with_another_file() {
        let dir = product("max_sockets = 4\n");
        let other = dir.path().join("other.toml");
        std::fs::write(&other, "extends = \"min-ram\"\n").unwrap();
        let e = expect(dir.path(), "netstack.toml").unwrap();
        let env = BuildEnv {
            netstack_config: Some(OsString::from(&other)),
            ..BuildEnv::default()
        };
        let msg = mismatch_message(&e, dir.path(), &env);
        assert!(
            msg.contains(&format!(
                ": this build's NETSTACK_CONFIG names {}; ",
                other.display()
            )),
            "{msg}"
        );
        assert!(msg.contains("option(s) differ"), "{msg}");
    }
}
