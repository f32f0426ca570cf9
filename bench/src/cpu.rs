//! CPU time of the calling thread, read from `/proc/thread-self/schedstat` (the workspace
//! allows no `unsafe`, so no `clock_gettime` through libc), and the CPU's clock rate from
//! `/proc/cpuinfo` for a cycles-per-byte estimate (no hardware counters in a VM).

/// Nanoseconds the calling thread has run on a CPU, if the kernel reports it.
pub fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// The CPU model name from `/proc/cpuinfo`.
pub fn cpu_model() -> Option<String> {
    cpuinfo_field("model name")
}

/// The clock rate `/proc/cpuinfo` reports for the first CPU, in MHz (in a VM this is the
/// nominal rate the hypervisor reports, not a measurement).
pub fn cpu_mhz() -> Option<f64> {
    cpuinfo_field("cpu MHz")?.parse().ok()
}

fn cpuinfo_field(name: &str) -> Option<String> {
    let text = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    text.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim() == name)
        .map(|(_, v)| v.trim().to_string())
}

/// Measures `f`'s CPU time on this thread in seconds, if available.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Option<f64>) {
    let before = thread_cpu_ns();
    let out = f();
    let after = thread_cpu_ns();
    let secs = match (before, after) {
        (Some(b), Some(a)) => Some(a.saturating_sub(b) as f64 / 1e9),
        _ => None,
    };
    (out, secs)
}
