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
//! # Sending them (the stack's part)
//!
//! Every IGMP message goes out with IP TTL 1 and the Router Alert option (RFC 2236 §2,
//! RFC 3376 §4: `Ipv4Repr { ttl: 1, router_alert: true, protocol: Igmp, .. }`), to
//! [`IgmpOutgoing::dst_addr`], from the interface's address (0.0.0.0 if it has none yet,
//! RFC 3376 §4.2.13), never looped back to ourselves. The stack feeds received queries
//! and reports through [`IgmpGroups::process`] (after checking the checksum and, for a
//! group-specific query, that it was sent to that group).

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
mod tests {
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
}
