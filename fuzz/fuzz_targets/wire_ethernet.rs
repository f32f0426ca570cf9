//! Ethernet/802.1Q: parse, and on success emit the repr and re-parse to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netstack::wire::{EthernetFrame, EthernetRepr};

fuzz_target!(|data: &[u8]| {
    let frame = EthernetFrame::new_unchecked(data);
    let Ok(repr) = EthernetRepr::parse(&frame) else {
        return;
    };
    let payload = frame.payload();
    let mut out = vec![0u8; repr.buffer_len(payload.len())];
    let mut emitted = EthernetFrame::new_unchecked(&mut out[..]);
    repr.emit(&mut emitted).expect("buffer_len is enough");
    emitted.payload_mut().copy_from_slice(payload);
    let again = EthernetRepr::parse(&EthernetFrame::new_unchecked(&out[..]));
    assert_eq!(again, Ok(repr));
});
