//! Topic names: the site, escaping of interface names, and the topics of a site.
//!
//! A topic level may not hold `/` (a separator) nor `+` and `#` (wildcards) in a published
//! topic. A site name is restricted to letters, digits, `-` and `_` so it is also a valid
//! Home Assistant id; an interface name (Linux allows `+`, `#` and more) is escaped with
//! `%XX` for `%`, `/`, `+`, `#` and control characters.

use crate::mac::Mac;
use std::fmt;

/// The first topic level of everything v6scout publishes.
pub const ROOT: &str = "v6scout";

/// The longest site name.
pub const MAX_SITE: usize = 64;

/// A site name: 1 to [`MAX_SITE`] letters, digits, `-` or `_`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Site(String);

/// Why a site name was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadSite(pub String);

impl fmt::Display for BadSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "site name {:?}: use 1 to {MAX_SITE} letters, digits, '-' or '_'",
            self.0
        )
    }
}

impl std::error::Error for BadSite {}

impl Site {
    /// `name` if it is a valid site name.
    pub fn new(name: &str) -> Result<Site, BadSite> {
        let ok = (1..=MAX_SITE).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Site(name.to_owned()))
        } else {
            Err(BadSite(name.to_owned()))
        }
    }

    /// The site a host name stands for: its first label, every other character made `-`
    /// (`pi-gw.example.org` → `pi-gw`); `None` when nothing is left.
    pub fn from_host_name(host: &str) -> Option<Site> {
        let first = host.split('.').next().unwrap_or("");
        let name: String = first
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .take(MAX_SITE)
            .collect();
        Site::new(&name).ok()
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Site {
    type Err = BadSite;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Site::new(s)
    }
}

/// `name` as one topic level (see the module doc).
pub fn escape(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '%' | '/' | '+' | '#') || c.is_control() {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The name [`escape`] turned into `level`; `None` when `level` is not one it could have
/// written.
pub fn unescape(level: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(level.len());
    let mut it = level.bytes();
    while let Some(b) = it.next() {
        match b {
            b'%' => {
                let hex = [it.next()?, it.next()?];
                let hex = std::str::from_utf8(&hex).ok()?;
                bytes.push(u8::from_str_radix(hex, 16).ok()?);
            }
            b'/' | b'+' | b'#' => return None,
            b => bytes.push(b),
        }
    }
    let name = String::from_utf8(bytes).ok()?;
    (!name.is_empty() && escape(&name) == level).then_some(name)
}

/// The topics of one site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topics {
    site: Site,
}

impl Topics {
    /// The topics of `site`.
    pub fn new(site: Site) -> Topics {
        Topics { site }
    }

    /// The site.
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// `v6scout/<site>/<interface>/<mac>`: a device's state.
    pub fn device(&self, iface: &str, mac: Mac) -> String {
        format!("{ROOT}/{}/{}/{mac}", self.site, escape(iface))
    }

    /// `v6scout/<site>/+/+`: every device state of the site (what an earlier run left).
    pub fn devices(&self) -> String {
        format!("{ROOT}/{}/+/+", self.site)
    }

    /// `v6scout/<site>/events`.
    pub fn events(&self) -> String {
        format!("{ROOT}/{}/events", self.site)
    }

    /// `v6scout/<site>/status`: `online`, or `offline` (the last will).
    pub fn status(&self) -> String {
        format!("{ROOT}/{}/status", self.site)
    }
}

/// The filter a hub subscribes with: every site's topics.
pub fn all_sites() -> String {
    format!("{ROOT}/#")
}

/// What a topic under [`ROOT`] names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Named {
    /// A device's state.
    Device {
        /// The site.
        site: Site,
        /// The interface, unescaped.
        iface: String,
        /// The device.
        mac: Mac,
    },
    /// A site's events.
    Events(Site),
    /// A site's status.
    Status(Site),
}

/// What `topic` names; `None` for a topic v6scout never publishes.
pub fn parse(topic: &str) -> Option<Named> {
    let mut levels = topic.split('/');
    if levels.next()? != ROOT {
        return None;
    }
    let site = Site::new(levels.next()?).ok()?;
    let third = levels.next()?;
    match (levels.next(), levels.next()) {
        (None, _) if third == "events" => Some(Named::Events(site)),
        (None, _) if third == "status" => Some(Named::Status(site)),
        (Some(level), None) => {
            let iface = unescape(third)?;
            let mac: Mac = level.parse().ok()?;
            // Only the form we write, so one device has one topic.
            (level == mac.to_string()).then_some(Named::Device { site, iface, mac })
        }
        _ => None,
    }
}

#[cfg(test)]
#[path = "topic_tests.rs"]
mod tests;
