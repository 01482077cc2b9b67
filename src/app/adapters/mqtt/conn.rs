//! The connection's thread: rumqttc's client and event loop, the retained messages, the
//! held ones, reconnects.

use super::{Cmd, Handler, MqttConfig, Shared, Status, Warn, HELD};
use crate::mqtt::{reconnect_pause, Message};
use crate::warning::Warning;
use anyhow::{bail, Result};
use rumqttc::{
    Client, ConnectReturnCode, Connection, ConnectionError, Event, LastWill, MqttOptions, Outgoing,
    Packet, QoS, RecvTimeoutError, TlsConfiguration, Transport,
};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Requests rumqttc's own channel holds; beyond, messages wait here.
const CLIENT_QUEUE: usize = 512;

/// Emptied topics remembered (published again after a reconnect) at most.
const CLEARED: usize = 4096;

/// How long one connection attempt may take (TCP, TLS, CONNACK).
const CONNECT_TIMEOUT: u64 = 10;

/// How often the thread looks at its queue while connected.
const TICK: Duration = Duration::from_millis(20);

/// The state of the connection's thread.
pub(super) struct Conn {
    broker: String,
    client: Client,
    connection: Connection,
    status: Option<Status>,
    subscribe: Vec<String>,
    out: Outbox,
    link: LinkState,
    shared: Arc<Shared>,
    handler: Option<Handler>,
    warn: Warn,
}

/// Whether we are connected, and how the failures go.
#[derive(Default)]
struct LinkState {
    up: bool,
    failures: u32,
    retry_at: Option<Instant>,
    /// QoS 1 messages handed to the client, and acknowledged, on this connection.
    handed: u64,
    acked: u64,
}

/// What is waiting to go out.
#[derive(Default)]
struct Outbox {
    /// The latest retained payload of every topic (empty: cleared).
    retained: BTreeMap<String, Vec<u8>>,
    /// Retained topics not yet handed to the client since they changed.
    dirty: BTreeSet<String>,
    /// Emptied topics, oldest first (bounded, see [`CLEARED`]).
    cleared: VecDeque<String>,
    /// Other messages not yet handed to the client.
    held: VecDeque<Message>,
}

impl Outbox {
    /// Takes `m`; returns whether an older held message had to go.
    fn take(&mut self, m: Message) -> bool {
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
                    }
                }
            }
        }
        self.dirty.insert(m.topic.clone());
        self.retained.insert(m.topic, m.payload);
        false
    }
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

/// Why a connection failed, for a person.
fn reason(e: &ConnectionError) -> String {
    match e {
        ConnectionError::ConnectionRefused(ConnectReturnCode::BadUserNamePassword) => {
            "refused the user name or password (check the URL's user and \
             --mqtt-password-file)"
                .into()
        }
        ConnectionError::ConnectionRefused(ConnectReturnCode::NotAuthorized) => {
            "refused us: not authorised".into()
        }
        ConnectionError::ConnectionRefused(code) => format!("refused us ({code:?})"),
        ConnectionError::Io(io) => crate::warning::io_reason(io),
        ConnectionError::NetworkTimeout => "no answer (timed out)".into(),
        other => crate::warning::strip_os_codes(&other.to_string()),
    }
}

impl Conn {
    pub(super) fn new(
        cfg: MqttConfig,
        shared: Arc<Shared>,
        handler: Option<Handler>,
        warn: Warn,
    ) -> Result<Conn> {
        let (client, mut connection) = Client::new(options(&cfg)?, CLIENT_QUEUE);
        let mut net = rumqttc::NetworkOptions::new();
        net.set_connection_timeout(CONNECT_TIMEOUT);
        connection.eventloop.set_network_options(net);
        Ok(Conn {
            broker: cfg.url.to_string(),
            client,
            connection,
            status: cfg.status,
            subscribe: cfg.subscribe,
            out: Outbox::default(),
            link: LinkState::default(),
            shared,
            handler,
            warn,
        })
    }

