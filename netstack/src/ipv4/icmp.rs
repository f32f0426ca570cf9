//! ICMPv4 (RFC 792, RFC 1122 §3.2.2; lwIP's `icmp.c`): echo, errors we send, errors we
//! receive.
//!
//! - **Echo**: requests to one of our addresses are answered with the same identifier,
//!   sequence number and data (§3.2.2.6), from the address they were sent to. Requests to a
//!   broadcast or multicast address are answered only when `config::BROADCAST_PING` /
//!   `config::MULTICAST_PING` are set (from the interface's address). Replies to our own
//!   requests ([`Stack::icmp_echo_request`]) are queued for the application.
//! - **Errors we send**: destination unreachable (protocol, port; host and fragmentation
//!   needed when forwarding) and time exceeded, quoting the invoking datagram's header and
//!   first 8 data bytes. Never about a datagram sent to a broadcast or multicast address,
//!   from a non-unicast source, that is itself an ICMP error, or that is a fragment other
//!   than the first (§3.2.2). Rate-limited by a token bucket ([`ERROR_BURST`] messages,
//!   one more every [`ERROR_INTERVAL_MS`] ms).
//! - **Errors we receive**: destination unreachable and time exceeded about a datagram we
//!   sent are handed to its transport (`transport_error`), e.g. port unreachable becomes
//!   "connection refused" on a connected UDP socket.
//!
//! The checksum of received messages is verified when `config::CHECKSUM_CHECK_ICMP` is set
//! and the device did not verify it.

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use crate::config;
use crate::error::Error;
use crate::hooks::Hooks;
use crate::ipv4::{DstKind, IpRx, IpTx};
use crate::stack::Stack;
use crate::stats::DropReason;
use crate::time::Instant;
use crate::wire::icmpv4::invoking_excerpt;
use crate::wire::{
    ChecksumCheck, Icmpv4DstUnreachable, Icmpv4InvokingPacket, Icmpv4Message, Icmpv4Packet,
    Icmpv4Repr, Icmpv4TimeExceeded, IpProtocol, Ipv4AddrExt,
};

/// Most ICMP errors sent in a burst.
pub const ERROR_BURST: u32 = 10;
/// One more error may be sent after this many milliseconds.
pub const ERROR_INTERVAL_MS: u64 = 100;
/// Most echo replies kept for the application.
pub const ECHO_REPLY_QUEUE: usize = 8;

const LOG: &str = "netstack::icmp";

/// An ICMP error the stack sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IcmpError {
    /// Destination unreachable, protocol unreachable (code 2).
    ProtoUnreachable,
    /// Destination unreachable, port unreachable (code 3).
    PortUnreachable,
    /// Destination unreachable, host unreachable (code 1).
    HostUnreachable,
    /// Destination unreachable, fragmentation needed and DF set (code 4), with the
    /// next-hop MTU (RFC 1191).
    FragRequired(u16),
    /// Time exceeded in transit (code 0).
    TtlExceeded,
    /// Time exceeded, fragment reassembly (code 1).
    ReassemblyTimeExceeded,
}

/// An echo reply received for a request sent with [`Stack::icmp_echo_request`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchoReply {
    /// Who answered.
    pub from: Ipv4Addr,
    /// Identifier.
    pub ident: u16,
    /// Sequence number.
    pub seq_no: u16,
    /// The data echoed.
    pub data: Vec<u8>,
    /// When it arrived.
    pub at: Instant,
}

/// ICMP state: the error rate limiter and the echo replies for the application.
pub(crate) struct IcmpState {
    tokens: u32,
    refilled: Instant,
    replies: VecDeque<EchoReply>,
}

impl IcmpState {
    pub(crate) fn new() -> IcmpState {
        IcmpState {
            tokens: ERROR_BURST,
            refilled: Instant::ZERO,
            replies: VecDeque::new(),
        }
    }

    /// Takes a token for one error message, if any is left.
    fn take_token(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_since(self.refilled).millis();
        let new = elapsed / ERROR_INTERVAL_MS;
        if new > 0 {
            self.tokens = (self.tokens as u64 + new).min(ERROR_BURST as u64) as u32;
            self.refilled = now;
        }
        if self.tokens == 0 {
            return false;
        }
        self.tokens -= 1;
        true
    }
}

