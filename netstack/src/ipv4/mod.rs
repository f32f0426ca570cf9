//! IPv4: fragmentation, reassembly.

pub mod fragment;
pub mod reassembly;
