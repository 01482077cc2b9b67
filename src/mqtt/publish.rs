//! From watch rounds to MQTT messages: which device states to publish, refresh or clear,
//! and the Home Assistant configs that go with them.
//!
//! A device here is what the inventory calls one: a MAC on an interface, confirmed by an
//! answer to our probes (so forged unsolicited advertisements never create a retained
//! topic), with at least one IPv6 address. Its addresses are the ones the watch tracks, so
//! an address missed in one round (a lossy link) does not flap: it goes when the watch
//! reports it removed. Its state is published when it first shows, when its addresses,
//! names, label, vendor or router flag change, and every [`PublishConfig::refresh`] while
//! it stays present (so a hub's "last seen" and how each address was seen stay close); it
//! turns `present: false` when the watch reports it gone, and is cleared (an empty
//! retained message) when the watch forgets it.

use super::ha;
use super::state::DeviceState;
use super::topic::Topics;
use super::Message;
use crate::inventory::sightings;
use crate::mac::Mac;
use crate::report::{Labels, Report};
use crate::watch::render::json_line;
use crate::watch::Event;
use std::collections::BTreeMap;
use std::net::Ipv6Addr;
use std::time::{Duration, SystemTime};

/// What the watch says of a device it may have published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Presence {
    /// Seen, not yet reported gone, with the addresses it tracks (an address missed in
    /// one round stays until it is reported removed).
    Present(Vec<Ipv6Addr>),
    /// Reported gone, still remembered.
    Gone,
    /// Not tracked (forgotten, or never tracked).
    Forgotten,
}

/// Where the watch's own view of its devices comes from ([`crate::watch::Watcher`]).
pub trait DeviceView {
    /// What the watch says of `mac` on `iface`.
    fn presence(&self, iface: &str, mac: Mac) -> Presence;
}

impl DeviceView for crate::watch::Watcher {
    fn presence(&self, iface: &str, mac: Mac) -> Presence {
        match self.host(iface, mac) {
            Some((true, addrs)) => Presence::Present(addrs),
            Some((false, _)) => Presence::Gone,
            None => Presence::Forgotten,
        }
    }
}

/// Settings of a [`Publisher`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishConfig {
    /// The site's topics.
    pub topics: Topics,
    /// Publish Home Assistant discovery configs.
    pub ha: bool,
    /// A present device's state is published again after this long even when unchanged.
    pub refresh: Duration,
}

/// What was last published of one device.
#[derive(Clone, Debug)]
struct Published {
    state: DeviceState,
    at: SystemTime,
    /// The Home Assistant config last published for it (`--mqtt-ha`).
    ha: Option<String>,
}

/// The device states a watch has published, and what each round adds.
#[derive(Debug)]
pub struct Publisher {
    cfg: PublishConfig,
    devices: BTreeMap<(String, Mac), Published>,
}

impl Publisher {
    /// Nothing published yet.
    pub fn new(cfg: PublishConfig) -> Publisher {
        Publisher {
            cfg,
            devices: BTreeMap::new(),
        }
    }

    /// The site's topics.
    pub fn topics(&self) -> &Topics {
        &self.cfg.topics
    }

    /// Every retained message that describes the site now (the state and config of each
    /// device published), for the tests (a reconnect publishes the outbox's own copy).
    #[cfg(test)]
    pub(crate) fn retained(&self) -> Vec<Message> {
        let mut out = Vec::new();
        for ((iface, mac), p) in &self.devices {
            out.push(self.state_message(iface, *mac, &p.state));
            if let Some(c) = &p.ha {
                out.push(Message::retained(
                    ha::config_topic(&self.cfg.topics, iface, *mac),
                    c.clone(),
                ));
            }
        }
        out
    }

    /// The messages of one round: states of devices `report` confirmed, states of devices
    /// `view` now reports gone, clears of those it forgot; then one message per event.
    pub fn round(
        &mut self,
        report: &Report,
        events: &[Event],
        labels: &Labels,
        view: &dyn DeviceView,
    ) -> Vec<Message> {
        let mut out = Vec::new();
        self.confirmed(report, labels, view, &mut out);
        self.missed(view, &mut out);
        let topic = self.cfg.topics.events();
        out.extend(
            events
                .iter()
                .map(|e| Message::transient(topic.clone(), json_line(e))),
        );
        out
    }

