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
        text(Format::Plain { header: true }),
        "IFACE PREFIX ADDRESS MAC SEEN_BY FLAGS IPV4 OPEN VENDOR\n\
         eth0 fe80::/64 fe80::1%eth0 00:24:a5:f1:07:ca echo,ra router - - Buffalo.Inc\n\
         eth0 fe80::/64 fe80::4aa2:12ff:fec2:16df%eth0 4a:a2:12:c2:16:df param-problem,ndp - - - (private MAC)\n\
         eth0 fe80::/64 fe80::ba27:ebff:fe89:bc51%eth0 b8:27:eb:89:bc:51 echo,ndp - - - Raspberry Pi Foundation\n\
         eth0 2001:db8:1::/64 2001:db8:1:0:ba27:ebff:fe89:bc51 b8:27:eb:89:bc:51 echo eui64 - - Raspberry Pi Foundation\n"
    );
    assert!(!text(Format::Plain { header: false }).contains("IFACE"));
}

#[test]
fn table_snapshot() {
    let t = text(Format::Table);
    let want = "\
eth0  fe80::/64 (link-local, from interface)
  ADDRESS                         MAC                VENDOR                   SEEN BY
  fe80::1%eth0                    00:24:a5:f1:07:ca  Buffalo.Inc              echo, ra            (router)
  fe80::4aa2:12ff:fec2:16df%eth0  4a:a2:12:c2:16:df  (private MAC)            param-problem, ndp
  fe80::ba27:ebff:fe89:bc51%eth0  b8:27:eb:89:bc:51  Raspberry Pi Foundation  echo, ndp
eth0  2001:db8:1::/64 (global, from ra)
  ADDRESS                           MAC                VENDOR                   SEEN BY
  2001:db8:1:0:ba27:ebff:fe89:bc51  b8:27:eb:89:bc:51  Raspberry Pi Foundation  echo     (eui64)
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
            "router": false,
            "self": false,
            "stale": false,
            "seen_by": ["echo", "ndp"],
            "rtt_ms": 0.412,
            "iid": "eui64"
        })
    );
    assert_eq!(ll["hosts"][1]["private_mac"], true);
    assert_eq!(ll["hosts"][1]["vendor"], serde_json::Value::Null);
    assert_eq!(iface["prefixes"][1]["source"], "ra");
    assert_eq!(
        v["stats"],
        serde_json::json!({"probes_sent": 12, "replies": 7, "malformed": 1, "dropped_over_limit": 0})
    );
}

#[test]
fn summary_counts_distinct_hosts() {
    assert_eq!(
        summary(&fixture::report()),
        "3 hosts on 1 interface in 0.92 s"
    );
}

fn dual(format: Format) -> String {
    let mut out = Vec::new();
    render(&fixture::dual_stack_report(), format, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn dual_stack_table_shows_ipv4_open_ports_and_ipv4_only_hosts() {
    let t = dual(Format::Table);
    let norm = |s: &str| s.lines().map(str::trim_end).collect::<Vec<_>>().join("\n");
    let want = "\
eth0  fe80::/64 (link-local, from interface)
  ADDRESS                         MAC                VENDOR                   IPV4        OPEN  SEEN BY
  fe80::1%eth0                    00:24:a5:f1:07:ca  Buffalo.Inc              192.0.2.1         echo, ra            (router)
  fe80::4aa2:12ff:fec2:16df%eth0  4a:a2:12:c2:16:df  (private MAC)            -                 param-problem, ndp
  fe80::ba27:ebff:fe89:bc51%eth0  b8:27:eb:89:bc:51  Raspberry Pi Foundation  192.0.2.10  ssh   echo, ndp
eth0  2001:db8:1::/64 (global, from ra)
  ADDRESS                           MAC                VENDOR                   IPV4        OPEN  SEEN BY
  2001:db8:1:0:ba27:ebff:fe89:bc51  b8:27:eb:89:bc:51  Raspberry Pi Foundation  192.0.2.10  ssh   echo     (eui64)
eth0  IPv4 only (no IPv6 answer)
  IPV4        MAC                VENDOR
  192.0.2.77  00:00:48:12:34:56  Seiko Epson Corporation
4 hosts on 1 interface in 0.92 s";
    assert_eq!(norm(&t), norm(want), "got:\n{t}");
}

#[test]
fn dual_stack_plain_and_json() {
    let p = dual(Format::Plain { header: false });
    assert!(p.contains("fe80::ba27:ebff:fe89:bc51%eth0 b8:27:eb:89:bc:51 echo,ndp - 192.0.2.10 22 Raspberry Pi Foundation\n"), "{p}");
    assert!(p.contains("fe80::4aa2:12ff:fec2:16df%eth0 4a:a2:12:c2:16:df param-problem,ndp - - - (private MAC)\n"), "{p}");
    assert!(p.ends_with("eth0 ipv4-only 192.0.2.77 00:00:48:12:34:56 arp ipv4-only 192.0.2.77 - Seiko Epson Corporation\n"), "{p}");
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
