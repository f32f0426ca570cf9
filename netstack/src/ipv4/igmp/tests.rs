//! Unit tests of the IGMP host state machine (`IgmpGroups`): reports, queries, compatibility modes, capacity, emitted bytes.

use super::*;
use crate::wire::{ChecksumCheck, Ipv4AddrList, igmp::encode_v3_code};
use alloc::vec;
use alloc::vec::Vec;

const A: Ipv4Addr = Ipv4Addr::new(239, 1, 1, 1);
const B: Ipv4Addr = Ipv4Addr::new(239, 2, 2, 2);
const SSDP: Ipv4Addr = Ipv4Addr::new(239, 255, 255, 250);
const MDNS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 251);

fn ms(t: u64) -> Instant {
    Instant::from_millis(t)
}

fn drain<const N: usize>(igmp: &mut IgmpGroups<N>, now: Instant) -> Vec<IgmpOutgoing> {
    let mut out = Vec::new();
    igmp.poll(now, |m| out.push(m));
    out
}

fn v2(group: Ipv4Addr) -> IgmpOutgoing {
    IgmpOutgoing::Report {
        group,
        version: IgmpVersion::V2,
    }
}

fn v1(group: Ipv4Addr) -> IgmpOutgoing {
    IgmpOutgoing::Report {
        group,
        version: IgmpVersion::V1,
    }
}

fn v3(records: &[(GroupRecordType, Ipv4Addr)]) -> IgmpOutgoing {
    let mut r = heapless::Vec::new();
    for &(record_type, group) in records {
        r.push(V3Record { record_type, group }).expect("fits");
    }
    IgmpOutgoing::ReportV3 { records: r }
}

/// The reports `records` due at `t` make, split at [`MAX_V3_RECORDS`].
fn v3_at(t: u64, records: &[(GroupRecordType, Ipv4Addr)]) -> Vec<(u64, IgmpOutgoing)> {
    records.chunks(MAX_V3_RECORDS).map(|c| (t, v3(c))).collect()
}

fn v2_query(group: Ipv4Addr, tenths: u8) -> IgmpRepr<'static> {
    IgmpRepr::MembershipQuery {
        max_resp_code: tenths,
        group_addr: group,
    }
}

fn v3_query(group: Ipv4Addr, tenths: u16) -> IgmpRepr<'static> {
    IgmpRepr::MembershipQueryV3 {
        max_resp_code: encode_v3_code(tenths),
        group_addr: group,
        suppress_router: false,
        qrv: 2,
        qqic: 125,
        sources: Ipv4AddrList::default(),
    }
}

/// Runs the clock to `until`, polling at each deadline; returns (time, message) pairs.
fn run<const N: usize>(igmp: &mut IgmpGroups<N>, until: Instant) -> Vec<(u64, IgmpOutgoing)> {
    let mut out = Vec::new();
    while let Some(t) = igmp.next_deadline().filter(|&t| t <= until) {
        igmp.poll(t, |m| out.push((t.millis(), m)));
    }
    out
}

#[test]
fn join_reports_now_and_once_more() {
    let mut igmp = IgmpGroups::<8>::with_default_version(IgmpVersion::V2);
    assert_eq!(igmp.next_deadline(), None);
    igmp.join(A, ms(1000), 3000).expect("join");
    assert!(igmp.is_member(A));
    assert_eq!(igmp.next_deadline(), Some(ms(1000)));
    assert_eq!(drain(&mut igmp, ms(1000)), [v2(A)]);
    assert_eq!(igmp.next_deadline(), Some(ms(4000)));
    assert_eq!(drain(&mut igmp, ms(3999)), []);
    assert_eq!(drain(&mut igmp, ms(4000)), [v2(A)]);
    assert_eq!(igmp.next_deadline(), None);
    // The repeat delay is below 10 s whatever the random number.
    let mut igmp = IgmpGroups::<8>::with_default_version(IgmpVersion::V2);
    igmp.join(A, ms(0), u32::MAX).expect("join");
    assert_eq!(
        run(&mut igmp, ms(60_000)),
        [(0, v2(A)), (u64::from(u32::MAX % 10_000), v2(A))]
    );
}

