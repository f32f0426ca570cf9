//! IGMP host side: the groups an interface joined and the reports it owes (RFC 2236 §3,
//! §6 with RFC 1112 / IGMPv1 compatibility per RFC 2236 §4, and IGMPv3 per RFC 3376 §5,
//! §7.2.1; lwIP's `igmp.c`, Linux's `igmp.c` host behaviour).
//!
//! [`IgmpGroups`] is one interface's membership table and timers. It never sends anything
//! itself: [`IgmpGroups::poll`] hands over the [`IgmpOutgoing`] messages that are due and
//! [`IgmpGroups::next_deadline`] says when the next one will be (`None` when nothing is
//! pending: timers on demand, `config::TIMERS_ONDEMAND`). Every random choice comes from
//! a `random: u32` argument, so the whole machine is deterministic given its inputs.
//!
//! # Version
//!
//! The host speaks the version of the queriers it hears (RFC 3376 §7.2.1 "Host
//! Compatibility Mode"): IGMPv1 while a v1 querier has been heard recently, else IGMPv2
//! while a v2 querier has, else IGMPv3 while a v3 querier has, else its default version,
//! IGMPv2 ([`IgmpGroups::new`]; [`IgmpGroups::with_default_version`] picks another). A
//! querier is "heard recently" for the Older Version Querier Present Timeout (RFC 3376
//! §8.12: robustness × query interval + query response interval, 2 × 125 s + 10 s unless a
//! v3 query told other values).
//!
//! IGMPv2 as the default, like lwIP (Linux defaults to v3): before any query is heard, the
//! unsolicited reports a join sends are v2 reports, which every querier (v2 routers ignore
//! v3 reports, RFC 3376 §7.3.2 lets v3 routers take v2 ones) and every IGMP-snooping switch
//! understands, so a new member is never invisible until the next general query. As soon
//! as a v3 querier (Linux with `force_igmp_version` 0, the Linux bridge querier with
//! `multicast_igmp_version 3`, a PIM router) is the only one heard, the host answers in
//! IGMPv3 (reports to 224.0.0.22 with `MODE_IS_EXCLUDE {}`/`TO_EX {}`/`TO_IN {}` records); a
//! Linux v2 querier gets v2 reports and leaves. Both are what Linux hosts send in those modes.
//!
//! Memberships are any-source (EXCLUDE {}), as lwIP's and as the sockets API's
//! `IP_ADD_MEMBERSHIP`: a group-and-source-specific v3 query is answered like a
//! group-specific one, with the group's current state `MODE_IS_EXCLUDE {}` (which
//! includes every queried source).
//!
//! # The messages
//!
//! - On [`join`](IgmpGroups::join): an unsolicited report at once, and once more after a
//!   random delay up to the Unsolicited Report Interval (10 s in v1/v2, RFC 2236 §3, §8.10;
//!   1 s in v3, RFC 3376 §5.1, §8.11). In v3 the report is the state change `TO_EX {}`.
//! - On [`leave`](IgmpGroups::leave) of the last reference: in v2, a Leave Group to
//!   224.0.0.2 if we were the last host to report the group (RFC 2236 §3, §6); nothing in v1;
//!   in v3 `TO_IN {}` to 224.0.0.22 at once and once more within 1 s.
//! - On a query ([`on_query`](IgmpGroups::on_query)): in v1/v2 a report per queried group
//!   after a random delay up to the query's Max Response Time (10 s for v1), unless one is
//!   due sooner (RFC 2236 §6); another host's report for the group cancels ours
//!   ([`on_report`](IgmpGroups::on_report), RFC 2236 §6 suppression; v3 has none). In v3 one
//!   report for all groups answers a general query, a per-group timer a group-specific one
//!   (RFC 3376 §5.2).
//! - Changing compatibility mode cancels every pending report (RFC 3376 §7.2.1).
//!
//! 224.0.0.1 (all systems) is a member on every interface and never reported or left
//! (RFC 2236 §6); it has no entry in the table.
//!
//! # Sending them (the stack's part, `glue.rs`)
//!
//! Every IGMP message goes out with IP TTL 1 and the Router Alert option (RFC 2236 §2,
//! RFC 3376 §4: `Ipv4Repr { ttl: 1, router_alert: true, protocol: Igmp, .. }`), to
//! [`IgmpOutgoing::dst_addr`], from the interface's address (0.0.0.0 if it has none yet,
//! RFC 3376 §4.2.13), never looped back to ourselves. The stack feeds received queries
//! and reports through [`IgmpGroups::process`] (after checking the checksum and, for a
//! group-specific query, that it was sent to that group).

