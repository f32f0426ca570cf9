//! Keeps the benchmark working: the in-process comparison with a few MiB, both stacks must
//! deliver every byte intact (the runs check content and count themselves and fail
//! otherwise). Speed is not asserted; that is the benchmark's business.

use std::time::Duration;

use netstack_bench::inproc::{self, Buffers, SmolOptions};

const BYTES: u64 = 4 << 20;
const LIMIT: Duration = Duration::from_secs(20);

#[test]
fn netstack_moves_every_byte_intact() {
    let run = inproc::netstack_pair(BYTES, LIMIT).expect("netstack transfer");
    assert_eq!(run.bytes, BYTES);
    let frames = run.frames.expect("frames counted");
    // At least one full-sized segment per MSS of data.
    let mss = u64::from(netstack::config::TCP_MSS);
    assert!(frames.large >= BYTES / mss, "{frames:?}");
}

#[test]
fn smoltcp_moves_every_byte_intact_with_the_same_buffers() {
    let buffers = Buffers::from_config();
    for options in [
        SmolOptions::matching(buffers),
        SmolOptions {
            drain_egress: false,
            ip_mtu: 1500,
        },
    ] {
        let run = inproc::smoltcp_pair(BYTES, buffers, options, LIMIT).expect("smoltcp transfer");
        assert_eq!(run.bytes, BYTES);
        assert!(run.frames.expect("frames counted").large > 0);
    }
}

#[test]
fn the_table_has_a_row_per_run_and_the_ratio() {
    let buffers = Buffers::from_config();
    let ours = inproc::netstack_pair(1 << 20, LIMIT).expect("netstack transfer");
    let theirs = inproc::smoltcp_pair(1 << 20, buffers, SmolOptions::matching(buffers), LIMIT)
        .expect("smoltcp transfer");
    let table = netstack_bench::report::table(&[ours, theirs], "smoltcp -> smoltcp", Some(2000.0));
    assert_eq!(table.lines().count(), 4, "{table}");
    assert!(
        table.contains("| smoltcp -> smoltcp | 1048576 |"),
        "{table}"
    );
    assert!(table.contains("| 1.00 |"), "{table}");
}
