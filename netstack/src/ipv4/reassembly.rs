//! Incoming IPv4 reassembly (RFC 791 §3.2 "reassembly procedure", RFC 815 hole logic,
//! RFC 1122 §3.3.2; lwIP's `ip4_reass` limits).
//!
//! A [`Reassembler`] collects fragments keyed by (source, destination, protocol,
//! identification) — the tuple RFC 791 §2.3 says identifies a datagram — and hands back the
//! whole datagram once every byte from 0 to the end given by the last fragment (MF = 0) has
//! arrived. Each fragment's payload is kept in its own buffer, as lwIP keeps the received
//! pbufs, so memory follows what was received rather than what a fragment claims the
//! datagram will be.
//!
//! # Limits (lwIP's)
//!
//! - At most `DATAGRAMS` datagrams in flight (`config::MEMP_NUM_REASSDATA`): a fragment of a
//!   new datagram when all slots are taken drops the **oldest** incomplete datagram.
//! - At most `FRAGMENTS` fragments held over all datagrams (`config::IP_REASS_MAX_PBUFS`):
//!   when full, the oldest other datagrams are dropped until the new fragment fits; a
//!   datagram that on its own needs more fragments than that can never complete and is
//!   dropped at once ([`ReassemblyError::Overflow`]).
//! - Each datagram expires `config::IP_REASS_MAXAGE` seconds after its first fragment
//!   arrived ([`Reassembler::poll`]).
//! - The reassembled datagram, with a 20-byte header, fits 65535 bytes
//!   ([`MAX_PAYLOAD`]): a fragment ending beyond is [`ReassemblyError::TooBig`] — this also
//!   rejects every fragment offset past 65535.
//!
//! So the memory held is at most `FRAGMENTS` fragment payloads (each no larger than the
//! link MTU minus 20) plus fixed-size tables; [`held_fragments`](Reassembler::held_fragments)
//! and [`held_bytes`](Reassembler::held_bytes) report it.
//!
//! # Anomalies
//!
//! - An exact duplicate — a fragment whose bytes are all already held, with the same
//!   content — is ignored (`Ok(None)`, counted in [`ReassemblyStats::duplicates`]).
//! - Overlapping fragments with **different** data in the overlap drop the whole datagram
//!   ([`ReassemblyError::Overlap`]). RFC 791 lets the later copy win, which is what
//!   overlapping-fragment attacks (Teardrop, IDS evasion by differing overlaps, RFC 1858,
//!   RFC 3128) rely on; RFC 5722 makes IPv6 discard such datagrams and Linux applies the same
//!   rule to IPv4 (`ip_frag_queue`, since 4.19). We are slightly more lenient than Linux: an
//!   overlap whose bytes agree (a datagram re-fragmented on another path, a retransmission)
//!   is accepted, since it cannot make two receivers see different data.
//! - A last fragment (MF = 0) must agree with what is known: its end must not be below
//!   data already held, and two last fragments must give the same end; a non-last fragment
//!   must not reach past a known end ([`ReassemblyError::Inconsistent`]).
//! - A non-last fragment with no data ([`ReassemblyError::Empty`]) or whose length is not a
//!   multiple of 8 ([`ReassemblyError::Unaligned`]) is malformed (RFC 791 §3.2).
//!
//! Every error drops the fragment **and** the incomplete datagram it belongs to, if any
//! (as Linux's `ip_frag_queue` kills the queue): a fragment that contradicts the others
//! means the datagram cannot be trusted.
//!
//! # Calling it
//!
//! The stack calls [`Reassembler::push`] with each fragment addressed to it (a packet with
//! MF set or a nonzero offset), after header checks; a `Some` is delivered as if the whole
//! datagram had arrived. When [`Reassembler::next_deadline`] has passed it drains
//! [`Reassembler::poll`] and answers each [`Expired`] with ICMP Time Exceeded, "fragment
//! reassembly time exceeded" (code 1) — RFC 792, RFC 1122 §3.3.2: only datagrams whose first
//! fragment (offset 0) arrived are reported, and the stack must not send ICMP errors about
//! datagrams sent to broadcast or multicast addresses (RFC 1122 §3.2.2).

