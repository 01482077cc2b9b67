use super::*;
use crate::output::fixture;

fn a6(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

const PI_LL: &str = "fe80::ba27:ebff:fe89:bc51";

fn addresses(asked: &str, v6: &[&str], v4: &[Ipv4Addr]) -> Answer {
    Answer::Addresses(Addresses {
        ifindex: 2,
        asked: a6(asked),
        name: "pi.local".into(),
        v6: v6.iter().map(|s| a6(s)).collect(),
        v4: v4.to_vec(),
    })
}

fn services(asked: &str, s: &[&str]) -> Answer {
    Answer::Services(Services {
        ifindex: 2,
        asked: a6(asked),
        services: s.iter().map(|x| x.to_string()).collect(),
    })
}

fn rows(r: &Report) -> Vec<&crate::report::HostRow> {
    r.interfaces[0]
        .prefixes
        .iter()
        .flat_map(|p| &p.hosts)
        .collect()
}

#[test]
fn on_link_is_link_local_or_in_a_prefix() {
    let p = [Ipv6Prefix::new(a6("2001:db8:1::"), 64)];
    assert!(on_link(a6("fe80::1"), &p));
    assert!(on_link(a6("2001:db8:1::77"), &p));
    assert!(!on_link(a6("2001:db8:2::77"), &p));
    assert!(!on_link(a6("fd00::1"), &[]));
}

#[test]
fn off_link_addresses_v4_and_services_land_on_every_row_of_the_mac() {
    let mut r = fixture::report();
    let answers = [
        addresses(
            PI_LL,
            // On the link (listed only when the probes confirmed them), off the link, and
            // a multicast address no host can have.
            &[
                "2001:db8:1::5ee:d",
                PI_LL,
                "2001:db8:77::5",
                "fd00:9::1",
                "ff02::1",
            ],
            &[Ipv4Addr::new(192, 0, 2, 7)],
        ),
        services(PI_LL, &["_ssh._tcp", "_sftp-ssh._tcp"]),
        // Another interface's answer does not leak over.
        Answer::Services(Services {
            ifindex: 9,
            asked: a6(PI_LL),
            services: vec!["_ipp._tcp".into()],
        }),
    ];
    apply(&mut r, &answers);
    let all = rows(&r);
    let pi: Vec<_> = all
        .iter()
        .filter(|h| h.names.contains(&"rpi.local".to_string()) || h.address.segments()[7] == 0xbc51)
        .collect();
    assert_eq!(pi.len(), 2);
    for h in pi {
        assert_eq!(
            h.announced,
            [a6("2001:db8:77::5"), a6("fd00:9::1")],
            "{}",
            h.address
        );
        assert_eq!(h.services, ["_sftp-ssh._tcp", "_ssh._tcp"]);
        assert!(h.ipv4.contains(&Ipv4Addr::new(192, 0, 2, 7)));
    }
    for h in all.iter().filter(|h| h.address.segments()[7] != 0xbc51) {
        assert!(
            h.announced.is_empty() && h.services.is_empty(),
            "{}",
            h.address
        );
    }
}

#[test]
fn an_answer_for_an_address_without_a_mac_is_dropped() {
    let mut r = fixture::report();
    apply(
        &mut r,
        &[
            addresses("fe80::dead", &["2001:db8:77::5"], &[]),
            services("fe80::dead", &["_ssh._tcp"]),
        ],
    );
    assert!(rows(&r)
        .iter()
        .all(|h| h.announced.is_empty() && h.services.is_empty()));
}

#[test]
fn prefixes_routers_advertise_count_as_on_link() {
    let mut r = fixture::report();
    let mut rtr = crate::router::Router {
        address: a6("fe80::1"),
        mac: None,
        adverts: 1,
        advert: Default::default(),
    };
    rtr.advert.prefixes.push(crate::router::PrefixInfo {
        prefix: a6("2001:db8:77::"),
        len: 64,
        on_link: true,
        autonomous: true,
        valid_lifetime: 100,
        preferred_lifetime: 100,
    });
    r.interfaces[0].routers.push(rtr);
    apply(
        &mut r,
        &[addresses(PI_LL, &["2001:db8:77::5", "2001:db8:78::5"], &[])],
    );
    let pi = rows(&r)
        .into_iter()
        .find(|h| h.address == a6(PI_LL))
        .unwrap();
    assert_eq!(pi.announced, [a6("2001:db8:78::5")]);
}
