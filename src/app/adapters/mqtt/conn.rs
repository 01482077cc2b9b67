//! The outbox: rumqttc's client, the retained messages, the held ones, what a connect or
//! an outage means for them.

use super::{Input, MqttConfig, Shared, Status, Warn, HELD};
use crate::mqtt::Message;
use crate::warning::Warning;
use anyhow::{bail, Result};
use rumqttc::{Client, Connection, LastWill, MqttOptions, QoS, TlsConfiguration, Transport};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Requests rumqttc's own channel holds; beyond, messages wait here.
const CLIENT_QUEUE: usize = 512;

/// Emptied topics remembered (published again after a reconnect) at most.
const CLEARED: usize = 4096;

/// How long one connection attempt may take (TCP, TLS, CONNACK), in seconds.
const CONNECT_TIMEOUT: u64 = 10;

/// An outage is said at most this often.
const SAY_EVERY: Duration = Duration::from_secs(300);

/// How soon the outbox tries again when rumqttc's channel was full.
const RETRY: Duration = Duration::from_millis(50);

/// The client and event loop of `cfg`.
pub(super) fn client(cfg: &MqttConfig) -> Result<(Client, Connection)> {
    let (client, mut connection) = Client::new(options(cfg)?, CLIENT_QUEUE);
    let mut net = rumqttc::NetworkOptions::new();
    net.set_connection_timeout(CONNECT_TIMEOUT);
    connection.eventloop.set_network_options(net);
    Ok((client, connection))
}

fn options(cfg: &MqttConfig) -> Result<MqttOptions> {
    let url = &cfg.url;
    let mut o = MqttOptions::new(&cfg.client_id, &url.host, url.port);
    o.set_keep_alive(Duration::from_secs(30))
        .set_clean_session(true)
        .set_max_packet_size(cfg.max_incoming, 256 * 1024)
        .set_request_channel_capacity(CLIENT_QUEUE);
    match (&url.user, &cfg.password) {
        (Some(u), p) => {
            o.set_credentials(u, p.clone().unwrap_or_default());
        }
        (None, Some(_)) => bail!("{url}: a password needs a user: mqtt://USER@HOST"),
        (None, None) => {}
    }
    if let Some(s) = &cfg.status {
        o.set_last_will(LastWill::new(&s.topic, s.offline, QoS::AtLeastOnce, true));
    }
    if url.tls {
        o.set_transport(Transport::tls_with_config(TlsConfiguration::Rustls(
            Arc::new(tls_config()?),
        )));
    }
    Ok(o)
}

/// TLS with the system's trust store (Debian's ca-certificates, a private CA added to it,
/// SSL_CERT_FILE), as `--notify` uses.
fn tls_config() -> Result<rustls::ClientConfig> {
    use rustls::ClientConfig;
    use rustls_platform_verifier::BuilderVerifierExt;
    // ring, as --notify's ureq uses; the post-quantum key exchange rustls now prefers needs
    // aws-lc-rs, a C build this project avoids.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_platform_verifier()?
        .with_no_client_auth())
}

/// What is waiting to go out.
#[derive(Default)]
pub(super) struct Outbox {
    /// The latest retained payload of every topic (empty: cleared).
    pub(super) retained: BTreeMap<String, Vec<u8>>,
    /// Retained topics not yet handed to the client since they changed.
    pub(super) dirty: BTreeSet<String>,
    /// Emptied topics, oldest first (bounded, see [`CLEARED`]).
    pub(super) cleared: VecDeque<String>,
    /// Other messages not yet handed to the client.
    pub(super) held: VecDeque<Message>,
    /// Subscribe (true) and unsubscribe requests not yet handed to the client.
    pub(super) control: VecDeque<(bool, String)>,
}

impl Outbox {
    /// Takes `m`; returns whether an older held message had to go.
    pub(super) fn take(&mut self, m: Message) -> bool {
        if !m.retain {
            self.held.push_back(m);
            return self.held.len() > HELD && self.held.pop_front().is_some();
        }
        if m.payload.is_empty() {
            self.cleared.push_back(m.topic.clone());
            if self.cleared.len() > CLEARED {
                if let Some(t) = self.cleared.pop_front() {
                    if self.retained.get(&t).is_some_and(Vec::is_empty) {
                        self.retained.remove(&t);
                        self.dirty.remove(&t);
                    }
                }
            }
        }
        self.dirty.insert(m.topic.clone());
        self.retained.insert(m.topic, m.payload);
        false
    }
}

