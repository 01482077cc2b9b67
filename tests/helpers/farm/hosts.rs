//! The farm's population: N hosts drawn from a seed (MACs, addresses, profiles), what each
//! profile does, and the truth line each host writes. Pure: no I/O.

use std::collections::HashSet;
use std::net::Ipv6Addr;

/// A small seeded generator (SplitMix64): the same seed, the same farm.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5eed_f00d_6a09_e667)
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// How a host behaves; one per host, drawn from `--profiles`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Profile {
    /// A Linux host: resolves the scanner's address (NS, waits for the NA) before it
    /// answers anything unicast, answers echo (multicast too), Parameter Problem quoting
    /// the whole invoking packet, MLD reports.
    Linux,
    /// Windows: ignores multicast echo; answers unicast echo, the Parameter Problem, NS, MLD.
    Windows,
    /// lwIP: answers echo; its Parameter Problem quotes the IPv6 header and 8 more bytes
    /// only, hop limit 255; MLD reports.
    Lwip,
    /// smoltcp: answers echo; Parameter Problem quoting the whole invoking packet; no MLD
    /// answer to queries.
    Smoltcp,
    /// A KAME-derived stack (FreeBSD, macOS): like Linux without resolving first, and
    /// answers Node Information queries (Node Addresses, Node Name).
    Bsd,
    /// A phone in doze: drops multicast echo and every multicast packet with an extension
    /// header; answers NS and unicast echo.
    Dozing,
    /// A Wi-Fi station: answers like smoltcp but loses `--loss` % of the multicast frames
    /// it receives and a sixth of that of unicast ones (unicast is retried).
    Wifi,
    /// A Wi-Fi station in power save: multicast reaches it only at its DTIM beacon, so
    /// what answers a multicast frame leaves 100–300 ms late (its own delay).
    Late,
    /// Answers nothing but Neighbour Solicitations.
    Silent,
}

/// Every profile, in the order `--profiles` lists them in help.
pub const PROFILES: [Profile; 9] = [
    Profile::Linux,
    Profile::Windows,
    Profile::Lwip,
    Profile::Smoltcp,
    Profile::Bsd,
    Profile::Dozing,
    Profile::Wifi,
    Profile::Late,
    Profile::Silent,
];

/// How much of the invoking packet a Parameter Problem quotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quote {
    /// No Parameter Problem at all.
    None,
    /// From the IPv6 header, as much as fits in the minimum MTU.
    Full,
    /// The IPv6 header and 8 more bytes (lwIP's LWIP_ICMP6_DATASIZE).
    Header8,
}

impl Profile {
    /// Its name on the command line and in the truth file.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Linux => "linux",
            Profile::Windows => "windows",
            Profile::Lwip => "lwip",
            Profile::Smoltcp => "smoltcp",
            Profile::Bsd => "bsd",
            Profile::Dozing => "dozing",
            Profile::Wifi => "wifi",
            Profile::Late => "late",
            Profile::Silent => "silent",
        }
    }

    /// The profile named `s`.
    pub fn parse(s: &str) -> Option<Profile> {
        PROFILES.into_iter().find(|p| p.name() == s)
    }

    /// Answers an echo request sent to ff02::1.
    pub fn multicast_echo(self) -> bool {
        !matches!(self, Profile::Windows | Profile::Dozing | Profile::Silent)
    }

    /// Answers an echo request sent to one of its addresses.
    pub fn unicast_echo(self) -> bool {
        self != Profile::Silent
    }

    /// What it sends for a probe behind an unknown option that asks for one.
    pub fn quote(self) -> Quote {
        match self {
            Profile::Silent => Quote::None,
            Profile::Lwip => Quote::Header8,
            _ => Quote::Full,
        }
    }

    /// Drops every multicast packet with an extension header before looking at it.
    pub fn drops_multicast_extensions(self) -> bool {
        self == Profile::Dozing
    }

    /// Reports its groups to an MLD general query.
    pub fn mld(self) -> bool {
        matches!(
            self,
            Profile::Linux
                | Profile::Windows
                | Profile::Lwip
                | Profile::Bsd
                | Profile::Wifi
                | Profile::Late
        )
    }

    /// Answers Node Information queries.
    pub fn node_info(self) -> bool {
        self == Profile::Bsd
    }

    /// Resolves a destination (NS, waits for the NA) before sending to it.
    pub fn resolves_first(self) -> bool {
        self == Profile::Linux
    }

    /// Hop limit of what it sends (NDP and MLD use their own).
    pub fn hops(self) -> u8 {
        if self == Profile::Lwip {
            255
        } else {
            64
        }
    }

    /// Whether a scanner's multicast probe can reach it at all (echo, the Parameter
    /// Problem probe or an MLD query): dozing and silent hosts can be found only by
    /// someone who already knows an address of theirs.
    pub fn findable(self) -> bool {
        !matches!(self, Profile::Dozing | Profile::Silent)
    }
}