mod glue;

use core::fmt;
use core::net::Ipv4Addr;

use crate::config;
use crate::time::{Duration, Instant};
use crate::wire::{
    GroupRecordType, IgmpPacket, IgmpRepr, IgmpV3ReportWriter, IgmpVersion, Ipv4AddrExt, WireError,
    igmp::decode_v3_code,
};

/// The all-systems group, 224.0.0.1 (RFC 1112 §4): implicitly joined, never reported.
pub const ALL_SYSTEMS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 1);

/// The all-routers group, 224.0.0.2: where IGMPv2 Leave Group messages go (RFC 2236 §3).
pub const ALL_ROUTERS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 2);

/// The IGMPv3-capable routers group, 224.0.0.22: where IGMPv3 reports go (RFC 3376 §4.2.14).
pub const ALL_V3_ROUTERS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 22);

/// IP TTL of every IGMP message (RFC 2236 §2, RFC 3376 §4).
pub const TTL: u8 = 1;

/// Unsolicited Report Interval of IGMPv1/v2 (RFC 2236 §8.10): the repeat of a join's report
/// comes within this delay.
pub const UNSOLICITED_REPORT_INTERVAL_V2: Duration = Duration::from_secs(10);

/// Unsolicited Report Interval of IGMPv3 (RFC 3376 §8.11).
pub const UNSOLICITED_REPORT_INTERVAL_V3: Duration = Duration::from_secs(1);

/// Default Robustness Variable (RFC 3376 §8.1), until a v3 query tells another.
pub const DEFAULT_ROBUSTNESS: u8 = 2;

/// Default Query Interval (RFC 3376 §8.2), until a v3 query tells another.
pub const DEFAULT_QUERY_INTERVAL: Duration = Duration::from_secs(125);

/// Groups an interface can join: `config::MEMP_NUM_IGMP_GROUP` counts the all-systems
/// group as lwIP does (its `init.c` wants at least 2), and 224.0.0.1 needs no entry here.
pub const MAX_GROUPS: usize = config::MEMP_NUM_IGMP_GROUP.saturating_sub(1);

/// Most records in one IGMPv3 report: as many groups as the table holds, at most 68
/// (8-byte records after the 8-byte header, in an IPv4 datagram of 576 bytes with Router
/// Alert: 24 + 8 + 68 × 8 = 576, so every report fits any IPv4 link, RFC 3376 §5.2).
pub const MAX_V3_RECORDS: usize = if MAX_GROUPS == 0 {
    1
} else if MAX_GROUPS < 68 {
    MAX_GROUPS
} else {
    68
};

/// Why a membership change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IgmpError {
    /// The address is not a multicast group (224.0.0.0/4).
    NotMulticast,
    /// The table is full ([`MAX_GROUPS`] groups joined already).
    TableFull,
    /// The group was not joined.
    NotMember,
}

impl fmt::Display for IgmpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IgmpError::NotMulticast => "not a multicast address",
            IgmpError::TableFull => "too many multicast groups",
            IgmpError::NotMember => "not a member of the group",
        })
    }
}

impl core::error::Error for IgmpError {}

/// One record of an IGMPv3 report we send: a group and its record type (never any source:
/// our memberships are any-source).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct V3Record {
    /// `MODE_IS_EXCLUDE` (answer to a query), `CHANGE_TO_EXCLUDE_MODE` (join) or
    /// `CHANGE_TO_INCLUDE_MODE` (leave).
    pub record_type: GroupRecordType,
    /// The group.
    pub group: Ipv4Addr,
}

