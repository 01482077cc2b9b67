//! The real [`Transport`]: one HTTP(S) POST with ureq (blocking, rustls; certificates
//! checked against the system's trust store, which `SSL_CERT_FILE`/`SSL_CERT_DIR`
//! replace). A proxy comes from `HTTPS_PROXY`/`ALL_PROXY`/`NO_PROXY` as usual.

use super::Transport;
use crate::notify::{Outcome, Request};
use crate::warning::io_reason;
use std::io::Read;
use std::time::Duration;
use ureq::tls::{RootCerts, TlsConfig};
use ureq::Agent;

/// Most bytes of an error answer's body kept to say why.
const DETAIL: u64 = 200;

/// An HTTP client whose every try ends within its timeout.
pub struct Http {
    agent: Agent,
    timeout: Duration,
}

impl Http {
    /// A client whose tries give up after `timeout` (connecting, sending and the answer).
    pub fn new(timeout: Duration) -> Http {
        let tls = TlsConfig::builder()
            .root_certs(RootCerts::PlatformVerifier)
            .build();
        let config = Agent::config_builder()
            .timeout_global(Some(timeout))
            // A status is an answer to judge, not an error.
            .http_status_as_error(false)
            // A POST that is redirected would turn into a GET elsewhere: the 3xx is the
            // answer (and a failure that names it).
            .max_redirects(0)
            .user_agent(concat!("v6scout/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls)
            .build();
        Http {
            agent: config.into(),
            timeout,
        }
    }
}

impl Transport for Http {
    fn post(&mut self, r: &Request) -> Outcome {
        let mut req = self.agent.post(&r.url);
        for (name, value) in &r.headers {
            req = req.header(*name, value);
        }
        match req.send(r.body.as_bytes()) {
            Ok(mut resp) => {
                let status = resp.status().as_u16();
                let mut detail = Vec::new();
                if !resp.status().is_success() {
                    let body = resp.body_mut().as_reader();
                    let _ = body.take(DETAIL).read_to_end(&mut detail);
                }
                Outcome::Answered {
                    status,
                    detail: one_line(&String::from_utf8_lossy(&detail)),
                }
            }
            Err(e) => Outcome::NoAnswer(reason(&e, self.timeout)),
        }
    }
}

/// What went wrong, for a person.
fn reason(e: &ureq::Error, timeout: Duration) -> String {
    match e {
        ureq::Error::Timeout(_) => {
            format!("no answer within {}", humantime::format_duration(timeout))
        }
        ureq::Error::Io(io) => io_reason(io),
        ureq::Error::HostNotFound => "the host name does not resolve".into(),
        other => other.to_string(),
    }
}

/// `s` on one line, control characters made blanks.
fn one_line(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
