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
            quirks: Default::default(),
        })
        .collect()
}

fn echo(link: &mut SimLink) {
    echo_from(link, &packet::echo_request(&TAG, 1), None);
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

/// The delay after the probe the simulator draws for each answer, in the order it queues
/// them (host order), from the seed alone: what `with_spread` promises.
fn drawn_delays(seed: u64, max: Duration, n: usize) -> Vec<Duration> {
    let mut sp = Spread {
        max,
        rng: seed | 1,
        seq: 0,
    };
    (0..n).map(|_| sp.delay(max)).collect()
}

#[test]
fn spread_answers_all_arrive_in_due_order_never_early() {
    let max = Duration::from_millis(60);
    let n = 200;
    let mut link = SimLink::new(hosts(n)).with_spread(max, 7);
    let t0 = Instant::now();
    echo(&mut link);
    let sent = link.probe_time.unwrap();
    let delays = drawn_delays(7, max, usize::from(n));
    // Spread over the window, none past it.
    assert!(delays.iter().all(|d| *d <= max));
    assert!(delays.iter().max().unwrap() >= &(max / 2));
    // The order the configuration implies: by due time, ties in queueing order.
    let mut due: Vec<(Duration, usize)> = delays.iter().copied().zip(0..).collect();
    due.sort();
    let got = drain(&mut link, t0 + max + Duration::from_millis(200));
    let want: Vec<Ipv6Addr> = due.iter().map(|(_, i)| hosts(n)[*i].addrs[0]).collect();
    let order: Vec<Ipv6Addr> = got.iter().map(|(a, _)| *a).collect();
    assert_eq!(order, want, "answers out of due order, or some missing");
    // None is handed out before its delay has passed since the probe.
    for ((_, at), (d, i)) in got.iter().zip(&due) {
        assert!(
            *at >= sent + *d,
            "host {i} answered {:?} early",
            sent + *d - *at
        );
    }
}

#[test]
fn neighbour_advertisements_come_within_a_tenth_of_the_spread() {
    let max = Duration::from_millis(200);
    let mut link = SimLink::new(hosts(3)).with_spread(max, 11);
    let target = hosts(3)[1].addrs[0];
    let ns = packet::neighbour_solicitation(target, Mac([2, 0, 0, 0, 0, 1]));
    link.send(&Probe {
        dst: packet::solicited_node(target),
        src: Some("fe80::1:1".parse().unwrap()),
        message: &ns,
        dest_opts: None,
        hop_opts: None,
        hop_limit: None,
    })
    .unwrap();
    let sent = link.probe_time.unwrap();
    let d = drawn_delays(11, max / 10, 1)[0];
    assert!(d <= max / 10);
    let mut buf = [0u8; 256];
    let rx = link.recv(&mut buf, max).unwrap().unwrap();
    assert!(Instant::now() >= sent + d);
    assert_eq!((rx.src, rx.hop_limit), (target, Some(255)));
    assert_eq!(
        packet::parse(&buf[..rx.len]),
        Ok(Icmp::NeighbourAdvert {
            target,
            router: false,
            solicited: true,
            override_flag: true,
            target_mac: Some(hosts(3)[1].mac),
        })
    );
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
    // It did not wait for the answer due within the hour.
    assert!(r.is_none() && t.elapsed() < Duration::from_secs(60));
}

#[test]
fn answers_are_built_as_linux_and_radvd_send_them() {
    let target: Ipv6Addr = "fe80::ba27:ebff:fe00:b".parse().unwrap();
    let mac = Mac([0xb8, 0x27, 0xeb, 0, 0, 0x0b]);
    let mut na = vec![136, 0, 0, 0, 0x60, 0, 0, 0];
    na.extend_from_slice(&target.octets());
    na.extend_from_slice(&[2, 1, 0xb8, 0x27, 0xeb, 0, 0, 0x0b]);
    assert_eq!(neighbour_advert(target, mac, false), na);
    na[4] = 0xe0;
    assert_eq!(neighbour_advert(target, mac, true), na);

    let prefix: Ipv6Addr = "2001:db8:1::".parse().unwrap();
    let mut ra = vec![134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0];
    ra.extend_from_slice(&[1, 1, 0xb8, 0x27, 0xeb, 0, 0, 0x0b]);
    ra.extend_from_slice(&[
        3, 4, 64, 0x80, 0, 1, 0x51, 0x80, 0, 0, 0x38, 0x40, 0, 0, 0, 0,
    ]);
    ra.extend_from_slice(&prefix.octets());
    assert_eq!(router_advert(mac, &[(prefix, 64)]), ra);

    let group: Ipv6Addr = "ff02::1:ff00:b".parse().unwrap();
    let mut report = vec![143, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0];
    report.extend_from_slice(&group.octets());
    assert_eq!(mldv2_report(&[group]), report);

    let (src, dst): (Ipv6Addr, Ipv6Addr) =
        ("fe80::1:1".parse().unwrap(), "ff02::1".parse().unwrap());
    let echo = packet::echo_request(&TAG, 9);
    let mut pp = vec![4, 2, 0, 0, 0, 0, 0, 42, 0x60, 0, 0, 0, 0, 24, 60, 255];
    pp.extend_from_slice(&src.octets());
    pp.extend_from_slice(&dst.octets());
    pp.extend_from_slice(&[58, 0, 0x80, 4, 0, 0, 0, 0]);
    pp.extend_from_slice(&echo);
    assert_eq!(param_problem(src, dst, &echo), pp);
    // What a host answers a plain echo with: the request, type 129.
    let mut link = SimLink::new(hosts(1));
    echo_from(&mut link, &echo, None);
    let mut buf = [0u8; 128];
    let rx = link.recv(&mut buf, Duration::ZERO).unwrap().unwrap();
    let mut reply = echo.clone();
    reply[0] = 129;
    assert_eq!(&buf[..rx.len], reply);
    // And with the unknown option: the Parameter Problem above, from the host.
    echo_from(&mut link, &echo, Some(&packet::unknown_option_dest_opts()));
    let rx = link.recv(&mut buf, Duration::ZERO).unwrap().unwrap();
    assert_eq!(&buf[..rx.len], pp);
}

fn echo_from(link: &mut SimLink, msg: &[u8], dest_opts: Option<&[u8]>) {
    link.send(&Probe {
        dst: "ff02::1".parse().unwrap(),
        src: Some("fe80::1:1".parse().unwrap()),
        message: msg,
        dest_opts,
        hop_opts: None,
        hop_limit: None,
    })
    .unwrap();
}
