//! IEEE 802.1Q VLANs through the `vlan_set` and `vlan_check` hook points.
//!
//! [`VlanTagger`] chooses the tag of each frame the stack sends (first matching rule wins;
//! no match: untagged, or a default tag). [`VlanFilter`] accepts received tagged frames whose
//! VLAN id is in its set (plus, if asked, priority-tagged frames with VID 0).

use alloc::vec::Vec;

use netstack::wire::{EtherType, EthernetAddress, EthernetFrame, VlanTag};
use netstack::{NetifId, NetifInfo};

/// The largest VLAN id (IEEE 802.1Q §9.6: 0 and 4095 are reserved).
pub const MAX_VID: u16 = 4094;

/// When a tagging rule applies; unset conditions match anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TagMatch {
    /// The frame leaves through this interface.
    pub netif: Option<NetifId>,
    /// The frame's destination is this hardware address.
    pub dst: Option<EthernetAddress>,
    /// The frame carries this ethertype.
    pub ethertype: Option<EtherType>,
}

impl TagMatch {
    /// Whether a frame with these properties matches.
    pub fn matches(&self, netif: NetifId, dst: EthernetAddress, ethertype: EtherType) -> bool {
        self.netif.is_none_or(|n| n == netif)
            && self.dst.is_none_or(|d| d == dst)
            && self.ethertype.is_none_or(|e| e == ethertype)
    }
}

/// Tags outgoing frames: rules of (condition, tag), checked in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VlanTagger {
    rules: Vec<(TagMatch, VlanTag)>,
    default: Option<VlanTag>,
}

impl VlanTagger {
    /// A tagger that leaves every frame untagged until given rules.
    pub const fn new() -> VlanTagger {
        VlanTagger {
            rules: Vec::new(),
            default: None,
        }
    }

    /// A tagger that puts `tag` on every frame.
    pub const fn all(tag: VlanTag) -> VlanTagger {
        VlanTagger {
            rules: Vec::new(),
            default: Some(tag),
        }
    }

    /// Adds a rule: frames matching `when` get `tag` (if no earlier rule matched).
    pub fn rule(mut self, when: TagMatch, tag: VlanTag) -> VlanTagger {
        self.rules.push((when, tag));
        self
    }

    /// The `vlan_set` hook: the tag of the first matching rule, else the default.
    pub fn vlan_set(
        &mut self,
        netif: &NetifInfo<'_>,
        src: EthernetAddress,
        dst: EthernetAddress,
        ethertype: EtherType,
    ) -> Option<VlanTag> {
        let _ = src;
        self.rules
            .iter()
            .find(|(when, _)| when.matches(netif.id, dst, ethertype))
            .map(|&(_, tag)| tag)
            .or(self.default)
    }
}

/// A tag with VLAN id `vid` and priority 0.
pub const fn tag(vid: u16) -> VlanTag {
    VlanTag {
        pcp: 0,
        dei: false,
        vid,
    }
}

/// Accepts received tagged frames by VLAN id (a 4096-bit set).
///
/// Reading and changing it: [`accepts`](Self::accepts), [`refused`](Self::refused),
/// [`insert`](Self::insert) and [`remove`](Self::remove), through the stack that owns the
/// hooks (`stack.hooks()` / `hooks_mut()`, or `NetStack::hooks` once the TCP/IP thread runs
/// it).
///
/// ```
/// use netstack::{Stack, StackConfig};
/// use netstack_hooks::vlan::VlanFilter;
///
/// netstack::hooks! {
///     struct ProductHooks {
///         vlans: VlanFilter,
///     }
///     vlan_check => self.vlans,
/// }
///
/// let hooks = ProductHooks { vlans: VlanFilter::new().accept(100) };
/// let mut stack = Stack::with_hooks(StackConfig::default(), hooks);
/// stack.hooks_mut().vlans.insert(200);
/// assert!(stack.hooks().vlans.accepts(100) && stack.hooks().vlans.accepts(200));
/// assert_eq!(stack.hooks().vlans.refused(), 0); // tagged frames refused so far
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VlanFilter {
    vids: [u64; 64],
    refused: u64,
}

