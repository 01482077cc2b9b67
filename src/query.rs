//! The QUERY of `resolve`, `ssh` and `connect`: parsing it and matching it against a
//! [`Report`]. Pure: no I/O.
//!
//! Parsing rules, in order (the first that applies wins):
//! 1. `ADDR/LEN` is an IPv6 prefix (`2001:db8::/64`).
//! 2. `ADDR%ZONE` is an IPv6 address on interface ZONE (`fe80::1%eth0`).
//! 3. Anything that parses as an IPv6 address is one (`fe80::1`, `2001:db8:1::5`), and a
//!    dotted IPv4 address is one (`192.0.2.7`: the host with that IPv4 address; the
//!    inventory and the ARP table map it to a MAC when the host lost it).
//! 4. A full MAC in any common notation (`b8:27:eb:89:bc:51`, `B8-27-EB-89-BC-51`,
//!    `b827.eb89.bc51`, `b827eb89bc51`).
//! 5. A MAC prefix: two-digit hex groups separated by `:` or `-` (the last group may be a
//!    single digit, the first half of that octet: `b8:27:eb:8`, like the 28-bit blocks
//!    `70:b3:d5:4` of the OUI table; six groups are always a full MAC, step 4), four-digit groups separated by `.` (`b827.eb`), or at least
//!    six bare hex digits (`b827eb`). It must hold at least the 24-bit OUI (6 hex digits):
//!    `b8:27` is rejected, because so short a prefix spans many vendors and is nearly always
//!    a typo. A query in MAC notation with the wrong length or a bad group is an error, never
//!    silently taken for a name.
//! 6. Anything else is a word: it matches the device an admin labelled so (`v6scout label`,
//!    ignoring case); if none is, hosts whose name equals it (ignoring case and a trailing
//!    `.local` or `.`); if no host has that name, hosts whose MAC vendor contains it
//!    (ignoring case).

mod label;

pub use label::{check_label, MAX_LABEL_CHARS};

use crate::mac::{self, Mac};
use crate::model::{Ipv6Prefix, PrefixKind};
use crate::oui::Vendor;
use crate::report::{fold_label, HostRow, Report};
use std::fmt;
use std::net::Ipv6Addr;
use std::str::FromStr;

/// A parsed QUERY.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    /// A full MAC address.
    Mac(Mac),
    /// The first `nibbles.len()` hex digits of a MAC (6 to 11 of them).
    MacPrefix(Vec<u8>),
    /// One address, optionally on one interface (name or index).
    Address(Ipv6Addr, Option<String>),
    /// Every address in a prefix.
    Prefix(Ipv6Prefix),
    /// The host that has (or had) this IPv4 address.
    Ipv4(std::net::Ipv4Addr),
    /// A host name or a vendor substring (see the module doc).
    Word(String),
}

/// Why a QUERY could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError(pub String);

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for QueryError {}

/// Fewest hex digits a MAC prefix may have: one 24-bit OUI.
pub const MIN_PREFIX_DIGITS: usize = 6;

impl FromStr for Query {
    type Err = QueryError;

    fn from_str(raw: &str) -> Result<Self, QueryError> {
        let s = raw.trim();
        let err = |why: &str| Err(QueryError(format!("'{raw}' {why}")));
        if s.is_empty() {
            return Err(QueryError(
                "the query is empty: give a MAC, a MAC prefix, a vendor, a name or an address"
                    .into(),
            ));
        }
        if s.chars().any(char::is_control) {
            return err("contains control characters");
        }
        if let Some((addr, len)) = s.split_once('/') {
            let Ok(addr) = addr.parse::<Ipv6Addr>() else {
                return err("is not an IPv6 prefix (expected e.g. 2001:db8:1::/64)");
            };
            return match len.parse::<u8>() {
                Ok(len) if len <= 128 => Ok(Query::Prefix(Ipv6Prefix::new(addr, len))),
                _ => err("has a bad prefix length (expected 0 to 128, e.g. 2001:db8:1::/64)"),
            };
        }
        if let Some((addr, zone)) = s.split_once('%') {
            return match addr.parse::<Ipv6Addr>() {
                Ok(a) if !zone.is_empty() => Ok(Query::Address(a, Some(zone.to_string()))),
                _ => err("is not a scoped IPv6 address (expected e.g. fe80::1%eth0)"),
            };
        }
        if let Ok(a) = s.parse::<Ipv6Addr>() {
            return Ok(Query::Address(a, None));
        }
        if let Ok(a) = s.parse::<std::net::Ipv4Addr>() {
            return Ok(Query::Ipv4(a));
        }
        if let Ok(m) = s.parse::<Mac>() {
            return Ok(Query::Mac(m));
        }
        match mac_prefix(s) {
            MacLike::Prefix(p) => Ok(Query::MacPrefix(p)),
            MacLike::TooShort => err(&format!(
                "is too short for a MAC prefix: give at least the {MIN_PREFIX_DIGITS}-digit OUI (e.g. b8:27:eb)"
            )),
            MacLike::TooLong => err("has too many hex digits for a MAC (a MAC has 12)"),
            MacLike::Malformed => err(
                "looks like a MAC but is malformed (expected e.g. b8:27:eb:89:bc:51, a prefix such as b8:27:eb, or an IPv6 address)",
            ),
            MacLike::No if s.contains(':') => {
                err("is neither a MAC, a MAC prefix nor an IPv6 address")
            }
            MacLike::No => Ok(Query::Word(s.to_string())),
        }
    }
}

