//! IPv4 routing: which interface a datagram leaves by, and to which next hop
//! (RFC 1122 §3.3.1; lwIP's `ip4_route`, `ip4_route_src` and ESP-IDF's source-based rule).
//!
//! The interface, in order of precedence:
//! 1. [`Hooks::ip4_route_src`] (source and destination);
//! 2. [`Hooks::ip4_route`] (destination);
//! 3. source-based: a source address that belongs to an up interface picks that
//!    interface (ESP-IDF's `ip4_route_src_hook`), so replies leave where requests came in;
//! 4. 127.0.0.0/8: the loopback interface;
//! 5. the longest prefix among the subnets of up interfaces that hold the destination;
//! 6. the default interface, if up.
//!
//! The next hop on that interface: the destination itself when it is on-link (in the
//! subnet, or link-local 169.254/16, RFC 3927 §2.6.2), broadcast for the limited or the
//! subnet-directed broadcast, the group for multicast, otherwise
//! [`Hooks::etharp_get_gw`]'s answer or the interface's gateway.

use core::net::Ipv4Addr;

use crate::error::Error;
use crate::hooks::Hooks;
use crate::ipv4::link::NextHop;
use crate::netif::{NetifId, netif_in};
use crate::stack::Stack;

/// Whether `addr` is in 169.254.0.0/16 (RFC 3927): on-link on every interface, never
/// forwarded.
pub(crate) fn is_link_local(addr: Ipv4Addr) -> bool {
    addr.is_link_local()
}

impl<H: Hooks> Stack<H> {
    /// Whether `id` exists and is up.
    fn netif_up(&self, id: NetifId) -> bool {
        self.netif_ref(id).is_some_and(|n| n.up)
    }

    /// Chooses the interface for a datagram from `src` (if already chosen) to `dst`.
    pub fn route(&mut self, src: Option<Ipv4Addr>, dst: Ipv4Addr) -> Option<NetifId> {
        let hooked = match self.tx_trace.asked_route.take() {
            Some(answer) => answer,
            None => self.route_hook_answer(src, dst),
        };
        if let Some(id) = hooked {
            self.tx_trace.route_hooked = true;
            return Some(id);
        }
        let src = src.filter(|s| !s.is_unspecified());
        if let Some(src) = src
            && !src.is_loopback()
            && let Some(id) = self.is_our_addr(src)
            && !dst.is_loopback()
        {
            return Some(id);
        }
        if dst.is_loopback() {
            return self.loopback_netif.filter(|&id| self.netif_up(id));
        }
        let best = self
            .netif_iter()
            .filter(|(_, n)| n.up && !n.loopback)
            .filter_map(|(id, n)| {
                let cidr = n.ipv4?;
                cidr.contains_addr(&dst).then_some((id, cidr.prefix_len()))
            })
            .max_by_key(|&(_, len)| len)
            .map(|(id, _)| id);
        if best.is_some() {
            return best;
        }
        self.default_netif.filter(|&id| self.netif_up(id))
    }

    /// The interface a route hook chooses for a datagram from `src` to `dst`, if one does
    /// and it is up (rules 1 and 2 above). Each hook is called at most once.
    #[inline]
    pub(crate) fn route_hook_answer(
        &mut self,
        src: Option<Ipv4Addr>,
        dst: Ipv4Addr,
    ) -> Option<NetifId> {
        if crate::hooks::enabled::IP4_ROUTE_SRC
            && let Some(id) = self
                .hooks
                .ip4_route_src(src.filter(|s| !s.is_unspecified()), dst)
            && self.netif_up(id)
        {
            return Some(id);
        }
        if crate::hooks::enabled::IP4_ROUTE
            && let Some(id) = self.hooks.ip4_route(dst)
            && self.netif_up(id)
        {
            return Some(id);
        }
        None
    }

    /// Whether a datagram to `dst` (from `src`, if chosen) has somewhere to go: an
    /// interface, and on it a next hop (the destination on-link, or a gateway).
    /// [`Error::NoRoute`] otherwise, e.g. an off-link destination on an interface without a
    /// gateway.
    #[cfg(feature = "std")] // asked by the sockets API only
    pub(crate) fn check_route(
        &mut self,
        src: Option<Ipv4Addr>,
        dst: Ipv4Addr,
    ) -> Result<(), Error> {
        let id = self.route(src, dst).ok_or(Error::NoRoute)?;
        self.next_hop(id, dst).map(|_| ())
    }

