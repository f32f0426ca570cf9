//! The examples' command line, parsed by hand: the flags every example takes ([`Common`]:
//! `--tap`, `--addr`, `--gateway`, `--mac`) plus the ones an example declares in its [`Spec`]
//! (`--port`, `--count`, ...). `--help` prints the usage and exits 0; a bad flag or value
//! prints what is wrong and the usage, and exits 2.
//!
//! Values are checked while parsing (before the stack comes up), so [`Args::get`] only
//! converts what is already known to be valid.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::Ipv4Addr;
use std::process::exit;
use std::str::FromStr;

use netstack::wire::{EthernetAddress, Ipv4Cidr};

/// Exit status for a bad command line.
pub const USAGE_EXIT: i32 = 2;

/// The stack's address when `--addr` is not given (the lab's `192.0.2.2/24`).
pub const DEFAULT_ADDR: &str = "192.0.2.2/24";

/// The stack's MAC address when `--mac` is not given (locally administered).
pub const DEFAULT_MAC: &str = "02:00:00:00:00:02";

/// One flag an example takes beyond the [`Common`] ones.
#[derive(Debug, Clone, Copy)]
pub struct Opt {
    /// The flag, e.g. `--port`.
    pub name: &'static str,
    /// The placeholder of its value in the usage (`N`, `A.B.C.D`); `None` for a switch.
    pub metavar: Option<&'static str>,
    /// Its value when not given, if it has one.
    pub default: Option<&'static str>,
    /// What it does.
    pub help: &'static str,
    /// Whether a value is valid.
    check: fn(&str) -> bool,
}

/// Whether `s` parses as a `T`.
fn parses<T: FromStr>(s: &str) -> bool {
    s.parse::<T>().is_ok()
}

impl Opt {
    /// A flag with a value that must parse as `T`.
    pub const fn value<T: FromStr>(
        name: &'static str,
        metavar: &'static str,
        default: Option<&'static str>,
        help: &'static str,
    ) -> Opt {
        Opt {
            name,
            metavar: Some(metavar),
            default,
            help,
            check: parses::<T>,
        }
    }

    /// A switch (no value; off unless given).
    pub const fn switch(name: &'static str, help: &'static str) -> Opt {
        Opt {
            name,
            metavar: None,
            default: None,
            help,
            check: parses::<String>,
        }
    }
}

/// What an example is and which flags it takes.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The binary's name.
    pub program: &'static str,
    /// One paragraph on what it does.
    pub about: &'static str,
    /// Its own flags.
    pub opts: &'static [Opt],
}

/// The flags every example takes: where the stack sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Common {
    /// `--tap IFNAME`: an existing TAP device in the current network namespace.
    pub tap: String,
    /// `--addr A.B.C.D/PREFIX`: the stack's address (default [`DEFAULT_ADDR`]).
    pub addr: Ipv4Cidr,
    /// `--gateway A.B.C.D`: the default gateway, if any.
    pub gateway: Option<Ipv4Addr>,
    /// `--mac XX:XX:XX:XX:XX:XX`: the stack's MAC address (default [`DEFAULT_MAC`]).
    pub mac: EthernetAddress,
}

/// A parsed command line.
#[derive(Debug, Clone)]
pub struct Args {
    /// The common flags.
    pub common: Common,
    spec: Spec,
    values: BTreeMap<&'static str, String>,
    switches: BTreeSet<&'static str>,
}

/// What a command line asks for.
#[derive(Debug, Clone)]
pub enum Parsed {
    /// Run with these arguments.
    Run(Args),
    /// `--help`: print the usage.
    Help,
}

/// A bad command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError(pub String);

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CliError {}

/// The common flags: name, placeholder, help.
const COMMON: [(&str, &str, &str); 4] = [
    (
        "--tap",
        "IFNAME",
        "TAP device to run on (required; it must exist in the network namespace this runs in)",
    ),
    (
        "--addr",
        "A.B.C.D/PREFIX",
        "the stack's IPv4 address and prefix length (default 192.0.2.2/24)",
    ),
    ("--gateway", "A.B.C.D", "default gateway (default: none)"),
    (
        "--mac",
        "XX:XX:XX:XX:XX:XX",
        "the stack's MAC address (default 02:00:00:00:00:02)",
    ),
];