use alloc::vec::Vec;
use core::fmt;
use core::iter::FusedIterator;
use core::net::Ipv4Addr;

use crate::config;
use crate::time::{Duration, Instant};
use crate::wire::{ChecksumCheck, IpProtocol, Ipv4Packet, Ipv4Repr};

/// Largest payload of a reassembled datagram: 65535 minus a 20-byte header (the limit lwIP
/// and Linux apply).
pub const MAX_PAYLOAD: usize = 65535 - 20;

/// How long an incomplete datagram waits for its missing fragments:
/// `config::IP_REASS_MAXAGE` seconds (RFC 1122 §3.3.2 recommends 60 to 120 s; ESP-IDF uses
/// 3 s).
pub const MAX_AGE: Duration = Duration::from_secs(config::IP_REASS_MAXAGE as u64);

/// Most bytes of an ICMP quote: a header with the longest options (60) and 8 data bytes.
pub const QUOTE_LEN: usize = 60 + 8;

/// Why a fragment was refused. The incomplete datagram it belongs to, if any, is dropped
/// with it (see the [module docs](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReassemblyError {
    /// The header could not be parsed (not IPv4).
    Malformed,
    /// The fragment would make the datagram larger than 65535 bytes.
    TooBig,
    /// A fragment other than the last carries no data.
    Empty,
    /// A fragment other than the last carries a length that is not a multiple of 8.
    Unaligned,
    /// The fragment contradicts the datagram's end given by a last fragment, or a last
    /// fragment ends before data already held.
    Inconsistent,
    /// The fragment overlaps held data with different content.
    Overlap,
    /// The datagram needs more fragments than the reassembler may hold at once.
    Overflow,
    /// The allocator could not provide the buffer.
    NoMemory,
}

impl fmt::Display for ReassemblyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReassemblyError::Malformed => "malformed fragment",
            ReassemblyError::TooBig => "reassembled datagram would exceed 65535 bytes",
            ReassemblyError::Empty => "empty non-final fragment",
            ReassemblyError::Unaligned => "non-final fragment length not a multiple of 8",
            ReassemblyError::Inconsistent => "fragment inconsistent with the datagram's end",
            ReassemblyError::Overlap => "overlapping fragments with different data",
            ReassemblyError::Overflow => "datagram needs more fragments than allowed",
            ReassemblyError::NoMemory => "out of memory",
        })
    }
}

impl core::error::Error for ReassemblyError {}

/// Counters, lwIP's `IPFRAG_STATS` in finer grain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReassemblyStats {
    /// Fragments given to [`Reassembler::push`].
    pub fragments: u64,
    /// Datagrams reassembled and handed back.
    pub reassembled: u64,
    /// Fragments ignored as exact duplicates.
    pub duplicates: u64,
    /// Incomplete datagrams dropped because they expired.
    pub timeout: u64,
    /// Incomplete datagrams dropped to make room for others (slots or fragments full),
    /// or because they needed more fragments than allowed.
    pub overflow: u64,
    /// Fragments refused for overlapping held data with different content.
    pub overlap: u64,
    /// Fragments refused for making the datagram larger than 65535 bytes.
    pub too_big: u64,
    /// Fragments refused as malformed or inconsistent ([`ReassemblyError::Malformed`],
    /// [`Empty`](ReassemblyError::Empty), [`Unaligned`](ReassemblyError::Unaligned),
    /// [`Inconsistent`](ReassemblyError::Inconsistent)).
    pub malformed: u64,
    /// Fragments or datagrams dropped because the allocator failed.
    pub no_memory: u64,
}

/// A reassembled datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reassembled {
    /// The header of the first fragment (offset 0), as RFC 791 §3.2 says to use, with
    /// `more_frags` cleared, `frag_offset` 0 and `payload_len` the whole payload's length.
    pub header: Ipv4Repr,
    /// The whole payload.
    pub payload: Vec<u8>,
}

