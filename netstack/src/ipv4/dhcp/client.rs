//! The DHCP client state machine of one interface (RFC 2131 §4.4, Figure 5), without I/O:
//! it is given the time, the replies and the address-check results, and answers with
//! [`Action`]s (send this message, probe that address, configure or drop the address) that
//! `dhcp::glue` carries out on the stack.

use core::net::Ipv4Addr;

use heapless::Vec as HVec;

use super::timers::{backoff, coarse, lease_times, renew_retry};
use super::{DhcpClientConfig, DhcpLease, DhcpState};
use crate::config::{self, DhcpChecksOfferedAddress};
use crate::rand::Rng;
use crate::time::{Duration, Instant};
use crate::wire::{DhcpMessageType, DhcpRepr, Ipv4Cidr};

/// Sends of a REQUEST while REQUESTING before the client starts over with a DISCOVER.
pub const MAX_REQUESTS: u8 = 5;
/// Sends of a REQUEST while REBOOTING (INIT-REBOOT) before the client falls back to a
/// DISCOVER (RFC 2131 §3.2 step 5: the client must not keep using the old address).
pub const MAX_REBOOT_REQUESTS: u8 = 3;
/// Wait after a DECLINE before discovering again (RFC 2131 §3.1 step 5: at least 10 s).
pub const DECLINE_WAIT: Duration = Duration::from_secs(10);

/// Where a message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// To 255.255.255.255 (from 0.0.0.0 unless `ciaddr` is set).
    Broadcast,
    /// To the server, from our address (renewing, releasing).
    Unicast(Ipv4Addr),
}

/// A message the client wants sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outgoing {
    /// Its type.
    pub message_type: DhcpMessageType,
    /// `xid`.
    pub xid: u32,
    /// `secs`: since the exchange began.
    pub secs: u16,
    /// `ciaddr`.
    pub ciaddr: Ipv4Addr,
    /// Option 50.
    pub requested_ip: Option<Ipv4Addr>,
    /// Option 54.
    pub server_id: Option<Ipv4Addr>,
    /// Where it goes.
    pub dst: Destination,
}

/// What the client asks of the stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Build and send this message.
    Send(Outgoing),
    /// Send an ARP probe for this address (RFC 5227 §2.1.1: sender 0.0.0.0).
    Probe(Ipv4Addr),
    /// Configure the interface with this lease (a new address, or the same one renewed).
    Bind(DhcpLease),
    /// Remove the address the client had configured.
    Unbind,
    /// The offered address is in use: it was declined.
    Declined(Ipv4Addr),
}

/// The actions of one step (at most a handful).
pub type Actions = HVec<Action, 4>;

/// The address check between ACK and BOUND (`config::DHCP_CHECKS_OFFERED_ADDRESS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CheckPlan {
    probes: u8,
    /// Random wait before the first probe, up to this.
    first_wait_max: Duration,
    /// Between probes: from `interval_min` to `interval_max`.
    interval_min: Duration,
    interval_max: Duration,
    /// After the last probe, before binding.
    final_wait: Duration,
}

impl CheckPlan {
    const fn configured() -> Option<CheckPlan> {
        match config::DHCP_CHECKS_OFFERED_ADDRESS {
            DhcpChecksOfferedAddress::NoCheck => None,
            // A quick check: two probes half a second apart, half a second to answer.
            DhcpChecksOfferedAddress::ArpCheck => Some(CheckPlan {
                probes: 2,
                first_wait_max: Duration::from_millis(0),
                interval_min: Duration::from_millis(500),
                interval_max: Duration::from_millis(500),
                final_wait: Duration::from_millis(500),
            }),
            // RFC 5227 §1.1: PROBE_WAIT 1 s, PROBE_NUM 3, PROBE_MIN/MAX 1–2 s,
            // ANNOUNCE_WAIT 2 s.
            DhcpChecksOfferedAddress::AcdCheck => Some(CheckPlan {
                probes: 3,
                first_wait_max: Duration::from_millis(1000),
                interval_min: Duration::from_millis(1000),
                interval_max: Duration::from_millis(2000),
                final_wait: Duration::from_millis(2000),
            }),
        }
    }

    fn between(min: Duration, max: Duration, rng: &mut Rng) -> Duration {
        let span = max.millis().saturating_sub(min.millis());
        Duration::from_millis(min.millis() + rng.below(span + 1))
    }
}

