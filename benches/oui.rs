//! OUI lookup benchmark (plain std::time, no harness): `cargo bench --bench oui`.
//!
//! The table is static data compiled into the binary, so there is no load step; the
//! "first lookup" figure is the whole start-up cost (page faults on first touch included).

use std::hint::black_box;
use std::time::{Duration, Instant};
use v6scout::mac::Mac;
use v6scout::oui::{entries, find_vendor, lookup, table_date, table_len, Vendor};

/// xorshift64*: deterministic pseudo-random MACs without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn mac(&mut self) -> Mac {
        let b = self.next().to_be_bytes();
        Mac([b[0], b[1], b[2], b[3], b[4], b[5]])
    }
}

fn per_second(label: &str, macs: &[Mac]) {
    let rounds = 20;
    let start = Instant::now();
    let mut known = 0usize;
    for _ in 0..rounds {
        for &m in macs {
            if let Vendor::Known(_) = black_box(lookup(black_box(m))) {
                known += 1;
            }
        }
    }
    let el = start.elapsed();
    let n = macs.len() * rounds;
    println!(
        "{label:<44} {:>6.1} M lookups/s  {:>6.1} ns/lookup  ({:.0} % known)",
        n as f64 / el.as_secs_f64() / 1e6,
        el.as_nanos() as f64 / n as f64,
        100.0 * known as f64 / n as f64
    );
}

fn time<T>(label: &str, f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = black_box(f());
    let el = start.elapsed();
    println!("{label:<44} {el:>12.2?}");
    (out, el)
}

fn main() {
    // Must be the first table access in this process.
    let pi = Mac([0xb8, 0x27, 0xeb, 0x89, 0xbc, 0x51]);
    let (v, _) = time("first lookup in a fresh process", || lookup(pi));
    println!("  -> {v}");
    time("second lookup (same MAC)", || lookup(pi));
    time("lookup of another MAC", || {
        lookup(Mac([0x2c, 0xcf, 0x67, 1, 2, 3]))
    });

    println!("table: {} entries, snapshot {}", table_len(), table_date());
    let mut rng = Rng(0x5eed_0f0f_1234_5678);
    let random: Vec<Mac> = (0..100_000).map(|_| rng.mac()).collect();
    per_second("random MACs (3/4 private or multicast)", &random);
    let unicast: Vec<Mac> = random
        .iter()
        .map(|m| Mac([m.0[0] & 0xfc, m.0[1], m.0[2], m.0[3], m.0[4], m.0[5]]))
        .collect();
    per_second("random universal unicast MACs", &unicast);
    // Addresses inside random assignments: the realistic case on a LAN.
    let all = entries();
    let assigned: Vec<Mac> = (0..100_000)
        .map(|_| {
            let p = &all[(rng.next() % all.len() as u64) as usize];
            let host = rng.next() & ((1u64 << (48 - p.bits)) - 1);
            let b = (p.value << (48 - p.bits) | host).to_be_bytes();
            Mac([b[2], b[3], b[4], b[5], b[6], b[7]])
        })
        .collect();
    per_second("MACs inside assigned prefixes", &assigned);

    let (found, _) = time("find_vendor(\"raspberry\")", || find_vendor("raspberry"));
    println!("  -> {} prefixes", found.len());
    time("entries() (whole table, sorted)", entries);
}