enum MacLike {
    Prefix(Vec<u8>),
    TooShort,
    TooLong,
    Malformed,
    No,
}

/// Classifies `s` as a MAC prefix, an error in MAC notation, or not MAC-like at all.
fn mac_prefix(s: &str) -> MacLike {
    let Some(digits) = mac::hex_digits(s) else {
        return MacLike::No;
    };
    let colon = s.contains(':');
    let dash = s.contains('-');
    let dot = s.contains('.');
    let groups_ok = |sep: char, width: usize| {
        let g: Vec<&str> = s.split(sep).collect();
        let (last, rest) = g.split_last().unwrap_or((&"", &[]));
        rest.iter().all(|x| x.len() == width) && (1..=width).contains(&last.len())
    };
    let shaped = match (colon, dash, dot) {
        (false, false, false) => digits.len() >= MIN_PREFIX_DIGITS,
        (true, false, false) => groups_ok(':', 2),
        (false, true, false) => groups_ok('-', 2),
        (false, false, true) => groups_ok('.', 4),
        // Mixed separators: a MAC typo if colons are involved, else a name ("ab-cd.local").
        _ if colon => return MacLike::Malformed,
        _ => false,
    };
    if !shaped {
        // Hex words with dashes or dots in other shapes are names ("cafe-babe", "a.b").
        return if colon {
            MacLike::Malformed
        } else {
            MacLike::No
        };
    }
    match digits.len() {
        n if n < MIN_PREFIX_DIGITS => MacLike::TooShort,
        n if n >= 12 => MacLike::TooLong,
        _ => MacLike::Prefix(digits),
    }
}

impl Query {
    /// True if `row` (on interface `iface`, index `index`) is one this query asks for.
    /// `hit` says what a word matched in the whole report (a label, else a name, else
    /// vendors).
    fn matches_row(&self, row: &HostRow, iface: &str, index: u32, hit: WordHit) -> bool {
        match self {
            Query::Mac(m) => row.mac == Some(*m),
            Query::MacPrefix(p) => row.mac.is_some_and(|m| mac_starts_with(m, p)),
            Query::Address(a, zone) => {
                row.address == *a
                    && zone
                        .as_deref()
                        .is_none_or(|z| z == iface || z.parse::<u32>() == Ok(index))
            }
            Query::Prefix(p) => p.contains(row.address),
            Query::Ipv4(a) => row.ipv4.contains(a),
            Query::Word(w) => match hit {
                WordHit::Label => row.label.as_deref().is_some_and(|l| same_label(l, w)),
                WordHit::Name => row.names.iter().any(|n| same_name(n, w)),
                WordHit::Vendor => vendor_contains(row.vendor, w),
            },
        }
    }

    /// Address queries select single addresses of a host; the others whole hosts.
    fn selects_addresses(&self) -> bool {
        matches!(self, Query::Address(..) | Query::Prefix(_))
    }
}

/// What a word query matches: the device labelled so, if one is; else the hosts named so,
/// if any is; else vendors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WordHit {
    /// A device carries the word as its label.
    Label,
    /// A host carries the word as a name.
    Name,
    /// Neither: the word is a vendor substring.
    Vendor,
}