/// Parses `A.B.C.D/PREFIX` (a missing prefix means /24).
pub fn parse_cidr(s: &str) -> Result<Ipv4Cidr, CliError> {
    let bad = || CliError(format!("invalid address `{s}` (expected A.B.C.D/PREFIX)"));
    let (addr, prefix) = s.split_once('/').unwrap_or((s, "24"));
    let addr: Ipv4Addr = addr.parse().map_err(|_| bad())?;
    let prefix: u8 = prefix.parse().map_err(|_| bad())?;
    if addr.is_unspecified() || addr.is_multicast() || addr.is_broadcast() {
        return Err(bad());
    }
    Ipv4Cidr::new(addr, prefix).map_err(|_| bad())
}

/// Parses a MAC address `XX:XX:XX:XX:XX:XX` (unicast).
pub fn parse_mac(s: &str) -> Result<EthernetAddress, CliError> {
    let bad = || {
        CliError(format!(
            "invalid MAC address `{s}` (expected XX:XX:XX:XX:XX:XX)"
        ))
    };
    let mut mac = [0u8; 6];
    let mut parts = s.split(':');
    for byte in &mut mac {
        let part = parts.next().ok_or_else(bad)?;
        if part.len() != 2 {
            return Err(bad());
        }
        *byte = u8::from_str_radix(part, 16).map_err(|_| bad())?;
    }
    if parts.next().is_some() || mac[0] & 1 != 0 {
        return Err(bad());
    }
    Ok(EthernetAddress(mac))
}

impl Spec {
    /// The usage text.
    pub fn usage(&self) -> String {
        let mut text = format!(
            "usage: {} --tap IFNAME [OPTIONS]\n\n{}\n\nRun it as root in the network namespace \
             that holds the TAP device, e.g. `ip netns exec NS {} --tap tap0`.\n\noptions:\n",
            self.program, self.about, self.program
        );
        let mut line = |flag: String, help: &str| {
            text.push_str(&format!("  {flag:<28} {help}\n"));
        };
        for (name, metavar, help) in COMMON {
            line(format!("{name} {metavar}"), help);
        }
        for opt in self.opts {
            let flag = match opt.metavar {
                Some(m) => format!("{} {m}", opt.name),
                None => opt.name.to_string(),
            };
            let help = match opt.default {
                Some(d) => format!("{} (default {d})", opt.help),
                None => opt.help.to_string(),
            };
            line(flag, &help);
        }
        line("--help".to_string(), "print this help and exit");
        text
    }

