//! ARP: the IPv4-to-Ethernet address cache and the protocol around it (RFC 826; lwIP's
//! `etharp.c`).
//!
//! The cache is a fixed table of `config::ARP_TABLE_SIZE` entries shared by all Ethernet
//! interfaces. An entry is
//! - **pending** while a request is outstanding: up to [`MAX_REQUESTS`] requests one second
//!   apart, then it is dropped with its queued packets (and the senders learn the host is
//!   unreachable). While pending it holds up to `config::ARP_QUEUE_LEN` packets when
//!   `config::ARP_QUEUEING` is set, else only the latest one;
//! - **stable** once an answer arrived: it expires `config::ARP_MAXAGE` seconds after it was
//!   last confirmed. An entry in use is refreshed before that: a unicast request
//!   [`REREQUEST_UNICAST_BEFORE`] seconds before expiry, a broadcast one
//!   [`REREQUEST_BROADCAST_BEFORE`] seconds before (lwIP's `ETHARP_STATE_STABLE_REREQUESTING`);
//! - **static** when the application set it: never expires, never evicted, never
//!   overwritten by the network.
//!
//! A full table evicts the oldest stable entry, else the oldest pending entry with nothing
//! queued, else the oldest pending one (lwIP's `etharp_find_entry`). Requests for one of our
//! addresses are answered and the requester is entered (RFC 826 "merge"); other traffic only
//! updates entries that already exist. Gratuitous ARP (RFC 5227 §3) is sent when an
//! interface comes up or gets an address and every `config::GARP_TMR_INTERVAL` seconds when
//! `config::ESP_GRATUITOUS_ARP` is set. A packet from another host claiming one of our
//! addresses is a conflict (RFC 5227 §2.4): logged and counted.

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use crate::config;
use crate::hooks::Hooks;
use crate::netif::NetifId;
use crate::stack::Stack;
use crate::stats::DropReason;
use crate::time::{Duration, Instant};
use crate::wire::{ArpOperation, ArpPacket, ArpRepr, EtherType, EthernetAddress, Ipv4AddrExt};

/// Requests sent for a pending entry before it gives up (lwIP `ARP_MAXPENDING`).
pub const MAX_REQUESTS: u8 = 5;
/// Interval between requests of a pending entry.
pub const REQUEST_INTERVAL: Duration = Duration::from_secs(1);
/// Seconds before expiry at which a stable entry in use is refreshed by unicast.
pub const REREQUEST_UNICAST_BEFORE: u64 = 30;
/// Seconds before expiry at which a stable entry in use is refreshed by broadcast.
pub const REREQUEST_BROADCAST_BEFORE: u64 = 15;

/// The state of a cache entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArpState {
    /// A request is outstanding.
    Pending,
    /// Resolved from the network; ages out.
    Stable,
    /// Set by the application; permanent.
    Static,
}

/// A read-only view of one cache entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArpEntryInfo {
    /// The interface the neighbour is on.
    pub netif: NetifId,
    /// Its IPv4 address.
    pub ip: Ipv4Addr,
    /// Its hardware address (unspecified while pending).
    pub mac: EthernetAddress,
    /// The entry's state.
    pub state: ArpState,
}

#[derive(Debug)]
pub(crate) struct Entry {
    netif: NetifId,
    ip: Ipv4Addr,
    mac: EthernetAddress,
    state: ArpState,
    /// Pending: when created; stable: when last confirmed.
    since: Instant,
    /// Pending: requests sent so far. Stable: refresh requests sent since confirmed.
    tries: u8,
    /// Pending: when the next request is due (one interval after the last one was sent,
    /// so a late poll delays the retries instead of bunching them).
    next_try: Instant,
    /// IP packets (without link header) waiting for the resolution.
    queue: VecDeque<Vec<u8>>,
}

impl Entry {
    fn expires(&self) -> Option<Instant> {
        match self.state {
            ArpState::Pending => Some(
                self.since + Duration::from_millis(REQUEST_INTERVAL.millis() * self.tries as u64),
            ),
            ArpState::Stable => Some(self.since + Duration::from_secs(config::ARP_MAXAGE as u64)),
            ArpState::Static => None,
        }
    }
}

/// What the output path must do for a next hop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resolution {
    /// Send to this address; and, if set, also send this refresh request first.
    Resolved(EthernetAddress, Option<Refresh>),
    /// Queue the packet on this entry; send a first request if `new`.
    Pending { slot: usize, new: bool },
}

/// A refresh request for an entry about to expire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refresh {
    /// Ask the known address directly.
    Unicast(EthernetAddress),
    /// Ask everyone.
    Broadcast,
}

