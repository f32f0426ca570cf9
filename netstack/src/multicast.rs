//! Multicast group membership of the stack's interfaces (RFC 1112 §6, RFC 2236, RFC 3376
//! host side; lwIP's `igmp.c` as the stack drives it).
//!
//! Each interface owns an [`IgmpGroups`](crate::igmp::IgmpGroups): which groups it receives (the IP-level filter of
//! IPv4 input; the link delivers every multicast frame) and the reports it owes. This
//! module feeds it received IGMP messages and the clock, and sends what it produces with
//! TTL 1 and the Router Alert option (RFC 2236 §2), from the interface's address (0.0.0.0
//! without one), never looped back. Joins are counted: each
//! [`Stack::join_multicast`] needs a [`Stack::leave_multicast`]. The all-hosts group
//! 224.0.0.1 is always received and never reported. With `config::IGMP` off, memberships
//! still filter input but nothing is sent and received IGMP is dropped.

use alloc::vec::Vec;
use core::net::Ipv4Addr;

use crate::config;
use crate::error::Error;
use crate::hooks::Hooks;
use crate::igmp::{IgmpError, IgmpOutgoing, TTL};
use crate::ipv4::{DstKind, IpRx, IpTx};
use crate::netif::NetifId;
use crate::stack::Stack;
use crate::stats::DropReason;
use crate::time::Instant;
use crate::wire::{ChecksumCheck, IgmpPacket, IgmpRepr, IpProtocol};

const LOG: &str = "netstack::igmp";

impl From<IgmpError> for Error {
    fn from(e: IgmpError) -> Error {
        match e {
            IgmpError::NotMulticast => Error::Invalid,
            IgmpError::TableFull => Error::PoolExhausted,
            IgmpError::NotMember => Error::AddrNotAvailable,
        }
    }
}

impl<H: Hooks> Stack<H> {
    /// Handles a received IGMP message.
    pub(crate) fn igmp_input(&mut self, rx: &IpRx<'_>, now: Instant) {
        self.stats.igmp.rx += 1;
        if !config::IGMP {
            self.stats.igmp.drop(DropReason::Unsupported);
            return;
        }
        let repr = match IgmpPacket::new_checked(rx.payload)
            .and_then(|p| IgmpRepr::parse(&p, ChecksumCheck::Verify))
        {
            Ok(r) => r,
            Err(e) => {
                self.stats.igmp.drop(e.into());
                return;
            }
        };
        if rx.kind != DstKind::Multicast {
            // RFC 2236 §2: IGMP travels to groups only.
            self.stats.igmp.drop(DropReason::NotForUs);
            return;
        }
        // A group-specific query must be sent to that group (RFC 2236 §3, lwIP checks it).
        if let IgmpRepr::MembershipQuery { group_addr, .. }
        | IgmpRepr::MembershipQueryV3 { group_addr, .. } = repr
            && !group_addr.is_unspecified()
            && group_addr != rx.repr.dst_addr
        {
            self.stats.igmp.drop(DropReason::Malformed);
            return;
        }
        let random = self.rng.next_u32();
        if let Some(n) = self.netif_mut(rx.netif) {
            n.igmp.process(&repr, now, random);
        }
        self.igmp_flush(rx.netif, now);
    }

    /// Keeps the stack's interface-timer bound below `id`'s next IGMP deadline after its
    /// groups changed.
    fn igmp_note(&mut self, id: NetifId) {
        let next = self.netif_ref(id).and_then(|n| n.igmp.next_deadline());
        self.note_netif_timer(next);
    }

    /// Sends every IGMP message of `id` that is due.
    #[inline(never)]
    fn igmp_flush(&mut self, id: NetifId, now: Instant) {
        let Some(n) = self.netif_mut(id) else { return };
        if n.igmp.next_deadline().is_some_and(|t| t <= now) {
            let mut out = Vec::new();
            n.igmp.poll(now, |m| out.push(m));
            for m in out {
                self.igmp_send(id, &m);
            }
        }
        self.igmp_note(id);
    }