#[test]
fn refcount_and_leave() {
    let mut igmp = IgmpGroups::<8>::with_default_version(IgmpVersion::V2);
    igmp.join(A, ms(0), 100).expect("join");
    igmp.join(A, ms(0), 200).expect("join again");
    assert_eq!(run(&mut igmp, ms(20_000)), [(0, v2(A)), (100, v2(A))]);
    assert_eq!(igmp.leave(A, ms(30_000), 0), Ok(None));
    assert!(igmp.is_member(A));
    let leave = igmp.leave(A, ms(30_000), 0).expect("leave");
    assert_eq!(leave, Some(IgmpOutgoing::Leave { group: A }));
    assert_eq!(leave.map(|m| m.dst_addr()), Some(ALL_ROUTERS));
    assert!(!igmp.is_member(A));
    assert_eq!(igmp.leave(A, ms(30_000), 0), Err(IgmpError::NotMember));
    assert_eq!(igmp.next_deadline(), None);
    assert_eq!(igmp.groups().count(), 0);
}

#[test]
fn errors_capacity_and_all_systems() {
    let mut igmp = IgmpGroups::<8>::with_default_version(IgmpVersion::V2);
    assert_eq!(
        igmp.join(Ipv4Addr::new(10, 0, 0, 1), ms(0), 0),
        Err(IgmpError::NotMulticast)
    );
    assert_eq!(
        igmp.leave(Ipv4Addr::new(10, 0, 0, 1), ms(0), 0),
        Err(IgmpError::NotMulticast)
    );
    // All systems: a member without joining, never reported, never left.
    assert!(igmp.is_member(ALL_SYSTEMS));
    assert_eq!(igmp.join(ALL_SYSTEMS, ms(0), 0), Ok(()));
    assert_eq!(igmp.leave(ALL_SYSTEMS, ms(0), 0), Ok(None));
    assert!(igmp.is_member(ALL_SYSTEMS));
    assert_eq!(igmp.next_deadline(), None);
    assert_eq!(igmp.groups().count(), 0);
    // Fill the table.
    let all: Vec<Ipv4Addr> = (0..8)
        .map(|i| Ipv4Addr::new(239, 0, 0, i as u8 + 1))
        .collect();
    for &g in &all {
        igmp.join(g, ms(0), 0).expect("room");
    }
    assert_eq!(
        igmp.join(Ipv4Addr::new(239, 9, 9, 9), ms(0), 0),
        Err(IgmpError::TableFull)
    );
    // Joining again a group already there needs no room.
    assert_eq!(igmp.join(all[0], ms(0), 0), Ok(()));
    assert_eq!(igmp.groups().collect::<Vec<_>>(), all);
    use alloc::string::ToString;
    assert_eq!(
        IgmpError::TableFull.to_string(),
        "too many multicast groups"
    );
}

#[test]
fn another_hosts_report_suppresses_ours() {
    let mut igmp = IgmpGroups::<8>::with_default_version(IgmpVersion::V2);
    igmp.join(A, ms(0), 5000).expect("join");
    assert_eq!(drain(&mut igmp, ms(0)), [v2(A)]);
    // Someone else reports A before our repeat: repeat cancelled.
    igmp.on_report(A, ms(100));
    assert_eq!(igmp.next_deadline(), None);
    // We are not the last reporter any more: no Leave.
    assert_eq!(igmp.leave(A, ms(200), 0), Ok(None));

    // Without suppression we were the last reporter.
    igmp.join(B, ms(0), 5000).expect("join");
    assert_eq!(run(&mut igmp, ms(10_000)), [(0, v2(B)), (5000, v2(B))]);
    // A report while idle (no timer) changes nothing (RFC 2236 §6).
    igmp.on_report(B, ms(11_000));
    assert_eq!(
        igmp.leave(B, ms(12_000), 0),
        Ok(Some(IgmpOutgoing::Leave { group: B }))
    );
    // A report for a group we are not in is ignored.
    igmp.on_report(A, ms(13_000));
}

