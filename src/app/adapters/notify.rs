//! Delivers `watch --notify` notifications without ever holding up a scan: each target has
//! its own thread and a bounded queue. The watch's thread only filters, renders and
//! enqueues ([`Notifier::offer`]); a full queue drops the notification and counts it. The
//! target's thread sends them one by one through a [`Transport`], retrying on the
//! [`Backoff`] schedule. Every notification ends sent, failed or dropped, each counted;
//! the first loss of a failure streak is one warning, the end of the streak another.

mod http;

use crate::notify::{
    self, retry, Backoff, Counts, NotifyConfig, Outcome, Request, Selection, Target, Verdict,
};
use crate::output::warnings::warn_stderr;
use crate::warning::Warning;
use crate::watch::Event;
use anyhow::{Context, Result};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Notifications waiting per target beyond the one being sent; more are dropped (counted).
pub const QUEUE: usize = 256;

/// Sends one request; the seam between the delivery thread and the network.
pub trait Transport: Send {
    /// Makes one try; what it got.
    fn post(&mut self, r: &Request) -> Outcome;
}

/// Where warnings go: stderr for a watch, a list in the tests.
pub type Warn = Arc<dyn Fn(Warning) + Send + Sync>;

/// A notification on its way.
struct Job {
    request: Request,
    event: &'static str,
}

/// One target's counters and failure streak, shared by the watch's thread (which drops)
/// and the target's thread (which sends and fails).
#[derive(Default)]
struct Shared {
    sent: AtomicU64,
    retried: AtomicU64,
    failed: AtomicU64,
    dropped: AtomicU64,
    /// Enqueued and not yet sent or failed.
    pending: AtomicU64,
    /// A failure streak is on (its first loss was warned about).
    failing: AtomicBool,
    /// Losses before the streak began.
    lost_before: AtomicU64,
}

impl Shared {
    fn counts(&self) -> Counts {
        let get = |c: &AtomicU64| c.load(Ordering::SeqCst);
        Counts {
            sent: get(&self.sent),
            retried: get(&self.retried),
            failed: get(&self.failed),
            dropped: get(&self.dropped),
        }
    }

    /// One more notification lost (`counter`: failed or dropped); the first of a streak
    /// is said.
    fn lose(&self, counter: &AtomicU64, warn: &Warn, warning: impl FnOnce() -> Warning) {
        let before = self.counts().lost();
        counter.fetch_add(1, Ordering::SeqCst);
        if !self.failing.swap(true, Ordering::SeqCst) {
            self.lost_before.store(before, Ordering::SeqCst);
            warn(warning());
        }
    }

    /// One delivered; ends a failure streak, saying how many it lost.
    fn delivered(&self, target: &str, warn: &Warn) {
        self.sent.fetch_add(1, Ordering::SeqCst);
        if self.failing.swap(false, Ordering::SeqCst) {
            let lost =
                (self.counts().lost()).saturating_sub(self.lost_before.load(Ordering::SeqCst));
            warn(Warning::NotifyRecovered {
                target: target.to_owned(),
                lost,
            });
        }
    }
}

/// One target: its queue's sending end, its counters, its thread.
struct Outlet {
    target: Target,
    tx: Option<SyncSender<Job>>,
    shared: Arc<Shared>,
    worker: Option<JoinHandle<()>>,
}

/// The notifications of one watch.
pub struct Notifier {
    on: Selection,
    outlets: Vec<Outlet>,
    warn: Warn,
}

impl Notifier {
    /// Starts a thread per target of `cfg` that sends over HTTP(S) (none without targets),
    /// warning on stderr.
    pub fn start(cfg: &NotifyConfig) -> Result<Notifier> {
        let warn: Warn = Arc::new(warn_stderr);
        let outlets = cfg.targets.iter().map(|t| {
            let transport: Box<dyn Transport> = Box::new(http::Http::new(cfg.timeout));
            (t.clone(), transport)
        });
        Notifier::with(cfg.on.clone(), outlets, Backoff::default(), QUEUE, warn)
    }