    /// The devices the report confirmed: new, changed or due for a refresh.
    fn confirmed(
        &mut self,
        report: &Report,
        labels: &Labels,
        view: &dyn DeviceView,
        out: &mut Vec<Message>,
    ) {
        let now = report.started;
        let site = self.cfg.topics.site().as_str().to_owned();
        for s in sightings(report) {
            let Presence::Present(tracked) = view.presence(&s.iface.name, s.mac) else {
                continue;
            };
            let key = (s.iface.name.clone(), s.mac);
            let mut state = DeviceState::present(&site, &s, labels.get(s.mac), now);
            let before = self.devices.get(&key).map(|p| &p.state);
            state.keep_addresses(&tracked, &s.iface.name, before);
            if state.addresses.is_empty() {
                continue;
            }
            let due = match self.devices.get(&key) {
                None => true,
                Some(p) => {
                    !p.state.same_facts(&state)
                        || now.duration_since(p.at).unwrap_or_default() >= self.cfg.refresh
                }
            };
            if !due {
                continue;
            }
            let config = self
                .cfg
                .ha
                .then(|| ha::config(&self.cfg.topics, &state, s.mac));
            let old = self.devices.get(&key).and_then(|p| p.ha.clone());
            if let Some(c) = config.as_ref().filter(|c| old.as_ref() != Some(*c)) {
                out.push(Message::retained(
                    ha::config_topic(&self.cfg.topics, &key.0, s.mac),
                    c.clone(),
                ));
            }
            out.push(self.state_message(&key.0, s.mac, &state));
            self.devices.insert(
                key,
                Published {
                    state,
                    at: now,
                    ha: config,
                },
            );
        }
    }

    /// Published devices the watch now reports gone (`present: false`) or forgot (cleared).
    fn missed(&mut self, view: &dyn DeviceView, out: &mut Vec<Message>) {
        let mut forgotten = Vec::new();
        for ((iface, mac), p) in &mut self.devices {
            match view.presence(iface, *mac) {
                Presence::Present(_) => {}
                Presence::Gone if p.state.present => {
                    p.state.present = false;
                    out.push(Message::retained(
                        self.cfg.topics.device(iface, *mac),
                        p.state.to_json(),
                    ));
                }
                Presence::Gone => {}
                Presence::Forgotten => forgotten.push((iface.clone(), *mac)),
            }
        }
        for key in forgotten {
            let Some(p) = self.devices.remove(&key) else {
                continue;
            };
            // The entity first, so Home Assistant never reads the empty state.
            if p.ha.is_some() {
                out.push(Message::retained(
                    ha::config_topic(&self.cfg.topics, &key.0, key.1),
                    Vec::new(),
                ));
            }
            out.push(Message::retained(
                self.cfg.topics.device(&key.0, key.1),
                Vec::new(),
            ));
        }
    }

    /// What an earlier run of this site's watch left retained that this run has not
    /// published: each state that still says `present` is published again as gone (its
    /// device left while no watch ran, or is not back yet: a later sighting publishes it
    /// present). The rest stays as it is.
    pub fn stale(&self, earlier: impl IntoIterator<Item = DeviceState>) -> Vec<Message> {
        let mut out = Vec::new();
        for mut s in earlier {
            let Ok(mac) = s.mac.parse::<Mac>() else {
                continue;
            };
            if !s.present || self.devices.contains_key(&(s.interface.clone(), mac)) {
                continue;
            }
            s.present = false;
            out.push(self.state_message(&s.interface, mac, &s));
        }
        out
    }

    fn state_message(&self, iface: &str, mac: Mac, state: &DeviceState) -> Message {
        Message::retained(self.cfg.topics.device(iface, mac), state.to_json())
    }

    /// Devices whose state is published (present or gone).
    pub fn devices(&self) -> usize {
        self.devices.len()
    }
}

#[cfg(test)]
#[path = "publish_tests.rs"]
mod tests;
