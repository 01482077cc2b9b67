//! The state of one scan while it runs: every observation goes through
//! [`Collector::take`] into the host table, and with it the name lookups, the mDNS feed,
//! a search's stop and the observer; [`Collector::finish`] makes the one [`Report`] once
//! every stage has added to it.

use super::announced::Feed;
use super::dualstack::{self, Swept};
use super::sure::SureAnswer;
use crate::app::adapters::memory::Memory;
use crate::collect::HostTable;
use crate::config::ScanConfig;
use crate::group;
use crate::iface::Interface;
use crate::model::{Ipv6Prefix, Observation};
use crate::names::{self, Answer, Asker, NameAnswer, NameSource, Resolver};
use crate::neigh::NeighSource;
use crate::probe::worker::Inbox;
use crate::reach::{self, Connector};
use crate::report::{Labels, Report, ScanStats};
use crate::warning::{io_reason, Warning};
use std::collections::BTreeSet;
use std::net::Ipv6Addr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime};

/// Most addresses a scan asks names for, over all interfaces.
const MAX_NAME_QUERIES: usize = 4096;

/// How often the scan looks for announced addresses while it waits for observations.
const FEED_POLL: Duration = Duration::from_millis(3);

/// What one worker thread ended with: its counters and why it could not send, or its panic.
pub type WorkerOutcome = std::thread::Result<(ScanStats, Option<std::io::Error>)>;

/// The stages that add to the grouped rows before the report is finished (names are the
/// collector's own); each is left out when `None`.
#[derive(Default)]
pub struct Stages<'s> {
    /// IPv4 by MAC: what the ARP sweeps found, and the neighbour source's ARP table.
    pub ipv4: Option<(Swept, Option<&'s dyn NeighSource>)>,
    /// The TCP ports to check on every host (`--ports`), and how to connect.
    pub ports: Option<(&'s [u16], &'s dyn Connector)>,
    /// The inventory, for the alerts that need what earlier scans saw.
    pub alerts: Option<&'s mut Memory>,
}

/// Told about the scan as it runs (streaming output, progress).
pub trait ScanObserver {
    /// The scan is about to start on `ifaces`.
    fn start(&mut self, _ifaces: &[Interface], _cfg: &ScanConfig) {}
    /// An observation about `addr` on interface `ifindex` was just added to `table`.
    fn seen(&mut self, table: &HostTable, ifindex: u32, addr: Ipv6Addr);
    /// The devices' labels (before the first observation; rows do not carry them yet).
    fn labels(&mut self, _labels: &Labels) {}
}

/// One scan's state, from its first observation to its report.
pub struct Collector<'a> {
    started: SystemTime,
    t0: Instant,
    opts: &'a ScanConfig,
    ifaces: Vec<Interface>,
    table: HostTable,
    /// What hosts announce over mDNS, confirmed by the probes.
    feed: Feed,
    /// A search's sure answer, until it is in.
    sure: Option<SureAnswer>,
    /// The name lookups (`None`: `--no-names`).
    asker: Option<Asker<'a>>,
    observer: Option<&'a mut dyn ScanObserver>,
    /// The names nodes gave themselves (Node Information).
    node_names: Vec<Answer>,
    /// The names admins gave devices, which the report's rows take.
    labels: Labels,
    stats: ScanStats,
}

impl<'a> Collector<'a> {
    /// A scan of `ifaces` starting now: names are asked of `resolver` (never for our own
    /// addresses), `observer` is told about the start and each observation.
    pub fn new(
        ifaces: Vec<Interface>,
        opts: &'a ScanConfig,
        resolver: Option<&'a mut dyn Resolver>,
        mut observer: Option<&'a mut dyn ScanObserver>,
        sure: Option<SureAnswer>,
    ) -> Self {
        let (started, t0) = (SystemTime::now(), Instant::now());
        let own: BTreeSet<Ipv6Addr> = ifaces
            .iter()
            .flat_map(|i| i.addrs.iter().map(|a| a.addr))
            .collect();
        let asker = resolver.map(|r| Asker::new(r, own, MAX_NAME_QUERIES));
        if let Some(o) = observer.as_mut() {
            o.start(&ifaces, opts);
        }
        Collector {
            started,
            t0,
            opts,
            // Answering hosts, and the unsolicited ones the workers let through.
            table: HostTable::new(opts.max_answers().saturating_add(opts.max_hosts)),
            ifaces,
            feed: Feed::default(),
            sure,
            asker,
            observer,
            node_names: Vec::new(),
            labels: Labels::default(),
            stats: ScanStats::default(),
        }
    }

    /// The devices' labels (`v6scout label`): the report's rows take them, and the
    /// observer is told them now.
    pub fn label_with(&mut self, labels: Labels) {
        if let Some(o) = self.observer.as_mut() {
            o.labels(&labels);
        }
        self.labels = labels;
    }

    /// The interfaces scanned.
    pub fn ifaces(&self) -> &[Interface] {
        &self.ifaces
    }

    /// Whether this is a search still waiting for its sure answer (its workers then take a
    /// stop flag).
    pub fn searching(&self) -> bool {
        self.sure.is_some()
    }