impl<H: Hooks> Stack<H> {
    /// Handles a received ICMP message.
    pub(crate) fn icmp_input(&mut self, rx: &IpRx<'_>, now: Instant) {
        self.stats.icmp.rx += 1;
        let check = ChecksumCheck::from(config::CHECKSUM_CHECK_ICMP && !rx.rx_verified);
        let repr = match Icmpv4Packet::new_checked(rx.payload)
            .and_then(|p| Icmpv4Repr::parse(&p, check))
        {
            Ok(r) => r,
            Err(e) => {
                self.stats.icmp.drop(e.into());
                return;
            }
        };
        match repr {
            Icmpv4Repr::EchoRequest {
                ident,
                seq_no,
                data,
            } => {
                let allowed = match rx.kind {
                    DstKind::Unicast => true,
                    DstKind::Broadcast => config::BROADCAST_PING,
                    DstKind::Multicast => config::MULTICAST_PING,
                };
                if !allowed {
                    self.stats.icmp.drop(DropReason::Policy);
                    return;
                }
                let src = match rx.kind {
                    DstKind::Unicast => Some(rx.repr.dst_addr),
                    _ => None,
                };
                let reply = Icmpv4Repr::EchoReply {
                    ident,
                    seq_no,
                    data,
                };
                let tx = IpTx {
                    src,
                    tos: rx.repr.tos,
                    netif: Some(rx.netif),
                    ..IpTx::new(rx.repr.src_addr, IpProtocol::Icmp)
                };
                match self.icmp_send(&tx, &reply) {
                    Ok(()) => {}
                    Err(e) => {
                        log::debug!(target: LOG, "echo reply to {} failed: {e}", rx.repr.src_addr)
                    }
                }
            }
            Icmpv4Repr::EchoReply {
                ident,
                seq_no,
                data,
            } => {
                if self.icmp.replies.len() >= ECHO_REPLY_QUEUE {
                    self.stats.icmp.drop(DropReason::QueueFull);
                    return;
                }
                self.icmp.replies.push_back(EchoReply {
                    from: rx.repr.src_addr,
                    ident,
                    seq_no,
                    data: data.to_vec(),
                    at: now,
                });
                self.activity = true;
            }
            Icmpv4Repr::DstUnreachable { reason, data, .. } => {
                let error = match reason {
                    Icmpv4DstUnreachable::PortUnreachable
                    | Icmpv4DstUnreachable::ProtoUnreachable => Error::ConnectionRefused,
                    Icmpv4DstUnreachable::NetUnreachable
                    | Icmpv4DstUnreachable::DstNetUnknown
                    | Icmpv4DstUnreachable::NetUnreachToS
                    | Icmpv4DstUnreachable::NetProhibited => Error::NetUnreachable,
                    Icmpv4DstUnreachable::FragRequired => Error::MsgTooLong,
                    _ => Error::HostUnreachable,
                };
                self.icmp_error_input(data, error);
            }
            Icmpv4Repr::TimeExceeded { data, .. } => {
                self.icmp_error_input(data, Error::HostUnreachable);
            }
            _ => {
                self.stats.icmp.drop(DropReason::Unsupported);
            }
        }
    }

    /// An error message about one of our datagrams: pass it to its transport.
    fn icmp_error_input(&mut self, quote: &[u8], error: Error) {
        let Ok(quoted) = Icmpv4InvokingPacket::parse(quote) else {
            self.stats.icmp.drop(DropReason::Malformed);
            return;
        };
        if self.is_our_addr(quoted.src_addr).is_none() && !quoted.src_addr.is_loopback() {
            self.stats.icmp.drop(DropReason::NotForUs);
            return;
        }
        log::debug!(
            target: LOG,
            "error {error} about {} -> {} ({})",
            quoted.src_addr,
            quoted.dst_addr,
            quoted.protocol
        );
        self.transport_error(&quoted, error);
    }

    /// Sends an ICMP message.
    fn icmp_send(&mut self, tx: &IpTx, repr: &Icmpv4Repr<'_>) -> Result<(), Error> {
        let len = repr.buffer_len();
        let result = self.ipv4_send(tx, len, |payload, _src| {
            // The buffer is exactly `len` bytes: emit cannot fail.
            let _ = repr.emit(&mut Icmpv4Packet::new_unchecked(payload));
        });
        if result.is_ok() {
            self.stats.icmp.tx += 1;
        }
        result
    }

