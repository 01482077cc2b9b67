//! The probe window: one worker thread per link, fed what the neighbour cache and the
//! inventory know while it runs, every observation into the [`Collector`].

use super::collector::{Collector, ScanObserver, Stages};
use super::links::worker_config;
use super::links::{random_tag, recall_from_cache};
use super::sure::SureAnswer;
use crate::config::ScanConfig;
use crate::iface::Interface;
use crate::names::Resolver;
use crate::neigh::NeighSource;
use crate::probe::packet::ProbeTag;
use crate::probe::worker::{self, Expected, Inbox, WorkerConfig};
use crate::probe::Link;
use crate::report::Report;
use crate::warning::{io_reason, Warning};
use std::collections::HashMap;
use std::net::Ipv6Addr;
use std::sync::atomic::AtomicBool;
use std::sync::{mpsc, Arc};

/// What a scan runs besides probing: name lookups and an observer. Both optional.
#[derive(Default)]
pub struct ScanHooks<'a> {
    /// Asked for names of each address as soon as it is seen (`None`: `--no-names`).
    pub resolver: Option<&'a mut dyn Resolver>,
    /// Told about each observation.
    pub observer: Option<&'a mut dyn ScanObserver>,
    /// Reads the addresses remembered from earlier scans to confirm (the inventory). It
    /// runs on its own thread once the probes are going, so it never delays the first.
    pub recall: Option<Recall<'a>>,
    /// Per interface index, addresses to solicit before anything else: where the searched
    /// device was last.
    pub first: Option<&'a HashMap<u32, Vec<Ipv6Addr>>>,
    /// A search's sure answer: probing stops once it is in (resolve by MAC or address).
    pub sure: Option<SureAnswer>,
}

/// Reads what earlier scans remember while the scan runs: the addresses to confirm per
/// interface index, and the warnings of the read (said when the scan ends).
pub type Recall<'a> = Box<dyn FnOnce() -> (HashMap<u32, Vec<Ipv6Addr>>, Vec<Warning>) + Send + 'a>;

/// Runs one worker thread per link, collects what they find, merges the neighbour cache
/// and groups the result. Links whose worker could not send anything are reported
/// through `warn`. Generic over the link so tests run it on simulated links.
pub fn scan_links<L: Link + Send>(
    links: &mut [(Interface, L)],
    opts: &ScanConfig,
    neigh: Option<&dyn NeighSource>,
    warn: &mut dyn FnMut(Warning),
) -> Report {
    scan_links_with(links, opts, neigh, ScanHooks::default(), warn)
}

/// [`scan_links`] with name lookups and an observer.
pub fn scan_links_with<L: Link + Send>(
    links: &mut [(Interface, L)],
    opts: &ScanConfig,
    neigh: Option<&dyn NeighSource>,
    hooks: ScanHooks<'_>,
    warn: &mut dyn FnMut(Warning),
) -> Report {
    let ScanHooks {
        resolver,
        observer,
        recall,
        first,
        sure,
    } = hooks;
    let ifaces = links.iter().map(|(i, _)| i.clone()).collect();
    // Fresh borrows, so the hooks may live longer than `opts`.
    let resolver = resolver.map(|r| r as &mut dyn Resolver);
    let observer = observer.map(|o| o as &mut dyn ScanObserver);
    let mut collector = Collector::new(ifaces, opts, resolver, observer, sure);
    let feeders = Feeders {
        neigh,
        recall,
        first,
    };
    probe_window(links, opts, feeders, &mut collector, warn);
    collector.finish(Stages::default(), warn)
}

/// What the probe window reads besides the links; each is left out when `None`.
#[derive(Default)]
pub struct Feeders<'r> {
    /// The kernel's neighbour cache: its addresses are confirmed during the window, and it
    /// is merged once the window ends.
    pub neigh: Option<&'r dyn NeighSource>,
    /// What earlier scans remember (see [`ScanHooks::recall`]).
    pub recall: Option<Recall<'r>>,
    /// Where a searched device was last (see [`ScanHooks::first`]).
    pub first: Option<&'r HashMap<u32, Vec<Ipv6Addr>>>,
}

