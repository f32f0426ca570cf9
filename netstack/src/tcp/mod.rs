//! TCP building blocks (RFC 9293 and friends), each self-contained and unit-tested, for the
//! TCP state machine and sockets to assemble.
//!
//! | piece | what | RFC |
//! |---|---|---|
//! | [`seq`] | [`TcpSeqNumber`]: wrapping arithmetic and serial-number order | 9293 §3.4, 1982 |
//! | [`crate::wire::tcp`] | segment view, options, `TcpRepr` parse/emit | 9293 §3.1, 7323, 2018 |

pub mod seq;

pub use seq::TcpSeqNumber;
pub mod ring_buffer;

pub use ring_buffer::RingBuffer;
pub mod assembler;

pub use assembler::{Assembler, TooManyHoles};
pub mod sack;

pub use sack::SackScoreboard;
pub mod rtt;

pub use rtt::RttEstimator;
pub mod congestion;

pub use congestion::NewReno;
pub mod isn;

pub use isn::IsnGenerator;
