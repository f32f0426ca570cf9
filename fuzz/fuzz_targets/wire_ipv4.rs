//! IPv4: parse (with and without checksum verification), and on success emit the repr,
//! copy the payload and re-parse to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netstack::wire::{ChecksumCheck, Ipv4Packet, Ipv4Repr};

fuzz_target!(|data: &[u8]| {
    let packet = Ipv4Packet::new_unchecked(data);
    for check in [ChecksumCheck::Verify, ChecksumCheck::Skip] {
        let Ok(repr) = Ipv4Repr::parse(&packet, check) else {
            continue;
        };
        let _ = (
            packet.options(),
            packet.has_router_alert(),
            packet.is_fragment(),
        );
        let mut out = vec![0u8; repr.buffer_len()];
        let mut emitted = Ipv4Packet::new_unchecked(&mut out[..]);
        repr.emit(&mut emitted).expect("buffer_len is enough");
        emitted.payload_mut().copy_from_slice(packet.payload());
        let again = Ipv4Repr::parse(&Ipv4Packet::new_unchecked(&out[..]), ChecksumCheck::Verify);
        assert_eq!(again, Ok(repr));
    }
});
