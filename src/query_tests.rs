use super::*;
use crate::model::Ipv6Prefix;
use crate::report::{IfaceReport, PrefixGroup, PrefixSource, ScanStats};
use std::time::{Duration, UNIX_EPOCH};

fn q(s: &str) -> Query {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn qerr(s: &str) -> String {
    match s.parse::<Query>() {
        Ok(x) => panic!("{s} parsed as {x:?}"),
        Err(e) => e.to_string(),
    }
}

const PI: Mac = Mac([0xb8, 0x27, 0xeb, 0x89, 0xbc, 0x51]);
const PI4: Mac = Mac([0xdc, 0xa6, 0x32, 0x01, 0x02, 0x03]);
const PRIV: Mac = Mac([0x4a, 0xa2, 0x12, 0xc2, 0x16, 0xdf]);
const INTEL: Mac = Mac([0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x0c]);

#[test]
fn parses_full_macs_in_every_notation() {
    for s in [
        "b8:27:eb:89:bc:51",
        "B8-27-EB-89-BC-51",
        "b827.eb89.bc51",
        "b827eb89bc51",
        " b8:27:eb:89:bc:51 ",
    ] {
        assert_eq!(q(s), Query::Mac(PI), "{s}");
    }
}

#[test]
fn parses_mac_prefixes() {
    let oui = vec![0xb, 8, 2, 7, 0xe, 0xb];
    for s in ["b8:27:eb", "B8-27-EB", "b827eb", "b827.eb", "b8:27:eb:"] {
        // A trailing separator leaves an empty last group: only "b8:27:eb:" is malformed.
        if s.ends_with(':') {
            assert!(qerr(s).contains("malformed"), "{s}");
            continue;
        }
        assert_eq!(q(s), Query::MacPrefix(oui.clone()), "{s}");
    }
    assert_eq!(
        q("b8:27:eb:8"),
        Query::MacPrefix(vec![0xb, 8, 2, 7, 0xe, 0xb, 8])
    );
    assert!(matches!(q("b8:27:eb:89:b"), Query::MacPrefix(p) if p.len() == 9));
    // Six groups are always a full MAC, whose single digits drop a leading zero.
    assert_eq!(
        q("b8:27:eb:89:bc:5"),
        Query::Mac(Mac([0xb8, 0x27, 0xeb, 0x89, 0xbc, 5]))
    );
}

#[test]
fn rejects_short_long_and_malformed_macs_clearly() {
    for s in ["b8:27", "b8-27", "b8:2", "b8:27:e"] {
        let e = qerr(s);
        assert!(
            e.contains("too short") && e.contains("b8:27:eb"),
            "{s}: {e}"
        );
    }
    assert!(qerr("b8:27:eb:89:bc:51:00").contains("too many"));
    assert!(qerr("b827eb89bc5100").contains("too many"));
    for s in ["b8:27:ebb", "b8:2:eb:89", "b8:27-eb", "b827.eb89.bc51.00"] {
        let e = qerr(s);
        assert!(
            e.contains("malformed") || e.contains("too many"),
            "{s}: {e}"
        );
    }
    assert!(qerr("b8:27:eb:89:bc:5g").contains("neither"));
    assert!(qerr("rpi:local").contains("neither"));
    assert!(qerr("").contains("empty"));
    assert!(qerr("   ").contains("empty"));
    assert_eq!(q(" pi\n"), Query::Word("pi".into()));
    assert!(qerr("p\u{7}i").contains("control"));
}

#[test]
fn parses_addresses_and_prefixes() {
    let a = |s: &str| s.parse::<Ipv6Addr>().unwrap();
    assert_eq!(q("fe80::1"), Query::Address(a("fe80::1"), None));
    assert_eq!(
        q("fe80::1%eth0"),
        Query::Address(a("fe80::1"), Some("eth0".into()))
    );
    assert_eq!(
        q("2001:db8::/64"),
        Query::Prefix(Ipv6Prefix::new(a("2001:db8::"), 64))
    );
    assert_eq!(
        q("2001:db8:1::5/48"),
        Query::Prefix(Ipv6Prefix::new(a("2001:db8:1::"), 48))
    );
    assert!(qerr("2001:db8::/129").contains("prefix length"));
    assert!(qerr("2001:db8::/x").contains("prefix length"));
    assert!(qerr("pi/64").contains("not an IPv6 prefix"));
    assert!(qerr("fe80::1%").contains("scoped"));
    assert!(qerr("pi%eth0").contains("scoped"));
    // Six colon groups without "::" are a MAC, never an address.
    assert_eq!(q("1:2:3:4:5:6"), Query::Mac(Mac([1, 2, 3, 4, 5, 6])));
}

#[test]
fn other_strings_are_words() {
    for s in [
        "raspberry",
        "Raspberry Pi",
        "rpi.local",
        "rpi.local.",
        "my-pi",
        "cafe-babe",
        "abb",
        "a.b",
        "b827e",
    ] {
        assert_eq!(q(s), Query::Word(s.trim().into()), "{s}");
    }
}

#[test]
fn names_compare_ignoring_case_and_local_suffix() {
    assert!(same_name("rpi", "RPI.local"));
    assert!(same_name("rpi.local.", "rpi"));
    assert!(same_name("rpi.", "rpi.LOCAL"));
    assert!(same_name("rpi.lan", "rpi.lan."));
    assert!(!same_name("rpi.lan", "rpi"));
    assert!(!same_name("rpi2", "rpi"));
    assert!(same_name(".local", ".local"));
}

fn row(addr: &str, iface: &str, mac: Option<Mac>, names: &[&str]) -> HostRow {
    let address: Ipv6Addr = addr.parse().unwrap();
    HostRow {
        names: names.iter().map(|s| s.to_string()).collect(),
        ..HostRow::new(address, iface, mac)
    }
}

fn group(prefix: &str, hosts: Vec<HostRow>) -> PrefixGroup {
    PrefixGroup {
        prefix: Ipv6Prefix::new(prefix.parse().unwrap(), 64),
        source: PrefixSource::Interface,
        hosts,
    }
}

/// eth0: a Pi 3 (link-local, global, ULA, named "rpi"), a Pi 4, a private-MAC host, an
/// address without MAC, our own address and a stale entry. eth1: the Intel host, which is
/// also on eth0.
fn report() -> Report {
    let mut me = row("fe80::ff:fe00:1", "eth0", Some(PRIV), &[]);
    me.is_self = true;
    let mut stale = row("fe80::dead:beef", "eth0", Some(INTEL), &[]);
    stale.stale = true;
    Report {
        started: UNIX_EPOCH,
        duration: Duration::from_millis(900),
        interfaces: vec![
            IfaceReport {
                prefixes: vec![
                    group(
                        "fe80::",
                        vec![
                            row("fe80::2", "eth0", None, &[]),
                            row("fe80::4aa2:12ff:fec2:16df", "eth0", Some(PRIV), &[]),
                            row(
                                "fe80::ba27:ebff:fe89:bc51",
                                "eth0",
                                Some(PI),
                                &["rpi.local"],
                            ),
                            row("fe80::dea6:32ff:fe01:203", "eth0", Some(PI4), &[]),
                            row("fe80::21b:21ff:fe0a:b0c", "eth0", Some(INTEL), &[]),
                            me,
                            stale,
                        ],
                    ),
                    group(
                        "2001:db8:1::",
                        vec![
                            row("2001:db8:1::5", "eth0", Some(PI), &[]),
                            row("2001:db8:1::9", "eth0", None, &[]),
                        ],
                    ),
                    group("fd00:1::", vec![row("fd00:1::5", "eth0", Some(PI), &[])]),
                ],
                ..IfaceReport::new("eth0", 2, None)
            },
            IfaceReport {
                prefixes: vec![group(
                    "fe80::",
                    vec![row("fe80::21b:21ff:fe0a:b0c", "eth1", Some(INTEL), &[])],
                )],
                ..IfaceReport::new("eth1", 3, None)
            },
        ],
        stats: ScanStats::default(),
        ports_checked: None,
    }
}

fn hosts(query: &str) -> Vec<HostMatch> {
    find(&report(), &q(query))
}

fn scoped(m: &HostMatch) -> Vec<&str> {
    m.addresses.iter().map(|a| a.scoped.as_str()).collect()
}

#[test]
fn full_mac_finds_every_address_of_the_host() {
    let h = hosts("B8-27-EB-89-BC-51");
    assert_eq!(h.len(), 1);
    assert_eq!(
        scoped(&h[0]),
        [
            "fe80::ba27:ebff:fe89:bc51%eth0",
            "2001:db8:1::5",
            "fd00:1::5"
        ]
    );
    assert_eq!((h[0].iface.as_str(), h[0].index), ("eth0", 2));
    assert_eq!(h[0].names, ["rpi.local"]);
    assert!(hosts("b8:27:eb:89:bc:52").is_empty());
}

#[test]
fn picks_by_preference() {
    let h = &hosts("b8:27:eb:89:bc:51")[0];
    assert_eq!(
        h.pick(Prefer::LinkLocal).unwrap().scoped,
        "fe80::ba27:ebff:fe89:bc51%eth0"
    );
    assert_eq!(h.pick(Prefer::Global).unwrap().scoped, "2001:db8:1::5");
    // Without a global, the ULA; without either, the link-local.
    let mut ula_only = h.clone();
    ula_only.addresses.remove(1);
    assert_eq!(ula_only.pick(Prefer::Global).unwrap().scoped, "fd00:1::5");
    let ll = &hosts("dc:a6:32:01:02:03")[0];
    assert_eq!(
        ll.pick(Prefer::Global).unwrap().scoped,
        "fe80::dea6:32ff:fe01:203%eth0"
    );
    // A host known only by a global address still resolves with the default preference.
    let g = &hosts("2001:db8:1::9")[0];
    assert_eq!(g.pick(Prefer::LinkLocal).unwrap().scoped, "2001:db8:1::9");
}

#[test]
fn mac_prefix_matches_by_nibbles() {
    assert_eq!(hosts("b8:27:eb").len(), 1);
    assert_eq!(hosts("b8:27:eb:8").len(), 1);
    assert_eq!(hosts("b8:27:eb:89:b").len(), 1);
    assert_eq!(hosts("b827.eb89.bc").len(), 1);
    assert!(hosts("b8:27:eb:9").is_empty());
    // The Intel MAC is on two interfaces: two hosts.
    let intel = hosts("00:1b:21");
    assert_eq!(
        intel.iter().map(|h| h.iface.as_str()).collect::<Vec<_>>(),
        ["eth0", "eth1"]
    );
}

#[test]
fn vendor_substring_ignores_case_and_private_macs() {
    let pis = hosts("RASPBERRY");
    assert_eq!(
        pis.iter().map(|h| h.mac.unwrap()).collect::<Vec<_>>(),
        [PI, PI4]
    );
    assert_eq!(hosts("raspberry pi foundation").len(), 1);
    assert!(hosts("private").is_empty());
    assert!(hosts("nosuchvendor").is_empty());
}

#[test]
fn names_win_over_vendors() {
    for s in ["rpi", "RPI.local", "rpi.local."] {
        let h = hosts(s);
        assert_eq!(h.len(), 1, "{s}");
        assert_eq!(h[0].mac, Some(PI));
        assert_eq!(h[0].addresses.len(), 3, "{s}");
    }
    // "rpi" is in no vendor name and "pi" is no host's name: "pi" is a vendor substring.
    assert_eq!(hosts("pi").len(), 2);
}

/// The report with labels: the Pi 4 is "rpi" (a name the Pi 3 has), the private-MAC host
/// "Raspberry" (a vendor word), the Intel MAC "nas" on both interfaces.
fn labelled() -> Report {
    let mut r = report();
    r.set_labels(&crate::report::Labels::from_iter([
        (PI4, "rpi".to_string()),
        (PRIV, "Raspberry".to_string()),
        (INTEL, "nas".to_string()),
    ]));
    r
}

#[test]
fn a_label_wins_over_names_and_vendors_and_shows_first() {
    let find_in = |s: &str| find(&labelled(), &q(s));
    let h = find_in("rpi");
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].mac, Some(PI4), "the label, not the host named rpi");
    assert_eq!(h[0].names, ["rpi"]);
    // Labels ignore case but match whole: "rpi.local" is the Pi 3's name only.
    assert_eq!(find_in("RPI")[0].mac, Some(PI4));
    assert_eq!(find_in("rpi.local")[0].mac, Some(PI));
    let h = find_in("raspberry");
    assert_eq!(
        h.iter().map(|h| h.mac.unwrap()).collect::<Vec<_>>(),
        [PRIV],
        "a label, not the vendor"
    );
    // A label names the MAC on every interface (resolve then asks for -i).
    let nas = find_in("nas");
    assert_eq!(
        nas.iter().map(|h| h.iface.as_str()).collect::<Vec<_>>(),
        ["eth0", "eth1"]
    );
    // The label comes first among the names candidates are listed with.
    let pi3 = &find(&labelled(), &q("b8:27:eb:89:bc:51"))[0];
    assert_eq!(pi3.names, ["rpi.local"]);
    let mut r = labelled();
    r.set_labels(&crate::report::Labels::from_iter([(
        PI,
        "kitchen".to_string(),
    )]));
    let pi3 = &find(&r, &q("kitchen"))[0];
    assert_eq!(pi3.names, ["kitchen", "rpi.local"]);
    assert!(
        pi3.describe().contains("[kitchen, rpi.local]"),
        "{}",
        pi3.describe()
    );
    // Without labels the word is a name again.
    assert_eq!(hosts("rpi")[0].mac, Some(PI));
}

