//! Outgoing IPv4 fragmentation (RFC 791 §2.3 "Fragmentation", §3.2 the fragmentation
//! procedure; lwIP's `ip4_frag`).
//!
//! [`fragment`] plans how a datagram is cut for a link: it returns an iterator of
//! [`Fragment`]s, each the header of one fragment and the range of the datagram's payload it
//! carries, without allocating or copying anything. [`Fragment::emit`] then writes one
//! fragment (header and its slice of the payload) into a transmit buffer, so the stack sends
//! each fragment straight from the original payload.
//!
//! Rules applied (RFC 791 §3.2, RFC 1122 §3.3.3):
//! - every fragment but the last carries a multiple of 8 payload bytes, as many as fit in
//!   the MTU; offsets are in bytes here, and a multiple of 8 on the wire;
//! - all fragments share the datagram's identification, protocol, addresses, TTL and TOS;
//!   More Fragments is set on all but the last, and the last keeps the datagram's own MF flag
//!   (a fragment being re-fragmented by a router keeps its place in the original datagram:
//!   its offset is added to every piece's offset);
//! - options: [`Ipv4Repr`] carries no option but Router Alert (RFC 2113), whose "copied"
//!   bit is set (type 148 = 1 00 10100), so it is repeated in every fragment as RFC 791 §3.1
//!   requires for copied options. The stack sends no other option, so there is no option to
//!   keep in the first fragment only;
//! - a datagram that fits the MTU is one "fragment": the unchanged header and the whole
//!   payload;
//! - a datagram too big with Don't Fragment set is [`FragmentError::DontFragment`]: when
//!   forwarding, the caller drops it and sends ICMP Destination Unreachable "fragmentation
//!   needed and DF set" (code 4) with the next-hop MTU (RFC 1191 §4); when sending its own
//!   datagram, the caller fails the send (`EMSGSIZE`);
//! - an MTU below 68 is refused: RFC 791 §3.2 requires every link to carry 68 octets (60
//!   bytes of header and the minimum 8-byte fragment).
//!
//! The caller picks the identification: it must be unique for the source, destination and
//! protocol within the maximum datagram lifetime whenever fragmentation may happen
//! (RFC 6864 §4.1).

use core::fmt;
use core::iter::FusedIterator;
use core::ops::Range;

use crate::wire::{Ipv4Packet, Ipv4Repr, WireError};

/// The smallest MTU an IPv4 link may have (RFC 791 §3.2: "Every internet module must be able
/// to forward a datagram of 68 octets without further fragmentation").
pub const MIN_MTU: usize = 68;

/// The largest IPv4 datagram, header included: the total length field is 16 bits.
pub const MAX_DATAGRAM_LEN: usize = 65535;

/// Why a datagram cannot be fragmented for a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FragmentError {
    /// The MTU is below [`MIN_MTU`] (RFC 791 §3.2).
    MtuTooSmall,
    /// The datagram does not fit the MTU and has Don't Fragment set. `mtu` is the link MTU
    /// (capped at 65535), the value for the "Next-Hop MTU" field of an ICMP "fragmentation
    /// needed" message (RFC 1191 §4).
    DontFragment {
        /// The link MTU the datagram did not fit.
        mtu: u16,
    },
    /// Header plus payload (plus the fragment offset of a datagram that is itself a
    /// fragment) exceeds 65535 bytes: no IPv4 datagram can be that large.
    TooLarge,
}

impl fmt::Display for FragmentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FragmentError::MtuTooSmall => f.write_str("MTU below 68 bytes"),
            FragmentError::DontFragment { mtu } => {
                write!(
                    f,
                    "datagram larger than the MTU ({mtu}) with Don't Fragment set"
                )
            }
            FragmentError::TooLarge => f.write_str("datagram larger than 65535 bytes"),
        }
    }
}

impl core::error::Error for FragmentError {}

