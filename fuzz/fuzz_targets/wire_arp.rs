//! ARP: parse, and on success emit the repr and re-parse to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netstack::wire::{ArpPacket, ArpRepr};

fuzz_target!(|data: &[u8]| {
    if let Ok(packet) = ArpPacket::new_checked(data) {
        // Every accessor is in bounds once the length is checked.
        let _ = (
            packet.operation(),
            packet.source_hardware_addr(),
            packet.source_protocol_addr(),
            packet.target_hardware_addr(),
            packet.target_protocol_addr(),
        );
    }
    let Ok(repr) = ArpRepr::parse(&ArpPacket::new_unchecked(data)) else {
        return;
    };
    let mut out = vec![0u8; repr.buffer_len()];
    repr.emit(&mut ArpPacket::new_unchecked(&mut out[..]))
        .expect("buffer_len is enough");
    assert_eq!(
        ArpRepr::parse(&ArpPacket::new_unchecked(&out[..])),
        Ok(repr)
    );
});
