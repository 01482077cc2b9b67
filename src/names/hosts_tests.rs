use super::*;
use crate::output::fixture;

const HOSTS: &str = "\
127.0.0.1\tlocalhost
# the lab's Pi
fe80::ba27:ebff:fe89:bc51%eth0  rpi pi-one   # on the desk
fe80::1%wlan0 elsewhere
2001:db8:1:0:ba27:ebff:fe89:bc51 pi-global
192.0.2.10 pi-four
not-an-address name
fe80::2
";

#[test]
fn parses_names_aliases_zones_and_skips_junk() {
    let e = parse(HOSTS);
    assert_eq!(e.len(), 5, "{e:#?}");
    assert_eq!(e[1].names, ["rpi", "pi-one"]);
    assert_eq!(e[1].zone.as_deref(), Some("eth0"));
    assert_eq!(e[0].zone, None);
    assert_eq!(e[4].addr, "192.0.2.10".parse::<IpAddr>().unwrap());
}

#[test]
fn aliases_reach_the_rows_of_their_address_on_their_interface() {
    let mut r = fixture::dual_stack_report();
    add_aliases(&mut r, &parse(HOSTS));
    let rows: Vec<_> = r.interfaces[0]
        .prefixes
        .iter()
        .flat_map(|p| &p.hosts)
        .collect();
    let ll = rows
        .iter()
        .find(|h| h.scoped == "fe80::ba27:ebff:fe89:bc51%eth0")
        .unwrap();
    for n in ["rpi.local", "rpi", "pi-one", "pi-four"] {
        assert!(ll.names.iter().any(|m| m == n), "{n}: {:?}", ll.names);
    }
    let global = rows
        .iter()
        .find(|h| h.address.segments()[0] == 0x2001)
        .unwrap();
    assert!(global.names.iter().any(|n| n == "pi-global"));
    assert!(
        !global.names.iter().any(|n| n == "pi-one"),
        "another address"
    );
    assert!(rows
        .iter()
        .all(|h| !h.names.iter().any(|n| n == "elsewhere")));
}

#[test]
fn resolve_matches_an_alias() {
    let mut r = fixture::report();
    let q: crate::query::Query = "pi-one".parse().unwrap();
    assert!(crate::query::find(&r, &q).is_empty());
    add_aliases(&mut r, &parse(HOSTS));
    let found = crate::query::find(&r, &q);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].mac, r.interfaces[0].prefixes[0].hosts[2].mac);
}