/// The state machine of one interface's client.
#[derive(Debug, Clone)]
pub struct DhcpClient {
    state: DhcpState,
    settings: DhcpClientConfig,
    xid: u32,
    /// Messages sent in the current exchange (or probes sent while checking).
    tries: u8,
    /// The next transmission, probe or timer of the current state.
    next: Option<Instant>,
    /// When the current exchange began (`secs`).
    exchange_start: Instant,
    /// The address and server of the OFFER being requested.
    offer: Option<(Ipv4Addr, Ipv4Addr)>,
    /// The lease being checked (CHECKING) or held (BOUND, RENEWING, REBINDING).
    lease: Option<DhcpLease>,
    /// The hardware address of the server, from its latest direct reply.
    pub(crate) server_mac: Option<crate::wire::EthernetAddress>,
}

impl DhcpClient {
    /// A client that starts at the next poll: INIT, or INIT-REBOOT when
    /// `config::DHCP_RESTORE_LAST_IP` is set and `settings.last_address` names the last
    /// lease.
    pub fn new(settings: DhcpClientConfig, now: Instant) -> DhcpClient {
        let reboot = config::DHCP_RESTORE_LAST_IP && settings.last_address.is_some();
        DhcpClient {
            state: if reboot {
                DhcpState::Rebooting
            } else {
                DhcpState::Init
            },
            settings,
            xid: 0,
            tries: 0,
            next: Some(now),
            exchange_start: now,
            offer: None,
            lease: None,
            server_mac: None,
        }
    }

    /// The state.
    pub fn state(&self) -> DhcpState {
        self.state
    }

    /// The settings it was started with.
    pub fn settings(&self) -> &DhcpClientConfig {
        &self.settings
    }

    /// The lease held (BOUND, RENEWING, REBINDING) or being checked (CHECKING).
    pub fn lease(&self) -> Option<&DhcpLease> {
        self.lease.as_ref()
    }

    /// The transaction id of the current exchange.
    pub fn xid(&self) -> u32 {
        self.xid
    }

    /// The address being probed, while CHECKING.
    pub fn checking(&self) -> Option<Ipv4Addr> {
        (self.state == DhcpState::Checking)
            .then(|| self.lease.as_ref().map(|l| l.address.address()))
            .flatten()
    }