/// A timer event of the cache.
#[derive(Debug)]
pub(crate) enum ArpTimerEvent {
    /// Send another request for a pending entry.
    Retry { netif: NetifId, ip: Ipv4Addr },
    /// A pending entry gave up; these packets could not be sent.
    Failed {
        netif: NetifId,
        ip: Ipv4Addr,
        queue: VecDeque<Vec<u8>>,
    },
    /// A stable entry aged out.
    Expired { netif: NetifId, ip: Ipv4Addr },
}

/// The ARP cache: a fixed table of entries.
#[derive(Debug)]
pub(crate) struct ArpCache {
    entries: Vec<Option<Entry>>,
    /// No entry is due before this: a lower bound on every entry's `expires`, exact after
    /// a scan that found nothing due; `None` when no entry has a deadline. Lets the check
    /// made on every poll skip the walk over the table.
    due_from: Option<Instant>,
    /// The slot the last resolution found, tried first (most traffic goes to one next hop).
    last: usize,
    /// Changes whenever an entry is created, changes its address or state, or goes: a
    /// next-hop hint taken before no longer holds.
    epoch: u32,
}

impl ArpCache {
    pub(crate) fn new() -> ArpCache {
        let mut entries = Vec::with_capacity(config::ARP_TABLE_SIZE);
        entries.resize_with(config::ARP_TABLE_SIZE, || None);
        ArpCache {
            entries,
            due_from: None,
            last: 0,
            epoch: 0,
        }
    }

    /// See [`epoch`](Self::epoch): changes with every entry that is created, changed or
    /// removed.
    #[inline]
    pub(crate) fn epoch(&self) -> u32 {
        self.epoch
    }

    fn changed(&mut self) {
        self.epoch = self.epoch.wrapping_add(1);
    }

    /// Until when the entry the last resolution found gives its address without wanting a
    /// refresh (for a stable entry: the first re-request threshold not yet passed; for a
    /// static one: for ever). Meaningful right after [`resolve`](Self::resolve) answered
    /// `Resolved` without a refresh.
    pub(crate) fn last_valid_until(&self) -> Instant {
        let Some(Some(e)) = self.entries.get(self.last) else {
            return Instant::ZERO;
        };
        let max = config::ARP_MAXAGE as u64;
        let seconds = match (e.state, e.tries) {
            (ArpState::Static, _) => return Instant::from_millis(u64::MAX),
            (ArpState::Pending, _) => return Instant::ZERO,
            (ArpState::Stable, 0) => max.saturating_sub(REREQUEST_UNICAST_BEFORE),
            (ArpState::Stable, 1) => max.saturating_sub(REREQUEST_BROADCAST_BEFORE),
            (ArpState::Stable, _) => max,
        };
        e.since + Duration::from_secs(seconds)
    }

    fn find(&self, netif: NetifId, ip: Ipv4Addr) -> Option<usize> {
        let is = |e: &Option<Entry>| e.as_ref().is_some_and(|e| e.netif == netif && e.ip == ip);
        if self.entries.get(self.last).is_some_and(is) {
            return Some(self.last);
        }
        self.entries.iter().position(is)
    }

    /// Keeps [`due_from`](Self::due_from) a lower bound after the entry in `slot` was
    /// created or changed.
    fn note_deadline(&mut self, slot: usize) {
        if let Some(t) = self
            .entries
            .get(slot)
            .and_then(Option::as_ref)
            .and_then(Entry::expires)
        {
            self.due_from = Some(self.due_from.map_or(t, |d| d.min(t)));
        }
    }

    /// A free slot, evicting if needed (never a static entry). `None` when every entry is
    /// static.
    fn free_slot(&mut self, evicted: &mut u64) -> Option<usize> {
        if let Some(i) = self.entries.iter().position(Option::is_none) {
            return Some(i);
        }
        let oldest = |pred: &dyn Fn(&Entry) -> bool| {
            self.entries
                .iter()
                .enumerate()
                .filter_map(|(i, e)| e.as_ref().filter(|e| pred(e)).map(|e| (i, e.since)))
                .min_by_key(|&(_, since)| since)
                .map(|(i, _)| i)
        };
        let victim = oldest(&|e| e.state == ArpState::Stable)
            .or_else(|| oldest(&|e| e.state == ArpState::Pending && e.queue.is_empty()))
            .or_else(|| oldest(&|e| e.state == ArpState::Pending))?;
        self.entries[victim] = None;
        self.changed();
        *evicted += 1;
        Some(victim)
    }