#[test]
fn v2_queries() {
    let mut igmp = IgmpGroups::<8>::with_default_version(IgmpVersion::V2);
    igmp.join(A, ms(0), 1000).expect("join");
    igmp.join(B, ms(0), 2000).expect("join");
    assert_eq!(
        run(&mut igmp, ms(10_000)),
        [(0, v2(A)), (0, v2(B)), (1000, v2(A)), (2000, v2(B))]
    );
    // A general query, max 10 s: each group within 10 s, delays derived per group.
    let r = 0xdead_beef;
    let t = 20_000;
    igmp.on_query(&v2_query(Ipv4Addr::UNSPECIFIED, 100), ms(t), r);
    let da = u64::from(group_random(r, A) % 10_000);
    let db = u64::from(group_random(r, B) % 10_000);
    assert_ne!(da, db);
    let mut expect = vec![(t + da, v2(A)), (t + db, v2(B))];
    expect.sort_by_key(|e| e.0);
    assert_eq!(run(&mut igmp, ms(40_000)), expect);

    // A group-specific query uses the random number as it is; 224.0.0.1 and other
    // groups are not answered.
    igmp.on_query(&v2_query(B, 50), ms(50_000), 1234);
    igmp.on_query(&v2_query(ALL_SYSTEMS, 50), ms(50_000), 1234);
    assert_eq!(run(&mut igmp, ms(60_000)), [(51_234, v2(B))]);

    // A pending report moves only if the new Max Response Time is shorter than what it
    // still has to wait.
    igmp.on_query(&v2_query(A, 100), ms(70_000), 8000); // due at 78 s
    igmp.on_query(&v2_query(A, 100), ms(71_000), 1000); // 10 s > 7 s left: kept
    assert_eq!(igmp.next_deadline(), Some(ms(78_000)));
    igmp.on_query(&v2_query(A, 20), ms(72_000), 1500); // 2 s < 6 s left: moved
    assert_eq!(igmp.next_deadline(), Some(ms(73_500)));
    // Another host answers first: ours is suppressed.
    igmp.on_report(A, ms(73_000));
    assert_eq!(run(&mut igmp, ms(90_000)), []);
    assert_eq!(
        igmp.leave(A, ms(91_000), 0),
        Ok(None),
        "not the last reporter"
    );
    // A query for a non-multicast group field is ignored.
    igmp.on_query(&v2_query(Ipv4Addr::new(10, 0, 0, 1), 100), ms(92_000), 0);
    assert_eq!(igmp.next_deadline(), None);
}

#[test]
fn v1_querier_means_v1_reports_and_no_leave() {
    let mut igmp = IgmpGroups::<8>::with_default_version(IgmpVersion::V2);
    igmp.join(A, ms(0), 100).expect("join");
    assert_eq!(run(&mut igmp, ms(1000)), [(0, v2(A)), (100, v2(A))]);
    // v1 query: max resp 0 means 10 s; the group field is ignored.
    igmp.on_query(&v2_query(Ipv4Addr::new(224, 9, 9, 9), 0), ms(10_000), 0);
    assert_eq!(igmp.compat_mode(ms(10_000)), IgmpVersion::V1);
    let d = u64::from(group_random(0, A) % 10_000);
    assert_eq!(run(&mut igmp, ms(30_000)), [(10_000 + d, v1(A))]);
    // Joins are v1 reports too; leaves send nothing.
    igmp.join(B, ms(40_000), 700).expect("join");
    assert_eq!(
        run(&mut igmp, ms(50_000)),
        [(40_000, v1(B)), (40_700, v1(B))]
    );
    assert_eq!(igmp.leave(B, ms(50_000), 0), Ok(None));
    // The v1 querier is forgotten after 2 x 125 s + 10 s: back to v2.
    let gone = 10_000 + 260_000;
    assert_eq!(igmp.compat_mode(ms(gone - 1)), IgmpVersion::V1);
    assert_eq!(igmp.compat_mode(ms(gone)), IgmpVersion::V2);
    assert_eq!(
        igmp.leave(A, ms(gone), 0),
        Ok(Some(IgmpOutgoing::Leave { group: A }))
    );
}

