//! The connection states of RFC 9293 §3.3.2.

use core::fmt;

/// A connection's state (RFC 9293 §3.3.2, Figure 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcpState {
    /// No connection (a reset, timed-out or fully closed connection the application still
    /// holds).
    Closed,
    /// Waiting for a connection request (listeners only).
    Listen,
    /// SYN sent, waiting for the matching SYN.
    SynSent,
    /// SYN received and answered, waiting for the ACK of our SYN.
    SynReceived,
    /// Open: data flows both ways.
    Established,
    /// We closed; our FIN is not yet acknowledged.
    FinWait1,
    /// We closed and our FIN was acknowledged; waiting for the peer's FIN.
    FinWait2,
    /// The peer closed; we may still send.
    CloseWait,
    /// Both closed at the same time; waiting for the ACK of our FIN.
    Closing,
    /// The peer closed, then we did; waiting for the ACK of our FIN.
    LastAck,
    /// Both closed; waiting 2·MSL so that delayed segments die (RFC 9293 §3.6.1).
    TimeWait,
}

impl TcpState {
    /// Whether the handshake completed (RFC 9293 "synchronized states").
    pub const fn is_synchronized(self) -> bool {
        !matches!(
            self,
            TcpState::Closed | TcpState::Listen | TcpState::SynSent | TcpState::SynReceived
        )
    }

    /// Whether our data or FIN may still go out or be retransmitted: the handshake is over
    /// and our FIN, if any, is not yet acknowledged.
    pub const fn can_send(self) -> bool {
        matches!(
            self,
            TcpState::Established
                | TcpState::CloseWait
                | TcpState::FinWait1
                | TcpState::Closing
                | TcpState::LastAck
        )
    }

    /// Whether data from the peer is still accepted (it has not sent its FIN).
    pub const fn can_receive(self) -> bool {
        matches!(
            self,
            TcpState::Established | TcpState::FinWait1 | TcpState::FinWait2
        )
    }
}

impl fmt::Display for TcpState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TcpState::Closed => "CLOSED",
            TcpState::Listen => "LISTEN",
            TcpState::SynSent => "SYN-SENT",
            TcpState::SynReceived => "SYN-RECEIVED",
            TcpState::Established => "ESTABLISHED",
            TcpState::FinWait1 => "FIN-WAIT-1",
            TcpState::FinWait2 => "FIN-WAIT-2",
            TcpState::CloseWait => "CLOSE-WAIT",
            TcpState::Closing => "CLOSING",
            TcpState::LastAck => "LAST-ACK",
            TcpState::TimeWait => "TIME-WAIT",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn synchronized_states() {
        assert!(!TcpState::SynReceived.is_synchronized());
        assert!(TcpState::Established.is_synchronized());
        assert!(TcpState::TimeWait.is_synchronized());
        assert!(TcpState::FinWait2.can_receive());
        assert!(!TcpState::CloseWait.can_receive());
        // Sending until our FIN is acknowledged; not before the handshake, not after.
        assert!(TcpState::CloseWait.can_send() && TcpState::LastAck.can_send());
        assert!(!TcpState::SynReceived.can_send() && !TcpState::FinWait2.can_send());
        assert!(!TcpState::TimeWait.can_send());
        assert_eq!(TcpState::FinWait1.to_string(), "FIN-WAIT-1");
    }
}