/// An IGMP message the host must send. The sender adds IP TTL 1 ([`TTL`]) and the Router
/// Alert option, and sends it to [`dst_addr`](Self::dst_addr) (see the
/// [module docs](self)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IgmpOutgoing {
    /// An IGMPv1 or IGMPv2 membership report, sent to the group itself.
    Report {
        /// The group reported.
        group: Ipv4Addr,
        /// [`IgmpVersion::V1`] or [`IgmpVersion::V2`].
        version: IgmpVersion,
    },
    /// An IGMPv2 Leave Group, sent to 224.0.0.2.
    Leave {
        /// The group left.
        group: Ipv4Addr,
    },
    /// An IGMPv3 membership report, sent to 224.0.0.22.
    ReportV3 {
        /// Its records, at least one.
        records: heapless::Vec<V3Record, MAX_V3_RECORDS>,
    },
}

impl IgmpOutgoing {
    /// The IP destination: the group for v1/v2 reports (RFC 2236 §3), 224.0.0.2 for a
    /// leave, 224.0.0.22 for a v3 report (RFC 3376 §4.2.14).
    pub fn dst_addr(&self) -> Ipv4Addr {
        match self {
            IgmpOutgoing::Report { group, .. } => *group,
            IgmpOutgoing::Leave { .. } => ALL_ROUTERS,
            IgmpOutgoing::ReportV3 { .. } => ALL_V3_ROUTERS,
        }
    }

    /// Length of the IGMP message (the IP payload).
    pub fn buffer_len(&self) -> usize {
        match self {
            IgmpOutgoing::ReportV3 { records } => {
                8 + records.len() * IgmpV3ReportWriter::record_len(0)
            }
            _ => IgmpPacket::<&[u8]>::HEADER_LEN,
        }
    }

    /// Writes the IGMP message, checksum included, at the start of `buf`; returns its
    /// length. [`WireError::Truncated`] when `buf` is shorter than
    /// [`buffer_len`](Self::buffer_len).
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, WireError> {
        let repr = match *self {
            IgmpOutgoing::Report { group, version } => IgmpRepr::MembershipReport {
                group_addr: group,
                version,
            },
            IgmpOutgoing::Leave { group } => IgmpRepr::LeaveGroup { group_addr: group },
            IgmpOutgoing::ReportV3 { ref records } => {
                let mut w = IgmpV3ReportWriter::new(buf)?;
                for r in records {
                    w.push_record(r.record_type, r.group, &[])?;
                }
                return Ok(w.finish());
            }
        };
        repr.emit(&mut IgmpPacket::new_unchecked(&mut *buf))?;
        Ok(repr.buffer_len())
    }
}

/// A pending IGMPv3 state-change report for a group (RFC 3376 §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Change {
    at: Instant,
    record_type: GroupRecordType,
    /// The delay before the retransmission, while one is still to come.
    repeat: Option<Duration>,
}

/// One joined group.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Group {
    addr: Ipv4Addr,
    /// Joins not yet left. 0: left, kept only until its v3 `TO_IN` retransmission is sent.
    refs: u32,
    /// We sent the last report heard for the group (RFC 2236 §6 "flag").
    last_reporter: bool,
    /// A pending report (RFC 2236 "Delaying Member"; in v3, a group-specific answer).
    report_at: Option<Instant>,
    /// The delay of the unsolicited repeat to schedule when `report_at` fires.
    repeat: Option<Duration>,
    /// A pending v3 state-change report.
    change: Option<Change>,
}

impl Group {
    fn is_member(&self) -> bool {
        self.refs > 0
    }

    fn cancel_timers(&mut self) {
        self.report_at = None;
        self.repeat = None;
        self.change = None;
    }
}