#[test]
fn v3_querier_means_v3_reports() {
    let mut igmp = IgmpGroups::<8>::with_default_version(IgmpVersion::V2);
    igmp.join(A, ms(0), 100).expect("join");
    igmp.join(B, ms(0), 200).expect("join");
    assert_eq!(run(&mut igmp, ms(1000)).len(), 4);
    // A v3 general query (Linux bridge querier: max resp 10 s): one report with both
    // groups at the interface timer.
    igmp.on_query(&v3_query(Ipv4Addr::UNSPECIFIED, 100), ms(10_000), 4321);
    assert_eq!(igmp.compat_mode(ms(10_000)), IgmpVersion::V3);
    assert_eq!(
        run(&mut igmp, ms(30_000)),
        v3_at(
            14_321,
            &[
                (GroupRecordType::ModeIsExclude, A),
                (GroupRecordType::ModeIsExclude, B)
            ]
        )
    );
    // A second general query while one answer is pending sooner changes nothing; a
    // pending one later is moved earlier.
    igmp.on_query(&v3_query(Ipv4Addr::UNSPECIFIED, 100), ms(40_000), 1000);
    igmp.on_query(&v3_query(Ipv4Addr::UNSPECIFIED, 100), ms(40_000), 5000);
    assert_eq!(igmp.next_deadline(), Some(ms(41_000)));
    igmp.on_query(&v3_query(Ipv4Addr::UNSPECIFIED, 100), ms(40_100), 100);
    assert_eq!(igmp.next_deadline(), Some(ms(40_200)));
    assert_eq!(
        run(&mut igmp, ms(50_000)).len(),
        2usize.div_ceil(MAX_V3_RECORDS)
    );
    // Group-specific: only that group.
    igmp.on_query(&v3_query(B, 10), ms(60_000), 250);
    assert_eq!(
        run(&mut igmp, ms(70_000)),
        [(60_250, v3(&[(GroupRecordType::ModeIsExclude, B)]))]
    );
    // v3 hosts do not suppress.
    igmp.on_query(&v3_query(B, 10), ms(80_000), 250);
    igmp.on_report(B, ms(80_100));
    assert_eq!(run(&mut igmp, ms(90_000)).len(), 1);
    // Join: TO_EX now and within 1 s. Leave: TO_IN now and within 1 s.
    igmp.join(SSDP, ms(100_000), 1500).expect("join");
    assert_eq!(
        run(&mut igmp, ms(110_000)),
        [
            (100_000, v3(&[(GroupRecordType::ChangeToExclude, SSDP)])),
            (100_500, v3(&[(GroupRecordType::ChangeToExclude, SSDP)]))
        ]
    );
    let leave = igmp.leave(SSDP, ms(120_000), 300).expect("leave");
    assert_eq!(leave, Some(v3(&[(GroupRecordType::ChangeToInclude, SSDP)])));
    assert_eq!(leave.map(|m| m.dst_addr()), Some(ALL_V3_ROUTERS));
    assert!(!igmp.is_member(SSDP));
    assert_eq!(
        run(&mut igmp, ms(130_000)),
        [(120_300, v3(&[(GroupRecordType::ChangeToInclude, SSDP)]))]
    );
    assert_eq!(igmp.groups().collect::<Vec<_>>(), [A, B]);
    // Without further v3 queries, back to the v2 default once the last v3 query
    // (80 s, max resp 1 s) is 2 x 125 s + 1 s old.
    assert_eq!(igmp.compat_mode(ms(80_000 + 251_000 - 1)), IgmpVersion::V3);
    assert_eq!(igmp.compat_mode(ms(80_000 + 251_000)), IgmpVersion::V2);
    igmp.on_report(A, ms(80_000 + 261_000));
}

