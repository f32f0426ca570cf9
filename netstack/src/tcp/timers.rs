//! The connection timers (lwIP's `tcp_slowtmr`/`tcp_fasttmr`, kept as deadlines instead of
//! ticks so that `Stack::next_deadline` can sleep until the next one):
//!
//! - **retransmission** (RFC 6298 §5): back off, collapse cwnd (RFC 5681 §3.1), forget the
//!   SACK scoreboard (RFC 6675 §5.1) and go back to SND.UNA; give up after
//!   `config::TCP_MAXRTX` (`config::TCP_SYNMAXRTX` for the handshake) with
//!   [`Error::TimedOut`] (or the soft ICMP error that preceded it, RFC 1122 §4.2.3.9);
//! - **persist** (RFC 9293 §3.8.6.1): a one-byte probe into a zero window, backed off;
//! - **delayed ACK** (RFC 1122 §4.2.3.2);
//! - **keepalive** (RFC 1122 §4.2.3.6): after `idle`, `count` probes `interval` apart, then
//!   reset with [`Error::TimedOut`];
//! - **TIME-WAIT** (2·`config::TCP_MSL`) and the FIN-WAIT-2 timeout
//!   (`config::TCP_FIN_WAIT_TIMEOUT`, for connections the application closed);
//! - **transmit retry**: a segment the device or a queue refused is sent again after one
//!   `config::TCP_TMR_INTERVAL` (lwIP's `TF_NAGLEMEMERR` and `tcp_fasttmr`), without
//!   touching the retransmission timer;
//! - **out-of-order lifetime** (lwIP `TCP_OOSEQ_TIMEOUT`): data held past a hole is dropped
//!   when no segment arrived for `config::TCP_OOSEQ_TIMEOUT` × RTO.
//!
//! `Tcb::on_timers` runs the due ones on one connection and says what to send
//! ([`TimerAction`]); `Stack::tcp_poll` (`glue.rs`) calls it for each connection due.

use crate::config;
use crate::error::Error;
use crate::time::{Duration, Instant};

use super::TcpState;
use super::control_block::Tcb;
use super::output::Segment;

/// What a timer asks of the stack beyond the regular output.
pub(super) enum TimerAction {
    /// Nothing more.
    None,
    /// Send this segment first.
    Send(Segment),
    /// Send a reset and end the connection.
    Reset,
}

