//! `resolve`, `ssh` and `connect`: scan (again and again with `--wait-for`) until the
//! QUERY matches, then print, exec `ssh`, or relay a TCP connection.

use super::relay;
use crate::cli::{Cli, ConnectArgs, FindArgs, PreferArg, ResolveArgs, ScanArgs, SshArgs};
use crate::model::is_link_local;
use crate::query::{self, HostMatch, MatchedAddr, Prefer, Query};
use anyhow::{anyhow, Context, Result};
use clap::Parser;
use std::io::{IsTerminal, Write};
use std::net::{SocketAddrV6, TcpStream};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Exit status when several devices match.
pub const EXIT_AMBIGUOUS: u8 = 3;

/// What a search ended with.
enum Found {
    /// Exactly the hosts that matched (at least one).
    Hosts(Vec<HostMatch>),
    /// Nothing matched: an exit-1 outcome, with the message for stderr.
    Nothing(String),
}

fn prefer(p: PreferArg) -> Prefer {
    match p {
        PreferArg::LinkLocal => Prefer::LinkLocal,
        PreferArg::Global => Prefer::Global,
    }
}

/// The scan options of a search: the defaults of a plain scan, with the search's
/// interfaces and probe window.
fn scan_args(find: &FindArgs) -> Result<ScanArgs> {
    let mut a = Cli::try_parse_from(["v6scout"])
        .context("default scan options")?
        .scan;
    a.probe.interfaces = find.interfaces.clone();
    a.probe.wait = find.wait;
    a.probe.mld = find.mld;
    Ok(a)
}