#[test]
fn lowest_querier_version_wins_and_mode_change_cancels_timers() {
    let mut igmp = IgmpGroups::<8>::with_default_version(IgmpVersion::V2);
    igmp.join(A, ms(0), 100).expect("join");
    run(&mut igmp, ms(1000));
    igmp.on_query(&v3_query(Ipv4Addr::UNSPECIFIED, 100), ms(10_000), 5000);
    assert_eq!(igmp.next_deadline(), Some(ms(15_000)));
    // A v2 querier appears: v2 mode, the pending v3 answer is cancelled and this query
    // is answered in v2.
    igmp.on_query(&v2_query(Ipv4Addr::UNSPECIFIED, 100), ms(11_000), 0);
    assert_eq!(igmp.compat_mode(ms(11_000)), IgmpVersion::V2);
    let d = u64::from(group_random(0, A) % 10_000);
    // The v3 querier keeps asking, answered in v2 while the v2 querier is around.
    igmp.on_query(&v3_query(A, 100), ms(11_000), 9999);
    assert_eq!(run(&mut igmp, ms(30_000)), [(11_000 + d, v2(A))]);
    // A v3 join repeat pending when a v1 querier appears is cancelled.
    let mut igmp = IgmpGroups::<8>::with_default_version(IgmpVersion::V3);
    igmp.join(A, ms(0), 900).expect("join");
    assert_eq!(
        drain(&mut igmp, ms(0)),
        [v3(&[(GroupRecordType::ChangeToExclude, A)])]
    );
    igmp.on_query(&v2_query(A, 0), ms(100), 50);
    assert_eq!(
        run(&mut igmp, ms(20_000)),
        [(100 + u64::from(group_random(50, A) % 10_000), v1(A))]
    );
    // A leave retransmission in v3 is dropped on a mode change too.
    let mut igmp = IgmpGroups::<8>::with_default_version(IgmpVersion::V3);
    igmp.join(A, ms(0), 0).expect("join");
    run(&mut igmp, ms(10));
    assert!(igmp.leave(A, ms(10), 500).expect("leave").is_some());
    igmp.on_query(&v2_query(Ipv4Addr::UNSPECIFIED, 100), ms(20), 0);
    assert_eq!(igmp.next_deadline(), None);
    // Its slot is free again.
    assert_eq!(igmp.groups().count(), 0);
}

#[test]
fn rejoin_all_reannounces() {
    let mut igmp = IgmpGroups::<8>::with_default_version(IgmpVersion::V2);
    igmp.join(A, ms(0), 0).expect("join");
    igmp.join(B, ms(0), 0).expect("join");
    run(&mut igmp, ms(1000));
    igmp.rejoin_all(ms(5000), 77);
    let ra = u64::from(group_random(77, A) % 10_000);
    let rb = u64::from(group_random(77, B) % 10_000);
    let mut expect = vec![
        (5000, v2(A)),
        (5000, v2(B)),
        (5000 + ra, v2(A)),
        (5000 + rb, v2(B)),
    ];
    expect.sort_by_key(|e| e.0);
    assert_eq!(run(&mut igmp, ms(20_000)), expect);
}

#[test]
fn leaving_group_gives_way_to_a_join_when_full() {
    let mut igmp = IgmpGroups::<8>::with_default_version(IgmpVersion::V3);
    let all: Vec<Ipv4Addr> = (0..8)
        .map(|i| Ipv4Addr::new(239, 0, 0, i as u8 + 1))
        .collect();
    for &g in &all {
        igmp.join(g, ms(0), 0).expect("room");
    }
    run(&mut igmp, ms(10));
    assert!(igmp.leave(all[0], ms(10), 999).expect("leave").is_some());
    igmp.join(B, ms(20), 400)
        .expect("the leaving slot is reused");
    // The leave retransmission went with it.
    assert_eq!(
        run(&mut igmp, ms(5000)),
        [
            (20, v3(&[(GroupRecordType::ChangeToExclude, B)])),
            (420, v3(&[(GroupRecordType::ChangeToExclude, B)]))
        ]
    );
    // Rejoining a group that is retransmitting its leave revives it.
    assert!(igmp.leave(B, ms(6000), 999).expect("leave").is_some());
    igmp.join(B, ms(6500), 300).expect("join");
    assert!(igmp.is_member(B));
    assert_eq!(
        run(&mut igmp, ms(9000)),
        [
            (6500, v3(&[(GroupRecordType::ChangeToExclude, B)])),
            (6800, v3(&[(GroupRecordType::ChangeToExclude, B)]))
        ]
    );
}