/// One interface's IGMP memberships and timers; see the [module docs](self).
///
/// `GROUPS`, the most groups joined at once, defaults to [`MAX_GROUPS`].
#[derive(Debug, Clone)]
pub struct IgmpGroups<const GROUPS: usize = MAX_GROUPS> {
    groups: heapless::Vec<Group, GROUPS>,
    /// Pending answer to a v3 general query (RFC 3376 §5.2 "interface timer").
    general_at: Option<Instant>,
    /// Until when a querier of each version counts as present (v1, v2, v3).
    querier_until: [Option<Instant>; 3],
    default_version: IgmpVersion,
    /// The compatibility mode as of the last call.
    mode: IgmpVersion,
    robustness: u8,
    query_interval: Duration,
}

impl Default for IgmpGroups {
    fn default() -> Self {
        IgmpGroups::new()
    }
}

impl IgmpGroups {
    /// An empty table of the configured capacity that speaks IGMPv2 until it hears a v3
    /// querier (see the [module docs](self) for why).
    pub const fn new() -> IgmpGroups {
        IgmpGroups::with_default_version(IgmpVersion::V2)
    }
}

impl<const GROUPS: usize> IgmpGroups<GROUPS> {
    /// An empty table whose version, when no querier has been heard, is `version`
    /// (`V3` behaves as an RFC 3376 host, `V2` as an RFC 2236 one).
    pub const fn with_default_version(version: IgmpVersion) -> Self {
        IgmpGroups {
            groups: heapless::Vec::new(),
            general_at: None,
            querier_until: [None; 3],
            default_version: version,
            mode: version,
            robustness: DEFAULT_ROBUSTNESS,
            query_interval: DEFAULT_QUERY_INTERVAL,
        }
    }

    /// Joins `group` (one more reference if joined already) and schedules its unsolicited
    /// reports: the first at `now` (the next [`poll`](Self::poll)), the repeat after
    /// `random` modulo the Unsolicited Report Interval. Joining 224.0.0.1 does nothing.
    ///
    /// [`IgmpError::NotMulticast`], [`IgmpError::TableFull`] (`GROUPS` groups joined).
    pub fn join(&mut self, group: Ipv4Addr, now: Instant, random: u32) -> Result<(), IgmpError> {
        if !group.is_multicast() {
            return Err(IgmpError::NotMulticast);
        }
        if group.is_all_hosts() {
            return Ok(());
        }
        self.refresh(now);
        let index = match self.find(group) {
            Some(i) if self.groups[i].is_member() => {
                let g = &mut self.groups[i];
                g.refs = g.refs.saturating_add(1);
                return Ok(());
            }
            Some(i) => i,
            None => {
                if self.groups.is_full() {
                    // A group still retransmitting its leave gives way.
                    if let Some(i) = self.groups.iter().position(|g| !g.is_member()) {
                        self.groups.remove(i);
                    }
                }
                self.groups
                    .push(Group {
                        addr: group,
                        refs: 0,
                        last_reporter: false,
                        report_at: None,
                        repeat: None,
                        change: None,
                    })
                    .map_err(|_| IgmpError::TableFull)?;
                self.groups.len() - 1
            }
        };
        let mode = self.mode;
        let g = &mut self.groups[index];
        g.refs = 1;
        g.cancel_timers();
        Self::schedule_unsolicited(g, mode, now, random);
        log::debug!(target: "netstack::igmp", "joined {group} ({mode:?})");
        Ok(())
    }

    fn schedule_unsolicited(g: &mut Group, mode: IgmpVersion, now: Instant, random: u32) {
        match mode {
            IgmpVersion::V1 | IgmpVersion::V2 => {
                g.report_at = Some(now);
                g.repeat = Some(random_delay(random, UNSOLICITED_REPORT_INTERVAL_V2));
            }
            IgmpVersion::V3 => {
                g.change = Some(Change {
                    at: now,
                    record_type: GroupRecordType::ChangeToExclude,
                    repeat: Some(random_delay(random, UNSOLICITED_REPORT_INTERVAL_V3)),
                });
            }
        }
    }