    /// When the client next needs a poll.
    pub fn next_deadline(&self) -> Option<Instant> {
        let lease_timer = self.lease.as_ref().and_then(|l| match self.state {
            DhcpState::Bound => l.renew_at(),
            DhcpState::Renewing => l.rebind_at(),
            DhcpState::Rebinding => l.expires_at(),
            _ => None,
        });
        match (self.next, lease_timer) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn set_state(&mut self, state: DhcpState) {
        if self.state != state {
            log::debug!(target: "netstack::dhcp::state", "{:?} -> {:?}", self.state, state);
            self.state = state;
        }
    }

    /// Starts a new exchange: a fresh transaction id, `secs` from now.
    fn new_exchange(&mut self, now: Instant, rng: &mut Rng) {
        self.xid = rng.next_u32();
        self.tries = 0;
        self.exchange_start = now;
    }

    fn outgoing(&self, message_type: DhcpMessageType, now: Instant, dst: Destination) -> Outgoing {
        let secs = now.saturating_since(self.exchange_start).millis() / 1000;
        Outgoing {
            message_type,
            xid: self.xid,
            secs: u16::try_from(secs).unwrap_or(u16::MAX),
            ciaddr: Ipv4Addr::UNSPECIFIED,
            requested_ip: None,
            server_id: None,
            dst,
        }
    }

    /// Sends the current exchange's message again (or for the first time) and schedules
    /// the next retransmission with the RFC 2131 §4.1 backoff.
    fn transmit(&mut self, now: Instant, rng: &mut Rng, actions: &mut Actions) {
        let message = match self.state {
            DhcpState::Selecting => {
                self.outgoing(DhcpMessageType::Discover, now, Destination::Broadcast)
            }
            DhcpState::Requesting => Outgoing {
                requested_ip: self.offer.map(|o| o.0),
                server_id: self.offer.map(|o| o.1),
                ..self.outgoing(DhcpMessageType::Request, now, Destination::Broadcast)
            },
            DhcpState::Rebooting => Outgoing {
                requested_ip: self.settings.last_address,
                ..self.outgoing(DhcpMessageType::Request, now, Destination::Broadcast)
            },
            _ => return,
        };
        let _ = actions.push(Action::Send(message));
        self.next = Some(now + backoff(self.tries, rng));
        self.tries = self.tries.saturating_add(1);
    }

    /// Sends a renewing (unicast to the server) or rebinding (broadcast) REQUEST.
    fn transmit_renewal(&mut self, now: Instant, actions: &mut Actions) {
        let Some(lease) = &self.lease else {
            return;
        };
        let (dst, until) = match self.state {
            DhcpState::Renewing => (Destination::Unicast(lease.server), lease.rebind_at()),
            DhcpState::Rebinding => (Destination::Broadcast, lease.expires_at()),
            _ => return,
        };
        let message = Outgoing {
            ciaddr: lease.address.address(),
            ..self.outgoing(DhcpMessageType::Request, now, dst)
        };
        let _ = actions.push(Action::Send(message));
        self.tries = self.tries.saturating_add(1);
        self.next = until.map(|u| renew_retry(now, u));
    }

    /// Back to INIT: discover at `at`.
    fn restart(&mut self, at: Instant) {
        self.set_state(DhcpState::Init);
        self.offer = None;
        self.lease = None;
        self.next = Some(at);
    }

    /// Drops a held lease (if any) and restarts at `at`.
    fn lose_lease(&mut self, at: Instant, actions: &mut Actions) {
        if self.holds_address() {
            let _ = actions.push(Action::Unbind);
        }
        self.restart(at);
    }

    /// Whether the interface has the client's address configured.
    pub fn holds_address(&self) -> bool {
        matches!(
            self.state,
            DhcpState::Bound | DhcpState::Renewing | DhcpState::Rebinding
        )
    }

    /// Runs the timers that are due at `now`.
    pub fn poll(&mut self, now: Instant, rng: &mut Rng) -> Actions {
        let mut actions = Actions::new();
        let due = self.next.is_some_and(|t| t <= now);
        match self.state {
            DhcpState::Init if due => {
                self.new_exchange(now, rng);
                self.set_state(DhcpState::Selecting);
                self.transmit(now, rng, &mut actions);
            }
            DhcpState::Selecting if due => self.transmit(now, rng, &mut actions),
            DhcpState::Requesting if due => {
                if self.tries >= MAX_REQUESTS {
                    log::debug!(target: "netstack::dhcp", "no ACK to {MAX_REQUESTS} requests: discovering again");
                    self.restart(now);
                    return self.poll(now, rng);
                }
                self.transmit(now, rng, &mut actions);
            }
            DhcpState::Rebooting if due => {
                if self.tries == 0 {
                    self.new_exchange(now, rng);
                }
                if self.tries >= MAX_REBOOT_REQUESTS {
                    log::debug!(target: "netstack::dhcp", "no answer to INIT-REBOOT: discovering");
                    self.restart(now);
                    return self.poll(now, rng);
                }
                self.transmit(now, rng, &mut actions);
            }
            DhcpState::Checking if due => self.check_step(now, rng, &mut actions),
            DhcpState::Bound
                if self
                    .lease
                    .as_ref()
                    .and_then(DhcpLease::renew_at)
                    .is_some_and(|t| t <= now) =>
            {
                self.begin_renewal(DhcpState::Renewing, now, rng, &mut actions);
            }
            DhcpState::Renewing => {
                if self
                    .lease
                    .as_ref()
                    .and_then(DhcpLease::rebind_at)
                    .is_some_and(|t| t <= now)
                {
                    self.begin_renewal(DhcpState::Rebinding, now, rng, &mut actions);
                } else if due {
                    self.transmit_renewal(now, &mut actions);
                }
            }
            DhcpState::Rebinding => {
                if self
                    .lease
                    .as_ref()
                    .and_then(DhcpLease::expires_at)
                    .is_some_and(|t| t <= now)
                {
                    log::info!(target: "netstack::dhcp", "lease expired");
                    self.lose_lease(now, &mut actions);
                    let more = self.poll(now, rng);
                    for a in more {
                        let _ = actions.push(a);
                    }
                } else if due {
                    self.transmit_renewal(now, &mut actions);
                }
            }
            _ => {}
        }
        actions
    }

    fn begin_renewal(
        &mut self,
        state: DhcpState,
        now: Instant,
        rng: &mut Rng,
        actions: &mut Actions,
    ) {
        self.new_exchange(now, rng);
        self.set_state(state);
        self.transmit_renewal(now, actions);
    }

    /// One step of the address check: the next probe, or binding once all were sent and
    /// the last wait passed without a conflict.
    fn check_step(&mut self, now: Instant, rng: &mut Rng, actions: &mut Actions) {
        let (Some(plan), Some(lease)) = (CheckPlan::configured(), &self.lease) else {
            self.bind(now, actions);
            return;
        };
        if self.tries < plan.probes {
            let _ = actions.push(Action::Probe(lease.address.address()));
            self.tries += 1;
            let wait = if self.tries < plan.probes {
                CheckPlan::between(plan.interval_min, plan.interval_max, rng)
            } else {
                plan.final_wait
            };
            self.next = Some(now + wait);
        } else {
            self.bind(now, actions);
        }
    }

    fn bind(&mut self, now: Instant, actions: &mut Actions) {
        let Some(lease) = self.lease.as_mut() else {
            self.restart(now);
            return;
        };
        let _ = actions.push(Action::Bind(lease.clone()));
        self.set_state(DhcpState::Bound);
        self.next = None;
        self.tries = 0;
    }

    /// Handles a reply addressed to this client (its `xid` and hardware address were
    /// checked by the caller).
    pub fn on_reply(&mut self, reply: &DhcpRepr<'_>, now: Instant, rng: &mut Rng) -> Actions {
        let mut actions = Actions::new();
        if reply.transaction_id != self.xid {
            return actions;
        }
        match (reply.message_type, self.state) {
            (DhcpMessageType::Offer, DhcpState::Selecting) => {
                let (Some(server), true) = (reply.server_identifier, usable(reply.your_ip)) else {
                    return actions;
                };
                log::debug!(target: "netstack::dhcp", "offer of {} from {server}", reply.your_ip);
                self.offer = Some((reply.your_ip, server));
                self.set_state(DhcpState::Requesting);
                self.tries = 0;
                self.transmit(now, rng, &mut actions);
            }
            (DhcpMessageType::Ack, DhcpState::Requesting | DhcpState::Rebooting) => {
                let Some(lease) = DhcpLease::from_ack(reply, self.offer.map(|o| o.1), now) else {
                    return actions;
                };
                self.lease = Some(lease);
                self.tries = 0;
                if CheckPlan::configured().is_some() {
                    self.set_state(DhcpState::Checking);
                    let wait = CheckPlan::configured()
                        .map(|p| {
                            CheckPlan::between(Duration::from_millis(0), p.first_wait_max, rng)
                        })
                        .unwrap_or(Duration::from_millis(0));
                    self.next = Some(now + wait);
                    if wait.millis() == 0 {
                        self.check_step(now, rng, &mut actions);
                    }
                } else {
                    self.bind(now, &mut actions);
                }
            }
            (DhcpMessageType::Ack, DhcpState::Renewing | DhcpState::Rebinding) => {
                let server = self.lease.as_ref().map(|l| l.server);
                let Some(lease) = DhcpLease::from_ack(reply, server, now) else {
                    return actions;
                };
                let same = self
                    .lease
                    .as_ref()
                    .is_some_and(|l| l.address.address() == lease.address.address());
                if !same {
                    let _ = actions.push(Action::Unbind);
                }
                self.lease = Some(lease);
                self.bind(now, &mut actions);
            }
            (
                DhcpMessageType::Nak,
                DhcpState::Requesting
                | DhcpState::Rebooting
                | DhcpState::Renewing
                | DhcpState::Rebinding,
            ) => {
                log::info!(
                    target: "netstack::dhcp",
                    "NAK from {:?} in {:?}: starting over",
                    reply.server_identifier,
                    self.state
                );
                self.lose_lease(now, &mut actions);
            }
            _ => {}
        }
        actions
    }

    /// Another host answered for (or probes) the address being checked: DECLINE it and
    /// discover again after [`DECLINE_WAIT`] (RFC 2131 §3.1 step 5, RFC 5227 §2.1.1).
    pub fn on_conflict(&mut self, now: Instant, rng: &mut Rng) -> Actions {
        let mut actions = Actions::new();
        let Some(addr) = self.checking() else {
            return actions;
        };
        let server = self.lease.as_ref().map(|l| l.server);
        log::warn!(target: "netstack::dhcp", "{addr} is in use: declining it");
        self.new_exchange(now, rng);
        let decline = Outgoing {
            requested_ip: Some(addr),
            server_id: server,
            ..self.outgoing(DhcpMessageType::Decline, now, Destination::Broadcast)
        };
        let _ = actions.push(Action::Send(decline));
        let _ = actions.push(Action::Declined(addr));
        self.restart(now + DECLINE_WAIT);
        actions
    }

    /// Gives the lease back (RELEASE to the server, address removed) and stops: the client
    /// stays RELEASED until [`renew`](Self::renew).
    pub fn release(&mut self, now: Instant, rng: &mut Rng) -> Actions {
        let mut actions = Actions::new();
        if self.holds_address()
            && let Some(lease) = self.lease.clone()
        {
            self.new_exchange(now, rng);
            let release = Outgoing {
                ciaddr: lease.address.address(),
                server_id: Some(lease.server),
                ..self.outgoing(
                    DhcpMessageType::Release,
                    now,
                    Destination::Unicast(lease.server),
                )
            };
            let _ = actions.push(Action::Send(release));
            let _ = actions.push(Action::Unbind);
        }
        self.set_state(DhcpState::Released);
        self.offer = None;
        self.lease = None;
        self.next = None;
        actions
    }

    /// Renews now (BOUND, RENEWING, REBINDING: a unicast REQUEST to the server, as at T1),
    /// or starts over with a DISCOVER from any other state.
    pub fn renew(&mut self, now: Instant, rng: &mut Rng) -> Actions {
        let mut actions = Actions::new();
        if self.holds_address() {
            self.begin_renewal(DhcpState::Renewing, now, rng, &mut actions);
        } else {
            self.restart(now);
            actions = self.poll(now, rng);
        }
        actions
    }

    /// The settings, to change them (they apply from the next message).
    pub fn settings_mut(&mut self) -> &mut DhcpClientConfig {
        &mut self.settings
    }
}

/// An address a server may hand out.
fn usable(addr: Ipv4Addr) -> bool {
    !addr.is_unspecified() && !addr.is_broadcast() && !addr.is_multicast() && !addr.is_loopback()
}

impl DhcpLease {
    /// The lease an ACK describes; `None` when it gives no usable address. The subnet mask
    /// defaults to the address's class (RFC 2131 leaves it to the client); the server is
    /// the ACK's server identifier, else `known_server`.
    pub(crate) fn from_ack(
        ack: &DhcpRepr<'_>,
        known_server: Option<Ipv4Addr>,
        now: Instant,
    ) -> Option<DhcpLease> {
        if !usable(ack.your_ip) {
            return None;
        }
        let address = ack
            .subnet_mask
            .and_then(|m| Ipv4Cidr::from_netmask(ack.your_ip, m).ok())
            .or_else(|| Ipv4Cidr::new(ack.your_ip, classful_prefix(ack.your_ip)).ok())?;
        let server = ack.server_identifier.or(known_server)?;
        let mut dns_servers = HVec::new();
        for a in ack.dns_servers.iter().flat_map(|l| l.iter()) {
            if dns_servers.push(a).is_err() {
                break;
            }
        }
        let mut ntp_servers = HVec::new();
        if config::DHCP_GET_NTP_SRV {
            for a in ack.ntp_servers.iter().flat_map(|l| l.iter()) {
                if ntp_servers.push(a).is_err() {
                    break;
                }
            }
        }
        let times = lease_times(ack.lease_time, ack.renewal_time, ack.rebinding_time);
        Some(DhcpLease {
            address,
            gateway: ack.router.and_then(|r| r.get(0)).filter(|g| usable(*g)),
            server,
            dns_servers,
            ntp_servers,
            lease_time: times.map(|t| t.2),
            renewal_time: times.map(|t| t.0),
            rebinding_time: times.map(|t| t.1),
            acquired: now,
        })
    }

