//! Watch events as text: a human line, a JSON line, and the environment of `--exec`.

use super::{Event, EventKind};
use crate::model::scoped;
use crate::oui;
use serde::Serialize;
use std::fmt::Write as _;

/// The marker that starts a human line: `=` present, `+` appeared, `-` gone,
/// `~` address added or removed, `!` MAC changed (routers and interfaces: `+`/`-`).
pub fn marker(kind: &EventKind) -> char {
    match kind {
        EventKind::Present => '=',
        EventKind::Appeared { .. } => '+',
        EventKind::Gone => '-',
        EventKind::AddressAdded(_) | EventKind::AddressRemoved(_) => '~',
        EventKind::MacChanged { .. } | EventKind::Alert(_) => '!',
        EventKind::RouterAppeared | EventKind::InterfaceAppeared { .. } => '+',
        EventKind::RouterGone | EventKind::InterfaceGone => '-',
    }
}

/// One line for a person: marker, `clock` (the caller formats the time), interface, the
/// device's label when it has one, MAC, vendor, then the addresses (link-local ones with
/// `%iface`) or the change.
pub fn human_line(e: &Event, clock: &str) -> String {
    let mut s = format!("{} {clock} {} ", marker(&e.kind), e.interface);
    match e.kind {
        EventKind::InterfaceAppeared { watched } => {
            s.push_str("(interface appeared; ");
            match (watched, &e.message) {
                (true, _) => s.push_str("watched)"),
                (false, Some(why)) => {
                    let _ = write!(s, "not watched: {why})");
                }
                (false, None) => s.push_str("not watched)"),
            }
            return s;
        }
        EventKind::InterfaceGone => {
            s.push_str("(interface gone; its hosts go as they are missed)");
            return s;
        }
        _ => {}
    }
    if let Some(l) = &e.label {
        let _ = write!(s, "{l} ");
    }
    match e.mac {
        Some(m) => {
            let _ = write!(s, "{m}");
        }
        None => s.push_str("(no MAC)"),
    }
    let vendor = e.vendor.to_string();
    if !vendor.is_empty() {
        let _ = write!(s, " {vendor}");
    }
    if e.router {
        s.push_str(" [router]");
    }
    s.push_str("  ");
    let sc = |a| scoped(a, &e.interface);
    match e.kind {
        EventKind::Present | EventKind::Appeared { .. } | EventKind::Gone => {
            let addrs: Vec<String> = e.addresses.iter().map(|a| sc(*a)).collect();
            s.push_str(&addrs.join(" "));
            let back = e.kind == (EventKind::Appeared { returning: true });
            match (e.kind, e.last_seen) {
                (EventKind::Gone, _) => {}
                (_, Some(t)) => {
                    let ago = crate::report::ago(e.time, t);
                    let _ = write!(s, "  ({}last seen {ago})", if back { "back, " } else { "" });
                }
                (_, None) if e.remembered && !back => s.push_str("  (new)"),
                _ if back => s.push_str("  (back)"),
                _ => {}
            }
        }
        EventKind::AddressAdded(a) => {
            let _ = write!(s, "+{}", sc(a));
        }
        EventKind::AddressRemoved(a) => {
            let _ = write!(s, "-{}", sc(a));
        }
        EventKind::MacChanged { address, previous } => {
            let _ = write!(s, "{} had MAC {previous}", sc(address));
            let pv = oui::lookup(previous).to_string();
            if !pv.is_empty() {
                let _ = write!(s, " ({pv})");
            }
            s.push_str(": possible spoofing or replaced device");
        }
        EventKind::RouterAppeared | EventKind::RouterGone => {
            let addrs: Vec<String> = e.addresses.iter().map(|a| sc(*a)).collect();
            let what = if e.kind == EventKind::RouterGone {
                "gone"
            } else {
                "appeared"
            };
            let _ = write!(s, "{}  (router {what})", addrs.join(" "));
        }
        EventKind::Alert(k) => {
            let _ = write!(s, "{}: {}", k.as_str(), e.message.as_deref().unwrap_or(""));
        }
        EventKind::InterfaceAppeared { .. } | EventKind::InterfaceGone => {}
    }
    s
}

