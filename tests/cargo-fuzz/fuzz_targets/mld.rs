//! MLD reports: any bytes parse to groups or a reason, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use v6scout::probe::packet::mld;

fuzz_target!(|data: &[u8]| {
    let _ = mld::parse_report(data);
    if let Ok(r) = mld::Report::parse(data) {
        if let Ok(again) = r.to_bytes() {
            assert_eq!(mld::Report::parse(&again), Ok(r));
        }
    }
});
