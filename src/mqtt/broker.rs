//! The broker's address: `mqtt://[USER[:PASSWORD]@]HOST[:PORT]` (1883) or `mqtts://…`
//! (TLS, 8883). The password never shows in what is printed.

use std::fmt;
use std::str::FromStr;

/// A parsed broker URL.
#[derive(Clone, PartialEq, Eq)]
pub struct BrokerUrl {
    /// TLS (`mqtts://`).
    pub tls: bool,
    /// Host name or address (an IPv6 address without its brackets).
    pub host: String,
    /// Port.
    pub port: u16,
    /// User name, if any.
    pub user: Option<String>,
    /// Password, if the URL holds one.
    pub password: Option<String>,
}

/// Why a broker URL was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadUrl(pub String);

impl fmt::Display for BadUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadUrl {}

fn bad(why: &str) -> BadUrl {
    BadUrl(format!(
        "{why}: give mqtt://[USER[:PASSWORD]@]HOST[:PORT] or mqtts://… (e.g. mqtt://broker.lan)"
    ))
}

/// `%XX` decoding of a user name or password.
fn percent_decode(s: &str) -> Result<String, BadUrl> {
    let mut out = Vec::with_capacity(s.len());
    let mut it = s.bytes();
    while let Some(b) = it.next() {
        if b == b'%' {
            let pair = [it.next(), it.next()];
            let [Some(h), Some(l)] = pair else {
                return Err(bad(
                    "a '%' in the user or password is not followed by two hex digits",
                ));
            };
            let hex = std::str::from_utf8(&[h, l])
                .ok()
                .and_then(|t| u8::from_str_radix(t, 16).ok());
            out.push(hex.ok_or_else(|| {
                bad("a '%' in the user or password is not followed by two hex digits")
            })?);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).map_err(|_| bad("the user or password is not UTF-8"))
}

impl FromStr for BrokerUrl {
    type Err = BadUrl;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (tls, rest) = if let Some(r) = s.strip_prefix("mqtt://") {
            (false, r)
        } else if let Some(r) = s.strip_prefix("mqtts://") {
            (true, r)
        } else {
            return Err(bad(&format!("{:?} is not an MQTT URL", redact(s))));
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#']) {
            return Err(bad("a path, query or fragment has no meaning here"));
        }
        let (userinfo, hostport) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let (user, password) = match userinfo {
            None => (None, None),
            Some(u) => match u.split_once(':') {
                Some((u, p)) => (Some(percent_decode(u)?), Some(percent_decode(p)?)),
                None => (Some(percent_decode(u)?), None),
            },
        };
        let (host, port) = host_port(hostport)?;
        Ok(BrokerUrl {
            tls,
            host,
            port: port.unwrap_or(if tls { 8883 } else { 1883 }),
            user: user.filter(|u| !u.is_empty()),
            password,
        })
    }
}

/// `host`, `host:port`, `[v6]`, `[v6]:port`.
fn host_port(s: &str) -> Result<(String, Option<u16>), BadUrl> {
    let port = |p: &str| {
        p.parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| bad(&format!("port {p:?} is not a number from 1 to 65535")))
    };
    if let Some(r) = s.strip_prefix('[') {
        let (h, after) = r.split_once(']').ok_or_else(|| bad("'[' without ']'"))?;
        let p = match after {
            "" => None,
            a => Some(port(
                a.strip_prefix(':').ok_or_else(|| bad("junk after ']'"))?,
            )?),
        };
        return Ok((h.to_owned(), p));
    }
    let (h, p) = match s.rsplit_once(':') {
        Some((h, p)) => (h, Some(port(p)?)),
        None => (s, None),
    };
    if h.is_empty() || h.contains(':') {
        return Err(bad(
            "no host (an IPv6 address goes in brackets: mqtt://[::1]:1883)",
        ));
    }
    Ok((h.to_owned(), p))
}

/// The URL with any password replaced by `***`, for messages.
fn redact(s: &str) -> String {
    match (s.find("://"), s.rfind('@')) {
        (Some(i), Some(at)) if at > i => {
            let user = &s[i + 3..at];
            match user.split_once(':') {
                Some((u, _)) => format!("{}{u}:***{}", &s[..i + 3], &s[at..]),
                None => s.to_owned(),
            }
        }
        _ => s.to_owned(),
    }
}

impl fmt::Display for BrokerUrl {
    /// The URL without the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls { "mqtts" } else { "mqtt" };
        write!(f, "{scheme}://")?;
        if let Some(u) = &self.user {
            write!(f, "{u}@")?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Debug for BrokerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BrokerUrl({self})")
    }
}

#[cfg(test)]
#[path = "broker_tests.rs"]
mod tests;
