//! Counters per protocol, lwIP's `LWIP_STATS` (`struct stats_proto`): what came in, what
//! went out, and every drop by its reason.
//!
//! The counters are always kept (they are a few words and an add each); `config::STATS`
//! only decides whether a product's diagnostics print them. Read them with
//! [`Stack::stats`](crate::Stack::stats). Every packet the stack drops increments exactly
//! one `drop_*` counter of the layer that dropped it (plus the layer's `dropped` total).

use crate::wire::WireError;

/// Counters of one protocol layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProtoStats {
    /// Packets received by this layer (before validation).
    pub rx: u64,
    /// Packets sent by this layer.
    pub tx: u64,
    /// Packets forwarded (IPv4 only).
    pub forwarded: u64,
    /// Packets dropped for any reason: the sum of the `drop_*` counters below.
    pub dropped: u64,
    /// Dropped: bad checksum.
    pub drop_checksum: u64,
    /// Dropped: truncated, bad length fields, bad header values.
    pub drop_malformed: u64,
    /// Dropped: well formed but not handled (unknown type/protocol/ethertype).
    pub drop_unsupported: u64,
    /// Dropped: not addressed to us (and not forwarded).
    pub drop_not_for_us: u64,
    /// Dropped: no route / no next hop / interface down.
    pub drop_no_route: u64,
    /// Dropped: no socket wanted it (UDP), no handler (IP protocol).
    pub drop_no_socket: u64,
    /// Dropped: a bounded queue was full (socket receive queue, ARP queue, loopback queue,
    /// device transmit queue).
    pub drop_queue_full: u64,
    /// Dropped: reassembly gave up (timeout, limits) or was disabled for a fragment.
    pub drop_reassembly: u64,
    /// Dropped: too large for the link and fragmentation not allowed or disabled.
    pub drop_too_big: u64,
    /// Dropped: refused by a policy or a hook (forwarding, rate limit, ...).
    pub drop_policy: u64,
    /// Dropped: address resolution failed (ARP gave up on the next hop).
    pub drop_unresolved: u64,
}

/// Why a packet was dropped; selects the counter of [`ProtoStats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// [`ProtoStats::drop_checksum`].
    Checksum,
    /// [`ProtoStats::drop_malformed`].
    Malformed,
    /// [`ProtoStats::drop_unsupported`].
    Unsupported,
    /// [`ProtoStats::drop_not_for_us`].
    NotForUs,
    /// [`ProtoStats::drop_no_route`].
    NoRoute,
    /// [`ProtoStats::drop_no_socket`].
    NoSocket,
    /// [`ProtoStats::drop_queue_full`].
    QueueFull,
    /// [`ProtoStats::drop_reassembly`].
    Reassembly,
    /// [`ProtoStats::drop_too_big`].
    TooBig,
    /// [`ProtoStats::drop_policy`].
    Policy,
    /// [`ProtoStats::drop_unresolved`].
    Unresolved,
}

impl From<WireError> for DropReason {
    /// Why a packet that failed to parse is dropped: a bad checksum, a kind of packet the
    /// stack does not handle, or anything else malformed (truncated included).
    fn from(e: WireError) -> DropReason {
        match e {
            WireError::BadChecksum => DropReason::Checksum,
            WireError::Unsupported => DropReason::Unsupported,
            WireError::Truncated | WireError::Malformed => DropReason::Malformed,
        }
    }
}

impl ProtoStats {
    /// Counts one dropped packet.
    pub fn drop(&mut self, reason: DropReason) {
        self.dropped += 1;
        let counter = match reason {
            DropReason::Checksum => &mut self.drop_checksum,
            DropReason::Malformed => &mut self.drop_malformed,
            DropReason::Unsupported => &mut self.drop_unsupported,
            DropReason::NotForUs => &mut self.drop_not_for_us,
            DropReason::NoRoute => &mut self.drop_no_route,
            DropReason::NoSocket => &mut self.drop_no_socket,
            DropReason::QueueFull => &mut self.drop_queue_full,
            DropReason::Reassembly => &mut self.drop_reassembly,
            DropReason::TooBig => &mut self.drop_too_big,
            DropReason::Policy => &mut self.drop_policy,
            DropReason::Unresolved => &mut self.drop_unresolved,
        };
        *counter += 1;
    }
}

/// ARP-specific counters beyond [`ProtoStats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ArpStats {
    /// Requests sent (including retries, refreshes and gratuitous ARP).
    pub requests_sent: u64,
    /// Replies sent.
    pub replies_sent: u64,
    /// Pending entries that gave up after the last retry.
    pub resolution_failures: u64,
    /// Another host claimed one of our addresses (RFC 5227 §2.4 conflict).
    pub conflicts: u64,
    /// Stable entries removed because they aged out.
    pub expired: u64,
    /// Entries evicted to make room for a new one.
    pub evicted: u64,
}

/// All counters of the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Link layer: frames received from and handed to devices (Ethernet and bare IP).
    pub link: ProtoStats,
    /// ARP packets.
    pub etharp: ProtoStats,
    /// ARP table events.
    pub arp: ArpStats,
    /// IPv4 datagrams.
    pub ip: ProtoStats,
    /// IPv4 fragments: `rx` fragments received, `tx` fragments sent, `drop_reassembly`
    /// fragments given up.
    pub ip_frag: ProtoStats,
    /// ICMPv4 messages.
    pub icmp: ProtoStats,
    /// IGMP messages.
    pub igmp: ProtoStats,
    /// UDP datagrams.
    pub udp: ProtoStats,
    /// TCP segments.
    pub tcp: ProtoStats,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_count_under_their_own_reason() {
        let mut s = ProtoStats::default();
        for e in [
            WireError::BadChecksum,
            WireError::Unsupported,
            WireError::Truncated,
            WireError::Malformed,
        ] {
            s.drop(e.into());
        }
        assert_eq!(
            (
                s.dropped,
                s.drop_checksum,
                s.drop_unsupported,
                s.drop_malformed
            ),
            (4, 1, 1, 2)
        );
    }
}
