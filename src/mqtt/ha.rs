//! Home Assistant MQTT discovery: one `device_tracker` per device, `home` while the
//! device's retained state says `present`, `not_home` once gone, unavailable while the
//! watch is offline. The MAC goes in the device's `connections`, so Home Assistant merges
//! the entity with what other integrations already know of the same device.

use super::state::DeviceState;
use super::topic::Topics;
use crate::mac::Mac;
use serde_json::json;

/// Home Assistant's default discovery prefix.
pub const PREFIX: &str = "homeassistant";

/// `homeassistant/device_tracker/v6scout_<site>/<interface>_<mac hex>/config`: ids keep
/// only letters, digits, `_` and `-` (see [`object_id`]).
pub fn config_topic(topics: &Topics, iface: &str, mac: Mac) -> String {
    format!(
        "{PREFIX}/device_tracker/v6scout_{}/{}/config",
        topics.site(),
        object_id(iface, mac)
    )
}

/// `<interface>_<mac hex>`, each byte of the interface other than a letter, digit or `-`
/// written `_XX` (`eth0.7` → `eth0_2e7`), so two interfaces never share an id.
fn object_id(iface: &str, mac: Mac) -> String {
    let mut id = String::with_capacity(iface.len() + 13);
    for b in iface.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' {
            id.push(char::from(b));
        } else {
            id.push_str(&format!("_{b:02x}"));
        }
    }
    format!("{id}_{}", hex(mac))
}

fn hex(mac: Mac) -> String {
    mac.0.iter().map(|b| format!("{b:02x}")).collect()
}

/// The name Home Assistant shows: the label, else its first name, else vendor and MAC.
fn display_name(state: &DeviceState) -> String {
    if let Some(l) = state.label.as_ref().or(state.names.first()) {
        return l.clone();
    }
    match &state.vendor {
        Some(v) => format!("{v} {}", state.mac),
        None => state.mac.clone(),
    }
}

/// The discovery config of the device `state` describes.
pub fn config(topics: &Topics, state: &DeviceState, mac: Mac) -> String {
    let site = topics.site();
    let state_topic = topics.device(&state.interface, mac);
    let mut device = json!({
        "connections": [["mac", state.mac]],
        "identifiers": [format!("v6scout_{}", hex(mac))],
        "name": display_name(state),
    });
    if let Some(v) = &state.vendor {
        device["manufacturer"] = json!(v);
    }
    json!({
        "name": null,
        "unique_id": format!("v6scout_{site}_{}", object_id(&state.interface, mac)),
        "state_topic": state_topic,
        "value_template": "{{ 'home' if value_json.present else 'not_home' }}",
        "json_attributes_topic": state_topic,
        "source_type": "router",
        "availability_topic": topics.status(),
        "payload_available": "online",
        "payload_not_available": "offline",
        "qos": 1,
        "device": device,
        "origin": {"name": "v6scout", "sw_version": env!("CARGO_PKG_VERSION")},
    })
    .to_string()
}

#[cfg(test)]
#[path = "ha_tests.rs"]
mod tests;
