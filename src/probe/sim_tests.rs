use super::*;
use crate::probe::packet::{self, Icmp, ProbeTag};

const TAG: ProbeTag = ProbeTag {
    id: 0x1234,
    cookie: [1, 2, 3, 4, 5, 6, 7, 8],
};

fn hosts(n: u16) -> Vec<SimHost> {
    (1..=n)
        .map(|i| SimHost {
            mac: Mac([0xb8, 0x27, 0xeb, 0, (i >> 8) as u8, i as u8]),
            addrs: vec![Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, i)],
            ignores_multicast_echo: false,
            router_prefixes: None,
        })
        .collect()
}

fn echo(link: &mut SimLink) {
    let msg = packet::echo_request(&TAG, 1);
    link.send(&Probe {
        dst: "ff02::1".parse().unwrap(),
        src: Some("fe80::1:1".parse().unwrap()),
        message: &msg,
        dest_opts: None,
        hop_opts: None,
        hop_limit: None,
    })
    .unwrap();
}

/// Receives until `until`; returns each answer's source and when it came.
fn drain(link: &mut SimLink, until: Instant) -> Vec<(Ipv6Addr, Instant)> {
    let mut buf = [0u8; 256];
    let mut got = Vec::new();
    loop {
        let now = Instant::now();
        if now >= until {
            return got;
        }
        if let Some(rx) = link.recv(&mut buf, until - now).unwrap() {
            got.push((rx.src, Instant::now()));
        }
    }
}

#[test]
fn without_spread_every_answer_is_there_at_once() {
    let mut link = SimLink::new(hosts(20));
    echo(&mut link);
    let mut buf = [0u8; 256];
    for _ in 0..20 {
        let rx = link.recv(&mut buf, Duration::ZERO).unwrap().unwrap();
        assert!(matches!(
            packet::parse(&buf[..rx.len]),
            Ok(Icmp::EchoReply { .. })
        ));
    }
    assert!(link.recv(&mut buf, Duration::ZERO).unwrap().is_none());
}

#[test]
fn spread_answers_arrive_over_the_window_and_all_arrive() {
    let max = Duration::from_millis(60);
    let mut link = SimLink::new(hosts(200)).with_spread(max, 7);
    let t0 = Instant::now();
    echo(&mut link);
    let mut buf = [0u8; 256];
    // Not all at once: a zero-timeout receive right after the probe finds few if any.
    let early = (0..200)
        .filter(|_| link.recv(&mut buf, Duration::ZERO).unwrap().is_some())
        .count();
    assert!(early < 100, "{early} answers were due at once");
    let got = drain(&mut link, t0 + max + Duration::from_millis(200));
    assert_eq!(got.len() + early, 200);
    // Later answers come later: in due order, spread over more than half the window.
    let last = got.iter().map(|(_, t)| *t).max().unwrap();
    assert!(last - t0 >= max / 2, "all answers within {:?}", last - t0);
    assert!(got.windows(2).all(|w| w[0].1 <= w[1].1));
}

#[test]
fn spread_is_deterministic_per_seed() {
    let order = |seed| {
        let mut link = SimLink::new(hosts(50)).with_spread(Duration::from_millis(30), seed);
        echo(&mut link);
        let until = Instant::now() + Duration::from_millis(150);
        drain(&mut link, until)
            .into_iter()
            .map(|(a, _)| a)
            .collect::<Vec<_>>()
    };
    assert_eq!(order(3), order(3));
    assert_ne!(order(3), order(4));
}

#[test]
fn recv_honours_its_timeout_while_answers_are_pending() {
    let mut link = SimLink::new(hosts(1)).with_spread(Duration::from_secs(3600), 1);
    echo(&mut link);
    let t = Instant::now();
    let mut buf = [0u8; 256];
    // The one answer is (almost surely) not due for a long time: recv returns empty.
    let r = link.recv(&mut buf, Duration::from_millis(5)).unwrap();
    assert!(r.is_none() && t.elapsed() < Duration::from_secs(1));
}
