//! Everything a run warns about, as values: stages report them, `app` renders them in one
//! place (and watch says each distinct one once). Also the wording of system errors for
//! a user: without their `(os error N)` codes, and with what they mean for a scan.

use std::fmt;
use std::io;

/// `err` as a sentence for a user: the system's text without the error code, plus what it
/// means for the interface being scanned when that is clear.
pub fn io_reason(err: &io::Error) -> String {
    let text = strip_os_codes(&err.to_string());
    let hint = match err.raw_os_error() {
        Some(libc::ENODEV | libc::ENXIO) => Some("the interface is gone"),
        Some(libc::ENETDOWN) => Some("the interface is down"),
        Some(libc::EADDRNOTAVAIL) => Some("its address went away"),
        Some(libc::ENOBUFS) => Some("the kernel's buffers are full"),
        Some(libc::EINVAL) => Some(
            "the kernel refused the packet: is the interface down, or the neighbour table full?",
        ),
        _ => None,
    };
    match hint {
        Some(h) => format!("{text}: {h}"),
        None => text,
    }
}

/// Removes every ` (os error N)` that Rust's `io::Error` display appends.
pub fn strip_os_codes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(" (os error ") {
        let tail = &rest[at + " (os error ".len()..];
        let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
        out.push_str(&rest[..at]);
        if digits > 0 && tail.as_bytes().get(digits) == Some(&b')') {
            rest = &tail[digits + 1..];
        } else {
            out.push_str(" (os error ");
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

/// A problem that does not stop the run.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Warning {
    /// An interface is not scanned (down, no link-local address…).
    NotScanned {
        /// The interface.
        interface: String,
        /// Why not.
        why: String,
    },
    /// An interface's probe socket could not be opened.
    LinkNotOpened {
        /// The interface.
        interface: String,
        /// What the system said.
        why: String,
    },
    /// No probe could be sent on an interface.
    NoProbeSent {
        /// The interface.
        interface: String,
        /// What the system said.
        why: String,
    },
    /// An interface's probe worker stopped unexpectedly; the other interfaces' results
    /// are kept.
    WorkerStopped {
        /// The interface.
        interface: String,
    },
    /// The kernel's neighbour cache could not be read.
    NeighCache {
        /// What the system said.
        why: String,
    },
    /// The kernel's IPv4 neighbour table could not be read.
    Ipv4Table {
        /// What the system said.
        why: String,
    },
    /// Answers were dropped because an interface reached `--max-hosts`.
    OverLimit {
        /// How many.
        dropped: u64,
        /// The limit.
        max_hosts: usize,
    },
    /// Answering addresses were dropped because an interface reached `--max-memory`.
    OverMemory {
        /// How many.
        dropped: u64,
        /// The limit, in MiB.
        mib: usize,
    },
    /// An interface's ARP sweep was not done, or failed.
    Sweep {
        /// The interface.
        interface: String,
        /// Why.
        why: String,
    },
    /// An interface's ARP sweep stopped unexpectedly.
    SweepStopped {
        /// The interface.
        interface: String,
    },
    /// The device inventory could not be used; the run goes on without it.
    Inventory {
        /// What is wrong and what to do, as the inventory words it.
        why: String,
    },
    /// `wake`: one form of the magic packet could not be sent.
    WakeNotSent {
        /// The interface.
        interface: String,
        /// Which form (`wake::FRAME_FORM`, `wake::UDP_FORM`).
        packet: &'static str,
        /// Why, and what to do.
        why: String,
    },
    /// `--exec`: too many commands still running, so none was run for an event.
    ExecBusy {
        /// Commands running.
        running: usize,
        /// The event's kind.
        event: &'static str,
    },
    /// `--exec`: `sh` could not be started.
    ExecFailed {
        /// What the system said.
        why: String,
    },
    /// `--exec`: a command ended with a failure status.
    ExecStatus {
        /// The event's kind.
        event: &'static str,
        /// Its exit status, as the system words it.
        status: String,
    },
    /// `--exec`: events that had no command run, over the whole watch.
    ExecSkipped {
        /// How many.
        events: u64,
    },
    /// `--notify`: a notification was given up (the first of a failure streak).
    NotifyFailed {
        /// The target, without its query.
        target: String,
        /// The event's kind.
        event: &'static str,
        /// Why the last try failed.
        why: String,
        /// Tries made.
        tries: u32,
    },
    /// `--notify`: the target's queue is full, so a notification was dropped (the first of
    /// a failure streak).
    NotifyQueueFull {
        /// The target, without its query.
        target: String,
        /// Notifications waiting.
        waiting: usize,
    },
    /// `--notify`: a notification got through again after a failure streak.
    NotifyRecovered {
        /// The target, without its query.
        target: String,
        /// Notifications failed or dropped during the streak.
        lost: u64,
    },
    /// `--notify`: notifications still waiting when watch stopped.
    NotifyUndelivered {
        /// The target, without its query.
        target: String,
        /// How many.
        count: u64,
    },
    /// MQTT: the broker cannot be reached or refused us (said once per outage).
    MqttDown {
        /// The broker, without its password.
        broker: String,
        /// Why.
        why: String,
        /// A watch publishing (not a hub).
        publisher: bool,
    },
    /// MQTT: connected again after an outage.
    MqttBack {
        /// The broker, without its password.
        broker: String,
        /// Messages dropped meanwhile.
        lost: u64,
        /// A watch publishing (not a hub).
        publisher: bool,
    },
    /// A hub could not record a device state (it goes on with the next).
    HubRecord {
        /// What is wrong, as the inventory words it.
        why: String,
    },
    /// A hub dropped a message (said once per reason).
    MqttDropped {
        /// The topic.
        topic: String,
        /// Why.
        why: String,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::NotScanned { interface, why } => {
                write!(f, "{interface} is not scanned: {why}")
            }
            Warning::LinkNotOpened { interface, why } | Warning::Sweep { interface, why } => {
                write!(f, "{interface}: {why}")
            }
            Warning::NoProbeSent { interface, why } => {
                write!(f, "{interface}: no probe could be sent ({why})")
            }
            Warning::WorkerStopped { interface } => write!(
                f,
                "{interface}: the probe worker stopped unexpectedly; this interface's results \
                 are missing (the other interfaces' are kept)"
            ),
            Warning::NeighCache { why } => write!(
                f,
                "could not read the neighbour cache ({why}); MACs come from the probes only"
            ),
            Warning::Ipv4Table { why } => {
                write!(f, "could not read the IPv4 neighbour table ({why})")
            }
            Warning::OverLimit { dropped, max_hosts } => write!(
                f,
                "dropped {dropped} answers from addresses over --max-hosts {max_hosts} (a flood, \
                 or raise the limit)"
            ),
            Warning::OverMemory { dropped, mib } => write!(
                f,
                "dropped {dropped} answers from addresses over --max-memory {mib} MiB (every \
                 host kept one address first; raise the limit to list them all)"
            ),
            Warning::SweepStopped { interface } => {
                write!(f, "{interface}: the ARP sweep stopped unexpectedly")
            }
            Warning::ExecBusy { running, event } => write!(
                f,
                "--exec: {running} commands still running; not run for this {event} event"
            ),
            Warning::Inventory { why } => write!(f, "{why}; going on without the inventory"),
            Warning::WakeNotSent {
                interface,
                packet,
                why,
            } => write!(
                f,
                "{interface}: the magic packet {packet} was not sent: {why}"
            ),
            Warning::ExecFailed { why } => write!(f, "--exec: cannot run sh: {why}"),
            Warning::ExecStatus { event, status } => {
                write!(f, "--exec: command for a {event} event: {status}")
            }
            Warning::ExecSkipped { events } => write!(
                f,
                "--exec: {events} events had no command run (too many running)"
            ),
            Warning::NotifyFailed {
                target,
                event,
                why,
                tries,
            } => write!(
                f,
                "--notify {target}: a {event} notification was not delivered ({why}; {} \
                 made); until one gets through, failures are only counted \
                 (v6scout_notify_failures_total)",
                if *tries == 1 {
                    "1 try".to_owned()
                } else {
                    format!("{tries} tries")
                }
            ),
            Warning::NotifyQueueFull { target, waiting } => write!(
                f,
                "--notify {target}: {waiting} notifications waiting (the receiver is slow or \
                 down); until one gets through, new ones are dropped and counted \
                 (v6scout_notify_dropped_total)"
            ),
            Warning::NotifyRecovered { target, lost } => write!(
                f,
                "--notify {target}: delivering again; {} lost meanwhile",
                notifications(*lost)
            ),
            Warning::NotifyUndelivered { target, count } => write!(
                f,
                "--notify {target}: {} not delivered when watch stopped",
                notifications(*count)
            ),
            Warning::MqttDown {
                broker,
                why,
                publisher,
            } => {
                write!(
                    f,
                    "MQTT broker {broker}: {why}; retrying with a growing pause"
                )?;
                if *publisher {
                    f.write_str(
                        " (scans go on; every device state is published again once connected)",
                    )?;
                }
                Ok(())
            }
            Warning::MqttBack {
                broker,
                lost,
                publisher: true,
            } => write!(
                f,
                "MQTT broker {broker}: connected again; every device state published again, \
                 {lost} other message{} dropped meanwhile (v6scout_mqtt_dropped_total)",
                if *lost == 1 { "" } else { "s" }
            ),
            Warning::MqttBack {
                broker,
                publisher: false,
                ..
            } => write!(
                f,
                "MQTT broker {broker}: connected again; every site's retained device states \
                 arrive again"
            ),
            Warning::HubRecord { why } => {
                write!(
                    f,
                    "{why}; the device state is not recorded, collect goes on (later failures \
                     are only counted)"
                )
            }
            Warning::MqttDropped { topic, why } => write!(
                f,
                "dropped a message on {topic}: {why} (counted; later ones for the same reason \
                 are only counted)"
            ),
        }
    }
}

/// `1 notification`, `2 notifications`.
fn notifications(n: u64) -> String {
    format!("{n} notification{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
#[path = "warning_tests.rs"]
mod tests;
