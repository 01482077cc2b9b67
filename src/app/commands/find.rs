//! `resolve`, `ssh` and `connect`: scan (again and again with `--wait-for`) until the
//! QUERY matches, then print, exec `ssh`, or relay a TCP connection.

use crate::app::adapters::relay;
use crate::app::engine::sure::SureAnswer;
use crate::app::engine::Scanner;
use crate::config::{FindAction, FindConfig};
use crate::inventory::{self, Device};
use crate::model::{is_link_local, scoped};
use crate::output::history::ago;
use crate::output::warnings::warn_stderr;
use crate::query::{self, HostMatch, MatchedAddr, Query};
use crate::reach::{self, Connector};
use anyhow::{anyhow, Context, Result};
use std::io::{IsTerminal, Write};
use std::net::{SocketAddrV6, TcpStream};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};

/// Exit status when several devices match.
pub const EXIT_AMBIGUOUS: u8 = 3;

/// What a search ended with.
enum Found {
    /// Exactly the hosts that matched (at least one).
    Hosts(Vec<HostMatch>),
    /// Nothing matched: an exit-1 outcome, with the message for stderr.
    Nothing(String),
}

/// Opens the scanner of a search: `fe80::1%eth0` names its interface, so only that one
/// is scanned (an unknown name is then the usual error listing the valid ones, not
/// "nothing matched").
fn open_scanner(query: &Query, find: &FindConfig) -> Result<Scanner> {
    let mut cfg = find.scan.clone();
    if let Query::Address(_, Some(zone)) = query {
        if cfg.interfaces.is_empty() && zone.parse::<u32>().is_err() {
            cfg.interfaces = vec![zone.clone()];
        }
    }
    // A device named by MAC or address is found without its name; names would hold the
    // answer back for their own grace.
    if matches!(query, Query::Mac(_) | Query::Address(..)) {
        cfg.names = false;
    }
    // One set of sockets for every rescan: privileges are gone after the first open.
    Scanner::open(&cfg, &find.inventory)
}

/// The queries a report is matched with: a label's MAC alone (a label names one device,
/// whatever hosts carry the word as a name or vendor), else the query itself and, for an
/// IPv4 address, the MACs the inventory saw holding it on this machine's links (the
/// device that forgot its IPv4 address; another site's device with the same private
/// address is another device).
fn queries(scanner: &mut Scanner, query: &Query) -> Vec<Query> {
    if let Query::Word(w) = query {
        if let Some(m) = scanner.memory().labels(&mut warn_stderr).holder(w) {
            // Found by its MAC, it is found as fast: no names, the search's early end.
            scanner.without_names();
            return vec![Query::Mac(m)];
        }
    }
    let mut qs = vec![query.clone()];
    if let Query::Ipv4(a) = query {
        let here = scanner.memory().by_ipv4(*a, &mut warn_stderr);
        for d in here.iter().filter(|d| d.site.is_none()) {
            let q = Query::Mac(d.mac);
            if !qs.contains(&q) {
                qs.push(q);
            }
        }
    }
    qs
}

/// When nothing matches now but the inventory knows the device: when and where it was
/// last seen.
fn last_seen(scanner: &mut Scanner, query: &Query) -> Option<String> {
    let devices: Vec<inventory::Device> = match query {
        // Another site's device with the same (private) IPv4 address is another device.
        Query::Ipv4(a) => (scanner.memory().by_ipv4(*a, &mut warn_stderr).into_iter())
            .filter(|d| d.site.is_none())
            .collect(),
        q => {
            let all = scanner.memory().devices(&mut warn_stderr);
            inventory::matching(&all, q).into_iter().cloned().collect()
        }
    };
    devices.first().map(|d| gone(d, SystemTime::now()))
}

/// What resolve says at `now` of remembered device `d` that does not answer: when and
/// where it was last seen — on this machine's links, or at another site (the newest
/// sighting is a hub's record of that site's watcher).
fn gone(d: &Device, now: SystemTime) -> String {
    let vendor = d
        .vendor
        .as_deref()
        .map_or(String::new(), |v| format!(" ({v})"));
    let address = d
        .addresses
        .first()
        .map(|a| scoped(a.address, &d.iface.name));
    match &d.site {
        None => format!(
            "{}{vendor} is not on the link now; last seen {} as {}",
            d.mac,
            ago(now, d.last_seen),
            address.unwrap_or_else(|| d.iface.name.clone())
        ),
        Some(site) => format!(
            "{}{vendor} is not on this machine's links; last seen at site {site} on {}{}, {}",
            d.mac,
            d.iface.name,
            address.map_or(String::new(), |a| format!(" as {a}")),
            ago(now, d.last_seen)
        ),
    }
}

