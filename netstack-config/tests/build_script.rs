//! `cargo build -p netstack` with `NETSTACK_CONFIG` naming a file with a typo: the build
//! fails with the `FILE:LINE:COL` message and the did-you-mean, without a panic.
//!
//! It reuses the target directory this test was built in, so only netstack's build script
//! reruns (it depends on `NETSTACK_CONFIG`); the next ordinary build reruns it once more.

use std::path::Path;
use std::process::Command;

#[test]
fn typo_fails_the_netstack_build_with_a_located_message() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("netstack.toml");
    std::fs::write(&config, "extends = \"min-ram\"\n\ntcp_mms = 1000\n").unwrap();
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--quiet", "-p", "netstack", "--manifest-path"])
        .arg(workspace.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target)
        .env("NETSTACK_CONFIG", &config)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    let expected = format!(
        "{}:3:1: error: unknown option `tcp_mms`; did you mean `tcp_mss`?",
        config.display()
    );
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
