//! Multicast group membership of the stack's interfaces (RFC 1112 §6, RFC 2236 IGMPv2;
//! lwIP's `igmp.c` as the stack uses it).
//!
//! Each interface keeps its memberships ([`Memberships`]): which groups it receives (the
//! IP-level filter of [`Stack::ipv4_input`]; the link delivers every multicast frame) and
//! the IGMP state of each. Joining sends an unsolicited report, leaving the last user of a
//! group sends a leave; IGMP messages go out with TTL 1 and the Router Alert option
//! (RFC 2236 §2). The all-hosts group 224.0.0.1 is always received and never reported.

use core::net::Ipv4Addr;

use crate::config;
use crate::error::Error;
use crate::hooks::Hooks;
use crate::ipv4::{IpRx, IpTx};
use crate::netif::NetifId;
use crate::stack::Stack;
use crate::stats::DropReason;
use crate::time::Instant;
use crate::wire::{
    ChecksumCheck, IgmpPacket, IgmpRepr, IgmpVersion, IpProtocol, Ipv4AddrExt, WireError,
};

const LOG: &str = "netstack::igmp";

/// The all-routers group, destination of IGMPv2 leaves (RFC 2236 §3).
pub const ALL_ROUTERS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 2);

/// The groups an interface has joined, with a use count each.
#[derive(Debug, Default)]
pub(crate) struct Memberships {
    groups: heapless::Vec<(Ipv4Addr, u16), { config::MEMP_NUM_IGMP_GROUP }>,
}

impl Memberships {
    pub(crate) fn new() -> Memberships {
        Memberships::default()
    }

    /// Whether the interface receives `group`.
    pub(crate) fn is_member(&self, group: Ipv4Addr) -> bool {
        self.groups.iter().any(|&(g, _)| g == group)
    }

    /// When the IGMP state next needs attention.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        None
    }

    /// Adds a user; `Ok(true)` when the group is new.
    fn join(&mut self, group: Ipv4Addr) -> Result<bool, Error> {
        if let Some((_, n)) = self.groups.iter_mut().find(|(g, _)| *g == group) {
            *n = n.saturating_add(1);
            return Ok(false);
        }
        self.groups
            .push((group, 1))
            .map_err(|_| Error::PoolExhausted)?;
        Ok(true)
    }

    /// Removes a user; `Ok(true)` when it was the last.
    fn leave(&mut self, group: Ipv4Addr) -> Result<bool, Error> {
        let i = self
            .groups
            .iter()
            .position(|&(g, _)| g == group)
            .ok_or(Error::AddrNotAvailable)?;
        let n = &mut self.groups[i].1;
        *n -= 1;
        if *n == 0 {
            self.groups.swap_remove(i);
            return Ok(true);
        }
        Ok(false)
    }

    /// Every group.
    pub(crate) fn groups(&self) -> impl Iterator<Item = Ipv4Addr> + '_ {
        self.groups.iter().map(|&(g, _)| g)
    }
}

impl<H: Hooks> Stack<H> {
    /// Handles a received IGMP message.
    pub(crate) fn igmp_input(&mut self, rx: &IpRx<'_>, now: Instant) {
        let _ = now;
        self.stats.igmp.rx += 1;
        let repr = match IgmpPacket::new_checked(rx.payload)
            .and_then(|p| IgmpRepr::parse(&p, ChecksumCheck::Verify))
        {
            Ok(r) => r,
            Err(WireError::BadChecksum) => {
                self.stats.igmp.drop(DropReason::Checksum);
                return;
            }
            Err(WireError::Unsupported) => {
                self.stats.igmp.drop(DropReason::Unsupported);
                return;
            }
            Err(_) => {
                self.stats.igmp.drop(DropReason::Malformed);
                return;
            }
        };
        if !config::IGMP {
            self.stats.igmp.drop(DropReason::Unsupported);
            return;
        }
        if let IgmpRepr::MembershipQuery { .. } | IgmpRepr::MembershipQueryV3 { .. } = repr {
            // Answer a query with a report for each group asked about.
            let asked = match repr {
                IgmpRepr::MembershipQuery { group_addr, .. }
                | IgmpRepr::MembershipQueryV3 { group_addr, .. } => group_addr,
                _ => Ipv4Addr::UNSPECIFIED,
            };
            let groups: heapless::Vec<Ipv4Addr, { config::MEMP_NUM_IGMP_GROUP }> = self
                .netif_ref(rx.netif)
                .map(|n| {
                    n.igmp
                        .groups()
                        .filter(|g| asked.is_unspecified() || *g == asked)
                        .collect()
                })
                .unwrap_or_default();
            for g in groups {
                self.igmp_send(
                    rx.netif,
                    g,
                    IgmpRepr::MembershipReport {
                        group_addr: g,
                        version: IgmpVersion::V2,
                    },
                );
            }
        }
    }

