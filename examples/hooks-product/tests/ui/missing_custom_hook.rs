// netstack.toml makes ip4_input, vlan_set, tcp_isn, the sockets option hooks, the DHCP
// option hooks and memp_available `custom`: a Hooks type without them is refused.
use netstack::wire::{EthernetFrame, VlanTag};
use netstack::NetifInfo;

fn any(_: &NetifInfo<'_>, _: &EthernetFrame<&[u8]>, _: VlanTag) -> bool {
    true
}

netstack::hooks! {
    struct Forgetful;
    vlan_check => any,
}

fn main() {}
