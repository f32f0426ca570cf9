//! The results table.

use std::fmt::Write as _;

use crate::Run;

/// A Markdown table of `runs`: MB/s, and the ratio of each run's MB/s to that of
/// `reference` (a run name), CPU time per GB, the ratio of the reference's CPU time per byte
/// to this run's (above 1: this run needed less CPU per byte; steadier than wall time on a
/// shared machine), and estimated cycles per byte at `mhz`.
pub fn table(runs: &[Run], reference: &str, mhz: Option<f64>) -> String {
    let base_run = runs.iter().find(|r| r.name == reference);
    let base = base_run.map(Run::mb_per_sec);
    let base_cpu = base_run.and_then(|r| r.cpu_secs.map(|c| c / r.bytes as f64));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| stack | bytes | seconds | MB/s | ratio to {reference} | frames (≥1000 B) | CPU s/GB | CPU ratio | cycles/byte |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in runs {
        let ratio = base.map_or("-".into(), |b| format!("{:.2}", r.mb_per_sec() / b));
        let frames = r
            .frames
            .map_or("-".into(), |f| format!("{} ({})", f.frames, f.large));
        let cpu_ratio = match (base_cpu, r.cpu_secs) {
            (Some(b), Some(c)) if c > 0.0 => format!("{:.2}", b / (c / r.bytes as f64)),
            _ => "-".into(),
        };
        let (cpu_gb, cycles) = match r.cpu_secs {
            Some(c) => {
                let per_gb = c / (r.bytes as f64 / 1e9);
                let cyc = mhz.map_or("-".into(), |m| {
                    format!("{:.1}", c * m * 1e6 / r.bytes as f64)
                });
                (format!("{per_gb:.2}"), cyc)
            }
            None => ("-".into(), "-".into()),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {:.3} | {:.1} | {ratio} | {frames} | {cpu_gb} | {cpu_ratio} | {cycles} |",
            r.name,
            r.bytes,
            r.wall_secs,
            r.mb_per_sec()
        );
    }
    out
}