    /// Drops one reference to `group`. When it was the last, the group is left and the
    /// message to send at once is returned: an IGMPv2 Leave if we were the last reporter,
    /// nothing in v1, an IGMPv3 `TO_IN {}` report (repeated once by [`poll`](Self::poll)
    /// after `random` modulo 1 s). Leaving 224.0.0.1 does nothing.
    ///
    /// [`IgmpError::NotMulticast`], [`IgmpError::NotMember`].
    pub fn leave(
        &mut self,
        group: Ipv4Addr,
        now: Instant,
        random: u32,
    ) -> Result<Option<IgmpOutgoing>, IgmpError> {
        if !group.is_multicast() {
            return Err(IgmpError::NotMulticast);
        }
        if group.is_all_hosts() {
            return Ok(None);
        }
        self.refresh(now);
        let index = self
            .find(group)
            .filter(|&i| self.groups[i].is_member())
            .ok_or(IgmpError::NotMember)?;
        let mode = self.mode;
        let g = &mut self.groups[index];
        g.refs -= 1;
        if g.refs > 0 {
            return Ok(None);
        }
        log::debug!(target: "netstack::igmp", "left {group} ({mode:?})");
        match mode {
            IgmpVersion::V1 => {
                self.groups.remove(index);
                Ok(None)
            }
            IgmpVersion::V2 => {
                let send = g.last_reporter;
                self.groups.remove(index);
                Ok(send.then_some(IgmpOutgoing::Leave { group }))
            }
            IgmpVersion::V3 => {
                g.cancel_timers();
                g.change = Some(Change {
                    at: now + random_delay(random, UNSOLICITED_REPORT_INTERVAL_V3),
                    record_type: GroupRecordType::ChangeToInclude,
                    repeat: None,
                });
                let mut records = heapless::Vec::new();
                let _ = records.push(V3Record {
                    record_type: GroupRecordType::ChangeToInclude,
                    group,
                });
                Ok(Some(IgmpOutgoing::ReportV3 { records }))
            }
        }
    }

    /// Re-announces every group as if it had just been joined (the interface came up or got
    /// a new address, as lwIP's `igmp_report_groups` and Linux's `ip_mc_up` do). Each
    /// group's repeat delay derives from `random` and the group address.
    pub fn rejoin_all(&mut self, now: Instant, random: u32) {
        self.refresh(now);
        self.general_at = None;
        self.groups.retain(Group::is_member);
        let mode = self.mode;
        for g in self.groups.iter_mut() {
            g.cancel_timers();
            Self::schedule_unsolicited(g, mode, now, group_random(random, g.addr));
        }
    }

    /// Handles a received IGMP message: queries go to [`on_query`](Self::on_query), v1/v2
    /// reports to [`on_report`](Self::on_report); the rest (leaves, v3 reports: other
    /// hosts' business) is ignored.
    pub fn process(&mut self, message: &IgmpRepr<'_>, now: Instant, random: u32) {
        match *message {
            IgmpRepr::MembershipQuery { .. } | IgmpRepr::MembershipQueryV3 { .. } => {
                self.on_query(message, now, random);
            }
            IgmpRepr::MembershipReport { group_addr, .. } => self.on_report(group_addr, now),
            IgmpRepr::LeaveGroup { .. } | IgmpRepr::MembershipReportV3 { .. } => {}
        }
    }

