//! Asking again until answered: every address whose MAC is not known yet gets up to three
//! solicitations spread over the window — two to its solicited-node group (a switch
//! delivers that to the owner alone; a dozing phone still lets it in), the last one
//! unicast (Wi-Fi retries unicast, and drops multicast), with a unicast echo beside it.
//! Unicast probes are budgeted per interface.

use super::{Worker, SEQ_UNICAST};
use crate::probe::{packet, Link, Probe};
use std::collections::{BTreeSet, HashMap};
use std::net::Ipv6Addr;
use std::time::{Duration, Instant};

/// Solicitations per address at most, the first included.
pub(super) const ATTEMPTS: u8 = 3;
/// Unicast probes (NS and echo) one interface may send a second, on average.
pub const UNICAST_PER_SECOND: u32 = 200;
/// Unicast probes one interface may send at once before the rate applies.
pub const UNICAST_BURST: u32 = 50;

/// The solicitations still due, and the unicast budget.
#[derive(Debug)]
pub(super) struct Solicitations {
    /// Time between one address's attempts.
    spacing: Duration,
    /// (when, address): the next attempt of each address waiting for one.
    due: BTreeSet<(Instant, Ipv6Addr)>,
    /// Attempts made per address.
    made: HashMap<Ipv6Addr, u8>,
    /// Unicast tokens left, and when they were last refilled.
    tokens: f64,
    refilled: Option<Instant>,
}

impl Solicitations {
    /// A schedule for a probe window of `wait`: attempts a quarter of the window apart
    /// (20 to 150 ms), so all three fit when the first goes out early.
    pub(super) fn new(wait: Duration) -> Self {
        Solicitations {
            spacing: (wait / 4).clamp(Duration::from_millis(20), Duration::from_millis(150)),
            due: BTreeSet::new(),
            made: HashMap::new(),
            tokens: f64::from(UNICAST_BURST),
            refilled: None,
        }
    }

    /// Notes that the first attempt for `addr` went out at `now`, and plans the next.
    pub(super) fn schedule(&mut self, addr: Ipv6Addr, now: Instant) {
        if self.made.insert(addr, 1).is_none() {
            self.due.insert((now + self.spacing, addr));
        }
    }

