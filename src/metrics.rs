//! Watch's state as Prometheus metrics: every round's report and events in, the text
//! exposition out ([`Metrics::render`]).
//!
//! Pure: no I/O and no clock (times come from the reports). Bounded: at most
//! [`MetricsConfig::max_devices`] `v6scout_device_up` series per interface; a device that
//! went stays at 0 for `forget_after` rounds (so an alert can fire on it), then its series
//! ends. Over the cap the device gone longest is forgotten first; when every tracked device
//! is present a new one gets no series (counted in `v6scout_devices_unlisted`).
//! Event kinds are counted by their stable names, so new kinds appear without a change here.

pub mod text;

use crate::mac::Mac;
use crate::notify::Counts;
use crate::report::{Report, ScanStats};
use crate::watch::{Event, EventKind};
use std::collections::BTreeMap;
use std::time::UNIX_EPOCH;
use text::{Kind, Writer};

/// Bounds of the metrics state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetricsConfig {
    /// Most `v6scout_device_up` series per interface (watch's `--max-hosts`).
    pub max_devices: usize,
    /// Rounds a gone device stays at 0 before its series ends (watch's `--forget-after`).
    pub forget_after: u64,
}

/// One device's `up` series.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Device {
    vendor: String,
    name: String,
    /// `name` is the device's label.
    labelled: bool,
    up: bool,
    /// The round it went (meaningful while `!up`).
    down_since: u64,
}

/// Counters and gauges across the watch's rounds.
#[derive(Debug)]
pub struct Metrics {
    cfg: MetricsConfig,
    rounds: u64,
    hosts: BTreeMap<String, usize>,
    devices: BTreeMap<String, BTreeMap<Mac, Device>>,
    events: BTreeMap<(String, &'static str), u64>,
    /// The scans' counters added up.
    totals: ScanStats,
    /// What became of the notifications (`--notify`).
    notified: Counts,
    /// What became of the MQTT messages (`--mqtt`; `None`: not publishing).
    mqtt: Option<crate::mqtt::Counts>,
    unlisted: u64,
    last_duration: f64,
    last_started: f64,
}

impl Metrics {
    /// No round yet.
    pub fn new(cfg: MetricsConfig) -> Self {
        Metrics {
            cfg: MetricsConfig {
                max_devices: cfg.max_devices.max(1),
                ..cfg
            },
            rounds: 0,
            hosts: BTreeMap::new(),
            devices: BTreeMap::new(),
            events: BTreeMap::new(),
            totals: ScanStats::default(),
            notified: Counts::default(),
            mqtt: None,
            unlisted: 0,
            last_duration: 0.0,
            last_started: 0.0,
        }
    }

    /// Takes one watch round: its report and the events the watcher derived from it.
    pub fn observe(&mut self, report: &Report, events: &[Event]) {
        self.rounds += 1;
        self.totals.merge(&report.stats);
        self.last_duration = report.duration.as_secs_f64();
        self.last_started = report
            .started
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        self.hosts = report
            .interfaces
            .iter()
            .map(|i| (i.name.clone(), i.host_count()))
            .collect();
        for e in events {
            *self
                .events
                .entry((e.interface.clone(), e.kind.name()))
                .or_default() += 1;
        }
        self.devices_of(report, events);
        let (round, forget) = (self.rounds, self.cfg.forget_after);
        for devs in self.devices.values_mut() {
            devs.retain(|_, d| d.up || round - d.down_since < forget);
        }
        self.devices.retain(|_, d| !d.is_empty());
    }

    /// Every device (MAC) in the report is up; one the watcher reports gone is 0.
    fn devices_of(&mut self, report: &Report, events: &[Event]) {
        let round = self.rounds;
        self.unlisted = 0;
        for i in &report.interfaces {
            let devs = self.devices.entry(i.name.clone()).or_default();
            let rows = i.prefixes.iter().flat_map(|p| &p.hosts);
            for h in rows.filter(|h| !h.is_self && !h.stale) {
                let Some(mac) = h.mac else { continue };
                if !devs.contains_key(&mac) && devs.len() >= self.cfg.max_devices {
                    let oldest = devs
                        .iter()
                        .filter(|(_, d)| !d.up)
                        .min_by_key(|(m, d)| (d.down_since, **m))
                        .map(|(m, _)| *m);
                    let Some(m) = oldest else {
                        self.unlisted += 1;
                        continue;
                    };
                    devs.remove(&m);
                }
                let d = devs.entry(mac).or_insert_with(|| Device {
                    vendor: h.vendor.to_string(),
                    name: String::new(),
                    labelled: false,
                    up: true,
                    down_since: 0,
                });
                d.up = true;
                // Its label, as it is now; else the first name any of its addresses had
                // (one learned later is kept).
                if let Some(l) = &h.label {
                    d.name.clone_from(l);
                } else if d.name.is_empty() || d.labelled {
                    d.name = h.names.first().cloned().unwrap_or_default();
                }
                d.labelled = h.label.is_some();
            }
        }
        for e in events.iter().filter(|e| e.kind == EventKind::Gone) {
            let dev = e
                .mac
                .and_then(|mac| self.devices.get_mut(&e.interface)?.get_mut(&mac));
            if let Some(d) = dev {
                d.up = false;
                d.down_since = round;
            }
        }
    }

