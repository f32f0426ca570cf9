//! Per-interface IPv4 packet and byte counters, as an `ip4_input` observer, and per-pool
//! counts of `memp_available` notifications.
//!
//! The `ip4_input` hook always answers [`InputVerdict::Continue`]: put it first in a chain
//! (`ip4_input => [self.counters, self.filter]`) to count everything that arrives, or after a
//! filter to count what it let through. The `memp_available` hook counts how often each kind
//! of table went from full to having room (`memp_available => self.counters`, with
//! `hook_memp_available` selected): a product sees whether its tables are sized too small.

use netstack::NetifInfo;
use netstack::hooks::{InputVerdict, Pool};
use netstack::wire::Ipv4Packet;

/// The counts of one interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct InterfaceCounts {
    /// IPv4 packets received.
    pub packets: u64,
    /// Their bytes (IP header and payload).
    pub bytes: u64,
}

/// Counts for the interfaces with index below `N` (the stack's table holds
/// `config::MAX_NETIFS` plus the loopback); packets of other interfaces go to `other`.
///
/// Reading the counts: [`get`](Self::get) (one interface, by `NetifId::index`),
/// [`total`](Self::total), [`other`](Self::other) and [`pool_available`](Self::pool_available),
/// through the stack that owns the hooks: `stack.hooks()` while the product polls the stack
/// itself, `NetStack::hooks` once the TCP/IP thread owns it.
///
/// ```
/// use std::net::{Ipv4Addr, SocketAddr};
/// use netstack::api::{NetStack, UdpSocket};
/// use netstack::hooks::Pool;
/// use netstack::{Stack, StackConfig};
/// use netstack_hooks::counters::Counters;
///
/// netstack::hooks! {
///     #[derive(Default)]
///     struct ProductHooks {
///         counters: Counters,
///     }
///     ip4_input => self.counters,
/// }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let stack = Stack::with_hooks(StackConfig::default(), ProductHooks::default());
/// assert_eq!(stack.hooks().counters.total().packets, 0); // before the thread takes it
/// let ns = NetStack::start(stack)?;
/// # if !netstack::config::NETIF_LOOPBACK { return Ok(()); }
/// let lo = SocketAddr::from((Ipv4Addr::LOCALHOST, 7));
/// let socket = UdpSocket::bind(&ns, lo)?;
/// socket.send_to(b"ping", lo)?;
/// socket.recv_from(&mut [0u8; 8])?;
/// // On the TCP/IP thread, from the application:
/// let (total, other, full) = ns.hooks(|h| {
///     (h.counters.total(), h.counters.other(), h.counters.pool_available(Pool::UdpPcb))
/// })?;
/// assert_eq!((total.packets, total.bytes), (1, 32)); // 20 (IPv4) + 8 (UDP) + 4
/// assert_eq!((other.packets, full), (0, 0));
/// let lo_index = 0; // the loopback is the first interface (NetifId::index)
/// assert_eq!(ns.hooks(move |h| h.counters.get(lo_index))?, Some(total));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counters<const N: usize = 8> {
    per_netif: [InterfaceCounts; N],
    other: InterfaceCounts,
    /// `memp_available` calls, by [`Pool::index`].
    pools: [u64; Pool::COUNT],
}

impl<const N: usize> Counters<N> {
    /// All counts zero.
    pub const fn new() -> Self {
        Counters {
            per_netif: [InterfaceCounts {
                packets: 0,
                bytes: 0,
            }; N],
            other: InterfaceCounts {
                packets: 0,
                bytes: 0,
            },
            pools: [0; Pool::COUNT],
        }
    }

    /// The counts of the interface with table index `index` (`NetifId::index`).
    pub fn get(&self, index: usize) -> Option<InterfaceCounts> {
        self.per_netif.get(index).copied()
    }

    /// The counts of packets on interfaces with an index of `N` or more.
    pub const fn other(&self) -> InterfaceCounts {
        self.other
    }

    /// The sum over every interface.
    pub fn total(&self) -> InterfaceCounts {
        self.per_netif
            .iter()
            .chain(core::iter::once(&self.other))
            .fold(InterfaceCounts::default(), |a, c| InterfaceCounts {
                packets: a.packets + c.packets,
                bytes: a.bytes + c.bytes,
            })
    }

    /// The `ip4_input` hook: counts the packet and lets it through.
    pub fn ip4_input(&mut self, packet: &Ipv4Packet<&[u8]>, netif: &NetifInfo<'_>) -> InputVerdict {
        let slot = self
            .per_netif
            .get_mut(netif.id.index())
            .unwrap_or(&mut self.other);
        slot.packets += 1;
        slot.bytes += packet.payload_slice().len() as u64 + packet.header_len() as u64;
        InputVerdict::Continue
    }

    /// The `memp_available` hook: counts the notification under its kind of pool.
    pub fn memp_available(&mut self, pool: Pool) {
        if let Some(n) = self.pools.get_mut(pool.index()) {
            *n += 1;
        }
    }

    /// How often a table of `pool`'s kind went from full to having room (every interface's
    /// multicast table counts under [`Pool::IgmpGroup`], whichever interface is named).
    pub fn pool_available(&self, pool: Pool) -> u64 {
        self.pools.get(pool.index()).copied().unwrap_or(0)
    }
}

impl<const N: usize> Default for Counters<N> {
    /// All counts zero.
    fn default() -> Self {
        Counters::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{ip, ipv4_packet, with_netif};
    use netstack::wire::IpProtocol;

    #[test]
    fn counts_per_interface_and_always_continues() {
        let mut counters: Counters<8> = Counters::new();
        let mut tiny: Counters<0> = Counters::new();
        let p = ipv4_packet(ip(1, 1, 1, 1), ip(2, 2, 2, 2), IpProtocol::Udp, &[0; 12]);
        let packet = Ipv4Packet::new_unchecked(&p[..]);
        let mut index = 0;
        with_netif(|info| {
            index = info.id.index();
            for _ in 0..3 {
                assert_eq!(counters.ip4_input(&packet, info), InputVerdict::Continue);
            }
            assert_eq!(tiny.ip4_input(&packet, info), InputVerdict::Continue);
        });
        assert_eq!(
            counters.get(index),
            Some(InterfaceCounts {
                packets: 3,
                bytes: 96
            })
        );
        assert_eq!(counters.total().packets, 3);
        assert_eq!(tiny.other().packets, 1, "indexes past N go to `other`");
    }

    #[test]
    fn counts_pool_notifications_by_kind() {
        let mut counters: Counters = Counters::new();
        assert_eq!(counters.pool_available(Pool::TcpPcb), 0);
        counters.memp_available(Pool::TcpPcb);
        counters.memp_available(Pool::TcpPcb);
        counters.memp_available(Pool::Netconn);
        let mut netif = None;
        with_netif(|info| netif = Some(info.id));
        let netif = netif.expect("a netif");
        counters.memp_available(Pool::IgmpGroup(netif));
        assert_eq!(counters.pool_available(Pool::TcpPcb), 2);
        assert_eq!(counters.pool_available(Pool::TcpPcbListen), 0);
        assert_eq!(counters.pool_available(Pool::UdpPcb), 0);
        assert_eq!(counters.pool_available(Pool::Netconn), 1);
        assert_eq!(counters.pool_available(Pool::IgmpGroup(netif)), 1);
        assert_eq!(counters.total().packets, 0, "packets are counted apart");
    }
}
