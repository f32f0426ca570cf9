//! Multicast group membership as the application asks for it (RFC 1112 §6 host
//! extensions, lwIP's `igmp_joingroup_netif`/`igmp_leavegroup_netif`): join, leave and
//! "is this interface a member", independent of how a family announces membership.
//!
//! Joins are counted: each [`Stack::join_multicast`] needs a [`Stack::leave_multicast`].
//! The membership itself lives in each interface's table
//! ([`IgmpGroups`](crate::ipv4::igmp::IgmpGroups) for IPv4), which is also the IP-level
//! filter of input (the link delivers every multicast frame); the reports a change owes are
//! sent by the family's protocol ([`crate::ipv4::igmp`]; MLD in [`crate::ipv6`] once IPv6
//! lands). The all-hosts group 224.0.0.1 is always received and never reported. With
//! `config::IGMP` off, memberships still filter input but nothing is sent.

use core::net::Ipv4Addr;

use crate::error::Error;
use crate::hooks::Hooks;
use crate::netif::NetifId;
use crate::stack::Stack;

const LOG: &str = "netstack::igmp";

impl<H: Hooks> Stack<H> {
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
