use super::*;
use crate::mac::Mac;
use crate::report::AlertKind;

fn alerts() -> Vec<Alert> {
    vec![
        Alert {
            kind: AlertKind::DuplicateAddress,
            addresses: vec!["2001:db8::5".parse().unwrap()],
            macs: vec![Mac([2, 0, 0, 0, 0, 0xa]), Mac([2, 0, 0, 0, 0, 0xb])],
            message: "2001:db8::5 is claimed by 2 MACs".into(),
        },
        Alert {
            kind: AlertKind::Proxy,
            addresses: vec![],
            macs: vec![Mac([2, 0, 0, 0, 0, 0xa])],
            message: "many".into(),
        },
    ]
}

#[test]
fn table_block() {
    assert_eq!(
        table_lines("eth0", &alerts(), "", ""),
        [
            "eth0  alerts",
            " duplicate-address  2001:db8::5 is claimed by 2 MACs",
            " proxy              many",
        ]
    );
    assert!(table_lines("eth0", &[], "", "").is_empty());
}

#[test]
fn json_entry() {
    let v = serde_json::to_value(json(&alerts()[0])).unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "kind": "duplicate-address",
            "addresses": ["2001:db8::5"],
            "macs": ["02:00:00:00:00:0a", "02:00:00:00:00:0b"],
            "message": "2001:db8::5 is claimed by 2 MACs",
        })
    );
}