/// An incomplete datagram that expired after its first fragment (offset 0) had arrived: the
/// material for ICMP Time Exceeded, code 1 (RFC 792; RFC 1122 §3.3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expired {
    /// The first fragment's header as parsed.
    pub header: Ipv4Repr,
    quote: heapless::Vec<u8, QUOTE_LEN>,
}

impl Expired {
    /// The first fragment's header as received (options included) followed by its first 8
    /// payload bytes (fewer if it had fewer): the "internet header + 64 bits of original
    /// data" an ICMP error carries (RFC 792).
    #[inline]
    pub fn quote(&self) -> &[u8] {
        &self.quote
    }
}

/// What identifies the fragments of one datagram (RFC 791 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    src: Ipv4Addr,
    dst: Ipv4Addr,
    protocol: IpProtocol,
    ident: u16,
}

impl Key {
    fn of(repr: &Ipv4Repr) -> Key {
        Key {
            src: repr.src_addr,
            dst: repr.dst_addr,
            protocol: repr.protocol,
            ident: repr.ident,
        }
    }
}

/// An incomplete datagram.
#[derive(Debug)]
struct Datagram {
    /// Unique for the reassembler's lifetime; ties the held fragments to their datagram.
    serial: u64,
    key: Key,
    /// When the first fragment arrived.
    started: Instant,
    /// The payload length, once the last fragment (MF = 0) arrived.
    total: Option<usize>,
    /// The first fragment's header and ICMP quote, once offset 0 arrived.
    first: Option<Expired>,
}

/// One fragment's payload.
#[derive(Debug)]
struct Held {
    serial: u64,
    offset: usize,
    data: Vec<u8>,
}

impl Held {
    fn end(&self) -> usize {
        self.offset + self.data.len()
    }
}

/// IPv4 reassembly; see the [module docs](self).
///
/// `DATAGRAMS` and `FRAGMENTS` default to `config::MEMP_NUM_REASSDATA` and
/// `config::IP_REASS_MAX_PBUFS`; [`Reassembler::new`] builds that configuration.
#[derive(Debug)]
pub struct Reassembler<
    const DATAGRAMS: usize = { config::MEMP_NUM_REASSDATA },
    const FRAGMENTS: usize = { config::IP_REASS_MAX_PBUFS },
> {
    /// In arrival order of their first fragment, so the oldest (and first to expire) is
    /// first.
    datagrams: heapless::Vec<Datagram, DATAGRAMS>,
    /// Sorted by (serial, offset): each datagram's fragments are together and in order.
    held: heapless::Vec<Held, FRAGMENTS>,
    held_bytes: usize,
    next_serial: u64,
    stats: ReassemblyStats,
}

impl Reassembler {
    /// An empty reassembler with the configured limits.
    pub const fn new() -> Reassembler {
        Reassembler::with_limits()
    }
}

impl Default for Reassembler {
    fn default() -> Self {
        Reassembler::new()
    }
}

/// Internal outcome of a fragment that is not an error.
enum Accepted {
    Duplicate,
    Stored,
}

impl<const DATAGRAMS: usize, const FRAGMENTS: usize> Reassembler<DATAGRAMS, FRAGMENTS> {
    /// An empty reassembler with the limits given as type parameters (the configured ones
    /// are [`Reassembler::new`]).
    pub const fn with_limits() -> Self {
        Reassembler {
            datagrams: heapless::Vec::new(),
            held: heapless::Vec::new(),
            held_bytes: 0,
            next_serial: 0,
            stats: ReassemblyStats {
                fragments: 0,
                reassembled: 0,
                duplicates: 0,
                timeout: 0,
                overflow: 0,
                overlap: 0,
                too_big: 0,
                malformed: 0,
                no_memory: 0,
            },
        }
    }

