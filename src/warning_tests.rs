use super::*;
use std::collections::HashSet;

#[test]
fn codes_are_stripped() {
    assert_eq!(
        strip_os_codes("opening: No such device (os error 19)"),
        "opening: No such device"
    );
    assert_eq!(strip_os_codes("a (os error 1): b (os error 22)"), "a: b");
    assert_eq!(strip_os_codes("a (os error x)"), "a (os error x)");
    assert_eq!(strip_os_codes("nothing here"), "nothing here");
}

#[test]
fn reasons_say_what_happened_to_the_interface() {
    let gone = io::Error::from_raw_os_error(libc::ENODEV);
    assert_eq!(io_reason(&gone), "No such device: the interface is gone");
    let down = io::Error::from_raw_os_error(libc::ENETDOWN);
    assert!(io_reason(&down).ends_with("the interface is down"));
    let other = io::Error::other("custom");
    assert_eq!(io_reason(&other), "custom");
}

#[test]
fn texts_name_the_interface_and_the_fix() {
    let w = Warning::NoProbeSent {
        interface: "eth0".into(),
        why: "No such device: the interface is gone".into(),
    };
    assert_eq!(
        w.to_string(),
        "eth0: no probe could be sent (No such device: the interface is gone)"
    );
    let w = Warning::OverLimit {
        dropped: 7,
        max_hosts: 100,
    };
    assert_eq!(
        w.to_string(),
        "dropped 7 answers from addresses over --max-hosts 100 (a flood, or raise the limit)"
    );
    assert!(Warning::WorkerStopped {
        interface: "wlan0".into()
    }
    .to_string()
    .starts_with("wlan0: the probe worker stopped unexpectedly"));
}

#[test]
fn equal_warnings_are_one_value() {
    let a = || Warning::NeighCache { why: "busy".into() };
    let set: HashSet<Warning> = [a(), a(), Warning::NeighCache { why: "gone".into() }].into();
    assert_eq!(set.len(), 2);
}
