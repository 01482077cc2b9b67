use super::width_from;

#[test]
fn columns_wins_over_the_terminal() {
    assert_eq!(width_from(Some("120"), || Some(80)), Some(120));
    assert_eq!(width_from(Some("40"), || None), Some(40));
}

#[test]
fn columns_zero_means_no_limit() {
    assert_eq!(width_from(Some("0"), || Some(80)), None);
}

#[test]
fn columns_not_a_width_falls_back_to_the_terminal() {
    for bad in ["", "abc", "-5", "80x", " 80", "70000"] {
        assert_eq!(width_from(Some(bad), || Some(80)), Some(80), "{bad:?}");
    }
    assert_eq!(width_from(None, || Some(80)), Some(80));
    assert_eq!(width_from(None, || None), None);
    assert_eq!(width_from(None, || Some(0)), None);
}

#[test]
fn the_terminal_is_not_asked_when_columns_decides() {
    let asked = std::cell::Cell::new(false);
    let ask = || {
        asked.set(true);
        Some(80)
    };
    assert_eq!(width_from(Some("100"), ask), Some(100));
    assert!(!asked.get());
}
