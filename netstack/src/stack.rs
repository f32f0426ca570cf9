//! The stack: one value that owns every interface, table and timer (lwIP's global state,
//! gathered into a struct).
//!
//! Everything goes through `&mut Stack`: [`Stack::poll`] drains the devices, processes what
//! arrived, runs the timers that are due and sends what results; [`Stack::input`] hands in a
//! frame a driver received itself; [`Stack::next_deadline`] tells the caller when to poll
//! again (`None`: not until a frame arrives or the application acts, lwIP's
//! `LWIP_TIMERS_ONDEMAND`). Time is always passed in; the stack never reads a clock.
//!
//! Calls that send on behalf of the application (`udp_send_to`, `join_multicast`, ...) take
//! no time argument: they use the time of the latest `poll`/`input` call.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use crate::config;
use crate::error::Error;
use crate::hooks::{Hooks, NoHooks};
use crate::ipv4::Ipv4State;
use crate::ipv4::arp::ArpCache;
use crate::ipv4::icmp::IcmpState;
use crate::ipv4::igmp::IgmpGroups;
use crate::netif::{Netif, NetifConfig, NetifDevice, NetifId, NetifInfo};
use crate::phy::{Device, DeviceError, Loopback, Medium};
use crate::rand::Rng;
use crate::stats::{DropReason, Stats};
use crate::tcp::table::TcpTable;
use crate::time::{Duration, Instant};
use crate::udp::UdpTable;
use crate::wire::{EthernetAddress, Ipv4Cidr};

/// How many frames one `poll` takes from each device at most, so one busy interface
/// cannot starve the others or the timers.
pub const POLL_BUDGET: usize = 64;

/// How many interfaces the table holds: `config::MAX_NETIFS` plus the built-in loopback.
pub const NETIF_TABLE_LEN: usize = config::MAX_NETIFS + config::NETIF_LOOPBACK as usize;

/// Settings of a [`Stack`] that are chosen at run time (the rest comes from `config`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StackConfig {
    /// Seed of the stack's pseudo-random generator (ephemeral ports, IP identification,
    /// IGMP delays). A product seeds it from a hardware RNG; tests use a fixed value.
    pub random_seed: u64,
}

/// What one [`Stack::poll`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PollResult {
    /// Frames received from devices (and the internal loopback) and processed.
    pub received: usize,
    /// Whether anything may have changed for the application (data arrived, an error was
    /// recorded): check the sockets' readiness.
    pub activity: bool,
}

/// A TCP/IP stack instance, calling the hooks `H` at its hook points (its methods need
/// `H: Hooks`).
// Laid out with `repr(C)`: what every poll and frame reads (the clock, the interface
// table, the ARP cache, the scratch buffers, the IP identification, the TCP table) comes
// first, so that it shares a few cache lines; the counters, the generator and the
// UDP/ICMP state follow.
#[repr(C, align(64))]
pub struct Stack<H = NoHooks> {
    /// The latest time passed in.
    pub(crate) now: Instant,
    /// No interface timer (gratuitous ARP, IGMP) is due before this: a lower bound, exact
    /// after the interface timers run; `None` when none is pending. Lets every poll skip
    /// the walk over the interfaces.
    pub(crate) netif_timers_at: Option<Instant>,
    /// One past the highest occupied slot of `netifs`: the per-poll loops stop there.
    pub(crate) netif_end: usize,
    /// Set when something happened the application may care about.
    pub(crate) activity: bool,
    pub(crate) default_netif: Option<NetifId>,
    pub(crate) loopback_netif: Option<NetifId>,
    /// Whether the built-in loopback device may hold frames (set when one is sent on it,
    /// cleared when a poll finds it empty): a poll skips it without touching it.
    pub(crate) loopback_rx: bool,
    /// Changes whenever an interface does (added, removed, address, gateway, MTU, up or
    /// down, the default): a next-hop hint taken before no longer holds.
    pub(crate) netif_epoch: u32,
    pub(crate) netifs: Vec<Option<Netif>>,
    pub(crate) arp: ArpCache,
    /// Where the last unicast datagram went ([`crate::ipv4::hint`]).
    pub(crate) tx_hint: Option<crate::ipv4::hint::TxHint>,
    /// What the slow path of the datagram being sent went through.
    pub(crate) tx_trace: crate::ipv4::hint::TxTrace,
    /// Receive scratch buffer (one frame).
    pub(crate) rx_buf: Vec<u8>,
    /// Transmit scratch buffer: headroom for a link header, then an IP datagram.
    pub(crate) tx_buf: Vec<u8>,
    /// TCP connections and listeners.
    pub(crate) tcp: TcpTable,
    /// Datagrams sent to one of our own addresses, waiting to be received on that netif
    /// (lwIP's `netif_loop_output`), at most `config::LOOPBACK_MAX_PBUFS`.
    pub(crate) loop_queue: VecDeque<(NetifId, Vec<u8>)>,
    pub(crate) ipv4: Ipv4State,
    pub(crate) stats: Stats,
    pub(crate) rng: Rng,
    /// Second transmit scratch buffer: fragments, ARP, re-sent queued packets.
    pub(crate) frame_buf: Vec<u8>,
    pub(crate) icmp: IcmpState,
    pub(crate) udp: UdpTable,
    pub(crate) hooks: H,
    /// DHCP client events not yet drained by the application.
    pub(crate) dhcp_events: VecDeque<crate::ipv4::dhcp::QueuedEvent>,
}

