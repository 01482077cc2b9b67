//! What each router advertises, as people read it: the lines of the "routers" section of
//! the table, and the JSON entries of `interfaces[].routers[]`.

use crate::model::Ipv6Prefix;
use crate::oui;
use crate::router::{Advert, Router, INFINITE};
use serde::Serialize;

/// A lifetime in whole units, exact: `forever`, `2 d`, `4 h`, `30 min`, `45 s`.
pub fn lifetime(secs: u32) -> String {
    match secs {
        INFINITE => "forever".to_string(),
        0 => "0 s".to_string(),
        s if s % 86_400 == 0 => format!("{} d", s / 86_400),
        s if s % 3_600 == 0 => format!("{} h", s / 3_600),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// The one-line description of a router: default-router lifetime and preference (or
/// "not a default router"), flags, hop limit and MTU when set.
pub fn headline(a: &Advert) -> String {
    let mut parts = vec![if a.is_default_router() {
        format!(
            "default router for {}, preference {}",
            lifetime(u32::from(a.router_lifetime)),
            a.preference.as_str()
        )
    } else {
        "not a default router".to_string()
    }];
    let flags = flag_names(a);
    if !flags.is_empty() {
        parts.push(format!("flags {}", flags.join(" ")));
    }
    if a.cur_hop_limit != 0 {
        parts.push(format!("hop limit {}", a.cur_hop_limit));
    }
    if let Some(mtu) = a.mtu {
        parts.push(format!("MTU {mtu}"));
    }
    parts.join(", ")
}

/// The set flags by their RFC letters: M, O, H, P.
fn flag_names(a: &Advert) -> Vec<&'static str> {
    [
        (a.managed, "M"),
        (a.other, "O"),
        (a.home_agent, "H"),
        (a.proxy, "P"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect()
}

/// One `(what, value, details)` line per option, in a fixed order: prefixes, routes, DNS
/// servers, search domains, NAT64 prefixes.
pub fn option_lines(a: &Advert) -> Vec<[String; 3]> {
    let mut out = Vec::new();
    for p in &a.prefixes {
        let mut how = Vec::new();
        if p.on_link {
            how.push("on-link".to_string());
        }
        if p.autonomous {
            how.push("autonomous".to_string());
        }
        how.push(format!("valid {}", lifetime(p.valid_lifetime)));
        how.push(format!("preferred {}", lifetime(p.preferred_lifetime)));
        out.push([
            "prefix".into(),
            Ipv6Prefix::new(p.prefix, p.len).to_string(),
            how.join(", "),
        ]);
    }
    for r in &a.routes {
        out.push([
            "route".into(),
            Ipv6Prefix::new(r.prefix, r.len).to_string(),
            format!(
                "preference {}, {}",
                r.preference.as_str(),
                lifetime(r.lifetime)
            ),
        ]);
    }
    for r in &a.rdnss {
        for s in &r.servers {
            out.push(["dns".into(), s.to_string(), lifetime(r.lifetime)]);
        }
    }
    for d in &a.dnssl {
        for name in &d.domains {
            out.push(["search".into(), name.clone(), lifetime(d.lifetime)]);
        }
    }
    for p in &a.pref64 {
        out.push([
            "nat64".into(),
            Ipv6Prefix::new(p.prefix, p.len).to_string(),
            lifetime(u32::from(p.lifetime)),
        ]);
    }
    out
}

/// One router in JSON.
#[derive(Serialize)]
pub struct JsonRouter {
    /// Its link-local address.
    pub address: String,
    /// The address with `%iface`.
    pub scoped: String,
    /// Its MAC, or null.
    pub mac: Option<String>,
    /// Registered vendor of the MAC, or null.
    pub vendor: Option<&'static str>,
    /// Router lifetime in seconds; 0: not a default router.
    pub lifetime_s: u16,
    /// Default router preference: `low`, `medium` or `high`.
    pub preference: &'static str,
    /// The advertisement's flags.
    pub flags: JsonFlags,
    /// Advertised hop limit, 0 = unspecified.
    pub hop_limit: u8,
    /// Reachable time in milliseconds, 0 = unspecified.
    pub reachable_ms: u32,
    /// Retransmit timer in milliseconds, 0 = unspecified.
    pub retrans_ms: u32,
    /// Advertised link MTU, or null.
    pub mtu: Option<u32>,
    /// Prefix Information options.
    pub prefixes: Vec<JsonPrefixInfo>,
    /// Route Information options.
    pub routes: Vec<JsonRoute>,
    /// DNS servers (RDNSS), one entry per server.
    pub rdnss: Vec<JsonTimed>,
    /// DNS search domains (DNSSL), one entry per domain.
    pub dnssl: Vec<JsonTimed>,
    /// NAT64 prefixes (PREF64).
    pub pref64: Vec<JsonTimed>,
    /// Advertisements heard from it during the scan.
    pub adverts: u32,
}

/// RA flags by name.
#[derive(Serialize)]
pub struct JsonFlags {
    /// M: addresses from DHCPv6.
    pub managed: bool,
    /// O: other configuration from DHCPv6.
    pub other: bool,
    /// H: Mobile IPv6 home agent.
    pub home_agent: bool,
    /// P: proxied advertisement (RFC 4389).
    pub proxy: bool,
}

/// A Prefix Information option.
#[derive(Serialize)]
pub struct JsonPrefixInfo {
    /// `2001:db8:1::/64`.
    pub prefix: String,
    /// L flag.
    pub on_link: bool,
    /// A flag (SLAAC).
    pub autonomous: bool,
    /// Valid lifetime in seconds; 4294967295 = forever.
    pub valid_s: u32,
    /// Preferred lifetime in seconds; 4294967295 = forever.
    pub preferred_s: u32,
}

/// A Route Information option.
#[derive(Serialize)]
pub struct JsonRoute {
    /// The routed prefix.
    pub prefix: String,
    /// `low`, `medium` or `high`.
    pub preference: &'static str,
    /// Lifetime in seconds; 4294967295 = forever.
    pub lifetime_s: u32,
}

/// A value with a lifetime: a DNS server, a search domain, a NAT64 prefix.
#[derive(Serialize)]
pub struct JsonTimed {
    /// The server address, domain or prefix.
    pub value: String,
    /// Lifetime in seconds; 4294967295 = forever.
    pub lifetime_s: u32,
}

/// The JSON entry of a router heard on interface `iface`.
pub fn json(r: &Router, iface: &str) -> JsonRouter {
    let a = &r.advert;
    let timed = |value: String, lifetime_s: u32| JsonTimed { value, lifetime_s };
    JsonRouter {
        address: r.address.to_string(),
        scoped: crate::model::scoped(r.address, iface),
        mac: r.mac.map(|m| m.to_string()),
        vendor: r.mac.and_then(|m| oui::lookup(m).name()),
        lifetime_s: a.router_lifetime,
        preference: a.preference.as_str(),
        flags: JsonFlags {
            managed: a.managed,
            other: a.other,
            home_agent: a.home_agent,
            proxy: a.proxy,
        },
        hop_limit: a.cur_hop_limit,
        reachable_ms: a.reachable_time,
        retrans_ms: a.retrans_timer,
        mtu: a.mtu,
        prefixes: a
            .prefixes
            .iter()
            .map(|p| JsonPrefixInfo {
                prefix: Ipv6Prefix::new(p.prefix, p.len).to_string(),
                on_link: p.on_link,
                autonomous: p.autonomous,
                valid_s: p.valid_lifetime,
                preferred_s: p.preferred_lifetime,
            })
            .collect(),
        routes: a
            .routes
            .iter()
            .map(|r| JsonRoute {
                prefix: Ipv6Prefix::new(r.prefix, r.len).to_string(),
                preference: r.preference.as_str(),
                lifetime_s: r.lifetime,
            })
            .collect(),
        rdnss: a
            .rdnss
            .iter()
            .flat_map(|r| r.servers.iter().map(|s| timed(s.to_string(), r.lifetime)))
            .collect(),
        dnssl: a
            .dnssl
            .iter()
            .flat_map(|d| d.domains.iter().map(|n| timed(n.clone(), d.lifetime)))
            .collect(),
        pref64: a
            .pref64
            .iter()
            .map(|p| {
                timed(
                    Ipv6Prefix::new(p.prefix, p.len).to_string(),
                    u32::from(p.lifetime),
                )
            })
            .collect(),
        adverts: r.adverts,
    }
}

/// The table's "routers" section of interface `iface`: a heading, then per router a line
/// with its address, MAC and vendor, one with its headline, and one per option, aligned.
/// Empty when no router was heard.
pub fn table_lines(iface: &str, routers: &[Router], bold: &str, reset: &str) -> Vec<String> {
    if routers.is_empty() {
        return Vec::new();
    }
    let mut out = vec![format!("{bold}{iface}  routers{reset}")];
    for r in routers {
        let mut head = crate::model::scoped(r.address, iface);
        if let Some(mac) = r.mac {
            head.push_str(&format!("  {mac}  {}", oui::lookup(mac)));
        }
        out.push(format!(" {}", head.trim_end()));
        out.push(format!("   {}", headline(&r.advert)));
        let lines = option_lines(&r.advert);
        let w0 = lines.iter().map(|l| l[0].len()).max().unwrap_or(0);
        let w1 = lines.iter().map(|l| l[1].len()).max().unwrap_or(0);
        for [what, value, details] in lines {
            out.push(
                format!("   {what:<w0$}  {value:<w1$}  {details}")
                    .trim_end()
                    .to_string(),
            );
        }
    }
    out
}

#[cfg(test)]
#[path = "routers_tests.rs"]
pub(crate) mod tests;