/// Scans until `raw` matches something or `--wait-for` runs out (one scan without it).
fn search(raw: &str, find: &FindArgs) -> Result<Found> {
    let query: Query = raw.parse().map_err(|e| anyhow!("{e}"))?;
    let mut args = scan_args(find)?;
    // `fe80::1%eth0` names its interface: scan only that one (an unknown name is then the
    // usual error listing the valid ones, not "nothing matched").
    if let Query::Address(_, Some(zone)) = &query {
        if args.probe.interfaces.is_empty() && zone.parse::<u32>().is_err() {
            args.probe.interfaces = vec![zone.clone()];
        }
    }
    let t0 = Instant::now();
    let tty = std::io::stderr().is_terminal();
    let mut scans = 0u32;
    // One set of sockets for every rescan: privileges are gone after the first open.
    let mut scanner = super::Scanner::open(&args)?;
    loop {
        let report = scanner.scan();
        scans += 1;
        let hosts = query::find(&report, &query);
        if !hosts.is_empty() {
            if tty && scans > 1 {
                crate::say!();
            }
            return Ok(Found::Hosts(hosts));
        }
        let Some(limit) = find.wait_for else {
            return Ok(Found::Nothing(query::explain_no_match(&query, raw)));
        };
        let waited = t0.elapsed();
        if waited >= limit {
            if tty {
                crate::say!();
            }
            return Ok(Found::Nothing(format!(
                "{} (waited {}, {scans} scans)",
                query::explain_no_match(&query, raw),
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
fn one_host(raw: &str, find: &FindArgs) -> Result<Result<HostMatch, ExitCode>> {
    match search(raw, find)? {
        Found::Nothing(msg) => {
            crate::say!("v6scout: {msg}");
            Ok(Err(ExitCode::from(1)))
        }
        Found::Hosts(mut hosts) if hosts.len() == 1 => Ok(Ok(hosts.remove(0))),
        Found::Hosts(hosts) => {
            list_ambiguous(raw, &hosts);
            Ok(Err(ExitCode::from(EXIT_AMBIGUOUS)))
        }
    }
}

fn list_ambiguous(raw: &str, hosts: &[HostMatch]) {
    let mut msg = format!(
        "v6scout: '{raw}' matches {} devices; give a full MAC or address (or -i IFACE) to pick one:",
        hosts.len()
    );
    for h in hosts {
        msg.push_str("\n  ");
        msg.push_str(&h.describe());
    }
    crate::say!("{msg}");
}

/// Port the ssh helper checks when a device has several addresses.
const SSH_PORT: u16 = 22;

/// The address to use: by `--prefer`, except that when the device has several addresses
/// the first (in that order) where `port` accepts a connection wins — a device whose
/// link-local address is firewalled but whose global one takes ssh gets the global one.
/// The check costs at most one connect timeout, and only for multi-address devices.
fn pick<'a>(h: &'a HostMatch, find: &FindArgs, port: u16) -> Result<&'a MatchedAddr> {
    let ranked = h.ranked(prefer(find.prefer));
    if ranked.len() > 1 {
        let addrs: Vec<SocketAddrV6> = ranked
            .iter()
            .map(|a| {
                SocketAddrV6::new(
                    a.address,
                    port,
                    0,
                    if is_link_local(a.address) { h.index } else { 0 },
                )
            })
            .collect();
        if let Some(i) = crate::reach::first_open(&addrs, super::dualstack::CONNECT_TIMEOUT) {
            return Ok(ranked[i]);
        }
    }
    ranked
        .first()
        .copied()
        .ok_or_else(|| anyhow!("the matching device has no address"))
}

/// `v6scout resolve`: prints the address of the one matching device (or of each, `--all`).
pub fn run_resolve(args: &ResolveArgs) -> Result<ExitCode> {
    if !args.all {
        return Ok(match one_host(&args.query, &args.find)? {
            Ok(h) => {
                print_lines(&[pick(&h, &args.find, SSH_PORT)?.scoped.as_str()])?;
                ExitCode::SUCCESS
            }
            Err(code) => code,
        });
    }
    match search(&args.query, &args.find)? {
        Found::Nothing(msg) => {
            crate::say!("v6scout: {msg}");
            Ok(ExitCode::from(1))
        }
        Found::Hosts(hosts) => {
            let lines = hosts
                .iter()
                .map(|h| pick(h, &args.find, SSH_PORT).map(|a| a.scoped.as_str()))
                .collect::<Result<Vec<_>>>()?;
            print_lines(&lines)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_lines(lines: &[&str]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    for l in lines {
        writeln!(out, "{l}").context("writing the address")?;
    }
    out.flush().context("writing the address")
}

/// Splits `user@query` (the last `@`, as ssh does); a query never contains `@`.
pub fn split_user(target: &str) -> (Option<&str>, &str) {
    match target.rsplit_once('@') {
        Some((user, q)) if !user.is_empty() => (Some(user), q),
        Some((_, q)) => (None, q),
        None => (None, target),
    }
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

/// `v6scout ssh`: execs `ssh` to the one matching device; returns only on failure.
pub fn run_ssh(args: &SshArgs) -> Result<ExitCode> {
    let (user, raw) = split_user(&args.target);
    let host = match one_host(raw, &args.find)? {
        Ok(h) => h,
        Err(code) => return Ok(code),
    };
    let cmd = ssh_command(
        user,
        &pick(&host, &args.find, SSH_PORT)?.scoped,
        &args.ssh_args,
    );
    if args.verbose {
        let shown: Vec<String> = cmd.iter().map(|w| shell_word(w)).collect();
        crate::say!("v6scout: running: {}", shown.join(" "));
    }
    exec(&cmd)
}

#[cfg(unix)]
fn exec(cmd: &[String]) -> Result<ExitCode> {
    use std::os::unix::process::CommandExt;
    let err = std::process::Command::new(&cmd[0]).args(&cmd[1..]).exec();
    Err(anyhow!(
        "cannot run {}: {}",
        cmd[0],
        if err.kind() == std::io::ErrorKind::NotFound {
            "not found (install the OpenSSH client)".to_string()
        } else {
            err.to_string()
        }
    ))
}

#[cfg(not(unix))]
fn exec(cmd: &[String]) -> Result<ExitCode> {
    let status = std::process::Command::new(&cmd[0])
        .args(&cmd[1..])
        .status()
        .with_context(|| format!("cannot run {}", cmd[0]))?;
    Ok(ExitCode::from(
        status.code().unwrap_or(2).clamp(0, 255) as u8
    ))
}

/// `v6scout connect`: relays stdin/stdout to a TCP connection to the one matching device.
pub fn run_connect(args: &ConnectArgs) -> Result<ExitCode> {
    let host = match one_host(&args.query, &args.find)? {
        Ok(h) => h,
        Err(code) => return Ok(code),
    };
    let addr = pick(&host, &args.find, args.port)?;
    let scope = if is_link_local(addr.address) {
        host.index
    } else {
        0
    };
    let sa = SocketAddrV6::new(addr.address, args.port, 0, scope);
    let stream = TcpStream::connect_timeout(&sa.into(), Duration::from_secs(10))
        .with_context(|| format!("connecting to [{}]:{}", addr.scoped, args.port))?;
    relay::relay(stream, std::io::stdin(), std::io::stdout())
        .with_context(|| format!("relaying to [{}]:{}", addr.scoped, args.port))?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_user_at_the_last_at() {
        assert_eq!(
            split_user("root@b8:27:eb:89:bc:51"),
            (Some("root"), "b8:27:eb:89:bc:51")
        );
        assert_eq!(split_user("raspberry"), (None, "raspberry"));
        assert_eq!(split_user("@pi"), (None, "pi"));
        assert_eq!(split_user("a@b@pi"), (Some("a@b"), "pi"));
    }

    #[test]
    fn builds_the_ssh_command_destination_first() {
        let args: Vec<String> = ["-i", "key", "uname", "-a"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            ssh_command(Some("root"), "fe80::1%eth0", &args),
            ["ssh", "root@fe80::1%eth0", "-i", "key", "uname", "-a"]
        );
        assert_eq!(
            ssh_command(None, "2001:db8::5", &[]),
            ["ssh", "2001:db8::5"]
        );
    }

    #[test]
    fn quotes_for_display() {
        assert_eq!(shell_word("root@fe80::1%eth0"), "root@fe80::1%eth0");
        assert_eq!(shell_word("echo hi"), "'echo hi'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn scan_args_keep_defaults_and_take_the_search_options() {
        let cli = Cli::try_parse_from([
            "v6scout", "resolve", "pi", "-i", "eth1", "-w", "300ms", "--mld",
        ])
        .unwrap();
        let Some(crate::cli::Command::Resolve(r)) = cli.command else {
            panic!("not resolve: {cli:?}")
        };
        let a = scan_args(&r.find).unwrap();
        assert_eq!(a.probe.interfaces, ["eth1"]);
        assert_eq!(a.probe.wait, Duration::from_millis(300));
        assert_eq!(a.probe.rounds, 3);
        assert!(!a.include_self && !a.include_stale && !a.probe.link_local);
        assert!(a.probe.mld);
    }
}
