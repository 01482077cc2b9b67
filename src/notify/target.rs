//! Where a notification goes: a `--notify` URL read into the URL to POST to and the format
//! the receiver expects.

use std::fmt;

/// What the receiver expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The event's JSON line (`Content-Type: application/json`).
    Webhook,
    /// An ntfy message: a short text, with title, tags and priority headers.
    Ntfy,
}

/// One `--notify` target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The `http://` or `https://` URL to POST to (query included).
    pub url: String,
    /// The format.
    pub format: Format,
    /// `ntfy://` and `ntfy+http://` name their format; `http(s)://` takes `--notify-format`.
    pub fixed: bool,
}

/// Why a `--notify` URL was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetError(String);

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TargetError {}

fn refuse(why: impl Into<String>) -> TargetError {
    TargetError(why.into())
}

impl Target {
    /// Reads a `--notify` URL: `http://…` and `https://…` (a webhook, or whatever
    /// [`Target::with_format`] says), `ntfy://HOST[:PORT]/TOPIC` (an ntfy topic over
    /// HTTPS) or `ntfy+http://HOST[:PORT]/TOPIC` (over plain HTTP, e.g. a server on the
    /// same box). A query (`?auth=…`) is kept; credentials before the host are refused.
    pub fn parse(s: &str) -> Result<Target, TargetError> {
        let (scheme, rest) = s
            .split_once("://")
            .ok_or_else(|| refuse("not a URL: use http://, https://, ntfy:// or ntfy+http://"))?;
        let (http, format, fixed) = match scheme.to_ascii_lowercase().as_str() {
            "http" => ("http", Format::Webhook, false),
            "https" => ("https", Format::Webhook, false),
            "ntfy" | "ntfy+https" => ("https", Format::Ntfy, true),
            "ntfy+http" => ("http", Format::Ntfy, true),
            other => {
                return Err(refuse(format!(
                    "unknown scheme {other}://: use http://, https://, ntfy:// or ntfy+http://"
                )))
            }
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(end);
        check_authority(authority)?;
        if path.contains('#') {
            return Err(refuse("a #fragment is never sent; leave it out"));
        }
        if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(refuse(
                "blanks and control characters must be percent-encoded",
            ));
        }
        let path = if path.is_empty() || path.starts_with('?') {
            format!("/{path}")
        } else {
            path.to_owned()
        };
        if format == Format::Ntfy {
            let topic = path.split('?').next().unwrap_or("").trim_matches('/');
            if topic.is_empty() {
                return Err(refuse("an ntfy URL names its topic: ntfy://HOST/TOPIC"));
            }
        }
        Ok(Target {
            url: format!("{http}://{authority}{path}"),
            format,
            fixed,
        })
    }

    /// The target with `format` (from `--notify-format`) unless its URL names its own.
    pub fn with_format(self, format: Format) -> Target {
        if self.fixed {
            self
        } else {
            Target { format, ..self }
        }
    }

    /// The URL without its query, for messages (an ntfy `?auth=` token stays out of logs).
    pub fn display(&self) -> &str {
        self.url.split('?').next().unwrap_or(&self.url)
    }
}

impl std::str::FromStr for Target {
    type Err = TargetError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Target::parse(s)
    }
}

/// `HOST[:PORT]`, `[IPV6][:PORT]`: a host is there, a port is a number, no credentials.
fn check_authority(a: &str) -> Result<(), TargetError> {
    if a.contains('@') {
        return Err(refuse(
            "credentials in the URL are not sent: use a token in the query (ntfy: ?auth=…)",
        ));
    }
    let (host, port) = if let Some(inner) = a.strip_prefix('[') {
        let (ip, after) = inner
            .split_once(']')
            .ok_or_else(|| refuse("an IPv6 address in a URL ends with ]"))?;
        if ip
            .split('%')
            .next()
            .unwrap_or("")
            .parse::<std::net::Ipv6Addr>()
            .is_err()
        {
            return Err(refuse(format!("[{ip}] is not an IPv6 address")));
        }
        match after {
            "" => (ip, None),
            p => (
                ip,
                Some(
                    p.strip_prefix(':')
                        .ok_or_else(|| refuse("expected :PORT after ]"))?,
                ),
            ),
        }
    } else {
        match a.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (a, None),
        }
    };
    if host.is_empty() {
        return Err(refuse("the URL names no host"));
    }
    if !a.starts_with('[') && (host.contains(':') || !host.chars().all(host_char)) {
        return Err(refuse(format!(
            "{host} is not a host name (an IPv6 address goes in brackets: http://[::1]:8080/)"
        )));
    }
    if let Some(p) = port {
        if p.parse::<u16>().map_or(true, |n| n == 0) {
            return Err(refuse(format!("{p} is not a port (1-65535)")));
        }
    }
    Ok(())
}

fn host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')
}

#[cfg(test)]
#[path = "target_tests.rs"]
mod tests;