    /// Finds or creates the entry for an outgoing packet to `ip` on `netif`.
    pub(crate) fn resolve(
        &mut self,
        netif: NetifId,
        ip: Ipv4Addr,
        now: Instant,
        evicted: &mut u64,
    ) -> Option<Resolution> {
        if let Some(i) = self.find(netif, ip) {
            self.last = i;
            let e = self.entries[i].as_mut()?;
            return Some(match e.state {
                ArpState::Static => Resolution::Resolved(e.mac, None),
                ArpState::Pending => Resolution::Pending {
                    slot: i,
                    new: false,
                },
                ArpState::Stable => {
                    let age = now.saturating_since(e.since).millis() / 1000;
                    let max = config::ARP_MAXAGE as u64;
                    let refresh = if e.tries < 2
                        && age >= max.saturating_sub(REREQUEST_BROADCAST_BEFORE)
                    {
                        e.tries = 2;
                        Some(Refresh::Broadcast)
                    } else if e.tries < 1 && age >= max.saturating_sub(REREQUEST_UNICAST_BEFORE) {
                        e.tries = 1;
                        Some(Refresh::Unicast(e.mac))
                    } else {
                        None
                    };
                    let mac = e.mac;
                    if refresh.is_some() {
                        self.changed();
                    }
                    Resolution::Resolved(mac, refresh)
                }
            });
        }
        let slot = self.free_slot(evicted)?;
        self.entries[slot] = Some(Entry {
            netif,
            ip,
            mac: EthernetAddress([0; 6]),
            state: ArpState::Pending,
            since: now,
            tries: 1,
            next_try: now + REQUEST_INTERVAL,
            queue: VecDeque::new(),
        });
        self.changed();
        self.note_deadline(slot);
        Some(Resolution::Pending { slot, new: true })
    }

    /// Queues a packet on a pending entry. Returns how many packets were dropped to make
    /// room (the oldest go first), or 1 if the slot is not pending.
    pub(crate) fn enqueue(&mut self, slot: usize, packet: Vec<u8>) -> u64 {
        let Some(Some(e)) = self.entries.get_mut(slot) else {
            return 1;
        };
        if e.state != ArpState::Pending {
            return 1;
        }
        let limit = if config::ARP_QUEUEING {
            config::ARP_QUEUE_LEN.max(1)
        } else {
            1
        };
        let mut dropped = 0;
        while e.queue.len() >= limit {
            e.queue.pop_front();
            dropped += 1;
        }
        e.queue.push_back(packet);
        dropped
    }

    /// Records that `ip` on `netif` is at `mac`. Creates a stable entry only when `create`
    /// (the packet was for us); otherwise updates an existing one. Returns the packets that
    /// were waiting for this resolution. Static entries are never changed.
    pub(crate) fn update(
        &mut self,
        netif: NetifId,
        ip: Ipv4Addr,
        mac: EthernetAddress,
        now: Instant,
        create: bool,
        evicted: &mut u64,
    ) -> VecDeque<Vec<u8>> {
        if !ip.is_unicast() || !mac.is_unicast() {
            return VecDeque::new();
        }
        let slot = match self.find(netif, ip) {
            Some(i) => i,
            None if create => match self.free_slot(evicted) {
                Some(i) => i,
                None => return VecDeque::new(),
            },
            None => return VecDeque::new(),
        };
        let waiting = match &mut self.entries[slot] {
            Some(e) if e.state == ArpState::Static => VecDeque::new(),
            Some(e) => {
                let changed = e.mac != mac || e.state != ArpState::Stable || e.tries != 0;
                e.mac = mac;
                e.state = ArpState::Stable;
                e.since = now;
                e.tries = 0;
                let waiting = core::mem::take(&mut e.queue);
                if changed {
                    self.changed();
                }
                waiting
            }
            empty => {
                *empty = Some(Entry {
                    netif,
                    ip,
                    mac,
                    state: ArpState::Stable,
                    since: now,
                    tries: 0,
                    next_try: now,
                    queue: VecDeque::new(),
                });
                self.changed();
                VecDeque::new()
            }
        };
        self.note_deadline(slot);
        waiting
    }

    /// Adds or replaces a static entry.
    pub(crate) fn add_static(
        &mut self,
        netif: NetifId,
        ip: Ipv4Addr,
        mac: EthernetAddress,
        now: Instant,
    ) -> Option<VecDeque<Vec<u8>>> {
        let mut evicted = 0;
        let slot = match self.find(netif, ip) {
            Some(i) => i,
            None => self.free_slot(&mut evicted)?,
        };
        let queue = self.entries[slot]
            .take()
            .map(|e| e.queue)
            .unwrap_or_default();
        self.entries[slot] = Some(Entry {
            netif,
            ip,
            mac,
            state: ArpState::Static,
            since: now,
            tries: 0,
            next_try: now,
            queue: VecDeque::new(),
        });
        self.changed();
        Some(queue)
    }

