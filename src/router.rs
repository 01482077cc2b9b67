//! What a router says about the link: the contents of a Router Advertisement (RFC 4861
//! §4.2 and the options of RFC 4191, RFC 8106 and RFC 8781) as plain values. The probe
//! stage parses and emits them (`probe::packet`), the collector keeps the last one per
//! router, and the report shows them per interface.

use crate::mac::Mac;
use std::net::Ipv6Addr;

/// Lifetime value meaning "forever" in Prefix Information, Route Information, RDNSS and
/// DNSSL options (RFC 4861 §4.6.2, RFC 8106 §5.1).
pub const INFINITE: u32 = u32::MAX;

/// Default router preference (RFC 4191 §2.1), or a route's preference.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Preference {
    /// `11`.
    Low,
    /// `00`, and the reserved `10`, which receivers must read as medium (RFC 4191 §2.1).
    #[default]
    Medium,
    /// `01`.
    High,
}

impl Preference {
    /// From the two-bit field (already shifted down).
    #[must_use]
    pub fn from_bits(bits: u8) -> Preference {
        match bits & 0b11 {
            0b01 => Preference::High,
            0b11 => Preference::Low,
            _ => Preference::Medium,
        }
    }

    /// The two-bit field (not shifted).
    #[must_use]
    pub fn bits(self) -> u8 {
        match self {
            Preference::Low => 0b11,
            Preference::Medium => 0b00,
            Preference::High => 0b01,
        }
    }

    /// The stable name used in every output format.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Preference::Low => "low",
            Preference::Medium => "medium",
            Preference::High => "high",
        }
    }
}

/// A Prefix Information option (RFC 4861 §4.6.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrefixInfo {
    /// The prefix, with every bit beyond `len` cleared.
    pub prefix: Ipv6Addr,
    /// Prefix length in bits, 0..=128.
    pub len: u8,
    /// L flag: the prefix is on-link.
    pub on_link: bool,
    /// A flag: hosts may autoconfigure addresses (SLAAC) in it.
    pub autonomous: bool,
    /// Valid lifetime in seconds ([`INFINITE`] = forever).
    pub valid_lifetime: u32,
    /// Preferred lifetime in seconds ([`INFINITE`] = forever).
    pub preferred_lifetime: u32,
}

/// A Route Information option (RFC 4191 §2.3): a more specific route through this router.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteInfo {
    /// The route's prefix, bits beyond `len` cleared.
    pub prefix: Ipv6Addr,
    /// Prefix length, 0..=128.
    pub len: u8,
    /// The route's preference.
    pub preference: Preference,
    /// Route lifetime in seconds ([`INFINITE`] = forever).
    pub lifetime: u32,
}

/// A Recursive DNS Server option (RFC 8106 §5.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rdnss {
    /// Lifetime in seconds ([`INFINITE`] = forever, 0 = stop using them).
    pub lifetime: u32,
    /// The servers, in option order (at least one).
    pub servers: Vec<Ipv6Addr>,
}

/// A DNS Search List option (RFC 8106 §5.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dnssl {
    /// Lifetime in seconds ([`INFINITE`] = forever, 0 = stop using them).
    pub lifetime: u32,
    /// The domains, dotted, without a trailing dot (at least one).
    pub domains: Vec<String>,
}

/// A PREF64 option (RFC 8781): the NAT64 prefix the network uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pref64 {
    /// The prefix, bits beyond `len` cleared.
    pub prefix: Ipv6Addr,
    /// One of 32, 40, 48, 56, 64, 96.
    pub len: u8,
    /// Lifetime in seconds (a multiple of 8, at most 65528).
    pub lifetime: u16,
}

/// Everything a Router Advertisement says, options in packet order per kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Advert {
    /// Advertised hop limit (0 = unspecified).
    pub cur_hop_limit: u8,
    /// M flag: addresses via DHCPv6.
    pub managed: bool,
    /// O flag: other configuration via DHCPv6.
    pub other: bool,
    /// H flag: the router is a Mobile IPv6 home agent (RFC 6275 §7.1).
    pub home_agent: bool,
    /// Default router preference (RFC 4191).
    pub preference: Preference,
    /// P flag: the advertisement is proxied (RFC 4389 §4.1.3.3).
    pub proxy: bool,
    /// Router lifetime in seconds (0 = not a default router).
    pub router_lifetime: u16,
    /// Reachable time in milliseconds (0 = unspecified).
    pub reachable_time: u32,
    /// Retransmit timer in milliseconds (0 = unspecified).
    pub retrans_timer: u32,
    /// Source Link-Layer Address option (first one of length 1), as sent.
    pub source_mac: Option<Mac>,
    /// MTU option (first valid one).
    pub mtu: Option<u32>,
    /// Valid Prefix Information options.
    pub prefixes: Vec<PrefixInfo>,
    /// Valid Route Information options.
    pub routes: Vec<RouteInfo>,
    /// Valid RDNSS options.
    pub rdnss: Vec<Rdnss>,
    /// Valid DNSSL options.
    pub dnssl: Vec<Dnssl>,
    /// Valid PREF64 options.
    pub pref64: Vec<Pref64>,
}

impl Advert {
    /// True if the router offers itself as a default router.
    #[must_use]
    pub fn is_default_router(&self) -> bool {
        self.router_lifetime > 0
    }
}

/// A router heard on an interface during a scan and what it last advertised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Router {
    /// Its link-local source address.
    pub address: Ipv6Addr,
    /// Its MAC: the frame's source, else the advertisement's source link-layer option.
    pub mac: Option<Mac>,
    /// How many advertisements it sent during the scan.
    pub adverts: u32,
    /// The last advertisement.
    pub advert: Advert,
}

/// `addr` with every bit beyond `len` cleared (`len` above 128 keeps all).
#[must_use]
pub fn masked(addr: Ipv6Addr, len: u8) -> Ipv6Addr {
    let shift = 128u32.saturating_sub(u32::from(len));
    let mask = u128::MAX.checked_shl(shift).unwrap_or(0);
    Ipv6Addr::from(u128::from(addr) & mask)
}