impl Tcb {
    /// Runs the timers of this connection that are due at `now`.
    pub(super) fn on_timers(&mut self, now: Instant) -> TimerAction {
        let mut action = TimerAction::None;
        if self.timers.wait_at.is_some_and(|t| t <= now) {
            self.timers.wait_at = None;
            if matches!(self.state, TcpState::TimeWait | TcpState::FinWait2) {
                self.terminate(None);
                return TimerAction::None;
            }
        }
        if self.ooseq_deadline().is_some_and(|t| t <= now) {
            // The hole stayed open too long: give the held data up (the peer still has it;
            // SACKed data may be reneged on, RFC 2018 §8) along with a FIN beyond the hole.
            log::debug!(target: "netstack::tcp", "{}: out-of-order data dropped after {} RTOs", self.local_port, config::TCP_OOSEQ_TIMEOUT);
            self.assembler.clear();
            self.rcv.fin_seq = None;
        }
        if self.timers.delack_at.is_some_and(|t| t <= now) {
            self.timers.delack_at = None;
            self.flags.ack_now = true;
        }
        if self.timers.retry_at.is_some_and(|t| t <= now) {
            // A transmission failed earlier: the output after the timers tries again.
            self.timers.retry_at = None;
        }
        if self.timers.rtx_at.is_some_and(|t| t <= now) {
            self.timers.rtx_at = None;
            let handshake = matches!(self.state, TcpState::SynSent | TcpState::SynReceived);
            let limit = if handshake {
                config::TCP_SYNMAXRTX
            } else {
                config::TCP_MAXRTX
            };
            if self.timers.retries as usize >= limit {
                let error = self.soft_error.unwrap_or(Error::TimedOut);
                log::debug!(target: "netstack::tcp", "{}: retransmissions exhausted", self.local_port);
                self.terminate(Some(error));
                return if handshake {
                    TimerAction::None
                } else {
                    TimerAction::Reset
                };
            }
            self.timers.retries += 1;
            self.timers.tlp_at = None;
            self.flags.tlp_probe = false;
            self.rtt.on_timeout();
            let flight = self.flight_size();
            self.cc.on_retransmit_timeout(flight, self.snd.max);
            self.scoreboard.clear();
            self.flags.rexmit_una = false;
            self.limited_transmit = 0;
            if handshake {
                self.flags.syn_retransmitted = true;
                self.snd.nxt = self.hs.iss;
            } else {
                // Go back to SND.UNA (RFC 9293 §3.8.1, RFC 5681 §3.1).
                self.snd.nxt = self.snd.una;
                self.flags.rexmit_una = true;
            }
        }
        if self.timers.tlp_at.is_some_and(|t| t <= now) {
            self.timers.tlp_at = None;
            self.flags.tlp_probe = self.flight_size() > 0 && !self.cc.in_recovery();
        }
        if self.timers.persist_at.is_some_and(|t| t <= now) {
            self.timers.persist_at = None;
            if self.snd.wnd == 0 {
                self.persist_backoff = self.persist_backoff.saturating_add(1);
                if self.persist_backoff as usize > config::TCP_MAXRTX + 2 {
                    self.terminate(Some(Error::TimedOut));
                    return TimerAction::Reset;
                }
                if let Some(seg) = self.probe_segment(now) {
                    let backoff = 1u64 << self.persist_backoff.min(6);
                    let rto = self.rtt.rto().millis().saturating_mul(backoff).min(60_000);
                    self.timers.persist_at = Some(now + Duration::from_millis(rto));
                    action = TimerAction::Send(seg);
                }
            } else {
                // SWS override: send the short segment that was held back.
                self.flags.force_send = true;
            }
        }
        if self.timers.keep_at.is_some_and(|t| t <= now) {
            self.timers.keep_at = None;
            let ka = self.options.keepalive;
            if ka.enabled && matches!(self.state, TcpState::Established | TcpState::CloseWait) {
                if self.timers.keep_probes >= ka.count {
                    log::debug!(target: "netstack::tcp", "{}: keepalive: peer dead", self.local_port);
                    self.terminate(Some(Error::TimedOut));
                    return TimerAction::Reset;
                }
                self.timers.keep_probes += 1;
                self.timers.keep_at = Some(now + ka.interval);
                return TimerAction::Send(self.keepalive_segment(now));
            }
        }
        if self.timers.keep_at.is_none() {
            self.arm_keepalive();
            if self.timers.keep_at.is_some_and(|t| t <= now) {
                self.timers.keep_at = Some(now + self.options.keepalive.interval);
            }
        }
        action
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::TcpSeqNumber;
    use crate::tcp::testing::{closed, sending};

    /// An established sender with a 10 ms smoothed RTT and a large peer window.
    fn sender() -> Tcb {
        let mut t = sending();
        t.rtt.sample(Duration::from_millis(10));
        t
    }

    #[test]
    fn a_silent_tail_is_probed_after_two_round_trips_not_the_rto() {
        let mut t = sender();
        t.tx.enqueue(&[7; 2000]);
        let mut sent = 0;
        while let Some(s) = t.next_segment(Instant::ZERO) {
            sent += s.repr.payload_len;
        }
        assert_eq!(sent, 2000, "the whole flight is out");
        let pto = t.timers.tlp_at.expect("a probe is scheduled");
        assert_eq!(pto, Instant::from_millis(20), "two round trips");
        assert!(pto < t.timers.rtx_at.expect("RTO armed"), "before the RTO");
        assert_eq!(t.next_deadline(), Some(pto));
        // No ACK came: the probe is the last segment again (nothing new to send).
        let _ = t.on_timers(pto);
        assert!(t.may_output());
        let probe = t.next_segment(pto).expect("the probe");
        assert_eq!(probe.repr.seq_number, TcpSeqNumber(101 + 1000));
        assert_eq!(probe.repr.payload_len, 1000);
        assert!(t.flags.tlp_in_flight);
        assert_eq!(t.timers.tlp_at, None, "one probe per tail");
        assert_eq!(t.timers.rtx_at, Some(pto + t.rtt.rto()), "the RTO restarts");
        assert!(t.next_segment(pto).is_none());
        // An ACK of new data ends the episode: the next tail may be probed again.
        t.snd.una = TcpSeqNumber(101 + 2000);
        t.tx.discard(2000);
        t.snd.tx_base = t.snd.una;
        t.flags.tlp_in_flight = false;
        t.tx.enqueue(&[8; 2000]);
        while t.next_segment(pto).is_some() {}
        assert_eq!(
            t.timers.tlp_at,
            Some(pto + Duration::from_millis(20)),
            "the new tail is covered"
        );
    }

    #[test]
    fn a_probe_sends_new_data_when_the_window_allows() {
        let mut t = sender();
        // A long path, so that two round trips plus the peer's delayed-ACK allowance
        // still come before the retransmission timeout.
        t.rtt = crate::tcp::rtt::RttEstimator::new();
        t.rtt.sample(Duration::from_millis(300));
        t.options.nodelay = false;
        t.tx.enqueue(&[7; 1000]);
        let first = t.next_segment(Instant::ZERO).expect("a full segment");
        assert_eq!(first.repr.payload_len, 1000);
        // A short tail Nagle holds back while the first segment is unacknowledged.
        t.tx.enqueue(&[8; 10]);
        assert!(t.next_segment(Instant::ZERO).is_none(), "Nagle waits");
        let pto = t.timers.tlp_at.expect("a probe is scheduled");
        assert_eq!(
            pto,
            Instant::from_millis(600 + crate::tcp::input::DELAYED_ACK.millis()),
            "one segment out: the peer may delay its ACK"
        );
        let _ = t.on_timers(pto);
        let probe = t.next_segment(pto).expect("the probe");
        assert_eq!(probe.repr.seq_number, TcpSeqNumber(101 + 1000), "new data");
        assert_eq!(probe.repr.payload_len, 10);
    }

    #[test]
    fn no_probe_during_recovery_or_after_a_timeout() {
        let mut t = sender();
        t.tx.enqueue(&[7; 2000]);
        while t.next_segment(Instant::ZERO).is_some() {}
        assert!(t.timers.tlp_at.is_some());
        t.timers.retries = 1;
        t.arm_tlp(Instant::ZERO);
        assert_eq!(t.timers.tlp_at, None, "after a timeout the RTO rules");
        t.timers.retries = 0;
        t.flags.tlp_in_flight = true;
        t.arm_tlp(Instant::ZERO);
        assert_eq!(t.timers.tlp_at, None, "a probe is already out");
    }

    #[test]
    fn out_of_order_data_is_dropped_after_ooseq_timeout_rtos() {
        let mut t = closed();
        t.state = TcpState::Established;
        t.rtt.sample(Duration::from_millis(10));
        let rto = t.rtt.rto().millis().max(u64::from(config::TCP_RTO_TIME));
        let lifetime = rto * u64::from(config::TCP_OOSEQ_TIMEOUT);
        assert_eq!(t.ooseq_deadline(), None, "nothing held");
        t.timers.last_rx = Instant::from_millis(1000);
        t.assembler.add(500, 100).expect("a range past a hole");
        t.rcv.fin_seq = Some(TcpSeqNumber(700));
        assert_eq!(
            t.next_deadline(),
            Some(Instant::from_millis(1000 + lifetime))
        );
        let _ = t.on_timers(Instant::from_millis(1000 + lifetime - 1));
        assert!(!t.assembler.is_empty(), "kept until the lifetime is over");
        let _ = t.on_timers(Instant::from_millis(1000 + lifetime));
        assert!(t.assembler.is_empty(), "given up");
        assert_eq!(t.rcv.fin_seq, None);
        assert_eq!(t.ooseq_deadline(), None);
    }
}
