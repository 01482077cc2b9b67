//! The connection to an MQTT broker, for a watch (which publishes) and for a hub (which
//! subscribes).
//!
//! Two threads of its own. The *driver* runs rumqttc's event loop, blocking in it and
//! never breaking a call off (a call abandoned half-way could lose a packet rumqttc
//! already counts as sent); it hands a hub's messages to its handler, reports connects,
//! acknowledgements and failures, and waits out the pause before each reconnect. The
//! *outbox* owns the client: the caller never waits, [`Mqtt::send`] queues (a bounded
//! queue; a full one drops and counts). The outbox keeps the latest retained message of
//! every topic, so while the broker is away a device's newer state replaces its older one
//! instead of piling up, and after every (re)connect it publishes `online` and all of
//! them again; other messages wait in a bounded buffer meanwhile. Reconnects follow
//! [`crate::mqtt::reconnect_pause`]; an outage is said once (at most once every five
//! minutes, so a broker that accepts and drops us in a loop does not flood the log), and
//! its end with what it cost.

mod conn;
mod driver;

use crate::config::MqttBroker;
use crate::mqtt::broker::BrokerUrl;
use crate::mqtt::{Counts, Message};
use crate::output::warnings::warn_stderr;
use crate::warning::Warning;
use anyhow::{Context, Result};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Messages queued for the outbox at most; more are dropped (counted).
pub const QUEUE: usize = 8192;

/// Non-retained messages kept while the broker is away at most; older ones are dropped.
pub const HELD: usize = 1024;

/// Where to connect and as whom.
#[derive(Clone, Debug)]
pub struct MqttConfig {
    /// The broker.
    pub url: BrokerUrl,
    /// The password, from the URL or a file (never printed).
    pub password: Option<String>,
    /// The client id (unique per process: a second client with the same id would push
    /// this one off).
    pub client_id: String,
    /// The last will: a retained message the broker publishes when we vanish, and the
    /// message that says we are back, published on every connect.
    pub status: Option<Status>,
    /// Topic filters to subscribe to (QoS 1) on every connect.
    pub subscribe: Vec<String>,
    /// Largest message accepted from the broker; a larger one breaks the connection.
    pub max_incoming: usize,
}

/// A status topic with its online and offline (last will) payloads.
#[derive(Clone, Debug)]
pub struct Status {
    /// The topic.
    pub topic: String,
    /// Published on connect.
    pub online: &'static str,
    /// The last will, and what a clean stop publishes.
    pub offline: &'static str,
}

/// What the outbox takes: from the caller, and from the driver.
enum Input {
    /// A message to publish.
    Send(Message),
    /// Publish the offline status, disconnect and end.
    Stop,
    /// The broker accepted us.
    Up,
    /// The broker acknowledged a message.
    Acked,
    /// The connection failed or broke; why, for a person.
    Down(String),
    /// Stop subscribing to a filter (now and on later connects).
    Unsubscribe(String),
    /// Our disconnect went out: the driver has ended.
    Closed,
}

/// Counters shared by the caller (who drops on a full queue) and the outbox.
#[derive(Default)]
pub(crate) struct Shared {
    pub(crate) sent: AtomicU64,
    pub(crate) dropped: AtomicU64,
    pub(crate) connects: AtomicU64,
    pub(crate) up: AtomicBool,
    /// Drops since the outage began (said when it ends).
    pub(crate) lost_in_outage: AtomicU64,
    /// Set when the connection is to end: the driver stops reconnecting.
    pub(crate) stopping: AtomicBool,
}

impl Shared {
    pub(crate) fn drop_n(&self, n: u64) {
        self.dropped.fetch_add(n, Ordering::SeqCst);
        self.lost_in_outage.fetch_add(n, Ordering::SeqCst);
    }

    fn counts(&self) -> Counts {
        Counts {
            sent: self.sent.load(Ordering::SeqCst),
            dropped: self.dropped.load(Ordering::SeqCst),
            connects: self.connects.load(Ordering::SeqCst),
            up: self.up.load(Ordering::SeqCst),
        }
    }
}

/// What a subscriber does with each message: topic and payload (runs on the driver's
/// thread: while it waits, the broker holds what comes next).
pub type Handler = Box<dyn FnMut(&str, &[u8]) + Send>;