    /// The addresses with an attempt still to come.
    pub(super) fn waiting(&self) -> impl Iterator<Item = Ipv6Addr> + '_ {
        self.due.iter().map(|(_, a)| *a)
    }

    /// When the next attempt is due, if any.
    pub(super) fn next_due(&self) -> Option<Instant> {
        self.due.first().map(|(t, _)| *t)
    }

    /// The addresses whose next attempt is due at `now`, with the attempt's number (2 or
    /// 3); plans the attempt after it.
    fn take_due(&mut self, now: Instant) -> Vec<(Ipv6Addr, u8)> {
        let mut out = Vec::new();
        while let Some(&(t, addr)) = self.due.first() {
            if t > now {
                break;
            }
            self.due.remove(&(t, addr));
            let n = self.made.entry(addr).or_insert(1);
            *n += 1;
            out.push((addr, *n));
            if *n < ATTEMPTS {
                self.due.insert((now + self.spacing, addr));
            }
        }
        out
    }

    /// Takes one token for a probe that can wait (a unicast Node Information query), only
    /// while more than half the burst would remain: the solicitations' last attempts must
    /// not find the budget spent by it.
    pub(super) fn take_spare_unicast(&mut self, now: Instant) -> bool {
        self.take_unicast(0, now);
        if self.tokens >= f64::from(UNICAST_BURST / 2 + 1) {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Takes `n` unicast tokens if there are that many (refilled at the budget's rate).
    fn take_unicast(&mut self, n: u32, now: Instant) -> bool {
        if let Some(last) = self.refilled {
            let earned =
                now.saturating_duration_since(last).as_secs_f64() * f64::from(UNICAST_PER_SECOND);
            self.tokens = (self.tokens + earned).min(f64::from(UNICAST_BURST));
        }
        self.refilled = Some(now);
        if self.tokens >= f64::from(n) {
            self.tokens -= f64::from(n);
            true
        } else {
            false
        }
    }
}

impl<L: Link> Worker<'_, L> {
    /// Sends the attempts that are due for addresses whose MAC is still unknown.
    pub(super) fn send_due_solicitations(&mut self, now: Instant) {
        for (addr, attempt) in self.pending.take_due(now) {
            if !self.wants_mac(addr) {
                continue;
            }
            if attempt < ATTEMPTS {
                self.send_ns(addr);
            } else if self.pending.take_unicast(2, now) {
                self.send_unicast(addr);
            } else {
                self.stats.skipped += 2;
            }
        }
    }

    /// The last attempt: a unicast NS and a unicast echo to `addr` itself.
    fn send_unicast(&mut self, addr: Ipv6Addr) {
        let Some(mac) = self.cfg.mac else {
            return;
        };
        let src = if crate::model::is_link_local(addr) {
            self.cfg.sources.first().copied()
        } else {
            // The global/ULA source of the same kind, so the answer comes back on-link.
            self.cfg
                .sources
                .iter()
                .copied()
                .find(|s| crate::model::PrefixKind::of(*s) == crate::model::PrefixKind::of(addr))
                .or_else(|| self.cfg.sources.first().copied())
        };
        let ns = packet::neighbour_solicitation(addr, mac);
        self.send(Probe {
            dst: addr,
            src: self.cfg.sources.first().copied(),
            message: &ns,
            dest_opts: None,
            hop_opts: None,
            hop_limit: None,
        });
        let seq = SEQ_UNICAST | (self.unicast_seq & 0x1fff);
        self.unicast_seq = self.unicast_seq.wrapping_add(1);
        let echo = packet::echo_request(&self.tag, seq);
        self.sent_at.insert(seq, Instant::now());
        self.send(Probe {
            dst: addr,
            src,
            message: &echo,
            dest_opts: None,
            hop_opts: None,
            hop_limit: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Ipv6Addr {
        s.parse().unwrap()
    }

    #[test]
    fn three_attempts_spaced_over_the_window() {
        let t0 = Instant::now();
        let mut s = Solicitations::new(Duration::from_millis(400));
        s.schedule(a("fe80::1"), t0);
        s.schedule(a("fe80::1"), t0);
        assert_eq!(s.next_due(), Some(t0 + Duration::from_millis(100)));
        assert!(s.take_due(t0 + Duration::from_millis(99)).is_empty());
        let t1 = t0 + Duration::from_millis(100);
        assert_eq!(s.take_due(t1), [(a("fe80::1"), 2)]);
        let t2 = t1 + Duration::from_millis(100);
        assert_eq!(s.take_due(t2), [(a("fe80::1"), 3)]);
        assert_eq!(s.next_due(), None, "three attempts in all");
        assert!(s.take_due(t2 + Duration::from_secs(1)).is_empty());
    }

    #[test]
    fn spacing_stays_between_20_and_150_ms() {
        assert_eq!(
            Solicitations::new(Duration::from_millis(10)).spacing,
            Duration::from_millis(20)
        );
        assert_eq!(
            Solicitations::new(Duration::from_secs(1)).spacing,
            Duration::from_millis(150)
        );
    }

    #[test]
    fn the_unicast_budget_refills_at_its_rate() {
        let t0 = Instant::now();
        let mut s = Solicitations::new(Duration::from_secs(1));
        let mut sent = 0;
        while s.take_unicast(2, t0) {
            sent += 2;
        }
        assert_eq!(sent, UNICAST_BURST);
        // 100 ms later: 20 more tokens at 200 a second.
        let later = t0 + Duration::from_millis(100);
        let mut more = 0;
        while s.take_unicast(2, later) {
            more += 2;
        }
        assert_eq!(more, 20);
    }

    #[test]
    fn spare_probes_leave_half_the_burst_to_solicitations() {
        let t0 = Instant::now();
        let mut s = Solicitations::new(Duration::from_secs(1));
        let mut spare = 0;
        while s.take_spare_unicast(t0) {
            spare += 1;
        }
        assert_eq!(spare, UNICAST_BURST - UNICAST_BURST / 2);
        let mut left = 0;
        while s.take_unicast(1, t0) {
            left += 1;
        }
        assert_eq!(left, UNICAST_BURST / 2);
    }
}
