use netstack::wire::{EthernetFrame, VlanTag};
use netstack::NetifInfo;

fn vid_10(_: &NetifInfo<'_>, _: &EthernetFrame<&[u8]>, tag: VlanTag) -> bool {
    tag.vid == 10
}

netstack::hooks! {
    struct ProductHooks;
    vlan_check => [vid_10, vid_10],
}

fn main() {}
