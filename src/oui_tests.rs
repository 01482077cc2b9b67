use super::*;

#[test]
fn arrays_strictly_ascending_and_consistent() {
    assert!(table::MA_L.windows(2).all(|w| w[0] < w[1]), "MA_L");
    assert!(table::MA_M.windows(2).all(|w| w[0] < w[1]), "MA_M");
    assert!(table::MA_S.windows(2).all(|w| w[0] < w[1]), "MA_S");
    assert_eq!(table::MA_L.len(), table::MA_L_NAME.len());
    assert_eq!(table::MA_M.len(), table::MA_M_NAME.len());
    assert_eq!(table::MA_S.len(), table::MA_S_NAME.len());
    assert!(table::MA_L.iter().all(|&v| v < 1 << 24));
    assert!(table::MA_M.iter().all(|&v| v < 1 << 28));
    assert!(table::MA_S.iter().all(|&v| v < 1 << 36));
    assert!(
        table::NAME_START.windows(2).all(|w| w[0] < w[1]),
        "names non-empty"
    );
    assert_eq!(
        table::NAME_START.last().map(|&e| e as usize),
        Some(table::NAMES.len())
    );
}

#[test]
fn table_is_big_and_dated() {
    assert!(table_len() >= 50_000, "{}", table_len());
    assert_eq!(entries().len(), table_len());
    let d = table_date();
    assert!(d.len() == 10 && d.starts_with("20"), "{d}");
}

#[test]
fn prefix_display_and_matches() {
    let mac = Mac([0x70, 0xb3, 0xd5, 0x44, 0xd1, 0x23]);
    let p = lookup_prefix(mac).expect("70:b3:d5:44:d is assigned");
    assert_eq!((p.bits, p.value), (36, 0x70b3d544d));
    assert_eq!(p.to_string(), "70:b3:d5:44:d");
    assert!(p.matches(mac) && !p.matches(Mac([0x70, 0xb3, 0xd5, 0x44, 0xe1, 0x23])));
    let m = OuiPrefix {
        bits: 28,
        value: 0x70b3d54,
        vendor: "x",
    };
    assert_eq!(m.to_string(), "70:b3:d5:4");
    let l = OuiPrefix {
        bits: 24,
        value: 0x0050c2,
        vendor: "x",
    };
    assert_eq!(l.to_string(), "00:50:c2");
    assert_eq!(format!("{:<10}|", l), "00:50:c2  |");
}

#[test]
fn vendor_display_and_accessors() {
    assert_eq!(Vendor::Known("Acme").to_string(), "Acme");
    assert_eq!(Vendor::Private.to_string(), "(private MAC)");
    assert_eq!(Vendor::Multicast.to_string(), "(multicast)");
    assert_eq!(Vendor::Unknown.to_string(), "");
    assert_eq!(Vendor::Known("Acme").name(), Some("Acme"));
    assert_eq!(Vendor::Private.name(), None);
    assert!(Vendor::Private.is_private() && !Vendor::Unknown.is_private());
}
