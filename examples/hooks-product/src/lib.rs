//! An example product built on netstack: its hooks, composed from its own code and from
//! `netstack-hooks` (docs/hooks.md walks through it).
//!
//! Its `netstack.toml` makes `ip4_input`, `vlan_set`, `tcp_isn`, `sockets_setsockopt` and
//! `sockets_getsockopt` `custom` (so [`ProductHooks`] must provide them), keeps `vlan_check`
//! at `default` and compiles the other hook points out. Every device of the product sits on
//! VLAN 100; what it receives is captured in memory as pcap; its TCP connections start at
//! predictable sequence numbers; its sockets have an option of the product's own
//! ([`SOL_PRODUCT`], [`PRODUCT_TAG`]) and may not turn on `SO_BROADCAST`. Its DHCP client
//! (both DHCP points `custom`) sends the product's host name and vendor class and records
//! the vendor-specific information (option 43) and NTP servers (42) servers send.

use std::collections::BTreeMap;

// The stack must be built with this crate's netstack.toml: a build that did not see it (cargo
// run from another directory than this one, which holds .cargo/config.toml) fails here.
netstack::expect_config!("netstack.toml");

use netstack::NetifInfo;
use netstack::api::Errno;
use netstack::api::sockets::{SO_BROADCAST, SOL_SOCKET};
use netstack::hooks::{InputVerdict, SockoptVerdict};
use netstack::wire::dhcpv4::code;
use netstack::wire::{IpProtocol, Ipv4Packet};
use netstack_hooks::counters::Counters;
use netstack_hooks::dhcp::DhcpClientOptions;
use netstack_hooks::filter::PacketFilter;
use netstack_hooks::isn::CountingIsn;
use netstack_hooks::pcap::PcapTap;
use netstack_hooks::vlan::{self, VlanFilter, VlanTagger};

/// The VLAN the product's devices use.
pub const PRODUCT_VLAN: u16 = 100;

/// The first ISN of the product's TCP connections; each next one is [`ISN_STEP`] higher.
pub const FIRST_ISN: u32 = 0x1000_0000;

/// The distance between the ISNs of consecutive connections.
pub const ISN_STEP: u32 = 0x0100_0000;

/// Bytes of capture the tap keeps in memory.
pub const CAPTURE_LIMIT: usize = 256 * 1024;

/// The host name the product's DHCP client sends (option 12).
pub const PRODUCT_HOSTNAME: &str = "hooks-product";

/// The vendor class the product's DHCP client sends (option 60).
pub const PRODUCT_VENDOR_CLASS: &str = "netstack-example/1.0";

/// The options of DHCP replies the product records: vendor-specific information and NTP
/// servers.
pub const RECORDED_DHCP_OPTIONS: [u8; 2] = [code::VENDOR_SPECIFIC, code::NTP_SERVERS];

/// The port of telnet (RFC 854), which the product never serves.
pub const TELNET_PORT: u16 = 23;

/// The product's own `ip4_input` hook: takes TCP and UDP packets for the telnet port.
#[netstack::hook(ip4_input)]
pub fn drop_telnet(packet: &Ipv4Packet<&[u8]>, _netif: &NetifInfo<'_>) -> InputVerdict {
    let transport = matches!(packet.protocol(), IpProtocol::Tcp | IpProtocol::Udp);
    let dst_port = packet
        .payload_slice()
        .get(2..4)
        .map(|b| u16::from_be_bytes([b[0], b[1]]));
    if transport && packet.frag_offset() == 0 && dst_port == Some(TELNET_PORT) {
        InputVerdict::Consumed
    } else {
        InputVerdict::Continue
    }
}

/// The level of the product's own socket options (`"NS"`), a number no standard level uses.
pub const SOL_PRODUCT: i32 = 0x4e53;

/// The product's option at [`SOL_PRODUCT`]: an `int` tag the product attaches to a socket
/// (a traffic class of its own, say). 0 until set.
pub const PRODUCT_TAG: i32 = 1;

/// The errno the product answers an attempt to turn on `SO_BROADCAST` with: its devices
/// never broadcast.
pub const BROADCAST_FORBIDDEN: Errno = Errno::EPERM;

/// The product's socket options (the `sockets_setsockopt`/`sockets_getsockopt` hooks): keeps
/// [`PRODUCT_TAG`] per descriptor and forbids setting `SO_BROADCAST`; every other option is
/// the stack's.
///
/// The hooks do not see `close`, so a tag belongs to the descriptor number: a descriptor
/// reused after a close starts with the previous socket's tag unless the product sets it.
#[derive(Debug, Clone, Default)]
pub struct ProductOptions {
    tags: BTreeMap<i32, i32>,
}

