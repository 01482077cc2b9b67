use super::{check_listen, local_clock};
use crate::config::MetricsListen;
use jiff::tz::{Offset, TimeZone};
use std::time::{Duration, SystemTime};

/// 2023-11-14T22:13:20Z.
fn t() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

#[test]
fn clock_in_utc_and_fixed_offsets() {
    assert_eq!(local_clock(t(), Some(&TimeZone::UTC)), "22:13:20");
    let plus2 = TimeZone::fixed(Offset::constant(2));
    assert_eq!(local_clock(t(), Some(&plus2)), "00:13:20");
    let india = TimeZone::fixed(Offset::from_seconds(5 * 3600 + 1800).unwrap());
    assert_eq!(local_clock(t(), Some(&india)), "03:43:20");
    let minus5 = TimeZone::fixed(Offset::constant(-5));
    assert_eq!(local_clock(t(), Some(&minus5)), "17:13:20");
}

#[test]
fn clock_follows_daylight_saving_rules() {
    let cet = TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
    // November: standard time, UTC+1.
    assert_eq!(local_clock(t(), Some(&cet)), "23:13:20");
    // 2023-07-01T12:00:00Z: summer time, UTC+2.
    let july = SystemTime::UNIX_EPOCH + Duration::from_secs(1_688_212_800);
    assert_eq!(local_clock(july, Some(&cet)), "14:00:00");
}

#[test]
fn a_wildcard_metrics_address_needs_public() {
    let at = |a: &str, public: bool| {
        check_listen(MetricsListen {
            addr: a.parse().unwrap(),
            public,
        })
    };
    assert!(at("[::1]:9469", false).is_ok());
    assert!(at("127.0.0.1:9469", false).is_ok());
    assert!(at("[2001:db8::1]:9469", false).is_ok());
    let e = at("[::]:9469", false).unwrap_err().to_string();
    assert!(e.contains("--metrics-public"), "{e}");
    assert!(at("0.0.0.0:9469", false).is_err());
    assert!(at("[::]:9469", true).is_ok());
    assert!(at("0.0.0.0:9469", true).is_ok());
}

#[test]
fn clock_without_a_zone_is_utc_and_says_so() {
    assert_eq!(local_clock(t(), None), "2023-11-14T22:13:20Z");
}
