//! Addresses to confirm that arrive while a window is open: what the neighbour cache and
//! the inventory know (read while the first round is already out, so neither delays it),
//! what mDNS announces. Any thread pushes; the worker takes what arrived each time round
//! its loop and solicits every new address like a remembered one: only those that answer
//! are reported. While a feeder has said more is coming ([`Inbox::expect`]), or pushed
//! addresses wait to be taken, the window does not end early.

use super::Worker;
use crate::probe::Link;
use std::net::Ipv6Addr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Most addresses one worker takes from its inbox per window: each costs up to two
/// multicast and two unicast probes. The cache's and the inventory's
/// [`MAX_RECALL`](super::MAX_RECALL) each fit, with room for announcements.
pub const MAX_INBOX: usize = 4 * super::MAX_RECALL;

/// How long a worker with an inbox waits at most before it looks in again: an address
/// that arrives goes out within this.
pub(super) const POLL: Duration = Duration::from_millis(2);

/// Addresses to confirm by Neighbour Solicitation, arriving during one worker's window.
/// Clones share the inbox: the worker holds one, each feeder another.
#[derive(Clone, Debug, Default)]
pub struct Inbox {
    shared: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    /// Pushed and not taken yet.
    addrs: Vec<Ipv6Addr>,
    /// Feeders that said more is coming and are not done.
    expected: usize,
    /// The window closed: what is pushed now is dropped.
    closed: bool,
}

/// A feeder's word that more addresses are coming: while it lives, the window does not
/// end early (the fixed deadline still ends it). Dropping it — the feeder pushed what it
/// had, or failed — takes the word back.
#[derive(Debug)]
#[must_use = "the window waits only while this lives"]
pub struct Expected {
    inbox: Inbox,
}

impl Inbox {
    /// An empty inbox.
    pub fn new() -> Inbox {
        Inbox::default()
    }

    /// Hands the worker addresses to confirm, from any thread. Once its window has closed
    /// they are dropped.
    pub fn push<I: IntoIterator<Item = Ipv6Addr>>(&self, addrs: I) {
        let mut s = self.lock();
        if !s.closed {
            s.addrs.extend(addrs);
        }
    }

    /// Says more addresses are coming: the window waits for them until the returned word
    /// is dropped.
    pub fn expect(&self) -> Expected {
        self.lock().expected += 1;
        Expected {
            inbox: self.clone(),
        }
    }

    /// Whether the window has closed (pushing more is pointless).
    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// What arrived since the last call, in the order it was pushed (the worker).
    pub(super) fn take(&self) -> Vec<Ipv6Addr> {
        std::mem::take(&mut self.lock().addrs)
    }

    /// Whether addresses are on their way: pushed and not taken, or promised.
    pub(super) fn awaiting(&self) -> bool {
        let s = self.lock();
        !s.addrs.is_empty() || s.expected > 0
    }

    /// The window closed: nothing more is taken (the worker).
    pub(super) fn close(&self) {
        let mut s = self.lock();
        s.closed = true;
        s.addrs = Vec::new();
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Plain data: a feeder that panicked holding the lock left it consistent.
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<L: Link> Worker<'_, L> {
    /// Starts confirming what arrived in the inbox: new host addresses, not ours, not
    /// asked about already, up to [`MAX_INBOX`]. An echo-only link cannot solicit: what
    /// arrives there is dropped.
    pub(super) fn take_inbox(&mut self, now: Instant) {
        let Some(inbox) = &self.cfg.inbox else { return };
        for addr in inbox.take() {
            if !self.port.full() || self.asks.fed() >= MAX_INBOX {
                continue;
            }
            let new = crate::model::is_host_address(addr)
                && !self.cfg.own.contains(&addr)
                && !self.asks.is_tracked(addr);
            if new && self.confirm(addr, now) {
                self.asks.note_fed();
            }
        }
    }

    /// Whether the inbox has addresses on their way.
    pub(super) fn inbox_awaiting(&self) -> bool {
        self.cfg.inbox.as_ref().is_some_and(Inbox::awaiting)
    }
}

impl Drop for Expected {
    fn drop(&mut self) {
        let mut s = self.inbox.lock();
        s.expected = s.expected.saturating_sub(1);
    }
}

#[cfg(test)]
#[path = "inbox_tests.rs"]
mod tests;
