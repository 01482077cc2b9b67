//! An event as ntfy shows it: a one-line message body (marker, device, addresses, what
//! happened), and the `Title`, `Tags` (an emoji short code, then the event's type) and
//! `Priority` headers of ntfy's publish API.

use super::is_new;
use crate::model::scoped;
use crate::oui;
use crate::watch::render::marker;
use crate::watch::{Event, EventKind};
use std::fmt::Write as _;

/// Addresses named in a message; the rest are counted (`and 4 more`).
const SHOWN_ADDRESSES: usize = 3;

/// The message body: e.g. `+ b8:27:eb:90:00:90 (Raspberry Pi Foundation)
/// fe80::ba27:ebff:fe90:90%eth0 appeared`.
pub fn message(e: &Event) -> String {
    let m = marker(&e.kind);
    let dev = device(e);
    let addrs = addresses(e);
    let sc = |a| scoped(a, &e.interface);
    match e.kind {
        EventKind::Present => format!("{m} {dev}{addrs} present"),
        EventKind::Appeared { returning } => {
            let how = if is_new(e) && e.remembered {
                " (new)"
            } else if returning {
                " (back)"
            } else {
                ""
            };
            format!("{m} {dev}{addrs} appeared{how}")
        }
        EventKind::Gone => format!("{m} {dev}{addrs} gone"),
        EventKind::AddressAdded(a) => format!("{m} {dev} gained {}", sc(a)),
        EventKind::AddressRemoved(a) => format!("{m} {dev} lost {}", sc(a)),
        EventKind::MacChanged { address, previous } => {
            let mut s = format!("{m} {} had MAC {previous}", sc(address));
            let pv = oui::lookup(previous).to_string();
            if !pv.is_empty() {
                let _ = write!(s, " ({pv})");
            }
            let _ = write!(s, ", now {dev}: possible spoofing or replaced device");
            s
        }
        EventKind::RouterAppeared => format!("{m} router {dev}{addrs} appeared"),
        EventKind::RouterGone => format!("{m} router {dev}{addrs} gone"),
        EventKind::Alert(k) => match &e.message {
            Some(text) => format!("{m} {text}"),
            None => format!("{m} {}{addrs}", k.as_str()),
        },
        EventKind::InterfaceAppeared { watched } => match (watched, &e.message) {
            (true, _) => format!("{m} interface {} appeared (watched)", e.interface),
            (false, Some(why)) => format!(
                "{m} interface {} appeared (not watched: {why})",
                e.interface
            ),
            (false, None) => format!("{m} interface {} appeared (not watched)", e.interface),
        },
        EventKind::InterfaceGone => format!("{m} interface {} gone", e.interface),
    }
}

/// The notification's title: what happened, and where.
pub fn title(e: &Event) -> String {
    let i = &e.interface;
    match e.kind {
        EventKind::Present => format!("Device present on {i}"),
        EventKind::Appeared { returning } => {
            if is_new(e) {
                format!("New device on {i}")
            } else if returning {
                format!("Device back on {i}")
            } else {
                format!("Device appeared on {i}")
            }
        }
        EventKind::Gone => format!("Device gone from {i}"),
        EventKind::AddressAdded(_) => format!("Address added on {i}"),
        EventKind::AddressRemoved(_) => format!("Address removed on {i}"),
        EventKind::MacChanged { .. } => format!("MAC changed on {i}"),
        EventKind::RouterAppeared => format!("Router appeared on {i}"),
        EventKind::RouterGone => format!("Router gone from {i}"),
        EventKind::Alert(k) => format!("Alert on {i}: {}", k.as_str()),
        EventKind::InterfaceAppeared { .. } => format!("Interface {i} appeared"),
        EventKind::InterfaceGone => format!("Interface {i} gone"),
    }
}

/// ntfy tags: an emoji short code (ntfy shows it before the title), then the event's type.
pub fn tags(e: &Event) -> [&'static str; 2] {
    let emoji = match e.kind {
        EventKind::Present => "eyes",
        EventKind::Appeared { .. } => "heavy_plus_sign",
        EventKind::Gone => "heavy_minus_sign",
        EventKind::AddressAdded(_) | EventKind::AddressRemoved(_) => "pencil2",
        EventKind::MacChanged { .. } | EventKind::Alert(_) => "warning",
        EventKind::RouterAppeared | EventKind::RouterGone => "satellite",
        EventKind::InterfaceAppeared { .. } | EventKind::InterfaceGone => "electric_plug",
    };
    [emoji, e.kind.name()]
}

/// ntfy priority, 1 (min) to 5 (max): alerts high, the first scan's listing low.
pub fn priority(e: &Event) -> u8 {
    match e.kind {
        EventKind::MacChanged { .. } | EventKind::Alert(_) => 4,
        EventKind::Present => 2,
        _ => 3,
    }
}

/// The headers ntfy reads: title, tags, priority.
pub fn headers(e: &Event) -> Vec<(&'static str, String)> {
    vec![
        ("Title", header_value(&title(e))),
        ("Tags", tags(e).join(",")),
        ("Priority", priority(e).to_string()),
    ]
}

/// A header value as ASCII: as it is when it is printable ASCII, otherwise RFC 2047
/// encoded (`=?UTF-8?B?…?=`), which ntfy decodes.
pub fn header_value(v: &str) -> String {
    if v.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        v.to_owned()
    } else {
        format!("=?UTF-8?B?{}?=", base64(v.as_bytes()))
    }
}

/// Standard base64 with padding (RFC 4648 §4).
fn base64(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `MAC (vendor) [router]`, as far as known.
fn device(e: &Event) -> String {
    let mac = e
        .mac
        .map_or_else(|| "(no MAC)".to_owned(), |m| m.to_string());
    // The admin's name for it first, as everywhere a device's name shows.
    let mut s = match &e.label {
        Some(label) => format!("{label} {mac}"),
        None => mac,
    };
    let vendor = e.vendor.to_string();
    if !vendor.is_empty() {
        if vendor.starts_with('(') {
            let _ = write!(s, " {vendor}");
        } else {
            let _ = write!(s, " ({vendor})");
        }
    }
    if e.router && !matches!(e.kind, EventKind::RouterAppeared | EventKind::RouterGone) {
        s.push_str(" [router]");
    }
    s
}

/// ` ADDR ADDR ADDR and N more` (link-local ones with `%iface`), or nothing.
fn addresses(e: &Event) -> String {
    let mut s = String::new();
    for a in e.addresses.iter().take(SHOWN_ADDRESSES) {
        let _ = write!(s, " {}", scoped(*a, &e.interface));
    }
    let more = e.addresses.len().saturating_sub(SHOWN_ADDRESSES);
    if more > 0 {
        let _ = write!(s, " and {more} more");
    }
    s
}

#[cfg(test)]
#[path = "ntfy_tests.rs"]
mod tests;