/// The connection as the outbox sees it.
#[derive(Default)]
struct Link {
    up: bool,
    /// Messages handed to the client on this connection, those not retained among them,
    /// and the acknowledgements.
    handed: u64,
    handed_transient: u64,
    acked: u64,
    /// When an outage was last said, and whether its end is still to be said.
    said_down: Option<Instant>,
    down_open: bool,
}

/// The outbox's state.
pub(super) struct Conn {
    broker: String,
    client: Client,
    status: Option<Status>,
    subscribe: Vec<String>,
    out: Outbox,
    link: Link,
    shared: Arc<Shared>,
    warn: Warn,
    /// A watch's connection (it has a status to say), worded as such in the warnings.
    publisher: bool,
}

impl Conn {
    pub(super) fn new(cfg: &MqttConfig, client: Client, shared: Arc<Shared>, warn: Warn) -> Conn {
        Conn {
            broker: cfg.url.to_string(),
            client,
            status: cfg.status.clone(),
            subscribe: cfg.subscribe.clone(),
            out: Outbox::default(),
            link: Link::default(),
            shared,
            warn,
            publisher: cfg.status.is_some(),
        }
    }

    /// Serves the caller and the driver until told to stop (or the caller is gone).
    pub(super) fn run(mut self, rx: &Receiver<Input>) {
        loop {
            // Waits without a timeout unless something is left for the client.
            let pending = self.link.up && !(self.out.dirty.is_empty() && self.out.held.is_empty());
            let input = if pending {
                match rx.recv_timeout(RETRY) {
                    Ok(i) => Some(i),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return self.stop(rx),
                }
            } else {
                match rx.recv() {
                    Ok(i) => Some(i),
                    Err(_) => return self.stop(rx),
                }
            };
            match input {
                Some(Input::Stop) => return self.stop(rx),
                Some(i) => self.on(i),
                None => {}
            }
            self.flush();
        }
    }

    fn on(&mut self, i: Input) {
        match i {
            Input::Send(m) => {
                if self.out.take(m) {
                    self.shared.drop_n(1);
                }
            }
            Input::Up => self.connected(),
            Input::Acked => {
                self.link.acked += 1;
                self.shared.sent.fetch_add(1, Ordering::SeqCst);
            }
            Input::Down(why) => self.down(why),
            Input::Unsubscribe(f) => {
                self.subscribe.retain(|s| *s != f);
                self.out.control.retain(|(_, c)| *c != f);
                if self.link.up {
                    self.out.control.push_back((false, f));
                }
            }
            Input::Stop | Input::Closed => {}
        }
    }

    /// Hands what waits to the client while connected and it has room.
    fn flush(&mut self) {
        if !self.link.up {
            return;
        }
        // Subscriptions first: the retained messages they bring are what a watch settles on.
        while let Some((sub, filter)) = self.out.control.front() {
            let handed = if *sub {
                self.client.try_subscribe(filter.as_str(), QoS::AtLeastOnce)
            } else {
                self.client.try_unsubscribe(filter.as_str())
            };
            if handed.is_err() {
                return;
            }
            self.out.control.pop_front();
        }
        while let Some(topic) = self.out.dirty.first().cloned() {
            let payload = self.out.retained.get(&topic).cloned().unwrap_or_default();
            match self.publish(&topic, payload, true) {
                Handed::Yes | Handed::Refused => self.out.dirty.remove(&topic),
                Handed::Full => return,
            };
        }
        while let Some(m) = self.out.held.pop_front() {
            match self.publish(&m.topic, m.payload.clone(), false) {
                Handed::Yes => self.link.handed_transient += 1,
                Handed::Refused => self.shared.drop_n(1),
                Handed::Full => {
                    self.out.held.push_front(m);
                    return;
                }
            }
        }
    }

