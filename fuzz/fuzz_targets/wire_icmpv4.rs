//! ICMPv4: parse, and on success emit the repr and re-parse to the same value; also parse
//! the quoted datagram of error messages.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netstack::wire::icmpv4::invoking_excerpt;
use netstack::wire::{ChecksumCheck, Icmpv4InvokingPacket, Icmpv4Packet, Icmpv4Repr};

fuzz_target!(|data: &[u8]| {
    let packet = Icmpv4Packet::new_unchecked(data);
    for check in [ChecksumCheck::Verify, ChecksumCheck::Skip] {
        let Ok(repr) = Icmpv4Repr::parse(&packet, check) else {
            continue;
        };
        if let Ok(invoking) = Icmpv4InvokingPacket::parse(repr.data()) {
            let _ = invoking.ports();
        }
        let _ = invoking_excerpt(repr.data());
        let mut out = vec![0u8; repr.buffer_len()];
        repr.emit(&mut Icmpv4Packet::new_unchecked(&mut out[..]))
            .expect("buffer_len is enough");
        let again = Icmpv4Repr::parse(
            &Icmpv4Packet::new_unchecked(&out[..]),
            ChecksumCheck::Verify,
        );
        assert_eq!(again, Ok(repr));
    }
});
