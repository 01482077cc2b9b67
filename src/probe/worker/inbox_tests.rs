use super::*;

fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

#[test]
fn pushed_addresses_are_taken_once_in_order() {
    let inbox = Inbox::new();
    let feeder = inbox.clone();
    feeder.push([a("fe80::2"), a("fe80::1")]);
    feeder.push([a("fe80::3")]);
    assert!(inbox.awaiting(), "pushed and not taken");
    assert_eq!(inbox.take(), [a("fe80::2"), a("fe80::1"), a("fe80::3")]);
    assert!(inbox.take().is_empty());
    assert!(!inbox.awaiting());
}

#[test]
fn a_promise_is_awaited_until_dropped() {
    let inbox = Inbox::new();
    let one = inbox.expect();
    let two = inbox.clone().expect();
    assert!(inbox.awaiting());
    drop(one);
    assert!(inbox.awaiting(), "one feeder is still at it");
    drop(two);
    assert!(!inbox.awaiting());
}

#[test]
fn a_feeder_that_panics_takes_its_promise_back() {
    let inbox = Inbox::new();
    let feeder = inbox.clone();
    let r = std::thread::spawn(move || {
        let _word = feeder.expect();
        panic!("the inventory's thread failed");
    })
    .join();
    assert!(r.is_err());
    assert!(!inbox.awaiting());
}

#[test]
fn a_closed_inbox_drops_what_comes() {
    let inbox = Inbox::new();
    inbox.push([a("fe80::1")]);
    inbox.close();
    assert!(inbox.is_closed());
    inbox.push([a("fe80::2")]);
    assert!(inbox.take().is_empty());
    assert!(!inbox.awaiting());
}