    /// Handles a membership query (RFC 2236 §6, RFC 3376 §5.2, §7.2.1): notes the querier's
    /// version, then schedules the answer in the resulting mode. In v1/v2 each queried group
    /// gets a delay below the Max Response Time — `random` for a group-specific query, one
    /// value per group derived from `random` and the group's address for a general one — and
    /// a pending report is moved only if the Max Response Time is shorter than what it still
    /// has to wait. In v3 `random` gives the delay of the single answer. Other messages and
    /// a group field that is neither 0.0.0.0 nor multicast are ignored.
    pub fn on_query(&mut self, query: &IgmpRepr<'_>, now: Instant, random: u32) {
        let (Some(version), Some(max)) = (query.query_version(), query.max_resp_time()) else {
            return;
        };
        let group = match *query {
            // A v1 query is always general (RFC 1112: the group field is zero).
            IgmpRepr::MembershipQuery { .. } if version == IgmpVersion::V1 => Ipv4Addr::UNSPECIFIED,
            IgmpRepr::MembershipQuery { group_addr, .. }
            | IgmpRepr::MembershipQueryV3 { group_addr, .. } => group_addr,
            _ => return,
        };
        if !group.is_unspecified() && !group.is_multicast() {
            return;
        }
        if let IgmpRepr::MembershipQueryV3 { qrv, qqic, .. } = *query {
            // RFC 3376 §4.1.6, §4.1.7: 0 means "use the default".
            if qrv != 0 {
                self.robustness = qrv;
            }
            if qqic != 0 {
                self.query_interval = Duration::from_secs(u64::from(decode_v3_code(qqic)));
            }
        }
        let timeout = Duration::from_millis(
            self.query_interval
                .millis()
                .saturating_mul(u64::from(self.robustness)),
        ) + max;
        self.querier_until[version_index(version)] = Some(now + timeout);
        self.refresh(now);

        match self.mode {
            IgmpVersion::V1 | IgmpVersion::V2 => {
                for g in self.groups.iter_mut().filter(|g| g.is_member()) {
                    let random = if group.is_unspecified() {
                        group_random(random, g.addr)
                    } else if g.addr == group {
                        random
                    } else {
                        continue;
                    };
                    let remaining = g.report_at.map(|t| t.saturating_since(now));
                    if remaining.is_none_or(|r| max < r) {
                        g.report_at = Some(now + random_delay(random, max));
                    }
                }
            }
            IgmpVersion::V3 => {
                let at = now + random_delay(random, max);
                if self.general_at.is_some_and(|t| t <= at) {
                    return;
                }
                if group.is_unspecified() {
                    self.general_at = Some(at);
                } else if let Some(g) = self
                    .groups
                    .iter_mut()
                    .find(|g| g.addr == group && g.is_member())
                {
                    g.report_at = Some(g.report_at.map_or(at, |t| t.min(at)));
                }
            }
        }
    }

    /// Another host reported `group` (a v1 or v2 report): in v1/v2 our pending report for it
    /// is cancelled, repeat included, and we are no longer its last reporter (RFC 2236 §6).
    /// IGMPv3 hosts do not suppress (RFC 3376 §5.2), so this does nothing in v3.
    pub fn on_report(&mut self, group: Ipv4Addr, now: Instant) {
        self.refresh(now);
        if self.mode == IgmpVersion::V3 {
            return;
        }
        if let Some(g) = self
            .groups
            .iter_mut()
            .find(|g| g.addr == group && g.is_member())
            && g.report_at.is_some()
        {
            g.report_at = None;
            g.repeat = None;
            g.last_reporter = false;
        }
    }

    /// Produces, through `emit`, every message due at `now`, in group order (v3 records of
    /// one poll share reports of at most [`MAX_V3_RECORDS`] records).
    pub fn poll(&mut self, now: Instant, mut emit: impl FnMut(IgmpOutgoing)) {
        self.refresh(now);
        let mode = self.mode;
        let general = self.general_at.is_some_and(|t| t <= now);
        if general {
            self.general_at = None;
        }
        let mut records: heapless::Vec<V3Record, MAX_V3_RECORDS> = heapless::Vec::new();
        let mut push = |record: V3Record, emit: &mut dyn FnMut(IgmpOutgoing)| {
            if records.is_full() {
                emit(IgmpOutgoing::ReportV3 {
                    records: core::mem::take(&mut records),
                });
            }
            let _ = records.push(record);
        };
        for g in self.groups.iter_mut() {
            let mut state_sent = false;
            if let Some(c) = g.change.filter(|c| c.at <= now) {
                push(
                    V3Record {
                        record_type: c.record_type,
                        group: g.addr,
                    },
                    &mut emit,
                );
                state_sent = true;
                g.change = c.repeat.map(|d| Change {
                    at: now + d,
                    repeat: None,
                    ..c
                });
            }
            let due = g.report_at.is_some_and(|t| t <= now);
            if due {
                g.report_at = g.repeat.take().map(|d| now + d);
            }
            if !g.is_member() {
                continue;
            }
            match mode {
                IgmpVersion::V1 | IgmpVersion::V2 if due => {
                    g.last_reporter = true;
                    emit(IgmpOutgoing::Report {
                        group: g.addr,
                        version: mode,
                    });
                }
                IgmpVersion::V3 if (due || general) && !state_sent => push(
                    V3Record {
                        record_type: GroupRecordType::ModeIsExclude,
                        group: g.addr,
                    },
                    &mut emit,
                ),
                _ => {}
            }
        }
        if !records.is_empty() {
            emit(IgmpOutgoing::ReportV3 { records });
        }
        self.groups.retain(|g| g.is_member() || g.change.is_some());
    }

