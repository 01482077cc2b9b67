//! The per-device view on the fixed reports.

use super::*;
use crate::output::fixture;
use crate::report::PrefixGroup;

fn plain(report: &Report, sort: SortKey) -> String {
    let mut out = Vec::new();
    render_plain(report, sort, true, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn table(report: &Report, style: &TableStyle) -> String {
    let mut out = Vec::new();
    render_table(report, SortKey::Vendor, style, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn one_row_per_device_with_its_link_local_address_first() {
    let r = fixture::report();
    let d = devices(&r, SortKey::Vendor);
    // Four address rows, three devices: the Pi's two addresses are one row.
    assert_eq!(d.len(), 3, "{d:#?}");
    let pi = d
        .iter()
        .find(|d| d.vendor == Vendor::Known("Raspberry Pi Foundation"))
        .unwrap();
    assert_eq!(pi.link_local, ["fe80::ba27:ebff:fe89:bc51%eth0"]);
    assert_eq!(
        pi.others,
        ["2001:db8:1::ba27:ebff:fe89:bc51"
            .parse::<Ipv6Addr>()
            .unwrap()]
    );
    assert_eq!(
        pi.names,
        ["kitchen-pi", "rpi.local", "pi.example.org"],
        "the label first, names once each"
    );
    let router = d.iter().find(|d| d.marks.contains(&"router")).unwrap();
    assert_eq!(router.link_local, ["fe80::1%eth0"]);
}

#[test]
fn plain_snapshot_sorted_by_vendor_then_mac() {
    let text = plain(&fixture::report(), SortKey::Vendor);
    assert_eq!(
        text,
        "IFACE MAC LINK_LOCAL ADDRESSES IPV4 OPEN SERVICES MARKS NAMES VENDOR\n\
         eth0 00:24:a5:f1:07:ca fe80::1%eth0 - - - - router - Buffalo.Inc\n\
         eth0 b8:27:eb:89:bc:51 fe80::ba27:ebff:fe89:bc51%eth0 2001:db8:1:0:ba27:ebff:fe89:bc51 - - - - kitchen-pi,rpi.local,pi.example.org Raspberry Pi Foundation\n\
         eth0 4a:a2:12:c2:16:df fe80::4aa2:12ff:fec2:16df%eth0 - - - - - - (private MAC)\n"
    );
    for line in text.lines() {
        assert_eq!(line.split(' ').take(9).count(), 9, "{line}");
    }
}

#[test]
fn every_sort_key_orders_differently_where_it_should() {
    let r = fixture::report();
    let macs = |k| -> Vec<String> {
        devices(&r, k)
            .iter()
            .map(|d| d.mac.unwrap().to_string())
            .collect()
    };
    assert_eq!(
        macs(SortKey::Mac),
        [
            "00:24:a5:f1:07:ca",
            "4a:a2:12:c2:16:df",
            "b8:27:eb:89:bc:51"
        ]
    );
    assert_eq!(
        macs(SortKey::Address),
        [
            "00:24:a5:f1:07:ca",
            "4a:a2:12:c2:16:df",
            "b8:27:eb:89:bc:51"
        ],
        "fe80::1 < fe80::4aa2… < fe80::ba27…"
    );
    assert_eq!(macs(SortKey::Name)[0], "b8:27:eb:89:bc:51", "named first");
    assert_eq!(
        macs(SortKey::Vendor),
        [
            "00:24:a5:f1:07:ca",
            "b8:27:eb:89:bc:51",
            "4a:a2:12:c2:16:df"
        ],
        "Buffalo < Raspberry < private"
    );
    let mut stale = r.clone();
    for h in stale.interfaces[0].prefixes[0].hosts.iter_mut() {
        h.stale = h.address == "fe80::1".parse::<Ipv6Addr>().unwrap();
    }
    let last = devices(&stale, SortKey::LastSeen);
    assert_eq!(last[2].mac.unwrap().to_string(), "00:24:a5:f1:07:ca");
    assert_eq!(last[2].marks, ["router", "stale"]);
}

#[test]
fn a_device_is_stale_only_when_all_its_addresses_are() {
    let mut r = fixture::report();
    for h in r.interfaces[0].prefixes[1].hosts.iter_mut() {
        h.stale = true;
    }
    let d = devices(&r, SortKey::Vendor);
    assert!(d.iter().all(|d| !d.stale), "{d:#?}");
}

#[test]
fn ipv4_tells_swept_none_from_not_swept() {
    let r = fixture::dual_stack_report();
    let text = plain(&r, SortKey::Vendor);
    let private = text.lines().find(|l| l.contains("4a:a2:12")).unwrap();
    assert_eq!(private.split(' ').nth(4), Some("none"), "{private}");
    let pi = text.lines().find(|l| l.contains("b8:27:eb")).unwrap();
    assert_eq!(pi.split(' ').nth(4), Some("192.0.2.10"), "{pi}");
    assert_eq!(pi.split(' ').nth(5), Some("22"), "{pi}");
    let printer = text.lines().find(|l| l.contains("ipv4-only")).unwrap();
    assert!(printer.starts_with("eth0 00:00:48:12:34:56 - - 192.0.2.77 "));
    let unswept = plain(&fixture::report(), SortKey::Vendor);
    let private = unswept.lines().find(|l| l.contains("4a:a2:12")).unwrap();
    assert_eq!(private.split(' ').nth(4), Some("-"), "{private}");
}

#[test]
fn an_address_without_mac_is_a_device_of_its_own() {
    let mut r = fixture::report();
    let iface = &mut r.interfaces[0];
    let ula = crate::model::Ipv6Prefix::new("fd00::".parse().unwrap(), 64);
    iface.prefixes.push(PrefixGroup {
        prefix: ula,
        source: crate::report::PrefixSource::Reply,
        hosts: vec![
            HostRow::new("fd00::7".parse().unwrap(), "eth0", None),
            HostRow::new("fd00::8".parse().unwrap(), "eth0", None),
        ],
    });
    let d = devices(&r, SortKey::Mac);
    assert_eq!(d.len(), 5);
    assert!(d[3].mac.is_none() && d[3].link_local.is_empty());
    assert_eq!(d[3].others, ["fd00::7".parse::<Ipv6Addr>().unwrap()]);
}

#[test]
fn table_lists_each_device_once_with_its_addresses() {
    let t = table(&fixture::dual_stack_report(), &TableStyle::default());
    let pi_rows = t
        .lines()
        .filter(|l| l.contains("b8:27:eb:89:bc:51"))
        .count();
    assert_eq!(pi_rows, 1, "{t}");
    assert!(t.starts_with("eth0  4 devices\n"), "{t}");
    assert!(
        t.contains("LINK-LOCAL") && t.contains("OTHER ADDRESSES"),
        "{t}"
    );
    assert!(t.contains("2001:db8:1:0:ba27:ebff:fe89:bc51"), "{t}");
    assert!(t.contains("(ipv4-only)") && t.contains("192.0.2.77"), "{t}");
    assert!(t.trim_end().ends_with("in 0.92 s"), "{t}");
}

#[test]
fn coloured_table_lines_carry_no_trailing_blanks() {
    let style = TableStyle {
        width: Some(100),
        color: true,
    };
    let t = table(&fixture::dual_stack_report(), &style);
    assert!(t.contains('\x1b'), "not coloured: {t}");
    for line in t.lines() {
        assert!(!strip_ansi(line).ends_with(' '), "{line:?}");
    }
}

/// `s` without ANSI escape sequences.
pub(crate) fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn the_alerts_naming_a_device_are_among_its_marks() {
    use crate::report::{Alert, AlertKind};
    let mut r = fixture::report();
    let pi = r.interfaces[0].prefixes[0].hosts[2].mac.unwrap();
    r.interfaces[0].alerts = vec![Alert {
        kind: AlertKind::DuplicateAddress,
        addresses: vec!["2001:db8:1::5".parse().unwrap()],
        macs: vec![pi],
        message: String::new(),
    }];
    let d = devices(&r, SortKey::Vendor);
    let marked: Vec<_> = d
        .iter()
        .filter(|d| d.marks.contains(&"duplicate-address"))
        .map(|d| d.mac)
        .collect();
    assert_eq!(marked, [Some(pi)]);
}
