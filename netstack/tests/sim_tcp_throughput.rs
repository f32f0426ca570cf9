//! The TCP throughput table: one-way latency × loss for a 1 MiB transfer in
//! simulation, in virtual time, for the configuration under test (its windows, SACK and
//! out-of-order settings). The results are deterministic and kept as a committed snapshot
//! per configuration in `tests/snapshots/`, so any change to TCP behaviour shows its effect
//! in the diff. A missing snapshot fails the test; `NETSTACK_UPDATE_SNAPSHOTS=1` writes it.

mod common;

use std::fmt::Write as _;
use std::net::Ipv4Addr;

use common::{Sim, ep, ip, pair};
use netstack::Error;
use netstack::config;
use netstack::phy::{FaultConfig, Faults, LinkConfig};
use netstack::tcp::TcpState;
use netstack::time::Duration;

/// Transfers `len` bytes from host 0 to host 1; the virtual time it took.
fn transfer(sim: &mut Sim, len: usize) -> Option<Duration> {
    let l = sim
        .stack(1)
        .tcp_listen(ep(Ipv4Addr::UNSPECIFIED, 80))
        .ok()?;
    let c = sim
        .stack(0)
        .tcp_connect(ep(ip(10, 0, 0, 2), 80), None)
        .ok()?;
    let data = vec![0x5a; len];
    let start = sim.now;
    let (mut sent, mut got, mut accepted, mut closed) = (0, 0, None, false);
    let mut buf = vec![0u8; 65536];
    let done = sim.run_until(Duration::from_secs(3600), |s| {
        if accepted.is_none() {
            accepted = s.stack(1).tcp_accept(l).ok();
        }
        if s.stack(0).tcp_state(c) == Ok(TcpState::Established) || sent > 0 {
            while sent < len {
                match s.stack(0).tcp_send(c, &data[sent..]) {
                    Ok(n) => sent += n,
                    Err(_) => break,
                }
            }
            if sent == len && !closed {
                closed = s.stack(0).tcp_close(c).is_ok();
            }
        }
        let Some(a) = accepted else { return false };
        loop {
            match s.stack(1).tcp_recv(a, &mut buf) {
                Ok(0) => return true,
                Ok(n) => got += n,
                Err(Error::WouldBlock) => return false,
                Err(_) => return true,
            }
        }
    });
    (done && got == len).then(|| sim.now.saturating_since(start))
}

fn config_name() -> String {
    format!(
        "wnd{}-snd{}-mss{}-sack{}-ooseq{}-ws{}-rto{}-tmr{}",
        config::TCP_WND_DEFAULT,
        config::TCP_SND_BUF_DEFAULT,
        config::TCP_MSS,
        u8::from(config::TCP_SACK_OUT),
        u8::from(config::TCP_QUEUE_OOSEQ),
        if config::WND_SCALE {
            config::TCP_RCV_SCALE as i32
        } else {
            -1
        },
        config::TCP_RTO_TIME,
        config::TCP_TMR_INTERVAL,
    )
}

#[test]
fn throughput_table_matches_the_snapshot() {
    const LEN: usize = 1 << 20;
    let mut table = String::new();
    let _ = writeln!(
        table,
        "# 1 MiB transfer, virtual time; configuration {}",
        config_name()
    );
    let _ = writeln!(table, "# one-way latency | loss | seconds | KB/s");
    for latency in [1u64, 10, 50] {
        for loss in [0.0, 0.01, 0.05] {
            let mut sim = pair(
                7,
                FaultConfig::both(Faults {
                    loss,
                    ..Faults::NONE
                }),
            );
            sim.links[0].set_config(LinkConfig {
                latency: Duration::from_millis(latency),
                ..sim.links[0].config()
            });
            let took = transfer(&mut sim, LEN).expect("transfer finished");
            let secs = took.millis() as f64 / 1000.0;
            let _ = writeln!(
                table,
                "{latency:>4} ms | {:>4.1}% | {secs:>8.3} | {:>8.1}",
                loss * 100.0,
                LEN as f64 / 1000.0 / secs.max(0.001)
            );
        }
    }
    eprintln!("{table}");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("tcp_throughput-{}.txt", config_name()));
    let update = std::env::var("NETSTACK_UPDATE_SNAPSHOTS").as_deref() == Ok("1");
    check_snapshot(&path, &table, update);
}

/// Compares `table` with the committed snapshot at `path`; with `update`, writes it instead.
/// A missing snapshot fails: a new configuration must have its table reviewed and committed.
fn check_snapshot(path: &std::path::Path, table: &str, update: bool) {
    if update {
        std::fs::write(path, table).expect("write the snapshot");
        return;
    }
    match std::fs::read_to_string(path) {
        Ok(old) => assert_eq!(
            old,
            table,
            "TCP throughput changed; review and rerun with NETSTACK_UPDATE_SNAPSHOTS=1 ({})",
            path.display()
        ),
        Err(err) => panic!(
            "no snapshot for this configuration ({}: {err}); this run measured:\n{table}\n\
             review it, write it with NETSTACK_UPDATE_SNAPSHOTS=1 and commit it",
            path.display()
        ),
    }
}

#[test]
fn a_missing_snapshot_fails_and_is_written_only_when_asked() {
    let dir = std::env::temp_dir().join(format!("netstack-snapshot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("tcp_throughput-new-preset.txt");
    let _ = std::fs::remove_file(&path);
    let missing = std::panic::catch_unwind(|| check_snapshot(&path, "table\n", false));
    let message = missing.expect_err("a missing snapshot must fail");
    let text = message
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(
        text.contains("no snapshot for this configuration"),
        "{text}"
    );
    assert!(!path.exists(), "checking must not write the snapshot");
    check_snapshot(&path, "table\n", true);
    check_snapshot(&path, "table\n", false);
    let changed = std::panic::catch_unwind(|| check_snapshot(&path, "other\n", false));
    assert!(changed.is_err(), "a different table must fail");
    std::fs::remove_dir_all(&dir).expect("remove temp dir");
}
