//! The link-health alerts of an interface: the table's short block and the JSON entries
//! of `interfaces[].alerts[]`.

use crate::report::Alert;
use serde::Serialize;

/// One alert in JSON.
#[derive(Serialize)]
pub struct JsonAlert {
    /// `duplicate-address`, `anycast`, `rogue-router`, `new-router`, `mac-change`,
    /// `router-flag` or `proxy`.
    pub kind: &'static str,
    /// The addresses involved.
    pub addresses: Vec<String>,
    /// The MACs involved.
    pub macs: Vec<String>,
    /// One line of explanation.
    pub message: String,
}

/// The JSON entry of an alert.
pub fn json(a: &Alert) -> JsonAlert {
    JsonAlert {
        kind: a.kind.as_str(),
        addresses: a.addresses.iter().map(|x| x.to_string()).collect(),
        macs: a.macs.iter().map(|m| m.to_string()).collect(),
        message: a.message.clone(),
    }
}

/// The table's "alerts" block of interface `iface`: a heading and one line per alert,
/// kinds aligned; empty when there are none.
pub fn table_lines(iface: &str, alerts: &[Alert], bold: &str, reset: &str) -> Vec<String> {
    if alerts.is_empty() {
        return Vec::new();
    }
    let w = alerts
        .iter()
        .map(|a| a.kind.as_str().len())
        .max()
        .unwrap_or(0);
    let mut out = vec![format!("{bold}{iface}  alerts{reset}")];
    out.extend(
        alerts
            .iter()
            .map(|a| format!(" {:<w$}  {}", a.kind.as_str(), a.message)),
    );
    out
}

#[cfg(test)]
mod tests {
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
}
