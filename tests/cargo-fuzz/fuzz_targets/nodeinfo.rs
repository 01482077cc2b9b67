//! ICMPv6 Node Information replies (Node Addresses, Node Name) and queries (RFC 4620):
//! any bytes, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use v6scout::probe::packet::nodeinfo;

fuzz_target!(|data: &[u8]| {
    let _ = nodeinfo::parse_reply(data);
    let _ = nodeinfo::parse_name_reply(data);
    let _ = nodeinfo::parse_query(data);
});
