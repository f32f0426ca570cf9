//! The hook points listed once in `netstack-macros` (names and signatures the macros check
//! against) are exactly the methods of the `Hooks` trait, in order and with the same
//! signatures; and a `hooks!` type giving every point compiles against the trait.

#![cfg(feature = "macros")]

#[allow(unused_imports)]
use netstack::hooks::{
    ForwardDecision, Hooks, InputVerdict, IsnContext, Pool, SegmentVerdict, SockoptVerdict,
    TcpConnInfo,
};
#[allow(unused_imports)]
use netstack::wire::{
    EtherType, EthernetAddress, EthernetFrame, Ipv4Addr, Ipv4Packet, TcpPacket, TcpRepr, VlanTag,
};
#[allow(unused_imports)]
use netstack::{NetifId, NetifInfo};
#[allow(unused_imports)]
use std::net::SocketAddrV4;

const POINTS: &[(&str, &str)] = netstack::__hook_points!();

/// The `fn ...;`/`fn ... {` signatures inside `pub trait Hooks { .. }`, whitespace removed.
fn trait_methods() -> Vec<(String, String)> {
    let src = include_str!("../src/hooks.rs");
    let start = src.find("pub trait Hooks {").expect("the trait");
    let body = &src[start..];
    let end = body.find("\n}\n").expect("end of the trait");
    let body = &body[..end];
    let mut out: Vec<(String, String)> = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find("fn ") {
        let sig_src = &rest[at..];
        let stop = sig_src.find(['{', ';']).expect("end of signature");
        let sig: String = sig_src[..stop]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .replace(",)", ")");
        let name = sig[2..sig.find('(').expect("(")].to_owned();
        // The macro declares each method twice (with and without its default body).
        if out.last().is_none_or(|(n, _)| *n != name) {
            out.push((name, sig));
        }
        rest = &sig_src[stop..];
    }
    out
}

#[test]
fn hook_points_match_the_macros() {
    let methods = trait_methods();
    let table: Vec<(String, String)> = POINTS
        .iter()
        .map(|(n, s)| {
            (
                (*n).to_owned(),
                s.chars().filter(|c| !c.is_whitespace()).collect(),
            )
        })
        .collect();
    assert_eq!(
        methods, table,
        "netstack-macros/src/points.rs must list the Hooks trait's methods, in order"
    );
    assert_eq!(methods.len(), 17);
}

/// A `hooks!` type giving every point but the DHCP ones and `memp_available` (their default
/// is `none`; composed in `composed_dhcp` and `composed_memp`): it compiles only if the
/// table's signatures are the trait's (and only where no point is `none`, which `hooks!`
/// refuses).
#[cfg(not(any(
    netstack_hook_ip4_input = "none",
    netstack_hook_ip4_route = "none",
    netstack_hook_ip4_route_src = "none",
    netstack_hook_ip4_canforward = "none",
    netstack_hook_etharp_get_gw = "none",
    netstack_hook_vlan_check = "none",
    netstack_hook_vlan_set = "none",
    netstack_hook_unknown_eth_protocol = "none",
    netstack_hook_tcp_isn = "none",
    netstack_hook_tcp_inpacket_pcb = "none",
    netstack_hook_tcp_out_tcpopt_length = "none",
    netstack_hook_tcp_out_add_tcpopts = "none",
    netstack_hook_sockets_setsockopt = "none",
    netstack_hook_sockets_getsockopt = "none",
)))]
mod composed {
    use super::*;