    /// Removes the entry for `ip` on `netif` (static or not); whether there was one.
    pub(crate) fn remove(&mut self, netif: NetifId, ip: Ipv4Addr) -> bool {
        match self.find(netif, ip) {
            Some(i) => {
                self.entries[i] = None;
                self.changed();
                true
            }
            None => false,
        }
    }

    /// Forgets every dynamic entry of `netif` (it went down or changed address).
    pub(crate) fn flush_netif(&mut self, netif: NetifId) {
        self.changed();
        for slot in &mut self.entries {
            if slot
                .as_ref()
                .is_some_and(|e| e.netif == netif && e.state != ArpState::Static)
            {
                *slot = None;
            }
        }
    }

    /// The hardware address of a resolved entry.
    pub(crate) fn lookup(&self, netif: NetifId, ip: Ipv4Addr) -> Option<EthernetAddress> {
        let e = self.entries[self.find(netif, ip)?].as_ref()?;
        (e.state != ArpState::Pending).then_some(e.mac)
    }

    /// Every entry.
    pub(crate) fn entries(&self) -> impl Iterator<Item = ArpEntryInfo> + '_ {
        self.entries.iter().flatten().map(|e| ArpEntryInfo {
            netif: e.netif,
            ip: e.ip,
            mac: e.mac,
            state: e.state,
        })
    }

    /// When the next entry needs attention.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.entries
            .iter()
            .flatten()
            .filter_map(Entry::expires)
            .min()
    }

    /// Handles one entry whose time has come, if any.
    pub(crate) fn next_due(&mut self, now: Instant) -> Option<ArpTimerEvent> {
        if self.due_from.is_none_or(|t| t > now) {
            return None;
        }
        // Whatever is due changes an entry (a retry, a failure, an expiry).
        self.epoch = self.epoch.wrapping_add(1);
        for slot in &mut self.entries {
            let Some(e) = slot else { continue };
            if e.expires().is_none_or(|t| t > now) {
                continue;
            }
            match e.state {
                ArpState::Pending if e.tries < MAX_REQUESTS => {
                    e.tries += 1;
                    e.next_try = now + REQUEST_INTERVAL;
                    return Some(ArpTimerEvent::Retry {
                        netif: e.netif,
                        ip: e.ip,
                    });
                }
                ArpState::Pending => {
                    let e = slot.take()?;
                    return Some(ArpTimerEvent::Failed {
                        netif: e.netif,
                        ip: e.ip,
                        queue: e.queue,
                    });
                }
                ArpState::Stable => {
                    let e = slot.take()?;
                    return Some(ArpTimerEvent::Expired {
                        netif: e.netif,
                        ip: e.ip,
                    });
                }
                ArpState::Static => {}
            }
        }
        // Nothing due: the bound becomes exact until an entry changes.
        self.due_from = self.next_deadline();
        None
    }
}

const LOG: &str = "netstack::etharp";

impl<H: Hooks> Stack<H> {
    /// Handles a received ARP packet (the Ethernet payload) on `id`.
    pub(crate) fn arp_input(&mut self, id: NetifId, payload: &[u8], now: Instant) {
        self.stats.etharp.rx += 1;
        let repr = match ArpPacket::new_checked(payload).and_then(|p| ArpRepr::parse(&p)) {
            Ok(r) => r,
            Err(e) => {
                self.stats.etharp.drop(e.into());
                return;
            }
        };
        let Some(netif) = self.netif_ref(id) else {
            return;
        };
        let our_mac = netif.mac;
        let our_ip = netif.addr();
        let up = netif.up;
        if !up || repr.source_hardware_addr == our_mac {
            // Our own frame looped back by a hub, or interface down.
            self.stats.etharp.drop(DropReason::NotForUs);
            return;
        }
        let sender_ip = repr.source_protocol_addr;
        if !repr.source_hardware_addr.is_unicast() {
            // RFC 1812 §3.3.2: never believe a multicast/broadcast hardware address.
            self.stats.etharp.drop(DropReason::Malformed);
            return;
        }
        self.dhcp_arp_input(id, &repr);
        let Some(our_ip) = our_ip else {
            // No address yet: nothing to answer, nothing to learn.
            self.stats.etharp.drop(DropReason::NotForUs);
            return;
        };
        if sender_ip == our_ip {
            self.stats.arp.conflicts += 1;
            log::warn!(
                target: LOG,
                "{id}: address conflict: {sender_ip} is also claimed by {}",
                repr.source_hardware_addr
            );
        }
        let for_us = repr.target_protocol_addr == our_ip;
        if sender_ip != our_ip && !sender_ip.is_unspecified() {
            let mut evicted = 0;
            let queue = self.arp.update(
                id,
                sender_ip,
                repr.source_hardware_addr,
                now,
                for_us,
                &mut evicted,
            );
            self.stats.arp.evicted += evicted;
            self.flush_arp_queue(id, repr.source_hardware_addr, queue, now);
        }
        if repr.operation == ArpOperation::Request && for_us {
            log::trace!(target: LOG, "{id}: who-has {our_ip} from {sender_ip}: replying");
            let reply = ArpRepr {
                operation: ArpOperation::Reply,
                source_hardware_addr: our_mac,
                source_protocol_addr: our_ip,
                target_hardware_addr: repr.source_hardware_addr,
                target_protocol_addr: sender_ip,
            };
            if self.send_arp(id, repr.source_hardware_addr, &reply, now) {
                self.stats.arp.replies_sent += 1;
            }
        }
    }