    /// Takes one fragment: `packet` is a checked view whose header the caller has validated
    /// (checksum, destination). Returns the whole datagram when this fragment completes it,
    /// `None` while fragments are missing or when it was a duplicate.
    ///
    /// A packet that is not a fragment (MF clear, offset 0) comes straight back as a
    /// datagram of one piece (copied), unless it clashes with a datagram in progress.
    ///
    /// Errors drop the fragment and its datagram; see [`ReassemblyError`].
    pub fn push<T: AsRef<[u8]>>(
        &mut self,
        packet: &Ipv4Packet<T>,
        now: Instant,
    ) -> Result<Option<Reassembled>, ReassemblyError> {
        self.stats.fragments += 1;
        let Ok(repr) = Ipv4Repr::parse(packet, ChecksumCheck::Skip) else {
            self.stats.malformed += 1;
            return Err(ReassemblyError::Malformed);
        };
        let key = Key::of(&repr);
        match self.accept(&repr, packet.header(), packet.payload(), now) {
            Ok(Accepted::Duplicate) => {
                self.stats.duplicates += 1;
                Ok(None)
            }
            Ok(Accepted::Stored) => self.try_complete(key),
            Err(e) => {
                if let Some(i) = self.find(&key) {
                    self.remove(i);
                }
                match e {
                    ReassemblyError::Overlap => self.stats.overlap += 1,
                    ReassemblyError::TooBig => self.stats.too_big += 1,
                    ReassemblyError::Overflow => self.stats.overflow += 1,
                    ReassemblyError::NoMemory => self.stats.no_memory += 1,
                    ReassemblyError::Malformed
                    | ReassemblyError::Empty
                    | ReassemblyError::Unaligned
                    | ReassemblyError::Inconsistent => self.stats.malformed += 1,
                }
                log::debug!(target: "netstack::ip_reass", "dropped fragment of {:?}: {e}", key);
                Err(e)
            }
        }
    }

    /// Validates and stores one fragment.
    fn accept(
        &mut self,
        repr: &Ipv4Repr,
        header: &[u8],
        payload: &[u8],
        now: Instant,
    ) -> Result<Accepted, ReassemblyError> {
        let offset = usize::from(repr.frag_offset);
        let end = offset + payload.len();
        let last = !repr.more_frags;
        if end > MAX_PAYLOAD {
            return Err(ReassemblyError::TooBig);
        }
        if !last && payload.is_empty() {
            return Err(ReassemblyError::Empty);
        }
        if !last && !payload.len().is_multiple_of(8) {
            return Err(ReassemblyError::Unaligned);
        }

        let key = Key::of(repr);
        let index = match self.find(&key) {
            Some(i) => i,
            None => self.create(key, now).ok_or(ReassemblyError::Overflow)?,
        };
        let serial = self.datagrams[index].serial;

        // The end of the datagram, once known, binds every fragment.
        match self.datagrams[index].total {
            Some(total) if end > total || (last && end != total) => {
                return Err(ReassemblyError::Inconsistent);
            }
            None if last && self.fragments_of(serial).any(|h| h.end() > end) => {
                return Err(ReassemblyError::Inconsistent);
            }
            _ => {}
        }

        // Overlaps must agree byte for byte.
        for h in self.fragments_of(serial) {
            let from = offset.max(h.offset);
            let to = end.min(h.end());
            if from < to
                && payload[from - offset..to - offset] != h.data[from - h.offset..to - h.offset]
            {
                return Err(ReassemblyError::Overlap);
            }
        }
        if !payload.is_empty() && self.covers(serial, offset, end) {
            return Ok(Accepted::Duplicate);
        }

        if !payload.is_empty() {
            self.make_room(serial)?;
            let mut data = Vec::new();
            data.try_reserve_exact(payload.len())
                .map_err(|_| ReassemblyError::NoMemory)?;
            data.extend_from_slice(payload);
            let at = self
                .held
                .iter()
                .position(|h| (h.serial, h.offset) > (serial, offset))
                .unwrap_or(self.held.len());
            // make_room left a free slot.
            if self
                .held
                .insert(
                    at,
                    Held {
                        serial,
                        offset,
                        data,
                    },
                )
                .is_err()
            {
                return Err(ReassemblyError::Overflow);
            }
            self.held_bytes += payload.len();
        }

        let Some(index) = self.find(&key) else {
            return Err(ReassemblyError::Overflow);
        };
        let d = &mut self.datagrams[index];
        if last {
            d.total = Some(end);
        }
        if offset == 0 && d.first.is_none() {
            let mut quote = heapless::Vec::new();
            let data = &payload[..payload.len().min(8)];
            // A checked header is at most 60 bytes: both fit.
            let _ = quote.extend_from_slice(&header[..header.len().min(60)]);
            let _ = quote.extend_from_slice(data);
            d.first = Some(Expired {
                header: *repr,
                quote,
            });
        }
        Ok(Accepted::Stored)
    }

