//! netstack-lab: the interop lab used by netstack's tests.
//!
//! A [`Lab`] is a fresh network namespace holding the Linux side of a TAP link to the stack
//! under test, addressed from documentation prefixes that exist only inside it (see
//! [`plan`]), plus helpers to run Linux tools there, read its neighbour and multicast
//! tables, shape its traffic with `netem`, and capture and check traffic with tshark.
//! Everything is torn down on drop, also when a test panics.
//!
//! It needs root, `/dev/net/tun` and the tools of `lab/tools.txt` (which `scripts/setup.sh`
//! installs), and panics (never skips) when one is missing, naming its package.
//!
//! Two ways to attach the stack, both verified by this crate's tests:
//!
//! - **In-process** ([`Lab::with_tap`]): the TAP is made in the test's own namespace, the
//!   test opens it, and the lab then moves it into the lab namespace. The open descriptor
//!   stays attached across the move, so the test drives the stack on its own thread while
//!   Linux sits in the namespace.
//! - **A program in the namespace** ([`LabBuilder::tap_in_namespace`]): the TAP is made
//!   inside the namespace and a binary started there (`lab.spawn(&[prog, "--tap", name])`)
//!   opens it by name.
//!
//! ```no_run
//! # fn open(name: &str) -> Result<(), ()> { Ok(()) }
//! use netstack_lab::{Lab, plan};
//! let (lab, tap) = Lab::with_tap(open); // e.g. netstack::phy::TapDevice::open
//! let capture = lab.start_capture("ping");
//! let ping = lab.spawn(&["ping", "-c", "1", "-W", "2", &plan::STACK_ADDR.to_string()]);
//! // ... run the stack on `tap` until the ping is answered ...
//! let report = capture.stop_and_check(); // panics listing any malformed packet
//! assert!(!report.matching("Echo (ping) reply").is_empty());
//! ```

mod background;
mod capture;
mod command;
mod dnsmasq;
mod error;
mod lab;
mod neighbor;
pub mod plan;
mod preflight;
mod sweep;
mod tools;
mod wait;

pub use background::Background;
pub use capture::{Capture, CaptureReport, check_capture};
pub use dnsmasq::Dnsmasq;
pub use error::{CaptureError, ExecError, QdiscError};
pub use lab::{EXEC_TIMEOUT, Lab, LabBuilder, REMOTE_IFACE};
pub use neighbor::{Neighbor, format_mac, parse_mac, parse_multicast_groups, parse_neighbors};
pub use preflight::{has_tool, preflight, require_root, require_tools};
pub use sweep::{NAMESPACE_PREFIX, TAP_PREFIX, sweep_leftovers};
pub use tools::{Tool, ToolKind, package_of, tools, tools_of};
pub use wait::{Transport, wait_for};