#[test]
fn general_v3_report_is_split_at_max_records() {
    let mut igmp = IgmpGroups::<100>::with_default_version(IgmpVersion::V3);
    for i in 0..100 {
        igmp.join(Ipv4Addr::new(239, 0, 1, i), ms(0), 0)
            .expect("room");
    }
    run(&mut igmp, ms(10));
    igmp.on_query(&v3_query(Ipv4Addr::UNSPECIFIED, 10), ms(100), 0);
    let out = drain(&mut igmp, ms(100));
    let mut groups = Vec::new();
    for m in &out {
        let IgmpOutgoing::ReportV3 { records } = m else {
            panic!("not a v3 report: {m:?}");
        };
        assert!(!records.is_empty());
        assert!(m.buffer_len() + 24 <= 576, "fits the minimum MTU");
        groups.extend(records.iter().map(|r| r.group));
    }
    assert_eq!(groups, igmp.groups().collect::<Vec<_>>());
    assert_eq!(out.len(), 100usize.div_ceil(MAX_V3_RECORDS));
}

#[test]
fn configured_capacity() {
    let mut igmp = IgmpGroups::new();
    assert_eq!(MAX_GROUPS, config::MEMP_NUM_IGMP_GROUP - 1);
    for i in 0..MAX_GROUPS {
        igmp.join(Ipv4Addr::new(239, 0, 2, i as u8), ms(0), 0)
            .expect("room");
    }
    assert_eq!(
        igmp.join(Ipv4Addr::new(239, 9, 9, 9), ms(0), 0),
        Err(IgmpError::TableFull)
    );
    assert_eq!(igmp.compat_mode(ms(0)), IgmpVersion::V2);
}

#[test]
fn emitted_bytes_match_linux() -> Result<(), WireError> {
    // IGMPv2 report for SSDP, as Linux sends on join.
    let mut buf = [0u8; 64];
    let len = v2(SSDP).emit(&mut buf)?;
    assert_eq!(
        &buf[..len],
        [0x16, 0x00, 0xfa, 0x04, 0xef, 0xff, 0xff, 0xfa]
    );
    assert_eq!(v2(SSDP).dst_addr(), SSDP);
    // IGMPv3 TO_EX {} for mDNS, as Linux sends on join.
    let m = v3(&[(GroupRecordType::ChangeToExclude, MDNS)]);
    assert_eq!(m.buffer_len(), 16);
    let len = m.emit(&mut buf)?;
    assert_eq!(
        &buf[..len],
        [
            0x22, 0x00, 0xf9, 0x02, 0x00, 0x00, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0xe0, 0x00,
            0x00, 0xfb
        ]
    );
    // Leave and v1 report parse back.
    for m in [IgmpOutgoing::Leave { group: A }, v1(A)] {
        let len = m.emit(&mut buf)?;
        let repr = IgmpRepr::parse(
            &IgmpPacket::new_checked(&buf[..len])?,
            ChecksumCheck::Verify,
        )?;
        let back = match repr {
            IgmpRepr::LeaveGroup { group_addr } => IgmpOutgoing::Leave { group: group_addr },
            IgmpRepr::MembershipReport {
                group_addr,
                version,
            } => IgmpOutgoing::Report {
                group: group_addr,
                version,
            },
            _ => panic!("unexpected {repr:?}"),
        };
        assert_eq!(back, m);
    }
    assert_eq!(v2(A).emit(&mut [0u8; 7]), Err(WireError::Truncated));
    assert_eq!(m.emit(&mut [0u8; 15]), Err(WireError::Truncated));
    Ok(())
}

