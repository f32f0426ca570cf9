//! Pinning the TCP/IP thread to a CPU (`tcpip_task_affinity`).

use crate::config::TcpipTaskAffinity;

/// Pins the calling thread to the CPU `affinity` names. Where the platform has no such
/// call, or the CPU does not exist, the choice is ignored with a warning.
pub(crate) fn apply(affinity: TcpipTaskAffinity) {
    let cpu = match affinity {
        TcpipTaskAffinity::NoAffinity => return,
        TcpipTaskAffinity::Cpu0 => 0,
        TcpipTaskAffinity::Cpu1 => 1,
    };
    pin(cpu);
}

#[cfg(target_os = "linux")]
fn pin(cpu: usize) {
    let mut set = rustix::thread::CpuSet::new();
    set.set(cpu);
    if let Err(e) = rustix::thread::sched_setaffinity(None, &set) {
        log::warn!(target: "netstack::tcpip", "cannot pin the TCP/IP thread to CPU {cpu}: {e}");
    }
}

#[cfg(not(target_os = "linux"))]
fn pin(cpu: usize) {
    log::warn!(target: "netstack::tcpip", "tcpip_task_affinity (CPU {cpu}) is not supported on this platform");
}

/// The CPUs the calling thread may run on (Linux), for tests and diagnostics.
#[cfg(target_os = "linux")]
pub fn current_cpus() -> std::vec::Vec<usize> {
    match rustix::thread::sched_getaffinity(None) {
        Ok(set) => (0..rustix::thread::CpuSet::MAX_CPU)
            .filter(|&c| set.is_set(c))
            .collect(),
        Err(_) => std::vec::Vec::new(),
    }
}
