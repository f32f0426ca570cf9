//! The next-hop hint: what routing and ARP decided for the last unicast destination sent
//! to, so that the datagrams that follow (a TCP connection's segments, a UDP stream) go
//! straight to the link (lwIP keeps per-connection netif and ARP-slot hints for the same
//! reason, `LWIP_NETIF_HWADDRHINT`).
//!
//! A hint is only an outcome the slow path would reach again: it is taken when that path
//! went through no hook answer (neither route hook nor `etharp_get_gw` chose), ended at a
//! resolved unicast neighbour on an Ethernet interface, and it holds while nothing it
//! depends on changed: no interface changed (address, gateway, MTU, up/down, the default,
//! added or removed: the stack's interface epoch), no ARP entry changed (the ARP cache's
//! epoch), and the neighbour's entry needs no refresh yet. The hooks are still called for
//! every datagram; an answer where the hint was taken without one sends the datagram the
//! slow way.

use core::net::Ipv4Addr;

use crate::hooks::Hooks;
use crate::netif::NetifId;
use crate::stack::Stack;
use crate::time::Instant;
use crate::wire::EthernetAddress;

use super::IpTx;

/// The outcome of routing and resolution for one destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TxHint {
    /// The source the datagram asked for (`IpTx::src`), part of the key.
    pub(crate) asked_src: Option<Ipv4Addr>,
    /// The destination, the other part of the key.
    pub(crate) dst: Ipv4Addr,
    /// The interface routing chose.
    pub(crate) netif: NetifId,
    /// The source address the datagram gets.
    pub(crate) src: Ipv4Addr,
    /// The next hop's hardware address.
    pub(crate) mac: EthernetAddress,
    /// The interface's MTU.
    pub(crate) mtu: usize,
    /// Whether the next hop is a gateway (then `etharp_get_gw` is asked each time).
    pub(crate) via_gateway: bool,
    /// Valid before this instant (when the neighbour's ARP entry wants a refresh).
    pub(crate) until: Instant,
    /// The stack's interface epoch when taken.
    pub(crate) netif_epoch: u32,
    /// The ARP cache's epoch when taken.
    pub(crate) arp_epoch: u32,
}

/// What the slow path of one datagram went through, gathered as it runs: whether its
/// outcome may become a hint.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TxTrace {
    /// A route hook chose the interface.
    pub(crate) route_hooked: bool,
    /// `etharp_get_gw` chose the next hop.
    pub(crate) gateway_hooked: bool,
    /// The next hop is the interface's gateway.
    pub(crate) via_gateway: bool,
    /// The neighbour's address and how long the ARP entry needs no refresh, when the
    /// datagram went to a resolved unicast neighbour.
    pub(crate) resolved: Option<(EthernetAddress, Instant)>,
    /// The route hooks' answer, when [`Stack::tx_hint`] already asked them for this
    /// datagram (routing takes it instead of asking again: once per datagram).
    pub(crate) asked_route: Option<Option<NetifId>>,
    /// `etharp_get_gw`'s answer, when [`Stack::tx_hint`] already asked it.
    pub(crate) asked_gateway: Option<Option<Ipv4Addr>>,
}

impl<H: Hooks> Stack<H> {
    /// The hint for `tx` with `payload_len` bytes of payload, if one holds now and the
    /// datagram fits the interface's MTU. Calls the hooks the slow path would call for this
    /// datagram; `None` (send the slow way) when one of them answers.
    pub(crate) fn tx_hint(&mut self, tx: &IpTx, payload_len: usize) -> Option<TxHint> {
        let hint = self.tx_hint?;
        let header_len = if tx.router_alert { 24 } else { 20 };
        if tx.netif.is_some()
            || hint.dst != tx.dst
            || hint.asked_src != tx.src
            || hint.netif_epoch != self.netif_epoch
            || hint.arp_epoch != self.arp.epoch()
            || self.now >= hint.until
            || header_len + payload_len > hint.mtu
        {
            return None;
        }
        let route = self.route_hook_answer(tx.src, tx.dst);
        if route.is_some() {
            self.tx_trace.asked_route = Some(route);
            return None;
        }
        if crate::hooks::enabled::ETHARP_GET_GW && hint.via_gateway {
            let info = crate::netif::netif_in(&self.netifs, hint.netif)?.info(hint.netif);
            let gateway = self.hooks.etharp_get_gw(&info, tx.dst);
            if gateway.is_some() {
                self.tx_trace.asked_route = Some(route);
                self.tx_trace.asked_gateway = Some(gateway);
                return None;
            }
        }
        Some(hint)
    }

    /// Keeps the outcome of a datagram the slow path sent as the hint, when it may be one.
    pub(crate) fn keep_tx_hint(&mut self, tx: &IpTx, netif: NetifId, src: Ipv4Addr) {
        let trace = core::mem::take(&mut self.tx_trace);
        if tx.netif.is_some() || trace.route_hooked || trace.gateway_hooked {
            return;
        }
        let Some((mac, until)) = trace.resolved else {
            return;
        };
        let Some(mtu) = self.netif_ref(netif).map(|n| n.mtu) else {
            return;
        };
        self.tx_hint = Some(TxHint {
            asked_src: tx.src,
            dst: tx.dst,
            netif,
            src,
            mac,
            mtu,
            via_gateway: trace.via_gateway,
            until,
            netif_epoch: self.netif_epoch,
            arp_epoch: self.arp.epoch(),
        });
    }
}
