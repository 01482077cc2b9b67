//! Notifications of watch events (`watch --notify URL`): which events go out, where, in
//! which format, and what one delivery try's answer means.
//!
//! Pure: no I/O and no clock. A notification is the watch event itself, rendered once: a
//! webhook gets exactly the event's `--jsonl` line ([`json_line`]); an ntfy topic gets a
//! short message with a title, tags and a priority ([`ntfy`]). The sending (a thread per
//! target, a bounded queue, the retries) is `app`'s; what it counts is [`Counts`].

pub mod ntfy;
pub mod retry;
pub mod select;
pub mod target;

use crate::watch::render::json_line;
use crate::watch::{Event, EventKind};
use std::ops::AddAssign;
use std::time::Duration;

pub use retry::{Backoff, Outcome, Verdict};
pub use select::Selection;
pub use target::{Format, Target};

/// What `watch` is asked to notify, as plain data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotifyConfig {
    /// Where to (`--notify`, repeatable; empty: no notifications).
    pub targets: Vec<Target>,
    /// Which events (`--notify-on`).
    pub on: Selection,
    /// How long one try may take, connecting included (`--notify-timeout`).
    pub timeout: Duration,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            targets: Vec::new(),
            on: Selection::default(),
            timeout: Duration::from_secs(10),
        }
    }
}

/// One HTTP POST, ready to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The `http://` or `https://` URL.
    pub url: String,
    /// Header names and values (ASCII: anything else is RFC 2047 encoded), Content-Type
    /// first.
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: String,
}

/// The request that delivers `e` to `target`.
pub fn request(target: &Target, e: &Event) -> Request {
    match target.format {
        Format::Webhook => Request {
            url: target.url.clone(),
            headers: vec![("Content-Type", "application/json".into())],
            body: json_line(e),
        },
        Format::Ntfy => {
            let mut headers = vec![("Content-Type", "text/plain; charset=utf-8".into())];
            headers.extend(ntfy::headers(e));
            Request {
                url: target.url.clone(),
                headers,
                body: ntfy::message(e),
            }
        }
    }
}

/// A device never seen before appeared: with the inventory, one it never saw on this
/// interface; without, one not seen earlier in this watch. Hosts there at the first scan
/// are `present`, never new.
pub fn is_new(e: &Event) -> bool {
    match e.kind {
        EventKind::Appeared { returning } => {
            let seen_before = e.remembered && e.last_seen.is_some();
            !returning && !seen_before
        }
        _ => false,
    }
}

/// What happened to the notifications of one target, or of all (added up): every event
/// chosen for a target ends up sent, failed or dropped, or is still on its way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Delivered (a 2xx answer).
    pub sent: u64,
    /// Tries repeated after a server error, a timeout or no connection.
    pub retried: u64,
    /// Given up: every try failed, or the receiver refused it (4xx).
    pub failed: u64,
    /// Never tried: the queue was full, or watch stopped before its turn.
    pub dropped: u64,
}

impl Counts {
    /// Notifications that will not arrive.
    pub fn lost(&self) -> u64 {
        self.failed + self.dropped
    }
}

impl AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        // Destructured, so a new counter that is not added up here does not compile.
        let Counts {
            sent,
            retried,
            failed,
            dropped,
        } = o;
        self.sent += sent;
        self.retried += retried;
        self.failed += failed;
        self.dropped += dropped;
    }
}

#[cfg(test)]
#[path = "notify_tests.rs"]
mod tests;
