//! Snapshot tests of every renderer on a fixed report.

use super::*;
use crate::output::fixture;

fn text(format: Format) -> String {
    let mut out = Vec::new();
    render(&fixture::report(), format, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn plain_snapshot() {
    assert_eq!(
        text(Format::plain(true)),
        "IFACE PREFIX ADDRESS MAC SEEN_BY FLAGS IPV4 OPEN NAMES VENDOR\n\
         eth0 fe80::/64 fe80::1%eth0 00:24:a5:f1:07:ca echo,ra router - - - Buffalo.Inc\n\
         eth0 fe80::/64 fe80::4aa2:12ff:fec2:16df%eth0 4a:a2:12:c2:16:df param-problem,ndp - - - - (private MAC)\n\
         eth0 fe80::/64 fe80::ba27:ebff:fe89:bc51%eth0 b8:27:eb:89:bc:51 echo,ndp - - - kitchen-pi,rpi.local,pi.example.org Raspberry Pi Foundation\n\
         eth0 2001:db8:1::/64 2001:db8:1:0:ba27:ebff:fe89:bc51 b8:27:eb:89:bc:51 echo eui64 - - kitchen-pi,rpi.local,pi.example.org Raspberry Pi Foundation\n"
    );
    assert!(!text(Format::plain(false)).contains("IFACE"));
}

#[test]
fn table_snapshot() {
    let t = text(Format::TABLE);
    let want = "\
eth0  fe80::/64 (link-local, from interface)
  ADDRESS                         MAC                VENDOR                   NAME                                   SEEN BY
  fe80::1%eth0                    00:24:a5:f1:07:ca  Buffalo.Inc                                                     echo, ra            (router)
  fe80::4aa2:12ff:fec2:16df%eth0  4a:a2:12:c2:16:df  (private MAC)                                                   param-problem, ndp
  fe80::ba27:ebff:fe89:bc51%eth0  b8:27:eb:89:bc:51  Raspberry Pi Foundation  kitchen-pi, rpi.local, pi.example.org  echo, ndp
eth0  2001:db8:1::/64 (global, from ra)
  ADDRESS                           MAC                VENDOR                   NAME                                   SEEN BY
  2001:db8:1:0:ba27:ebff:fe89:bc51  b8:27:eb:89:bc:51  Raspberry Pi Foundation  kitchen-pi, rpi.local, pi.example.org  echo     (eui64)
3 hosts on 1 interface in 0.92 s
";
    let norm = |s: &str| s.lines().map(str::trim_end).collect::<Vec<_>>().join("\n");
    assert_eq!(norm(&t), norm(want), "got:\n{t}");
}

#[test]
fn json_snapshot_follows_schema_v1() {
    let v: serde_json::Value = serde_json::from_str(&text(Format::Json)).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["started"], "2026-11-18T11:06:40.000Z");
    assert_eq!(v["duration_ms"], 921);
    let iface = &v["interfaces"][0];
    assert_eq!(iface["name"], "eth0");
    assert_eq!(iface["index"], 2);
    assert_eq!(iface["mac"], "02:00:5e:10:00:01");
    let ll = &iface["prefixes"][0];
    assert_eq!(ll["prefix"], "fe80::/64");
    assert_eq!(ll["kind"], "link-local");
    assert_eq!(ll["source"], "interface");
    let pi = &ll["hosts"][2];
    assert_eq!(
        *pi,
        serde_json::json!({
            "address": "fe80::ba27:ebff:fe89:bc51",
            "scoped": "fe80::ba27:ebff:fe89:bc51%eth0",
            "mac": "b8:27:eb:89:bc:51",
            "vendor": "Raspberry Pi Foundation",
            "private_mac": false,
            "names": ["rpi.local", "pi.example.org"],
            "label": "kitchen-pi",
            "router": false,
            "self": false,
            "stale": false,
            "seen_by": ["echo", "ndp"],
            "rtt_ms": 0.412,
            "iid": "eui64",
            "services": [],
            "announced": []
        })
    );
    assert_eq!(ll["hosts"][1]["private_mac"], true);
    assert_eq!(ll["hosts"][1]["vendor"], serde_json::Value::Null);
    assert_eq!(ll["hosts"][1]["names"], serde_json::json!([]));
    assert_eq!(ll["hosts"][1]["label"], serde_json::Value::Null);
    assert_eq!(iface["prefixes"][1]["source"], "ra");
    assert_eq!(
        v["stats"],
        serde_json::json!({"probes_sent": 12, "replies": 7, "malformed": 1, "dropped_over_limit": 0, "dropped_over_memory": 0, "frames_elicited": 9, "send_errors": 2, "foreign": 3, "skipped": 0, "unmatched_errors": 0, "ring_drops": 0, "ended_early": false, "window_ms": 900, "per_host": {"probes_sent": 4.0, "frames_elicited": 3.0}})
    );
}

#[test]
fn summary_counts_distinct_hosts() {
    assert_eq!(
        summary(&fixture::report()),
        "3 hosts on 1 interface in 0.92 s"
    );
}

#[test]
fn summary_says_when_the_window_ended_early() {
    let mut r = fixture::report();
    r.stats.ended_early = true;
    r.stats.window = std::time::Duration::from_millis(290);
    assert_eq!(
        summary(&r),
        "3 hosts on 1 interface in 0.92 s, ended early (link quiet after 0.29 s)"
    );
}

fn styled(style: table::TableStyle) -> String {
    let mut out = Vec::new();
    table::render_styled(&fixture::report(), &style, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn dual(format: Format) -> String {
    let mut out = Vec::new();
    render(&fixture::dual_stack_report(), format, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn table_fits_a_narrow_terminal_shortening_only_vendor_and_name() {
    let t = styled(table::TableStyle {
        width: Some(100),
        color: false,
    });
    for line in t.lines() {
        assert!(line.chars().count() <= 100, "too wide: {line:?}\n{t}");
    }
    // Address and MAC whole, one line per host, vendor/name shortened with an ellipsis.
    let pi = t
        .lines()
        .find(|l| l.contains("fe80::ba27:ebff:fe89:bc51%eth0"))
        .unwrap();
    assert!(pi.contains("b8:27:eb:89:bc:51"), "{pi}");
    assert!(pi.contains('…'), "{pi}");
    assert_eq!(
        t.lines().count(),
        text(Format::TABLE).lines().count(),
        "{t}"
    );
    // 80 columns: still one line per row, the header whole, VENDOR kept readable.
    let narrow = styled(table::TableStyle {
        width: Some(80),
        color: false,
    });
    assert_eq!(narrow.lines().count(), t.lines().count(), "{narrow}");
    assert!(
        narrow.contains("VENDOR") && narrow.contains("SEEN BY"),
        "{narrow}"
    );
    assert!(narrow.contains("Raspber"), "vendor unreadable: {narrow}");

    // Wide enough: exactly the unconstrained table.
    let wide = styled(table::TableStyle {
        width: Some(200),
        color: false,
    });
    assert_eq!(wide, text(Format::TABLE));
}

#[test]
fn colour_only_when_asked() {
    let plain = styled(table::TableStyle::default());
    assert!(!plain.contains('\x1b'));
    let coloured = styled(table::TableStyle {
        width: None,
        color: true,
    });
    assert!(
        coloured.contains("\x1b[1meth0  fe80::/64\x1b[0m"),
        "{coloured}"
    );
    assert!(
        coloured.contains("\x1b[38;5;10m") || coloured.contains("\x1b[32m"),
        "{coloured:?}"
    );
    // Plain and JSON never colour.
    assert!(!text(Format::plain(true)).contains('\x1b'));
}

#[test]
fn jsonl_snapshot() {
    let t = text(Format::Jsonl);
    let lines: Vec<serde_json::Value> = t
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(
        lines[2],
        serde_json::json!({
            "type": "host", "interface": "eth0", "prefix": "fe80::/64",
            "address": "fe80::ba27:ebff:fe89:bc51",
            "scoped": "fe80::ba27:ebff:fe89:bc51%eth0",
            "mac": "b8:27:eb:89:bc:51",
            "vendor": "Raspberry Pi Foundation",
            "private_mac": false,
            "names": ["rpi.local", "pi.example.org"],
            "label": "kitchen-pi",
            "router": false, "self": false, "stale": false,
            "seen_by": ["echo", "ndp"],
            "rtt_ms": 0.412,
            "iid": "eui64",
            "services": [],
            "announced": []
        })
    );
    assert_eq!(lines[3]["prefix"], "2001:db8:1::/64");
    assert_eq!(
        lines[4],
        serde_json::json!({
            "type": "summary", "version": 1, "started": "2026-11-18T11:06:40.000Z",
            "duration_ms": 921, "hosts": 3, "interfaces": ["eth0"],
            "stats": {"probes_sent": 12, "replies": 7, "malformed": 1, "dropped_over_limit": 0, "dropped_over_memory": 0, "frames_elicited": 9, "send_errors": 2, "foreign": 3, "skipped": 0, "unmatched_errors": 0, "ring_drops": 0, "ended_early": false, "window_ms": 900, "per_host": {"probes_sent": 4.0, "frames_elicited": 3.0}}
        })
    );
}

#[test]
fn dual_stack_table_shows_ipv4_open_ports_and_ipv4_only_hosts() {
    let t = dual(Format::TABLE);
    let norm = |s: &str| s.lines().map(str::trim_end).collect::<Vec<_>>().join("\n");
    let want = "\
eth0  fe80::/64 (link-local, from interface)
  ADDRESS                         MAC                VENDOR                   NAME                                   IPV4        OPEN  SEEN BY
  fe80::1%eth0                    00:24:a5:f1:07:ca  Buffalo.Inc                                                     192.0.2.1         echo, ra            (router)
  fe80::4aa2:12ff:fec2:16df%eth0  4a:a2:12:c2:16:df  (private MAC)                                                   -                 param-problem, ndp
  fe80::ba27:ebff:fe89:bc51%eth0  b8:27:eb:89:bc:51  Raspberry Pi Foundation  kitchen-pi, rpi.local, pi.example.org  192.0.2.10  ssh   echo, ndp
eth0  2001:db8:1::/64 (global, from ra)
  ADDRESS                           MAC                VENDOR                   NAME                                   IPV4        OPEN  SEEN BY
  2001:db8:1:0:ba27:ebff:fe89:bc51  b8:27:eb:89:bc:51  Raspberry Pi Foundation  kitchen-pi, rpi.local, pi.example.org  192.0.2.10  ssh   echo     (eui64)
eth0  IPv4 only (no IPv6 answer)
  IPV4        MAC                VENDOR
  192.0.2.77  00:00:48:12:34:56  Seiko Epson Corporation
4 hosts on 1 interface in 0.92 s";
    assert_eq!(norm(&t), norm(want), "got:\n{t}");
}

#[test]
fn dual_stack_plain_and_json() {
    let p = dual(Format::plain(false));
    assert!(p.contains("fe80::ba27:ebff:fe89:bc51%eth0 b8:27:eb:89:bc:51 echo,ndp - 192.0.2.10 22 kitchen-pi,rpi.local,pi.example.org Raspberry Pi Foundation\n"), "{p}");
    assert!(p.contains("fe80::4aa2:12ff:fec2:16df%eth0 4a:a2:12:c2:16:df param-problem,ndp - none - - (private MAC)\n"), "swept, none: {p}");
    let unswept = text(Format::plain(false));
    assert!(
        unswept.contains("param-problem,ndp - - - - (private MAC)\n"),
        "not swept: {unswept}"
    );
    assert!(p.ends_with("eth0 ipv4-only 192.0.2.77 00:00:48:12:34:56 arp ipv4-only 192.0.2.77 - - Seiko Epson Corporation\n"), "{p}");
    let v: serde_json::Value = serde_json::from_str(&dual(Format::Json)).unwrap();
    let ll = &v["interfaces"][0]["prefixes"][0]["hosts"];
    assert_eq!(ll[2]["ipv4"], serde_json::json!(["192.0.2.10"]));
    assert_eq!(ll[2]["open_ports"], serde_json::json!([22]));
    assert_eq!(
        ll[1]["ipv4"],
        serde_json::json!([]),
        "checked and none: the lost-IPv4 signal"
    );
    assert_eq!(ll[1]["open_ports"], serde_json::json!([]));
    assert_eq!(
        v["interfaces"][0]["ipv4_only"],
        serde_json::json!([{"address": "192.0.2.77", "mac": "00:00:48:12:34:56", "vendor": "Seiko Epson Corporation", "private_mac": false}])
    );
    let plain: serde_json::Value = serde_json::from_str(&text(Format::Json)).unwrap();
    let host = &plain["interfaces"][0]["prefixes"][0]["hosts"][0];
    assert!(
        host.get("ipv4").is_none() && host.get("open_ports").is_none(),
        "absent when not checked"
    );
    assert!(plain["interfaces"][0].get("ipv4_only").is_none());
}

#[test]
fn dual_stack_jsonl_has_ipv4_ports_and_ipv4_only_lines() {
    let lines: Vec<serde_json::Value> = dual(Format::Jsonl)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let pi = lines
        .iter()
        .find(|l| l["address"] == "fe80::ba27:ebff:fe89:bc51")
        .unwrap();
    assert_eq!(pi["ipv4"], serde_json::json!(["192.0.2.10"]));
    assert_eq!(pi["open_ports"], serde_json::json!([22]));
    let private = lines
        .iter()
        .find(|l| l["address"] == "fe80::4aa2:12ff:fec2:16df")
        .unwrap();
    assert_eq!(
        private["ipv4"],
        serde_json::json!([]),
        "the lost-IPv4 signal"
    );
    let n = lines.len();
    assert_eq!(
        lines[n - 2],
        serde_json::json!({"type": "ipv4-only", "interface": "eth0", "address": "192.0.2.77",
            "mac": "00:00:48:12:34:56", "vendor": "Seiko Epson Corporation", "private_mac": false})
    );
    assert_eq!(lines[n - 1]["type"], "summary");
}

#[test]
fn plain_fields_are_never_empty() {
    // Our own address (--include-self) was seen by no probe: SEEN_BY must still be a word,
    // or `awk '{print $6}'` reads the wrong column.
    let mut r = fixture::report();
    let own = &mut r.interfaces[0].prefixes[0].hosts[0];
    own.seen_by.clear();
    own.is_self = true;
    let mut out = Vec::new();
    render(&r, Format::plain(false), &mut out).unwrap();
    let t = String::from_utf8(out).unwrap();
    for line in t.lines() {
        assert!(!line.contains("  "), "empty field: {line}");
        assert!(line.split(' ').count() >= 10, "{line}");
    }
}

#[test]
fn name_column_only_when_some_host_has_a_name_or_a_label() {
    let table = |r: &crate::report::Report| {
        let mut out = Vec::new();
        render(r, Format::TABLE, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let mut r = fixture::report();
    for h in r.interfaces[0]
        .prefixes
        .iter_mut()
        .flat_map(|p| &mut p.hosts)
    {
        h.names.clear();
    }
    let t = table(&r);
    assert!(
        t.contains("NAME") && t.contains("kitchen-pi"),
        "a label alone: {t}"
    );
    r.set_labels(&crate::report::Labels::default());
    let t = table(&r);
    assert!(!t.contains("NAME"), "{t}");
    assert!(text(Format::TABLE).contains("NAME"));
}

#[test]
fn services_column_only_when_some_host_announces_one() {
    assert!(!text(Format::TABLE).contains("SERVICES"));
    let mut r = fixture::report();
    for h in r.interfaces[0]
        .prefixes
        .iter_mut()
        .flat_map(|p| &mut p.hosts)
        .filter(|h| h.address.segments()[7] == 0xbc51)
    {
        h.services = vec!["_sftp-ssh._tcp".into(), "_ssh._tcp".into()];
    }
    let mut out = Vec::new();
    render(&r, Format::TABLE, &mut out).unwrap();
    let t = String::from_utf8(out).unwrap();
    assert!(t.contains("SERVICES"), "{t}");
    let pi = t
        .lines()
        .find(|l| l.contains("fe80::ba27:ebff:fe89:bc51"))
        .unwrap();
    assert!(pi.contains("sftp-ssh, ssh"), "{pi}");
    let router = t.lines().find(|l| l.contains("fe80::1%eth0")).unwrap();
    assert!(!router.contains("ssh"), "{router}");
}

#[test]
fn service_types_are_shown_short() {
    let s = |v: &[&str]| describe_services(&v.iter().map(|x| x.to_string()).collect::<Vec<_>>());
    assert_eq!(s(&["_ssh._tcp", "_ipp._tcp"]), "ssh, ipp");
    assert_eq!(s(&["_ntp._udp"]), "ntp/udp");
    assert_eq!(s(&[]), "");
}

#[test]
fn open_ports_are_named() {
    assert_eq!(describe_ports(&[22, 80]), "ssh,80");
    assert_eq!(describe_ports(&[]), "");
}

#[test]
fn coloured_table_lines_carry_no_trailing_blanks() {
    let coloured = styled(table::TableStyle {
        width: None,
        color: true,
    });
    for line in coloured.lines() {
        let bare = super::byhost::tests::strip_ansi(line);
        assert!(!bare.ends_with(' '), "{line:?}");
    }
    assert_eq!(
        table::trim_styled_end("ab  \x1b[33m(x)  \x1b[39m  \x1b[0m "),
        "ab  \x1b[33m(x)\x1b[39m\x1b[0m"
    );
    assert_eq!(table::trim_styled_end("a \x1bnot"), "a \x1bnot");
}

#[path = "output_schema_tests.rs"]
mod schema;
