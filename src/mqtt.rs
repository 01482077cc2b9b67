//! What v6scout says over MQTT, and how a hub reads it back: pure, no I/O.
//!
//! A watch publishes, under `v6scout/<site>/`:
//! - `<interface>/<mac>`: each device's state ([`state::DeviceState`]), retained, so a
//!   subscriber that connects later gets every device at once; an empty retained message
//!   clears it when the watch forgets the device;
//! - `events`: each watch event, the object a `--jsonl` line holds, not retained;
//! - `status`: `online` (retained) once connected, `offline` as its last will.
//!
//! With Home Assistant discovery a retained config per device goes to
//! `homeassistant/device_tracker/…/config` ([`ha`]). Everything is sent with QoS 1: a
//! presence lost in transit would stay wrong until the device changes again.
//!
//! [`publish::Publisher`] turns each watch round into the messages to send;
//! [`inbound`] checks what a hub receives (never trusted: bounded, typed, its site, interface
//! and MAC must match its topic); [`broker::BrokerUrl`] is the `mqtt://` address.

pub mod broker;
pub mod budget;
pub mod ha;
pub mod inbound;
pub mod publish;
pub mod state;
pub mod topic;

/// One message to publish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Its topic.
    pub topic: String,
    /// Its payload (empty: clears a retained topic).
    pub payload: Vec<u8>,
    /// The broker keeps it for subscribers to come.
    pub retain: bool,
}

impl Message {
    /// A retained message.
    pub fn retained(topic: String, payload: impl Into<Vec<u8>>) -> Message {
        Message {
            topic,
            payload: payload.into(),
            retain: true,
        }
    }

    /// A message for those subscribed now only.
    pub fn transient(topic: String, payload: impl Into<Vec<u8>>) -> Message {
        Message {
            topic,
            payload: payload.into(),
            retain: false,
        }
    }
}

/// The pause before reconnecting after `failures` attempts in a row failed: 1 s, doubling
/// up to 30 s.
pub fn reconnect_pause(failures: u32) -> std::time::Duration {
    let secs = 1u64 << failures.saturating_sub(1).min(5);
    std::time::Duration::from_secs(secs.min(30))
}

/// What became of the messages of one connection to a broker.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Acknowledged by the broker.
    pub sent: u64,
    /// Never delivered: a full queue, held too long while the broker was away, or in
    /// flight when the connection broke (device states among them are published again).
    pub dropped: u64,
    /// Connections made (the first one included).
    pub connects: u64,
    /// Whether connected now.
    pub up: bool,
}

#[cfg(test)]
#[path = "mqtt_tests.rs"]
mod tests;
