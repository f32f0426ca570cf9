//! The DHCP client on the stack: the public calls, and carrying out the state machine's
//! [`Action`]s (UDP/IPv4 output, ARP probes, interface configuration, events).

use alloc::boxed::Box;
use alloc::vec;
use core::net::{IpAddr, Ipv4Addr};

use super::client::{Action, Actions, DhcpClient};
use super::message::{self, MESSAGE_LEN};
use super::{DhcpClientConfig, DhcpEvent, DhcpLease, DhcpState, EVENT_QUEUE_LEN};
use crate::error::Error;
use crate::hooks::Hooks;
use crate::ipv4::{IpRx, IpTx};
use crate::netif::{Netif, NetifId, netif_in};
use crate::stack::Stack;
use crate::time::Instant;
use crate::wire::dhcpv4::{CLIENT_PORT, SERVER_PORT};
use crate::wire::{ArpRepr, DhcpOpcode, DhcpPacket, DhcpRepr, IpProtocol, UdpPacket, UdpRepr};

const LOG: &str = "netstack::dhcp";

impl<H: Hooks> Stack<H> {
    /// Starts the DHCP client on interface `id` with the default settings (lwIP
    /// `dhcp_start`); see [`dhcp_start_with`](Self::dhcp_start_with).
    pub fn dhcp_start(&mut self, id: NetifId) -> Result<(), Error> {
        self.dhcp_start_with(id, DhcpClientConfig::default())
    }

    /// Starts (or restarts) the DHCP client on Ethernet interface `id`: the first DISCOVER
    /// (or, with `config::DHCP_RESTORE_LAST_IP` and `settings.last_address`, the INIT-REBOOT
    /// REQUEST) goes out at the next poll. A client already running is replaced; an address
    /// it had configured is removed.
    ///
    /// Errors: [`Error::Invalid`] for an unknown interface or one that is not Ethernet
    /// (DHCP identifies clients by hardware address).
    pub fn dhcp_start_with(
        &mut self,
        id: NetifId,
        settings: DhcpClientConfig,
    ) -> Result<(), Error> {
        let netif = self.netif_ref(id).ok_or(Error::Invalid)?;
        if !netif.is_ethernet() || netif.loopback {
            return Err(Error::Invalid);
        }
        let held = netif.dhcp.as_ref().is_some_and(|c| c.holds_address());
        if held {
            let mut unbind = Actions::new();
            let _ = unbind.push(Action::Unbind);
            self.dhcp_apply(id, unbind);
        }
        let now = self.now;
        if let Some(netif) = self.netif_mut(id) {
            netif.dhcp = Some(Box::new(DhcpClient::new(settings, now)));
        }
        self.dhcp_note(id);
        log::info!(target: LOG, "{id}: client started");
        Ok(())
    }

    /// Releases the lease (a RELEASE to the server, the address removed; lwIP
    /// `dhcp_release`) and leaves the client idle in [`DhcpState::Released`] until
    /// [`dhcp_renew`](Self::dhcp_renew) or [`dhcp_start`](Self::dhcp_start).
    ///
    /// Errors: [`Error::Invalid`] when the interface has no client.
    pub fn dhcp_release(&mut self, id: NetifId) -> Result<(), Error> {
        let now = self.now;
        let client = dhcp_client_mut(&mut self.netifs, id)?;
        let actions = client.release(now, &mut self.rng);
        self.dhcp_apply(id, actions);
        Ok(())
    }

    /// Stops the client (lwIP `dhcp_release_and_stop`): releases the lease as
    /// [`dhcp_release`](Self::dhcp_release) does, then forgets the client.
    ///
    /// Errors: [`Error::Invalid`] when the interface has no client.
    pub fn dhcp_stop(&mut self, id: NetifId) -> Result<(), Error> {
        self.dhcp_release(id)?;
        if let Some(netif) = self.netif_mut(id) {
            netif.dhcp = None;
        }
        log::info!(target: LOG, "{id}: client stopped");
        Ok(())
    }

    /// Renews the lease now (lwIP `dhcp_renew`): bound, a unicast REQUEST to the server as
    /// at T1; otherwise (released, still looking) the client starts over with a DISCOVER.
    ///
    /// Errors: [`Error::Invalid`] when the interface has no client.
    pub fn dhcp_renew(&mut self, id: NetifId) -> Result<(), Error> {
        let now = self.now;
        let client = dhcp_client_mut(&mut self.netifs, id)?;
        let actions = client.renew(now, &mut self.rng);
        self.dhcp_apply(id, actions);
        Ok(())
    }

    /// The client's state on `id`; `None` without a client.
    pub fn dhcp_state(&self, id: NetifId) -> Option<DhcpState> {
        Some(self.netif_ref(id)?.dhcp.as_ref()?.state())
    }

    /// The lease the client holds on `id` (bound, renewing or rebinding).
    pub fn dhcp_lease(&self, id: NetifId) -> Option<&DhcpLease> {
        let client = self.netif_ref(id)?.dhcp.as_ref()?;
        client.holds_address().then(|| client.lease()).flatten()
    }

