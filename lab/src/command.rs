//! Running a command with a time limit and collecting its output.

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::error::ExecError;

/// Runs `command` to completion, killing it after `timeout`.
pub(crate) fn run(mut command: Command, timeout: Duration) -> Result<Output, ExecError> {
    let display = format!("{command:?}");
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|source| ExecError::Spawn {
        command: display.clone(),
        source,
    })?;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = wait_until(&mut child, Instant::now() + timeout);
    let timed_out = status.is_none();
    if timed_out {
        child.kill().ok();
    }
    let status = match status {
        Some(status) => status,
        None => child.wait().map_err(|source| ExecError::Spawn {
            command: display.clone(),
            source,
        })?,
    };
    let output = Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    };
    if timed_out {
        return Err(ExecError::TimedOut {
            command: display,
            timeout,
            output,
        });
    }
    Ok(output)
}

/// Reads a pipe to its end on a thread, so a chatty child never blocks on a full pipe.
pub(crate) fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            pipe.read_to_end(&mut bytes).ok();
        }
        bytes
    })
}

/// Waits for `child` to exit until `deadline`; `None` if it is still running then.
pub(crate) fn wait_until(child: &mut Child, deadline: Instant) -> Option<ExitStatus> {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(5)),
            Ok(None) | Err(_) => return None,
        }
    }
}

/// Sends signal `signal` (e.g. `"INT"`) to process `pid` with kill(1).
pub(crate) fn signal(pid: u32, signal: &str) {
    Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok();
}

/// Runs a set-up command that must succeed; panics with its output otherwise.
pub(crate) fn must(args: &[&str]) -> String {
    let (program, rest) = args.split_first().expect("a command needs a program");
    let mut command = Command::new(program);
    command.args(rest);
    match run(command, Duration::from_secs(20)) {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        Ok(out) => panic!(
            "netstack-lab: `{}` failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(err) => panic!("netstack-lab: {err}"),
    }
}

/// Runs a tear-down command, ignoring failure (the thing may already be gone).
pub(crate) fn quietly(args: &[&str]) -> bool {
    let (program, rest) = args.split_first().expect("a command needs a program");
    let mut command = Command::new(program);
    command.args(rest);
    run(command, Duration::from_secs(20)).is_ok_and(|out| out.status.success())
}
