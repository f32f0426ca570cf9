//! IGMP v1/v2/v3: parse, and on success emit the repr and re-parse to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netstack::wire::{ChecksumCheck, IgmpPacket, IgmpRepr};

fuzz_target!(|data: &[u8]| {
    let packet = IgmpPacket::new_unchecked(data);
    for check in [ChecksumCheck::Verify, ChecksumCheck::Skip] {
        let Ok(repr) = IgmpRepr::parse(&packet, check) else {
            continue;
        };
        let _ = (repr.max_resp_time(), repr.query_version());
        match repr {
            IgmpRepr::MembershipReportV3 { records } => {
                assert_eq!(records.iter().count(), records.len());
                for record in records {
                    assert_eq!(record.sources.iter().count(), record.sources.len());
                }
            }
            IgmpRepr::MembershipQueryV3 { sources, .. } => {
                assert_eq!(sources.iter().count(), sources.len());
            }
            _ => {}
        }
        let mut out = vec![0u8; repr.buffer_len()];
        repr.emit(&mut IgmpPacket::new_unchecked(&mut out[..]))
            .expect("buffer_len is enough");
        let again = IgmpRepr::parse(&IgmpPacket::new_unchecked(&out[..]), ChecksumCheck::Verify);
        assert_eq!(again, Ok(repr));
    }
});
