//! The scan: one probe thread per link, the collector, the neighbour cache, grouping.

use super::announced::Feed;
use super::links::worker_config;
pub use super::links::{random_tag, recall_from_cache};
use super::sure::SureAnswer;
use crate::collect::HostTable;
use crate::config::ScanConfig;
use crate::group;
use crate::iface::Interface;
use crate::model::Observation;
use crate::names::{self, Answer, Asker, NameAnswer, NameSource, Resolver};
use crate::neigh::NeighSource;
use crate::probe::worker::{self, Expected, Inbox};
use crate::probe::Link;
use crate::report::{Report, ScanStats};
use crate::warning::{io_reason, Warning};
use std::collections::{BTreeSet, HashMap};
use std::net::Ipv6Addr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant, SystemTime};

/// Told about the scan as it runs (streaming output, progress).
pub trait ScanObserver {
    /// The scan is about to start on `ifaces`.
    fn start(&mut self, _ifaces: &[Interface], _cfg: &ScanConfig) {}
    /// An observation about `addr` on interface `ifindex` was just added to `table`.
    fn seen(&mut self, table: &HostTable, ifindex: u32, addr: Ipv6Addr);
}

/// Most addresses a scan asks names for, over all interfaces.
const MAX_NAME_QUERIES: usize = 4096;

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
        mut observer,
        recall,
        first,
        mut sure,
    } = hooks;
    let stop = Arc::new(AtomicBool::new(false));
    let started = SystemTime::now();
    let t0 = Instant::now();
    let tag = random_tag();
    let ifaces: Vec<Interface> = links.iter().map(|(i, _)| i.clone()).collect();
    let mut table = HostTable::new(opts.max_hosts);
    let own: BTreeSet<Ipv6Addr> = ifaces
        .iter()
        .flat_map(|i| i.addrs.iter().map(|a| a.addr))
        .collect();
    let mut asker = resolver.map(|r| Asker::new(r, own, MAX_NAME_QUERIES));
    if let Some(o) = observer.as_mut() {
        o.start(&ifaces, opts);
    }
    // What the cache and the inventory know is read once the workers are going, and fed
    // into their inboxes; each inbox waits for the feeders that promised to come.
    let inboxes: Vec<Inbox> = links.iter().map(|_| Inbox::new()).collect();
    let promise = |on: bool| -> Vec<Expected> {
        if on {
            inboxes.iter().map(Inbox::expect).collect()
        } else {
            Vec::new()
        }
    };
    let (cache_word, recall_word) = (promise(neigh.is_some()), promise(recall.is_some()));
    let (tx, rx) = mpsc::channel();
    let mut feed = Feed::default();
    let mut node_names = Vec::new();
    type Outcome = (
        String,
        std::thread::Result<(ScanStats, Option<std::io::Error>)>,
    );
    let results: Vec<Outcome> = std::thread::scope(|s| {
        let handles: Vec<_> = links
            .iter_mut()
            .zip(&inboxes)
            .map(|((iface, link), inbox)| {
                let tx = tx.clone();
                let searched: Vec<Ipv6Addr> = first
                    .and_then(|f| f.get(&iface.index))
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|a| !opts.link_local_only || crate::model::is_link_local(*a))
                    .collect();
                let mut cfg = worker_config(iface, opts, tag, searched);
                cfg.stop = sure.is_some().then(|| stop.clone());
                cfg.inbox = Some(inbox.clone());
                if asker.is_some() {
                    feed.add_link(iface.index, inbox.clone(), cfg.prefixes.clone());
                }
                let name = iface.name.clone();
                let handle = s.spawn(move || {
                    worker::run(link, &cfg, &mut |o| {
                        let _ = tx.send(o);
                    })
                });
                (name, handle)
            })
            .collect();
        drop(tx);
        let recalling = recall.map(|read| {
            let to: Vec<(u32, Inbox)> = ifaces
                .iter()
                .map(|i| i.index)
                .zip(inboxes.clone())
                .collect();
            let link_local_only = opts.link_local_only;
            s.spawn(move || {
                let _word = recall_word;
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
            })
        });
        // What the kernel already knows is confirmed during the window, not only merged
        // after.
        if let Some(n) = neigh {
            match n.dump() {
                Ok(known) => {
                    for (iface, inbox) in ifaces.iter().zip(&inboxes) {
                        inbox.push(recall_from_cache(iface, &known, opts));
                    }
                }
                Err(e) => warn(Warning::NeighCache { why: io_reason(&e) }),
            }
        }
        drop(cache_word);
        loop {
            let now = Instant::now();
            let stop_at = sure.as_ref().and_then(SureAnswer::stop_at);
            // Wake for the search's stop, and every FEED_POLL while mDNS may answer.
            let wait = [
                stop_at.map(|at| at.saturating_duration_since(now)),
                feed.active().then_some(FEED_POLL),
            ]
            .into_iter()
            .flatten()
            .min();
            let got = match wait {
                Some(w) => rx.recv_timeout(w),
                None => rx.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected),
            };
            let mut new = Vec::new();
            match got {
                Ok(obs) => new.push(obs),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            if stop_at.is_some_and(|at| Instant::now() >= at) {
                // The answer is in: the workers end their windows, and what they
                // still send is taken in below.
                stop.store(true, Ordering::Relaxed);
                sure = None;
            }
            if let Some(a) = asker.as_mut() {
                new.extend(feed.answers(a.poll(), &table, now));
                feed.tick(now);
            }
            for obs in new {
                if let Some(n) = node_name(&obs) {
                    node_names.extend(n);
                    continue;
                }
                take(
                    &mut table,
                    obs,
                    &mut feed,
                    &mut sure,
                    &mut asker,
                    &mut observer,
                );
            }
        }
        // A read that failed outright costs the remembered addresses, not the scan.
        for w in recalling.and_then(|h| h.join().ok()).unwrap_or_default() {
            warn(w);
        }
        handles
            .into_iter()
            .map(|(name, h)| (name, h.join()))
            .collect()
    });
    let mut stats = ScanStats::default();
    for (name, r) in results {
        match r {
            // A link that could not send still counts what it received and dropped.
            Ok((s, failed)) => {
                stats.merge(&s);
                if let Some(e) = failed {
                    warn(Warning::NoProbeSent {
                        interface: name,
                        why: io_reason(&e),
                    });
                }
            }
            // A bug in one worker must not cost the other interfaces their results.
            Err(_) => warn(Warning::WorkerStopped { interface: name }),
        }
    }
    if let Some(n) = neigh {
        match n.dump() {
            Ok(cache) => table.merge_cache(&cache, opts.include_stale),
            Err(e) => warn(Warning::NeighCache { why: io_reason(&e) }),
        }
    } else {
        table.merge_cache(&[], false);
    }
    stats.dropped_over_limit += table.dropped_over_limit;
    if stats.dropped_over_limit > 0 {
        warn(Warning::OverLimit {
            dropped: stats.dropped_over_limit,
            max_hosts: opts.max_hosts,
        });
    }
    let mut answers = asker.map(Asker::finish).unwrap_or_default();
    answers.extend(node_names);
    let mut report = Report {
        started,
        duration: t0.elapsed(),
        interfaces: group::group(&table, &ifaces, opts.group_options()),
        stats,
        ports_checked: None,
    };
    names::apply(&mut report, &answers);
    report.duration = t0.elapsed();
    report
}

