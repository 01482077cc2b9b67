//! The embedded OUI table against known IEEE assignments.
#![allow(clippy::unwrap_used)]

use v6scout::mac::Mac;
use v6scout::oui::{entries, find_vendor, lookup, lookup_prefix, table_len, OuiPrefix, Vendor};

fn mac(s: &str) -> Mac {
    s.parse().unwrap()
}

/// The lowest address in the prefix's block.
fn first_mac(p: &OuiPrefix) -> Mac {
    let v = p.value << (48 - p.bits);
    Mac(v.to_be_bytes()[2..].try_into().unwrap())
}

fn vendor(s: &str) -> Vendor {
    lookup(mac(s))
}

#[test]
fn raspberry_pi() {
    assert_eq!(
        vendor("2c:cf:67:12:34:56"),
        Vendor::Known("Raspberry Pi (Trading) Ltd")
    );
    assert_eq!(
        vendor("b8:27:eb:89:bc:51"),
        Vendor::Known("Raspberry Pi Foundation")
    );
    assert_eq!(
        vendor("dc:a6:32:00:00:01"),
        Vendor::Known("Raspberry Pi Trading Ltd")
    );
}

#[test]
fn ma_l() {
    assert_eq!(
        vendor("00:00:00:12:34:56"),
        Vendor::Known("XEROX CORPORATION")
    );
    assert_eq!(vendor("00:24:a5:f1:07:ca"), Vendor::Known("BUFFALO.INC"));
    let p = lookup_prefix(mac("00:24:a5:f1:07:ca")).unwrap();
    assert_eq!((p.bits, p.to_string()), (24, "00:24:a5".to_string()));
}

#[test]
fn ma_m_child_of_ieee_block() {
    // 00:55:da is an MA-L of the IEEE Registration Authority, split into MA-M blocks.
    assert_eq!(lookup_prefix(mac("00:55:da:00:00:00")).unwrap().bits, 28);
    assert_eq!(
        vendor("00:55:da:0a:bc:de"),
        Vendor::Known("Shinko Technos co.,ltd.")
    );
    assert_eq!(vendor("00:55:da:1f:ff:ff"), Vendor::Known("KoolPOS Inc."));
    let pi = lookup_prefix(mac("f0:40:af:9a:00:01")).unwrap();
    assert_eq!((pi.bits, pi.vendor), (28, "Raspberry Pi (Trading) Ltd"));
    assert_eq!(pi.to_string(), "f0:40:af:9");
}

#[test]
fn ma_s_child_of_ieee_block() {
    let parent = "IEEE Registration Authority";
    let p = lookup_prefix(mac("70:b3:d5:00:00:00")).unwrap();
    assert_eq!(
        (p.bits, p.vendor),
        (24, parent),
        "unassigned MA-S slot falls back to the parent"
    );
    for low in ["44:d0:00", "44:d1:23", "44:df:ff"] {
        let v = vendor(&format!("70:b3:d5:{low}"));
        assert_eq!(v, Vendor::Known("Vessel Technology Ltd"), "{low}");
    }
    assert_ne!(
        vendor("70:b3:d5:44:e0:00"),
        Vendor::Known("Vessel Technology Ltd")
    );
    assert_eq!(
        vendor("8c:1f:64:34:a0:01"),
        Vendor::Known("Raspberry Pi (Trading) Ltd")
    );
}

#[test]
fn iab() {
    assert_eq!(vendor("00:50:c2:f7:1a:bc"), Vendor::Known("RF Code"));
    assert_eq!(
        vendor("40:d8:55:0d:70:00"),
        Vendor::Known("Avant Technologies")
    );
    assert_eq!(lookup_prefix(mac("40:d8:55:0d:7f:ff")).unwrap().bits, 36);
}

#[test]
fn utf8_names_intact() {
    assert_eq!(
        vendor("00:03:5f:00:00:01"),
        Vendor::Known("Prüftechnik Condition Monitoring GmbH & Co. KG")
    );
    assert_eq!(
        vendor("04:20:8a:00:00:01"),
        Vendor::Known("浙江路川科技有限公司")
    );
    assert_eq!(vendor("00:1b:c5:04:60:00"), Vendor::Known("GÉANT"));
    assert_eq!(
        vendor("00:55:da:7f:00:00"),
        Vendor::Known("LUCISTECHNOLOGIES（SHANGHAI）CO.,LTD")
    );
}

#[test]
fn private_multicast_unknown() {
    // Locally administered: never a vendor, even where a historic MA-L (02:60:8c, 3Com) matches.
    assert_eq!(vendor("4a:a2:12:c2:16:df"), Vendor::Private);
    assert_eq!(vendor("02:60:8c:00:00:01"), Vendor::Private);
    assert!(lookup_prefix(mac("02:60:8c:00:00:01")).is_some());
    assert_eq!(vendor("ba:27:eb:89:bc:51"), Vendor::Private);
    assert_eq!(vendor("33:33:00:00:00:01"), Vendor::Multicast);
    assert_eq!(vendor("01:00:5e:00:00:fb"), Vendor::Multicast);
    assert_eq!(vendor("ff:ff:ff:ff:ff:ff"), Vendor::Multicast);
    assert_eq!(vendor("04:05:04:00:00:01"), Vendor::Unknown);
    assert_eq!(vendor("04:05:04:00:00:01").to_string(), "");
}

#[test]
fn find_vendor_raspberry() {
    let found: Vec<String> = find_vendor("raspberry")
        .iter()
        .map(|p| p.to_string())
        .collect();
    for want in [
        "b8:27:eb",
        "dc:a6:32",
        "2c:cf:67",
        "e4:5f:01",
        "d8:3a:dd",
        "f0:40:af:9",
        "8c:1f:64:34:a",
    ] {
        assert!(
            found.iter().any(|f| f == want),
            "{want} missing from {found:?}"
        );
    }
    assert!(found.len() >= 8 && found.len() < 30, "{found:?}");
    assert_eq!(find_vendor("RASPBERRY PI").len(), found.len());
    for p in find_vendor("raspberry") {
        assert!(p.vendor.to_lowercase().contains("raspberry"));
        assert!(p.matches(first_mac(&p)));
    }
    assert!(find_vendor("").is_empty());
    assert!(find_vendor("prüftechnik")
        .iter()
        .any(|p| p.to_string() == "00:03:5f"));
    assert!(find_vendor("no such vendor, surely").is_empty());
}

#[test]
fn table_sorted_unique_complete() {
    let all = entries();
    assert_eq!(all.len(), table_len());
    assert!(all.len() >= 50_000, "{}", all.len());
    let key = |p: &OuiPrefix| (p.value << (36 - p.bits), p.bits);
    assert!(
        all.windows(2).all(|w| key(&w[0]) < key(&w[1])),
        "sorted, no duplicates"
    );
    let count = |bits| all.iter().filter(|p| p.bits == bits).count();
    assert!(count(24) > 35_000 && count(28) > 5_000 && count(36) > 10_000);
    // Every entry is found by a lookup of an address inside it (longest match wins).
    for p in all.iter().step_by(97) {
        let m = first_mac(p);
        assert!(lookup_prefix(m).unwrap().bits >= p.bits);
        assert!(p.matches(m), "{p}");
    }
}