impl VlanFilter {
    /// Accepts nothing tagged (not even VID 0) until given VLAN ids.
    pub const fn new() -> VlanFilter {
        VlanFilter {
            vids: [0; 64],
            refused: 0,
        }
    }

    /// Also accepts VLAN `vid` (VID 0 stands for priority-tagged frames). Ids above 4095 are
    /// ignored.
    pub fn accept(mut self, vid: u16) -> VlanFilter {
        self.insert(vid);
        self
    }

    /// Adds VLAN `vid` to the accepted set in place.
    pub fn insert(&mut self, vid: u16) {
        if let Some(word) = self.vids.get_mut(usize::from(vid / 64)) {
            *word |= 1 << (vid % 64);
        }
    }

    /// Removes VLAN `vid` from the accepted set.
    pub fn remove(&mut self, vid: u16) {
        if let Some(word) = self.vids.get_mut(usize::from(vid / 64)) {
            *word &= !(1 << (vid % 64));
        }
    }

    /// Whether frames of VLAN `vid` are accepted.
    pub fn accepts(&self, vid: u16) -> bool {
        self.vids
            .get(usize::from(vid / 64))
            .is_some_and(|word| word & (1 << (vid % 64)) != 0)
    }

    /// Tagged frames refused so far.
    pub const fn refused(&self) -> u64 {
        self.refused
    }

    /// The `vlan_check` hook: accepts the frame if its VLAN id is in the set.
    pub fn vlan_check(
        &mut self,
        netif: &NetifInfo<'_>,
        frame: &EthernetFrame<&[u8]>,
        tag: VlanTag,
    ) -> bool {
        let _ = (netif, frame);
        let ok = self.accepts(tag.vid);
        if !ok {
            self.refused += 1;
        }
        ok
    }
}

impl Default for VlanFilter {
    /// Accepts nothing tagged.
    fn default() -> Self {
        VlanFilter::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::with_netif;

    const PEER: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 2]);
    const ME: EthernetAddress = EthernetAddress([2, 0, 0, 0, 0, 1]);

    #[test]
    fn tagger_first_rule_then_default() {
        let mut untagged = VlanTagger::new();
        let mut tagger = VlanTagger::all(tag(100)).rule(
            TagMatch {
                ethertype: Some(EtherType::Arp),
                ..TagMatch::default()
            },
            tag(200),
        );
        with_netif(|info| {
            assert_eq!(untagged.vlan_set(info, ME, PEER, EtherType::Ipv4), None);
            assert_eq!(
                tagger.vlan_set(info, ME, PEER, EtherType::Arp),
                Some(tag(200))
            );
            assert_eq!(
                tagger.vlan_set(info, ME, PEER, EtherType::Ipv4),
                Some(tag(100))
            );
            let by_dst = TagMatch {
                dst: Some(EthernetAddress::BROADCAST),
                netif: Some(info.id),
                ..TagMatch::default()
            };
            let mut broadcast_only = VlanTagger::new().rule(by_dst, tag(7));
            assert_eq!(
                broadcast_only.vlan_set(info, ME, EthernetAddress::BROADCAST, EtherType::Arp),
                Some(tag(7))
            );
            assert_eq!(
                broadcast_only.vlan_set(info, ME, PEER, EtherType::Arp),
                None
            );
        });
    }

    #[test]
    fn filter_accepts_its_set() {
        let mut filter = VlanFilter::new().accept(10).accept(4094);
        assert!(filter.accepts(10) && filter.accepts(4094));
        assert!(!filter.accepts(0) && !filter.accepts(11));
        filter.remove(10);
        assert!(!filter.accepts(10));
        filter.insert(5000); // ignored: not a VLAN id
        let frame = [0u8; 60];
        with_netif(|info| {
            let eth = EthernetFrame::new_unchecked(&frame[..]);
            assert!(filter.vlan_check(info, &eth, tag(4094)));
            assert!(!filter.vlan_check(info, &eth, tag(3)));
        });
        assert_eq!(filter.refused(), 1);
    }
}
