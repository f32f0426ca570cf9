//! Helpers shared by the integration tests.
#![allow(dead_code)]

use netstack_config::diagnostics::Diagnostic;
use netstack_config::load::{self, PresetList};
use netstack_config::resolve::{self, Outcome};
use netstack_config::schema::Schema;

/// The mini schema of `tests/data`.
pub fn mini() -> &'static Schema {
    static S: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        Schema::parse(include_str!("../data/mini-schema.toml")).expect("mini schema parses")
    })
}

/// Presets for the mini schema.
pub fn mini_presets() -> PresetList {
    PresetList(vec![
        ("default".into(), "".into(), None),
        ("big".into(), "tcp_snd_buf_default = 20000\n".into(), None),
        (
            "bigger".into(),
            "extends = \"big\"\ntcp_wnd_default = 30000\n".into(),
            None,
        ),
        ("loop-a".into(), "extends = \"loop-b\"\n".into(), None),
        ("loop-b".into(), "extends = \"loop-a\"\n".into(), None),
    ])
}

/// Loads `text` as `netstack.toml` against the mini schema and resolves it; returns the
/// outcome and every diagnostic as text lines.
pub fn run(text: &str) -> (Outcome<'static>, Vec<String>) {
    let loaded = load::load_text(mini(), &mini_presets(), "netstack.toml", text, None);
    let outcome = resolve::resolve(mini(), &loaded.assignments);
    let mut diags: Vec<Diagnostic> = loaded.diagnostics;
    diags.extend(outcome.diagnostics.iter().cloned());
    let lines = diags.iter().flat_map(|d| d.lines()).collect();
    (outcome, lines)
}

/// Only the diagnostic lines of `text`.
pub fn diags(text: &str) -> Vec<String> {
    run(text).1
}

/// The `netstack-config` binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_netstack-config");

/// Runs the binary with `args` in `dir` (without `NETSTACK_CONFIG`): exit code, stdout, stderr.
pub fn cli(args: &[&str], dir: &std::path::Path) -> (i32, String, String) {
    let out = std::process::Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("NETSTACK_CONFIG")
        .output()
        .expect("runs the binary");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The sdkconfig fixtures of each ESP-IDF release's dialect (`tests/fixtures`), oldest first.
pub const RELEASE_DIALECTS: &[&str] = &[
    "sdkconfig.v3.0",
    "sdkconfig.v3.3",
    "sdkconfig.v4.1",
    "sdkconfig.v4.4",
    "sdkconfig.v5.1",
    "sdkconfig.v5.3",
    "sdkconfig.v5.5",
];