    /// Parses `args` (without the program name).
    pub fn try_parse<I, S>(&self, args: I) -> Result<Parsed, CliError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut args = args.into_iter().map(Into::into);
        let mut tap = None;
        let mut addr = None;
        let mut gateway = None;
        let mut mac = None;
        let mut values = BTreeMap::new();
        let mut switches = BTreeSet::new();
        while let Some(arg) = args.next() {
            if arg == "--help" || arg == "-h" {
                return Ok(Parsed::Help);
            }
            let (name, inline) = match arg.split_once('=') {
                Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
                _ => (arg.clone(), None),
            };
            let common = COMMON.iter().find(|c| c.0 == name).map(|c| c.0);
            let opt = self.opts.iter().find(|o| o.name == name);
            if common.is_none() && opt.is_none() {
                return Err(CliError(if name.starts_with('-') {
                    format!("unknown flag `{name}`")
                } else {
                    format!("unexpected argument `{name}`")
                }));
            }
            if let Some(opt) = opt.filter(|o| o.metavar.is_none()) {
                if inline.is_some() {
                    return Err(CliError(format!("`{}` takes no value", opt.name)));
                }
                switches.insert(opt.name);
                continue;
            }
            let value = match inline.or_else(|| args.next()) {
                Some(v) => v,
                None => return Err(CliError(format!("`{name}` needs a value"))),
            };
            match (common, opt) {
                (Some("--tap"), _) => {
                    if value.is_empty() || value.len() > 15 || value.contains('/') {
                        return Err(CliError(format!("invalid interface name `{value}`")));
                    }
                    tap = Some(value);
                }
                (Some("--addr"), _) => addr = Some(parse_cidr(&value)?),
                (Some("--gateway"), _) => {
                    let gw = value
                        .parse::<Ipv4Addr>()
                        .map_err(|_| CliError(format!("invalid gateway address `{value}`")))?;
                    gateway = Some(gw);
                }
                (Some(_), _) => mac = Some(parse_mac(&value)?),
                (None, Some(opt)) => {
                    if !(opt.check)(&value) {
                        return Err(CliError(format!(
                            "invalid value `{value}` for `{} {}`",
                            opt.name,
                            opt.metavar.unwrap_or_default()
                        )));
                    }
                    values.insert(opt.name, value);
                }
                (None, None) => unreachable!("checked above"),
            }
        }
        let tap = tap.ok_or_else(|| CliError("missing `--tap IFNAME`".to_string()))?;
        let addr = match addr {
            Some(a) => a,
            None => parse_cidr(DEFAULT_ADDR)?,
        };
        let mac = match mac {
            Some(m) => m,
            None => parse_mac(DEFAULT_MAC)?,
        };
        Ok(Parsed::Run(Args {
            common: Common {
                tap,
                addr,
                gateway,
                mac,
            },
            spec: *self,
            values,
            switches,
        }))
    }

    /// Parses the process's arguments. `--help` prints the usage and exits 0; a bad command
    /// line prints the error and the usage to stderr and exits [`USAGE_EXIT`].
    pub fn parse(&self) -> Args {
        match self.try_parse(std::env::args().skip(1)) {
            Ok(Parsed::Run(args)) => args,
            Ok(Parsed::Help) => {
                print!("{}", self.usage());
                exit(0);
            }
            Err(e) => self.usage_error(&e),
        }
    }

    /// Prints `error` and the usage to stderr and exits [`USAGE_EXIT`].
    pub fn usage_error(&self, error: &CliError) -> ! {
        eprintln!("{}: {error}\n\n{}", self.program, self.usage());
        exit(USAGE_EXIT);
    }
}

impl Args {
    /// The value of flag `name` (or its default) as a `T`. The value was checked while
    /// parsing; asking for a flag the example did not declare, or for another type than it
    /// declared, is a usage error.
    pub fn get<T: FromStr>(&self, name: &str) -> T {
        match self.try_get(name) {
            Ok(Some(v)) => v,
            Ok(None) => self
                .spec
                .usage_error(&CliError(format!("missing `{name}`"))),
            Err(e) => self.spec.usage_error(&e),
        }
    }

    /// The value of flag `name` (or its default) as a `T`; `None` when it has neither.
    pub fn try_get<T: FromStr>(&self, name: &str) -> Result<Option<T>, CliError> {
        let opt = self
            .spec
            .opts
            .iter()
            .find(|o| o.name == name)
            .ok_or_else(|| CliError(format!("no flag `{name}`")))?;
        let Some(text) = self.values.get(name).map(String::as_str).or(opt.default) else {
            return Ok(None);
        };
        text.parse()
            .map(Some)
            .map_err(|_| CliError(format!("invalid value `{text}` for `{name}`")))
    }

