//! The link layer of the stack: Ethernet II framing in and out (IEEE 802.3, with 802.1Q
//! tags through the VLAN hooks; lwIP's `ethernet.c`), and bare IP for `Medium::Ip`
//! devices (loopback, PPP).
//!
//! Input checks the destination address (ours, broadcast or multicast; frames for other
//! hosts seen by a promiscuous device are dropped), handles 802.1Q tags with
//! [`Hooks::vlan_check`], and dispatches ARP and IPv4; other ethertypes go to
//! [`Hooks::unknown_eth_protocol`] and are dropped if it does not take them.
//!
//! Output writes the link header in the headroom in front of a datagram, so a datagram
//! built in the transmit buffer is sent without a copy, and hands the frame to the device.
//! Which hardware address an IPv4 datagram goes to is decided above, in
//! `ipv4/link.rs` (ARP for unicast next hops).

use crate::error::Error;
use crate::hooks::{self, Hooks};
use crate::netif::{NetifId, netif_in};
use crate::phy::{DeviceError, Medium};
use crate::stack::Stack;
use crate::stats::DropReason;
use crate::time::Instant;
use crate::wire::{EtherType, EthernetAddress, EthernetFrame, EthernetRepr};

/// Bytes reserved in front of a datagram in the transmit buffers: an Ethernet header with
/// one 802.1Q tag.
pub(crate) const HEADROOM: usize = 18;

const LOG: &str = "netstack::ethernet";

impl<H: Hooks> Stack<H> {
    /// Processes one received frame of interface `id`.
    pub(crate) fn link_input(&mut self, id: NetifId, frame: &[u8], now: Instant) {
        self.stats.link.rx += 1;
        let Some(netif) = self.netif_ref(id) else {
            return;
        };
        if !netif.up {
            self.stats.link.drop(DropReason::NoRoute);
            return;
        }
        match netif.caps.medium {
            Medium::Ip => self.ipv4_input(id, frame, None, now),
            Medium::Ethernet => self.ethernet_input(id, frame, now),
        }
    }

    fn ethernet_input(&mut self, id: NetifId, frame: &[u8], now: Instant) {
        let Ok(eth) = EthernetFrame::new_checked(frame) else {
            self.stats.link.drop(DropReason::Malformed);
            return;
        };
        let Some(netif) = netif_in(&self.netifs, id) else {
            return;
        };
        let dst = eth.dst_addr();
        if dst != netif.mac && !dst.is_multicast() {
            self.stats.link.drop(DropReason::NotForUs);
            return;
        }
        if let Some(tag) = eth.vlan_tag() {
            let accepted = if hooks::enabled::VLAN_CHECK {
                self.hooks.vlan_check(&netif.info(id), &eth, tag)
            } else {
                hooks::accepts_untagged_only(tag)
            };
            if !accepted {
                log::trace!(target: LOG, "{id}: dropping frame tagged for VLAN {}", tag.vid);
                self.stats.link.drop(DropReason::Policy);
                return;
            }
        }
        let src = eth.src_addr();
        match eth.payload_ethertype() {
            EtherType::Ipv4 => self.ipv4_input(id, eth.payload_slice(), Some(src), now),
            EtherType::Arp => self.arp_input(id, eth.payload_slice(), now),
            _ => {
                let taken = hooks::enabled::UNKNOWN_ETH_PROTOCOL
                    && self.hooks.unknown_eth_protocol(&netif.info(id), &eth)
                        == hooks::InputVerdict::Consumed;
                if !taken {
                    self.stats.link.drop(DropReason::Unsupported);
                }
            }
        }
    }

    /// Writes the link header in front of `buf[start..start + len]` (which must leave
    /// [`HEADROOM`] bytes before `start`) and hands the frame to the device:
    /// [`Error::WouldBlock`] when the device has no room now, [`Error::NetDown`] when the
    /// interface or device is down.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn transmit_in_place(
        &mut self,
        id: NetifId,
        dst: EthernetAddress,
        ethertype: EtherType,
        buf: &mut [u8],
        start: usize,
        len: usize,
        now: Instant,
    ) -> Result<(), Error> {
        let Some(netif) = netif_in(&self.netifs, id) else {
            return Err(Error::NetDown);
        };
        if !netif.up {
            self.stats.link.drop(DropReason::NoRoute);
            return Err(Error::NetDown);
        }
        let frame_start = match netif.caps.medium {
            Medium::Ip => start,
            Medium::Ethernet => {
                let src = netif.mac;
                let vlan = if hooks::enabled::VLAN_SET {
                    self.hooks.vlan_set(&netif.info(id), src, dst, ethertype)
                } else {
                    None
                };
                let repr = EthernetRepr {
                    src_addr: src,
                    dst_addr: dst,
                    ethertype,
                    vlan,
                };
                let Some(at) = start.checked_sub(repr.header_len()) else {
                    return Err(Error::Invalid);
                };
                let Some(header) = buf.get_mut(at..start) else {
                    return Err(Error::Invalid);
                };
                if repr
                    .emit(&mut EthernetFrame::new_unchecked(header))
                    .is_err()
                {
                    return Err(Error::Invalid);
                }
                at
            }
        };
        let Some(frame) = buf.get(frame_start..start + len) else {
            return Err(Error::Invalid);
        };
        let Some(device) = self.netif_device_mut(id) else {
            return Err(Error::Invalid);
        };
        match device.transmit(frame, now) {
            Ok(()) => {
                if self.loopback_netif == Some(id) {
                    self.loopback_rx = true;
                }
                self.stats.link.tx += 1;
                Ok(())
            }
            Err(e) => {
                log::debug!(target: LOG, "{id}: transmit failed: {e}");
                let (reason, error) = match e {
                    DeviceError::WouldBlock => (DropReason::QueueFull, Error::WouldBlock),
                    DeviceError::TooLarge => (DropReason::TooBig, Error::MsgTooLong),
                    DeviceError::Down => (DropReason::NoRoute, Error::NetDown),
                };
                self.stats.link.drop(reason);
                Err(error)
            }
        }
    }

    /// Sends `payload` in one frame (copying it into a scratch buffer).
    pub(crate) fn send_ethernet(
        &mut self,
        id: NetifId,
        dst: EthernetAddress,
        ethertype: EtherType,
        payload: &[u8],
        now: Instant,
    ) -> bool {
        let mut buf = core::mem::take(&mut self.frame_buf);
        let need = HEADROOM + payload.len();
        if buf.len() < need {
            buf.resize(need, 0);
        }
        buf[HEADROOM..need].copy_from_slice(payload);
        let sent =
            self.transmit_in_place(id, dst, ethertype, &mut buf, HEADROOM, payload.len(), now);
        self.frame_buf = buf;
        sent.is_ok()
    }

    /// Sends a whole IPv4 datagram to a resolved neighbour.
    pub(crate) fn send_ip_frame(
        &mut self,
        id: NetifId,
        dst: EthernetAddress,
        packet: &[u8],
        now: Instant,
    ) -> bool {
        self.send_ethernet(id, dst, EtherType::Ipv4, packet, now)
    }
}
