//! IGMP on the stack: what [`IgmpGroups`](super::IgmpGroups) asks for, carried out. Received
//! messages are checked (checksum, RFC 2236 §2 destination, RFC 2236 §3 group-specific
//! query addressed to its group) and fed to the interface's table; what the table says is
//! due is sent with TTL 1 and the Router Alert option (RFC 2236 §2, RFC 3376 §4), from the
//! interface's address (0.0.0.0 without one), never looped back. With `config::IGMP` off,
//! received IGMP is dropped and nothing is sent.

use alloc::vec::Vec;

use super::{IgmpError, IgmpOutgoing, TTL};
use crate::config;
use crate::error::Error;
use crate::hooks::Hooks;
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
    pub(crate) fn igmp_note(&mut self, id: NetifId) {
        let next = self.netif_ref(id).and_then(|n| n.igmp.next_deadline());
        self.note_netif_timer(next);
    }

    /// Sends every IGMP message of `id` that is due.
    #[inline(never)]
    pub(crate) fn igmp_flush(&mut self, id: NetifId, now: Instant) {
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

    pub(crate) fn igmp_send(&mut self, id: NetifId, message: &IgmpOutgoing) {
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
    pub(crate) fn igmp_poll(&mut self, now: Instant) {
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
    pub(crate) fn igmp_netif_up(&mut self, id: NetifId) {
        let random = self.rng.next_u32();
        let now = self.now;
        if let Some(n) = self.netif_mut(id) {
            n.igmp.rejoin_all(now, random);
        }
        self.igmp_note(id);
    }
}