    /// The next hop for `dst` on interface `id`.
    pub(crate) fn next_hop(&mut self, id: NetifId, dst: Ipv4Addr) -> Result<NextHop, Error> {
        let netif = netif_in(&self.netifs, id).ok_or(Error::NoRoute)?;
        if dst.is_multicast() {
            return Ok(NextHop::Multicast(dst));
        }
        if netif.is_broadcast(dst) {
            return Ok(NextHop::Broadcast);
        }
        if netif.on_link(dst) || is_link_local(dst) || netif.loopback {
            return Ok(NextHop::Unicast(dst));
        }
        let gateway = netif.gateway;
        if crate::hooks::enabled::ETHARP_GET_GW {
            let answer = match self.tx_trace.asked_gateway.take() {
                Some(answer) => answer,
                None => self.hooks.etharp_get_gw(&netif.info(id), dst),
            };
            if let Some(gw) = answer {
                self.tx_trace.gateway_hooked = true;
                return Ok(NextHop::Unicast(gw));
            }
        }
        self.tx_trace.via_gateway = true;
        gateway
            .filter(|gw| !gw.is_unspecified())
            .map(NextHop::Unicast)
            .ok_or(Error::NoRoute)
    }
}

#[cfg(test)]
mod tests {
    use crate::netif::NetifConfig;
    use crate::phy::{LinkConfig, VirtualLink};
    use crate::wire::Ipv4Cidr;
    use crate::{Stack, StackConfig};
    use alloc::boxed::Box;
    use core::net::Ipv4Addr;

    fn cidr(a: [u8; 4], len: u8) -> Ipv4Cidr {
        Ipv4Cidr::new(Ipv4Addr::from(a), len).expect("valid")
    }

    #[test]
    fn longest_prefix_source_and_default() {
        let link = VirtualLink::new(LinkConfig::default());
        let mut s = Stack::new(StackConfig::default());
        let a = s
            .add_netif(
                NetifConfig::new("a")
                    .with_ipv4(cidr([10, 0, 0, 2], 8))
                    .with_gateway(Ipv4Addr::new(10, 0, 0, 1)),
                Box::new(link.port()),
            )
            .expect("add");
        let b = s
            .add_netif(
                NetifConfig::new("b").with_ipv4(cidr([10, 1, 0, 2], 16)),
                Box::new(link.port()),
            )
            .expect("add");
        assert_eq!(s.default_netif(), Some(a));
        assert_eq!(s.route(None, Ipv4Addr::new(10, 1, 2, 3)), Some(b));
        assert_eq!(s.route(None, Ipv4Addr::new(10, 2, 2, 3)), Some(a));
        // Off every subnet: the default interface.
        assert_eq!(s.route(None, Ipv4Addr::new(8, 8, 8, 8)), Some(a));
        // Source-based: b's address picks b even for a destination in a's subnet.
        assert_eq!(
            s.route(Some(Ipv4Addr::new(10, 1, 0, 2)), Ipv4Addr::new(10, 2, 2, 3)),
            Some(b)
        );
        if crate::config::NETIF_LOOPBACK {
            assert_eq!(s.route(None, Ipv4Addr::LOCALHOST), s.loopback_netif());
        }
        // Next hop: on-link, gateway, broadcast.
        use crate::ipv4::link::NextHop;
        assert_eq!(
            s.next_hop(a, Ipv4Addr::new(10, 9, 9, 9)),
            Ok(NextHop::Unicast(Ipv4Addr::new(10, 9, 9, 9)))
        );
        assert_eq!(
            s.next_hop(a, Ipv4Addr::new(8, 8, 8, 8)),
            Ok(NextHop::Unicast(Ipv4Addr::new(10, 0, 0, 1)))
        );
        assert_eq!(
            s.next_hop(b, Ipv4Addr::new(8, 8, 8, 8)),
            Err(crate::Error::NoRoute)
        );
        assert_eq!(
            s.next_hop(b, Ipv4Addr::new(10, 1, 255, 255)),
            Ok(NextHop::Broadcast)
        );
        // Down interfaces are skipped.
        s.set_down(b).expect("down");
        assert_eq!(s.route(None, Ipv4Addr::new(10, 1, 2, 3)), Some(a));
        s.set_default_netif(None).expect("clear");
        s.set_down(a).expect("down");
        assert_eq!(s.route(None, Ipv4Addr::new(8, 8, 8, 8)), None);
    }
}