impl WordHit {
    /// What `word` matches among devices with these labels and these names.
    pub fn of<'a>(
        word: &str,
        labels: impl IntoIterator<Item = &'a str>,
        names: impl IntoIterator<Item = &'a str>,
    ) -> WordHit {
        if labels.into_iter().any(|l| same_label(l, word)) {
            WordHit::Label
        } else if names.into_iter().any(|n| same_name(n, word)) {
            WordHit::Name
        } else {
            WordHit::Vendor
        }
    }
}

/// Labels compare ignoring case, and only whole (a label is the admin's exact word).
pub fn same_label(label: &str, word: &str) -> bool {
    fold_label(label) == fold_label(word.trim())
}

fn mac_starts_with(m: Mac, nibbles: &[u8]) -> bool {
    let all = m.0.iter().flat_map(|b| [b >> 4, b & 0xf]);
    nibbles.len() <= 12 && all.zip(nibbles).all(|(a, b)| a == *b)
}

/// Host names compare ignoring case and a trailing `.` or `.local`/`.local.`.
pub fn same_name(a: &str, b: &str) -> bool {
    fn norm(s: &str) -> String {
        let s = s.trim().trim_end_matches('.').to_lowercase();
        match s.strip_suffix(".local") {
            Some(base) if !base.is_empty() => base.to_string(),
            _ => s,
        }
    }
    norm(a) == norm(b)
}

fn vendor_contains(v: Vendor, word: &str) -> bool {
    v.name()
        .is_some_and(|n| n.to_lowercase().contains(&word.trim().to_lowercase()))
}

/// Which address to pick for a host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Prefer {
    /// The link-local address (with its `%iface`), else a global, else a ULA.
    #[default]
    LinkLocal,
    /// A global address, else a ULA, else the link-local.
    Global,
}

/// One address of a matched host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchedAddr {
    /// The address.
    pub address: Ipv6Addr,
    /// As ssh needs it (`fe80::…%eth0` for link-local).
    pub scoped: String,
}

/// One host that matched: a MAC on an interface, or a lone address without a known MAC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostMatch {
    /// The interface it was found on.
    pub iface: String,
    /// That interface's index (the scope id of its link-local addresses).
    pub index: u32,
    /// Its MAC, when known.
    pub mac: Option<Mac>,
    /// Its MAC's vendor.
    pub vendor: Vendor,
    /// Its label, then its names (deduplicated).
    pub names: Vec<String>,
    /// The matching addresses, in report order (link-local, global, ULA).
    pub addresses: Vec<MatchedAddr>,
}

impl HostMatch {
    /// The address to use, by preference (`None` only if it has no address at all).
    pub fn pick(&self, prefer: Prefer) -> Option<&MatchedAddr> {
        self.ranked(prefer).first().copied()
    }

    /// Every address, best first by `prefer` (the first is [`HostMatch::pick`]'s choice).
    pub fn ranked(&self, prefer: Prefer) -> Vec<&MatchedAddr> {
        let mut v: Vec<&MatchedAddr> = self.addresses.iter().collect();
        // A stable sort keeps report order among equals, as `pick` does.
        v.sort_by_key(|a| match (prefer, PrefixKind::of(a.address)) {
            (Prefer::LinkLocal, PrefixKind::LinkLocal) | (Prefer::Global, PrefixKind::Global) => 0,
            (Prefer::LinkLocal, PrefixKind::Global) | (Prefer::Global, PrefixKind::Ula) => 1,
            (Prefer::LinkLocal, PrefixKind::Ula) | (Prefer::Global, PrefixKind::LinkLocal) => 2,
        });
        v
    }

    /// One line for a list of candidates: interface, MAC, vendor, names, addresses.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{:<8} {:<17}",
            self.iface,
            self.mac
                .map_or_else(|| "(MAC unknown)".to_string(), |m| m.to_string())
        );
        let vendor = self.vendor.to_string();
        if !vendor.is_empty() {
            s.push_str(&format!("  {vendor}"));
        }
        if !self.names.is_empty() {
            s.push_str(&format!("  [{}]", self.names.join(", ")));
        }
        for a in &self.addresses {
            s.push_str("  ");
            s.push_str(&a.scoped);
        }
        s
    }
}

