//! Connections the TCP unit tests start from, written once: a fresh block, an established
//! connection, and one set up for sending.

use core::net::Ipv4Addr;

use super::TcpSeqNumber;
use super::TcpState;
use super::control_block::Tcb;
use crate::time::Instant;

/// A fresh block (CLOSED) from 10.0.0.1:1000 to 10.0.0.2:2000, ISS 100, route MSS 1460.
pub(crate) fn closed() -> Tcb {
    Tcb::new(
        (Ipv4Addr::new(10, 0, 0, 1), 1000),
        (Ipv4Addr::new(10, 0, 0, 2), 2000),
        TcpSeqNumber(100),
        1460,
        Instant::ZERO,
    )
}

/// [`closed`] after the handshake, without options: nothing sent (SND.UNA = SND.NXT =
/// 101), the peer's ISS 5000 (RCV.NXT = 5001, nothing advertised beyond it yet) and its
/// window `peer_window`, last updated by the SYN-ACK.
pub(crate) fn established(peer_window: usize) -> Tcb {
    let mut t = closed();
    t.state = TcpState::Established;
    t.snd.una = TcpSeqNumber(101);
    t.snd.nxt = t.snd.una;
    t.snd.max = t.snd.una;
    t.snd.tx_base = t.snd.una;
    t.hs.irs = TcpSeqNumber(5000);
    t.rcv.nxt = TcpSeqNumber(5001);
    t.rcv.adv = t.rcv.nxt;
    t.snd.wnd = peer_window;
    t.snd.max_wnd = peer_window;
    t.snd.wl1 = t.rcv.nxt;
    t.snd.wl2 = t.snd.una;
    t
}

/// An established connection set up for sending: MSS 1000 and a large peer window
/// (100,000 bytes), nothing sent.
pub(crate) fn sending() -> Tcb {
    let mut t = established(100_000);
    t.negotiate(Some(1000), None, None, false, Instant::ZERO);
    t
}
