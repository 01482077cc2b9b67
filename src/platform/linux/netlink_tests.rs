use super::*;

fn msg(state: NeighbourState, addr: &str, mac: &[u8]) -> NeighbourMessage {
    let mut m = NeighbourMessage::default();
    m.header.family = AddressFamily::Inet6;
    m.header.ifindex = 3;
    m.header.state = state;
    m.attributes = vec![
        NeighbourAttribute::Destination(NeighbourAddress::Inet6(addr.parse().unwrap())),
        NeighbourAttribute::LinkLayerAddress(mac.to_vec()),
    ];
    m
}

#[test]
fn keeps_real_neighbours() {
    let mut m = msg(
        NeighbourState::Stale,
        "fe80::1",
        &[0xb8, 0x27, 0xeb, 1, 2, 3],
    );
    m.header.flags = NeighbourFlags::Router;
    let e = entry_from(&m).unwrap();
    assert_eq!(e.ifindex, 3);
    assert_eq!(e.state, NeighState::Stale);
    assert_eq!(e.mac, Some(Mac([0xb8, 0x27, 0xeb, 1, 2, 3])));
    assert!(e.router);
}

#[test]
fn ipv4_entries_only_when_recently_confirmed() {
    let mut m = NeighbourMessage::default();
    m.header.family = AddressFamily::Inet;
    m.header.ifindex = 3;
    m.header.state = NeighbourState::Reachable;
    m.attributes = vec![
        NeighbourAttribute::Destination(NeighbourAddress::Inet("192.0.2.10".parse().unwrap())),
        NeighbourAttribute::LinkLayerAddress(vec![0xb8, 0x27, 0xeb, 1, 2, 3]),
    ];
    let e = ipv4_entry_from(&m).unwrap();
    assert_eq!(
        (e.ifindex, e.addr.to_string(), e.mac),
        (3, "192.0.2.10".into(), Mac([0xb8, 0x27, 0xeb, 1, 2, 3]))
    );
    m.header.state = NeighbourState::Stale;
    assert!(
        ipv4_entry_from(&m).is_none(),
        "a stale ARP entry may be a lost address"
    );
    m.header.state = NeighbourState::Permanent;
    m.attributes[0] =
        NeighbourAttribute::Destination(NeighbourAddress::Inet("255.255.255.255".parse().unwrap()));
    assert!(ipv4_entry_from(&m).is_none());
    assert!(
        entry_from(&m).is_none(),
        "IPv4 entries never reach the IPv6 table"
    );
}

#[test]
fn drops_entries_that_are_not_neighbours() {
    let mac = [2, 0, 0, 0, 0, 1];
    assert!(entry_from(&msg(NeighbourState::Failed, "fe80::1", &mac)).is_none());
    assert!(entry_from(&msg(NeighbourState::Incomplete, "fe80::1", &mac)).is_none());
    assert!(entry_from(&msg(NeighbourState::Noarp, "fe80::1", &mac)).is_none());
    assert!(entry_from(&msg(NeighbourState::Reachable, "ff02::1", &mac)).is_none());
    assert!(entry_from(&msg(
        NeighbourState::Reachable,
        "fe80::1",
        &[0x33, 0x33, 0, 0, 0, 1]
    ))
    .is_none());
    assert!(entry_from(&msg(NeighbourState::Reachable, "fe80::1", &[1, 2])).is_none());
}