/// `linux=60,windows=20,…` as (profile, weight) pairs.
pub fn parse_mix(s: &str) -> Result<Vec<(Profile, u32)>, String> {
    let mut mix = Vec::new();
    for part in s.split(',').filter(|p| !p.is_empty()) {
        let (name, weight) = part.split_once('=').unwrap_or((part, "1"));
        let p = Profile::parse(name).ok_or_else(|| {
            let all: Vec<_> = PROFILES.iter().map(|p| p.name()).collect();
            format!("unknown profile {name:?} (one of {})", all.join(", "))
        })?;
        let w: u32 = weight
            .parse()
            .map_err(|_| format!("bad weight {weight:?} for {name}"))?;
        mix.push((p, w));
    }
    if mix.iter().map(|m| m.1).sum::<u32>() == 0 {
        return Err("--profiles: every weight is zero".into());
    }
    Ok(mix)
}

/// One emulated host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Host {
    /// Its MAC.
    pub mac: [u8; 6],
    /// Its profile.
    pub profile: Profile,
    /// Its EUI-64 link-local address.
    pub link_local: Ipv6Addr,
    /// Its address in the farm's /64, for half of the hosts.
    pub global: Option<Ipv6Addr>,
    /// How late it answers multicast (the `late` profile), in milliseconds.
    pub dtim_ms: u32,
}

impl Host {
    /// Its addresses, link-local first.
    pub fn addresses(&self) -> impl Iterator<Item = Ipv6Addr> + '_ {
        std::iter::once(self.link_local).chain(self.global)
    }

    /// Its address of the same scope as `peer` (link-local for a link-local peer).
    pub fn address_for(&self, peer: Ipv6Addr) -> Option<Ipv6Addr> {
        if is_link_local(peer) {
            Some(self.link_local)
        } else {
            self.global
        }
    }

    /// A name for Node Name replies.
    pub fn name(&self) -> String {
        let m = self.mac;
        format!("h{:02x}{:02x}{:02x}.farm", m[3], m[4], m[5])
    }

    /// Its truth line (JSON): MAC, profile, addresses, and what a scanner can expect.
    pub fn truth_line(&self, loss_pct: u32) -> String {
        let addrs: Vec<String> = self.addresses().map(|a| a.to_string()).collect();
        let p = self.profile;
        serde_json::json!({
            "mac": format_mac(self.mac),
            "profile": p.name(),
            "silent": !p.multicast_echo(),
            "findable": p.findable(),
            "addresses": addrs,
            "loss_pct": if p == Profile::Wifi { loss_pct } else { 0 },
            "late_ms": if p == Profile::Late { self.dtim_ms } else { 0 },
        })
        .to_string()
    }
}

/// Whether `a` is in fe80::/10.
pub fn is_link_local(a: Ipv6Addr) -> bool {
    a.segments()[0] & 0xffc0 == 0xfe80
}

