//! ARP replies as Ethernet frames: any bytes, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = v6scout::ipv4::parse_arp_reply(data);
});