    /// Takes the notifications' counts so far (over every `--notify` target).
    pub fn notified(&mut self, c: Counts) {
        self.notified = c;
    }

    /// Takes the MQTT messages' counts so far (`--mqtt`).
    pub fn published(&mut self, c: crate::mqtt::Counts) {
        self.mqtt = Some(c);
    }

    /// Rounds observed.
    pub fn rounds(&self) -> u64 {
        self.rounds
    }

    /// The exposition text: families in a fixed order, series sorted by their labels.
    pub fn render(&self) -> String {
        let mut w = Writer::default();
        w.family(
            "v6scout_hosts",
            Kind::Gauge,
            "Hosts present in the latest round, per interface.",
        );
        for (iface, n) in &self.hosts {
            w.sample("v6scout_hosts", &[("interface", iface)], *n as f64);
        }
        w.family(
            "v6scout_device_up",
            Kind::Gauge,
            "1 while a device (a MAC) is present; 0 after it went, until it is forgotten.",
        );
        for (iface, devs) in &self.devices {
            for (mac, d) in devs {
                let mac = mac.to_string();
                let labels = [
                    ("interface", iface.as_str()),
                    ("mac", mac.as_str()),
                    ("vendor", d.vendor.as_str()),
                    ("name", d.name.as_str()),
                ];
                w.sample("v6scout_device_up", &labels, f64::from(u8::from(d.up)));
            }
        }
        w.family(
            "v6scout_events_total",
            Kind::Counter,
            "Watch events, per interface and kind (present, appeared, gone, address-added, ...).",
        );
        for ((iface, kind), n) in &self.events {
            let labels = [("interface", iface.as_str()), ("kind", kind)];
            w.sample("v6scout_events_total", &labels, *n as f64);
        }
        let gauges = [
            (
                "v6scout_scan_duration_seconds",
                "Duration of the latest scan round.",
                self.last_duration,
            ),
            (
                "v6scout_last_scan_timestamp_seconds",
                "Start of the latest scan round, in seconds since the Unix epoch.",
                self.last_started,
            ),
        ];
        for (name, help, v) in gauges {
            w.family(name, Kind::Gauge, help);
            if self.rounds > 0 {
                w.sample(name, &[], v);
            }
        }
        let counters = [
            ("v6scout_scans_total", "Scan rounds.", self.rounds),
            (
                "v6scout_probes_sent_total",
                "Probes sent.",
                self.totals.probes_sent,
            ),
            (
                "v6scout_replies_total",
                "Answers to our probes used.",
                self.totals.replies,
            ),
            (
                "v6scout_malformed_total",
                "Received packets dropped as malformed or forged.",
                self.totals.malformed,
            ),
            (
                "v6scout_dropped_over_limit_total",
                "Addresses not kept because an interface reached --max-hosts.",
                self.totals.dropped_over_limit,
            ),
            (
                "v6scout_notify_sent_total",
                "Notifications delivered (--notify).",
                self.notified.sent,
            ),
            (
                "v6scout_notify_retries_total",
                "Notification tries repeated after a server error, a timeout or no connection.",
                self.notified.retried,
            ),
            (
                "v6scout_notify_failures_total",
                "Notifications given up: every try failed, or the receiver refused them.",
                self.notified.failed,
            ),
            (
                "v6scout_notify_dropped_total",
                "Notifications never tried: the queue was full, or watch stopped first.",
                self.notified.dropped,
            ),
        ];
        w.family(
            "v6scout_devices_unlisted",
            Kind::Gauge,
            "Devices present in the latest round without an up series (--max-hosts reached).",
        );
        w.sample("v6scout_devices_unlisted", &[], self.unlisted as f64);
        counters_of(&mut w, &counters);
        if let Some(m) = &self.mqtt {
            render_mqtt(&mut w, m);
        }
        w.finish()
    }
}

/// The `--mqtt` families: only when publishing.
fn render_mqtt(w: &mut Writer, m: &crate::mqtt::Counts) {
    w.family(
        "v6scout_mqtt_up",
        Kind::Gauge,
        "1 while connected to the MQTT broker (--mqtt).",
    );
    w.sample("v6scout_mqtt_up", &[], f64::from(u8::from(m.up)));
    let counters = [
        (
            "v6scout_mqtt_sent_total",
            "MQTT messages the broker acknowledged.",
            m.sent,
        ),
        (
            "v6scout_mqtt_dropped_total",
            "MQTT messages never delivered: queue full, held too long while the broker was \
             away, or in flight when the connection broke (device states are published again).",
            m.dropped,
        ),
        (
            "v6scout_mqtt_connects_total",
            "Connections made to the MQTT broker, the first included.",
            m.connects,
        ),
    ];
    counters_of(w, &counters);
}

/// One family of one unlabelled sample per counter: name, help, value.
fn counters_of(w: &mut Writer, counters: &[(&str, &str, u64)]) {
    for (name, help, v) in counters {
        w.family(name, Kind::Counter, help);
        w.sample(name, &[], *v as f64);
    }
}

#[cfg(test)]
#[path = "metrics_tests.rs"]
mod tests;
