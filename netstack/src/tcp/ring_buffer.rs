//! A fixed-capacity byte ring for TCP send and receive buffers.
//!
//! The storage is allocated once, at construction (the socket's `SO_SNDBUF`/`SO_RCVBUF`,
//! by default [`config::TCP_SND_BUF_DEFAULT`](crate::config::TCP_SND_BUF_DEFAULT) and
//! [`config::TCP_WND_DEFAULT`](crate::config::TCP_WND_DEFAULT)); nothing allocates per
//! segment. Every copy is at most two `copy_from_slice` calls (the two sides of the wrap).
//!
//! - **Send buffer**: the application [`enqueue`](RingBuffer::enqueue)s; the segmentiser
//!   reads unacknowledged data in place with [`peek`](RingBuffer::peek) (offset = sequence
//!   number − SND.UNA), and a cumulative ACK [`discard`](RingBuffer::discard)s it.
//! - **Receive buffer**: in-order data is enqueued; out-of-order data is written past the
//!   readable end with [`write_unallocated`](RingBuffer::write_unallocated) (offset =
//!   sequence number − RCV.NXT) and becomes readable with [`commit`](RingBuffer::commit)
//!   once the [assembler](super::assembler) says the hole before it is filled.

use alloc::boxed::Box;
use alloc::vec;

/// A fixed-capacity FIFO of bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RingBuffer {
    storage: Box<[u8]>,
    /// Index of the first readable byte.
    read_at: usize,
    /// Number of readable bytes.
    len: usize,
}

impl RingBuffer {
    /// A buffer of `capacity` bytes (zeroed, allocated now and never again).
    pub fn new(capacity: usize) -> RingBuffer {
        RingBuffer {
            storage: vec![0u8; capacity].into_boxed_slice(),
            read_at: 0,
            len: 0,
        }
    }

    /// Total size.
    #[inline]
    pub fn capacity(&self) -> usize {
        self.storage.len()
    }

    /// Readable bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Room left for [`enqueue`](Self::enqueue) (for a receive buffer, the window to
    /// advertise).
    #[inline]
    pub fn free(&self) -> usize {
        self.capacity() - self.len
    }

    /// No readable bytes.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// No room left.
    #[inline]
    pub fn is_full(&self) -> bool {
        self.free() == 0
    }

    /// Drops every byte (the storage is kept).
    #[inline]
    pub fn clear(&mut self) {
        self.read_at = 0;
        self.len = 0;
    }

    /// Storage index of the byte `offset` bytes after the first readable one
    /// (`offset <= capacity`, so one subtraction wraps it).
    #[inline]
    fn index(&self, offset: usize) -> usize {
        let i = self.read_at + offset;
        if i >= self.capacity() {
            i - self.capacity()
        } else {
            i
        }
    }

    /// The storage range of `len` bytes starting `offset` bytes after the first readable
    /// one, as up to two (start, len) pieces. Requires `offset + len <= capacity`.
    #[inline]
    fn pieces(&self, offset: usize, len: usize) -> ((usize, usize), (usize, usize)) {
        if len == 0 {
            return ((0, 0), (0, 0));
        }
        let start = self.index(offset);
        let first = len.min(self.capacity() - start);
        ((start, first), (0, len - first))
    }

    /// Appends as much of `data` as fits; returns how many bytes were taken.
    #[inline]
    pub fn enqueue(&mut self, data: &[u8]) -> usize {
        let n = self.write_unallocated(0, data);
        self.len += n;
        n
    }

    /// Removes up to `out.len()` bytes into `out`; returns how many.
    #[inline]
    pub fn dequeue(&mut self, out: &mut [u8]) -> usize {
        let (a, b) = self.peek(0, out.len());
        let n = a.len() + b.len();
        out[..a.len()].copy_from_slice(a);
        out[a.len()..n].copy_from_slice(b);
        self.discard(n)
    }

    /// Up to `len` readable bytes starting `offset` bytes in, without copying: the part
    /// before the wrap and the part after it (empty when the range does not wrap).
    /// Clamped to the readable bytes; an `offset` past them gives two empty slices.
    #[inline]
    pub fn peek(&self, offset: usize, len: usize) -> (&[u8], &[u8]) {
        if offset >= self.len {
            return (&[], &[]);
        }
        let len = len.min(self.len - offset);
        let ((s1, l1), (s2, l2)) = self.pieces(offset, len);
        (&self.storage[s1..s1 + l1], &self.storage[s2..s2 + l2])
    }

