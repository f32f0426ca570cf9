//! `tcp_bulk`: TCP bulk-transfer benchmark, netstack against smoltcp in-process and, with
//! `--tap`, both against the Linux kernel over TAP with Linux↔Linux as the reference.
//!
//! ```text
//! cargo run --release -p netstack-bench --bin tcp_bulk -- [--bytes N] [--repeat R] [--variants] [--tap]
//! ```
//!
//! `N` takes a `K`/`M`/`G` suffix (binary units); each in-process measurement is repeated
//! `R` times (alternating the stacks) and the median by throughput is shown. `--variants`
//! adds smoltcp driven differently (its own MSS of 1460; one egress pass per poll).
//! `--stack netstack|smoltcp` runs only one of them in-process (for a profiler). `--tap` needs
//! root, iproute2 and socat; `--only-tap` skips the in-process part.

use std::process::ExitCode;
use std::time::Duration;

use netstack_bench::inproc::{self, Buffers, SmolOptions};
use netstack_bench::{BenchError, Run, cpu, report, tap};

struct Args {
    bytes: u64,
    tap_bytes: u64,
    repeat: usize,
    variants: bool,
    tap: bool,
    only_tap: bool,
    /// Run only this stack in-process (`netstack` or `smoltcp`), e.g. under a profiler.
    only: Option<String>,
}

fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let (num, mul) = match t.chars().last()? {
        'k' | 'K' => (&t[..t.len() - 1], 1u64 << 10),
        'm' | 'M' => (&t[..t.len() - 1], 1 << 20),
        'g' | 'G' => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    num.parse::<u64>().ok()?.checked_mul(mul)
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        bytes: 64 << 20,
        tap_bytes: 0,
        repeat: 3,
        variants: false,
        tap: false,
        only_tap: false,
        only: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--bytes" => {
                let v = value("--bytes")?;
                args.bytes = parse_size(&v).ok_or(format!("bad size {v}"))?;
            }
            "--tap-bytes" => {
                let v = value("--tap-bytes")?;
                args.tap_bytes = parse_size(&v).ok_or(format!("bad size {v}"))?;
            }
            "--repeat" => {
                let v = value("--repeat")?;
                args.repeat = v.parse().map_err(|_| format!("bad count {v}"))?;
            }
            "--variants" => args.variants = true,
            "--stack" => {
                let v = value("--stack")?;
                if v != "netstack" && v != "smoltcp" {
                    return Err(format!("--stack takes netstack or smoltcp, not {v}"));
                }
                args.only = Some(v);
            }
            "--tap" => args.tap = true,
            "--only-tap" => {
                args.tap = true;
                args.only_tap = true;
            }
            "-h" | "--help" => {
                return Err(
                    "usage: tcp_bulk [--bytes N] [--repeat R] [--variants] [--tap] \
                            [--only-tap] [--tap-bytes N] [--stack netstack|smoltcp]"
                        .into(),
                );
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.tap_bytes == 0 {
        args.tap_bytes = args.bytes;
    }
    args.repeat = args.repeat.max(1);
    Ok(args)
}

/// The median run of `runs` by throughput.
fn median(mut runs: Vec<Run>) -> Option<Run> {
    runs.sort_by(|a, b| a.mb_per_sec().total_cmp(&b.mb_per_sec()));
    let mid = runs.len() / 2;
    runs.into_iter().nth(mid)
}

fn limit(bytes: u64) -> Duration {
    // Generous: 1 MB/s at worst, and at least a minute.
    Duration::from_secs((bytes / 1_000_000).max(60))
}

fn in_process(args: &Args) -> Result<Vec<Run>, BenchError> {
    let buffers = Buffers::from_config();
    let matching = SmolOptions::matching(buffers);
    let mut variants: Vec<(&str, SmolOptions)> = vec![("smoltcp -> smoltcp", matching)];
    if args.variants {
        variants.push((
            "smoltcp -> smoltcp (its own MSS 1460)",
            SmolOptions {
                ip_mtu: 1500,
                ..matching
            },
        ));
        variants.push((
            "smoltcp -> smoltcp (one egress pass per poll)",
            SmolOptions {
                drain_egress: false,
                ..matching
            },
        ));
    }
    let mut ours = Vec::new();
    let mut theirs: Vec<Vec<Run>> = vec![Vec::new(); variants.len()];
    for i in 0..args.repeat {
        eprintln!("in-process round {} of {}", i + 1, args.repeat);
        if args.only.as_deref() != Some("smoltcp") {
            ours.push(inproc::netstack_pair(args.bytes, limit(args.bytes))?);
        }
        if args.only.as_deref() == Some("netstack") {
            continue;
        }
        for (slot, (name, options)) in theirs.iter_mut().zip(&variants) {
            let mut run = inproc::smoltcp_pair(args.bytes, buffers, *options, limit(args.bytes))?;
            run.name = (*name).into();
            slot.push(run);
        }
    }
    let mut runs: Vec<Run> = median(ours).into_iter().collect();
    runs.extend(theirs.into_iter().filter_map(median));
    Ok(runs)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let buffers = Buffers::from_config();
    let mhz = cpu::cpu_mhz();
    println!(
        "# tcp_bulk: netstack config {} (tcp_snd_buf_default = {}, tcp_wnd_default = {}, tcp_mss = {}, \
         tcp_sack_out = {}, wnd_scale = {})",
        netstack::config::SOURCE,
        buffers.send,
        buffers.window,
        buffers.mss,
        netstack::config::TCP_SACK_OUT,
        netstack::config::WND_SCALE,
    );
    println!(
        "# machine: {} CPUs, {} at {} MHz (cycles/byte = CPU seconds x this clock; no hardware counters)",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu::cpu_model().unwrap_or_else(|| "unknown CPU".into()),
        mhz.map_or("?".into(), |m| format!("{m:.0}")),
    );
    let mut failed = false;
    if !args.only_tap {
        println!(
            "\n## In-process: {} bytes over a virtual Ethernet link (MTU 1500, no latency, no loss), \
             median of {} runs; smoltcp 0.12 with the same buffers",
            args.bytes, args.repeat,
        );
        match in_process(&args) {
            Ok(runs) => print!("\n{}", report::table(&runs, "smoltcp -> smoltcp", mhz)),
            Err(e) => {
                eprintln!("in-process benchmark failed: {e}");
                failed = true;
            }
        }
    }
    if args.tap {
        println!(
            "\n## Over TAP against the Linux kernel: {} bytes each way, median of {} runs",
            args.tap_bytes, args.repeat
        );
        match tap::run_all(args.tap_bytes, buffers, args.repeat) {
            Ok(runs) => print!("\n{}", report::table(&runs, "Linux -> Linux (veth)", None)),
            Err(e) => {
                eprintln!("TAP benchmark failed: {e}");
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
