//! mDNS/DNS answers as the name lookups read them: any bytes, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use v6scout::names::dns;

fuzz_target!(|data: &[u8]| {
    let _ = dns::parse_response(data);
});
