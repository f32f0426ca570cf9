//! DHCPv4: walk the options (with overload) and parse; on success emit the repr into a
//! message with room for every option and re-parse it to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netstack::wire::{DhcpPacket, DhcpRepr};

fuzz_target!(|data: &[u8]| {
    let Ok(packet) = DhcpPacket::new_checked(data) else {
        return;
    };
    for _ in packet.options() {}
    let Ok(repr) = DhcpRepr::parse(&packet) else {
        return;
    };
    let mut out = vec![0u8; DhcpRepr::buffer_len(2048)];
    repr.emit(&mut out, |_| {})
        .expect("2048 bytes hold every option of the repr");
    let again = DhcpPacket::new_checked(&out[..]).expect("emitted header");
    assert_eq!(DhcpRepr::parse(&again), Ok(repr));
});