/// Scans until the query matches something or `--wait-for` runs out (one scan without it).
fn search(scanner: &mut Scanner, query: &Query, find: &FindConfig) -> Result<Found> {
    let raw = find.query.as_str();
    let t0 = Instant::now();
    let tty = std::io::stderr().is_terminal();
    let mut scans = 0u32;
    let qs = queries(scanner, query);
    // The resolver gives an address's canonical name only; the aliases come from the file.
    let aliases = if find.scan.names {
        std::fs::read_to_string("/etc/hosts")
            .map(|t| crate::names::hosts::parse(&t))
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let sure = SureAnswer::for_queries(&qs);
    let nothing = |scanner: &mut Scanner| {
        last_seen(scanner, query).unwrap_or_else(|| query::explain_no_match(query, raw))
    };
    loop {
        let mut report = scanner.scan_for(sure.clone());
        scans += 1;
        // What it confirmed is remembered, whatever the search ends with.
        scanner.remember(&report, &mut warn_stderr);
        crate::names::hosts::add_aliases(&mut report, &aliases);
        let hosts = qs
            .iter()
            .map(|q| query::find(&report, q))
            .find(|h| !h.is_empty())
            .unwrap_or_default();
        if !hosts.is_empty() {
            if tty && scans > 1 {
                crate::say!();
            }
            return Ok(Found::Hosts(hosts));
        }
        let Some(limit) = find.wait_for else {
            return Ok(Found::Nothing(nothing(scanner)));
        };
        let waited = t0.elapsed();
        if waited >= limit {
            if tty {
                crate::say!();
            }
            return Ok(Found::Nothing(format!(
                "{} (waited {}, {scans} scans)",
                nothing(scanner),
                secs(limit)
            )));
        }
        let line = format!(
            "v6scout: waiting for '{raw}': not seen in {scans} scan{} ({} of {})",
            if scans == 1 { "" } else { "s" },
            secs(waited),
            secs(limit)
        );
        if tty {
            crate::say_part!("\r{line}\x1b[K");
        } else {
            crate::say!("{line}");
        }
        // Scans take the probe window; a short pause keeps a fast-failing scan from spinning.
        std::thread::sleep(Duration::from_millis(200).min(limit.saturating_sub(waited)));
    }
}

fn secs(d: Duration) -> String {
    format!("{:.0}s", d.as_secs_f64())
}

/// The one matching host, or the exit code that says why there is none.
fn one_host(found: Found, raw: &str) -> Result<HostMatch, ExitCode> {
    match found {
        Found::Nothing(msg) => {
            crate::say!("v6scout: {msg}");
            Err(ExitCode::from(1))
        }
        Found::Hosts(mut hosts) if hosts.len() == 1 => Ok(hosts.remove(0)),
        Found::Hosts(hosts) => {
            list_ambiguous(raw, &hosts);
            Err(ExitCode::from(EXIT_AMBIGUOUS))
        }
    }
}

/// Lists the candidates of an ambiguous QUERY on stderr.
pub(super) fn list_ambiguous(raw: &str, hosts: &[HostMatch]) {
    let mut msg = format!(
        "v6scout: '{raw}' matches {} devices; give a full MAC or address (or -i IFACE) to pick one:",
        hosts.len()
    );
    for line in query::describe_all(hosts) {
        msg.push_str("\n  ");
        msg.push_str(&line);
    }
    crate::say!("{msg}");
}

/// Port the ssh helper checks when a device has several addresses.
const SSH_PORT: u16 = 22;

/// `port` on each of `ranked`, link-local ones scoped to the host's interface.
fn socket_addrs(h: &HostMatch, ranked: &[&MatchedAddr], port: u16) -> Vec<SocketAddrV6> {
    ranked
        .iter()
        .map(|a| {
            let scope = if is_link_local(a.address) { h.index } else { 0 };
            SocketAddrV6::new(a.address, port, 0, scope)
        })
        .collect()
}

/// The address to use: by `--prefer`, except that when the device has several addresses
/// the first (in that order) where `port` accepts a connection wins — a device whose
/// link-local address is firewalled but whose global one takes ssh gets the global one.
/// The check costs at most one connect timeout, and only for multi-address devices.
fn pick<'a>(
    h: &'a HostMatch,
    find: &FindConfig,
    port: u16,
    connector: &dyn Connector,
) -> Result<&'a MatchedAddr> {
    let ranked = h.ranked(find.prefer);
    if ranked.len() > 1 {
        let addrs = socket_addrs(h, &ranked, port);
        if let Some(i) = reach::first_open(connector, &addrs, reach::CONNECT_TIMEOUT) {
            return Ok(ranked[i]);
        }
    }
    ranked
        .first()
        .copied()
        .ok_or_else(|| anyhow!("the matching device has no address"))
}