    fn consume_all(_: &Ipv4Packet<&[u8]>, _: &NetifInfo<'_>) -> InputVerdict {
        InputVerdict::Consumed
    }
    fn no_route(_: Ipv4Addr) -> Option<NetifId> {
        None
    }
    fn no_src_route(_: Option<Ipv4Addr>, _: Ipv4Addr) -> Option<NetifId> {
        None
    }
    fn never_forward(_: &Ipv4Packet<&[u8]>, _: Ipv4Addr) -> ForwardDecision {
        ForwardDecision::Drop
    }
    fn gateway(_: &NetifInfo<'_>, _: Ipv4Addr) -> Option<Ipv4Addr> {
        Some(Ipv4Addr::new(10, 0, 0, 254))
    }
    fn any_vlan(_: &NetifInfo<'_>, _: &EthernetFrame<&[u8]>, _: VlanTag) -> bool {
        true
    }
    fn untagged(
        _: &NetifInfo<'_>,
        _: EthernetAddress,
        _: EthernetAddress,
        _: EtherType,
    ) -> Option<VlanTag> {
        None
    }
    fn take(_: &NetifInfo<'_>, _: &EthernetFrame<&[u8]>) -> InputVerdict {
        InputVerdict::Consumed
    }
    fn isn(_: SocketAddrV4, _: SocketAddrV4, _: &IsnContext<'_>) -> u32 {
        7
    }
    fn drop_segment(_: &TcpConnInfo, _: &TcpPacket<&[u8]>) -> SegmentVerdict {
        SegmentVerdict::Drop
    }
    fn four_more(_: &TcpConnInfo, internal_len: usize) -> usize {
        internal_len + 4
    }
    fn write_nothing(_: &TcpConnInfo, _: &TcpRepr, _: &mut [u8]) -> usize {
        0
    }
    fn forbid_level_1(_: i32, level: i32, _: i32, _: &[u8]) -> SockoptVerdict<()> {
        if level == 1 {
            SockoptVerdict::Handled(Err(1))
        } else {
            SockoptVerdict::Continue
        }
    }
    fn pass_get(_: i32, _: i32, _: i32, _: &mut [u8]) -> SockoptVerdict<usize> {
        SockoptVerdict::Continue
    }
    fn answer_seven(_: i32, _: i32, _: i32, out: &mut [u8]) -> SockoptVerdict<usize> {
        out[0] = 7;
        SockoptVerdict::Handled(Ok(1))
    }

    netstack::hooks! {
        /// Every hook point given: compiles only if the table's signatures are the trait's.
        struct Everything;
        ip4_input => consume_all,
        ip4_route => no_route,
        ip4_route_src => no_src_route,
        ip4_canforward => never_forward,
        etharp_get_gw => gateway,
        vlan_check => any_vlan,
        vlan_set => untagged,
        unknown_eth_protocol => take,
        tcp_isn => isn,
        tcp_inpacket_pcb => drop_segment,
        tcp_out_tcpopt_length => four_more,
        tcp_out_add_tcpopts => write_nothing,
        sockets_setsockopt => forbid_level_1,
        sockets_getsockopt => [pass_get, answer_seven],
    }

    #[test]
    fn a_composed_type_implements_every_point() {
        let mut h = Everything;
        assert_eq!(h.ip4_route(Ipv4Addr::LOCALHOST), None);
        assert_eq!(h.ip4_route_src(None, Ipv4Addr::LOCALHOST), None);
        let conn = TcpConnInfo {
            local: SocketAddrV4::new(Ipv4Addr::LOCALHOST, 1),
            remote: SocketAddrV4::new(Ipv4Addr::LOCALHOST, 2),
            state: netstack::tcp::TcpState::Established,
            handle: None,
        };
        assert_eq!(h.tcp_out_tcpopt_length(&conn, 12), 16);
        let mut opts = [1u8; 4];
        let repr = TcpRepr::default();
        assert_eq!(h.tcp_out_add_tcpopts(&conn, &repr, &mut opts), 0);
        assert_eq!(
            h.sockets_setsockopt(0, 1, 1, &[]),
            SockoptVerdict::Handled(Err(1))
        );
        assert_eq!(h.sockets_setsockopt(0, 2, 1, &[]), SockoptVerdict::Continue);
        let mut out = [0u8; 4];
        assert_eq!(
            h.sockets_getsockopt(0, 1, 1, &mut out),
            SockoptVerdict::Handled(Ok(1))
        );
        assert_eq!(out[0], 7);
    }
}

/// The DHCP points, composed where they are called (their default is `none`, as ESP-IDF's;
/// `netstack/tests/configs/all-features.toml` selects `default`).
#[cfg(not(any(
    netstack_hook_dhcp_append_options = "none",
    netstack_hook_dhcp_extra_option = "none",
)))]
mod composed_dhcp {
    use netstack::hooks::{DhcpOptionVerdict, Hooks};
    use netstack::ipv4::dhcp::DhcpState;
    use netstack::wire::{DhcpMessageType, DhcpOptionWriter};
    use netstack::{NetifId, NetifInfo};

