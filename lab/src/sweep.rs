//! Removing what crashed lab runs left behind.
//!
//! A lab names its namespace `nslab-<pid>-<n>` and its TAP `nlab<pid>t<n>`; anything with
//! those prefixes whose process is gone is a leftover. Labs of running processes (parallel
//! test binaries) are left alone.

use std::path::Path;

use crate::command::{must, quietly};

/// Prefix of every lab namespace.
pub const NAMESPACE_PREFIX: &str = "nslab-";
/// Prefix of every lab TAP interface.
pub const TAP_PREFIX: &str = "nlab";

/// The pid encoded in a lab namespace or TAP name, if it is one.
pub(crate) fn owner_pid(name: &str) -> Option<u32> {
    if let Some(rest) = name.strip_prefix(NAMESPACE_PREFIX) {
        return rest.split('-').next()?.parse().ok();
    }
    let rest = name.strip_prefix(TAP_PREFIX)?;
    rest.split('t').next()?.parse().ok()
}

fn is_stale(name: &str) -> bool {
    owner_pid(name).is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists())
}

/// Deletes lab namespaces and root-namespace TAPs whose owning process is gone; returns
/// how many it removed.
pub fn sweep_leftovers() -> usize {
    let mut removed = 0;
    for line in must(&["ip", "netns", "list"]).lines() {
        let Some(name) = line.split_whitespace().next() else {
            continue;
        };
        if is_stale(name) {
            kill_all_in(name);
            if quietly(&["ip", "netns", "delete", name]) {
                removed += 1;
            }
        }
    }
    for line in must(&["ip", "-o", "link", "show"]).lines() {
        // "12: nlab123t0: <BROADCAST,...>" (a moved link may read "nlab123t0@if5").
        let Some(name) = line.split(':').nth(1).map(str::trim) else {
            continue;
        };
        let name = name.split('@').next().unwrap_or(name);
        if is_stale(name) && quietly(&["ip", "link", "delete", name]) {
            removed += 1;
        }
    }
    removed
}

/// Kills every process still running inside namespace `ns`, waiting (up to two seconds)
/// until none is left.
pub(crate) fn kill_all_in(ns: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        let Ok(pids) = std::process::Command::new("ip")
            .args(["netns", "pids", ns])
            .output()
        else {
            return;
        };
        let pids: Vec<u32> = String::from_utf8_lossy(&pids.stdout)
            .split_whitespace()
            .filter_map(|pid| pid.parse().ok())
            .collect();
        if pids.is_empty() || std::time::Instant::now() > deadline {
            return;
        }
        for pid in pids {
            crate::command::signal(pid, "KILL");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_pids_are_read_from_names() {
        assert_eq!(owner_pid("nslab-1234-7"), Some(1234));
        assert_eq!(owner_pid("nlab1234t7"), Some(1234));
        assert_eq!(owner_pid("eth0"), None);
        assert_eq!(owner_pid("nslab-x-1"), None);
    }
}
