//! Bringing the stack up for an example: open the TAP device, build a [`Stack`] with one
//! interface on it, start the TCP/IP thread ([`NetStack::start`]). ESP-IDF's examples do
//! this in `example_connect()`; here it is [`start`], and [`run`] wraps a whole example.

use std::error::Error;
use std::fmt;
use std::process::ExitCode;

use netstack::api::NetStack;
use netstack::phy::{TapDevice, TapError};
use netstack::{NetifConfig, Stack, StackConfig};

use crate::cli::{Args, Common, Spec};

/// Why the stack did not come up.
#[derive(Debug)]
pub enum BringupError {
    /// Opening the TAP device failed.
    Tap(String, TapError),
    /// The stack refused the interface.
    Netif(netstack::Error),
    /// The TCP/IP thread did not start.
    Thread(std::io::Error),
}

impl fmt::Display for BringupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Names the device, the namespace and how to get it there.
            BringupError::Tap(_, e @ TapError::NotFound { .. }) => write!(f, "{e}"),
            BringupError::Tap(name, e) => {
                write!(f, "cannot open TAP device `{name}`: {e} (run it as root)")
            }
            BringupError::Netif(e) => write!(f, "cannot add the interface: {e:?}"),
            BringupError::Thread(e) => write!(f, "cannot start the TCP/IP thread: {e}"),
        }
    }
}

impl Error for BringupError {}

/// Opens TAP device `common.tap` (which must exist in this network namespace), adds it to a new stack with the address, gateway and MAC of `common`, and starts the
/// TCP/IP thread.
pub fn start(common: &Common) -> Result<NetStack, BringupError> {
    let tap = TapDevice::open(&common.tap).map_err(|e| BringupError::Tap(common.tap.clone(), e))?;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
        ^ u64::from(std::process::id());
    let mut stack = Stack::new(StackConfig { random_seed: seed });
    let mut netif = NetifConfig::new(&common.tap)
        .with_mac(common.mac)
        .with_ipv4(common.addr);
    if let Some(gateway) = common.gateway {
        netif = netif.with_gateway(gateway);
    }
    stack
        .add_netif(netif, Box::new(tap))
        .map_err(BringupError::Netif)?;
    let stack = NetStack::start(stack).map_err(BringupError::Thread)?;
    match common.gateway {
        Some(gw) => println!(
            "netstack up on {}: {} (MAC {}), gateway {gw}",
            common.tap, common.addr, common.mac
        ),
        None => println!(
            "netstack up on {}: {} (MAC {})",
            common.tap, common.addr, common.mac
        ),
    }
    Ok(stack)
}

/// Runs an example: parses the command line with `spec` (exiting on `--help` or a bad
/// flag), brings the stack up, and runs `body`. An error from either is printed as
/// `program: error` and the exit status is 1.
pub fn run(
    spec: &Spec,
    body: impl FnOnce(&NetStack, &Args) -> Result<(), Box<dyn Error>>,
) -> ExitCode {
    let args = spec.parse();
    let stack = match start(&args.common) {
        Ok(stack) => stack,
        Err(e) => {
            eprintln!("{}: {e}", spec.program);
            return ExitCode::FAILURE;
        }
    };
    match body(&stack, &args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: {e}", spec.program);
            ExitCode::FAILURE
        }
    }
}

/// `data` for a log line: UTF-8 (lossy) with control characters escaped, at most 80
/// characters.
pub fn printable(data: &[u8]) -> String {
    let text = String::from_utf8_lossy(data);
    let mut out: String = text.chars().take(80).flat_map(char::escape_debug).collect();
    if text.chars().count() > 80 {
        out.push_str("...");
    }
    out
}