#[test]
fn address_queries_select_only_that_address() {
    let h = hosts("2001:db8:1::5");
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].mac, Some(PI));
    assert_eq!(scoped(&h[0]), ["2001:db8:1::5"]);
    assert_eq!(hosts("fe80::21b:21ff:fe0a:b0c").len(), 2);
    let on1 = hosts("fe80::21b:21ff:fe0a:b0c%eth1");
    assert_eq!((on1.len(), on1[0].iface.as_str()), (1, "eth1"));
    assert_eq!(hosts("fe80::21b:21ff:fe0a:b0c%3")[0].iface, "eth1");
    assert!(hosts("fe80::21b:21ff:fe0a:b0c%eth9").is_empty());
    // Addresses without a MAC are hosts of their own.
    assert_eq!(hosts("fe80::2")[0].mac, None);
}

#[test]
fn prefix_queries_group_by_host() {
    let h = hosts("2001:db8:1::/64");
    assert_eq!(h.len(), 2);
    assert_eq!(scoped(&h[0]), ["2001:db8:1::5"]);
    assert_eq!((h[1].mac, scoped(&h[1])), (None, vec!["2001:db8:1::9"]));
    let ll = hosts("fe80::/10");
    assert_eq!(ll.len(), 6, "{ll:#?}");
    assert_eq!(hosts("fd00::/8").len(), 1);
}

