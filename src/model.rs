//! The vocabulary shared by the probe workers, the collector and the renderers:
//! what was seen, how, and IPv6 prefixes.

use crate::mac::Mac;
use crate::router::Advert;
use std::fmt;
use std::net::Ipv6Addr;
use std::time::Duration;

/// How an address was seen during a scan. The order is the display order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SeenBy {
    /// Answered our echo request to ff02::1.
    Echo,
    /// Answered our unknown-destination-option probe with Parameter Problem
    /// (hosts that ignore multicast echo still do this, RFC 8200 §4.2).
    ParamProblem,
    /// Answered our Neighbour Solicitation with a Neighbour Advertisement.
    Ndp,
    /// Sent a Router Advertisement during the scan.
    Ra,
    /// Reported its multicast groups in answer to our MLD query (`--mld`), or was
    /// confirmed as an address those groups implied.
    Mld,
    /// Listed in its Node Information reply (RFC 4620), or sent one: the address was then
    /// confirmed by a Neighbour Solicitation answered with the replier's MAC.
    NodeInfo,
    /// Announced in the AAAA records of its host's mDNS name, then confirmed by a
    /// Neighbour Solicitation answered with that host's MAC.
    Mdns,
    /// Sent neighbour discovery of its own during the scan: a Neighbour Solicitation (for
    /// our address, or duplicate address detection as it joins), a Router Solicitation,
    /// an unsolicited Neighbour Advertisement.
    Heard,
    /// Only present in the kernel's neighbour cache; nothing confirmed it during this scan.
    Cache,
}

/// Whether an address seen these ways answered a probe that carries this scan's cookie
/// or nonce (echo, Parameter Problem, Node Information, an mDNS confirmation): what a
/// forger on the link cannot make up by the thousand. Only such a row takes the router
/// mark from its MAC, so a forger that puts one MAC behind a router's advertisement and
/// another address does not make two routers of it.
pub fn answered_probe<'a>(seen_by: impl IntoIterator<Item = &'a SeenBy>) -> bool {
    seen_by.into_iter().any(|s| {
        matches!(
            s,
            SeenBy::Echo | SeenBy::ParamProblem | SeenBy::NodeInfo | SeenBy::Mdns
        )
    })
}

/// Whether an address seen these ways is a confirmed device: it answered a probe of ours
/// ([`answered_probe`]), or our own solicitation when it was not merely heard announcing
/// itself. Rows known only from their own advertisements and solicitations, or the
/// kernel's cache, are not remembered as devices.
pub fn confirmed<'a>(seen_by: impl IntoIterator<Item = &'a SeenBy> + Clone) -> bool {
    let heard = seen_by.clone().into_iter().any(|s| *s == SeenBy::Heard);
    let solicited = seen_by.clone().into_iter().any(|s| *s == SeenBy::Ndp);
    answered_probe(seen_by) || (solicited && !heard)
}

impl SeenBy {
    /// Every kind, in display order.
    pub const ALL: [SeenBy; 9] = [
        SeenBy::Echo,
        SeenBy::ParamProblem,
        SeenBy::Ndp,
        SeenBy::Ra,
        SeenBy::Mld,
        SeenBy::NodeInfo,
        SeenBy::Mdns,
        SeenBy::Heard,
        SeenBy::Cache,
    ];

    /// The kind whose stable name is `name`.
    pub fn from_name(name: &str) -> Option<SeenBy> {
        SeenBy::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The stable name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            SeenBy::Echo => "echo",
            SeenBy::ParamProblem => "param-problem",
            SeenBy::Ndp => "ndp",
            SeenBy::Ra => "ra",
            SeenBy::Mld => "mld",
            SeenBy::NodeInfo => "node-info",
            SeenBy::Mdns => "mdns",
            SeenBy::Heard => "heard",
            SeenBy::Cache => "cache",
        }
    }
}

