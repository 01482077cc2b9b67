//! Arguments of MQTT: `watch --mqtt` (publish a site) and `collect` (the hub).

use crate::config::{CollectConfig, MqttBroker, MqttPublish};
use crate::mqtt::broker::BrokerUrl;
use crate::mqtt::topic::Site;
use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

/// Parses a broker URL; unlike clap's own message for a bad value, the error never
/// repeats the URL as given (it may hold a password).
#[derive(Clone, Copy, Debug)]
pub struct BrokerUrlParser;

impl TypedValueParser for BrokerUrlParser {
    type Value = BrokerUrl;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<BrokerUrl, clap::Error> {
        let name = arg.map_or_else(|| "URL".to_owned(), |a| a.to_string());
        let text = value.to_str().ok_or_else(|| {
            clap::Error::raw(ErrorKind::InvalidUtf8, format!("{name}: not UTF-8\n")).with_cmd(cmd)
        })?;
        text.parse::<BrokerUrl>().map_err(|e| {
            clap::Error::raw(
                ErrorKind::ValueValidation,
                format!("invalid value for {name}: {e}\n"),
            )
            .with_cmd(cmd)
        })
    }
}

/// `watch`'s publishing to an MQTT broker.
#[derive(Args, Debug, Clone)]
pub struct MqttArgs {
    /// Publish to an MQTT broker, mqtt://[USER[:PASSWORD]@]HOST[:PORT] or mqtts://… (TLS,
    /// checked against the system's CAs): every device's state retained on
    /// v6scout/SITE/IFACE/MAC, every event on v6scout/SITE/events, `online` on
    /// v6scout/SITE/status (`offline` as the last will). From a thread of its own: a
    /// broker that is down or slow never delays a scan.
    #[arg(long, value_name = "URL", value_parser = BrokerUrlParser)]
    pub mqtt: Option<BrokerUrl>,

    /// Read the broker's password from FILE (its first line) rather than from the URL,
    /// where other users could see it in the process list.
    #[arg(long, value_name = "FILE", requires = "mqtt")]
    pub mqtt_password_file: Option<PathBuf>,

    /// The site's name in the topics (letters, digits, '-', '_'; default: the host name).
    #[arg(long, value_name = "NAME", requires = "mqtt")]
    pub site: Option<Site>,

    /// Also publish Home Assistant MQTT discovery: a device_tracker per device, `home`
    /// while it is present, its MAC in the device's connections.
    #[arg(long, requires = "mqtt")]
    pub mqtt_ha: bool,

    /// Publish a present device's state again after this long even when nothing changed
    /// (so a hub's "last seen" stays fresh).
    #[arg(long, value_name = "DURATION", default_value = "5m",
          value_parser = super::parse_duration, requires = "mqtt")]
    pub mqtt_refresh: Duration,
}

impl MqttArgs {
    /// The publishing these options ask for (`None`: no --mqtt).
    pub fn config(&self) -> Option<MqttPublish> {
        let url = self.mqtt.clone()?;
        Some(MqttPublish {
            broker: MqttBroker {
                url,
                password_file: self.mqtt_password_file.clone(),
            },
            site: self.site.clone(),
            ha: self.mqtt_ha,
            refresh: self.mqtt_refresh,
        })
    }
}

/// `v6scout collect`.
#[derive(Args, Debug, Clone)]
pub struct CollectArgs {
    /// The broker the sites publish to: mqtt://[USER[:PASSWORD]@]HOST[:PORT] or mqtts://….
    #[arg(value_name = "URL", value_parser = BrokerUrlParser)]
    pub url: BrokerUrl,

    /// Read the broker's password from FILE (its first line) rather than from the URL.
    #[arg(long, value_name = "FILE")]
    pub mqtt_password_file: Option<PathBuf>,

    /// The inventory to record into (default as for the scan).
    #[arg(long, value_name = "PATH")]
    pub inventory: Option<PathBuf>,
}

impl CollectArgs {
    /// What collect is asked to do.
    pub fn config(&self) -> CollectConfig {
        CollectConfig {
            broker: MqttBroker {
                url: self.url.clone(),
                password_file: self.mqtt_password_file.clone(),
            },
            inventory: super::memory::place_of(self.inventory.as_ref()),
        }
    }
}

#[cfg(test)]
#[path = "mqtt_tests.rs"]
mod tests;
