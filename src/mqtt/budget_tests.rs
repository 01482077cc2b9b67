use super::*;

#[test]
fn an_interface_adds_its_share_per_hour_and_all_sites_the_total() {
    let mut b = NewDevices::default();
    assert_eq!(b.allowance("a", "eth0", 7), PER_IFACE);
    b.spend("a", "eth0", PER_IFACE);
    assert_eq!(b.allowance("a", "eth0", 7), 0);
    assert_eq!(
        b.allowance("a", "eth1", 7),
        PER_IFACE,
        "another interface has its own"
    );
    for i in 0..3 {
        let site = format!("s{i}");
        let n = b.allowance(&site, "eth0", 7);
        b.spend(&site, "eth0", n);
    }
    assert_eq!(b.allowance("z", "eth0", 7), 0, "the total is spent");
    // The next hour starts afresh.
    assert_eq!(b.allowance("a", "eth0", 8), PER_IFACE);
}

#[test]
fn only_what_was_added_is_remembered() {
    let mut b = NewDevices::default();
    for i in 0..10_000 {
        b.allowance(&format!("s{i}"), "eth0", 1);
        b.spend(&format!("s{i}"), "eth0", 0);
    }
    assert!(b.spent.is_empty());
}