    /// Drops up to `n` bytes from the front (acknowledged data); returns how many.
    #[inline]
    pub fn discard(&mut self, n: usize) -> usize {
        let n = n.min(self.len);
        self.read_at = self.index(n);
        // The read position is not reset when the buffer empties: bytes written past the
        // end by `write_unallocated` must stay where they are.
        self.len -= n;
        n
    }

    /// Writes `data` into the free space, `offset` bytes past the readable end, without
    /// making it readable; returns how many bytes were written (clamped to the free space).
    /// Bytes written here are exposed by [`commit`](Self::commit).
    #[inline]
    pub fn write_unallocated(&mut self, offset: usize, data: &[u8]) -> usize {
        let free = self.free();
        if offset >= free {
            return 0;
        }
        let n = data.len().min(free - offset);
        let ((s1, l1), (s2, l2)) = self.pieces(self.len + offset, n);
        self.storage[s1..s1 + l1].copy_from_slice(&data[..l1]);
        self.storage[s2..s2 + l2].copy_from_slice(&data[l1..n]);
        n
    }

    /// Makes up to `n` bytes written by [`write_unallocated`](Self::write_unallocated)
    /// readable; returns how many (clamped to the free space).
    #[inline]
    pub fn commit(&mut self, n: usize) -> usize {
        let n = n.min(self.free());
        self.len += n;
        n
    }

