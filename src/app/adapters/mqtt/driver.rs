//! The driver: rumqttc's event loop, run to each event's end (never broken off), on a
//! thread of its own.

use super::{Handler, Input, Shared};
use crate::mqtt::reconnect_pause;
use rumqttc::{ConnectReturnCode, Connection, ConnectionError, Event, Outgoing, Packet};
use std::sync::atomic::Ordering;
use std::sync::mpsc::SyncSender;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A connection up this long counts as good: the reconnect pause starts over after it.
const STABLE: Duration = Duration::from_secs(30);

/// The event loop's side of a connection.
pub(super) struct Driver {
    pub(super) connection: Connection,
    pub(super) tx: SyncSender<Input>,
    pub(super) handler: Option<Handler>,
    pub(super) shared: Arc<Shared>,
}

impl Driver {
    /// Connects, reconnects and reports, until our disconnect went out or the outbox is
    /// gone.
    pub(super) fn run(mut self) {
        let mut failures = 0u32;
        let mut up_since: Option<Instant> = None;
        loop {
            let Ok(event) = self.connection.recv() else {
                return; // every client is gone
            };
            let report = match event {
                Ok(Event::Incoming(Packet::ConnAck(_))) => {
                    up_since = Some(Instant::now());
                    Some(Input::Up)
                }
                Ok(Event::Incoming(Packet::PubAck(_))) => Some(Input::Acked),
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    if let Some(h) = self.handler.as_mut() {
                        h(&p.topic, &p.payload);
                    }
                    None
                }
                Ok(Event::Outgoing(Outgoing::Disconnect)) => {
                    let _ = self.tx.send(Input::Closed);
                    return;
                }
                Ok(_) => None,
                Err(e) => {
                    // rumqttc keeps a publish that waited for its packet id across a
                    // reconnect, where nothing will ever free it: let it go.
                    self.connection.eventloop.state.collision = None;
                    if up_since.take().is_some_and(|t| t.elapsed() >= STABLE) {
                        failures = 0;
                    }
                    failures += 1;
                    let _ = self.tx.send(Input::Down(reason(&e)));
                    if !self.pause(reconnect_pause(failures)) {
                        return;
                    }
                    None
                }
            };
            if let Some(r) = report {
                if self.tx.send(r).is_err() {
                    return;
                }
            }
        }
    }

    /// Waits `pause` before the next attempt; false when the connection is to end.
    fn pause(&self, pause: Duration) -> bool {
        let until = Instant::now() + pause;
        while Instant::now() < until {
            if self.shared.stopping.load(Ordering::SeqCst) {
                return false;
            }
            std::thread::sleep((until - Instant::now()).min(Duration::from_millis(100)));
        }
        !self.shared.stopping.load(Ordering::SeqCst)
    }
}

/// Why a connection failed, for a person.
pub(super) fn reason(e: &ConnectionError) -> String {
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
        ConnectionError::MqttState(rumqttc::StateError::Deserialization(
            rumqttc::Error::PayloadSizeLimitExceeded(n),
        )) => format!(
            "it sent a message of {n} bytes, more than v6scout takes, which breaks the \
             connection (and a retained one again after every reconnect): limit the \
             broker's messages (mosquitto: max_packet_size 65536)"
        ),
        ConnectionError::Tls(t) => {
            let text = crate::warning::strip_os_codes(&t.to_string());
            match text.split_once("invalid peer certificate: ") {
                Some((_, why)) => format!(
                    "its TLS certificate is not trusted ({why}): add the CA that signed it to \
                     the system's trust store (or point SSL_CERT_FILE at it)"
                ),
                None => format!("TLS failed: {text}"),
            }
        }
        other => crate::warning::strip_os_codes(&other.to_string()),
    }
}