impl fmt::Display for SeenBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One fact a probe worker learned, sent to the collector.
#[derive(Clone, Debug, PartialEq)]
pub enum Observation {
    /// A live address on the interface, confirmed by an answer to one of our probes.
    Address {
        /// Interface index the answer arrived on.
        ifindex: u32,
        /// The answering address.
        addr: Ipv6Addr,
        /// Which probe it answered.
        via: SeenBy,
        /// Its MAC, when the answer carried one (NA target / RA source link-layer option):
        /// the neighbour's own word.
        mac: Option<Mac>,
        /// The source MAC of the frame the answer came in, when the platform sees frames.
        frame_mac: Option<Mac>,
        /// Round-trip time of an echo or Parameter Problem answer.
        rtt: Option<Duration>,
        /// It advertised itself as a router (RA with non-zero lifetime, or NA router flag).
        router: bool,
    },
    /// A MAC a neighbour announced for its own address (the source link-layer option of a
    /// Neighbour Solicitation it sent to resolve us). It never creates a host by itself.
    MacHint {
        /// Interface index.
        ifindex: u32,
        /// The soliciting address.
        addr: Ipv6Addr,
        /// Its announced MAC.
        mac: Mac,
    },
    /// A Router Advertisement heard, with everything it says.
    Router {
        /// Interface index.
        ifindex: u32,
        /// The router's link-local source address.
        addr: Ipv6Addr,
        /// The frame's source MAC, else the advertisement's source link-layer option.
        mac: Option<Mac>,
        /// The advertisement.
        advert: Box<Advert>,
    },
    /// A neighbour's word about the MAC of an address: an NA's target link-layer option,
    /// or the source link-layer option of its NS or RA. Kept beside the merged address so
    /// conflicting claims are flagged, never merged away.
    Claim {
        /// Interface index.
        ifindex: u32,
        /// The address claimed.
        addr: Ipv6Addr,
        /// The MAC claimed for it.
        mac: Mac,
        /// Which message said so.
        via: ClaimVia,
    },
    /// A name a node gave itself in its Node Information reply (RFC 4620 Node Name), as
    /// sent: the caller cleans it like any other name. It never creates a host by itself.
    Name {
        /// Interface index.
        ifindex: u32,
        /// The replying address.
        addr: Ipv6Addr,
        /// The name, without the final dot.
        name: String,
    },
    /// An on-link prefix from a Router Advertisement.
    Prefix {
        /// Interface index.
        ifindex: u32,
        /// The advertised prefix.
        prefix: Ipv6Prefix,
    },
}

/// The message of a [`Observation::Claim`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ClaimVia {
    /// A Neighbour Advertisement (answering us, or unsolicited).
    Advert {
        /// O flag: the sender claims the address as its own (clear: anycast or proxy).
        override_flag: bool,
        /// R flag: the sender says it is a router.
        router: bool,
    },
    /// A Neighbour Solicitation's source option.
    Solicit,
    /// A Router Advertisement's source option.
    RouterAdvert,
}

impl ClaimVia {
    /// A Neighbour Advertisement with these O and R flags.
    pub fn advert(override_flag: bool, router: bool) -> ClaimVia {
        ClaimVia::Advert {
            override_flag,
            router,
        }
    }
}

/// What kind of address space a prefix belongs to. The order is the display order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrefixKind {
    /// fe80::/10.
    LinkLocal,
    /// Global unicast.
    Global,
    /// Unique local, fc00::/7.
    Ula,
}

impl PrefixKind {
    /// The kind of a unicast address.
    pub fn of(addr: Ipv6Addr) -> PrefixKind {
        let first = addr.segments()[0];
        if first & 0xffc0 == 0xfe80 {
            PrefixKind::LinkLocal
        } else if first & 0xfe00 == 0xfc00 {
            PrefixKind::Ula
        } else {
            PrefixKind::Global
        }
    }

    /// The stable name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            PrefixKind::LinkLocal => "link-local",
            PrefixKind::Global => "global",
            PrefixKind::Ula => "ula",
        }
    }
}

