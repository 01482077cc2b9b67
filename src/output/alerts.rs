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
#[path = "alerts_tests.rs"]
mod tests;
