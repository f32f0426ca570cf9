//! A process running in the lab's namespace in the background.

use std::process::{Child, Output};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::command::{signal, wait_until};

/// A background process; killed when dropped.
#[derive(Debug)]
pub struct Background {
    child: Child,
    stdout: Option<JoinHandle<Vec<u8>>>,
    stderr: Option<JoinHandle<Vec<u8>>>,
}

impl Background {
    pub(crate) fn new(
        child: Child,
        stdout: JoinHandle<Vec<u8>>,
        stderr: JoinHandle<Vec<u8>>,
    ) -> Background {
        Background {
            child,
            stdout: Some(stdout),
            stderr: Some(stderr),
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits up to `timeout` for the process to exit by itself; its output if it did.
    pub fn wait_timeout(&mut self, timeout: Duration) -> Option<Output> {
        let status = wait_until(&mut self.child, Instant::now() + timeout)?;
        Some(self.collect(status))
    }

    /// Stops the process (SIGTERM, then SIGKILL after two seconds) and returns what it
    /// printed.
    pub fn stop(mut self) -> Output {
        signal(self.child.id(), "TERM");
        let status = match wait_until(&mut self.child, Instant::now() + Duration::from_secs(2)) {
            Some(status) => status,
            None => {
                self.child.kill().ok();
                self.child
                    .wait()
                    .expect("netstack-lab: wait for a killed child")
            }
        };
        self.collect(status)
    }

    fn collect(&mut self, status: std::process::ExitStatus) -> Output {
        let join = |h: Option<JoinHandle<Vec<u8>>>| {
            h.map(|h| h.join().unwrap_or_default()).unwrap_or_default()
        };
        Output {
            status,
            stdout: join(self.stdout.take()),
            stderr: join(self.stderr.take()),
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.child.kill().ok();
            self.child.wait().ok();
        }
    }
}