    fn append_a(
        _: &NetifInfo<'_>,
        _: DhcpState,
        _: DhcpMessageType,
        options: &mut DhcpOptionWriter<'_>,
    ) {
        let _ = options.append(224, b"a");
    }
    fn append_b(
        _: &NetifInfo<'_>,
        _: DhcpState,
        _: DhcpMessageType,
        options: &mut DhcpOptionWriter<'_>,
    ) {
        let _ = options.append(225, b"b");
    }
    fn pass(
        _: &NetifInfo<'_>,
        _: DhcpState,
        _: DhcpMessageType,
        _: u8,
        _: &[u8],
    ) -> DhcpOptionVerdict {
        DhcpOptionVerdict::Continue
    }
    fn drop_43(
        _: &NetifInfo<'_>,
        _: DhcpState,
        _: DhcpMessageType,
        code: u8,
        _: &[u8],
    ) -> DhcpOptionVerdict {
        if code == 43 {
            DhcpOptionVerdict::Drop
        } else {
            DhcpOptionVerdict::Continue
        }
    }

    netstack::hooks! {
        /// Both DHCP points, each with a chain.
        struct Dhcp;
        dhcp_append_options => [append_a, append_b],
        dhcp_parse_option => [pass, drop_43],
    }

    #[test]
    fn a_composed_type_implements_the_dhcp_points() {
        let info = NetifInfo {
            id: netif_id(),
            name: "eth0",
            medium: netstack::phy::Medium::Ethernet,
            mac: None,
            ipv4: None,
            gateway: None,
            mtu: 1500,
            up: true,
            loopback: false,
        };
        let mut h = Dhcp;
        let mut area = [0u8; 16];
        let mut w = DhcpOptionWriter::new(&mut area);
        h.dhcp_append_options(
            &info,
            DhcpState::Selecting,
            DhcpMessageType::Discover,
            &mut w,
        );
        assert!(
            w.contains(224) && w.contains(225),
            "every handler of the chain appends"
        );
        assert_eq!(
            h.dhcp_parse_option(&info, DhcpState::Selecting, DhcpMessageType::Offer, 43, &[]),
            DhcpOptionVerdict::Drop
        );
        assert_eq!(
            h.dhcp_parse_option(&info, DhcpState::Selecting, DhcpMessageType::Offer, 1, &[]),
            DhcpOptionVerdict::Continue
        );
    }

    fn netif_id() -> NetifId {
        let stack = netstack::Stack::with_hooks(netstack::StackConfig::default(), Dhcp);
        stack
            .loopback_netif()
            .unwrap_or_else(|| panic!("these tests need the loopback interface"))
    }
}

/// `memp_available` composed from a list: a notification, so every handler runs (where the
/// point is called; it is `none` by default).
#[cfg(not(netstack_hook_memp_available = "none"))]
mod composed_memp {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static FIRST: AtomicUsize = AtomicUsize::new(0);
    static SECOND: AtomicUsize = AtomicUsize::new(0);

    fn first(pool: Pool) {
        FIRST.fetch_add(pool.index() + 1, Ordering::Relaxed);
    }
    fn second(pool: Pool) {
        SECOND.fetch_add(pool.index() + 1, Ordering::Relaxed);
    }

    netstack::hooks! {
        /// Two notification handlers and a field.
        struct Notified {
            seen: Vec<Pool>,
        }
        memp_available => [first, self.seen, second],
    }

    /// `self.seen`'s handler: a hook object for `memp_available`.
    trait Record {
        fn memp_available(&mut self, pool: Pool);
    }
    impl Record for Vec<Pool> {
        fn memp_available(&mut self, pool: Pool) {
            self.push(pool);
        }
    }

    #[test]
    fn every_handler_of_a_notification_runs() {
        let mut h = Notified { seen: Vec::new() };
        h.memp_available(Pool::UdpPcb);
        h.memp_available(Pool::Netconn);
        assert_eq!(h.seen, [Pool::UdpPcb, Pool::Netconn]);
        assert_eq!(FIRST.load(Ordering::Relaxed), 3 + 5);
        assert_eq!(SECOND.load(Ordering::Relaxed), 3 + 5);
    }
}