/// The candidates of an ambiguous match, one line each, in aligned columns: interface,
/// MAC, vendor, names, addresses (no trailing blanks).
pub fn describe_all(hosts: &[HostMatch]) -> Vec<String> {
    let cells: Vec<[String; 5]> = hosts
        .iter()
        .map(|h| {
            [
                h.iface.clone(),
                h.mac
                    .map_or_else(|| "(MAC unknown)".to_string(), |m| m.to_string()),
                h.vendor.to_string(),
                if h.names.is_empty() {
                    String::new()
                } else {
                    format!("[{}]", h.names.join(", "))
                },
                h.addresses
                    .iter()
                    .map(|a| a.scoped.as_str())
                    .collect::<Vec<_>>()
                    .join("  "),
            ]
        })
        .collect();
    let width = |i: usize| {
        cells
            .iter()
            .map(|c| c[i].chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..5).map(width).collect();
    cells
        .iter()
        .map(|c| {
            let mut line = String::new();
            for (i, text) in c.iter().enumerate() {
                // A column nobody has takes no room.
                if widths[i] == 0 {
                    continue;
                }
                if !line.is_empty() {
                    line.push_str("  ");
                }
                line.push_str(&format!("{text:<w$}", w = widths[i]));
            }
            line.trim_end().to_string()
        })
        .collect()
}

/// Every host of `report` that `query` matches, in report order. Our own addresses and
/// stale cache entries never match. Hosts are told apart by interface and MAC (or, without
/// a MAC, by address); for MAC, vendor and name queries every address of a matched host is
/// kept, for address and prefix queries only the matching ones.
pub fn find(report: &Report, query: &Query) -> Vec<HostMatch> {
    let live = || {
        report.interfaces.iter().flat_map(|i| {
            i.prefixes
                .iter()
                .flat_map(|p| &p.hosts)
                .filter(|h| !h.is_self && !h.stale)
                .map(move |h| (i, h))
        })
    };
    let hit = match query {
        Query::Word(w) => WordHit::of(
            w,
            live().filter_map(|(_, h)| h.label.as_deref()),
            live().flat_map(|(_, h)| h.names.iter().map(String::as_str)),
        ),
        _ => WordHit::Vendor,
    };
    let mut out: Vec<HostMatch> = Vec::new();
    let mut hit_keys: Vec<(&str, Mac)> = Vec::new();
    for (i, h) in live() {
        if query.matches_row(h, &i.name, i.index, hit) {
            if let Some(m) = h.mac {
                if !hit_keys.contains(&(i.name.as_str(), m)) {
                    hit_keys.push((i.name.as_str(), m));
                }
            }
        }
    }
    for (i, h) in live() {
        let whole_host = !query.selects_addresses()
            && h.mac
                .is_some_and(|m| hit_keys.contains(&(i.name.as_str(), m)));
        if !whole_host && !query.matches_row(h, &i.name, i.index, hit) {
            continue;
        }
        let addr = MatchedAddr {
            address: h.address,
            scoped: h.scoped.clone(),
        };
        let existing = h.mac.and_then(|m| {
            out.iter_mut()
                .find(|x| x.iface == i.name && x.mac == Some(m))
        });
        match existing {
            Some(x) => {
                x.addresses.push(addr);
                for n in h.shown_names() {
                    if !x.names.iter().any(|x| x == n) {
                        x.names.push(n.to_owned());
                    }
                }
            }
            None => out.push(HostMatch {
                iface: i.name.clone(),
                index: i.index,
                mac: h.mac,
                vendor: h.vendor,
                names: h.shown_names().map(str::to_owned).collect(),
                addresses: vec![addr],
            }),
        }
    }
    out
}

/// Why nothing matched, in words, for `query` (a hint when a vendor or name is unknown).
pub fn explain_no_match(query: &Query, raw: &str) -> String {
    match query {
        Query::Word(w) => {
            let vendors = crate::oui::find_vendor(w);
            if vendors.is_empty() {
                format!(
                    "no host named '{raw}' answered, and no vendor in the OUI table contains '{w}'"
                )
            } else {
                let mut names: Vec<&str> = vendors.iter().map(|p| p.vendor).collect();
                names.sort_unstable();
                names.dedup();
                let shown = names.iter().take(3).copied().collect::<Vec<_>>().join("; ");
                let more = if names.len() > 3 {
                    format!(" and {} more", names.len() - 3)
                } else {
                    String::new()
                };
                format!("no host named '{raw}' and no device of a matching vendor ({shown}{more}) answered")
            }
        }
        _ => format!("no host matching '{raw}' answered"),
    }
}

#[cfg(test)]
#[path = "query_tests.rs"]
mod tests;