/// `aa:bb:cc:dd:ee:ff`.
pub fn format_mac(m: [u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}

/// The first two bytes of every MAC the forger (`--forge`) uses: no host draws one.
pub const FORGED_MAC_PREFIX: [u8; 2] = [0x02, 0xf0];
/// The fifth 16-bit group (the first of the interface ID) of every address the forger
/// uses, link-local or not: no host has one.
pub const FORGED_IID_MARK: u16 = 0x00f0;

/// Whether `m` is in the forger's range.
pub fn is_forged_mac(m: [u8; 6]) -> bool {
    m[..2] == FORGED_MAC_PREFIX
}

/// Whether `a` is in the forger's range (any prefix).
pub fn is_forged_addr(a: Ipv6Addr) -> bool {
    a.segments()[4] == FORGED_IID_MARK
}

/// Vendor OUIs (globally administered) the farm's wired and wireless hosts carry.
const OUIS: [[u8; 3]; 10] = [
    [0x3c, 0x22, 0xfb], // Apple
    [0xf0, 0x18, 0x98], // Apple
    [0x00, 0x1b, 0x21], // Intel
    [0xb8, 0x27, 0xeb], // Raspberry Pi
    [0xdc, 0xa6, 0x32], // Raspberry Pi
    [0x00, 0x15, 0x5d], // Microsoft
    [0x00, 0x0c, 0x29], // VMware
    [0xe4, 0x5f, 0x01], // Raspberry Pi
    [0x00, 0xe0, 0x4c], // Realtek
    [0xf8, 0xbc, 0x12], // Dell
];

/// A MAC: a vendor OUI for 60 % of hosts, a random locally administered one (a phone's
/// private MAC) for the rest.
fn draw_mac(rng: &mut Rng) -> [u8; 6] {
    let r = rng.next().to_be_bytes();
    if rng.below(10) < 6 {
        let oui = OUIS[rng.below(OUIS.len() as u64) as usize];
        [oui[0], oui[1], oui[2], r[0], r[1], r[2]]
    } else {
        [(r[0] & 0xfc) | 0x02, r[1], r[2], r[3], r[4], r[5]]
    }
}

/// The modified EUI-64 interface ID of `mac` under the 64-bit `prefix`.
pub fn eui64(prefix: [u8; 8], mac: [u8; 6]) -> Ipv6Addr {
    let mut o = [0u8; 16];
    o[..8].copy_from_slice(&prefix);
    o[8..].copy_from_slice(&[
        mac[0] ^ 2,
        mac[1],
        mac[2],
        0xff,
        0xfe,
        mac[3],
        mac[4],
        mac[5],
    ]);
    Ipv6Addr::from(o)
}

/// Exactly `n` profiles in the proportions of `mix` (largest remainders), shuffled.
fn deal_profiles(n: usize, mix: &[(Profile, u32)], rng: &mut Rng) -> Vec<Profile> {
    let total: u64 = mix.iter().map(|m| u64::from(m.1)).sum();
    let mut counts: Vec<(usize, u64, Profile)> = mix
        .iter()
        .map(|&(p, w)| {
            let exact = n as u64 * u64::from(w);
            ((exact / total) as usize, exact % total, p)
        })
        .collect();
    let mut short = n - counts.iter().map(|c| c.0).sum::<usize>();
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(counts[i].1));
    for i in order {
        if short == 0 {
            break;
        }
        counts[i].0 += 1;
        short -= 1;
    }
    let mut out: Vec<Profile> = counts
        .iter()
        .flat_map(|&(c, _, p)| std::iter::repeat_n(p, c))
        .collect();
    for i in (1..out.len()).rev() {
        out.swap(i, rng.below(i as u64 + 1) as usize);
    }
    out
}