    /// Starts a thread per target, each sending through its own transport; `queue`
    /// notifications may wait per target.
    pub fn with(
        on: Selection,
        targets: impl IntoIterator<Item = (Target, Box<dyn Transport>)>,
        backoff: Backoff,
        queue: usize,
        warn: Warn,
    ) -> Result<Notifier> {
        let mut outlets = Vec::new();
        for (target, transport) in targets {
            let (tx, rx) = mpsc::sync_channel(queue);
            let shared = Arc::new(Shared::default());
            let worker = Worker {
                target: target.display().to_owned(),
                transport,
                backoff,
                shared: Arc::clone(&shared),
                warn: Arc::clone(&warn),
            };
            let worker = std::thread::Builder::new()
                .name("v6scout-notify".into())
                .spawn(move || worker.run(rx))
                .context("starting a notification thread")?;
            outlets.push(Outlet {
                target,
                tx: Some(tx),
                shared,
                worker: Some(worker),
            });
        }
        Ok(Notifier { on, outlets, warn })
    }

    /// Queues `e` for every target if `--notify-on` chooses it; never waits. A target
    /// whose queue is full loses it (counted).
    pub fn offer(&self, e: &Event) {
        if !self.on.wants(e) {
            return;
        }
        for o in &self.outlets {
            let Some(tx) = &o.tx else { continue };
            let job = Job {
                request: notify::request(&o.target, e),
                event: e.kind.name(),
            };
            o.shared.pending.fetch_add(1, Ordering::SeqCst);
            if let Err(err) = tx.try_send(job) {
                o.shared.pending.fetch_sub(1, Ordering::SeqCst);
                let waiting = match err {
                    TrySendError::Full(_) => o.shared.pending.load(Ordering::SeqCst) as usize,
                    // The thread is gone (it cannot end before its queue closes): lost too.
                    TrySendError::Disconnected(_) => 0,
                };
                o.shared
                    .lose(&o.shared.dropped, &self.warn, || Warning::NotifyQueueFull {
                        target: o.target.display().to_owned(),
                        waiting,
                    });
            }
        }
    }

    /// What happened to the notifications so far, over every target.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for o in &self.outlets {
            c += o.shared.counts();
        }
        c
    }

    /// Closes the queues and gives what is still waiting up to `grace` to go out; the
    /// rest is counted as dropped and said. Returns the final counts.
    pub fn finish(mut self, grace: Duration) -> Counts {
        for o in &mut self.outlets {
            o.tx = None;
        }
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline
            && self
                .outlets
                .iter()
                .any(|o| o.worker.as_ref().is_some_and(|w| !w.is_finished()))
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        for o in &mut self.outlets {
            if o.worker.as_ref().is_some_and(JoinHandle::is_finished) {
                if let Some(w) = o.worker.take() {
                    let _ = w.join();
                }
            }
            // Left to itself (the process is ending): what it still holds is lost.
            let left = o.shared.pending.swap(0, Ordering::SeqCst);
            if left > 0 {
                o.shared.dropped.fetch_add(left, Ordering::SeqCst);
                (self.warn)(Warning::NotifyUndelivered {
                    target: o.target.display().to_owned(),
                    count: left,
                });
            }
        }
        self.counts()
    }
}

/// A target's delivery thread.
struct Worker {
    target: String,
    transport: Box<dyn Transport>,
    backoff: Backoff,
    shared: Arc<Shared>,
    warn: Warn,
}

impl Worker {
    /// Sends every queued notification until the queue is closed and empty.
    fn run(mut self, rx: Receiver<Job>) {
        for job in rx {
            self.deliver(&job);
            // Only once it is counted: `finish` reads a zero as "nothing left".
            let _ = (self.shared.pending)
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        }
    }

    /// Tries `job` until it is delivered, refused, or its tries are spent.
    fn deliver(&mut self, job: &Job) {
        let mut tries = 0;
        loop {
            tries += 1;
            let outcome = self.transport.post(&job.request);
            let why = match retry::verdict(&outcome) {
                Verdict::Delivered => {
                    self.shared.delivered(&self.target, &self.warn);
                    return;
                }
                Verdict::Retry(why) => match self.backoff.pause_after(tries) {
                    Some(pause) => {
                        self.shared.retried.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(pause);
                        continue;
                    }
                    None => why,
                },
                Verdict::GiveUp(why) => why,
            };
            let (target, event) = (self.target.clone(), job.event);
            self.shared
                .lose(&self.shared.failed, &self.warn, || Warning::NotifyFailed {
                    target,
                    event,
                    why,
                    tries,
                });
            return;
        }
    }
}

#[cfg(test)]
#[path = "notify_tests.rs"]
mod tests;