#[test]
fn own_and_stale_addresses_never_match() {
    assert!(hosts("fe80::ff:fe00:1").is_empty());
    assert!(hosts("fe80::dead:beef").is_empty());
    // The private MAC is also our own on one row; only the neighbour's row matches.
    assert_eq!(scoped(&hosts("4a:a2:12:c2:16:df")[0]).len(), 1);
}

#[test]
fn describes_candidates() {
    let d = hosts("b8:27:eb")[0].describe();
    assert!(d.starts_with("eth0"), "{d}");
    for part in [
        "b8:27:eb:89:bc:51",
        "Raspberry Pi Foundation",
        "[rpi.local]",
        "fe80::ba27:ebff:fe89:bc51%eth0",
        "fd00:1::5",
    ] {
        assert!(d.contains(part), "{d} lacks {part}");
    }
    assert!(hosts("fe80::2")[0].describe().contains("(MAC unknown)"));
}

#[test]
fn the_ambiguity_list_is_aligned_in_columns() {
    let all = hosts("fe80::/10");
    assert!(all.len() > 1, "the fixture needs several candidates");
    let lines = describe_all(&all);
    assert_eq!(lines.len(), all.len());
    // Every address column starts at the same offset, and no line ends in a blank.
    let starts: Vec<usize> = lines
        .iter()
        .zip(&all)
        .map(|(l, h)| l.find(&h.addresses[0].scoped).unwrap())
        .collect();
    assert!(starts.windows(2).all(|w| w[0] == w[1]), "{lines:#?}");
    let macs: Vec<usize> = lines
        .iter()
        .zip(&all)
        .map(|(l, h)| {
            let mac = h.mac.map_or("(MAC unknown)".to_string(), |m| m.to_string());
            l.find(&mac).unwrap()
        })
        .collect();
    assert!(macs.windows(2).all(|w| w[0] == w[1]), "{lines:#?}");
    assert!(lines.iter().all(|l| !l.ends_with(' ')), "{lines:#?}");
}

