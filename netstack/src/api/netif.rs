//! Interface management through the TCP/IP thread, in the spirit of `esp_netif`: add an
//! interface over a driver, set static addresses, bring it up or down, choose the default
//! route, keep the DNS servers, and be told when an interface changes.
//!
//! The DHCP client runs in the stack ([`crate::ipv4::dhcp`]); the thread turns its events into
//! DNS servers and status callbacks here ([`NetStack::dhcp_start`] and friends).

use std::boxed::Box;
use std::net::{IpAddr, Ipv4Addr};
use std::string::String;
use std::vec::Vec;

use super::errno::{Errno, set_errno};
use super::tcpip::{Core, NetStack};
use crate::config;
use crate::hooks::Hooks;
use crate::ipv4::dhcp::{DhcpClientConfig, DhcpEvent, DhcpLease, DhcpState};
use crate::netif::{NetifConfig, NetifId};
use crate::phy::{Device, Medium};
use crate::wire::{EthernetAddress, Ipv4Cidr};

/// What happened to an interface (lwIP's netif status callback reasons).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetifEvent {
    /// The interface came up.
    Up(NetifId),
    /// The interface went down.
    Down(NetifId),
    /// Its IPv4 address or prefix changed.
    AddressChanged(NetifId, Option<Ipv4Cidr>),
    /// It was removed.
    Removed(NetifId),
    /// Its DHCP client bound, renewed, lost or declined an address (an address change is
    /// also reported as [`NetifEvent::AddressChanged`], before this).
    Dhcp(NetifId, DhcpEvent),
}

/// A callback told about interface changes (runs on the thread that made the change, with
/// the core held: it must not call the API).
pub type NetifCallback = Box<dyn Fn(NetifEvent) + Send>;

/// What the API layer keeps about interfaces beside the stack.
#[derive(Default)]
pub(crate) struct NetifSettings {
    /// DNS servers, by index (lwIP `dns_setserver`), at most `config::DNS_MAX_SERVERS`.
    dns: Vec<Option<IpAddr>>,
    /// Status callbacks (with `netif_status_callback`).
    callbacks: Vec<NetifCallback>,
}

impl NetifSettings {
    fn notify(&self, event: NetifEvent) {
        for cb in &self.callbacks {
            cb(event);
        }
    }

    /// Applies a DHCP client event: a new lease's DNS servers replace the first ones
    /// (`dns_setserver` from `dhcp_handle_ack`), and the callbacks hear of the change.
    fn dhcp_event(&mut self, id: NetifId, event: DhcpEvent, lease: Option<&DhcpLease>) {
        if let (DhcpEvent::Bound { .. } | DhcpEvent::Renewed, Some(lease)) = (event, lease) {
            for (index, server) in lease.dns_servers.iter().enumerate() {
                if index >= config::DNS_MAX_SERVERS {
                    break;
                }
                if self.dns.len() <= index {
                    self.dns.resize(index + 1, None);
                }
                self.dns[index] = Some(IpAddr::V4(*server));
            }
        }
        match event {
            DhcpEvent::Bound { address, .. } => {
                self.notify(NetifEvent::AddressChanged(id, Some(address)));
            }
            DhcpEvent::Lost => self.notify(NetifEvent::AddressChanged(id, None)),
            DhcpEvent::Renewed | DhcpEvent::Declined(_) => {}
        }
        self.notify(NetifEvent::Dhcp(id, event));
    }
}

/// Takes the stack's DHCP events and applies them to the interface settings (called by the
/// TCP/IP thread after each poll).
pub(crate) fn pump_dhcp_events<H: Hooks>(core: &mut Core<H>) {
    let mut events: Vec<(NetifId, DhcpEvent)> = Vec::new();
    core.stack.dhcp_drain_events(|id, e| events.push((id, e)));
    for (id, event) in events {
        let lease = core.stack.dhcp_lease(id).cloned();
        core.netif_settings.dhcp_event(id, event, lease.as_ref());
    }
}

/// An interface's state, owned (for use outside the core).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetifStatus {
    /// The interface.
    pub id: NetifId,
    /// Its name.
    pub name: String,
    /// Its frame format.
    pub medium: Medium,
    /// Its hardware address (Ethernet).
    pub mac: Option<EthernetAddress>,
    /// Its IPv4 address and prefix.
    pub ipv4: Option<Ipv4Cidr>,
    /// Its gateway.
    pub gateway: Option<Ipv4Addr>,
    /// Its MTU.
    pub mtu: usize,
    /// Whether it is up.
    pub up: bool,
    /// Whether it is the default interface.
    pub default: bool,
}

