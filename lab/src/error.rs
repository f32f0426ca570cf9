//! The lab's error types.

use std::fmt;
use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

/// Why a command run in the lab did not complete.
#[derive(Debug)]
pub enum ExecError {
    /// The program could not be started.
    Spawn {
        /// The command line.
        command: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The program ran longer than allowed and was killed.
    TimedOut {
        /// The command line.
        command: String,
        /// The limit it exceeded.
        timeout: Duration,
        /// What it printed before it was killed.
        output: Output,
    },
}

impl fmt::Display for ExecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExecError::Spawn { command, source } => write!(f, "cannot run {command}: {source}"),
            ExecError::TimedOut {
                command,
                timeout,
                output,
            } => write!(
                f,
                "{command} timed out after {timeout:?}; stdout: {:?}; stderr: {:?}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
        }
    }
}

impl std::error::Error for ExecError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExecError::Spawn { source, .. } => Some(source),
            ExecError::TimedOut { .. } => None,
        }
    }
}

/// Why a capture did not pass [`check_capture`](crate::check_capture).
#[derive(Debug)]
pub enum CaptureError {
    /// tshark could not read the file.
    Unreadable {
        /// The capture file.
        path: PathBuf,
        /// tshark's complaint.
        reason: String,
    },
    /// Some packets are malformed or carry bad checksums.
    BadPackets {
        /// The capture file.
        path: PathBuf,
        /// One line per bad packet: number, protocol, summary and tshark's expert messages.
        problems: Vec<String>,
    },
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaptureError::Unreadable { path, reason } => {
                write!(f, "tshark cannot read {}: {reason}", path.display())
            }
            CaptureError::BadPackets { path, problems } => {
                writeln!(f, "{} bad packet(s) in {}:", problems.len(), path.display())?;
                for problem in problems {
                    writeln!(f, "  {problem}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for CaptureError {}

/// Why a queueing discipline could not be installed.
#[derive(Debug)]
pub enum QdiscError {
    /// The running kernel has no such qdisc (its `sch_<kind>` module is not built or loaded).
    Unsupported {
        /// The qdisc kind, e.g. `netem`.
        kind: String,
    },
    /// `tc` refused the request for another reason.
    Failed {
        /// The `tc` arguments.
        command: String,
        /// What `tc` printed.
        stderr: String,
    },
}

impl fmt::Display for QdiscError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QdiscError::Unsupported { kind } => write!(
                f,
                "this kernel has no `{kind}` qdisc (sch_{kind}); for impairments on the \
                 stack side wrap the TAP in netstack::phy::FaultInjector instead"
            ),
            QdiscError::Failed { command, stderr } => write!(f, "`{command}` failed: {stderr}"),
        }
    }
}

impl std::error::Error for QdiscError {}
