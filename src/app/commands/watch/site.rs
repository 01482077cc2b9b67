//! `watch --mqtt`: each round's device states and events, published for the site.

use crate::app::adapters::mqtt::{self, Mqtt, MqttConfig, Status};
use crate::config::MqttPublish;
use crate::mqtt::publish::{PublishConfig, Publisher};
use crate::mqtt::topic::{Site, Topics};
use crate::mqtt::Counts;
use crate::report::{Labels, Report};
use crate::watch::{Event, Watcher};
use anyhow::{anyhow, Result};
use std::time::Duration;

/// The site's publisher and its connection.
pub(super) struct Publishing {
    publisher: Publisher,
    mqtt: Mqtt,
}

impl Publishing {
    /// Connects (from a thread of its own) and says so on stderr.
    pub(super) fn start(cfg: &MqttPublish) -> Result<Publishing> {
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
        let config = MqttConfig {
            password: mqtt::password(&cfg.broker)?,
            url: cfg.broker.url.clone(),
            client_id: mqtt::client_id(&format!("watch-{site}")),
            status: Some(Status {
                topic: topics.status(),
                online: "online",
                offline: "offline",
            }),
            subscribe: Vec::new(),
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
            mqtt: Mqtt::start(config, None)?,
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