/// One event as a JSON object (docs/watch.md documents every field).
#[derive(Serialize, Debug)]
pub struct JsonEvent {
    /// `present`, `appeared`, `gone`, `address-added`, `address-removed`, `mac-changed`,
    /// `router-appeared`, `router-gone`, `interface-appeared`, `interface-gone`, or an
    /// alert's kind (`duplicate-address`, …).
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Start of the scan that showed it, RFC 3339 UTC with milliseconds.
    pub time: String,
    /// Interface name.
    pub interface: String,
    /// The host's MAC, or null.
    pub mac: Option<String>,
    /// Registered vendor of the MAC, or null.
    pub vendor: Option<&'static str>,
    /// The MAC is locally administered.
    pub private_mac: bool,
    /// The host is a router.
    pub router: bool,
    /// The name the admin gave the device (`v6scout label`), or null.
    pub label: Option<String>,
    /// The device has a label.
    pub known: bool,
    /// The host's addresses after the event (`gone`: the last known ones).
    pub addresses: Vec<String>,
    /// Address events and `mac-changed`: the address concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// `mac-changed`: the MAC the address had.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_mac: Option<String>,
    /// `mac-changed`: the vendor of that MAC, or null.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_vendor: Option<Option<&'static str>>,
    /// `appeared`: it had been reported gone before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returning: Option<bool>,
    /// `present`/`appeared` with an inventory: never seen before on this interface.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<bool>,
    /// `present`/`appeared` with an inventory: when it was last seen before, or null.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<Option<String>>,
    /// `interface-appeared`: the interface is probed from now on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watched: Option<bool>,
    /// Alerts: the alert's one line; `interface-appeared` not watched: why not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The JSON object of an event.
pub fn json_event(e: &Event) -> JsonEvent {
    let previous = match e.kind {
        EventKind::MacChanged { previous, .. } => Some(previous),
        _ => None,
    };
    JsonEvent {
        kind: e.kind.name(),
        time: humantime::format_rfc3339_millis(e.time).to_string(),
        interface: e.interface.clone(),
        mac: e.mac.map(|m| m.to_string()),
        vendor: e.vendor.name(),
        private_mac: e.vendor.is_private(),
        router: e.router,
        label: e.label.clone(),
        known: e.known,
        addresses: e.addresses.iter().map(|a| a.to_string()).collect(),
        address: e.kind.address().map(|a| a.to_string()),
        previous_mac: previous.map(|m| m.to_string()),
        previous_vendor: previous.map(|m| oui::lookup(m).name()),
        returning: match e.kind {
            EventKind::Appeared { returning } => Some(returning),
            _ => None,
        },
        new: remembered(e).then_some(e.last_seen.is_none()),
        last_seen: remembered(e).then(|| {
            e.last_seen
                .map(|t| humantime::format_rfc3339_seconds(t).to_string())
        }),
        watched: match e.kind {
            EventKind::InterfaceAppeared { watched } => Some(watched),
            _ => None,
        },
        message: e.message.clone(),
    }
}

/// Whether the inventory's word on this event is known (present/appeared, inventory on).
fn remembered(e: &Event) -> bool {
    e.remembered && matches!(e.kind, EventKind::Present | EventKind::Appeared { .. })
}

/// The event as one line of JSON, without the newline.
pub fn json_line(e: &Event) -> String {
    // Only strings, booleans and arrays of strings: serialising cannot fail.
    serde_json::to_string(&json_event(e)).unwrap_or_default()
}

/// The environment `--exec` commands get. Every variable is always set (empty when it
/// does not apply), so nothing leaks in from v6scout's own environment.
pub fn env_vars(e: &Event) -> Vec<(&'static str, String)> {
    let j = json_event(e);
    let addrs = j.addresses.join(" ");
    let scoped_addrs: Vec<String> = (e.addresses.iter())
        .map(|a| scoped(*a, &e.interface))
        .collect();
    let flag = |b: bool| if b { "1" } else { "0" }.to_owned();
    vec![
        ("V6SCOUT_EVENT", j.kind.to_owned()),
        ("V6SCOUT_TIME", j.time.clone()),
        ("V6SCOUT_INTERFACE", j.interface.clone()),
        ("V6SCOUT_MAC", j.mac.clone().unwrap_or_default()),
        ("V6SCOUT_VENDOR", e.vendor.to_string()),
        ("V6SCOUT_ROUTER", flag(e.router)),
        ("V6SCOUT_LABEL", e.label.clone().unwrap_or_default()),
        ("V6SCOUT_KNOWN", flag(e.known)),
        ("V6SCOUT_ADDRESSES", addrs),
        ("V6SCOUT_SCOPED_ADDRESSES", scoped_addrs.join(" ")),
        ("V6SCOUT_ADDRESS", j.address.clone().unwrap_or_default()),
        (
            "V6SCOUT_PREVIOUS_MAC",
            j.previous_mac.clone().unwrap_or_default(),
        ),
        ("V6SCOUT_RETURNING", flag(j.returning == Some(true))),
        ("V6SCOUT_NEW", flag(j.new == Some(true))),
        (
            "V6SCOUT_LAST_SEEN",
            j.last_seen.clone().flatten().unwrap_or_default(),
        ),
        ("V6SCOUT_MESSAGE", e.message.clone().unwrap_or_default()),
        ("V6SCOUT_JSON", json_line(e)),
    ]
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;