    /// Sends an ICMP error about `datagram` (a received datagram, or at least its header
    /// and first data bytes) to its source, if the rules of RFC 1122 §3.2.2 and the rate
    /// limit allow.
    pub(crate) fn icmp_send_error(&mut self, datagram: &[u8], kind: IcmpError) {
        let Ok(quoted) = Icmpv4InvokingPacket::parse(datagram) else {
            return;
        };
        let src = quoted.src_addr;
        let dst = quoted.dst_addr;
        let frag_offset = datagram
            .get(6..8)
            .map_or(0, |b| u16::from_be_bytes([b[0], b[1]]) & 0x1fff);
        if !src.is_unicast() || dst.is_multicast() || dst.is_broadcast() || frag_offset != 0 {
            return;
        }
        if self
            .netif_iter()
            .any(|(_, n)| n.is_broadcast(dst) || n.is_broadcast(src))
        {
            return;
        }
        if quoted.protocol == IpProtocol::Icmp {
            // Never answer an error with an error; queries (echo, timestamp...) are fine.
            let msg = quoted.payload.first().copied().map(Icmpv4Message::from);
            let is_query = matches!(
                msg,
                Some(
                    Icmpv4Message::EchoRequest
                        | Icmpv4Message::EchoReply
                        | Icmpv4Message::Timestamp
                        | Icmpv4Message::TimestampReply
                        | Icmpv4Message::RouterAdvert
                        | Icmpv4Message::RouterSolicit
                )
            );
            if !is_query {
                return;
            }
        }
        if !self.icmp.take_token(self.now) {
            self.stats.icmp.drop(DropReason::Policy);
            return;
        }
        let data = invoking_excerpt(datagram);
        let repr = match kind {
            IcmpError::ProtoUnreachable => Icmpv4Repr::DstUnreachable {
                reason: Icmpv4DstUnreachable::ProtoUnreachable,
                next_hop_mtu: 0,
                data,
            },
            IcmpError::PortUnreachable => Icmpv4Repr::DstUnreachable {
                reason: Icmpv4DstUnreachable::PortUnreachable,
                next_hop_mtu: 0,
                data,
            },
            IcmpError::HostUnreachable => Icmpv4Repr::DstUnreachable {
                reason: Icmpv4DstUnreachable::HostUnreachable,
                next_hop_mtu: 0,
                data,
            },
            IcmpError::FragRequired(mtu) => Icmpv4Repr::DstUnreachable {
                reason: Icmpv4DstUnreachable::FragRequired,
                next_hop_mtu: mtu,
                data,
            },
            IcmpError::TtlExceeded => Icmpv4Repr::TimeExceeded {
                reason: Icmpv4TimeExceeded::TtlExpired,
                data,
            },
            IcmpError::ReassemblyTimeExceeded => Icmpv4Repr::TimeExceeded {
                reason: Icmpv4TimeExceeded::FragReassembly,
                data,
            },
        };
        // From the address the datagram was sent to when it is ours (RFC 1812 §4.3.2.4
        // allows either), else from the interface it arrived on.
        let our_src = self.is_our_addr(dst).map(|_| dst);
        let tx = IpTx {
            src: our_src,
            ..IpTx::new(src, IpProtocol::Icmp)
        };
        if let Err(e) = self.icmp_send(&tx, &repr) {
            log::debug!(target: LOG, "could not send ICMP error to {src}: {e}");
        }
    }

    // ---- public API ----

    /// Sends an echo request (ping) to `dst` (lwIP's `ping` app over a raw PCB). Replies
    /// are queued for [`icmp_echo_reply`](Self::icmp_echo_reply).
    pub fn icmp_echo_request(
        &mut self,
        dst: Ipv4Addr,
        ident: u16,
        seq_no: u16,
        data: &[u8],
    ) -> Result<(), Error> {
        let repr = Icmpv4Repr::EchoRequest {
            ident,
            seq_no,
            data,
        };
        self.icmp_send(&IpTx::new(dst, IpProtocol::Icmp), &repr)
    }

    /// The oldest echo reply received and not yet taken.
    pub fn icmp_echo_reply(&mut self) -> Option<EchoReply> {
        self.icmp.replies.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limiter_bursts_then_refills() {
        let mut s = IcmpState::new();
        let t = Instant::from_secs(1);
        let sent = (0..100).filter(|_| s.take_token(t)).count();
        assert_eq!(sent, ERROR_BURST as usize);
        assert!(!s.take_token(t));
        assert!(s.take_token(t + crate::time::Duration::from_millis(ERROR_INTERVAL_MS)));
    }
}
