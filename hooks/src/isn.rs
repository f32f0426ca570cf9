//! Deterministic initial sequence numbers for tests and captures (`tcp_isn`).
//!
//! A product keeps the stack's RFC 6528 generator (`hook_tcp_isn = "default"`): these
//! hooks make every ISN predictable, which is what an off-path attacker wants (RFC 6528 §1),
//! and are meant for simulations, golden captures and interop tests that compare sequence
//! numbers.

use core::net::SocketAddrV4;

use netstack::hooks::IsnContext;

/// Every connection starts at the same sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FixedIsn(pub u32);

impl FixedIsn {
    /// The `tcp_isn` hook: always `self.0`.
    #[inline]
    pub fn tcp_isn(&mut self, _: SocketAddrV4, _: SocketAddrV4, _: &IsnContext<'_>) -> u32 {
        self.0
    }
}

/// Connections start at `first`, `first + step`, `first + 2·step`, … in the order they are
/// created (wrapping modulo 2^32).
///
/// Reading it: [`issued`](Self::issued) and [`peek`](Self::peek), through the stack that
/// owns the hooks (`stack.hooks()`, or `NetStack::hooks` once the TCP/IP thread runs it).
///
/// ```
/// use netstack::{Stack, StackConfig};
/// use netstack_hooks::isn::CountingIsn;
///
/// netstack::hooks! {
///     struct ProductHooks {
///         isn: CountingIsn,
///     }
///     tcp_isn => self.isn,
/// }
///
/// let hooks = ProductHooks { isn: CountingIsn::new(0x1000_0000, 0x0100_0000) };
/// let stack = Stack::with_hooks(StackConfig::default(), hooks);
/// assert_eq!(stack.hooks().isn.issued(), 0);
/// assert_eq!(stack.hooks().isn.peek(), 0x1000_0000); // the next connection's ISN
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CountingIsn {
    next: u32,
    step: u32,
    issued: u64,
}

impl CountingIsn {
    /// The first ISN is `first`; each next one is `step` higher.
    pub const fn new(first: u32, step: u32) -> CountingIsn {
        CountingIsn {
            next: first,
            step,
            issued: 0,
        }
    }

    /// How many ISNs were handed out.
    pub const fn issued(&self) -> u64 {
        self.issued
    }

    /// The ISN the next connection gets.
    pub const fn peek(&self) -> u32 {
        self.next
    }

    /// The `tcp_isn` hook: the next number of the sequence.
    #[inline]
    pub fn tcp_isn(&mut self, _: SocketAddrV4, _: SocketAddrV4, _: &IsnContext<'_>) -> u32 {
        let isn = self.next;
        self.next = self.next.wrapping_add(self.step);
        self.issued += 1;
        isn
    }
}
