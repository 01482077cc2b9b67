//! Micro-benchmarks of the hot pure paths (plain std::time, no harness):
//! `cargo bench --bench micro`. OUI lookup has its own: `cargo bench --bench oui`.
//!
//! - packet parse: real packets captured from Linux hosts and radvd (the samples of
//!   src/probe/packet_tests.rs), each parsed and matched against the probe tag;
//! - collect + group: one 150-host scan's observations into a `HostTable`, then grouped
//!   into a report (OUI lookups included);
//! - rendering that report as table, plain and JSON.

use std::hint::black_box;
use std::time::{Duration, Instant};
use v6scout::collect::HostTable;
use v6scout::group::{self, GroupOptions};
use v6scout::output::{self, Format};
use v6scout::probe::packet::{self, ProbeTag};
use v6scout::report::Report;

mod common;

// The fuzz seed corpus (captured on Linux 6.18; src/probe/packet_tests.rs describes each).
/// Echo reply from a Linux host to an iputils ping of ff02::1.
const CAP_ECHO_REPLY: [u8; 64] = *include_bytes!("../tests/corpus/icmpv6/echo_reply.bin");
/// Parameter Problem (code 2) quoting our echo behind the unknown destination option.
const CAP_PARAM_PROBLEM_LL: [u8; 72] =
    *include_bytes!("../tests/corpus/icmpv6/param_problem_ll.bin");
/// Neighbour Advertisement answering a multicast NS, with the target link-layer option.
const CAP_NA_MULTICAST_NS: [u8; 32] = *include_bytes!("../tests/corpus/icmpv6/na_multicast_ns.bin");
/// radvd 2.19's Router Advertisement: two prefixes, RDNSS, MTU, source link-layer option.
const CAP_RA: [u8; 120] = *include_bytes!("../tests/corpus/icmpv6/ra_radvd.bin");
/// The probe tag of the captured Parameter Problem's quoted echo.
const TAG: ProbeTag = ProbeTag {
    id: 0x5e5e,
    cookie: [0xc0, 0xff, 0xee, 0x01, 0x23, 0x45, 0x67, 0x89],
};

/// Runs `f` in batches for about `budget`; prints and returns the time per call.
fn bench(label: &str, budget: Duration, mut f: impl FnMut()) -> Duration {
    for _ in 0..3 {
        f(); // warm-up
    }
    let mut calls = 0u64;
    let mut batch = 1u64;
    let start = Instant::now();
    while start.elapsed() < budget {
        for _ in 0..batch {
            f();
        }
        calls += batch;
        batch = (batch * 2).min(1 << 16);
    }
    let per = start.elapsed() / calls.max(1) as u32;
    println!("{label:<46} {:>12.3?}/call  ({calls} calls)", per);
    per
}

fn main() {
    let budget = Duration::from_millis(300);
    let samples: [(&str, &[u8]); 5] = [
        ("parse: echo reply (64 B)", &CAP_ECHO_REPLY),
        (
            "parse: parameter problem + tag match (72 B)",
            &CAP_PARAM_PROBLEM_LL,
        ),
        (
            "parse: neighbour advertisement (32 B)",
            &CAP_NA_MULTICAST_NS,
        ),
        ("parse: router advertisement, 2 prefixes (120 B)", &CAP_RA),
        ("parse: truncated junk (17 B)", &CAP_RA[..17]),
    ];
    for (label, bytes) in samples {
        bench(label, budget, || {
            let m = packet::parse(black_box(bytes));
            black_box(m.as_ref().map(|m| m.matches(&TAG)).ok());
        });
    }

    let obs = common::observations(common::hosts(150));
    let ifaces = [common::interface()];
    let table = || {
        let mut t = HostTable::new(4096);
        for o in obs.iter().cloned() {
            t.add(o);
        }
        t.merge_cache(&[], false);
        t
    };
    println!("150-host link: {} observations", obs.len());
    bench("collect: 150-host scan into a HostTable", budget, || {
        black_box(table());
    });
    let t = table();
    bench("group: 150 hosts (with OUI lookups)", budget, || {
        black_box(group::group(
            black_box(&t),
            &ifaces,
            GroupOptions::default(),
        ));
    });
    let report = Report {
        started: std::time::SystemTime::UNIX_EPOCH,
        duration: Duration::from_millis(1000),
        interfaces: group::group(&t, &ifaces, GroupOptions::default()),
        stats: Default::default(),
        ports_checked: None,
    };
    let mut out = Vec::with_capacity(1 << 16);
    for (label, format) in [
        ("render: table, 150 hosts", Format::TABLE),
        ("render: plain, 150 hosts", Format::plain(true)),
        ("render: json, 150 hosts", Format::Json),
    ] {
        bench(label, budget, || {
            out.clear();
            output::render(&report, format, &mut out).expect("rendering to memory");
            black_box(&out);
        });
    }
}
