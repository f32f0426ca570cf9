//! IPv4 down to the link (lwIP's `etharp_output`): the next hop a route chose
//! ([`NextHop`], from `Stack::next_hop`) becomes a hardware address — broadcast, the
//! RFC 1112 §6.4 multicast mapping, or the neighbour's address from the ARP cache
//! ([`crate::ipv4::arp`], RFC 826), queueing the datagram while a request is outstanding —
//! and the datagram goes to the link layer's `transmit_in_place` (`ethernet.rs`). On
//! `Medium::Ip` devices (loopback, PPP) there is nothing to resolve.

use core::net::Ipv4Addr;

use crate::error::Error;
use crate::hooks::Hooks;
use crate::ipv4::arp::{Refresh, Resolution};
use crate::netif::NetifId;
use crate::phy::Medium;
use crate::stack::Stack;
use crate::stats::DropReason;
use crate::time::Instant;
use crate::wire::{EtherType, EthernetAddress};

const LOG: &str = "netstack::ethernet";

/// Where a datagram goes on the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NextHop {
    /// To this neighbour (resolved by ARP).
    Unicast(Ipv4Addr),
    /// To every host on the link.
    Broadcast,
    /// To the members of this group (RFC 1112 §6.4 MAC mapping).
    Multicast(Ipv4Addr),
}

impl<H: Hooks> Stack<H> {
    /// Sends the IPv4 datagram `buf[start..start + len]` to `hop` on interface `id`,
    /// resolving the hop's hardware address on Ethernet.
    pub(crate) fn ip_link_output(
        &mut self,
        id: NetifId,
        hop: NextHop,
        buf: &mut [u8],
        start: usize,
        len: usize,
        now: Instant,
    ) -> Result<(), Error> {
        if self.medium(id) != Some(Medium::Ethernet) {
            return self.transmit_in_place(
                id,
                EthernetAddress::BROADCAST,
                EtherType::Ipv4,
                buf,
                start,
                len,
                now,
            );
        }
        let dst = match hop {
            NextHop::Broadcast => EthernetAddress::BROADCAST,
            NextHop::Multicast(group) => EthernetAddress::from_ipv4_multicast(&group),
            NextHop::Unicast(ip) => {
                let mut evicted = 0;
                let resolution = self.arp.resolve(id, ip, now, &mut evicted);
                if evicted != 0 {
                    // (Only then: the counter's cache line stays untouched per frame.)
                    self.stats.arp.evicted += evicted;
                }
                match resolution {
                    Some(Resolution::Resolved(mac, refresh)) => {
                        if refresh.is_none() {
                            let until = self.arp.last_valid_until();
                            self.tx_trace.resolved = Some((mac, until));
                        }
                        match refresh {
                            Some(Refresh::Unicast(m)) => {
                                self.send_arp_request(id, ip, m, now);
                            }
                            Some(Refresh::Broadcast) => {
                                self.send_arp_request(id, ip, EthernetAddress::BROADCAST, now);
                            }
                            None => {}
                        }
                        mac
                    }
                    Some(Resolution::Pending { slot, new }) => {
                        let packet = buf.get(start..start + len).ok_or(Error::Invalid)?;
                        let dropped = self.arp.enqueue(slot, packet.to_vec());
                        for _ in 0..dropped {
                            self.stats.ip.drop(DropReason::QueueFull);
                        }
                        if new {
                            log::trace!(target: LOG, "{id}: who-has {ip}");
                            self.send_arp_request(id, ip, EthernetAddress::BROADCAST, now);
                        }
                        return Ok(());
                    }
                    None => {
                        self.stats.ip.drop(DropReason::QueueFull);
                        return Err(Error::PoolExhausted);
                    }
                }
            }
        };
        self.transmit_in_place(id, dst, EtherType::Ipv4, buf, start, len, now)
    }
}
