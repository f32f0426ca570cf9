//! The test entry points stay wired: `.ci/run` runs the README's test command, which runs the
//! set-up and the fuzz smoke run, and every script is executable (a script that lost its run
//! bit once made CI skip the fuzz step without a word).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_script_is_executable() {
    let mut scripts: Vec<PathBuf> = fs::read_dir(root().join("scripts"))
        .expect("scripts/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .collect();
    scripts.push(root().join(".ci/run"));
    assert!(scripts.len() >= 4, "{scripts:?}");
    for script in scripts {
        let mode = fs::metadata(&script).expect("stat").permissions().mode();
        assert!(mode & 0o111 != 0, "{} is not executable", script.display());
    }
}

#[test]
fn ci_runs_the_readme_test_command_which_sets_up_and_fuzzes() {
    assert!(read(".ci/run").contains("exec scripts/test.sh"));
    assert!(read("README.md").contains("scripts/test.sh"));
    let test = read("scripts/test.sh");
    for called in [
        "scripts/setup.sh",
        "scripts/fuzz-smoke.sh",
        "scripts/product-template.sh",
    ] {
        assert!(
            test.contains(called),
            "scripts/test.sh does not run {called}"
        );
    }
    // The fuzz step fails, never skips, when its script cannot run.
    assert!(test.contains("[ ! -x scripts/fuzz-smoke.sh ]"));
    assert!(read("scripts/setup.sh").contains("lab/tools.txt"));
}