    /// Whether switch `name` was given.
    pub fn switch(&self, name: &str) -> bool {
        self.switches.contains(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: Spec = Spec {
        program: "prog",
        about: "Does things.",
        opts: &[
            Opt::value::<u16>("--port", "N", Some("3333"), "port"),
            Opt::value::<Ipv4Addr>("--peer", "A.B.C.D", None, "peer"),
            Opt::switch("--once", "once"),
        ],
    };

    fn run(args: &[&str]) -> Args {
        match SPEC.try_parse(args.iter().copied()) {
            Ok(Parsed::Run(a)) => a,
            other => panic!("{other:?}"),
        }
    }

    fn error(args: &[&str]) -> String {
        match SPEC.try_parse(args.iter().copied()) {
            Err(e) => e.0,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn defaults_apply() {
        let a = run(&["--tap", "tap0"]);
        assert_eq!(a.common.tap, "tap0");
        assert_eq!(a.common.addr.to_string(), "192.0.2.2/24");
        assert_eq!(a.common.gateway, None);
        assert_eq!(a.common.mac, EthernetAddress([2, 0, 0, 0, 0, 2]));
        assert_eq!(a.get::<u16>("--port"), 3333);
        assert_eq!(a.try_get::<Ipv4Addr>("--peer"), Ok(None));
        assert!(!a.switch("--once"));
    }

    #[test]
    fn values_and_switches_are_read() {
        let a = run(&[
            "--tap=t1",
            "--addr",
            "10.0.0.5/8",
            "--gateway",
            "10.0.0.1",
            "--mac",
            "02:aa:bb:cc:dd:ee",
            "--port=80",
            "--peer",
            "10.0.0.9",
            "--once",
        ]);
        assert_eq!(a.common.tap, "t1");
        assert_eq!(a.common.addr.to_string(), "10.0.0.5/8");
        assert_eq!(a.common.gateway, Some(Ipv4Addr::new(10, 0, 0, 1)));
        assert_eq!(
            a.common.mac,
            EthernetAddress([2, 0xaa, 0xbb, 0xcc, 0xdd, 0xee])
        );
        assert_eq!(a.get::<u16>("--port"), 80);
        assert_eq!(a.get::<Ipv4Addr>("--peer"), Ipv4Addr::new(10, 0, 0, 9));
        assert!(a.switch("--once"));
    }

    #[test]
    fn help_needs_nothing_else() {
        assert!(matches!(SPEC.try_parse(["--help"]), Ok(Parsed::Help)));
        assert!(matches!(SPEC.try_parse(["-h"]), Ok(Parsed::Help)));
        assert!(matches!(
            SPEC.try_parse(["--tap", "t", "--port", "1", "--help"]),
            Ok(Parsed::Help)
        ));
    }

    #[test]
    fn bad_command_lines_say_what_is_wrong() {
        assert_eq!(error(&["--tap", "t", "--bogus"]), "unknown flag `--bogus`");
        assert_eq!(
            error(&["--tap", "t", "stray"]),
            "unexpected argument `stray`"
        );
        assert_eq!(error(&[]), "missing `--tap IFNAME`");
        assert_eq!(error(&["--tap"]), "`--tap` needs a value");
        assert_eq!(
            error(&["--tap", "t", "--port", "70000"]),
            "invalid value `70000` for `--port N`"
        );
        assert_eq!(
            error(&["--tap", "t", "--addr", "1.2.3/24"]),
            "invalid address `1.2.3/24` (expected A.B.C.D/PREFIX)"
        );
        assert!(error(&["--tap", "t", "--addr", "1.2.3.4/33"]).contains("invalid address"));
        assert!(error(&["--tap", "t", "--gateway", "x"]).contains("invalid gateway"));
        assert!(error(&["--tap", "t", "--mac", "01:00:00:00:00:01"]).contains("invalid MAC"));
        assert_eq!(
            error(&["--tap", "t", "--once=1"]),
            "`--once` takes no value"
        );
        assert!(error(&["--tap", "a-name-that-is-too-long"]).contains("invalid interface"));
    }

    #[test]
    fn usage_lists_every_flag() {
        let u = SPEC.usage();
        for flag in [
            "--tap IFNAME",
            "--addr",
            "--gateway",
            "--mac",
            "--port N",
            "--once",
        ] {
            assert!(u.contains(flag), "{u}");
        }
        assert!(u.contains("(default 3333)"), "{u}");
        assert!(u.starts_with("usage: prog --tap IFNAME"), "{u}");
    }
}
