use super::*;

#[test]
fn ages() {
    assert_eq!(parse_age("30d"), Ok(Duration::from_secs(30 * 86_400)));
    assert_eq!(parse_age("12h"), Ok(Duration::from_secs(12 * 3600)));
    assert_eq!(parse_age("1w"), Ok(Duration::from_secs(7 * 86_400)));
    assert!(parse_age("soon").is_err());
    assert!(parse_age("500ms").is_err());
    assert!(parse_age("20years").is_err());
}

#[test]
fn places() {
    assert_eq!(place(None, false), InventoryPlace::Default);
    assert_eq!(place(None, true), InventoryPlace::Off);
    let p = PathBuf::from("/tmp/x.sqlite3");
    assert_eq!(place(Some(&p), false), InventoryPlace::Path(p));
}
