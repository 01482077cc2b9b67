use super::*;

fn url(s: &str) -> BrokerUrl {
    s.parse().unwrap()
}

#[test]
fn urls_with_and_without_user_port_and_tls() {
    let u = url("mqtt://broker.lan");
    assert_eq!(
        (u.tls, u.host.as_str(), u.port, u.user, u.password),
        (false, "broker.lan", 1883, None, None)
    );
    let u = url("mqtts://v6scout:s%40cret@broker.lan:8884/");
    assert!(u.tls);
    assert_eq!(u.port, 8884);
    assert_eq!(u.user.as_deref(), Some("v6scout"));
    assert_eq!(u.password.as_deref(), Some("s@cret"));
    let u = url("mqtts://[2001:db8::1]");
    assert_eq!((u.host.as_str(), u.port), ("2001:db8::1", 8883));
    let u = url("mqtt://me@[::1]:1884");
    assert_eq!(
        (u.host.as_str(), u.port, u.user.as_deref()),
        ("::1", 1884, Some("me"))
    );
}

#[test]
fn the_password_never_shows() {
    let u = url("mqtt://v6scout:hunter2@127.0.0.1:1883");
    assert_eq!(u.to_string(), "mqtt://v6scout@127.0.0.1:1883");
    assert!(!format!("{u:?}").contains("hunter2"));
    let e = "http://v6scout:hunter2@x".parse::<BrokerUrl>().unwrap_err();
    assert!(!e.to_string().contains("hunter2"), "{e}");
    assert!(e.to_string().contains("mqtt://"), "{e}");
    assert_eq!(url("mqtt://[::1]:1883").to_string(), "mqtt://[::1]:1883");
}

#[test]
fn what_is_not_a_broker_url_is_refused_with_the_form_to_use() {
    for bad in [
        "broker.lan",
        "http://broker.lan",
        "mqtt://",
        "mqtt://host:0",
        "mqtt://host:99999",
        "mqtt://host:x",
        "mqtt://host/topic",
        "mqtt://::1",
        "mqtt://[::1",
        "mqtt://u:%zz@host",
    ] {
        let e = bad.parse::<BrokerUrl>().unwrap_err();
        assert!(e.to_string().contains("mqtt://"), "{bad}: {e}");
    }
}