    /// Serves the queue and the connection until told to stop (or the caller is gone).
    pub(super) fn run(mut self, rx: &Receiver<Cmd>) {
        loop {
            loop {
                match rx.try_recv() {
                    Ok(Cmd::Send(m)) => self.take(m),
                    Ok(Cmd::Stop) | Err(TryRecvError::Disconnected) => return self.stop(),
                    Err(TryRecvError::Empty) => break,
                }
            }
            if let Some(at) = self.link.retry_at {
                let now = Instant::now();
                if now < at {
                    match rx.recv_timeout((at - now).min(Duration::from_millis(200))) {
                        Ok(Cmd::Send(m)) => self.take(m),
                        Ok(Cmd::Stop) => return self.stop(),
                        Err(_) => {}
                    }
                    continue;
                }
                self.link.retry_at = None;
            }
            self.flush();
            // While connecting, the attempt runs to its own timeout: a short wait would
            // break off every handshake slower than it.
            let event = if self.link.up {
                match self.connection.recv_timeout(TICK) {
                    Ok(r) => Some(r),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            } else {
                match self.connection.recv() {
                    Ok(r) => Some(r),
                    Err(_) => return,
                }
            };
            match event {
                Some(Ok(e)) => self.on_event(e),
                Some(Err(e)) => self.on_error(&e),
                None => {}
            }
        }
    }

    fn take(&mut self, m: Message) {
        if self.out.take(m) {
            self.shared.drop_one();
        }
    }

    /// Hands what waits to the client while connected and it has room.
    fn flush(&mut self) {
        if !self.link.up {
            return;
        }
        while let Some(topic) = self.out.dirty.first().cloned() {
            let payload = self.out.retained.get(&topic).cloned().unwrap_or_default();
            if !self.publish(&topic, payload, true) {
                return;
            }
            self.out.dirty.remove(&topic);
        }
        while let Some(m) = self.out.held.pop_front() {
            if !self.publish(&m.topic, m.payload.clone(), m.retain) {
                self.out.held.push_front(m);
                return;
            }
        }
    }

    /// Hands one message to the client; false when its channel is full.
    fn publish(&mut self, topic: &str, payload: Vec<u8>, retain: bool) -> bool {
        match self
            .client
            .try_publish(topic, QoS::AtLeastOnce, retain, payload)
        {
            Ok(()) => {
                self.link.handed += 1;
                true
            }
            Err(_) => false,
        }
    }

    fn on_event(&mut self, e: Event) {
        match e {
            Event::Incoming(Packet::ConnAck(_)) => self.connected(),
            Event::Incoming(Packet::PubAck(_)) => {
                self.link.acked += 1;
                self.shared.sent.fetch_add(1, Ordering::SeqCst);
            }
            Event::Incoming(Packet::Publish(p)) => {
                if let Some(h) = self.handler.as_mut() {
                    h(&p.topic, &p.payload);
                }
            }
            _ => {}
        }
    }

    /// A (re)connect: subscriptions, `online`, every retained message again.
    fn connected(&mut self) {
        if self.link.failures > 0 {
            let lost = self.shared.lost_in_outage.swap(0, Ordering::SeqCst);
            (self.warn)(Warning::MqttBack {
                broker: self.broker.clone(),
                lost,
            });
        }
        self.link = LinkState {
            up: true,
            ..LinkState::default()
        };
        self.shared.up.store(true, Ordering::SeqCst);
        self.shared.connects.fetch_add(1, Ordering::SeqCst);
        for f in &self.subscribe {
            let _ = self.client.try_subscribe(f.as_str(), QoS::AtLeastOnce);
        }
        if let Some(s) = &self.status {
            self.out.take(Message::retained(s.topic.clone(), s.online));
        }
        let topics: Vec<String> = self.out.retained.keys().cloned().collect();
        self.out.dirty.extend(topics);
        self.flush();
    }

    fn on_error(&mut self, e: &ConnectionError) {
        if self.link.up {
            // Handed but never acknowledged: gone with the session.
            let lost = self.link.handed.saturating_sub(self.link.acked);
            self.shared.dropped.fetch_add(lost, Ordering::SeqCst);
            self.shared.lost_in_outage.store(lost, Ordering::SeqCst);
            self.shared.up.store(false, Ordering::SeqCst);
            self.link.up = false;
        } else if self.link.failures == 0 {
            self.shared.lost_in_outage.store(0, Ordering::SeqCst);
        }
        self.link.failures += 1;
        if self.link.failures == 1 {
            (self.warn)(Warning::MqttDown {
                broker: self.broker.clone(),
                why: reason(e),
            });
        }
        self.link.retry_at = Some(Instant::now() + reconnect_pause(self.link.failures));
    }

    /// Says `offline` (a clean stop does not fire the last will), hands over what waits,
    /// disconnects, and drives the connection until that is done (a second at most).
    fn stop(mut self) {
        if !self.link.up {
            return;
        }
        if let Some(s) = &self.status {
            self.out.take(Message::retained(s.topic.clone(), s.offline));
        }
        self.flush();
        let _ = self.client.try_disconnect();
        let deadline = Instant::now() + Duration::from_secs(1);
        while Instant::now() < deadline {
            match self.connection.recv_timeout(Duration::from_millis(100)) {
                Ok(Ok(Event::Outgoing(Outgoing::Disconnect))) | Ok(Err(_)) => return,
                Ok(Ok(Event::Incoming(Packet::PubAck(_)))) => {
                    self.shared.sent.fetch_add(1, Ordering::SeqCst);
                }
                Err(RecvTimeoutError::Disconnected) => return,
                _ => {}
            }
        }
    }
}

#[cfg(test)]
#[path = "conn_tests.rs"]
mod tests;
