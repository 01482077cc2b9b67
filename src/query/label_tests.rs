use super::*;

#[test]
fn a_word_is_a_label_as_written() {
    for ok in [
        "kitchen-pi",
        "Kitchen_Pi.2",
        "nas",
        "büro-drucker",
        "tv.lan",
    ] {
        assert_eq!(check_label(ok).as_deref(), Ok(ok), "{ok}");
    }
    let longest = "x".repeat(MAX_LABEL_CHARS);
    assert_eq!(check_label(&longest), Ok(longest.clone()));
    // Characters, not bytes: 64 two-byte letters still fit.
    let wide = "ü".repeat(MAX_LABEL_CHARS);
    assert!(check_label(&wide).is_ok());
}

#[test]
fn empty_long_and_spaced_labels_are_refused_with_the_reason() {
    let why = |s: &str| check_label(s).unwrap_err().to_string();
    assert!(why("").contains("cannot be empty"), "{}", why(""));
    assert!(why("   ").contains("cannot be empty"));
    let long = why(&"x".repeat(MAX_LABEL_CHARS + 1));
    assert!(
        long.contains("65 characters") && long.contains("at most 64"),
        "{long}"
    );
    assert!(why("living room").contains("not one word"));
    assert!(why("tab\there").contains("not one word"));
    assert!(why("bell\u{7}").contains("not one word"));
    assert!(why("pi@home").contains("'@'"));
}

#[test]
fn what_a_query_reads_otherwise_is_no_label() {
    let why = |s: &str| check_label(s).unwrap_err().to_string();
    assert!(why("b8:27:eb:89:bc:51").contains("read as a MAC,"));
    assert!(
        why("decade").contains("read as a MAC prefix"),
        "{}",
        why("decade")
    );
    assert!(why("b827eb").contains("MAC prefix"));
    assert!(why("fe80::1").contains("an address"));
    assert!(why("fe80::1%eth0").contains("an address"));
    assert!(why("2001:db8::/64").contains("a prefix"));
    assert!(why("192.0.2.7").contains("IPv4"));
    assert!(why("b8:27").contains("malformed"));
    assert!(why("a/b").contains("malformed"));
    // And every accepted label reads back as the word it is.
    for ok in ["kitchen-pi", "decadent", "cafe-babe"] {
        let l = check_label(ok).unwrap();
        assert_eq!(l.parse::<Query>(), Ok(Query::Word(l.clone())));
    }
}
