use super::*;

fn state(topic: &str, payload: &str) -> Message {
    Message::retained(topic.into(), payload)
}

#[test]
fn a_newer_state_replaces_the_older_one_while_the_broker_is_away() {
    let mut o = Outbox::default();
    for i in 0..1000 {
        assert!(!o.take(state("v6scout/a/eth0/m", &format!("{i}"))));
    }
    assert_eq!(o.retained.len(), 1);
    assert_eq!(o.retained["v6scout/a/eth0/m"], b"999");
    assert_eq!(o.dirty.len(), 1);
}

#[test]
fn other_messages_wait_up_to_a_bound_oldest_dropped_first() {
    let mut o = Outbox::default();
    let dropped = (0..HELD + 10)
        .filter(|i| o.take(Message::transient("e".into(), format!("{i}"))))
        .count();
    assert_eq!(dropped, 10);
    assert_eq!(o.held.len(), HELD);
    assert_eq!(o.held.front().unwrap().payload, b"10");
}

#[test]
fn cleared_topics_are_remembered_up_to_a_bound() {
    let mut o = Outbox::default();
    for i in 0..CLEARED + 5 {
        o.take(state(&format!("t{i}"), ""));
    }
    assert_eq!(o.retained.len(), CLEARED);
    assert!(!o.retained.contains_key("t0"));
    // A topic published again after its clear is not forgotten with the clear.
    let mut o = Outbox::default();
    o.take(state("t", ""));
    o.take(state("t", "back"));
    for i in 0..CLEARED {
        o.take(state(&format!("x{i}"), ""));
    }
    assert_eq!(o.retained["t"], b"back");
}

#[test]
fn a_refused_login_says_what_to_check() {
    use super::super::driver::reason;
    use rumqttc::{ConnectReturnCode, ConnectionError};
    let e = ConnectionError::ConnectionRefused(ConnectReturnCode::BadUserNamePassword);
    assert!(
        reason(&e).contains("--mqtt-password-file"),
        "{}",
        reason(&e)
    );
    let big = ConnectionError::MqttState(rumqttc::StateError::Deserialization(
        rumqttc::Error::PayloadSizeLimitExceeded(70_021),
    ));
    assert!(reason(&big).contains("max_packet_size"), "{}", reason(&big));
    let io = std::io::Error::from_raw_os_error(libc::ECONNREFUSED);
    let r = reason(&ConnectionError::Io(io));
    assert!(!r.contains("os error"), "{r}");
}
