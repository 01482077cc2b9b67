use super::*;

const PI: Mac = Mac([0xb8, 0x27, 0xeb, 0x89, 0xbc, 0x51]);
const NAS: Mac = Mac([0x00, 0x11, 0x32, 0, 0, 1]);

fn labels() -> Labels {
    Labels::from_iter([(PI, "Kitchen-Pi".to_string()), (NAS, "nas".to_string())])
}

#[test]
fn labels_are_found_by_mac_and_by_label_ignoring_case() {
    let l = labels();
    assert_eq!(l.get(PI), Some("Kitchen-Pi"));
    assert_eq!(l.get(Mac([2, 0, 0, 0, 0, 1])), None);
    assert_eq!(l.holder("kitchen-pi"), Some(PI));
    assert_eq!(l.holder("KITCHEN-PI"), Some(PI));
    assert_eq!(l.holder("kitchen"), None, "whole labels only");
    assert!(!l.is_empty() && Labels::default().is_empty());
    assert_eq!(fold_label("Büro-NAS"), "büro-nas");
}

#[test]
fn every_row_of_a_labelled_mac_takes_its_label_first_among_its_names() {
    let mut iface = IfaceReport::new("eth0", 2, None);
    let mut pi = HostRow::new("fe80::1".parse().unwrap(), "eth0", Some(PI));
    pi.names = vec!["rpi.local".into()];
    let pi_global = HostRow::new("2001:db8::1".parse().unwrap(), "eth0", Some(PI));
    let mut no_mac = HostRow::new("fe80::2".parse().unwrap(), "eth0", None);
    no_mac.label = Some("stale".into());
    iface.prefixes.push(PrefixGroup {
        prefix: Ipv6Prefix::new("fe80::".parse().unwrap(), 64),
        source: PrefixSource::Interface,
        hosts: vec![pi, pi_global, no_mac],
    });
    let mut r = Report {
        started: SystemTime::UNIX_EPOCH,
        duration: Duration::ZERO,
        interfaces: vec![iface],
        stats: ScanStats::default(),
        ports_checked: None,
    };
    r.set_labels(&labels());
    let rows = &r.interfaces[0].prefixes[0].hosts;
    assert_eq!(rows[0].label.as_deref(), Some("Kitchen-Pi"));
    assert_eq!(
        rows[0].shown_names().collect::<Vec<_>>(),
        ["Kitchen-Pi", "rpi.local"]
    );
    assert_eq!(rows[1].shown_names().collect::<Vec<_>>(), ["Kitchen-Pi"]);
    assert_eq!(rows[2].label, None, "no MAC, no label");
    r.set_labels(&Labels::default());
    assert!(r.interfaces[0].prefixes[0]
        .hosts
        .iter()
        .all(|h| h.label.is_none()));
}
