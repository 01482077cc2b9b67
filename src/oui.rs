//! MAC vendor lookup in the embedded IEEE OUI table.
//!
//! `build.rs` compiles `data/oui.tsv` (MA-L 24-bit, MA-M 28-bit, MA-S and IAB 36-bit
//! assignments) into sorted static arrays, so there is no start-up cost: a lookup is at
//! most three binary searches, longest prefix first. Regenerate the data with
//! `data/update-oui.py`.

use crate::mac::Mac;
use std::fmt;

/// The generated arrays (`$OUT_DIR/oui_table.rs`).
mod table {
    include!(concat!(env!("OUT_DIR"), "/oui_table.rs"));
}

/// What the OUI table says about a MAC address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vendor {
    /// Assigned by the IEEE to this organization (name exactly as registered).
    Known(&'static str),
    /// Locally administered (bit 0x02 of the first octet): a privacy/random MAC, a VM or a
    /// container. Never reported as a vendor, even where a historic assignment matches.
    Private,
    /// A group (multicast/broadcast) address: not a host.
    Multicast,
    /// Universally administered, but in no assignment of the table.
    Unknown,
}

impl Vendor {
    /// The organization name, for [`Vendor::Known`] only.
    pub fn name(&self) -> Option<&'static str> {
        match self {
            Vendor::Known(name) => Some(name),
            _ => None,
        }
    }

    /// True for a locally administered (private/random) MAC.
    pub fn is_private(&self) -> bool {
        matches!(self, Vendor::Private)
    }
}

/// The vendor name, `(private MAC)`, `(multicast)`, or nothing for an unknown vendor.
impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Vendor::Known(name) => name,
            Vendor::Private => "(private MAC)",
            Vendor::Multicast => "(multicast)",
            Vendor::Unknown => "",
        })
    }
}

/// One assignment of the table: the first `bits` bits of a MAC and their owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OuiPrefix {
    /// Prefix length: 24 (MA-L), 28 (MA-M) or 36 (MA-S and IAB).
    pub bits: u8,
    /// The prefix as a number, right-aligned: `0xb827eb` for b8:27:eb, `0x70b3d544d` for
    /// 70:b3:d5:44:d.
    pub value: u64,
    /// The organization, exactly as registered.
    pub vendor: &'static str,
}

impl OuiPrefix {
    /// True if `mac` starts with this prefix.
    pub fn matches(&self, mac: Mac) -> bool {
        mac_value(mac) >> (48 - u32::from(self.bits)) == self.value
    }
}

/// Lowercase hex digits of the prefix in octet pairs, a lone last nibble for 28/36 bits:
/// `b8:27:eb`, `70:b3:d5:4`, `70:b3:d5:44:d`.
impl fmt::Display for OuiPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = usize::from(self.bits / 4);
        let hex = format!("{:0digits$x}", self.value);
        let mut s = String::with_capacity(digits + digits / 2);
        for (i, c) in hex.chars().enumerate() {
            if i > 0 && i % 2 == 0 {
                s.push(':');
            }
            s.push(c);
        }
        f.pad(&s)
    }
}

fn mac_value(mac: Mac) -> u64 {
    let m = mac.0;
    u64::from_be_bytes([0, 0, m[0], m[1], m[2], m[3], m[4], m[5]])
}

fn name(idx: table::NameIdx) -> &'static str {
    let i = idx as usize;
    &table::NAMES[table::NAME_START[i] as usize..table::NAME_START[i + 1] as usize]
}

/// The vendor of `mac`: [`Vendor::Multicast`] if the group bit is set, else
/// [`Vendor::Private`] if the locally administered bit is, else the longest matching
/// assignment (36, then 28, then 24 bits), else [`Vendor::Unknown`].
pub fn lookup(mac: Mac) -> Vendor {
    if mac.is_multicast() {
        Vendor::Multicast
    } else if mac.is_local() {
        Vendor::Private
    } else {
        lookup_prefix(mac).map_or(Vendor::Unknown, |p| Vendor::Known(p.vendor))
    }
}

/// The longest assignment that `mac` falls in, ignoring the group/local bits (see
/// [`lookup`] for the answer to show a user).
pub fn lookup_prefix(mac: Mac) -> Option<OuiPrefix> {
    let v = mac_value(mac);
    let hit = |bits: u8, value: u64, idx: table::NameIdx| OuiPrefix {
        bits,
        value,
        vendor: name(idx),
    };
    if let Ok(i) = table::MA_S.binary_search(&(v >> 12)) {
        return Some(hit(36, v >> 12, table::MA_S_NAME[i]));
    }
    // The shifted values fit in 28 and 24 bits, so the casts are lossless.
    let m = (v >> 20) as u32;
    if let Ok(i) = table::MA_M.binary_search(&m) {
        return Some(hit(28, m.into(), table::MA_M_NAME[i]));
    }
    let l = (v >> 24) as u32;
    let i = table::MA_L.binary_search(&l).ok()?;
    Some(hit(24, l.into(), table::MA_L_NAME[i]))
}

/// (bits, value, name index) of every assignment, unordered across prefix lengths.
fn raw_entries() -> impl Iterator<Item = (u8, u64, table::NameIdx)> {
    let l = table::MA_L
        .iter()
        .zip(&table::MA_L_NAME)
        .map(|(&v, &n)| (24, u64::from(v), n));
    let m = table::MA_M
        .iter()
        .zip(&table::MA_M_NAME)
        .map(|(&v, &n)| (28, u64::from(v), n));
    let s = table::MA_S
        .iter()
        .zip(&table::MA_S_NAME)
        .map(|(&v, &n)| (36, v, n));
    l.chain(m).chain(s)
}

fn sorted(it: impl Iterator<Item = (u8, u64, table::NameIdx)>) -> Vec<OuiPrefix> {
    let mut all: Vec<OuiPrefix> = it
        .map(|(bits, value, n)| OuiPrefix {
            bits,
            value,
            vendor: name(n),
        })
        .collect();
    all.sort_unstable_by_key(|p| (p.value << (36 - p.bits), p.bits));
    all
}

/// Every assignment in the table, ordered by prefix (a 24-bit block before its 28- and
/// 36-bit sub-blocks).
pub fn entries() -> Vec<OuiPrefix> {
    sorted(raw_entries())
}

/// All assignments whose organization contains `query`, ignoring case (`"raspberry"`
/// finds b8:27:eb, dc:a6:32, 2c:cf:67, …), ordered by prefix. An empty query finds nothing.
pub fn find_vendor(query: &str) -> Vec<OuiPrefix> {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    // Each distinct name is tested once; most vendors own many prefixes.
    let hits: Vec<bool> = (0..table::NAME_START.len() - 1)
        .map(|i| name(i as table::NameIdx).to_lowercase().contains(&q))
        .collect();
    sorted(raw_entries().filter(|&(_, _, n)| hits[n as usize]))
}

/// The registry snapshot date of the embedded table (`YYYY-MM-DD`).
pub fn table_date() -> &'static str {
    table::DATE
}

/// Number of assignments in the embedded table.
pub fn table_len() -> usize {
    table::MA_L.len() + table::MA_M.len() + table::MA_S.len()
}

#[cfg(test)]
#[path = "oui_tests.rs"]
mod tests;
