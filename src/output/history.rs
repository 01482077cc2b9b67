//! `v6scout history`: the devices the inventory knows, as text for people, stable columns
//! for scripts, or a versioned JSON document an inventory system can import. Renderers
//! take the devices and the time "now" (they never read the clock).

use crate::inventory::Device;
use crate::model::scoped;
use serde::Serialize;
use std::io::{self, Write};
use std::time::SystemTime;

/// Version of the history JSON document; any incompatible change bumps it.
pub const VERSION: u32 = 1;

pub use crate::report::ago;

/// RFC 3339 UTC with seconds.
fn stamp(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

fn vendor(d: &Device) -> &str {
    d.vendor.as_deref().unwrap_or(if d.mac.is_local() {
        "(private MAC)"
    } else {
        "-"
    })
}

/// Where it was seen: `eth0` on this machine, `site/eth0` at another site (an interface
/// name never holds a `/`).
fn place(d: &Device) -> String {
    match &d.site {
        None => d.iface.name.clone(),
        Some(site) => format!("{site}/{}", d.iface.name),
    }
}

/// Its label, then its names.
fn shown_names(d: &Device) -> Vec<&str> {
    d.label.iter().chain(&d.names).map(String::as_str).collect()
}

/// For people: a line per device (MAC, vendor, label and names, interface — `site/eth0`
/// for another site's —, when last seen), then a line per address with its own last
/// sighting.
pub fn render_text(devices: &[Device], now: SystemTime, out: &mut dyn Write) -> io::Result<()> {
    for d in devices {
        let names = shown_names(d);
        let names = if names.is_empty() {
            String::new()
        } else {
            format!("  {}", names.join(", "))
        };
        writeln!(
            out,
            "{}  {}{}  on {}  last seen {}{}",
            d.mac,
            vendor(d),
            names,
            place(d),
            ago(now, d.last_seen),
            if d.router { "  (router)" } else { "" }
        )?;
        let width = d
            .addresses
            .iter()
            .map(|a| scoped(a.address, &d.iface.name).len())
            .max()
            .unwrap_or(0);
        for a in &d.addresses {
            writeln!(
                out,
                "    {:width$}  {}",
                scoped(a.address, &d.iface.name),
                ago(now, a.last_seen)
            )?;
        }
        for (v4, t) in &d.ipv4 {
            writeln!(out, "    {:width$}  {}", v4.to_string(), ago(now, *t))?;
        }
    }
    Ok(())
}

/// For scripts: one address a line, whitespace-separated:
/// `IFACE MAC DEVICE_LAST_SEEN ADDRESS ADDRESS_LAST_SEEN LABEL NAMES VENDOR` (IFACE
/// `site/eth0` for another site's interface, times RFC 3339 UTC, LABEL one word or `-`,
/// NAMES a comma list or `-`, the vendor last as it may contain spaces: so the columns
/// stay those scripts already split).
pub fn render_plain(devices: &[Device], header: bool, out: &mut dyn Write) -> io::Result<()> {
    if header {
        writeln!(
            out,
            "IFACE MAC LAST_SEEN ADDRESS ADDRESS_LAST_SEEN LABEL NAMES VENDOR"
        )?;
    }
    for d in devices {
        let label = d.label.as_deref().unwrap_or("-");
        let names = if d.names.is_empty() {
            "-".to_string()
        } else {
            d.names.join(",")
        };
        let v4 = d.ipv4.iter().map(|(a, t)| (a.to_string(), *t));
        let v6 = d
            .addresses
            .iter()
            .map(|a| (scoped(a.address, &d.iface.name), a.last_seen));
        for (addr, t) in v6.chain(v4) {
            writeln!(
                out,
                "{} {} {} {} {} {label} {} {}",
                place(d),
                d.mac,
                stamp(d.last_seen),
                addr,
                stamp(t),
                names,
                vendor(d)
            )?;
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    generated: String,
    devices: Vec<JsonDevice<'a>>,
}

#[derive(Serialize)]
struct JsonDevice<'a> {
    mac: String,
    site: Option<&'a str>,
    interface: &'a str,
    interface_mac: Option<String>,
    vendor: Option<&'a str>,
    private_mac: bool,
    names: &'a [String],
    label: Option<&'a str>,
    router: bool,
    first_seen: String,
    last_seen: String,
    addresses: Vec<JsonAddress>,
    ipv4: Vec<JsonIpv4>,
}

#[derive(Serialize)]
struct JsonAddress {
    address: String,
    scoped: String,
    first_seen: String,
    last_seen: String,
    seen_by: Vec<&'static str>,
    iid: &'static str,
}

#[derive(Serialize)]
struct JsonIpv4 {
    address: String,
    last_seen: String,
}

/// The history document (schema version [`VERSION`], see docs/inventory.md).
pub fn render_json(devices: &[Device], now: SystemTime, out: &mut dyn Write) -> io::Result<()> {
    let doc = Doc {
        version: VERSION,
        generated: stamp(now),
        devices: devices
            .iter()
            .map(|d| JsonDevice {
                mac: d.mac.to_string(),
                site: d.site.as_deref(),
                interface: &d.iface.name,
                interface_mac: d.iface.mac.map(|m| m.to_string()),
                vendor: d.vendor.as_deref(),
                private_mac: d.mac.is_local(),
                names: &d.names,
                label: d.label.as_deref(),
                router: d.router,
                first_seen: stamp(d.first_seen),
                last_seen: stamp(d.last_seen),
                addresses: d
                    .addresses
                    .iter()
                    .map(|a| JsonAddress {
                        address: a.address.to_string(),
                        scoped: scoped(a.address, &d.iface.name),
                        first_seen: stamp(a.first_seen),
                        last_seen: stamp(a.last_seen),
                        seen_by: a.seen_by.iter().map(|s| s.as_str()).collect(),
                        iid: a.iid.as_str(),
                    })
                    .collect(),
                ipv4: d
                    .ipv4
                    .iter()
                    .map(|(a, t)| JsonIpv4 {
                        address: a.to_string(),
                        last_seen: stamp(*t),
                    })
                    .collect(),
            })
            .collect(),
    };
    let mut text = serde_json::to_vec_pretty(&doc).map_err(io::Error::other)?;
    text.push(b'\n');
    out.write_all(&text)
}

#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;