    /// When T1 falls (RENEWING begins); `None` for an infinite lease.
    pub fn renew_at(&self) -> Option<Instant> {
        Some(self.acquired + coarse(self.renewal_time?))
    }

    /// When T2 falls (REBINDING begins).
    pub fn rebind_at(&self) -> Option<Instant> {
        Some(self.acquired + coarse(self.rebinding_time?))
    }

    /// When the lease expires.
    pub fn expires_at(&self) -> Option<Instant> {
        Some(self.acquired + coarse(self.lease_time?))
    }
}

/// The prefix length of an address's class (RFC 791), for an ACK without a subnet mask.
fn classful_prefix(addr: Ipv4Addr) -> u8 {
    match addr.octets()[0] {
        0..=127 => 8,
        128..=191 => 16,
        _ => 24,
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::*;
    use crate::wire::{DhcpOpcode, EthernetAddress, Ipv4AddrList};

    const MAC: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 7]);
    const SERVER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
    const ADDR: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 50);
    const ROUTER: [u8; 4] = [10, 0, 0, 1];
    const DNS: [u8; 8] = [10, 0, 0, 53, 10, 0, 0, 54];

    fn t(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    fn reply<'a>(kind: DhcpMessageType, xid: u32, lease: u32) -> DhcpRepr<'a> {
        DhcpRepr {
            your_ip: if kind == DhcpMessageType::Nak {
                Ipv4Addr::UNSPECIFIED
            } else {
                ADDR
            },
            server_identifier: Some(SERVER),
            lease_time: Some(lease),
            subnet_mask: Some(Ipv4Addr::new(255, 255, 255, 0)),
            router: Ipv4AddrList::from_bytes(&ROUTER).ok(),
            dns_servers: Ipv4AddrList::from_bytes(&DNS).ok(),
            ..DhcpRepr::new(DhcpOpcode::Reply, kind, xid, MAC)
        }
    }

    fn sent(actions: &Actions) -> Vec<Outgoing> {
        actions
            .iter()
            .filter_map(|a| match a {
                Action::Send(o) => Some(*o),
                _ => None,
            })
            .collect()
    }

    /// Polls at every deadline up to `until`, collecting the actions with their times.
    fn run(c: &mut DhcpClient, rng: &mut Rng, until: Instant) -> Vec<(Instant, Action)> {
        let mut out = Vec::new();
        while let Some(d) = c.next_deadline().filter(|d| *d <= until) {
            for a in c.poll(d, rng) {
                out.push((d, a));
            }
        }
        out
    }

    /// A client taken to BOUND at about `start`, with a lease of `lease` seconds.
    fn bound(rng: &mut Rng, lease: u32) -> (DhcpClient, Instant) {
        let mut c = DhcpClient::new(DhcpClientConfig::default(), t(0));
        let a = c.poll(t(0), rng);
        assert_eq!(sent(&a)[0].message_type, DhcpMessageType::Discover);
        let a = c.on_reply(&reply(DhcpMessageType::Offer, c.xid(), lease), t(10), rng);
        let req = sent(&a)[0];
        assert_eq!(req.message_type, DhcpMessageType::Request);
        assert_eq!(
            (req.requested_ip, req.server_id),
            (Some(ADDR), Some(SERVER))
        );
        assert_eq!(c.state(), DhcpState::Requesting);
        let mut actions: Vec<Action> = c
            .on_reply(&reply(DhcpMessageType::Ack, c.xid(), lease), t(20), rng)
            .into_iter()
            .collect();
        actions.extend(run(&mut c, rng, t(10_000)).into_iter().map(|(_, a)| a));
        let probes = actions
            .iter()
            .filter(|a| matches!(a, Action::Probe(ADDR)))
            .count();
        let expected = CheckPlan::configured().map_or(0, |p| usize::from(p.probes));
        assert_eq!(probes, expected);
        assert!(matches!(actions.last(), Some(Action::Bind(l)) if l.address.address() == ADDR));
        assert_eq!(c.state(), DhcpState::Bound);
        let lease = c.lease().expect("bound");
        assert_eq!(lease.gateway, Some(SERVER));
        assert_eq!(lease.dns_servers.len(), 2.min(config::DNS_MAX_SERVERS));
        assert_eq!(lease.address.prefix_len(), 24);
        (c, t(20))
    }

    #[test]
    fn discover_backs_off_4_8_16_32_64_64() {
        let mut rng = Rng::new(1);
        let mut c = DhcpClient::new(DhcpClientConfig::default(), t(0));
        let events = run(&mut c, &mut rng, t(300_000));
        let times: Vec<u64> = events.iter().map(|(at, _)| at.millis()).collect();
        let gaps: Vec<u64> = times.windows(2).map(|w| w[1] - w[0]).collect();
        for (gap, base) in gaps.iter().zip([4u64, 8, 16, 32, 64, 64, 64]) {
            assert!(gap.abs_diff(base * 1000) <= 1000, "gaps {gaps:?}");
        }
        assert!(gaps.len() >= 6);
        let xids: Vec<u32> = events
            .iter()
            .filter_map(|(_, a)| match a {
                Action::Send(o) => Some(o.xid),
                _ => None,
            })
            .collect();
        assert!(
            xids.iter().all(|x| *x == xids[0]),
            "retransmissions keep the xid"
        );
        assert_eq!(c.state(), DhcpState::Selecting);
    }

    #[test]
    fn replies_with_another_xid_or_in_the_wrong_state_are_ignored() {
        let mut rng = Rng::new(2);
        let mut c = DhcpClient::new(DhcpClientConfig::default(), t(0));
        c.poll(t(0), &mut rng);
        let xid = c.xid();
        assert!(
            c.on_reply(&reply(DhcpMessageType::Offer, xid ^ 1, 60), t(1), &mut rng)
                .is_empty()
        );
        assert!(
            c.on_reply(&reply(DhcpMessageType::Ack, xid, 60), t(1), &mut rng)
                .is_empty()
        );
        assert!(
            c.on_reply(&reply(DhcpMessageType::Nak, xid, 60), t(1), &mut rng)
                .is_empty()
        );
        let mut no_server = reply(DhcpMessageType::Offer, xid, 60);
        no_server.server_identifier = None;
        assert!(c.on_reply(&no_server, t(1), &mut rng).is_empty());
        assert_eq!(c.state(), DhcpState::Selecting);
    }

    #[test]
    fn lease_timers_renew_rebind_and_expire() {
        let mut rng = Rng::new(3);
        let (mut c, start) = bound(&mut rng, 1000);
        let lease = c.lease().expect("bound").clone();
        let t1 = lease.renew_at().expect("finite");
        let t2 = lease.rebind_at().expect("finite");
        let exp = lease.expires_at().expect("finite");
        assert_eq!(t1, start + coarse(500));
        assert_eq!(t2, start + coarse(875));
        assert_eq!(exp, start + coarse(1000));
        assert_eq!(c.next_deadline(), Some(t1));
        // T1: a unicast REQUEST from our address, no server id or requested address.
        let events = run(&mut c, &mut rng, t1);
        let renew = match &events[..] {
            [(at, Action::Send(o))] if *at == t1 => *o,
            other => panic!("{other:?}"),
        };
        assert_eq!(renew.dst, Destination::Unicast(SERVER));
        assert_eq!(renew.ciaddr, ADDR);
        assert_eq!((renew.requested_ip, renew.server_id), (None, None));
        assert_eq!(c.state(), DhcpState::Renewing);
        // Silence: retransmits (60 s floor, half of what is left) until T2, then broadcasts.
        let events = run(&mut c, &mut rng, t2);
        assert!(events.iter().all(|(_, a)| matches!(a, Action::Send(_))));
        assert_eq!(c.state(), DhcpState::Rebinding);
        let (at, last) = events.last().expect("rebinding request");
        assert_eq!(*at, t2);
        assert!(
            matches!(last, Action::Send(o) if o.dst == Destination::Broadcast && o.ciaddr == ADDR)
        );
        // Silence until expiry: the address goes and discovery starts over.
        let events = run(&mut c, &mut rng, exp);
        assert!(
            events
                .iter()
                .any(|(at, a)| *at == exp && *a == Action::Unbind)
        );
        assert!(
            matches!(events.last(), Some((_, Action::Send(o))) if o.message_type == DhcpMessageType::Discover)
        );
        assert_eq!(c.state(), DhcpState::Selecting);
        assert!(c.lease().is_none());
    }

    #[test]
    fn an_ack_while_renewing_extends_the_lease() {
        let mut rng = Rng::new(4);
        let (mut c, _) = bound(&mut rng, 100);
        let t1 = c.lease().and_then(DhcpLease::renew_at).expect("finite");
        run(&mut c, &mut rng, t1);
        assert_eq!(c.state(), DhcpState::Renewing);
        let now = t1 + Duration::from_secs(1);
        let a = c.on_reply(&reply(DhcpMessageType::Ack, c.xid(), 100), now, &mut rng);
        assert!(matches!(&a[..], [Action::Bind(l)] if l.acquired == now));
        assert_eq!(c.state(), DhcpState::Bound);
        assert_eq!(c.next_deadline(), Some(now + coarse(50)));
    }

    #[test]
    fn nak_drops_the_address_and_starts_over() {
        let mut rng = Rng::new(5);
        let (mut c, _) = bound(&mut rng, 100);
        let a = c.renew(t(30_000), &mut rng);
        assert_eq!(sent(&a)[0].dst, Destination::Unicast(SERVER));
        let a = c.on_reply(
            &reply(DhcpMessageType::Nak, c.xid(), 0),
            t(30_100),
            &mut rng,
        );
        assert_eq!(a.first(), Some(&Action::Unbind));
        assert_eq!(c.state(), DhcpState::Init);
        let a = c.poll(t(30_100), &mut rng);
        assert_eq!(sent(&a)[0].message_type, DhcpMessageType::Discover);
        // A NAK to a REQUEST in REQUESTING: no address to drop.
        let a = c.on_reply(
            &reply(DhcpMessageType::Offer, c.xid(), 100),
            t(30_200),
            &mut rng,
        );
        assert_eq!(sent(&a).len(), 1);
        let a = c.on_reply(
            &reply(DhcpMessageType::Nak, c.xid(), 0),
            t(30_300),
            &mut rng,
        );
        assert!(a.is_empty());
        assert_eq!(c.state(), DhcpState::Init);
    }

    #[test]
    fn a_conflict_while_checking_declines_and_waits() {
        if CheckPlan::configured().is_none() {
            return;
        }
        let mut rng = Rng::new(6);
        let mut c = DhcpClient::new(DhcpClientConfig::default(), t(0));
        c.poll(t(0), &mut rng);
        c.on_reply(&reply(DhcpMessageType::Offer, c.xid(), 100), t(1), &mut rng);
        c.on_reply(&reply(DhcpMessageType::Ack, c.xid(), 100), t(2), &mut rng);
        assert_eq!(c.state(), DhcpState::Checking);
        assert_eq!(c.checking(), Some(ADDR));
        let a = c.on_conflict(t(300), &mut rng);
        let decline = sent(&a)[0];
        assert_eq!(decline.message_type, DhcpMessageType::Decline);
        assert_eq!(
            (decline.requested_ip, decline.server_id),
            (Some(ADDR), Some(SERVER))
        );
        assert_eq!(decline.ciaddr, Ipv4Addr::UNSPECIFIED);
        assert!(a.contains(&Action::Declined(ADDR)));
        assert!(!a.contains(&Action::Unbind));
        assert_eq!(c.state(), DhcpState::Init);
        assert_eq!(c.next_deadline(), Some(t(300) + DECLINE_WAIT));
        assert!(c.on_conflict(t(400), &mut rng).is_empty());
    }

    #[test]
    fn requesting_gives_up_after_max_requests() {
        let mut rng = Rng::new(7);
        let mut c = DhcpClient::new(DhcpClientConfig::default(), t(0));
        c.poll(t(0), &mut rng);
        c.on_reply(&reply(DhcpMessageType::Offer, c.xid(), 100), t(1), &mut rng);
        let events = run(&mut c, &mut rng, t(400_000));
        let requests = events
            .iter()
            .take_while(
                |(_, a)| matches!(a, Action::Send(o) if o.message_type == DhcpMessageType::Request),
            )
            .count();
        assert_eq!(requests + 1, usize::from(MAX_REQUESTS));
        assert!(events.iter().any(
            |(_, a)| matches!(a, Action::Send(o) if o.message_type == DhcpMessageType::Discover)
        ));
    }

    #[test]
    fn release_sends_a_release_and_goes_idle() {
        let mut rng = Rng::new(8);
        let (mut c, _) = bound(&mut rng, 100);
        let a = c.release(t(1000), &mut rng);
        let rel = sent(&a)[0];
        assert_eq!(rel.message_type, DhcpMessageType::Release);
        assert_eq!((rel.ciaddr, rel.server_id), (ADDR, Some(SERVER)));
        assert_eq!(rel.dst, Destination::Unicast(SERVER));
        assert!(a.contains(&Action::Unbind));
        assert_eq!(c.state(), DhcpState::Released);
        assert_eq!(c.next_deadline(), None);
        assert!(c.release(t(2000), &mut rng).is_empty());
        let a = c.renew(t(3000), &mut rng);
        assert_eq!(sent(&a)[0].message_type, DhcpMessageType::Discover);
    }

    #[test]
    fn new_exchanges_draw_new_xids() {
        let mut rng = Rng::new(9);
        let (mut c, _) = bound(&mut rng, 100);
        let first = c.xid();
        c.renew(t(1000), &mut rng);
        assert_ne!(c.xid(), first);
    }

    #[test]
    fn init_reboot_asks_for_the_last_address() {
        let settings = DhcpClientConfig {
            last_address: Some(ADDR),
            ..DhcpClientConfig::default()
        };
        let mut rng = Rng::new(10);
        let mut c = DhcpClient::new(settings, t(0));
        let a = c.poll(t(0), &mut rng);
        let first = sent(&a)[0];
        if !config::DHCP_RESTORE_LAST_IP {
            assert_eq!(first.message_type, DhcpMessageType::Discover);
            return;
        }
        assert_eq!(first.message_type, DhcpMessageType::Request);
        assert_eq!((first.requested_ip, first.server_id), (Some(ADDR), None));
        let events = run(&mut c, &mut rng, t(100_000));
        assert!(events.iter().any(
            |(_, a)| matches!(a, Action::Send(o) if o.message_type == DhcpMessageType::Discover)
        ));
    }

    #[test]
    fn infinite_lease_has_no_timers() {
        let mut rng = Rng::new(11);
        let (c, _) = bound(&mut rng, u32::MAX);
        assert_eq!(c.next_deadline(), None);
        assert_eq!(c.lease().and_then(|l| l.lease_time), None);
    }
}