/// `resolve`, `ssh` and `connect`: find the device, then print its address, exec `ssh`
/// to it, or relay a TCP connection to it.
pub fn run_find(find: &FindConfig) -> Result<ExitCode> {
    let query: Query = find.query.parse().map_err(|e| anyhow!("{e}"))?;
    let mut scanner = open_scanner(&query, find)?;
    let found = search(&mut scanner, &query, find)?;
    let connector = scanner.connector();
    if let FindAction::Print { all: true } = find.action {
        return match found {
            Found::Nothing(msg) => {
                crate::say!("v6scout: {msg}");
                Ok(ExitCode::from(1))
            }
            Found::Hosts(hosts) => {
                let lines = hosts
                    .iter()
                    .map(|h| pick(h, find, SSH_PORT, connector).map(|a| a.scoped.as_str()))
                    .collect::<Result<Vec<_>>>()?;
                print_lines(&lines)?;
                Ok(ExitCode::SUCCESS)
            }
        };
    }
    let host = match one_host(found, &find.query) {
        Ok(h) => h,
        Err(code) => return Ok(code),
    };
    match &find.action {
        FindAction::Print { .. } => {
            print_lines(&[pick(&host, find, SSH_PORT, connector)?.scoped.as_str()])?;
            Ok(ExitCode::SUCCESS)
        }
        FindAction::Ssh {
            user,
            args,
            verbose,
        } => {
            let addr = pick(&host, find, SSH_PORT, connector)?;
            let cmd = ssh_command(user.as_deref(), &addr.scoped, args);
            if *verbose {
                let shown: Vec<String> = cmd.iter().map(|w| shell_word(w)).collect();
                crate::say!("v6scout: running: {}", shown.join(" "));
            }
            Err(exec_failure(&cmd))
        }
        FindAction::Connect { port } => connect(&host, find, *port),
    }
}

fn print_lines(lines: &[&str]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    for l in lines {
        writeln!(out, "{l}").context("writing the address")?;
    }
    out.flush().context("writing the address")
}

/// The ssh command line: the destination first (ssh reads options after it too, and
/// everything from the first non-option on is the remote command).
pub fn ssh_command(user: Option<&str>, address: &str, ssh_args: &[String]) -> Vec<String> {
    let dest = match user {
        Some(u) => format!("{u}@{address}"),
        None => address.to_string(),
    };
    let mut cmd = vec!["ssh".to_string(), dest];
    cmd.extend(ssh_args.iter().cloned());
    cmd
}

/// Quotes a word for display like a POSIX shell would need it.
fn shell_word(w: &str) -> String {
    let plain = !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "@%:/._-=+,~".contains(c));
    if plain {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', r"'\''"))
    }
}

/// Why `ssh` could not be run in v6scout's place.
fn exec_failure(cmd: &[String]) -> anyhow::Error {
    let err = crate::platform::exec(cmd);
    anyhow!(
        "cannot run {}: {}",
        cmd[0],
        if err.kind() == std::io::ErrorKind::NotFound {
            "not found (install the OpenSSH client)".to_string()
        } else {
            crate::warning::io_reason(&err)
        }
    )
}

/// `connect`: relays stdin/stdout to a TCP connection to the device — the connection
/// that chose the address, not a second one after a check.
fn connect(host: &HostMatch, find: &FindConfig, port: u16) -> Result<ExitCode> {
    let ranked = host.ranked(find.prefer);
    let addrs = socket_addrs(host, &ranked, port);
    let mut tcp =
        |sa: SocketAddrV6, timeout: Duration| TcpStream::connect_timeout(&sa.into(), timeout);
    let first = ranked
        .first()
        .ok_or_else(|| anyhow!("the matching device has no address"))?;
    let (i, stream) = reach::connect_in_order(
        &addrs,
        reach::CONNECT_TIMEOUT,
        Duration::from_secs(10),
        &mut tcp,
    )
    .with_context(|| format!("connecting to [{}]:{}", first.scoped, port))?;
    let scoped = &ranked[i].scoped;
    relay::relay(stream, std::io::stdin(), std::io::stdout())
        .with_context(|| format!("relaying to [{scoped}]:{port}"))?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
#[path = "find_tests.rs"]
mod tests;
