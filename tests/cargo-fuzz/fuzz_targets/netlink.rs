//! rtnetlink neighbour dump datagrams: any bytes, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = v6scout::platform::fuzzing::neighbour_batch(data);
});
