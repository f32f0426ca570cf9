//! The results table.

use std::fmt::Write as _;

use crate::Run;

/// A Markdown table of `runs`: MB/s, and the ratio of each run's MB/s to that of
/// `reference` (a run name), CPU time per GB and estimated cycles per byte at `mhz`.
pub fn table(runs: &[Run], reference: &str, mhz: Option<f64>) -> String {
    let base = runs
        .iter()
        .find(|r| r.name == reference)
        .map(Run::mb_per_sec);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| stack | bytes | seconds | MB/s | ratio to {reference} | frames (≥1000 B) | CPU s/GB | cycles/byte |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in runs {
        let ratio = base.map_or("-".into(), |b| format!("{:.2}", r.mb_per_sec() / b));
        let frames = r
            .frames
            .map_or("-".into(), |f| format!("{} ({})", f.frames, f.large));
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
            "| {} | {} | {:.3} | {:.1} | {ratio} | {frames} | {cpu_gb} | {cycles} |",
            r.name,
            r.bytes,
            r.wall_secs,
            r.mb_per_sec()
        );
    }
    out
}
