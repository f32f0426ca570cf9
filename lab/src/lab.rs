//! [`Lab`]: a network namespace with a TAP link to the stack under test.

use std::fmt::Debug;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::Once;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::background::Background;
use crate::capture::Capture;
use crate::command::{drain, must, quietly, run};
use crate::error::{ExecError, QdiscError};
use crate::neighbor::{Neighbor, format_mac, parse_mac, parse_multicast_groups, parse_neighbors};
use crate::plan;
use crate::preflight::{preflight, require_tools};
use crate::sweep::{NAMESPACE_PREFIX, TAP_PREFIX, kill_all_in, sweep_leftovers};

/// How long [`Lab::exec`] lets a command run.
pub const EXEC_TIMEOUT: Duration = Duration::from_secs(10);

/// Name of the interface carrying the second subnet (one end of a veth pair inside the
/// namespace).
pub const REMOTE_IFACE: &str = "labremote";
/// The other end of the second subnet's veth pair.
const REMOTE_PEER: &str = "labremote-p";

static NEXT_ID: AtomicU32 = AtomicU32::new(0);
static SWEEP: Once = Once::new();

/// Options for building a [`Lab`].
#[derive(Debug, Clone, Default)]
pub struct LabBuilder {
    mtu: Option<u32>,
    ipv6: bool,
    second_subnet: bool,
}

impl LabBuilder {
    /// Sets the TAP's MTU (Linux's default is 1500).
    pub fn mtu(mut self, mtu: u32) -> LabBuilder {
        self.mtu = Some(mtu);
        self
    }

    /// Enables IPv6 on the TAP with [`plan::LINUX_ADDR6`]. Off by default, so captures
    /// of IPv4 tests hold no router solicitations or MLD reports.
    pub fn ipv6(mut self, on: bool) -> LabBuilder {
        self.ipv6 = on;
        self
    }

    /// Adds the second subnet ([`plan::REMOTE_ADDR`] on interface [`REMOTE_IFACE`]) and a route to
    /// [`plan::ROUTED_NET`] via the stack, and turns on forwarding in the namespace.
    pub fn second_subnet(mut self, on: bool) -> LabBuilder {
        self.second_subnet = on;
        self
    }

    /// Builds a lab whose TAP is opened by this process: the TAP is made in the current
    /// namespace, `open` attaches to it by name, then it is moved into the lab's namespace
    /// (the descriptor stays attached) and configured there. Panics if `open` fails.
    pub fn open_tap<T, E: Debug>(self, open: impl FnOnce(&str) -> Result<T, E>) -> (Lab, T) {
        let mut lab = Lab::empty();
        must(&["ip", "tuntap", "add", "dev", &lab.tap, "mode", "tap"]);
        lab.tap_in_root = true;
        if let Some(mtu) = self.mtu {
            must(&[
                "ip",
                "link",
                "set",
                "dev",
                &lab.tap,
                "mtu",
                &mtu.to_string(),
            ]);
        }
        let device = open(&lab.tap)
            .unwrap_or_else(|err| panic!("netstack-lab: opening TAP {} failed: {err:?}", lab.tap));
        must(&["ip", "link", "set", "dev", &lab.tap, "netns", &lab.ns]);
        lab.tap_in_root = false;
        self.configure(&lab);
        (lab, device)
    }

    /// Builds a lab whose TAP lives in the namespace from the start, for a program run
    /// inside it (`lab.spawn(&["prog", "--tap", lab.tap_name()])`) that opens it there.
    pub fn tap_in_namespace(self) -> Lab {
        let lab = Lab::empty();
        must(&[
            "ip", "-n", &lab.ns, "tuntap", "add", "dev", &lab.tap, "mode", "tap",
        ]);
        if let Some(mtu) = self.mtu {
            must(&[
                "ip",
                "-n",
                &lab.ns,
                "link",
                "set",
                "dev",
                &lab.tap,
                "mtu",
                &mtu.to_string(),
            ]);
        }
        self.configure(&lab);
        lab
    }

