//! ICMPv6 and NDP (options of RAs included): any bytes parse to a message or a reason,
//! and what parses emits back to bytes that parse to the same message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use v6scout::probe::packet;

fuzz_target!(|data: &[u8]| {
    if let Ok(msg) = packet::parse(data) {
        let again = msg.to_bytes();
        assert_eq!(again.len(), msg.buffer_len());
        assert_eq!(packet::parse(&again), Ok(msg));
    }
});