/// One fragment of a datagram: its header and the part of the datagram's payload it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fragment {
    /// The fragment's header: the datagram's, with `payload_len`, `frag_offset` (bytes, a
    /// multiple of 8) and `more_frags` of this fragment.
    pub header: Ipv4Repr,
    /// The bytes of the datagram's payload this fragment carries.
    pub payload: Range<usize>,
}

impl Fragment {
    /// Bytes [`emit`](Self::emit) writes: the fragment's header and payload.
    #[inline]
    pub const fn buffer_len(&self) -> usize {
        self.header.buffer_len()
    }

    /// Writes this fragment, header (with its checksum) and payload, at the start of `buf`
    /// and returns its length. `payload` is the whole datagram's payload, of which this
    /// fragment copies its own range.
    ///
    /// [`WireError::Truncated`] when `buf` is shorter than [`buffer_len`](Self::buffer_len)
    /// or `payload` shorter than the datagram's payload.
    pub fn emit(&self, payload: &[u8], buf: &mut [u8]) -> Result<usize, WireError> {
        let data = payload
            .get(self.payload.clone())
            .ok_or(WireError::Truncated)?;
        let len = self.buffer_len();
        let out = buf.get_mut(..len).ok_or(WireError::Truncated)?;
        let mut packet = Ipv4Packet::new_unchecked(&mut out[..]);
        self.header.emit(&mut packet)?;
        packet.payload_mut().copy_from_slice(data);
        Ok(len)
    }
}

/// Plans the fragmentation of the datagram `header` describes (`header.payload_len` bytes of
/// payload) for a link of `mtu` bytes. See the [module docs](self) for the rules.
///
/// Errors: [`FragmentError::MtuTooSmall`], [`FragmentError::TooLarge`],
/// [`FragmentError::DontFragment`].
pub fn fragment(header: &Ipv4Repr, mtu: usize) -> Result<Fragments, FragmentError> {
    if mtu < MIN_MTU {
        return Err(FragmentError::MtuTooSmall);
    }
    let mtu = mtu.min(MAX_DATAGRAM_LEN);
    let header_len = header.header_len();
    let payload_len = header.payload_len;
    let base = usize::from(header.frag_offset);
    if header_len + base + payload_len > MAX_DATAGRAM_LEN {
        return Err(FragmentError::TooLarge);
    }
    let (step, count) = if header_len + payload_len <= mtu {
        (payload_len, 1)
    } else if header.dont_frag {
        return Err(FragmentError::DontFragment {
            mtu: u16::try_from(mtu).unwrap_or(u16::MAX),
        });
    } else {
        // mtu >= 68 and header_len <= 24, so step >= 40.
        let step = (mtu - header_len) & !7;
        (step, payload_len.div_ceil(step))
    };
    Ok(Fragments {
        header: *header,
        step,
        next: 0,
        count,
    })
}

/// The fragments of one datagram, in order; see [`fragment`]. Allocates nothing.
#[derive(Debug, Clone)]
pub struct Fragments {
    header: Ipv4Repr,
    /// Payload bytes per fragment but the last.
    step: usize,
    next: usize,
    count: usize,
}

impl Fragments {
    /// Whether the datagram fits the MTU as it is (one fragment, the unchanged datagram).
    #[inline]
    pub const fn is_whole(&self) -> bool {
        self.count == 1
    }
}

impl Iterator for Fragments {
    type Item = Fragment;