    fn igmp_send(&mut self, netif: NetifId, dst: Ipv4Addr, repr: IgmpRepr<'_>) {
        if !config::IGMP || repr_group(&repr).is_some_and(|g| g.is_all_hosts()) {
            return;
        }
        let tx = IpTx {
            ttl: 1,
            tos: 0xc0,
            router_alert: true,
            netif: Some(netif),
            ..IpTx::new(dst, IpProtocol::Igmp)
        };
        let len = repr.buffer_len();
        let result = self.ipv4_send(&tx, len, |buf, _| {
            let _ = repr.emit(&mut IgmpPacket::new_unchecked(buf));
        });
        match result {
            Ok(()) => self.stats.igmp.tx += 1,
            Err(e) => log::debug!(target: LOG, "{netif}: IGMP to {dst} not sent: {e}"),
        }
    }

    /// Runs the IGMP timers.
    pub(crate) fn multicast_poll(&mut self, now: Instant) {
        let _ = now;
    }

    /// An interface came up: report its groups again (RFC 2236 §3).
    pub(crate) fn multicast_netif_up(&mut self, id: NetifId) {
        let _ = id;
    }

    // ---- public API ----

    /// Joins `group` on interface `netif` (lwIP `igmp_joingroup_netif`): the interface
    /// receives it from now on and, on the first join, reports it (IGMPv2). Joins are
    /// counted; each needs a [`leave_multicast`](Self::leave_multicast).
    pub fn join_multicast(&mut self, netif: NetifId, group: Ipv4Addr) -> Result<(), Error> {
        if !group.is_multicast() {
            return Err(Error::Invalid);
        }
        let n = self.netif_mut(netif).ok_or(Error::Invalid)?;
        if n.igmp.join(group)? {
            log::debug!(target: LOG, "{netif}: joined {group}");
            self.igmp_send(
                netif,
                group,
                IgmpRepr::MembershipReport {
                    group_addr: group,
                    version: IgmpVersion::V2,
                },
            );
        }
        Ok(())
    }

    /// Leaves `group` on `netif` (lwIP `igmp_leavegroup_netif`); the last leave stops
    /// receiving it and sends an IGMPv2 leave.
    pub fn leave_multicast(&mut self, netif: NetifId, group: Ipv4Addr) -> Result<(), Error> {
        let n = self.netif_mut(netif).ok_or(Error::Invalid)?;
        if n.igmp.leave(group)? {
            log::debug!(target: LOG, "{netif}: left {group}");
            self.igmp_send(
                netif,
                ALL_ROUTERS,
                IgmpRepr::LeaveGroup { group_addr: group },
            );
        }
        Ok(())
    }

    /// Whether `netif` receives `group`.
    pub fn is_multicast_member(&self, netif: NetifId, group: Ipv4Addr) -> bool {
        self.netif_ref(netif)
            .is_some_and(|n| n.igmp.is_member(group))
    }
}

fn repr_group(repr: &IgmpRepr<'_>) -> Option<Ipv4Addr> {
    match *repr {
        IgmpRepr::MembershipReport { group_addr, .. } | IgmpRepr::LeaveGroup { group_addr } => {
            Some(group_addr)
        }
        _ => None,
    }
}
