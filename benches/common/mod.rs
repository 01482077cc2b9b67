//! Shared by the benchmarks: a deterministic simulated link of any size with the lab's mix.
#![allow(dead_code)] // each bench uses a part

use std::net::Ipv6Addr;
use v6scout::iface::{IfAddr, Interface};
use v6scout::mac::Mac;
use v6scout::probe::sim::SimHost;

/// xorshift64*: deterministic pseudo-random values without a dependency.
pub struct Rng(pub u64);
impl Rng {
    /// The next value.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

pub const GLOBAL: u128 = 0x2001_0db8_0001_0000 << 64;
pub const ULA: u128 = 0xfd00_0001_0000_0000 << 64;
pub const LINK_LOCAL: u128 = 0xfe80 << 112;

/// The lab's mix (design.md §5) at any size: real vendor OUIs and private MACs, a quarter
/// ignoring multicast echo, a third with a global address (some also a ULA), one router.
pub fn hosts(n: usize) -> Vec<SimHost> {
    const OUIS: [[u8; 3]; 6] = [
        [0xb8, 0x27, 0xeb],
        [0xdc, 0xa6, 0x32],
        [0x3c, 0x22, 0xfb],
        [0x00, 0x1b, 0x21],
        [0xf0, 0x9f, 0xc2],
        [0x00, 0x0c, 0x29],
    ];
    let mut rng = Rng(0x5eed_1234_abcd_0042);
    (0..n)
        .map(|k| {
            let r = rng.next().to_be_bytes();
            let mac = if k % 5 == 1 {
                Mac([0x4a, r[0], r[1], r[2], (k >> 8) as u8, k as u8])
            } else {
                let o = OUIS[k % OUIS.len()];
                Mac([o[0], o[1], o[2], r[0], (k >> 8) as u8, k as u8])
            };
            let iid = u128::from(rng.next());
            let mut addrs = vec![Ipv6Addr::from(LINK_LOCAL | iid)];
            if k % 3 == 0 {
                addrs.push(Ipv6Addr::from(GLOBAL | iid));
                if k % 6 == 0 {
                    addrs.push(Ipv6Addr::from(ULA | iid));
                }
            }
            SimHost {
                mac,
                addrs,
                ignores_multicast_echo: k % 4 == 3,
                router_prefixes: (k == 0).then(|| vec![(Ipv6Addr::from(GLOBAL), 64)]),
                quirks: Default::default(),
            }
        })
        .collect()
}

pub fn interface() -> Interface {
    let addr = |a: u128| IfAddr {
        addr: Ipv6Addr::from(a),
        prefix_len: 64,
    };
    Interface {
        name: "eth0".into(),
        index: 2,
        mac: Some(Mac([2, 0, 0x5e, 0x10, 0, 1])),
        up: true,
        multicast: true,
        loopback: false,
        addrs: vec![
            addr(LINK_LOCAL | 0xffff),
            addr(GLOBAL | 0xffff),
            addr(ULA | 0xffff),
        ],
    }
}

/// What one scan of these hosts reports to the collector (answers arrive at once).
pub fn observations(hosts: Vec<SimHost>) -> Vec<v6scout::model::Observation> {
    use std::time::Duration;
    use v6scout::probe::worker::{self, WorkerConfig};
    let mut obs = Vec::new();
    let mut link = v6scout::probe::sim::SimLink::new(hosts);
    let i = interface();
    let cfg = WorkerConfig {
        ifindex: i.index,
        mac: i.mac,
        sources: i.addrs.iter().map(|a| a.addr).collect(),
        own: i.addrs.iter().map(|a| a.addr).collect(),
        // Long enough to take in every answer of a 10,000-host link on a busy machine.
        wait: Duration::from_millis(400),
        rounds: 2,
        tag: v6scout::app::engine::random_tag(),
        max_hosts: 1_000_000,
        max_answers: 1_000_000,
        mld: false,
        node_name: false,
        prefixes: i.addrs.iter().map(|a| a.prefix()).collect(),
        recall: Vec::new(),
        early_end: false,
        stop: None,
        inbox: None,
    };
    let (_, failed) = worker::run(&mut link, &cfg, &mut |o| obs.push(o));
    assert!(failed.is_none(), "simulated sends succeed");
    obs
}
