use super::*;

fn ids(v: &[(&str, u32)]) -> Vec<IfaceId> {
    v.iter().map(|(n, i)| ((*n).to_owned(), *i)).collect()
}

#[test]
fn follows_every_interface_or_the_named_ones() {
    let usable = ids(&[("eth0", 2), ("usb0", 7)]);
    assert_eq!(followed(usable.clone(), &[]), usable);
    assert_eq!(
        followed(usable, &["usb0".into(), "wlan0".into()]),
        ids(&[("usb0", 7)])
    );
}

#[test]
fn the_link_failures_of_a_gone_interface_are_not_warnings_too() {
    let sent = |i: &str| Warning::NoProbeSent {
        interface: i.into(),
        why: "No such device: the interface is gone".into(),
    };
    let other = Warning::NeighCache {
        why: "refused".into(),
    };
    let stopped = Warning::WorkerStopped {
        interface: "eth1".into(),
    };
    let ws = vec![sent("eth1"), other.clone(), sent("eth0"), stopped.clone()];
    assert_eq!(failed_links(&ws), ["eth0", "eth1"]);
    assert_eq!(
        failed_links(std::slice::from_ref(&other)),
        Vec::<String>::new()
    );
    assert_eq!(
        without_links_of(ws, &["eth1".into()]),
        [other, sent("eth0")]
    );
}
