//! How values are stored in the file: times as milliseconds since the Unix epoch, MACs
//! and IPv6 addresses as big-endian blobs (so SQLite orders them as numbers), IPv4 as an
//! integer, how-seen lists and interface-ID kinds by their stable output names.

use crate::mac::Mac;
use crate::model::{IidKind, SeenBy};
use std::net::Ipv6Addr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Every [`IidKind`].
pub(crate) const ALL_IID: [IidKind; 3] = [IidKind::Eui64, IidKind::Manual, IidKind::Temporary];

/// Milliseconds since the epoch; times before it count as the epoch, times past
/// `i64::MAX` ms (292 million years) as that.
pub(crate) fn to_ms(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The time `ms` milliseconds after the epoch (negative values, which we never write,
/// read as the epoch).
pub(crate) fn from_ms(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

/// A MAC as a 6-byte blob.
pub(crate) fn mac_blob(m: Mac) -> Vec<u8> {
    m.0.to_vec()
}

/// A MAC from a blob; `None` when it is not 6 bytes (a damaged row, skipped).
pub(crate) fn mac_from(b: &[u8]) -> Option<Mac> {
    <[u8; 6]>::try_from(b).ok().map(Mac)
}

/// An IPv6 address as a 16-byte blob.
pub(crate) fn addr_blob(a: Ipv6Addr) -> Vec<u8> {
    a.octets().to_vec()
}

/// An address from a blob; `None` when it is not 16 bytes.
pub(crate) fn addr_from(b: &[u8]) -> Option<Ipv6Addr> {
    <[u8; 16]>::try_from(b).ok().map(Ipv6Addr::from)
}

/// `echo,ndp`: the stable names, comma-separated, in display order, without repeats.
pub(crate) fn seen_by_text(s: &[SeenBy]) -> String {
    let mut v = s.to_vec();
    v.sort_unstable();
    v.dedup();
    v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
}

/// The list [`seen_by_text`] wrote; names this version does not know are skipped (a
/// newer v6scout may have written them).
pub(crate) fn seen_by_from(text: &str) -> Vec<SeenBy> {
    let mut v: Vec<SeenBy> = text.split(',').filter_map(SeenBy::from_name).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// The union of two how-seen lists, in display order.
pub(crate) fn seen_by_union(a: &str, b: &[SeenBy]) -> String {
    let mut v = seen_by_from(a);
    v.extend_from_slice(b);
    seen_by_text(&v)
}

/// An interface-ID kind from its stable name; an unknown one reads as temporary (the
/// kind that claims least).
pub(crate) fn iid_from(text: &str) -> IidKind {
    ALL_IID
        .iter()
        .copied()
        .find(|k| k.as_str() == text)
        .unwrap_or(IidKind::Temporary)
}

/// Names as a JSON array (any text a resolver returns survives).
pub(crate) fn names_text(names: &[String]) -> String {
    serde_json::to_string(names).unwrap_or_else(|_| "[]".to_string())
}

/// The names [`names_text`] wrote; anything unreadable reads as none.
pub(crate) fn names_from(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// The stored names updated by a sighting: the new ones first (newest), then the old ones
/// not among them, at most `max`.
pub(crate) fn merge_names(old: &[String], new: &[String], max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in new.iter().chain(old) {
        if !out.iter().any(|o| crate::query::same_name(o, n)) {
            out.push(n.clone());
        }
    }
    out.truncate(max);
    out
}

/// Advertised prefixes as text: `2001:db8::/64,fd00::/48`.
pub(crate) fn prefixes_text(p: &[crate::model::Ipv6Prefix]) -> String {
    p.iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// Prefixes from their text; a damaged entry is skipped.
pub(crate) fn prefixes_from(s: &str) -> Vec<crate::model::Ipv6Prefix> {
    s.split(',')
        .filter_map(|p| {
            let (addr, len) = p.split_once('/')?;
            let len: u8 = len.parse().ok().filter(|l| *l <= 128)?;
            Some(crate::model::Ipv6Prefix::new(addr.parse().ok()?, len))
        })
        .collect()
}

/// A stored default router preference; anything else reads as medium (as RFC 4191 reads
/// the reserved value).
pub(crate) fn preference_from(s: &str) -> crate::router::Preference {
    use crate::router::Preference;
    [Preference::Low, Preference::High]
        .into_iter()
        .find(|p| p.as_str() == s)
        .unwrap_or(Preference::Medium)
}