/// A connection to a broker, kept up by its own threads.
pub struct Mqtt {
    tx: SyncSender<Input>,
    shared: Arc<Shared>,
    outbox: Option<JoinHandle<()>>,
}

impl Mqtt {
    /// Starts the threads; they connect at once and keep reconnecting. `handler` gets
    /// what the subscriptions bring.
    pub fn start(cfg: MqttConfig, handler: Option<Handler>) -> Result<Mqtt> {
        let (tx, rx) = mpsc::sync_channel(QUEUE);
        let shared = Arc::new(Shared::default());
        let warn: Warn = Arc::new(warn_stderr);
        let (client, connection) = conn::client(&cfg)?;
        let driver = driver::Driver {
            connection,
            tx: tx.clone(),
            handler,
            shared: Arc::clone(&shared),
        };
        std::thread::Builder::new()
            .name("v6scout-mqtt-net".into())
            .spawn(move || driver.run())
            .context("starting the MQTT thread")?;
        let outbox = conn::Conn::new(&cfg, client, Arc::clone(&shared), warn);
        let outbox = std::thread::Builder::new()
            .name("v6scout-mqtt".into())
            .spawn(move || outbox.run(&rx))
            .context("starting the MQTT thread")?;
        Ok(Mqtt {
            tx,
            shared,
            outbox: Some(outbox),
        })
    }

    /// Queues `messages`; never waits. What does not fit is dropped and counted.
    pub fn send(&self, messages: impl IntoIterator<Item = Message>) {
        for m in messages {
            if let Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) =
                self.tx.try_send(Input::Send(m))
            {
                self.shared.drop_n(1);
            }
        }
    }

    /// Ends the subscription to `filter` (queued like a message; never waits).
    pub fn unsubscribe(&self, filter: String) {
        let _ = self.tx.try_send(Input::Unsubscribe(filter));
    }

    /// What became of the messages so far.
    pub fn counts(&self) -> Counts {
        self.shared.counts()
    }

    /// Publishes the offline status, gives what is queued up to `grace` to go out, and
    /// disconnects. Returns the final counts.
    pub fn finish(mut self, grace: Duration) -> Counts {
        let deadline = Instant::now() + grace;
        // The queue may be full: wait for room, not past the deadline.
        let mut stop = Input::Stop;
        loop {
            match self.tx.try_send(stop) {
                Ok(()) => break,
                Err(TrySendError::Full(c)) if Instant::now() < deadline => {
                    stop = c;
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(_) => break,
            }
        }
        while Instant::now() < deadline && self.outbox.as_ref().is_some_and(|w| !w.is_finished()) {
            std::thread::sleep(Duration::from_millis(10));
        }
        self.shared.stopping.store(true, Ordering::SeqCst);
        if let Some(w) = self.outbox.take().filter(JoinHandle::is_finished) {
            let _ = w.join();
        }
        self.counts()
    }
}

/// The password of `broker`: the first line of its password file, else the URL's.
pub fn password(broker: &MqttBroker) -> Result<Option<String>> {
    let Some(file) = &broker.password_file else {
        return Ok(broker.url.password.clone());
    };
    let text = std::fs::read_to_string(file).map_err(|e| {
        anyhow::anyhow!(
            "--mqtt-password-file {}: {} (the file holds the broker's password on its first line)",
            file.display(),
            crate::warning::io_reason(&e)
        )
    })?;
    Ok(Some(text.lines().next().unwrap_or("").to_owned()))
}

/// `v6scout-ROLE-XXXXXXXX`: a client id of its own per process (a broker pushes off the
/// older of two clients with one id).
pub fn client_id(role: &str) -> String {
    let mut r = [0u8; 4];
    // Without randomness, the process id still tells two clients apart.
    let tail = match getrandom::fill(&mut r) {
        Ok(()) => r.iter().map(|b| format!("{b:02x}")).collect(),
        Err(_) => format!("{:08x}", std::process::id()),
    };
    format!("v6scout-{role}-{tail}")
}

/// Where warnings go: stderr, or a list in the tests.
pub(crate) type Warn = Arc<dyn Fn(Warning) + Send + Sync>;

#[cfg(test)]
#[path = "mqtt_tests.rs"]
mod tests;