    fn igmp_send(&mut self, id: NetifId, message: &IgmpOutgoing) {
        if !config::IGMP {
            return;
        }
        let dst = message.dst_addr();
        let tx = IpTx {
            ttl: TTL,
            tos: 0xc0,
            router_alert: true,
            netif: Some(id),
            multicast_loop: false,
            ..IpTx::new(dst, IpProtocol::Igmp)
        };
        let len = message.buffer_len();
        let result = self.ipv4_send(&tx, len, |buf, _| {
            // The buffer is exactly `buffer_len()` bytes: emit cannot fail.
            let _ = message.emit(buf);
        });
        match result {
            Ok(()) => self.stats.igmp.tx += 1,
            Err(e) => log::debug!(target: LOG, "{id}: IGMP to {dst} not sent: {e}"),
        }
    }

    /// Runs the IGMP timers of every interface.
    pub(crate) fn multicast_poll(&mut self, now: Instant) {
        for index in 0..self.netif_end {
            // The cheap test inline; the sending (rare) out of line.
            let due = self
                .netifs
                .get(index)
                .and_then(Option::as_ref)
                .is_some_and(|n| n.igmp.next_deadline().is_some_and(|t| t <= now));
            if due {
                self.igmp_flush(NetifId(index as u8), now);
            }
        }
    }

    /// An interface came up or changed address: report its groups again (RFC 2236 §3,
    /// lwIP's `igmp_report_groups`).
    pub(crate) fn multicast_netif_up(&mut self, id: NetifId) {
        let random = self.rng.next_u32();
        let now = self.now;
        if let Some(n) = self.netif_mut(id) {
            n.igmp.rejoin_all(now, random);
        }
        self.igmp_note(id);
    }

    // ---- public API ----

    /// Joins `group` on interface `netif` (lwIP `igmp_joingroup_netif`): the interface
    /// receives it from now on and, on the first join, reports it at once and once more
    /// later. Joins are counted; each needs a [`leave_multicast`](Self::leave_multicast).
    ///
    /// [`Error::Invalid`] (not multicast, unknown netif), [`Error::PoolExhausted`]
    /// (`config::MEMP_NUM_IGMP_GROUP` groups joined).
    pub fn join_multicast(&mut self, netif: NetifId, group: Ipv4Addr) -> Result<(), Error> {
        let random = self.rng.next_u32();
        let now = self.now;
        let n = self.netif_mut(netif).ok_or(Error::Invalid)?;
        n.igmp.join(group, now, random)?;
        log::debug!(target: LOG, "{netif}: joined {group}");
        if n.up {
            self.igmp_flush(netif, now);
        }
        self.igmp_note(netif);
        Ok(())
    }

    /// Leaves `group` on `netif` (lwIP `igmp_leavegroup_netif`); the last leave stops
    /// receiving it and tells the routers ([`Error::AddrNotAvailable`] if not joined). If
    /// that frees a slot of a full table, the hooks hear it
    /// (`Hooks::memp_available(Pool::IgmpGroup(netif))`).
    pub fn leave_multicast(&mut self, netif: NetifId, group: Ipv4Addr) -> Result<(), Error> {
        let random = self.rng.next_u32();
        let now = self.now;
        let n = self.netif_mut(netif).ok_or(Error::Invalid)?;
        #[cfg(not(netstack_hook_memp_available = "none"))]
        let was_full = n.igmp.is_full();
        let message = n.igmp.leave(group, now, random)?;
        #[cfg(not(netstack_hook_memp_available = "none"))]
        let has_room = !n.igmp.is_full();
        if let Some(message) = message {
            self.igmp_send(netif, &message);
        }
        self.igmp_note(netif);
        #[cfg(not(netstack_hook_memp_available = "none"))]
        if was_full && has_room {
            self.hooks
                .memp_available(crate::hooks::Pool::IgmpGroup(netif));
        }
        Ok(())
    }

    /// Whether `netif` receives `group`.
    pub fn is_multicast_member(&self, netif: NetifId, group: Ipv4Addr) -> bool {
        self.netif_ref(netif)
            .is_some_and(|n| n.igmp.is_member(group))
    }
}