    /// The client's settings on `id`, to change them (host name, vendor class, ...): they
    /// apply from its next message.
    pub fn dhcp_settings_mut(&mut self, id: NetifId) -> Option<&mut DhcpClientConfig> {
        Some(self.netif_mut(id)?.dhcp.as_mut()?.settings_mut())
    }

    /// Hands every pending [`DhcpEvent`] to `f`, oldest first (at most
    /// [`EVENT_QUEUE_LEN`] are kept).
    pub fn dhcp_drain_events(&mut self, mut f: impl FnMut(NetifId, DhcpEvent)) {
        while let Some((id, event)) = self.dhcp_events.pop_front() {
            f(id, event);
        }
    }

    /// Runs the clients' timers (from the interface timers: the stack's
    /// `netif_timers_at` bound covers them).
    pub(crate) fn dhcp_poll(&mut self, now: Instant) {
        for index in 0..self.netif_end {
            let Some(client) = self
                .netifs
                .get_mut(index)
                .and_then(Option::as_mut)
                .and_then(|n| n.dhcp.as_deref_mut())
            else {
                continue;
            };
            if client.next_deadline().is_none_or(|t| t > now) {
                continue;
            }
            let actions = client.poll(now, &mut self.rng);
            self.dhcp_apply(NetifId(index as u8), actions);
        }
    }

    /// Keeps the stack's interface-timer bound below the next timer of `id`'s client
    /// after the client changed.
    fn dhcp_note(&mut self, id: NetifId) {
        let next = self
            .netif_ref(id)
            .and_then(|n| n.dhcp.as_ref())
            .and_then(|c| c.next_deadline());
        self.note_netif_timer(next);
    }

    /// A datagram from port 67 to port 68 arrived on `rx.netif`; `true` when a client took
    /// it (it then does not reach UDP sockets).
    pub(crate) fn dhcp_input(
        &mut self,
        rx: &IpRx<'_>,
        udp: &UdpRepr,
        data: &[u8],
        now: Instant,
    ) -> bool {
        if udp.src_port != SERVER_PORT || udp.dst_port != CLIENT_PORT {
            return false;
        }
        let id = rx.netif;
        let Some(netif) = netif_in(&self.netifs, id) else {
            return false;
        };
        let Some(client) = netif.dhcp.as_deref() else {
            return false;
        };
        let Ok(packet) = DhcpPacket::new_checked(data) else {
            log::trace!(target: LOG, "{id}: not a DHCP message");
            return true;
        };
        let repr = match DhcpRepr::parse(&packet) {
            Ok(r) => r,
            Err(e) => {
                log::debug!(target: LOG, "{id}: malformed reply from {}: {e}", rx.repr.src_addr);
                return true;
            }
        };
        if repr.opcode != DhcpOpcode::Reply
            || repr.client_hardware_addr != netif.mac
            || repr.transaction_id != client.xid()
        {
            return true;
        }
        log::debug!(target: LOG, "{id}: {} from {}", repr.message_type, rx.repr.src_addr);
        #[cfg(not(netstack_hook_dhcp_extra_option = "none"))]
        {
            let info = netif.info(id);
            let state = client.state();
            for opt in packet.options().flatten() {
                let verdict = self.hooks.dhcp_parse_option(
                    &info,
                    state,
                    repr.message_type,
                    opt.code,
                    opt.data,
                );
                if verdict == crate::hooks::DhcpOptionVerdict::Drop {
                    log::debug!(target: LOG, "{id}: {} dropped by the parse-option hook", repr.message_type);
                    return true;
                }
            }
        }
        let Some(client) = self
            .netifs
            .get_mut(id.index())
            .and_then(Option::as_mut)
            .and_then(|n| n.dhcp.as_deref_mut())
        else {
            return true;
        };
        if repr.server_identifier == Some(rx.repr.src_addr) && rx.src_mac.is_some() {
            client.server_mac = rx.src_mac;
        }
        let actions = client.on_reply(&repr, now, &mut self.rng);
        self.dhcp_apply(id, actions);
        true
    }

    /// Enters the lease's server in the ARP cache when it answered directly (not through a
    /// relay), so a unicast RENEW or RELEASE needs no ARP exchange first: a RELEASE waiting
    /// for one would be lost with the address it gives back.
    fn dhcp_learn_server(&mut self, id: NetifId, server: Ipv4Addr) {
        let now = self.now;
        let Some(mac) = netif_in(&self.netifs, id)
            .and_then(|n| n.dhcp.as_deref())
            .and_then(|c| c.server_mac)
        else {
            return;
        };
        let mut evicted = 0;
        let queue = self.arp.update(id, server, mac, now, true, &mut evicted);
        self.stats.arp.evicted += evicted;
        for packet in queue {
            self.send_ip_frame(id, mac, &packet, now);
        }
    }