    /// Hands one message to the client.
    fn publish(&mut self, topic: &str, payload: Vec<u8>, retain: bool) -> Handed {
        // The client refuses such a topic with the error of a full channel; refused once,
        // it would be refused again and hold up everything behind it.
        if topic.is_empty() || topic.contains(['+', '#']) || topic.len() > usize::from(u16::MAX) {
            return Handed::Refused;
        }
        match self
            .client
            .try_publish(topic, QoS::AtLeastOnce, retain, payload)
        {
            Ok(()) => {
                self.link.handed += 1;
                Handed::Yes
            }
            Err(_) => Handed::Full,
        }
    }

    /// A (re)connect: subscriptions, `online`, every retained message again.
    fn connected(&mut self) {
        if std::mem::take(&mut self.link.down_open) {
            let lost = self.shared.lost_in_outage.swap(0, Ordering::SeqCst);
            (self.warn)(Warning::MqttBack {
                broker: self.broker.clone(),
                lost,
                publisher: self.publisher,
            });
        }
        self.link = Link {
            up: true,
            said_down: self.link.said_down,
            ..Link::default()
        };
        self.shared.up.store(true, Ordering::SeqCst);
        self.shared.connects.fetch_add(1, Ordering::SeqCst);
        // Requests of the connection before are void: this one subscribes afresh.
        self.out.control = (self.subscribe.iter()).map(|f| (true, f.clone())).collect();
        if let Some(s) = &self.status {
            self.out.take(Message::retained(s.topic.clone(), s.online));
        }
        let topics: Vec<String> = self.out.retained.keys().cloned().collect();
        self.out.dirty.extend(topics);
    }

    fn down(&mut self, why: String) {
        let quiet = self.link.said_down.is_some_and(|t| t.elapsed() < SAY_EVERY);
        let say = !quiet && !self.link.down_open;
        if say {
            self.shared.lost_in_outage.store(0, Ordering::SeqCst);
        }
        if std::mem::take(&mut self.link.up) {
            // Handed but never acknowledged went with the session: the retained ones go
            // out again on the next connect, the others are lost.
            let unacked = self.link.handed.saturating_sub(self.link.acked);
            self.shared.drop_n(unacked.min(self.link.handed_transient));
            self.shared.up.store(false, Ordering::SeqCst);
        }
        if say {
            self.link.said_down = Some(Instant::now());
            self.link.down_open = true;
            (self.warn)(Warning::MqttDown {
                broker: self.broker.clone(),
                why,
                publisher: self.publisher,
            });
        }
    }

    /// Says `offline` (a clean stop does not fire the last will), hands over what waits,
    /// disconnects, and waits for the disconnect to go out (a second at most). What never
    /// went out is counted lost (retained states stay with the broker as last delivered).
    fn stop(mut self, rx: &Receiver<Input>) {
        self.shared.up.store(false, Ordering::SeqCst);
        if self.link.up && self.offline_handed() {
            self.flush();
            if self.client.try_disconnect().is_ok() {
                self.wait_closed(rx);
            }
        }
        self.shared.drop_n(self.out.held.len() as u64);
    }

    /// Hands `offline` over before anything else; false when it could not be (a clean
    /// disconnect would then cancel the last will that says it).
    fn offline_handed(&mut self) -> bool {
        let Some(s) = self.status.clone() else {
            return true;
        };
        self.out.dirty.remove(&s.topic);
        matches!(self.publish(&s.topic, s.offline.into(), true), Handed::Yes)
    }

    /// Until our disconnect went out, or a second.
    fn wait_closed(&self, rx: &Receiver<Input>) {
        let deadline = Instant::now() + Duration::from_secs(1);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(Input::Acked) => {
                    self.shared.sent.fetch_add(1, Ordering::SeqCst);
                }
                Ok(Input::Closed | Input::Down(_)) | Err(_) => return,
                Ok(_) => {}
            }
        }
    }
}

/// What became of a message handed to the client.
enum Handed {
    Yes,
    /// Its channel is full: try again later.
    Full,
    /// Refused for good.
    Refused,
}

#[cfg(test)]
#[path = "conn_tests.rs"]
mod tests;