    /// Hands back the datagram `key` if it is complete.
    fn try_complete(&mut self, key: Key) -> Result<Option<Reassembled>, ReassemblyError> {
        let Some(index) = self.find(&key) else {
            return Ok(None);
        };
        let d = &self.datagrams[index];
        let Some(total) = d.total else {
            return Ok(None);
        };
        let serial = d.serial;
        if !self.covers(serial, 0, total) {
            return Ok(None);
        }
        let d = self.datagrams.remove(index);
        // The first fragment's buffer becomes the datagram's: one allocation saved, and
        // often no copy of it either.
        let mut payload = Vec::new();
        let mut ok = true;
        let mut i = 0;
        while i < self.held.len() {
            if self.held[i].serial != serial {
                i += 1;
                continue;
            }
            let h = self.held.remove(i);
            self.held_bytes -= h.data.len();
            if !ok {
                continue;
            }
            if h.offset == 0 && payload.is_empty() {
                payload = h.data;
                if payload.try_reserve_exact(total - payload.len()).is_err() {
                    ok = false;
                    continue;
                }
                payload.resize(total, 0);
            } else if let Some(dst) = payload.get_mut(h.offset..h.end()) {
                dst.copy_from_slice(&h.data);
            }
        }
        let Some(first) = d.first else {
            // Cannot happen: byte 0 is covered only by an offset-0 fragment.
            self.stats.malformed += 1;
            return Err(ReassemblyError::Malformed);
        };
        if !ok {
            self.stats.no_memory += 1;
            return Err(ReassemblyError::NoMemory);
        }
        payload.resize(total, 0); // a datagram of zero bytes has no offset-0 buffer
        let mut header = first.header;
        header.more_frags = false;
        header.frag_offset = 0;
        header.payload_len = total;
        self.stats.reassembled += 1;
        Ok(Some(Reassembled { header, payload }))
    }

    /// Drops the oldest datagrams other than `keep` until a fragment slot is free.
    fn make_room(&mut self, keep: u64) -> Result<(), ReassemblyError> {
        while self.held.is_full() {
            let Some(victim) = self.datagrams.iter().position(|d| d.serial != keep) else {
                return Err(ReassemblyError::Overflow);
            };
            self.remove(victim);
            self.stats.overflow += 1;
        }
        Ok(())
    }

    /// Opens a datagram, dropping the oldest when all slots are taken. Returns its index
    /// (`None` only when `DATAGRAMS` is 0).
    fn create(&mut self, key: Key, now: Instant) -> Option<usize> {
        if self.datagrams.is_full() && !self.datagrams.is_empty() {
            self.remove(0);
            self.stats.overflow += 1;
        }
        let serial = self.next_serial;
        self.next_serial += 1;
        self.datagrams
            .push(Datagram {
                serial,
                key,
                started: now,
                total: None,
                first: None,
            })
            .ok()?;
        Some(self.datagrams.len() - 1)
    }

    fn find(&self, key: &Key) -> Option<usize> {
        self.datagrams.iter().position(|d| d.key == *key)
    }

