//! dnsmasq as the lab's DHCP server: DHCP only (no DNS), on the lab's end of the TAP,
//! logging every exchange and keeping its lease file where a test can read them.

use std::path::PathBuf;
use std::time::Duration;

use crate::background::Background;
use crate::lab::Lab;
use crate::preflight::require_tools;
use crate::wait::wait_for;

/// A running dnsmasq; stopped when dropped (or with its lab).
pub struct Dnsmasq {
    _process: Background,
    leases: PathBuf,
    log: PathBuf,
}

impl Dnsmasq {
    /// Starts dnsmasq on `lab`'s TAP with the lab's common settings (foreground, no
    /// configuration file, no DNS, `--log-dhcp`, lease, log and pid files named after the
    /// lab and `name`) plus `options` (the `--dhcp-range`, `--dhcp-option`, … of the test),
    /// and waits up to 10 s until it listens. Panics when dnsmasq is missing or does not
    /// start.
    pub fn start(lab: &Lab, name: &str, options: &[&str]) -> Dnsmasq {
        require_tools(&["dnsmasq"]);
        let dir = std::env::temp_dir().join("netstack-lab");
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|err| panic!("netstack-lab: cannot create {}: {err}", dir.display()));
        let file = |ext: &str| dir.join(format!("{}-{name}.{ext}", lab.namespace()));
        let (leases, log, pid) = (file("leases"), file("log"), file("pid"));
        for f in [&leases, &log] {
            let _ = std::fs::remove_file(f);
        }
        let common = [
            "dnsmasq".to_owned(),
            "--keep-in-foreground".to_owned(),
            "--conf-file=/dev/null".to_owned(),
            "--port=0".to_owned(),
            "--user=root".to_owned(),
            format!("--interface={}", lab.tap_name()),
            "--bind-interfaces".to_owned(),
            format!("--dhcp-leasefile={}", leases.display()),
            format!("--pid-file={}", pid.display()),
            "--log-dhcp".to_owned(),
            format!("--log-facility={}", log.display()),
        ];
        let mut args: Vec<&str> = common.iter().map(String::as_str).collect();
        args.extend_from_slice(options);
        let d = Dnsmasq {
            _process: lab.spawn(&args),
            leases,
            log,
        };
        // dnsmasq logs its start-up once it listens.
        wait_for("dnsmasq to start", Duration::from_secs(10), || {
            d.log_text().contains("DHCP, IP range")
        });
        d
    }

    /// Everything dnsmasq logged so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// dnsmasq's lease file as it is now.
    pub fn lease_text(&self) -> String {
        std::fs::read_to_string(&self.leases).unwrap_or_default()
    }

    /// How often `text` occurs in the log.
    pub fn count(&self, text: &str) -> usize {
        self.log_text().matches(text).count()
    }
}