    /// The worker of interface `ifindex` takes addresses to confirm through `inbox`:
    /// where what its hosts announce over mDNS goes (only while names are looked up).
    pub fn add_link(&mut self, ifindex: u32, inbox: &Inbox, prefixes: Vec<Ipv6Prefix>) {
        if self.asker.is_some() {
            self.feed.add_link(ifindex, inbox.clone(), prefixes);
        }
    }

    /// Takes the workers' observations from `rx` until every worker has ended, and on the
    /// way the mDNS answers; sets `stop` once a search has its answer.
    pub fn collect(&mut self, rx: &Receiver<Observation>, stop: &AtomicBool) {
        loop {
            let now = Instant::now();
            let stop_at = self.sure.as_ref().and_then(SureAnswer::stop_at);
            // Wake for the search's stop, and every FEED_POLL while mDNS may answer.
            let wait = [
                stop_at.map(|at| at.saturating_duration_since(now)),
                self.feed.active().then_some(FEED_POLL),
            ]
            .into_iter()
            .flatten()
            .min();
            let got = match wait {
                Some(w) => rx.recv_timeout(w),
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            let mut new = Vec::new();
            match got {
                Ok(obs) => new.push(obs),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if stop_at.is_some_and(|at| Instant::now() >= at) {
                // The answer is in: the workers end their windows, and what they
                // still send is taken in below.
                stop.store(true, Ordering::Relaxed);
                self.sure = None;
            }
            if let Some(a) = self.asker.as_mut() {
                new.extend(self.feed.answers(a.poll(), &self.table, now));
                self.feed.tick(now);
            }
            for obs in new {
                self.take(obs);
            }
        }
    }

    /// Adds one observation, and what follows from it: the name lookup of a new address,
    /// the mDNS credit of an announced one it confirms, the observer, a search.
    pub fn take(&mut self, obs: Observation) {
        if let Some(n) = node_name(&obs) {
            self.node_names.extend(n);
            return;
        }
        if let Some(s) = self.sure.as_mut() {
            s.see(&obs, Instant::now());
        }
        let key = match obs {
            Observation::Address { ifindex, addr, .. }
            | Observation::MacHint { ifindex, addr, .. } => Some((ifindex, addr)),
            Observation::Prefix { .. }
            | Observation::Router { .. }
            | Observation::Claim { .. }
            | Observation::Name { .. } => None,
        };
        let is_address = matches!(obs, Observation::Address { .. });
        let credit = self.feed.confirmed(&obs);
        self.table.add(obs);
        if let Some(c) = credit {
            self.table.add(c);
        }
        if let Some((ifindex, addr)) = key {
            if let (true, Some(a)) = (is_address, self.asker.as_mut()) {
                a.ask(ifindex, addr);
            }
            if let Some(o) = self.observer.as_mut() {
                o.seen(&self.table, ifindex, addr);
            }
        }
    }

    /// Adds up the counters of the worker of interface `name`; a link that could not send,
    /// or whose worker stopped, is a warning.
    pub fn worker_done(
        &mut self,
        name: String,
        outcome: WorkerOutcome,
        warn: &mut dyn FnMut(Warning),
    ) {
        match outcome {
            // A link that could not send still counts what it received and dropped.
            Ok((s, failed)) => {
                self.stats.merge(&s);
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

    /// Ends the probe window: merges the neighbour cache as it is now, and says how many
    /// addresses `--max-hosts` cost.
    pub fn close_window(&mut self, neigh: Option<&dyn NeighSource>, warn: &mut dyn FnMut(Warning)) {
        if let Some(n) = neigh {
            match n.dump() {
                Ok(cache) => self.table.merge_cache(&cache, self.opts.include_stale),
                Err(e) => warn(Warning::NeighCache { why: io_reason(&e) }),
            }
        } else {
            self.table.merge_cache(&[], false);
        }
        self.stats.dropped_over_limit += self.table.dropped_over_limit;
        if self.stats.dropped_over_limit > 0 {
            warn(Warning::OverLimit {
                dropped: self.stats.dropped_over_limit,
                max_hosts: self.opts.max_hosts,
            });
        }
        if self.stats.dropped_over_memory > 0 {
            warn(Warning::OverMemory {
                dropped: self.stats.dropped_over_memory,
                mib: self.opts.max_memory_mib,
            });
        }
    }

    /// The report: the table grouped and named, then what `stages` add, in that order;
    /// its duration is the scan's, end to end.
    pub fn finish(self, stages: Stages<'_>, warn: &mut dyn FnMut(Warning)) -> Report {
        let mut answers = self.asker.map(Asker::finish).unwrap_or_default();
        answers.extend(self.node_names);
        let mut report = Report {
            started: self.started,
            duration: Duration::ZERO,
            interfaces: group::group(&self.table, &self.ifaces, self.opts.group_options()),
            stats: self.stats,
            ports_checked: None,
        };
        names::apply(&mut report, &answers);
        report.set_labels(&self.labels);
        if let Some((swept, neigh)) = stages.ipv4 {
            dualstack::attach(&mut report, neigh, swept, warn);
        }
        if let Some((ports, connector)) = stages.ports {
            reach::run(&mut report, ports, connector, reach::CONNECT_TIMEOUT);
        }
        if let Some(memory) = stages.alerts {
            memory.add_alerts(&mut report, warn);
        }
        report.duration = self.t0.elapsed();
        report
    }
}

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