    fn fragments_of(&self, serial: u64) -> impl Iterator<Item = &Held> {
        self.held.iter().filter(move |h| h.serial == serial)
    }

    /// Whether the held fragments of `serial` cover `from..to` without a hole (RFC 815's
    /// hole list, walked over the fragments sorted by offset).
    fn covers(&self, serial: u64, from: usize, to: usize) -> bool {
        let mut reached = from;
        for h in self.fragments_of(serial) {
            if reached >= to {
                break;
            }
            if h.offset > reached {
                return false;
            }
            reached = reached.max(h.end());
        }
        reached >= to
    }

    /// Removes datagram `index` and its fragments; returns it.
    fn remove(&mut self, index: usize) -> Datagram {
        let d = self.datagrams.remove(index);
        let mut freed = 0;
        self.held.retain(|h| {
            if h.serial == d.serial {
                freed += h.data.len();
                false
            } else {
                true
            }
        });
        self.held_bytes -= freed;
        d
    }

    /// Drops every datagram that has waited [`MAX_AGE`] since its first fragment (at
    /// `now >= first + MAX_AGE`) and yields those whose first fragment had arrived, for ICMP
    /// Time Exceeded. Dropping the iterator early still drops the rest of the expired
    /// datagrams (unreported).
    pub fn poll(&mut self, now: Instant) -> ExpiredIter<'_, DATAGRAMS, FRAGMENTS> {
        ExpiredIter { owner: self, now }
    }

    /// When [`poll`](Self::poll) next has something to do: the oldest datagram's expiry, or
    /// `None` when nothing is in flight (timers on demand, `config::TIMERS_ONDEMAND`).
    #[inline]
    pub fn next_deadline(&self) -> Option<Instant> {
        self.datagrams.first().map(|d| d.started + MAX_AGE)
    }

    /// Counters since creation.
    #[inline]
    pub fn stats(&self) -> ReassemblyStats {
        self.stats
    }

    /// Incomplete datagrams held.
    #[inline]
    pub fn in_flight(&self) -> usize {
        self.datagrams.len()
    }

    /// Fragments held, never more than `FRAGMENTS`.
    #[inline]
    pub fn held_fragments(&self) -> usize {
        self.held.len()
    }

    /// Payload bytes held in fragment buffers.
    #[inline]
    pub fn held_bytes(&self) -> usize {
        self.held_bytes
    }

    /// Drops everything in flight (an interface going down), counted as nothing.
    pub fn clear(&mut self) {
        self.datagrams.clear();
        self.held.clear();
        self.held_bytes = 0;
    }
}

/// The expired datagrams of [`Reassembler::poll`].
#[derive(Debug)]
pub struct ExpiredIter<'r, const DATAGRAMS: usize, const FRAGMENTS: usize> {
    owner: &'r mut Reassembler<DATAGRAMS, FRAGMENTS>,
    now: Instant,
}

impl<const DATAGRAMS: usize, const FRAGMENTS: usize> Iterator
    for ExpiredIter<'_, DATAGRAMS, FRAGMENTS>
{
    type Item = Expired;

    fn next(&mut self) -> Option<Expired> {
        loop {
            let deadline = self.owner.next_deadline()?;
            if deadline > self.now {
                return None;
            }
            let d = self.owner.remove(0);
            self.owner.stats.timeout += 1;
            log::debug!(target: "netstack::ip_reass", "reassembly of {:?} timed out", d.key);
            if let Some(first) = d.first {
                return Some(first);
            }
        }
    }
}

impl<const DATAGRAMS: usize, const FRAGMENTS: usize> FusedIterator
    for ExpiredIter<'_, DATAGRAMS, FRAGMENTS>
{
}

impl<const DATAGRAMS: usize, const FRAGMENTS: usize> Drop
    for ExpiredIter<'_, DATAGRAMS, FRAGMENTS>
{
    fn drop(&mut self) {
        for _ in self.by_ref() {}
    }
}

#[cfg(test)]
mod tests;