/// The probe window on every link: spawns the workers and the inventory's reader, feeds
/// the cache to the workers, and gives `collector` every observation until the last
/// worker ends, then their counters and the cache.
pub fn probe_window<L: Link + Send>(
    links: &mut [(Interface, L)],
    opts: &ScanConfig,
    from: Feeders<'_>,
    collector: &mut Collector<'_>,
    warn: &mut dyn FnMut(Warning),
) {
    let Feeders {
        neigh,
        recall,
        first,
    } = from;
    let ifaces = collector.ifaces().to_vec();
    let window = Window {
        opts,
        tag: random_tag(),
        inboxes: links.iter().map(|_| Inbox::new()).collect(),
        stop: collector
            .searching()
            .then(|| Arc::new(AtomicBool::new(false))),
    };
    // What the cache and the inventory know is read once the workers are going, and fed
    // into their inboxes; each inbox waits for the feeders that promised to come.
    let (cache_word, recall_word) = (
        window.promise(neigh.is_some()),
        window.promise(recall.is_some()),
    );
    let (tx, rx) = mpsc::channel();
    let outcomes: Vec<_> = std::thread::scope(|s| {
        let workers: Vec<_> = links
            .iter_mut()
            .zip(&window.inboxes)
            .map(|((iface, link), inbox)| {
                let cfg = window.worker_config(iface, inbox, first);
                collector.add_link(iface.index, inbox, cfg.prefixes.clone());
                let tx = tx.clone();
                let run = move || worker::run(link, &cfg, &mut |o| drop(tx.send(o)));
                (iface.name.clone(), s.spawn(run))
            })
            .collect();
        drop(tx);
        let recalling = recall.map(|read| {
            let (to, link_local_only) = (window.by_index(&ifaces), opts.link_local_only);
            s.spawn(move || {
                let _word = recall_word;
                feed_recall(read, to, link_local_only)
            })
        });
        if let Some(n) = neigh {
            feed_cache(n, &ifaces, &window, warn);
        }
        drop(cache_word);
        let never = AtomicBool::new(false);
        collector.collect(&rx, window.stop.as_deref().unwrap_or(&never));
        // A read that failed outright costs the remembered addresses, not the scan.
        for w in recalling.and_then(|h| h.join().ok()).unwrap_or_default() {
            warn(w);
        }
        workers
            .into_iter()
            .map(|(name, h)| (name, h.join()))
            .collect()
    });
    for (name, outcome) in outcomes {
        collector.worker_done(name, outcome, warn);
    }
    collector.close_window(neigh, warn);
}

/// What every worker of one window shares: its configuration's source, this scan's probe
/// identity, one inbox per link, and a search's stop flag.
struct Window<'o> {
    opts: &'o ScanConfig,
    tag: ProbeTag,
    inboxes: Vec<Inbox>,
    stop: Option<Arc<AtomicBool>>,
}

impl Window<'_> {
    /// One promise per inbox that a feeder will come (none when it will not).
    fn promise(&self, on: bool) -> Vec<Expected> {
        if on {
            self.inboxes.iter().map(Inbox::expect).collect()
        } else {
            Vec::new()
        }
    }

    /// Each link's inbox, by interface index (`ifaces` in link order).
    fn by_index(&self, ifaces: &[Interface]) -> Vec<(u32, Inbox)> {
        let indexes = ifaces.iter().map(|i| i.index);
        indexes.zip(self.inboxes.iter().cloned()).collect()
    }

    /// The configuration of the worker of `iface`, which reads `inbox` and solicits first
    /// where a searched device was last.
    fn worker_config(
        &self,
        iface: &Interface,
        inbox: &Inbox,
        first: Option<&HashMap<u32, Vec<Ipv6Addr>>>,
    ) -> WorkerConfig {
        let link_local_only = self.opts.link_local_only;
        let searched: Vec<Ipv6Addr> = first
            .and_then(|f| f.get(&iface.index))
            .into_iter()
            .flatten()
            .copied()
            .filter(|a| !link_local_only || crate::model::is_link_local(*a))
            .collect();
        let mut cfg = worker_config(iface, self.opts, self.tag, searched);
        cfg.stop.clone_from(&self.stop);
        cfg.inbox = Some(inbox.clone());
        cfg
    }
}

/// Reads what earlier scans remember and hands each link's addresses to its worker;
/// returns the read's warnings.
fn feed_recall(read: Recall<'_>, to: Vec<(u32, Inbox)>, link_local_only: bool) -> Vec<Warning> {
    let (mut addrs, warnings) = read();
    for (index, inbox) in to {
        let remembered = addrs.remove(&index).unwrap_or_default();
        inbox.push(
            remembered
                .into_iter()
                .filter(|a| !link_local_only || crate::model::is_link_local(*a)),
        );
    }
    warnings
}

/// What the kernel already knows is confirmed during the window, not only merged after.
fn feed_cache(
    neigh: &dyn NeighSource,
    ifaces: &[Interface],
    window: &Window<'_>,
    warn: &mut dyn FnMut(Warning),
) {
    match neigh.dump() {
        Ok(known) => {
            for (iface, inbox) in ifaces.iter().zip(&window.inboxes) {
                inbox.push(recall_from_cache(iface, &known, window.opts));
            }
        }
        Err(e) => warn(Warning::NeighCache { why: io_reason(&e) }),
    }
}

#[cfg(test)]
#[path = "scan_tests.rs"]
mod tests;