    /// Sends queued IP packets now that their next hop is resolved.
    fn flush_arp_queue(
        &mut self,
        id: NetifId,
        mac: EthernetAddress,
        queue: VecDeque<Vec<u8>>,
        now: Instant,
    ) {
        for packet in queue {
            self.send_ip_frame(id, mac, &packet, now);
        }
    }

    /// Sends an ARP request for `target` on `id`, to `dst` (broadcast for a new query).
    pub(crate) fn send_arp_request(
        &mut self,
        id: NetifId,
        target: Ipv4Addr,
        dst: EthernetAddress,
        now: Instant,
    ) -> bool {
        let Some(netif) = self.netif_ref(id) else {
            return false;
        };
        let repr = ArpRepr {
            operation: ArpOperation::Request,
            source_hardware_addr: netif.mac,
            source_protocol_addr: netif.addr().unwrap_or(Ipv4Addr::UNSPECIFIED),
            target_hardware_addr: EthernetAddress([0; 6]),
            target_protocol_addr: target,
        };
        let sent = self.send_arp(id, dst, &repr, now);
        if sent {
            self.stats.arp.requests_sent += 1;
        }
        sent
    }

    /// Sends an ARP probe for `target` on `id` (RFC 5227 §2.1.1: a broadcast request with
    /// sender address 0.0.0.0, so no host learns a mapping from it).
    pub(crate) fn send_arp_probe(&mut self, id: NetifId, target: Ipv4Addr) -> bool {
        let now = self.now;
        let Some(netif) = self.netif_ref(id) else {
            return false;
        };
        let repr = ArpRepr {
            operation: ArpOperation::Request,
            source_hardware_addr: netif.mac,
            source_protocol_addr: Ipv4Addr::UNSPECIFIED,
            target_hardware_addr: EthernetAddress([0; 6]),
            target_protocol_addr: target,
        };
        let sent = self.send_arp(id, EthernetAddress::BROADCAST, &repr, now);
        if sent {
            self.stats.arp.requests_sent += 1;
        }
        sent
    }

    /// Sends a gratuitous ARP for the address of `id` (RFC 5227 §3: an ARP request with
    /// sender and target both our address, broadcast).
    pub(crate) fn send_garp(&mut self, id: NetifId, now: Instant) {
        let Some(netif) = self.netif_ref(id) else {
            return;
        };
        if !netif.is_ethernet() || !netif.up {
            return;
        }
        if let Some(addr) = netif.addr().filter(Ipv4AddrExt::is_unicast) {
            log::debug!(target: LOG, "{id}: gratuitous ARP for {addr}");
            self.send_arp_request(id, addr, EthernetAddress::BROADCAST, now);
        }
    }

    fn send_arp(
        &mut self,
        id: NetifId,
        dst: EthernetAddress,
        repr: &ArpRepr,
        now: Instant,
    ) -> bool {
        let mut buf = [0u8; ArpPacket::<&[u8]>::ETHERNET_IPV4_LEN];
        if repr
            .emit(&mut ArpPacket::new_unchecked(&mut buf[..]))
            .is_err()
        {
            return false;
        }
        let sent = self.send_ethernet(id, dst, EtherType::Arp, &buf, now);
        if sent {
            self.stats.etharp.tx += 1;
        }
        sent
    }