    /// An ARP packet arrived on `id`: a conflict for an address being checked when another
    /// host uses it (sender address) or probes for it (RFC 5227 §2.1.1).
    pub(crate) fn dhcp_arp_input(&mut self, id: NetifId, arp: &ArpRepr) {
        let now = self.now;
        let Some(netif) = self.netifs.get_mut(id.index()).and_then(Option::as_mut) else {
            return;
        };
        let mac = netif.mac;
        let Some(client) = netif.dhcp.as_deref_mut() else {
            return;
        };
        let Some(addr) = client.checking() else {
            return;
        };
        let claims = arp.source_protocol_addr == addr;
        let probes = arp.source_protocol_addr.is_unspecified()
            && arp.target_protocol_addr == addr
            && arp.source_hardware_addr != mac;
        if claims || probes {
            let actions = client.on_conflict(now, &mut self.rng);
            self.dhcp_apply(id, actions);
        }
    }

    /// Carries out what a client asked for (and notes its next timer).
    fn dhcp_apply(&mut self, id: NetifId, actions: Actions) {
        self.dhcp_note(id);
        for action in actions {
            match action {
                Action::Send(out) => {
                    if let Err(e) = self.dhcp_send(id, &out) {
                        log::debug!(target: LOG, "{id}: {} not sent: {e}", out.message_type);
                    }
                }
                Action::Probe(addr) => {
                    log::debug!(target: LOG, "{id}: probing {addr}");
                    self.send_arp_probe(id, addr);
                }
                Action::Bind(lease) => {
                    let before = self.netif_ref(id).and_then(|n| n.ipv4);
                    let _ = self.set_ipv4(id, Some(lease.address));
                    let _ = self.set_gateway(id, lease.gateway);
                    self.dhcp_learn_server(id, lease.server);
                    let event = if before == Some(lease.address) {
                        DhcpEvent::Renewed
                    } else {
                        log::info!(target: LOG, "{id}: bound to {} (gateway {:?})", lease.address, lease.gateway);
                        DhcpEvent::Bound {
                            address: lease.address,
                            gateway: lease.gateway,
                        }
                    };
                    self.dhcp_event(id, event);
                }
                Action::Unbind => {
                    log::info!(target: LOG, "{id}: address removed");
                    let _ = self.set_ipv4(id, None);
                    let _ = self.set_gateway(id, None);
                    self.dhcp_event(id, DhcpEvent::Lost);
                }
                Action::Declined(addr) => self.dhcp_event(id, DhcpEvent::Declined(addr)),
            }
        }
    }

    fn dhcp_event(&mut self, id: NetifId, event: DhcpEvent) {
        if self.dhcp_events.len() >= EVENT_QUEUE_LEN {
            self.dhcp_events.pop_front();
        }
        self.dhcp_events.push_back((id, event));
        self.activity = true;
    }

    /// Builds a message (with the product's options) and sends it from port 68 to 67.
    fn dhcp_send(&mut self, id: NetifId, out: &super::client::Outgoing) -> Result<(), Error> {
        let netif = netif_in(&self.netifs, id).ok_or(Error::Invalid)?;
        let client = netif.dhcp.as_deref().ok_or(Error::Invalid)?;
        let mut msg = vec![0u8; MESSAGE_LEN];
        #[cfg(not(netstack_hook_dhcp_append_options = "none"))]
        let (info, state, hooks) = (netif.info(id), client.state(), &mut self.hooks);
        message::build(
            out,
            client.settings(),
            netif.mac,
            netif.mtu,
            &mut msg,
            |w| {
                #[cfg(not(netstack_hook_dhcp_append_options = "none"))]
                hooks.dhcp_append_options(&info, state, out.message_type, w);
                let _ = w;
            },
        )
        .map_err(|e| {
            log::warn!(target: LOG, "{id}: cannot build {}: {e}", out.message_type);
            Error::MsgTooLong
        })?;
        let dst = message::destination(out);
        let udp = UdpRepr {
            src_port: CLIENT_PORT,
            dst_port: SERVER_PORT,
            payload_len: msg.len(),
        };
        let tx = IpTx {
            src: Some(out.ciaddr).filter(|a| !a.is_unspecified()),
            netif: Some(id),
            ..IpTx::new(dst, IpProtocol::Udp)
        };
        log::debug!(target: LOG, "{id}: {} to {dst} (xid {:#010x})", out.message_type, out.xid);
        self.ipv4_send(&tx, udp.buffer_len(), |buf, src| {
            let (s, d) = (IpAddr::V4(src), IpAddr::V4(dst));
            // The buffer is exactly the datagram's size: emit cannot fail.
            let _ = udp.emit(&mut UdpPacket::new_unchecked(buf), &s, &d, &msg);
        })?;
        self.stats.udp.tx += 1;
        Ok(())
    }
}

/// The client of interface `id` in the table.
fn dhcp_client_mut(netifs: &mut [Option<Netif>], id: NetifId) -> Result<&mut DhcpClient, Error> {
    netifs
        .get_mut(id.index())
        .and_then(Option::as_mut)
        .and_then(|n| n.dhcp.as_deref_mut())
        .ok_or(Error::Invalid)
}