    /// The free space as up to two mutable slices, for writing (e.g. a driver's receive
    /// copy) before [`commit`](Self::commit).
    #[inline]
    pub fn unallocated_mut(&mut self) -> (&mut [u8], &mut [u8]) {
        let free = self.free();
        let ((s1, l1), (_, l2)) = self.pieces(self.len, free);
        let (head, tail) = self.storage.split_at_mut(s1);
        (&mut tail[..l1], &mut head[..l2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::test_util::Rng;
    use alloc::collections::VecDeque;
    use alloc::vec::Vec;

    fn joined(pair: (&[u8], &[u8])) -> Vec<u8> {
        let mut v = pair.0.to_vec();
        v.extend_from_slice(pair.1);
        v
    }

    #[test]
    fn basics_and_wrap() {
        let mut r = RingBuffer::new(8);
        assert!(r.is_empty() && !r.is_full());
        assert_eq!(r.capacity(), 8);
        assert_eq!(r.enqueue(b"abcdef"), 6);
        assert_eq!(r.enqueue(b"ghij"), 2);
        assert!(r.is_full());
        assert_eq!(r.enqueue(b"x"), 0);
        let mut out = [0u8; 5];
        assert_eq!(r.dequeue(&mut out), 5);
        assert_eq!(&out, b"abcde");
        assert_eq!(r.enqueue(b"1234"), 4);
        assert_eq!(r.len(), 7);
        // Wrapped: two pieces.
        let (a, b) = r.peek(0, 100);
        assert_eq!((a, b), (&b"fgh"[..], &b"1234"[..]));
        assert_eq!(r.peek(2, 3), (&b"h"[..], &b"12"[..]));
        assert_eq!(r.peek(3, 2), (&b"12"[..], &b""[..]));
        assert_eq!(r.peek(7, 2), (&b""[..], &b""[..]));
        assert_eq!(r.discard(4), 4);
        assert_eq!(joined(r.peek(0, 10)), b"234");
        assert_eq!(r.discard(10), 3);
        assert!(r.is_empty());
        r.clear();
        assert_eq!(r.free(), 8);
    }

    #[test]
    fn pending_bytes_survive_reading_everything() {
        let mut r = RingBuffer::new(8);
        r.enqueue(b"abc");
        assert_eq!(r.write_unallocated(2, b"XY"), 2);
        assert_eq!(r.dequeue(&mut [0; 8]), 3);
        assert!(r.is_empty());
        assert_eq!(r.write_unallocated(0, b"VW"), 2);
        assert_eq!(r.commit(4), 4);
        assert_eq!(joined(r.peek(0, 8)), b"VWXY");
    }

    #[test]
    fn zero_capacity() {
        let mut r = RingBuffer::new(0);
        assert!(r.is_empty() && r.is_full());
        assert_eq!(r.enqueue(b"a"), 0);
        assert_eq!(r.write_unallocated(0, b"a"), 0);
        assert_eq!(r.commit(1), 0);
        assert_eq!(r.dequeue(&mut [0; 4]), 0);
        assert_eq!(r.peek(0, 1), (&b""[..], &b""[..]));
        assert_eq!(r.discard(3), 0);
        let (a, b) = r.unallocated_mut();
        assert!(a.is_empty() && b.is_empty());
    }

    #[test]
    fn out_of_order_then_commit() {
        let mut r = RingBuffer::new(10);
        r.enqueue(b"0123456");
        r.discard(6); // read_at = 6, one readable byte "6"
        // Out of order: bytes 3..6 past the readable end arrive first, across the wrap.
        assert_eq!(r.write_unallocated(3, b"DEF"), 3);
        assert_eq!(r.len(), 1);
        assert_eq!(r.write_unallocated(0, b"ABC"), 3);
        assert_eq!(r.commit(6), 6);
        assert_eq!(joined(r.peek(0, 10)), b"6ABCDEF");
        // Clamped to the free space.
        assert_eq!(r.write_unallocated(2, b"xyz"), 1);
        assert_eq!(r.write_unallocated(3, b"xyz"), 0);
        assert_eq!(r.commit(99), 3);
        assert!(r.is_full());
    }

    #[test]
    fn unallocated_slices() {
        let mut r = RingBuffer::new(6);
        r.enqueue(b"abcd");
        r.discard(3);
        let (a, b) = r.unallocated_mut();
        assert_eq!((a.len(), b.len()), (2, 3));
        a.copy_from_slice(b"XY");
        b.copy_from_slice(b"Zuv");
        assert_eq!(r.commit(5), 5);
        assert_eq!(joined(r.peek(0, 6)), b"dXYZuv");
    }

    /// Random operations against a `VecDeque` model, also tracking the bytes written past
    /// the end.
    #[test]
    fn matches_vecdeque_model() {
        let mut rng = Rng::new(0x5eed);
        for cap in [1usize, 2, 3, 7, 16, 100] {
            let mut r = RingBuffer::new(cap);
            let mut model: VecDeque<u8> = VecDeque::new();
            // Bytes beyond the readable end that the model knows were written.
            let mut pending: Vec<Option<u8>> = Vec::new();
            for step in 0..20_000 {
                let n = rng.below(cap * 2 + 2);
                let data: Vec<u8> = (0..n).map(|_| rng.byte()).collect();
                match rng.below(6) {
                    0 => {
                        let took = r.enqueue(&data);
                        assert_eq!(took, n.min(cap - model.len()));
                        model.extend(&data[..took]);
                        pending.drain(..took.min(pending.len()));
                    }
                    1 => {
                        let mut out = vec![0u8; n];
                        let got = r.dequeue(&mut out);
                        let expect: Vec<u8> = model.drain(..got.min(model.len())).collect();
                        assert_eq!(got, expect.len());
                        assert_eq!(&out[..got], &expect[..]);
                    }
                    2 => {
                        let offset = rng.below(cap + 1);
                        let got = joined(r.peek(offset, n));
                        let expect: Vec<u8> = model.iter().skip(offset).take(n).copied().collect();
                        assert_eq!(got, expect, "cap {cap} step {step}");
                    }
                    3 => {
                        let d = r.discard(n);
                        assert_eq!(d, n.min(model.len()));
                        model.drain(..d);
                    }
                    4 => {
                        let offset = rng.below(cap + 1);
                        let wrote = r.write_unallocated(offset, &data);
                        let free = cap - model.len();
                        assert_eq!(
                            wrote,
                            if offset >= free {
                                0
                            } else {
                                n.min(free - offset)
                            }
                        );
                        if pending.len() < offset + wrote {
                            pending.resize(offset + wrote, None);
                        }
                        for (i, &b) in data[..wrote].iter().enumerate() {
                            pending[offset + i] = Some(b);
                        }
                    }
                    _ => {
                        // Commit only what is known to be written.
                        let known = pending.iter().take_while(|b| b.is_some()).count();
                        let k = rng.below(known + 1);
                        assert_eq!(r.commit(k), k);
                        model.extend(pending.drain(..k).flatten());
                    }
                }
                assert_eq!(r.len(), model.len());
                assert_eq!(r.free(), cap - model.len());
                assert_eq!(r.is_empty(), model.is_empty());
            }
        }
    }
}