impl Stack<NoHooks> {
    /// A stack with no hooks, no interfaces but the built-in loopback (when
    /// `config::NETIF_LOOPBACK`).
    ///
    /// Only for builds where no hook point is `custom` (`netstack::hooks::ANY_CUSTOM` is
    /// false): a `custom` point needs the product's handler, so [`NoHooks`] does not implement
    /// [`Hooks`] and a call fails to compile saying so. Such a product builds its stacks with
    /// [`Stack::with_hooks`]`(config, ProductHooks::default())`, with a type `netstack::hooks!`
    /// declares (docs/hooks.md).
    // The bound has a binder so that it is checked where `new` is called, with `Hooks`'
    // message, rather than refused here when it does not hold.
    pub fn new(config: StackConfig) -> Stack<NoHooks>
    where
        for<'a> NoHooks: Hooks,
    {
        Stack::with_hooks(config, NoHooks)
    }
}

impl<H: Hooks> Stack<H> {
    /// A stack calling `hooks` at its hook points.
    pub fn with_hooks(config: StackConfig, hooks: H) -> Stack<H> {
        let mut netifs = Vec::with_capacity(NETIF_TABLE_LEN);
        netifs.resize_with(NETIF_TABLE_LEN, || None);
        let mut stack = Stack {
            hooks,
            netifs,
            netif_end: 0,
            netif_timers_at: None,
            default_netif: None,
            loopback_netif: None,
            loopback_rx: false,
            netif_epoch: 0,
            tx_hint: None,
            tx_trace: crate::ipv4::hint::TxTrace::default(),
            arp: ArpCache::new(),
            ipv4: Ipv4State::new(),
            icmp: IcmpState::new(),
            udp: UdpTable::new(),
            tcp: TcpTable::new(&mut Rng::new(config.random_seed ^ 0x7463_705f_6973_6e00)),
            rng: Rng::new(config.random_seed),
            stats: Stats::default(),
            now: Instant::ZERO,
            rx_buf: Vec::new(),
            tx_buf: Vec::new(),
            frame_buf: Vec::new(),
            loop_queue: VecDeque::new(),
            activity: false,
            dhcp_events: VecDeque::new(),
        };
        stack.ipv4.ident = stack.rng.next_u16();
        if config::NETIF_LOOPBACK {
            let lo = Netif {
                name: "lo".into(),
                caps: Loopback::new(1).capabilities(),
                device: NetifDevice::Loopback(Box::new(Loopback::new(config::LOOPBACK_MAX_PBUFS))),
                mac: EthernetAddress([0; 6]),
                ipv4: Ipv4Cidr::new(Ipv4Addr::LOCALHOST, 8).ok(),
                gateway: None,
                mtu: Loopback::DEFAULT_MTU,
                up: true,
                loopback: true,
                garp_due: None,
                igmp: IgmpGroups::new(),
                dhcp: None,
            };
            if let Ok(id) = stack.insert_netif(lo) {
                stack.loopback_netif = Some(id);
            }
        }
        stack
    }