/// True for addresses that need a `%iface` zone to be usable (link-local unicast).
pub fn is_link_local(addr: Ipv6Addr) -> bool {
    PrefixKind::of(addr) == PrefixKind::LinkLocal
}

/// True for addresses that can belong to a neighbour: not multicast, unspecified or loopback.
pub fn is_host_address(addr: Ipv6Addr) -> bool {
    !(addr.is_multicast() || addr.is_unspecified() || addr.is_loopback())
}

/// An IPv6 prefix: an address with every bit past `len` cleared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ipv6Prefix {
    addr: Ipv6Addr,
    len: u8,
}

impl Ipv6Prefix {
    /// The prefix of length `len` (clamped to 128) containing `addr`.
    pub fn new(addr: Ipv6Addr, len: u8) -> Self {
        let len = len.min(128);
        Ipv6Prefix {
            addr: crate::router::masked(addr, len),
            len,
        }
    }

    /// The network address.
    pub fn addr(&self) -> Ipv6Addr {
        self.addr
    }

    /// The prefix length in bits.
    pub fn len(&self) -> u8 {
        self.len
    }

    /// True for ::/0.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// True if `addr` lies inside this prefix.
    pub fn contains(&self, addr: Ipv6Addr) -> bool {
        Ipv6Prefix::new(addr, self.len).addr == self.addr
    }

    /// The kind of address space this prefix is in.
    pub fn kind(&self) -> PrefixKind {
        PrefixKind::of(self.addr)
    }
}

impl fmt::Display for Ipv6Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// How an address's interface ID was formed, as far as the wire tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IidKind {
    /// Derived from the MAC (modified EUI-64): stable, and it reveals the MAC.
    Eui64,
    /// A small ID set by hand or DHCPv6 (`::10`, `::1`).
    Manual,
    /// Random: a temporary (RFC 8981) address — or a stable-privacy one (RFC 7217),
    /// which looks the same on the wire.
    Temporary,
}

impl IidKind {
    /// The stable name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            IidKind::Eui64 => "eui64",
            IidKind::Manual => "manual",
            IidKind::Temporary => "temporary",
        }
    }

    /// Classifies the low 64 bits of `addr`; `mac` is the owner's MAC when known.
    pub fn of(addr: Ipv6Addr, mac: Option<Mac>) -> IidKind {
        let iid = interface_id(addr);
        let b = iid.to_be_bytes();
        if mac.is_some_and(|m| u64::from_be_bytes(m.eui64_interface_id()) == iid)
            || (b[3] == 0xff && b[4] == 0xfe)
        {
            IidKind::Eui64
        } else if iid < 1 << 16 {
            IidKind::Manual
        } else {
            IidKind::Temporary
        }
    }
}

/// The low 64 bits of an address.
pub fn interface_id(addr: Ipv6Addr) -> u64 {
    u128::from(addr) as u64
}

/// `fe80::1%eth0` for link-local addresses (what `ssh` needs), the bare address otherwise.
pub fn scoped(addr: Ipv6Addr, iface: &str) -> String {
    if is_link_local(addr) {
        format!("{addr}%{iface}")
    } else {
        addr.to_string()
    }
}

/// One neighbour on one interface, as every stage counts hosts: by its MAC, or — while
/// its MAC is unknown — by the bare address. The order (MACs first) is the display order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HostKey {
    /// A host whose MAC is known.
    Mac(Mac),
    /// An address whose MAC is unknown: a host of its own.
    Addr(Ipv6Addr),
}

impl HostKey {
    /// The key of the host holding `addr` with `mac`.
    pub fn of(mac: Option<Mac>, addr: Ipv6Addr) -> HostKey {
        mac.map_or(HostKey::Addr(addr), HostKey::Mac)
    }

    /// The MAC, for a host known by it.
    pub fn mac(&self) -> Option<Mac> {
        match self {
            HostKey::Mac(m) => Some(*m),
            HostKey::Addr(_) => None,
        }
    }
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
