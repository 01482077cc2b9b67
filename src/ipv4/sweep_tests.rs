use super::*;
use std::collections::VecDeque;
use std::time::Duration;

const OWN_MAC: Mac = Mac([2, 0, 0x5e, 0, 0, 1]);

/// Answers every request for one of `hosts` with a reply, plus whatever `extra`
/// frames it is given; records what was sent.
struct FakeArp {
    hosts: Vec<(Ipv4Addr, Mac)>,
    queue: VecDeque<Vec<u8>>,
    current: Vec<u8>,
    sent: Vec<Ipv4Addr>,
    sent_at: Vec<Instant>,
    fail_send: bool,
}

fn reply(from: Ipv4Addr, mac: Mac, to: Ipv4Addr) -> Vec<u8> {
    // A request from `from` turned into a reply: opcode 2, the same sender fields.
    let mut f = arp_request(mac, from, to);
    f[21] = 2;
    f
}

impl ArpChannel for FakeArp {
    fn send(&mut self, frame: &[u8]) -> io::Result<()> {
        if self.fail_send {
            return Err(io::Error::other("link down"));
        }
        let target = Ipv4Addr::new(frame[38], frame[39], frame[40], frame[41]);
        self.sent.push(target);
        self.sent_at.push(Instant::now());
        if let Some((ip, mac)) = self.hosts.iter().find(|(ip, _)| *ip == target) {
            self.queue.push_back(reply(*ip, *mac, target));
        }
        Ok(())
    }
    fn recv(&mut self) -> io::Result<Option<&[u8]>> {
        match self.queue.pop_front() {
            Some(f) => {
                self.current = f;
                Ok(Some(&self.current))
            }
            None => {
                std::thread::sleep(Duration::from_millis(1));
                Ok(None)
            }
        }
    }
}

fn ip(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

fn fake(hosts: &[(&str, u8)]) -> FakeArp {
    FakeArp {
        hosts: hosts
            .iter()
            .map(|(a, m)| (ip(a), Mac([0xb8, 0x27, 0xeb, 0, 0, *m])))
            .collect(),
        queue: VecDeque::new(),
        current: Vec::new(),
        sent: Vec::new(),
        sent_at: Vec::new(),
        fail_send: false,
    }
}

fn window(ms: u64) -> SweepWindow {
    SweepWindow {
        rate: 1000,
        max_hosts: crate::ipv4::DEFAULT_MAX_HOSTS,
        deadline: Instant::now() + Duration::from_millis(ms),
    }
}

#[test]
fn every_address_is_asked_once_and_only_subnet_answers_count() {
    let mut chan = fake(&[("192.0.2.97", 1), ("192.0.2.101", 2)]);
    // Unsolicited: an answer from outside the subnet and one claiming our own address.
    chan.queue.push_back(reply(
        ip("198.51.100.7"),
        Mac([2, 0, 0, 0, 0, 9]),
        ip("192.0.2.100"),
    ));
    chan.queue.push_back(reply(
        ip("192.0.2.100"),
        Mac([2, 0, 0, 0, 0, 8]),
        ip("192.0.2.100"),
    ));
    let found = sweep(&mut chan, 7, OWN_MAC, (ip("192.0.2.100"), 29), window(60)).unwrap();
    let mut asked = chan.sent.clone();
    asked.sort();
    let want: Vec<Ipv4Addr> = [97, 98, 99, 101, 102]
        .iter()
        .map(|d| Ipv4Addr::new(192, 0, 2, *d))
        .collect();
    assert_eq!(
        asked, want,
        "every host address but ours, network and broadcast"
    );
    assert_eq!(
        found,
        [
            Ipv4Neighbour {
                ifindex: 7,
                addr: ip("192.0.2.97"),
                mac: Mac([0xb8, 0x27, 0xeb, 0, 0, 1])
            },
            Ipv4Neighbour {
                ifindex: 7,
                addr: ip("192.0.2.101"),
                mac: Mac([0xb8, 0x27, 0xeb, 0, 0, 2])
            }
        ]
    );
}

#[test]
fn requests_are_paced_and_stop_at_the_deadline() {
    // 253 targets at 1000/s take 253 ms; a 40 ms window sends every request due before
    // its end (about the first 40) and none before it is due. The sweep's clock starts
    // between `t0` and its first request, so the bounds hold however late it runs.
    let mut chan = fake(&[]);
    let t0 = Instant::now();
    let win = SweepWindow {
        rate: 1000,
        max_hosts: 1022,
        deadline: t0 + Duration::from_millis(40),
    };
    sweep(&mut chan, 7, OWN_MAC, (ip("192.0.2.1"), 24), win).unwrap();
    let due = t0.elapsed().as_millis() as usize + 1;
    let n = chan.sent.len();
    let first = chan.sent_at[0];
    let due_by_end = (0..253)
        .filter(|&k| first + send_offset(k, win.rate) <= win.deadline)
        .count();
    assert!(
        n >= due_by_end && n <= due.min(253),
        "{n} requests, {due} due"
    );
    for (k, at) in chan.sent_at.iter().enumerate() {
        assert!(*at >= t0 + send_offset(k, win.rate), "request {k} early");
    }
}

#[test]
fn too_large_and_failing_channels_are_errors() {
    let mut chan = fake(&[]);
    let e = sweep(&mut chan, 7, OWN_MAC, (ip("10.0.0.1"), 16), window(10)).unwrap_err();
    assert!(e.to_string().contains("--ipv4-max-hosts"), "{e}");
    assert!(chan.sent.is_empty());
    chan.fail_send = true;
    let e = sweep(&mut chan, 7, OWN_MAC, (ip("192.0.2.1"), 24), window(10)).unwrap_err();
    assert_eq!(e.to_string(), "ARP sweep failed: link down");
}