    /// The hooks.
    pub fn hooks(&self) -> &H {
        &self.hooks
    }

    /// The hooks, mutably (to change their state between polls).
    pub fn hooks_mut(&mut self) -> &mut H {
        &mut self.hooks
    }

    /// The counters (lwIP `LWIP_STATS`).
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The latest time the stack was given.
    pub fn now(&self) -> Instant {
        self.now
    }

    fn insert_netif(&mut self, netif: Netif) -> Result<NetifId, Error> {
        let index = self
            .netifs
            .iter()
            .position(Option::is_none)
            .ok_or(Error::PoolExhausted)?;
        let id = NetifId(u8::try_from(index).map_err(|_| Error::PoolExhausted)?);
        let frame_len = netif.caps.max_frame_len();
        if self.rx_buf.len() < frame_len {
            self.rx_buf.resize(frame_len, 0);
        }
        self.netifs[index] = Some(netif);
        self.netif_end = self.netif_end.max(index + 1);
        self.netif_changed();
        Ok(id)
    }

    /// Adds an interface driving `device` (lwIP `netif_add`). The first non-loopback
    /// interface becomes the default one. An interface that starts up with an address
    /// announces it with a gratuitous ARP at the next poll.
    ///
    /// Errors: [`Error::PoolExhausted`] when `config::MAX_NETIFS` interfaces exist;
    /// [`Error::Invalid`] for an MTU below 68 (RFC 791 §3.2) or above the device's.
    pub fn add_netif(
        &mut self,
        config: NetifConfig,
        device: Box<dyn Device + Send>,
    ) -> Result<NetifId, Error> {
        let caps = device.capabilities();
        let mtu = config.mtu.unwrap_or(caps.mtu);
        if mtu < crate::ipv4::fragment::MIN_MTU || mtu > caps.mtu {
            return Err(Error::Invalid);
        }
        let user_netifs = self.netifs.iter().flatten().filter(|n| !n.loopback).count();
        if user_netifs >= config::MAX_NETIFS {
            return Err(Error::PoolExhausted);
        }
        let mac = config.mac.unwrap_or_else(|| {
            let r = self.rng.next_u64().to_be_bytes();
            // Locally administered, unicast (IEEE 802 §8.2.2).
            EthernetAddress([(r[0] & 0xfc) | 0x02, r[1], r[2], r[3], r[4], r[5]])
        });
        let netif = Netif {
            name: config.name,
            device: NetifDevice::Boxed(device),
            caps,
            mac,
            ipv4: config.ipv4,
            gateway: config.gateway,
            mtu,
            up: config.up,
            loopback: false,
            garp_due: None,
            igmp: IgmpGroups::new(),
            dhcp: None,
        };
        let id = self.insert_netif(netif)?;
        if self.default_netif.is_none() {
            self.default_netif = Some(id);
        }
        if config.up {
            self.netif_came_up(id);
        }
        log::info!(target: "netstack::netif", "{id}: added");
        Ok(id)
    }

    /// Removes an interface; its ARP entries, memberships and sockets' bindings to it go.
    pub fn remove_netif(&mut self, id: NetifId) -> Result<(), Error> {
        if Some(id) == self.loopback_netif {
            return Err(Error::Invalid);
        }
        self.netif_ref(id).ok_or(Error::Invalid)?;
        self.arp.flush_netif(id);
        self.loop_queue.retain(|(n, _)| *n != id);
        self.udp.netif_removed(id);
        if let Some(slot) = self.netifs.get_mut(id.index()) {
            *slot = None;
        }
        self.netif_changed();
        while self.netif_end > 0
            && self
                .netifs
                .get(self.netif_end - 1)
                .is_some_and(Option::is_none)
        {
            self.netif_end -= 1;
        }
        if self.default_netif == Some(id) {
            self.default_netif = None;
        }
        Ok(())
    }

    pub(crate) fn netif_ref(&self, id: NetifId) -> Option<&Netif> {
        self.netifs.get(id.index())?.as_ref()
    }