#[test]
fn explains_misses() {
    let e = explain_no_match(&q("nosuchvendorxyz"), "nosuchvendorxyz");
    assert!(e.contains("no vendor in the OUI table"), "{e}");
    let e = explain_no_match(&q("raspberry"), "raspberry");
    assert!(e.contains("Raspberry Pi"), "{e}");
    let e = explain_no_match(&q("b8:27:eb"), "b8:27:eb");
    assert_eq!(e, "no host matching 'b8:27:eb' answered");
}

#[test]
fn an_ipv4_address_is_a_query_for_its_host() {
    assert_eq!(
        "192.0.2.7".parse::<Query>(),
        Ok(Query::Ipv4("192.0.2.7".parse().unwrap()))
    );
    let mut r = crate::output::fixture::report();
    let pi = Mac([0xb8, 0x27, 0xeb, 0x89, 0xbc, 0x51]);
    for h in r.interfaces[0]
        .prefixes
        .iter_mut()
        .flat_map(|p| &mut p.hosts)
    {
        if h.mac == Some(pi) {
            h.ipv4 = vec!["192.0.2.7".parse().unwrap()];
        }
    }
    let q: Query = "192.0.2.7".parse().unwrap();
    let found = find(&r, &q);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].mac, Some(pi));
    assert_eq!(found[0].addresses.len(), 2, "the whole host, every address");
    assert!(find(&r, &"192.0.2.8".parse().unwrap()).is_empty());
}