    /// Runs the cache's due timers: retries, give-ups, expiry.
    pub(crate) fn arp_poll(&mut self, now: Instant) {
        while let Some(event) = self.arp.next_due(now) {
            match event {
                ArpTimerEvent::Retry { netif, ip } => {
                    log::trace!(target: LOG, "{netif}: retrying who-has {ip}");
                    self.send_arp_request(netif, ip, EthernetAddress::BROADCAST, now);
                }
                ArpTimerEvent::Failed { netif, ip, queue } => {
                    log::debug!(target: LOG, "{netif}: {ip} did not answer; dropping {} packet(s)", queue.len());
                    self.stats.arp.resolution_failures += 1;
                    for packet in queue {
                        self.stats.ip.drop(DropReason::Unresolved);
                        self.report_unreachable(&packet);
                    }
                }
                ArpTimerEvent::Expired { netif, ip } => {
                    log::trace!(target: LOG, "{netif}: entry for {ip} expired");
                    self.stats.arp.expired += 1;
                }
            }
        }
    }

    /// Learns the sender of an IPv4 packet (`ETHARP_TRUST_IP_MAC`): updates an existing
    /// entry only, and only for on-link senders.
    pub(crate) fn arp_learn_from_ip(
        &mut self,
        id: NetifId,
        src_ip: Ipv4Addr,
        src_mac: EthernetAddress,
        now: Instant,
    ) {
        if !config::ETHARP_TRUST_IP_MAC {
            return;
        }
        if !self.netif_ref(id).is_some_and(|n| n.on_link(src_ip)) {
            return;
        }
        let mut evicted = 0;
        let queue = self
            .arp
            .update(id, src_ip, src_mac, now, false, &mut evicted);
        self.flush_arp_queue(id, src_mac, queue, now);
    }

    // ---- public API ----

    /// Adds (or replaces) a permanent ARP entry: `ip` on `netif` is at `mac`
    /// (lwIP `etharp_add_static_entry`). Packets waiting for `ip` are sent.
    pub fn arp_add_static(
        &mut self,
        netif: NetifId,
        ip: Ipv4Addr,
        mac: EthernetAddress,
    ) -> Result<(), crate::Error> {
        if self.netif_ref(netif).is_none_or(|n| !n.is_ethernet())
            || !ip.is_unicast()
            || !mac.is_unicast()
        {
            return Err(crate::Error::Invalid);
        }
        let now = self.now;
        let queue = self
            .arp
            .add_static(netif, ip, mac, now)
            .ok_or(crate::Error::PoolExhausted)?;
        self.flush_arp_queue(netif, mac, queue, now);
        Ok(())
    }

    /// Removes the ARP entry for `ip` on `netif`, static or learned
    /// (lwIP `etharp_remove_static_entry`); whether there was one.
    pub fn arp_remove(&mut self, netif: NetifId, ip: Ipv4Addr) -> bool {
        self.arp.remove(netif, ip)
    }

    /// The hardware address `ip` resolves to on `netif`, if known (lwIP `etharp_find_addr`).
    pub fn arp_lookup(&self, netif: NetifId, ip: Ipv4Addr) -> Option<EthernetAddress> {
        self.arp.lookup(netif, ip)
    }

    /// Every ARP cache entry.
    pub fn arp_entries(&self) -> impl Iterator<Item = ArpEntryInfo> + '_ {
        self.arp.entries()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const N: NetifId = NetifId(0);
    fn ip(last: u8) -> Ipv4Addr {
        Ipv4Addr::new(10, 0, 0, last)
    }
    fn mac(last: u8) -> EthernetAddress {
        EthernetAddress([2, 0, 0, 0, 0, last])
    }

    #[test]
    fn a_resolution_holds_until_the_entry_wants_a_refresh() {
        let mut c = ArpCache::new();
        let mut ev = 0;
        let t0 = Instant::from_secs(10);
        c.update(N, ip(1), mac(1), t0, true, &mut ev);
        let max = config::ARP_MAXAGE as u64;
        let mut refresh_at = |c: &mut ArpCache, now: Instant| {
            let r = c.resolve(N, ip(1), now, &mut ev);
            (r, c.last_valid_until())
        };
        // Fresh: valid until the unicast re-request would be due, and then it is.
        let until = t0 + Duration::from_secs(max.saturating_sub(REREQUEST_UNICAST_BEFORE));
        assert_eq!(
            refresh_at(&mut c, t0),
            (Some(Resolution::Resolved(mac(1), None)), until)
        );
        let (r, next) = refresh_at(&mut c, until);
        assert_eq!(
            r,
            Some(Resolution::Resolved(mac(1), Some(Refresh::Unicast(mac(1)))))
        );
        // After the unicast re-request: until the broadcast one.
        assert_eq!(
            next,
            t0 + Duration::from_secs(max.saturating_sub(REREQUEST_BROADCAST_BEFORE))
        );
        // A static entry never wants one.
        c.add_static(N, ip(2), mac(2), t0);
        assert!(matches!(
            c.resolve(N, ip(2), t0, &mut ev),
            Some(Resolution::Resolved(..))
        ));
        assert_eq!(c.last_valid_until(), Instant::from_millis(u64::MAX));
    }