/// How often the scan looks for announced addresses while it waits for observations.
const FEED_POLL: Duration = Duration::from_millis(3);

/// A name a node gave itself (Node Information), as the answer of a lookup: cleaned like
/// any other name. `None` for every other observation; `Some(None)` for a name unfit to
/// print.
fn node_name(obs: &Observation) -> Option<Option<Answer>> {
    let Observation::Name {
        ifindex,
        addr,
        name,
    } = obs
    else {
        return None;
    };
    Some(names::dns::clean_name(name).map(|name| {
        Answer::Name(NameAnswer {
            ifindex: *ifindex,
            addr: *addr,
            name,
            source: NameSource::NodeInfo,
        })
    }))
}

/// Adds one observation to the table, and what follows from it: the name lookup of a new
/// address, the mDNS credit of an announced one it confirms, the observer, a search.
fn take(
    table: &mut HostTable,
    obs: Observation,
    feed: &mut Feed,
    sure: &mut Option<SureAnswer>,
    asker: &mut Option<Asker<'_>>,
    observer: &mut Option<&mut dyn ScanObserver>,
) {
    if let Some(s) = sure.as_mut() {
        s.see(&obs, Instant::now());
    }
    let key = match obs {
        Observation::Address { ifindex, addr, .. } | Observation::MacHint { ifindex, addr, .. } => {
            Some((ifindex, addr))
        }
        Observation::Prefix { .. }
        | Observation::Router { .. }
        | Observation::Claim { .. }
        | Observation::Name { .. } => None,
    };
    let is_address = matches!(obs, Observation::Address { .. });
    let credit = feed.confirmed(&obs);
    table.add(obs);
    if let Some(c) = credit {
        table.add(c);
    }
    if let Some((ifindex, addr)) = key {
        if let (true, Some(a)) = (is_address, asker.as_mut()) {
            a.ask(ifindex, addr);
        }
        if let Some(o) = observer.as_mut() {
            o.seen(table, ifindex, addr);
        }
    }
}

#[cfg(test)]
#[path = "scan_tests.rs"]
mod tests;
