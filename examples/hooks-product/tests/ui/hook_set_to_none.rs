// netstack.toml makes ip4_route `none`: composing a route hook would be dead code.
use std::net::SocketAddrV4;

use netstack::ipv4::dhcp::DhcpState;
use netstack::hooks::{DhcpOptionVerdict, InputVerdict, IsnContext, Pool, SockoptVerdict};
use netstack::wire::{
    DhcpMessageType, DhcpOptionWriter, EtherType, EthernetAddress, Ipv4Addr, Ipv4Packet, VlanTag,
};
use netstack::{NetifId, NetifInfo};

fn pass(_: &Ipv4Packet<&[u8]>, _: &NetifInfo<'_>) -> InputVerdict {
    InputVerdict::Continue
}
fn untagged(_: &NetifInfo<'_>, _: EthernetAddress, _: EthernetAddress, _: EtherType) -> Option<VlanTag> {
    None
}
fn route(_: Ipv4Addr) -> Option<NetifId> {
    None
}
fn isn(_: SocketAddrV4, _: SocketAddrV4, _: &IsnContext<'_>) -> u32 {
    1
}
fn set(_: i32, _: i32, _: i32, _: &[u8]) -> SockoptVerdict<()> {
    SockoptVerdict::Continue
}
fn get(_: i32, _: i32, _: i32, _: &mut [u8]) -> SockoptVerdict<usize> {
    SockoptVerdict::Continue
}
fn append(_: &NetifInfo<'_>, _: DhcpState, _: DhcpMessageType, _: &mut DhcpOptionWriter<'_>) {}
fn parse(_: &NetifInfo<'_>, _: DhcpState, _: DhcpMessageType, _: u8, _: &[u8]) -> DhcpOptionVerdict {
    DhcpOptionVerdict::Continue
}
fn available(_: Pool) {}

netstack::hooks! {
    struct Routed;
    ip4_input => pass,
    vlan_set => untagged,
    tcp_isn => isn,
    sockets_setsockopt => set,
    sockets_getsockopt => get,
    dhcp_append_options => append,
    dhcp_parse_option => parse,
    memp_available => available,
    ip4_route => route,
}

fn main() {}