    #[test]
    fn the_epoch_changes_with_every_entry_that_changes_and_only_then() {
        let mut c = ArpCache::new();
        let mut ev = 0;
        let t0 = Instant::from_secs(10);
        let mut last = c.epoch();
        let mut changed = |c: &ArpCache| {
            let now = c.epoch();
            let moved = now != last;
            last = now;
            moved
        };
        // A new (pending) entry, its answer, a new address: each a change.
        assert!(matches!(
            c.resolve(N, ip(1), t0, &mut ev),
            Some(Resolution::Pending { .. })
        ));
        assert!(changed(&c));
        c.update(N, ip(1), mac(1), t0, false, &mut ev);
        assert!(changed(&c));
        c.update(N, ip(1), mac(3), t0, false, &mut ev);
        assert!(changed(&c));
        // The same answer again, and lookups: no change.
        c.update(
            N,
            ip(1),
            mac(3),
            t0 + Duration::from_secs(1),
            false,
            &mut ev,
        );
        let _ = c.resolve(N, ip(1), t0 + Duration::from_secs(1), &mut ev);
        assert!(!changed(&c));
        // Removal and flushing: changes.
        assert!(c.remove(N, ip(1)));
        assert!(changed(&c));
        c.update(N, ip(4), mac(4), t0, true, &mut ev);
        assert!(changed(&c));
        c.flush_netif(N);
        assert!(changed(&c));
    }