#[test]
fn random_event_sequences_stay_consistent() {
    use crate::wire::test_util::Rng;
    let mut rng = Rng::new(0x1996);
    let groups = [A, B, SSDP, MDNS, ALL_SYSTEMS, Ipv4Addr::new(239, 7, 7, 7)];
    let mut igmp = IgmpGroups::<4>::with_default_version(IgmpVersion::V2);
    let mut refs = [0u32; 6];
    let mut t = 0u64;
    let mut buf = [0u8; 64];
    for _ in 0..20_000 {
        t += rng.below(3000) as u64;
        let now = ms(t);
        let gi = rng.below(groups.len());
        let g = groups[gi];
        let random = rng.next_u64() as u32;
        match rng.below(7) {
            0 => refs[gi] += u32::from(igmp.join(g, now, random).is_ok() && !g.is_all_hosts()),
            1 => match igmp.leave(g, now, random) {
                Ok(_) if !g.is_all_hosts() => refs[gi] -= 1,
                Ok(_) => {}
                Err(e) => assert_eq!(e, IgmpError::NotMember),
            },
            2 => igmp.on_query(&v2_query(g, rng.byte()), now, random),
            3 => igmp.on_query(&v2_query(Ipv4Addr::UNSPECIFIED, rng.byte()), now, random),
            4 => igmp.on_query(
                &IgmpRepr::MembershipQueryV3 {
                    max_resp_code: rng.byte(),
                    group_addr: [Ipv4Addr::UNSPECIFIED, g][rng.below(2)],
                    suppress_router: false,
                    qrv: rng.byte() & 7,
                    qqic: rng.byte(),
                    sources: Ipv4AddrList::default(),
                },
                now,
                random,
            ),
            5 => igmp.on_report(g, now),
            _ => {}
        }
        if let Some(d) = igmp.next_deadline() {
            let at = d.max(now);
            igmp.poll(at, |m| {
                let len = m.emit(&mut buf).expect("fits");
                let repr = IgmpRepr::parse(
                    &IgmpPacket::new_checked(&buf[..len]).expect("valid"),
                    ChecksumCheck::Verify,
                );
                assert!(repr.is_ok());
                if let IgmpOutgoing::Report { group, .. } = m {
                    assert!(!group.is_all_hosts());
                }
            });
            t = t.max(at.millis());
        }
        for (i, &g) in groups.iter().enumerate() {
            assert_eq!(igmp.is_member(g), g.is_all_hosts() || refs[i] > 0, "{g}");
        }
    }
}

#[test]
fn process_dispatches_parsed_messages() -> Result<(), WireError> {
    let mut igmp = IgmpGroups::<8>::with_default_version(IgmpVersion::V2);
    igmp.join(A, ms(0), 10).expect("join");
    run(&mut igmp, ms(100));
    // Linux bridge querier's v3 general query.
    let q = [
        0x11, 0x64, 0xec, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x02, 0x7d, 0x00, 0x00,
    ];
    let repr = IgmpRepr::parse(&IgmpPacket::new_checked(&q[..])?, ChecksumCheck::Verify)?;
    igmp.process(&repr, ms(1000), 2000);
    assert_eq!(
        run(&mut igmp, ms(20_000)),
        [(3000, v3(&[(GroupRecordType::ModeIsExclude, A)]))]
    );
    // Leaves and v3 reports of others are ignored.
    igmp.process(&IgmpRepr::LeaveGroup { group_addr: A }, ms(21_000), 0);
    assert!(igmp.is_member(A));
    // A v2 report from another host while v2-mode and delaying: suppressed.
    let mut igmp = IgmpGroups::<8>::with_default_version(IgmpVersion::V2);
    igmp.join(A, ms(0), 5000).expect("join");
    drain(&mut igmp, ms(0));
    igmp.process(
        &IgmpRepr::MembershipReport {
            group_addr: A,
            version: IgmpVersion::V2,
        },
        ms(10),
        0,
    );
    assert_eq!(igmp.next_deadline(), None);
    Ok(())
}
