//! The core's error type: why an operation on the stack failed.
//!
//! The sockets layer maps each variant to an errno (`NoRoute` → `EHOSTUNREACH`,
//! `AddrInUse` → `EADDRINUSE`, ...); the core itself never deals in integers.

use core::fmt;

/// Why a call into the stack failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Error {
    /// No interface can reach the destination (lwIP `ERR_RTE`, errno `EHOSTUNREACH`).
    NoRoute,
    /// Address resolution for the next hop failed, or an ICMP host unreachable arrived
    /// (`EHOSTUNREACH`).
    HostUnreachable,
    /// An ICMP network unreachable arrived for this socket's traffic (`ENETUNREACH`).
    NetUnreachable,
    /// The peer answered with ICMP port (or protocol) unreachable (`ECONNREFUSED`).
    ConnectionRefused,
    /// The local address and port are taken (`EADDRINUSE`).
    AddrInUse,
    /// The requested local address belongs to no interface (`EADDRNOTAVAIL`).
    AddrNotAvailable,
    /// Nothing to receive now, or no room to send now; try again later (`EWOULDBLOCK`).
    WouldBlock,
    /// A bounded queue is full; the data was not taken (`ENOBUFS`).
    BufferFull,
    /// The datagram is larger than the path allows (`EMSGSIZE`).
    MsgTooLong,
    /// An argument is out of its domain: a stale handle, port 0 as a destination, a
    /// netif id that does not exist (`EINVAL`).
    Invalid,
    /// The socket has no peer (`ENOTCONN`, or `EDESTADDRREQ` for a send without one).
    NotConnected,
    /// Sending to a broadcast address without the broadcast option (`EACCES`).
    BroadcastNotAllowed,
    /// A fixed table (sockets, interfaces, groups) is full (`ENOMEM`/`ENFILE`).
    PoolExhausted,
    /// The interface is down, or its device failed (`ENETDOWN`).
    NetDown,
    /// The packet was refused by a hook or a policy (`EPERM`).
    Refused,
    /// The peer reset the connection (`ECONNRESET`).
    ConnectionReset,
    /// The peer stopped answering: retransmissions or keepalive probes exhausted
    /// (`ETIMEDOUT`).
    TimedOut,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Error::NoRoute => "no route to host",
            Error::HostUnreachable => "host unreachable",
            Error::NetUnreachable => "network unreachable",
            Error::ConnectionRefused => "connection refused",
            Error::AddrInUse => "address in use",
            Error::AddrNotAvailable => "address not available",
            Error::WouldBlock => "operation would block",
            Error::BufferFull => "buffer full",
            Error::MsgTooLong => "message too long",
            Error::Invalid => "invalid argument",
            Error::NotConnected => "not connected",
            Error::BroadcastNotAllowed => "broadcast not allowed",
            Error::PoolExhausted => "table full",
            Error::NetDown => "network down",
            Error::Refused => "refused by policy",
            Error::ConnectionReset => "connection reset by peer",
            Error::TimedOut => "connection timed out",
        })
    }
}

impl core::error::Error for Error {}
