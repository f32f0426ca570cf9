//! netstack-bench: TCP bulk-transfer benchmarks of netstack against smoltcp (crates.io) and
//! the Linux kernel, in the same run (issue #4, `docs/performance.md`).
//!
//! - [`inproc`]: two netstack stacks, then two smoltcp interfaces, joined by the same
//!   in-memory [`netstack::phy::VirtualLink`] (MTU 1500, no latency, no loss), polled from one
//!   loop on one thread; the socket buffers of both follow `netstack::config` so the
//!   workload is the same.
//! - [`tap`]: each of the two stacks on a TAP device against a Linux peer in a lab network
//!   namespace (`netstack-lab`), and Linux against Linux over a veth pair as the reference.
//!
//! Every run checks that the receiver got every byte, in order and intact ([`pattern`]).
//! The `tcp_bulk` binary prints the table; `docs/performance.md` has the figures.

pub mod counting;
pub mod cpu;
pub mod inproc;
pub mod pattern;
pub mod report;
pub mod smol_device;
pub mod tap;

use std::fmt;

/// Why a benchmark run failed.
#[derive(Debug)]
pub enum BenchError {
    /// A netstack call failed.
    Netstack(&'static str, netstack::Error),
    /// A smoltcp call failed.
    Smoltcp(&'static str, String),
    /// The received bytes differ from what was sent (offset of the first difference).
    Corrupt {
        /// Which stack received them.
        stack: &'static str,
        /// Stream offset of the first wrong byte.
        offset: u64,
    },
    /// The transfer ended with a byte count other than the one sent.
    Short {
        /// Which stack received them.
        stack: &'static str,
        /// Bytes received.
        got: u64,
        /// Bytes sent.
        want: u64,
    },
    /// The transfer did not finish in time.
    Timeout(&'static str),
    /// An external tool or the lab failed.
    Tool(String),
    /// An I/O error.
    Io(std::io::Error),
}

impl fmt::Display for BenchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BenchError::Netstack(what, e) => write!(f, "netstack: {what}: {e}"),
            BenchError::Smoltcp(what, e) => write!(f, "smoltcp: {what}: {e}"),
            BenchError::Corrupt { stack, offset } => {
                write!(f, "{stack}: received data differs at offset {offset}")
            }
            BenchError::Short { stack, got, want } => {
                write!(f, "{stack}: received {got} bytes of {want}")
            }
            BenchError::Timeout(what) => write!(f, "{what}: transfer did not finish in time"),
            BenchError::Tool(e) => write!(f, "{e}"),
            BenchError::Io(e) => write!(f, "I/O: {e}"),
        }
    }
}

impl std::error::Error for BenchError {}

impl From<std::io::Error> for BenchError {
    fn from(e: std::io::Error) -> BenchError {
        BenchError::Io(e)
    }
}

/// The result of one transfer.
#[derive(Debug, Clone)]
pub struct Run {
    /// What moved the bytes, e.g. `netstack -> netstack`.
    pub name: String,
    /// Payload bytes delivered (and verified).
    pub bytes: u64,
    /// Wall-clock time from the connect call to the receiver seeing the end of the stream.
    pub wall_secs: f64,
    /// CPU time of the benchmark thread over the same interval, when measured (in-process
    /// runs, where that thread runs both stacks).
    pub cpu_secs: Option<f64>,
    /// Frames over the link (both directions), when counted.
    pub frames: Option<counting::FrameCounts>,
}

impl Run {
    /// Throughput in MB/s (10^6 bytes per second).
    pub fn mb_per_sec(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.wall_secs.max(1e-9)
    }
}