    /// When [`poll`](Self::poll) next has a message to send; `None` when nothing is pending.
    #[inline]
    pub fn next_deadline(&self) -> Option<Instant> {
        if self.groups.is_empty() {
            // The common case, polled for every interface on every poll.
            return self.general_at;
        }
        self.groups
            .iter()
            .flat_map(|g| [g.report_at, g.change.map(|c| c.at)])
            .chain([self.general_at])
            .flatten()
            .min()
    }

    /// Whether the interface is a member of `group` (always for 224.0.0.1).
    pub fn is_member(&self, group: Ipv4Addr) -> bool {
        group.is_all_hosts() || self.find(group).is_some_and(|i| self.groups[i].is_member())
    }

    /// Whether a [`join`](Self::join) of a new group would fail with
    /// [`IgmpError::TableFull`]: every slot holds a joined group (a group only retransmitting
    /// its leave gives its slot up).
    pub fn is_full(&self) -> bool {
        self.groups().count() >= GROUPS
    }

    /// The groups joined, in joining order; 224.0.0.1 is not listed (it is implicit).
    pub fn groups(&self) -> impl Iterator<Item = Ipv4Addr> + '_ {
        self.groups.iter().filter(|g| g.is_member()).map(|g| g.addr)
    }

    /// The compatibility mode at `now` (RFC 3376 §7.2.1): the oldest querier version heard
    /// within its timeout, else the default version.
    pub fn compat_mode(&self, now: Instant) -> IgmpVersion {
        [IgmpVersion::V1, IgmpVersion::V2, IgmpVersion::V3]
            .into_iter()
            .find(|&v| self.querier_until[version_index(v)].is_some_and(|t| t > now))
            .unwrap_or(self.default_version)
    }

    /// Brings the mode up to date; a change cancels every pending report (RFC 3376 §7.2.1)
    /// and forgets groups that were only retransmitting their leave.
    fn refresh(&mut self, now: Instant) {
        let mode = self.compat_mode(now);
        if mode == self.mode {
            return;
        }
        log::debug!(target: "netstack::igmp", "compatibility mode {:?} -> {mode:?}", self.mode);
        self.mode = mode;
        self.general_at = None;
        self.groups.retain(Group::is_member);
        for g in self.groups.iter_mut() {
            g.cancel_timers();
        }
    }

    fn find(&self, group: Ipv4Addr) -> Option<usize> {
        self.groups.iter().position(|g| g.addr == group)
    }
}

fn version_index(version: IgmpVersion) -> usize {
    match version {
        IgmpVersion::V1 => 0,
        IgmpVersion::V2 => 1,
        IgmpVersion::V3 => 2,
    }
}

/// A delay in `[0, max)` from a random number (milliseconds; 0 when `max` is 0).
fn random_delay(random: u32, max: Duration) -> Duration {
    match max.millis() {
        0 => Duration::ZERO,
        m => Duration::from_millis(u64::from(random) % m),
    }
}

/// One random number per group out of one per query: MurmurHash3's 32-bit finalizer over
/// `random` mixed with the group address, so groups get unrelated delays.
pub(crate) fn group_random(random: u32, group: Ipv4Addr) -> u32 {
    let mut h = random ^ u32::from(group).rotate_left(16);
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h
}

#[cfg(test)]
mod tests;