    fn next(&mut self) -> Option<Fragment> {
        if self.next >= self.count {
            return None;
        }
        let start = self.next * self.step;
        let end = (start + self.step).min(self.header.payload_len);
        self.next += 1;
        let last = self.next == self.count;
        let mut header = self.header;
        header.payload_len = end - start;
        // `fragment` checked base + payload_len <= 65535, so this fits.
        header.frag_offset = self
            .header
            .frag_offset
            .saturating_add(u16::try_from(start).unwrap_or(u16::MAX));
        header.more_frags = !last || self.header.more_frags;
        Some(Fragment {
            header,
            payload: start..end,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.count - self.next;
        (n, Some(n))
    }
}

impl ExactSizeIterator for Fragments {}

impl FusedIterator for Fragments {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{ChecksumCheck, IpProtocol, Ipv4Addr};
    use alloc::vec;
    use alloc::vec::Vec;

    fn header(payload_len: usize) -> Ipv4Repr {
        Ipv4Repr {
            src_addr: Ipv4Addr::new(192, 168, 1, 10),
            dst_addr: Ipv4Addr::new(192, 168, 1, 1),
            protocol: IpProtocol::Udp,
            payload_len,
            ttl: 64,
            tos: 0,
            ident: 0x1234,
            dont_frag: false,
            more_frags: false,
            frag_offset: 0,
            router_alert: false,
        }
    }

    fn payload(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
    }

    /// Checks every invariant of a plan and returns the fragments.
    fn check_plan(h: &Ipv4Repr, mtu: usize) -> Vec<Fragment> {
        let plan = fragment(h, mtu).expect("fragmentable");
        let n = plan.len();
        let frags: Vec<Fragment> = plan.collect();
        assert_eq!(frags.len(), n);
        let mut next = 0;
        for (i, f) in frags.iter().enumerate() {
            let last = i + 1 == frags.len();
            assert!(f.buffer_len() <= mtu, "fragment {i} exceeds mtu {mtu}");
            assert_eq!(f.payload.start, next);
            assert_eq!(usize::from(f.header.frag_offset), next);
            assert_eq!(f.header.frag_offset % 8, 0);
            assert_eq!(f.header.payload_len, f.payload.len());
            assert_eq!(f.header.more_frags, !last);
            assert_eq!(f.header.ident, h.ident);
            assert_eq!(f.header.router_alert, h.router_alert);
            if !last {
                assert_eq!(f.payload.len() % 8, 0);
                assert!(!f.payload.is_empty());
                // As many as fit: another 8 bytes would exceed the MTU.
                assert!(f.buffer_len() + 8 > mtu);
            }
            next = f.payload.end;
        }
        assert_eq!(next, h.payload_len);
        frags
    }

    #[test]
    fn boundaries() {
        // (payload, mtu, expected fragment count)
        let cases: &[(usize, usize, usize)] = &[
            (0, 68, 1),
            (1, 68, 1),
            (48, 68, 1),    // mtu - 20
            (49, 68, 2),    // mtu - 19: 48 + 1
            (1472, 68, 31), // 30 x 48 + 32
            (8000, 68, 167),
            (65515, 68, 1365), // 1364 x 48 + 43
            (0, 576, 1),
            (1, 576, 1),
            (556, 576, 1),
            (557, 576, 2), // 552 + 5
            (1472, 576, 3),
            (8000, 576, 15),
            (65515, 576, 119),
            (0, 1500, 1),
            (1, 1500, 1),
            (1480, 1500, 1),
            (1481, 1500, 2), // 1480 + 1
            (1472, 1500, 1),
            (8000, 1500, 6), // 5 x 1480 + 600
            (65515, 1500, 45),
        ];
        for &(len, mtu, count) in cases {
            let frags = check_plan(&header(len), mtu);
            assert_eq!(frags.len(), count, "payload {len} mtu {mtu}");
            assert_eq!(
                fragment(&header(len), mtu).map(|p| p.is_whole()),
                Ok(count == 1)
            );
        }
        let f = check_plan(&header(1481), 1500);
        assert_eq!(f[0].payload, 0..1480);
        assert_eq!(f[1].payload, 1480..1481);
        assert_eq!(f[1].header.frag_offset, 1480);
        let f = check_plan(&header(8000), 1500);
        assert_eq!(f[5].payload, 7400..8000);
    }

    #[test]
    fn whole_datagram_keeps_its_header() {
        let mut h = header(100);
        h.dont_frag = true;
        let f: Vec<Fragment> = fragment(&h, 1500).expect("fits").collect();
        assert_eq!(
            f,
            [Fragment {
                header: h,
                payload: 0..100
            }]
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            fragment(&header(10), 67).err(),
            Some(FragmentError::MtuTooSmall)
        );
        assert_eq!(
            fragment(&header(65516), 1500).err(),
            Some(FragmentError::TooLarge)
        );
        let mut h = header(1481);
        h.dont_frag = true;
        assert_eq!(
            fragment(&h, 1500).err(),
            Some(FragmentError::DontFragment { mtu: 1500 })
        );
        assert_eq!(
            fragment(&h, 100_000).map(|p| p.len()),
            Ok(1),
            "mtu capped at 65535 still fits"
        );
        h.payload_len = 65515;
        assert_eq!(fragment(&h, 70_000).map(|p| p.len()), Ok(1));
        h.payload_len = 65516;
        assert_eq!(fragment(&h, 70_000).err(), Some(FragmentError::TooLarge));
        // A fragment being re-fragmented cannot grow beyond 65535 either.
        let mut h = header(1000);
        h.frag_offset = 64_600;
        assert_eq!(fragment(&h, 576).err(), Some(FragmentError::TooLarge));
        use alloc::string::ToString;
        assert_eq!(
            FragmentError::DontFragment { mtu: 576 }.to_string(),
            "datagram larger than the MTU (576) with Don't Fragment set"
        );
    }

    #[test]
    fn router_alert_is_copied_into_every_fragment() {
        let mut h = header(100);
        h.router_alert = true;
        let frags = check_plan(&h, 68);
        // 68 - 24 = 44, rounded down to 40.
        assert_eq!(frags.len(), 3);
        assert_eq!(frags[0].payload, 0..40);
        assert!(frags.iter().all(|f| f.header.header_len() == 24));
    }

    #[test]
    fn refragmenting_a_fragment_keeps_its_place() {
        // A router forwards fragment [1480, 2960) with MF onto a 576 link.
        let mut h = header(1480);
        h.frag_offset = 1480;
        h.more_frags = true;
        let frags: Vec<Fragment> = fragment(&h, 576).expect("ok").collect();
        assert_eq!(frags.len(), 3);
        let offsets: Vec<u16> = frags.iter().map(|f| f.header.frag_offset).collect();
        assert_eq!(offsets, [1480, 2032, 2584]);
        assert!(frags.iter().all(|f| f.header.more_frags));
        // The last piece of a final fragment clears MF.
        h.more_frags = false;
        let frags: Vec<Fragment> = fragment(&h, 576).expect("ok").collect();
        assert_eq!(
            frags
                .iter()
                .map(|f| f.header.more_frags)
                .collect::<Vec<_>>(),
            [true, true, false]
        );
    }

    #[test]
    fn emit_writes_parseable_fragments() -> Result<(), WireError> {
        let data = payload(3000);
        let h = header(data.len());
        let mut out = Vec::new();
        for f in fragment(&h, 1500).expect("ok") {
            let mut buf = vec![0u8; 1500];
            let len = f.emit(&data, &mut buf)?;
            assert_eq!(len, f.buffer_len());
            let p = Ipv4Packet::new_checked(&buf[..len])?;
            let repr = Ipv4Repr::parse(&p, ChecksumCheck::Verify)?;
            assert_eq!(repr, f.header);
            assert_eq!(p.payload(), &data[f.payload.clone()]);
            out.extend_from_slice(p.payload());
        }
        assert_eq!(out, data);
        // Errors instead of panics on short buffers.
        let f = fragment(&h, 1500).expect("ok").next().expect("one");
        assert_eq!(f.emit(&data, &mut [0u8; 100]), Err(WireError::Truncated));
        assert_eq!(
            f.emit(&data[..10], &mut [0u8; 1500]),
            Err(WireError::Truncated)
        );
        Ok(())
    }

    #[test]
    fn iterator_is_exact_and_fused() {
        let mut plan = fragment(&header(200), 68).expect("ok");
        assert_eq!(plan.size_hint(), (5, Some(5)));
        for _ in 0..5 {
            assert!(plan.next().is_some());
        }
        assert_eq!(plan.len(), 0);
        assert!(plan.next().is_none());
        assert!(plan.next().is_none());
    }
}