impl ProductOptions {
    /// No tags yet.
    pub fn new() -> ProductOptions {
        ProductOptions::default()
    }

    /// The tag of `fd` (0 if never set).
    pub fn tag(&self, fd: i32) -> i32 {
        self.tags.get(&fd).copied().unwrap_or(0)
    }

    /// `sockets_setsockopt`: [`PRODUCT_TAG`] takes a 4-byte `int`; other names at
    /// [`SOL_PRODUCT`] are `ENOPROTOOPT`; `SO_BROADCAST` is [`BROADCAST_FORBIDDEN`].
    pub fn sockets_setsockopt(
        &mut self,
        fd: i32,
        level: i32,
        name: i32,
        value: &[u8],
    ) -> SockoptVerdict<()> {
        match (level, name) {
            (SOL_PRODUCT, PRODUCT_TAG) => match <[u8; 4]>::try_from(value) {
                Ok(bytes) => {
                    self.tags.insert(fd, i32::from_ne_bytes(bytes));
                    SockoptVerdict::Handled(Ok(()))
                }
                Err(_) => SockoptVerdict::Handled(Err(Errno::EINVAL.code())),
            },
            (SOL_PRODUCT, _) => SockoptVerdict::Handled(Err(Errno::ENOPROTOOPT.code())),
            (SOL_SOCKET, SO_BROADCAST) => SockoptVerdict::Handled(Err(BROADCAST_FORBIDDEN.code())),
            _ => SockoptVerdict::Continue,
        }
    }

    /// `sockets_getsockopt`: [`PRODUCT_TAG`] reads back as a 4-byte `int`; other names at
    /// [`SOL_PRODUCT`] are `ENOPROTOOPT`; every other option is the stack's.
    pub fn sockets_getsockopt(
        &mut self,
        fd: i32,
        level: i32,
        name: i32,
        out: &mut [u8],
    ) -> SockoptVerdict<usize> {
        match (level, name) {
            (SOL_PRODUCT, PRODUCT_TAG) => match out.get_mut(..4) {
                Some(dst) => {
                    dst.copy_from_slice(&self.tag(fd).to_ne_bytes());
                    SockoptVerdict::Handled(Ok(4))
                }
                None => SockoptVerdict::Handled(Err(Errno::EINVAL.code())),
            },
            (SOL_PRODUCT, _) => SockoptVerdict::Handled(Err(Errno::ENOPROTOOPT.code())),
            _ => SockoptVerdict::Continue,
        }
    }
}

netstack::hooks! {
    /// The hooks of the product's stack.
    pub struct ProductHooks {
        /// Captures every received IPv4 packet (first in the chain: it sees everything).
        pub tap: PcapTap,
        /// Per-interface receive counters (every IPv4 packet, before any filtering), and
        /// how often each kind of table went from full to having room.
        pub counters: Counters,
        /// The configurable packet filter, after the telnet rule.
        pub filter: PacketFilter,
        /// Puts every frame on [`PRODUCT_VLAN`].
        pub tagger: VlanTagger,
        /// Accepts tagged frames of [`PRODUCT_VLAN`] only.
        pub vlans: VlanFilter,
        /// Initial sequence numbers [`FIRST_ISN`], [`FIRST_ISN`] + [`ISN_STEP`], ...
        pub isn: CountingIsn,
        /// The product's socket options.
        pub options: ProductOptions,
        /// The product's DHCP options: host name and vendor class out, 43 and 42 recorded.
        pub dhcp: DhcpClientOptions,
    }
    ip4_input => [self.tap, self.counters, drop_telnet, self.filter],
    vlan_set => self.tagger,
    vlan_check => self.vlans,
    tcp_isn => self.isn,
    sockets_setsockopt => self.options,
    sockets_getsockopt => self.options,
    dhcp_append_options => self.dhcp,
    dhcp_parse_option => self.dhcp,
    memp_available => self.counters,
}

impl ProductHooks {
    /// The product's hooks with `filter` as its configurable filter.
    pub fn new(filter: PacketFilter) -> ProductHooks {
        ProductHooks {
            tap: PcapTap::new(CAPTURE_LIMIT),
            counters: Counters::new(),
            filter,
            tagger: VlanTagger::all(vlan::tag(PRODUCT_VLAN)),
            vlans: VlanFilter::new().accept(PRODUCT_VLAN),
            isn: CountingIsn::new(FIRST_ISN, ISN_STEP),
            options: ProductOptions::new(),
            dhcp: DhcpClientOptions::new()
                .hostname(PRODUCT_HOSTNAME)
                .vendor_class(PRODUCT_VENDOR_CLASS)
                .record_all(&RECORDED_DHCP_OPTIONS),
        }
    }
}