    /// Addresses, MAC and link state of the Linux side, once the TAP is in the namespace.
    fn configure(&self, lab: &Lab) {
        let ns = lab.ns.as_str();
        let tap = lab.tap.as_str();
        let mac = format_mac(plan::LINUX_MAC);
        must(&["ip", "-n", ns, "link", "set", "dev", tap, "address", &mac]);
        let v4 = format!("{}/{}", plan::LINUX_ADDR, plan::PREFIX_LEN);
        must(&["ip", "-n", ns, "addr", "add", &v4, "dev", tap]);
        if self.ipv6 {
            let v6 = format!("{}/{}", plan::LINUX_ADDR6, plan::PREFIX_LEN6);
            must(&["ip", "-n", ns, "addr", "add", &v6, "dev", tap, "nodad"]);
        } else {
            let key = format!("net.ipv6.conf.{tap}.disable_ipv6=1");
            must(&["ip", "netns", "exec", ns, "sysctl", "-q", "-w", &key]);
        }
        must(&["ip", "-n", ns, "link", "set", "dev", tap, "up"]);
        if self.second_subnet {
            // A veth pair with both ends in the namespace (the kernel may lack `dummy`).
            must(&[
                "ip",
                "-n",
                ns,
                "link",
                "add",
                REMOTE_IFACE,
                "type",
                "veth",
                "peer",
                "name",
                REMOTE_PEER,
            ]);
            must(&["ip", "-n", ns, "link", "set", "dev", REMOTE_PEER, "up"]);
            let remote = format!("{}/{}", plan::REMOTE_ADDR, plan::PREFIX_LEN);
            must(&["ip", "-n", ns, "addr", "add", &remote, "dev", REMOTE_IFACE]);
            must(&["ip", "-n", ns, "link", "set", "dev", REMOTE_IFACE, "up"]);
            let routed = format!("{}/{}", plan::ROUTED_NET, plan::PREFIX_LEN);
            let via = plan::STACK_ADDR.to_string();
            must(&[
                "ip", "-n", ns, "route", "add", &routed, "via", &via, "dev", tap,
            ]);
            must(&[
                "ip",
                "netns",
                "exec",
                ns,
                "sysctl",
                "-q",
                "-w",
                "net.ipv4.ip_forward=1",
            ]);
        }
    }
}

/// A network namespace holding the Linux side of a TAP link to the stack under test.
///
/// Everything is removed on drop, also when the test panics: processes in the namespace are
/// killed, then the TAP and the namespace deleted. Leftovers of killed test runs are swept
/// when the first lab of a process is made (see [`sweep_leftovers`]).
#[derive(Debug)]
pub struct Lab {
    ns: String,
    tap: String,
    /// The TAP still sits in the current namespace (set-up not finished).
    tap_in_root: bool,
}

impl Lab {
    /// Options for a lab; finish with [`LabBuilder::open_tap`] or
    /// [`LabBuilder::tap_in_namespace`].
    pub fn builder() -> LabBuilder {
        LabBuilder::default()
    }

    /// A default lab whose TAP this process opens with `open` (see
    /// [`LabBuilder::open_tap`]).
    pub fn with_tap<T, E: Debug>(open: impl FnOnce(&str) -> Result<T, E>) -> (Lab, T) {
        Lab::builder().open_tap(open)
    }

    /// Checks the machine, sweeps leftovers once per process, and makes the namespace.
    fn empty() -> Lab {
        preflight();
        require_tools(&["sysctl"]);
        SWEEP.call_once(|| {
            sweep_leftovers();
        });
        let pid = std::process::id();
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let ns = format!("{NAMESPACE_PREFIX}{pid}-{id}");
        let tap = format!("{TAP_PREFIX}{pid}t{id}");
        assert!(tap.len() < 16, "netstack-lab: TAP name {tap} too long");
        must(&["ip", "netns", "add", &ns]);
        let lab = Lab {
            ns,
            tap,
            tap_in_root: false,
        };
        must(&["ip", "-n", &lab.ns, "link", "set", "dev", "lo", "up"]);
        lab
    }

    /// The namespace's name (for `ip netns exec`).
    pub fn namespace(&self) -> &str {
        &self.ns
    }

    /// The TAP interface's name (the same on both sides).
    pub fn tap_name(&self) -> &str {
        &self.tap
    }