fn status<H: Hooks>(core: &Core<H>, id: NetifId) -> Option<NetifStatus> {
    let n = core.stack.netif(id)?;
    Some(NetifStatus {
        id,
        name: n.name.into(),
        medium: n.medium,
        mac: n.mac,
        ipv4: n.ipv4,
        gateway: n.gateway,
        mtu: n.mtu,
        up: n.up,
        default: core.stack.default_netif() == Some(id),
    })
}

impl<H: Hooks + Send + 'static> NetStack<H> {
    /// Adds an interface driving `device` (`esp_netif_new` + attach). The first one
    /// becomes the default interface.
    ///
    /// Errors: `ENOBUFS` (`max_netifs` interfaces), `EINVAL` (bad MTU).
    pub fn netif_add(
        &self,
        config: NetifConfig,
        device: Box<dyn Device + Send>,
    ) -> Result<NetifId, Errno> {
        self.op(move |core| {
            let id = core.stack.add_netif(config, device)?;
            if core.stack.netif(id).is_some_and(|n| n.up) {
                core.netif_settings.notify(NetifEvent::Up(id));
            }
            Ok(id)
        })
    }

    /// Removes an interface; sockets using it see their traffic fail.
    pub fn netif_remove(&self, id: NetifId) -> Result<(), Errno> {
        self.op(move |core| {
            core.stack.remove_netif(id)?;
            core.netif_settings.notify(NetifEvent::Removed(id));
            Ok(())
        })
    }

    /// Brings an interface up (`esp_netif_action_start` / lwIP `netif_set_up`).
    pub fn netif_set_up(&self, id: NetifId) -> Result<(), Errno> {
        self.op(move |core| {
            let was = core.stack.netif(id).ok_or(Errno::ENODEV)?.up;
            core.stack.set_up(id)?;
            if !was {
                core.netif_settings.notify(NetifEvent::Up(id));
            }
            Ok(())
        })
    }

    /// Takes an interface down.
    pub fn netif_set_down(&self, id: NetifId) -> Result<(), Errno> {
        self.op(move |core| {
            let was = core.stack.netif(id).ok_or(Errno::ENODEV)?.up;
            core.stack.set_down(id)?;
            if was {
                core.netif_settings.notify(NetifEvent::Down(id));
            }
            Ok(())
        })
    }

    /// Sets a static IPv4 address and gateway (`esp_netif_set_ip_info`); `None` clears.
    pub fn netif_set_addr(
        &self,
        id: NetifId,
        cidr: Option<Ipv4Cidr>,
        gateway: Option<Ipv4Addr>,
    ) -> Result<(), Errno> {
        self.op(move |core| {
            let before = core.stack.netif(id).ok_or(Errno::ENODEV)?.ipv4;
            core.stack.set_ipv4(id, cidr)?;
            core.stack.set_gateway(id, gateway)?;
            if before != cidr {
                core.netif_settings
                    .notify(NetifEvent::AddressChanged(id, cidr));
            }
            Ok(())
        })
    }

    /// Makes `id` the default interface (the default route), or clears it.
    pub fn netif_set_default(&self, id: Option<NetifId>) -> Result<(), Errno> {
        self.op(move |core| Ok(core.stack.set_default_netif(id)?))
    }

    /// The state of one interface.
    pub fn netif_status(&self, id: NetifId) -> Result<NetifStatus, Errno> {
        self.op(move |core| status(core, id).ok_or(Errno::ENODEV))
    }

    /// The state of every interface, the loopback included.
    pub fn netifs(&self) -> Result<Vec<NetifStatus>, Errno> {
        self.op(|core| {
            let ids: Vec<NetifId> = core.stack.netifs().map(|n| n.id).collect();
            Ok(ids.into_iter().filter_map(|id| status(core, id)).collect())
        })
    }

    /// Sets DNS server `index` (lwIP `dns_setserver`, `esp_netif_set_dns_info`); `None`
    /// clears it.
    ///
    /// Errors: `EINVAL` for an index at or above `dns_max_servers`.
    pub fn dns_set_server(&self, index: usize, server: Option<IpAddr>) -> Result<(), Errno> {
        self.op(move |core| {
            if index >= config::DNS_MAX_SERVERS {
                return Err(Errno::EINVAL);
            }
            let dns = &mut core.netif_settings.dns;
            if dns.len() <= index {
                dns.resize(index + 1, None);
            }
            dns[index] = server;
            Ok(())
        })
    }

    /// DNS server `index`, if set.
    pub fn dns_get_server(&self, index: usize) -> Result<Option<IpAddr>, Errno> {
        self.op(move |core| Ok(core.netif_settings.dns.get(index).copied().flatten()))
    }

    /// Registers a callback told when an interface comes up, goes down, changes address or
    /// is removed (lwIP `netif_set_status_callback`).
    ///
    /// Errors: `ENOSYS` without `netif_status_callback` in the configuration.
    pub fn netif_set_status_callback(&self, callback: NetifCallback) -> Result<(), Errno> {
        if !config::NETIF_STATUS_CALLBACK {
            return Err(set_errno(Errno::ENOSYS));
        }
        self.op(move |core| {
            core.netif_settings.callbacks.push(callback);
            Ok(())
        })
    }

    /// The index of the interface named `name` (`if_nametoindex`: the netif number plus
    /// one), 0 if there is none.
    ///
    /// Errors: `ENOSYS` without `netif_api`.
    pub fn if_nametoindex(&self, name: &str) -> Result<u32, Errno> {
        if !config::NETIF_API {
            return Err(set_errno(Errno::ENOSYS));
        }
        let name = String::from(name);
        self.op(move |core| {
            Ok(core
                .stack
                .netifs()
                .find(|n| n.name == name)
                .map_or(0, |n| u32::from(n.id.0) + 1))
        })
    }

    /// The name of interface `index` (`if_indextoname`), if there is one.
    ///
    /// Errors: `ENOSYS` without `netif_api`.
    pub fn if_indextoname(&self, index: u32) -> Result<Option<String>, Errno> {
        if !config::NETIF_API {
            return Err(set_errno(Errno::ENOSYS));
        }
        self.op(move |core| {
            Ok(core
                .stack
                .netifs()
                .find(|n| u32::from(n.id.0) + 1 == index)
                .map(|n| String::from(n.name)))
        })
    }

    /// Starts the DHCP client on `id` with the default settings (`esp_netif_dhcpc_start`,
    /// lwIP `dhcp_start`). When it binds, the interface gets the address, netmask and
    /// gateway, the lease's DNS servers become servers 0, 1, … and the status callbacks
    /// hear [`NetifEvent::AddressChanged`] then [`NetifEvent::Dhcp`].
    ///
    /// Errors: `EINVAL` for an unknown or non-Ethernet interface.
    pub fn dhcp_start(&self, id: NetifId) -> Result<(), Errno> {
        self.dhcp_start_with(id, DhcpClientConfig::default())
    }

    /// Starts the DHCP client on `id` with `settings` (host name, vendor class, broadcast
    /// flag, the last lease's address for INIT-REBOOT).
    ///
    /// Errors: `EINVAL` for an unknown or non-Ethernet interface.
    pub fn dhcp_start_with(&self, id: NetifId, settings: DhcpClientConfig) -> Result<(), Errno> {
        self.op(move |core| Ok(core.stack.dhcp_start_with(id, settings)?))
    }

    /// Stops the DHCP client on `id` (`esp_netif_dhcpc_stop`): its lease is released and
    /// the address removed.
    ///
    /// Errors: `EINVAL` when the interface has no client.
    pub fn dhcp_stop(&self, id: NetifId) -> Result<(), Errno> {
        self.op(move |core| Ok(core.stack.dhcp_stop(id)?))
    }

    /// Releases the lease on `id` (RELEASE, address removed); the client waits for
    /// [`dhcp_renew`](Self::dhcp_renew).
    ///
    /// Errors: `EINVAL` when the interface has no client.
    pub fn dhcp_release(&self, id: NetifId) -> Result<(), Errno> {
        self.op(move |core| Ok(core.stack.dhcp_release(id)?))
    }

    /// Renews the lease on `id` now (or starts over after a release).
    ///
    /// Errors: `EINVAL` when the interface has no client.
    pub fn dhcp_renew(&self, id: NetifId) -> Result<(), Errno> {
        self.op(move |core| Ok(core.stack.dhcp_renew(id)?))
    }

    /// The DHCP client's state on `id` (`esp_netif_dhcpc_get_status`); `None` without one.
    pub fn dhcp_state(&self, id: NetifId) -> Result<Option<DhcpState>, Errno> {
        self.op(move |core| Ok(core.stack.dhcp_state(id)))
    }

    /// The lease the client on `id` holds, if bound (save `lease.address` to restart with
    /// INIT-REBOOT, `dhcp_restore_last_ip`).
    pub fn dhcp_lease(&self, id: NetifId) -> Result<Option<DhcpLease>, Errno> {
        self.op(move |core| Ok(core.stack.dhcp_lease(id).cloned()))
    }
}
