//! What a worker is told (its interface and the scan) and what it counts.

use super::Inbox;
use crate::mac::Mac;
use crate::model::Ipv6Prefix;
use crate::probe::packet::ProbeTag;
use std::net::Ipv6Addr;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

/// What one worker needs to know about its interface and the scan.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// Interface index.
    pub ifindex: u32,
    /// Our MAC on it, for the link-layer options of NS and RS.
    pub mac: Option<Mac>,
    /// Source addresses to probe from: the link-local one first, then each global/ULA one.
    pub sources: Vec<Ipv6Addr>,
    /// Every address of ours on this interface: answers from them are ignored.
    pub own: Vec<Ipv6Addr>,
    /// The whole probe window.
    pub wait: Duration,
    /// Probe rounds inside the window (at least one).
    pub rounds: u32,
    /// This scan's probe identity.
    pub tag: ProbeTag,
    /// Bounds what nobody asked for: an eighth of it for routers known only from their
    /// RAs, an eighth for hosts only heard.
    pub max_hosts: usize,
    /// Most addresses tracked; more are dropped and counted, keeping one address per host
    /// first.
    pub max_answers: usize,
    /// Also send an MLD general query and confirm the addresses its reports imply.
    pub mld: bool,
    /// Also ask for names with the Node Information queries (a Node Name query beside
    /// each Node Addresses one); off when the scan looks up no names.
    pub node_name: bool,
    /// On-link prefixes of the interface (MLD candidates are formed in them and in the
    /// prefixes routers advertise).
    pub prefixes: Vec<Ipv6Prefix>,
    /// Addresses to confirm by solicitation before anything else, even the first round:
    /// a searched device's last-known addresses (where it was, it answers within
    /// milliseconds). Only those that answer are reported. Addresses that may come later
    /// go through the [`inbox`](Self::inbox).
    pub recall: Vec<Ipv6Addr>,
    /// Where addresses to confirm arrive while the window is open (the cache's and the
    /// inventory's, read while the first round is out; mDNS announcements): each is
    /// solicited like a remembered one, and the window does not end early while they are
    /// on their way or still asked about.
    pub inbox: Option<Inbox>,
    /// End the window (and send the retry rounds) as soon as the link has been quiet
    /// long enough ([`super::quiet`]); `false` keeps the fixed schedule of `wait` and `rounds`.
    pub early_end: bool,
    /// Set by the caller when it has what it needs (resolve found its device): the
    /// window ends within a few milliseconds.
    pub stop: Option<Arc<AtomicBool>>,
}

/// Counters of one worker's run: the scan's own counters, one set per link (the scan
/// adds them up with [`ScanStats::merge`](crate::report::ScanStats::merge)).
pub type WorkerStats = crate::report::ScanStats;
