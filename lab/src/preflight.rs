//! Checks that the lab can work at all: root, `/dev/net/tun`, and every tool of
//! `lab/tools.txt`.
//!
//! The lab never skips a test silently: without root or a tool it panics and says what to
//! install (`scripts/setup.sh` installs all of it).

use std::env;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::tools::{ToolKind, package_of, tools_of};

/// Panics unless the process runs as root (effective uid 0).
pub fn require_root() {
    let status = fs::read_to_string("/proc/self/status")
        .expect("netstack-lab: cannot read /proc/self/status (is this Linux?)");
    let euid = status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .expect("netstack-lab: no Uid line in /proc/self/status");
    assert!(
        euid == "0",
        "netstack-lab: interop tests need root (network namespaces, TAP devices); \
         effective uid is {euid}. Run them as root, e.g. `sudo -E cargo test`."
    );
}

/// Whether `tool` is an executable on `PATH` (or a path to one).
pub fn has_tool(tool: &str) -> bool {
    if tool.contains('/') {
        return Path::new(tool).is_file();
    }
    let path = env::var_os("PATH").unwrap_or_default();
    env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(Into::into))
        .any(|dir| dir.join(tool).is_file())
}

/// What to say about a missing command: its name and the package to install.
fn install_hint(tool: &str) -> String {
    match package_of(ToolKind::Command, tool) {
        Some(package) => format!("{tool} (install {package})"),
        None => format!("{tool} (not in lab/tools.txt: add it there with its package)"),
    }
}

/// Panics, naming every missing one and its package, unless all `tools` are installed.
pub fn require_tools(tools: &[&str]) {
    let missing: Vec<String> = tools
        .iter()
        .filter(|t| !has_tool(t))
        .map(|t| install_hint(t))
        .collect();
    assert!(
        missing.is_empty(),
        "netstack-lab: missing tools: {} (scripts/setup.sh installs everything the tests use)",
        missing.join(", ")
    );
}

/// The Python modules of `lab/tools.txt` that Debian's `python3` cannot import, each with its
/// package; asked once per process.
fn missing_python_modules() -> &'static [String] {
    static MISSING: OnceLock<Vec<String>> = OnceLock::new();
    MISSING.get_or_init(|| {
        tools_of(ToolKind::Python)
            .filter(|module| {
                !Command::new("/usr/bin/python3")
                    .args(["-c", &format!("import {}", module.name)])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|status| status.success())
            })
            .map(|module| format!("python module {} (install {})", module.name, module.package))
            .collect()
    })
}

/// Panics unless the lab can run: root, `/dev/net/tun`, every command of `lab/tools.txt` and
/// every Python module it lists. The message names each missing one with its package.
pub fn preflight() {
    require_root();
    assert!(
        Path::new("/dev/net/tun").exists(),
        "netstack-lab: /dev/net/tun is missing (modprobe tun)"
    );
    let mut missing: Vec<String> = tools_of(ToolKind::Command)
        .filter(|tool| !has_tool(tool.name))
        .map(|tool| install_hint(tool.name))
        .collect();
    missing.extend(missing_python_modules().iter().cloned());
    assert!(
        missing.is_empty(),
        "netstack-lab: missing: {} (scripts/setup.sh installs everything the tests use)",
        missing.join(", ")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_tool_is_named_with_its_package() {
        assert_eq!(install_hint("tshark"), "tshark (install tshark)");
        assert_eq!(install_hint("dnsmasq"), "dnsmasq (install dnsmasq-base)");
        assert!(install_hint("no-such-tool").contains("not in lab/tools.txt"));
        let absent = format!("no-such-tool-{}", std::process::id());
        let message = std::panic::catch_unwind(|| require_tools(&[&absent]))
            .expect_err("a missing tool panics");
        let text = message
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(text.contains(&absent), "{text}");
        assert!(text.contains("scripts/setup.sh"), "{text}");
    }
}
