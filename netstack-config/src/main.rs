//! `netstack-config`: check, show, explain, diff, import and export netstack configurations,
//! write presets, generate `netstack::config` and `docs/options.md`.
//!
//! Exit status: 0 success, 1 configuration errors, 2 usage errors (`diff`: 0 equal, 1
//! different, 2 errors). When standard output is a pipe its reader closed (`show | head`), the
//! tool stops quietly with status 0, as `ls | head` does.

mod cli;

/// What std's `print!` family panics with when writing standard output fails.
const STDOUT_FAILED: &str = "failed printing to stdout";

/// Whether a panic is a write to a closed standard output (EPIPE: `show | head`).
fn is_closed_stdout(info: &std::panic::PanicHookInfo<'_>) -> bool {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or_default();
    if !message.starts_with(STDOUT_FAILED) {
        return false;
    }
    // The payload holds only the error's text: ask standard output itself. A closed pipe
    // refuses this byte too (and anything still buffered), with `BrokenPipe`.
    use std::io::Write as _;
    let mut out = std::io::stdout();
    let probe = out.write_all(b"\n").and_then(|()| out.flush());
    matches!(probe, Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
}

fn main() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if is_closed_stdout(info) {
            // The reader has what it wanted; nothing went wrong.
            std::process::exit(0);
        }
        default_hook(info);
    }));
    std::process::exit(cli::main());
}
