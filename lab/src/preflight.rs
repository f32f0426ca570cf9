//! Checks that the lab can work at all: root, and the tools it drives.
//!
//! The lab never skips a test silently: without root or a tool it panics and says what to
//! install.

use std::env;
use std::fs;
use std::path::Path;

/// Tools every lab needs, with the Debian package that provides each.
pub const REQUIRED_TOOLS: &[(&str, &str)] = &[
    ("ip", "iproute2"),
    ("tc", "iproute2"),
    ("kill", "procps"),
    ("dumpcap", "wireshark-common"),
    ("tshark", "tshark"),
];

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

/// Panics, naming every missing one, unless all `tools` are installed.
pub fn require_tools(tools: &[&str]) {
    let missing: Vec<&str> = tools.iter().copied().filter(|t| !has_tool(t)).collect();
    assert!(
        missing.is_empty(),
        "netstack-lab: missing tools: {} (install them, e.g. apt-get install iproute2 \
         tshark iputils-ping)",
        missing.join(", ")
    );
}

/// Panics unless the lab can run: root, `/dev/net/tun` and the [`REQUIRED_TOOLS`].
pub fn preflight() {
    require_root();
    assert!(
        Path::new("/dev/net/tun").exists(),
        "netstack-lab: /dev/net/tun is missing (modprobe tun)"
    );
    let missing: Vec<String> = REQUIRED_TOOLS
        .iter()
        .filter(|(tool, _)| !has_tool(tool))
        .map(|(tool, package)| format!("{tool} (package {package})"))
        .collect();
    assert!(
        missing.is_empty(),
        "netstack-lab: missing tools: {}",
        missing.join(", ")
    );
}