/// The farm of `n` hosts from `seed`: unique MACs, EUI-64 link-local addresses, a global
/// address in `prefix` for every other host (EUI-64 or, for one in two of those, a random
/// interface ID as stable-privacy addresses have), profiles dealt from `mix`.
pub fn population(n: usize, seed: u64, mix: &[(Profile, u32)], prefix: [u8; 8]) -> Vec<Host> {
    let mut rng = Rng::new(seed);
    let profiles = deal_profiles(n, mix, &mut rng);
    let mut macs = HashSet::new();
    let mut addrs = HashSet::new();
    let mut hosts = Vec::with_capacity(n);
    for (i, profile) in profiles.into_iter().enumerate() {
        let mac = loop {
            let m = draw_mac(&mut rng);
            if !is_forged_mac(m) && macs.insert(m) {
                break m;
            }
        };
        let link_local = eui64([0xfe, 0x80, 0, 0, 0, 0, 0, 0], mac);
        let global = (i % 2 == 0).then(|| loop {
            let a = if i % 4 == 0 {
                let mut o = [0u8; 16];
                o[..8].copy_from_slice(&prefix);
                o[8..].copy_from_slice(&rng.next().to_be_bytes());
                Ipv6Addr::from(o)
            } else {
                eui64(prefix, mac)
            };
            // ::1 is the scanner's; the forger's range is nobody's.
            if a.octets()[8..] != [0, 0, 0, 0, 0, 0, 0, 1] && !is_forged_addr(a) && addrs.insert(a)
            {
                break a;
            }
        });
        let dtim_ms = 100 + rng.below(201) as u32;
        hosts.push(Host {
            mac,
            profile,
            link_local,
            global,
            dtim_ms,
        });
    }
    hosts
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const PREFIX: [u8; 8] = [0x20, 0x01, 0x0d, 0xb8, 0, 0x0f, 0, 0];

    #[test]
    fn the_same_seed_gives_the_same_farm() {
        let mix = parse_mix("linux=60,windows=20,dozing=10,silent=10").unwrap();
        let a = population(1000, 7, &mix, PREFIX);
        assert_eq!(a, population(1000, 7, &mix, PREFIX));
        assert_ne!(a, population(1000, 8, &mix, PREFIX));
        let count = |p| a.iter().filter(|h| h.profile == p).count();
        assert_eq!(count(Profile::Linux), 600);
        assert_eq!(count(Profile::Windows), 200);
        assert_eq!(count(Profile::Silent), 100);
        assert_eq!(a.iter().filter(|h| h.global.is_some()).count(), 500);
        let macs: HashSet<_> = a.iter().map(|h| h.mac).collect();
        assert_eq!(macs.len(), 1000);
        assert!(a.iter().all(|h| h.mac[0] & 1 == 0), "unicast MACs only");
        assert!(a.iter().any(|h| h.mac[0] & 2 == 2), "some private MACs");
        assert!(a.iter().all(|h| !is_forged_mac(h.mac)));
        assert!(a
            .iter()
            .flat_map(Host::addresses)
            .all(|a| !is_forged_addr(a)));
    }

    #[test]
    fn odd_sizes_deal_every_host() {
        let mix = parse_mix("linux=1,windows=1,bsd=1").unwrap();
        let a = population(7, 1, &mix, PREFIX);
        assert_eq!(a.len(), 7);
        assert!(parse_mix("linux=0").is_err());
        assert!(parse_mix("plan9=1").is_err());
    }

    #[test]
    fn eui64_and_scope() {
        let mac = [0x3c, 0x22, 0xfb, 1, 2, 3];
        let ll = eui64([0xfe, 0x80, 0, 0, 0, 0, 0, 0], mac);
        assert_eq!(ll, "fe80::3e22:fbff:fe01:203".parse::<Ipv6Addr>().unwrap());
        let h = Host {
            mac,
            profile: Profile::Linux,
            link_local: ll,
            global: None,
            dtim_ms: 100,
        };
        assert_eq!(h.address_for("fe80::1".parse().unwrap()), Some(ll));
        assert_eq!(h.address_for("2001:db8:f::1".parse().unwrap()), None);
        let line: serde_json::Value = serde_json::from_str(&h.truth_line(30)).unwrap();
        assert_eq!(line["mac"], "3c:22:fb:01:02:03");
        assert_eq!(line["silent"], false);
    }
}
