//! TCP (RFC 9293 and friends; lwIP's `tcp.c`, `tcp_in.c`, `tcp_out.c`): the state machine
//! wired into the [`Stack`](crate::Stack), and the self-contained building blocks it is
//! assembled from (allocation-free per segment, each unit-tested on its own).
//!
//! The state machine (`control_block`, `input`, `output` and `timers` work on one
//! connection and know nothing of the stack; `glue` and `api` are the only `impl Stack`):
//!
//! | file | what | RFCs |
//! |---|---|---|
//! | [`state`] | [`TcpState`]: the eleven states | 9293 §3.3.2 |
//! | [`control_block`] | one connection: sequence variables, buffers, options, timers; [`TcpSocketOptions`], [`KeepAlive`], [`TcpEvents`], [`TcpReadiness`] | 9293 §3.3.1 |
//! | `glue` | every way the [`Stack`](crate::Stack) drives TCP: segment input and demultiplexing, listen input, ICMP errors, address changes, the batch flush, output down to IPv4, the timer poll | 9293 §3.10.7, 5927 |
//! | `input` | segment arrival on one connection: acceptability, RST/SYN/ACK checks (challenge ACKs), PAWS, data, FIN | 9293 §3.10.7, 5961, 7323 |
//! | `output` | what one connection sends next: SYN, retransmissions (SACK holes), data with Nagle and SWS avoidance, FIN, window, ACKs | 9293 §3.8, 6675, 1122 §4.2.3 |
//! | `timers` | one connection's timers: retransmission, persist/SWS override, delayed ACK, keepalive, TIME-WAIT, FIN-WAIT-2, out-of-order lifetime | 6298, 1122 §4.2.3.6 |
//! | [`table`] | fixed tables of connections and listeners, [`TcpHandle`]/[`TcpListenerHandle`], lookups by 4-tuple and port, accept queues, the timer bound | 9293 §3.10.7.1 |
//! | [`api`] | the `Stack::tcp_*` calls | 9293 §3.10.1–6 |
//!
//! The building blocks:
//!
//! | piece | what | RFCs |
//! |---|---|---|
//! | [`seq`] | [`TcpSeqNumber`]: wrapping arithmetic, serial-number order | 9293 §3.4, 1982 |
//! | [`crate::wire::tcp`] | segment view, options, `TcpRepr` parse/emit | 9293 §3.1, 7323, 2018 |
//! | [`ring_buffer`] | [`RingBuffer`]: send and receive byte buffers, allocated once | — |
//! | [`assembler`] | [`Assembler`]: out-of-order ranges past RCV.NXT | 9293 §3.10.7.4 |
//! | [`sack`] | SACK blocks to send; [`SackScoreboard`] for the sender | 2018, 6675 |
//! | [`rtt`] | [`RttEstimator`]: SRTT/RTTVAR/RTO, backoff, Karn, timestamps | 6298, 7323 §4 |
//! | [`congestion`] | [`NewReno`]: cwnd/ssthresh, fast retransmit/recovery | 5681, 6582, 3465, 3042 |
//! | [`isn`] | [`IsnGenerator`]: keyed-hash initial sequence numbers | 6528 |
//!
//! # How the state machine uses them
//!
//! - **Segment in**: [`TcpRepr::parse`](crate::wire::TcpRepr::parse) (checksum per
//!   `CHECKSUM_CHECK_TCP`), then the acceptability test with
//!   [`TcpSeqNumber::in_range`] against RCV.NXT..RCV.NXT+RCV.WND.
//! - **Receive path**: in-order data is enqueued in the receive [`RingBuffer`]; data past
//!   RCV.NXT is written with `write_unallocated(seq − RCV.NXT, data)` and recorded with
//!   [`Assembler::add`] (dropped on [`TooManyHoles`]); after every segment
//!   [`Assembler::remove_front`] tells how many bytes to `commit` and add to RCV.NXT. The
//!   advertised window is the ring's `free()` (scaled by `TCP_RCV_SCALE` when window scaling
//!   was negotiated). ACKs carry [`sack::sack_blocks`] when SACK was permitted
//!   (`TCP_SACK_OUT`).
//! - **Send path**: the application enqueues into the send [`RingBuffer`]; segments are cut
//!   from `peek(seq − SND.UNA, mss)` without copying, limited by min(cwnd
//!   ([`NewReno::window`]), peer window) − flight size; [`NewReno::on_send`] restarts cwnd
//!   after idle; [`RttEstimator::on_send`] times one segment (or TSval =
//!   [`RttEstimator::timestamp`] when timestamps were negotiated).
//! - **ACK in**: a new cumulative ACK `discard`s acknowledged bytes from the send ring,
//!   feeds [`RttEstimator::on_ack`] / [`RttEstimator::on_timestamp_echo`],
//!   [`NewReno::on_ack`] (a partial ACK in recovery asks for a retransmission) and
//!   [`SackScoreboard::on_cumulative_ack`]; SACK blocks go to [`SackScoreboard::on_sack`]; a
//!   duplicate ACK goes to [`NewReno::on_dup_ack`] (limited transmit, fast retransmit).
//!   During recovery with SACK, [`SackScoreboard::next_seg_to_retransmit`] and
//!   [`SackScoreboard::pipe`] choose what to resend (RFC 6675).
//! - **Timer**: the retransmission timer is armed with [`RttEstimator::rto`]; on expiry,
//!   [`RttEstimator::on_timeout`], [`NewReno::on_retransmit_timeout`] and
//!   [`SackScoreboard::clear`], then retransmit from SND.UNA; give up after
//!   `TCP_MAXRTX` (`TCP_SYNMAXRTX` for a SYN) backoffs. After a handshake that needed
//!   retransmissions, [`RttEstimator::on_established`].
//! - **Connect/accept**: ISS = [`Hooks::tcp_isn`](crate::hooks::Hooks::tcp_isn), whose
//!   `default` is [`IsnGenerator::isn`] (RFC 6528); with `hook_tcp_isn = "none"` a 4 µs
//!   clock from a random start.
//! - **Hooks**: [`Hooks::tcp_inpacket_pcb`](crate::hooks::Hooks::tcp_inpacket_pcb) sees each
//!   segment once its connection is found (`glue`); the option hooks
//!   [`tcp_out_tcpopt_length`](crate::hooks::Hooks::tcp_out_tcpopt_length) and
//!   [`tcp_out_add_tcpopts`](crate::hooks::Hooks::tcp_out_add_tcpopts) add the product's
//!   options to every segment of a connection (`glue`).
//! - **Address changes**: `Stack::set_ipv4` aborts connections bound to the old address
//!   (`glue`, `config::TCP_KEEP_CONNECTION_WHEN_IP_CHANGES`).

pub mod api;
pub mod assembler;
pub mod congestion;
pub mod control_block;
mod glue;
mod input;
pub mod isn;
mod output;
pub mod ring_buffer;
pub mod rtt;
pub mod sack;
pub mod seq;
pub mod state;
pub mod table;
#[cfg(test)]
mod testing;
mod timers;

pub use api::Shutdown;
pub use assembler::{Assembler, TooManyHoles};
pub use congestion::{AckAction, DupAckAction, NewReno};
pub use control_block::{KeepAlive, TcpEvents, TcpReadiness, TcpSocketOptions};
pub use isn::IsnGenerator;
pub use ring_buffer::RingBuffer;
pub use rtt::RttEstimator;
pub use sack::SackScoreboard;
pub use seq::TcpSeqNumber;
pub use state::TcpState;
pub use table::{TcpHandle, TcpListenerHandle};