    /// Linux's MAC address on the TAP, as the kernel reports it.
    pub fn linux_mac(&self) -> [u8; 6] {
        let text = must(&["ip", "-n", &self.ns, "-o", "link", "show", "dev", &self.tap]);
        text.split_whitespace()
            .skip_while(|t| *t != "link/ether")
            .nth(1)
            .and_then(parse_mac)
            .unwrap_or_else(|| panic!("netstack-lab: no MAC in `{text}`"))
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.ns]).args(args);
        command
    }

    /// Runs `args` inside the namespace, at most `timeout`.
    pub fn try_exec(&self, args: &[&str], timeout: Duration) -> Result<Output, ExecError> {
        run(self.command(args), timeout)
    }

    /// Runs `args` inside the namespace and returns its output, whatever its exit status.
    /// Panics if it cannot start or runs longer than [`EXEC_TIMEOUT`].
    pub fn exec(&self, args: &[&str]) -> Output {
        self.try_exec(args, EXEC_TIMEOUT)
            .unwrap_or_else(|err| panic!("netstack-lab: {err}"))
    }

    /// Runs `args` inside the namespace and returns its stdout; panics with its stderr if it
    /// fails.
    pub fn exec_ok(&self, args: &[&str]) -> String {
        let out = self.exec(args);
        assert!(
            out.status.success(),
            "netstack-lab: `{}` failed ({}): {}{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts `args` inside the namespace in the background; it is killed when the handle
    /// (or the lab) is dropped.
    pub fn spawn(&self, args: &[&str]) -> Background {
        let mut child = self
            .command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|err| panic!("netstack-lab: cannot start {args:?}: {err}"));
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        Background::new(child, stdout, stderr)
    }

    /// The Linux side's neighbour table on the TAP (`ip neigh show dev TAP`).
    pub fn neighbors(&self) -> Vec<Neighbor> {
        parse_neighbors(&must(&[
            "ip", "-n", &self.ns, "neigh", "show", "dev", &self.tap,
        ]))
    }

    /// The Linux side's neighbour entry for `addr`, if any.
    pub fn neighbor(&self, addr: IpAddr) -> Option<Neighbor> {
        self.neighbors().into_iter().find(|n| n.addr == addr)
    }

    /// `ip maddr show dev TAP`, as printed.
    pub fn maddr(&self) -> String {
        must(&["ip", "-n", &self.ns, "maddr", "show", "dev", &self.tap])
    }

    /// The IP multicast groups the Linux side of the TAP has joined.
    pub fn multicast_groups(&self) -> Vec<IpAddr> {
        parse_multicast_groups(&self.maddr())
    }

    /// Replaces the root qdisc on the Linux side of the TAP with `spec`, e.g.
    /// `"tbf rate 1mbit burst 32kbit latency 400ms"` (this shapes what Linux sends to the
    /// stack).
    pub fn qdisc(&self, spec: &str) -> Result<(), QdiscError> {
        let mut args = vec!["tc", "qdisc", "replace", "dev", &self.tap, "root"];
        args.extend(spec.split_whitespace());
        let out = self.exec(&args);
        if out.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        if stderr.contains("qdisc kind is unknown") {
            let kind = spec.split_whitespace().next().unwrap_or_default();
            return Err(QdiscError::Unsupported {
                kind: kind.to_string(),
            });
        }
        Err(QdiscError::Failed {
            command: args.join(" "),
            stderr,
        })
    }

    /// Puts a `netem` qdisc with `spec` (e.g. `"delay 20ms loss 1%"`) on the Linux side of
    /// the TAP.
    pub fn try_netem(&self, spec: &str) -> Result<(), QdiscError> {
        self.qdisc(&format!("netem {spec}"))
    }

    /// Like [`Lab::try_netem`], panicking if it fails (also when the kernel has no netem).
    pub fn netem(&self, spec: &str) {
        self.try_netem(spec)
            .unwrap_or_else(|err| panic!("netstack-lab: {err}"));
    }

    /// Whether the kernel offers the `netem` qdisc (probed on a scratch interface).
    pub fn has_netem(&self) -> bool {
        let probe = "labprobe";
        let made = self
            .exec(&[
                "ip",
                "link",
                "add",
                probe,
                "type",
                "veth",
                "peer",
                "name",
                "labprobe-p",
            ])
            .status
            .success();
        if !made {
            return false;
        }
        let ok = self
            .exec(&[
                "tc", "qdisc", "add", "dev", probe, "root", "netem", "delay", "1ms",
            ])
            .status
            .success();
        self.exec(&["ip", "link", "delete", probe]);
        ok
    }

    /// Removes any qdisc set with [`Lab::qdisc`] or [`Lab::netem`] (back to the default).
    pub fn clear_qdisc(&self) {
        self.exec_ok(&["tc", "qdisc", "del", "dev", &self.tap, "root"]);
    }

    /// Starts capturing on the Linux side of the TAP into
    /// `$TMPDIR/netstack-lab/<namespace>-<name>.pcap`; returns once packets are captured.
    pub fn start_capture(&self, name: &str) -> Capture {
        let dir = std::env::temp_dir().join("netstack-lab");
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|err| panic!("netstack-lab: cannot create {}: {err}", dir.display()));
        let path: PathBuf = dir.join(format!("{}-{name}.pcap", self.ns));
        Capture::start(&self.ns, &self.tap, path)
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        kill_all_in(&self.ns);
        if self.tap_in_root {
            quietly(&["ip", "link", "delete", "dev", &self.tap]);
        }
        quietly(&["ip", "-n", &self.ns, "link", "delete", "dev", &self.tap]);
        if !quietly(&["ip", "netns", "delete", &self.ns]) {
            eprintln!("netstack-lab: could not delete namespace {}", self.ns);
        }
    }
}