    /// An interface to change: next-hop hints taken before no longer hold.
    pub(crate) fn netif_mut(&mut self, id: NetifId) -> Option<&mut Netif> {
        self.netif_changed();
        self.netifs.get_mut(id.index())?.as_mut()
    }

    /// An interface's device, to send or receive through (changes nothing routing uses).
    pub(crate) fn netif_device_mut(&mut self, id: NetifId) -> Option<&mut NetifDevice> {
        Some(&mut self.netifs.get_mut(id.index())?.as_mut()?.device)
    }

    /// Something about an interface changed: next-hop hints taken before no longer hold.
    pub(crate) fn netif_changed(&mut self) {
        self.netif_epoch = self.netif_epoch.wrapping_add(1);
    }

    /// Every interface with its id.
    pub(crate) fn netif_iter(&self) -> impl Iterator<Item = (NetifId, &Netif)> + '_ {
        self.netifs[..self.netif_end]
            .iter()
            .enumerate()
            .filter_map(|(i, n)| Some((NetifId(i as u8), n.as_ref()?)))
    }

    /// A snapshot of interface `id`.
    pub fn netif(&self, id: NetifId) -> Option<NetifInfo<'_>> {
        Some(self.netif_ref(id)?.info(id))
    }

    /// Snapshots of every interface.
    pub fn netifs(&self) -> impl Iterator<Item = NetifInfo<'_>> + '_ {
        self.netif_iter().map(|(id, n)| n.info(id))
    }

    /// The built-in loopback interface (127.0.0.1/8), when `config::NETIF_LOOPBACK`.
    pub fn loopback_netif(&self) -> Option<NetifId> {
        self.loopback_netif
    }

    /// The interface used for destinations no subnet matches (lwIP `netif_default`).
    pub fn default_netif(&self) -> Option<NetifId> {
        self.default_netif
    }

    /// Sets (or clears) the default interface (lwIP `netif_set_default`).
    pub fn set_default_netif(&mut self, id: Option<NetifId>) -> Result<(), Error> {
        if let Some(id) = id {
            self.netif_ref(id).ok_or(Error::Invalid)?;
        }
        self.default_netif = id;
        self.netif_changed();
        Ok(())
    }

    /// Brings an interface up (administratively and link; lwIP `netif_set_up` +
    /// `netif_set_link_up`): it announces its address with a gratuitous ARP and reports
    /// its multicast memberships (RFC 2236 §3 on "interface up").
    pub fn set_up(&mut self, id: NetifId) -> Result<(), Error> {
        let netif = self.netif_mut(id).ok_or(Error::Invalid)?;
        if !netif.up {
            netif.up = true;
            self.netif_came_up(id);
        }
        Ok(())
    }

    /// Takes an interface down: nothing is sent or received on it; its learned ARP entries
    /// are forgotten.
    pub fn set_down(&mut self, id: NetifId) -> Result<(), Error> {
        let netif = self.netif_mut(id).ok_or(Error::Invalid)?;
        netif.up = false;
        netif.garp_due = None;
        self.arp.flush_netif(id);
        Ok(())
    }

    /// Sets (or clears) the IPv4 address and prefix of an interface (lwIP
    /// `netif_set_ipaddr` + `netif_set_netmask`). A new address is announced with a
    /// gratuitous ARP; learned ARP entries of the interface are forgotten. TCP connections
    /// bound to a replaced or removed address are aborted, and listeners bound to it move to
    /// the new one; with `config::TCP_KEEP_CONNECTION_WHEN_IP_CHANGES` a removal (no new
    /// address) keeps the connections, so they resume if the address comes back.
    pub fn set_ipv4(&mut self, id: NetifId, cidr: Option<Ipv4Cidr>) -> Result<(), Error> {
        if self.loopback_netif == Some(id) {
            return Err(Error::Invalid);
        }
        let old = self.netif_mut(id).ok_or(Error::Invalid)?.ipv4;
        if old.map(|c| c.address()) != cidr.map(|c| c.address()) {
            // Before the address goes: resets still leave from it (lwIP
            // `netif_do_ip_addr_changed`).
            self.tcp_addr_changed(old.map(|c| c.address()), cidr.map(|c| c.address()));
        }
        let netif = self.netif_mut(id).ok_or(Error::Invalid)?;
        if netif.ipv4 != cidr {
            netif.ipv4 = cidr;
            let up = netif.up;
            self.arp.flush_netif(id);
            if up {
                self.netif_came_up(id);
            }
        }
        Ok(())
    }

    /// Sets (or clears) the default gateway of an interface (lwIP `netif_set_gw`).
    pub fn set_gateway(&mut self, id: NetifId, gateway: Option<Ipv4Addr>) -> Result<(), Error> {
        self.netif_mut(id).ok_or(Error::Invalid)?.gateway = gateway;
        Ok(())
    }

    /// Schedules what an interface does when it comes up or changes address.
    fn netif_came_up(&mut self, id: NetifId) {
        if let Some(netif) = self.netif_mut(id)
            && netif.is_ethernet()
        {
            // The first announcement goes out at the next poll (we may have no time yet).
            netif.garp_due = Some(Instant::ZERO);
            self.note_netif_timer(Some(Instant::ZERO));
        }
        self.igmp_netif_up(id);
    }

    /// Receives from every device (at most [`POLL_BUDGET`] frames each), processes the
    /// frames (a TCP connection sends, and acknowledges, once after the whole batch), runs
    /// the timers that are due and sends what results.
    pub fn poll(&mut self, now: Instant) -> PollResult {
        self.now = self.now.max(now);
        let now = self.now;
        let mut received = 0;
        let mut buf = core::mem::take(&mut self.rx_buf);
        self.tcp_flush_carried();
        self.tcp.defer_output();
        for index in 0..self.netif_end {
            let id = NetifId(index as u8);
            if self.loopback_netif == Some(id) && !self.loopback_rx {
                continue;
            }
            for _ in 0..POLL_BUDGET {
                let Some(netif) = self.netifs.get_mut(index).and_then(Option::as_mut) else {
                    break;
                };
                if netif.device.is_idle_loopback() {
                    self.loopback_rx = false;
                    break;
                }
                match netif.device.receive(&mut buf, now) {
                    Ok(Some(len)) => {
                        received += 1;
                        if let Some(frame) = buf.get(..len) {
                            self.link_input(id, frame, now);
                        }
                    }
                    Ok(None) => break,
                    Err(DeviceError::TooLarge) => {
                        self.stats.link.rx += 1;
                        self.stats.link.drop(DropReason::TooBig);
                    }
                    Err(DeviceError::WouldBlock) | Err(DeviceError::Down) => break,
                }
            }
        }
        self.rx_buf = buf;
        received += self.process_loop_queue(now);
        self.tcp_flush();
        self.run_timers(now);
        let activity = core::mem::take(&mut self.activity);
        PollResult { received, activity }
    }

    /// Moves the stack's clock forward without polling, so that calls made between polls
    /// (sends, connects) time their timers from `now` (the TCP/IP thread does this before
    /// each API call). A time earlier than the stack's is ignored.
    pub fn advance_clock(&mut self, now: Instant) {
        self.now = self.now.max(now);
    }

    /// Processes one frame a driver received itself (lwIP `netif->input`), then the
    /// loopback traffic it caused. Frames on an unknown interface are ignored.
    pub fn input(&mut self, id: NetifId, frame: &[u8], now: Instant) {
        self.now = self.now.max(now);
        let now = self.now;
        if self.netif_ref(id).is_none() {
            return;
        }
        self.link_input(id, frame, now);
        self.process_loop_queue(now);
    }

    /// Delivers datagrams we sent to ourselves.
    fn process_loop_queue(&mut self, now: Instant) -> usize {
        let mut done = 0;
        while done < POLL_BUDGET {
            let Some((id, packet)) = self.loop_queue.pop_front() else {
                break;
            };
            done += 1;
            self.ipv4_input(id, &packet, None, now);
        }
        done
    }

    /// Queues a datagram for delivery to ourselves on `id`.
    pub(crate) fn loop_output(&mut self, id: NetifId, packet: &[u8]) -> Result<(), Error> {
        if self.loop_queue.len() >= config::LOOPBACK_MAX_PBUFS.max(1) {
            self.stats.ip.drop(DropReason::QueueFull);
            return Err(Error::BufferFull);
        }
        self.loop_queue.push_back((id, packet.to_vec()));
        Ok(())
    }

    /// Runs every timer that is due.
    fn run_timers(&mut self, now: Instant) {
        self.arp_poll(now);
        if self.netif_timers_at.is_some_and(|t| t <= now) {
            self.netif_timers(now);
        }
        self.ipv4_poll(now);
        self.tcp_poll(now);
    }

    /// Keeps [`netif_timers_at`](Self::netif_timers_at) a lower bound after an interface
    /// timer was set to `at`.
    pub(crate) fn note_netif_timer(&mut self, at: Option<Instant>) {
        if let Some(t) = at {
            self.netif_timers_at = Some(self.netif_timers_at.map_or(t, |d| d.min(t)));
        }
    }

    /// Runs the interfaces' timers that are due (gratuitous ARP, DHCP, IGMP), then makes
    /// [`netif_timers_at`](Self::netif_timers_at) exact.
    fn netif_timers(&mut self, now: Instant) {
        for index in 0..self.netif_end {
            let id = NetifId(index as u8);
            let Some(netif) = self.netifs.get_mut(index).and_then(Option::as_mut) else {
                continue;
            };
            if netif.garp_due.is_some_and(|t| t <= now) {
                netif.garp_due = (config::ESP_GRATUITOUS_ARP && netif.up)
                    .then(|| now + Duration::from_secs(config::GARP_TMR_INTERVAL.max(1) as u64));
                self.send_garp(id, now);
            }
        }
        self.dhcp_poll(now);
        self.igmp_poll(now);
        let mut next: Option<Instant> = None;
        for (_, netif) in self.netif_iter() {
            let dhcp = netif.dhcp.as_ref().and_then(|c| c.next_deadline());
            for t in [netif.garp_due, netif.igmp.next_deadline(), dhcp]
                .into_iter()
                .flatten()
            {
                next = Some(next.map_or(t, |d| d.min(t)));
            }
        }
        self.netif_timers_at = next;
    }

    /// When the stack next needs [`poll`](Self::poll) even if no frame arrives: the
    /// earliest pending timer (ARP retry/expiry, reassembly timeout, IGMP report, periodic
    /// gratuitous ARP, DHCP retransmission, address check and lease timers) or now if loopback traffic waits. `None` when nothing is pending
    /// (`config::TIMERS_ONDEMAND`); without on-demand timers, at most one second ahead, as
    /// lwIP's cyclic timers tick.
    pub fn next_deadline(&self) -> Option<Instant> {
        let mut deadline: Option<Instant> = None;
        let mut consider = |t: Option<Instant>| {
            if let Some(t) = t {
                deadline = Some(deadline.map_or(t, |d| d.min(t)));
            }
        };
        if !self.loop_queue.is_empty() || self.tcp.has_carried() {
            consider(Some(self.now));
        }
        for (_, netif) in self.netif_iter() {
            if netif.device.has_pending() {
                consider(Some(self.now));
            }
        }
        consider(self.netif_timers_at.map(|t| t.max(self.now)));
        consider(self.arp.next_deadline());
        consider(self.ipv4.next_deadline());
        consider(self.tcp.next_deadline());
        if !config::TIMERS_ONDEMAND {
            consider(Some(self.now + Duration::from_secs(1)));
        }
        deadline
    }

    /// The descriptors of the interfaces' devices that have one (TAP), for a driver loop to
    /// sleep on until a frame arrives (`poll(2)`), waking at [`next_deadline`](Self::next_deadline)
    /// at the latest.
    #[cfg(all(feature = "std", unix))]
    pub fn device_fds(&self) -> impl Iterator<Item = std::os::fd::RawFd> + '_ {
        self.netif_iter().filter_map(|(_, n)| n.device.raw_fd())
    }

    /// Whether `addr` is the address of one of our interfaces that is up.
    pub(crate) fn is_our_addr(&self, addr: Ipv4Addr) -> Option<NetifId> {
        self.netif_iter()
            .find(|(_, n)| n.up && n.has_addr(addr))
            .map(|(id, _)| id)
    }

    /// The medium of an interface.
    pub(crate) fn medium(&self, id: NetifId) -> Option<Medium> {
        self.netif_ref(id).map(|n| n.caps.medium)
    }
}