    #[test]
    fn pending_retries_then_fails_with_its_queue() {
        let mut c = ArpCache::new();
        let mut ev = 0;
        let t0 = Instant::from_secs(10);
        let Some(Resolution::Pending { slot, new: true }) = c.resolve(N, ip(1), t0, &mut ev) else {
            panic!("new entry must be pending")
        };
        assert_eq!(c.enqueue(slot, alloc::vec![1]), 0);
        assert_eq!(
            c.resolve(N, ip(1), t0, &mut ev),
            Some(Resolution::Pending { slot, new: false })
        );
        let mut retries = 0;
        let mut t = t0;
        loop {
            let d = c.next_deadline().expect("pending entry has a deadline");
            assert!(d >= t);
            t = d;
            match c.next_due(t) {
                Some(ArpTimerEvent::Retry { .. }) => retries += 1,
                Some(ArpTimerEvent::Failed { queue, .. }) => {
                    assert_eq!(queue.len(), 1);
                    break;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(retries, (MAX_REQUESTS - 1) as usize);
        assert_eq!(t, t0 + Duration::from_secs(MAX_REQUESTS as u64));
        assert_eq!(c.next_deadline(), None);
    }

    #[test]
    fn entries_made_after_an_idle_scan_still_come_due() {
        let mut c = ArpCache::new();
        let mut ev = 0;
        let t0 = Instant::from_secs(10);
        assert!(c.next_due(t0).is_none(), "empty: nothing due");
        // A stable entry learned now, then a pending one: both after the idle scan.
        c.update(N, ip(2), mac(2), t0, true, &mut ev);
        let Some(Resolution::Pending { .. }) = c.resolve(N, ip(1), t0, &mut ev) else {
            panic!("new entry must be pending")
        };
        assert!(c.next_due(t0).is_none(), "nothing due yet");
        let retry = t0 + REQUEST_INTERVAL;
        assert!(matches!(
            c.next_due(retry),
            Some(ArpTimerEvent::Retry { ip: i, .. }) if i == ip(1)
        ));
        let expiry = t0 + Duration::from_secs(config::ARP_MAXAGE as u64);
        let mut expired = false;
        while let Some(e) = c.next_due(expiry) {
            expired |= matches!(e, ArpTimerEvent::Expired { ip: i, .. } if i == ip(2));
        }
        assert!(expired, "the stable entry aged out on time");
        assert_eq!(c.next_deadline(), None);
    }

    #[test]
    fn queue_is_bounded_by_config() {
        let mut c = ArpCache::new();
        let mut ev = 0;
        let Some(Resolution::Pending { slot, .. }) = c.resolve(N, ip(1), Instant::ZERO, &mut ev)
        else {
            panic!()
        };
        let limit = if config::ARP_QUEUEING {
            config::ARP_QUEUE_LEN.max(1)
        } else {
            1
        };
        let mut dropped = 0;
        for i in 0..(limit + 3) {
            dropped += c.enqueue(slot, alloc::vec![i as u8]);
        }
        assert_eq!(dropped, 3);
        let q = c.update(N, ip(1), mac(1), Instant::ZERO, false, &mut ev);
        assert_eq!(q.len(), limit);
        // The latest packets are kept.
        assert_eq!(q.back(), Some(&alloc::vec![(limit + 2) as u8]));
    }

    #[test]
    fn stable_expires_and_refreshes_when_used() {
        let mut c = ArpCache::new();
        let mut ev = 0;
        c.update(N, ip(2), mac(2), Instant::ZERO, true, &mut ev);
        assert_eq!(c.lookup(N, ip(2)), Some(mac(2)));
        let max = config::ARP_MAXAGE as u64;
        let t = Instant::from_secs(max - REREQUEST_UNICAST_BEFORE);
        assert_eq!(
            c.resolve(N, ip(2), t, &mut ev),
            Some(Resolution::Resolved(mac(2), Some(Refresh::Unicast(mac(2)))))
        );
        assert_eq!(
            c.resolve(N, ip(2), t, &mut ev),
            Some(Resolution::Resolved(mac(2), None))
        );
        let t = Instant::from_secs(max - REREQUEST_BROADCAST_BEFORE);
        assert_eq!(
            c.resolve(N, ip(2), t, &mut ev),
            Some(Resolution::Resolved(mac(2), Some(Refresh::Broadcast)))
        );
        assert_eq!(c.next_deadline(), Some(Instant::from_secs(max)));
        assert!(c.next_due(Instant::from_secs(max - 1)).is_none());
        assert!(matches!(
            c.next_due(Instant::from_secs(max)),
            Some(ArpTimerEvent::Expired { .. })
        ));
        assert_eq!(c.lookup(N, ip(2)), None);
    }

    #[test]
    fn update_without_create_only_touches_existing() {
        let mut c = ArpCache::new();
        let mut ev = 0;
        c.update(N, ip(3), mac(3), Instant::ZERO, false, &mut ev);
        assert_eq!(c.lookup(N, ip(3)), None);
        c.update(N, ip(3), mac(3), Instant::ZERO, true, &mut ev);
        c.update(N, ip(3), mac(4), Instant::ZERO, false, &mut ev);
        assert_eq!(c.lookup(N, ip(3)), Some(mac(4)));
        // Multicast MACs and non-unicast IPs are never learned.
        c.update(
            N,
            ip(5),
            EthernetAddress::BROADCAST,
            Instant::ZERO,
            true,
            &mut ev,
        );
        assert_eq!(c.lookup(N, ip(5)), None);
    }

    #[test]
    fn static_entries_survive_everything() {
        let mut c = ArpCache::new();
        let mut ev = 0;
        c.add_static(N, ip(9), mac(9), Instant::ZERO).expect("room");
        c.update(N, ip(9), mac(1), Instant::ZERO, true, &mut ev);
        assert_eq!(c.lookup(N, ip(9)), Some(mac(9)));
        assert_eq!(c.next_deadline(), None);
        // Fill the table: the static entry is never the victim.
        for i in 0..(config::ARP_TABLE_SIZE as u8 * 2) {
            c.update(
                N,
                ip(100 + i),
                mac(100 + i),
                Instant::from_secs(i as u64),
                true,
                &mut ev,
            );
        }
        assert_eq!(c.lookup(N, ip(9)), Some(mac(9)));
        assert!(ev > 0);
        c.flush_netif(N);
        assert_eq!(c.lookup(N, ip(9)), Some(mac(9)));
        assert!(c.remove(N, ip(9)));
        assert_eq!(c.entries().count(), 0);
    }

    #[test]
    fn eviction_prefers_stable_then_pending_without_queue() {
        let mut c = ArpCache::new();
        let mut ev = 0;
        let n = config::ARP_TABLE_SIZE as u8;
        // All pending, the first one with a queue.
        for i in 0..n {
            if let Some(Resolution::Pending { slot, .. }) =
                c.resolve(N, ip(i + 1), Instant::from_secs(i as u64), &mut ev)
                && i == 0
            {
                c.enqueue(slot, alloc::vec![0]);
            }
        }
        assert_eq!(ev, 0);
        c.resolve(N, ip(200), Instant::from_secs(100), &mut ev);
        assert_eq!(ev, 1);
        // The queued one (oldest) survived; the oldest without a queue (ip 2) went.
        assert!(c.entries().any(|e| e.ip == ip(1)));
        assert!(!c.entries().any(|e| e.ip == ip(2)));
    }
}
