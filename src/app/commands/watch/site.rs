//! `watch --mqtt`: each round's device states and events, published for the site; and,
//! once settled, what an earlier run left retained brought up to date.

use crate::app::adapters::mqtt::{self, Handler, Mqtt, MqttConfig, Status};
use crate::config::MqttPublish;
use crate::mqtt::inbound::{self, Inbound};
use crate::mqtt::publish::{PublishConfig, Publisher};
use crate::mqtt::state::DeviceState;
use crate::mqtt::topic::{Site, Topics};
use crate::mqtt::Counts;
use crate::report::{Labels, Report};
use crate::watch::{Event, Watcher};
use anyhow::{anyhow, Result};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// Earlier device states kept at most (the bound of what one watch tracks), and their
/// bytes at most.
const EARLIER: usize = 65_536;
const EARLIER_BYTES: usize = 64 << 20;

/// What the broker holds for this site: the latest checked state per topic, until settled.
#[derive(Default)]
struct Earlier {
    states: BTreeMap<String, DeviceState>,
    bytes: usize,
    /// Settled: nothing more is kept.
    closed: bool,
}

type Shared = Arc<Mutex<Earlier>>;

/// The site's publisher and its connection.
pub(super) struct Publishing {
    publisher: Publisher,
    mqtt: Mqtt,
    /// The retained states of the site, gathered until settled.
    earlier: Shared,
    /// Rounds done, the round at whose start we were first connected, and the rounds a
    /// device may be missed before it is gone (so this run has seen what is there).
    rounds: u32,
    connected_at: Option<u32>,
    settle_after: u32,
    settled: bool,
}

impl Publishing {
    /// Connects (from a thread of its own) and says so on stderr.
    pub(super) fn start(cfg: &MqttPublish, gone_after: u32) -> Result<Publishing> {
        let site = match &cfg.site {
            Some(s) => s.clone(),
            None => crate::platform::host_name()
                .as_deref()
                .and_then(Site::from_host_name)
                .ok_or_else(|| {
                    anyhow!("--mqtt: the host name gives no site name; give --site NAME")
                })?,
        };
        let topics = Topics::new(site.clone());
        let earlier: Shared = Arc::default();
        let config = MqttConfig {
            password: mqtt::password(&cfg.broker)?,
            url: cfg.broker.url.clone(),
            client_id: mqtt::client_id(&format!("watch-{site}")),
            status: Some(Status {
                topic: topics.status(),
                online: "online",
                offline: "offline",
            }),
            subscribe: vec![topics.devices()],
            max_incoming: 64 * 1024,
        };
        crate::say!(
            "v6scout: publishing site {site} to {} (v6scout/{site}/…)",
            cfg.broker.url
        );
        Ok(Publishing {
            publisher: Publisher::new(PublishConfig {
                topics,
                ha: cfg.ha,
                refresh: cfg.refresh,
            }),
            mqtt: Mqtt::start(config, Some(gather(Arc::clone(&earlier), site)))?,
            earlier,
            rounds: 0,
            connected_at: None,
            settle_after: gone_after,
            settled: false,
        })
    }

    /// Queues what this round changed; never waits.
    pub(super) fn round(
        &mut self,
        report: &Report,
        events: &[Event],
        labels: &Labels,
        watcher: &Watcher,
    ) {
        self.mqtt
            .send(self.publisher.round(report, events, labels, watcher));
        self.rounds += 1;
        if self.connected_at.is_none() && self.mqtt.counts().connects > 0 {
            self.connected_at = Some(self.rounds);
        }
        let due = self
            .connected_at
            .is_some_and(|c| self.rounds > c && self.rounds >= self.settle_after);
        if due && !self.settled {
            self.settled = true;
            self.mqtt.unsubscribe(self.publisher.topics().devices());
            let earlier = self.earlier_states();
            self.mqtt.send(self.publisher.stale(earlier));
        }
    }

    /// The states the broker holds for this site (the latest of each topic, this run's
    /// own among them); nothing is kept after.
    fn earlier_states(&self) -> Vec<DeviceState> {
        let mut e = self.earlier.lock().unwrap_or_else(|p| p.into_inner());
        e.closed = true;
        e.bytes = 0;
        std::mem::take(&mut e.states).into_values().collect()
    }

    /// What became of the messages so far.
    pub(super) fn counts(&self) -> Counts {
        self.mqtt.counts()
    }

    /// Says `offline` and disconnects, giving queued messages up to `grace`.
    pub(super) fn finish(self, grace: Duration) {
        self.mqtt.finish(grace);
    }
}

/// Keeps the latest checked state of each of `site`'s device topics (an emptied topic
/// drops it), bounded, until settled.
fn gather(into: Shared, site: Site) -> Handler {
    Box::new(move |topic: &str, payload: &[u8]| {
        let mut e = into.lock().unwrap_or_else(|p| p.into_inner());
        if e.closed {
            return;
        }
        match inbound::parse(topic, payload, SystemTime::now()) {
            // A bound only: the bytes of a replaced state are not given back.
            Ok(Inbound::Device { site: s, state, .. })
                if s == site
                    && e.states.len() < EARLIER
                    && e.bytes + payload.len() <= EARLIER_BYTES =>
            {
                e.bytes += payload.len();
                e.states.insert(topic.to_owned(), *state);
            }
            Ok(Inbound::Cleared { .. }) => {
                e.states.remove(topic);
            }
            _ => {}
        }
    })
}
