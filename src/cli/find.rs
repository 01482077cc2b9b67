//! Arguments of the commands that find one device: `resolve`, `ssh` and `connect`.

use super::parse_duration;
use crate::config::{FindAction, FindConfig, Job, ScanConfig, WakeConfig, DEFAULT_WAKE_WAIT};
use crate::query::Prefer;
use clap::{ArgAction, Args, ValueEnum};
use std::time::Duration;

pub(super) const QUERY_HELP: &str =
    "A full MAC (b8:27:eb:89:bc:51, b8-27-eb-89-bc-51, b827.eb89.bc51), a MAC \
prefix of at least the 3-octet OUI (b8:27:eb, b8:27:eb:8), a vendor substring (raspberry), a host \
name (rpi.local), a label given with `v6scout label` (kitchen-pi), an IPv6 address (fe80::1, fe80::1%eth0) or prefix (2001:db8:1::/64)";

/// How to find the device: where to look, which address to pick, how long to keep looking.
#[derive(Args, Debug, Clone)]
pub struct FindArgs {
    /// Scan only this interface (repeatable). Default: every usable interface.
    #[arg(short = 'i', long = "interface", value_name = "IFACE", action = ArgAction::Append)]
    pub interfaces: Vec<String>,

    /// Which of the device's addresses to use; the other kinds are the fallback. With
    /// several addresses, the first (in this order) where port 22 (connect: PORT) accepts
    /// a TCP connection wins.
    #[arg(long, value_enum, value_name = "KIND", default_value_t = PreferArg::LinkLocal)]
    pub prefer: PreferArg,

    /// Keep rescanning until the device appears (it is rebooting), for at most this long
    /// (e.g. 30s, 2m). A progress line goes to stderr.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub wait_for: Option<Duration>,

    /// Probe window of each scan (e.g. 1s, 500ms).
    #[arg(short = 'w', long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    pub wait: Duration,

    /// Keep the whole --wait window of every scan (see `v6scout scan --no-early-end`);
    /// by default a search ends as soon as the device has answered.
    #[arg(long)]
    pub no_early_end: bool,

    /// Also send an MLD query (as in the scan): finds addresses the device never answers
    /// from — a manual or stable SLAAC address given as QUERY — and devices that ignore
    /// all echo.
    #[arg(long)]
    pub mld: bool,

    /// The device inventory.
    #[command(flatten)]
    pub memory: super::InventoryArgs,
}

/// `--prefer`: the address kind to print or connect to.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreferArg {
    /// The link-local address with its %interface (works without any router).
    LinkLocal,
    /// A global address, else a ULA.
    Global,
}

/// `v6scout resolve`.
#[derive(Args, Debug, Clone)]
pub struct ResolveArgs {
    #[arg(value_name = "QUERY", help = QUERY_HELP)]
    /// What to look for.
    pub query: String,

    /// Print the address of every matching device (one a line) instead of failing with
    /// exit status 3 when several match.
    #[arg(long)]
    pub all: bool,

    /// Where and how to look.
    #[command(flatten)]
    pub find: FindArgs,
}

/// `v6scout ssh`.
#[derive(Args, Debug, Clone)]
pub struct SshArgs {
    /// The device, optionally with a login name: root@b8:27:eb:89:bc:51, pi@raspberry.
    #[arg(value_name = "[USER@]QUERY")]
    pub target: String,

    /// Print the ssh command line on stderr before running it.
    #[arg(short = 'v', long)]
    pub verbose: bool,

    /// Wake the device first, as `v6scout wake` does (a Wake-on-LAN magic packet to the
    /// MAC the inventory remembers), then wait for it to answer (--wait-for, 2m by
    /// default) and log in.
    #[arg(long)]
    pub wake: bool,

    /// Where and how to look.
    #[command(flatten)]
    pub find: FindArgs,

    /// Arguments for ssh, after `--`: options, then an optional remote command.
    #[arg(last = true, value_name = "SSH_ARGS")]
    pub ssh_args: Vec<String>,
}

/// `v6scout connect`.
#[derive(Args, Debug, Clone)]
pub struct ConnectArgs {
    #[arg(value_name = "QUERY", help = QUERY_HELP)]
    /// What to look for.
    pub query: String,

    /// TCP port (`%p` in a ProxyCommand).
    #[arg(value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub port: u16,

    /// Where and how to look.
    #[command(flatten)]
    pub find: FindArgs,
}

impl FindArgs {
    /// The search for `query` these options ask for: each scan has the defaults of a
    /// plain scan with the search's interfaces, window and MLD choice.
    pub(super) fn config(&self, query: &str, action: FindAction) -> FindConfig {
        let scan = ScanConfig {
            interfaces: self.interfaces.clone(),
            wait: self.wait,
            early_end: !self.no_early_end,
            mld: self.mld,
            ..ScanConfig::default()
        };
        FindConfig {
            query: query.to_string(),
            scan,
            prefer: match self.prefer {
                PreferArg::LinkLocal => Prefer::LinkLocal,
                PreferArg::Global => Prefer::Global,
            },
            wait_for: self.wait_for,
            action,
            inventory: self.memory.config(),
        }
    }
}

impl FindArgs {
    /// The wake of `query` on these options' interfaces and inventory, then `then`.
    pub(super) fn wake(&self, query: &str, then: Option<FindConfig>) -> WakeConfig {
        WakeConfig {
            query: query.to_string(),
            interfaces: self.interfaces.clone(),
            inventory: self.memory.config(),
            then,
        }
    }
}

impl ResolveArgs {
    /// The search.
    pub fn config(&self) -> FindConfig {
        self.find
            .config(&self.query, FindAction::Print { all: self.all })
    }
}

impl SshArgs {
    /// The search; the login name is split off the target (at its last `@`, as ssh does).
    pub fn config(&self) -> FindConfig {
        let (user, query) = split_user(&self.target);
        self.find.config(
            query,
            FindAction::Ssh {
                user: user.map(str::to_string),
                args: self.ssh_args.clone(),
                verbose: self.verbose,
            },
        )
    }
}

impl SshArgs {
    /// The job: the search, or with `--wake` the wake and then the search (waiting
    /// [`DEFAULT_WAKE_WAIT`] unless `--wait-for` says).
    pub fn job(&self) -> Job {
        let mut find = self.config();
        if !self.wake {
            return Job::Find(find);
        }
        find.wait_for.get_or_insert(DEFAULT_WAKE_WAIT);
        let query = find.query.clone();
        Job::Wake(self.find.wake(&query, Some(find)))
    }
}

impl ConnectArgs {
    /// The search.
    pub fn config(&self) -> FindConfig {
        self.find
            .config(&self.query, FindAction::Connect { port: self.port })
    }
}

/// Splits `user@query` (the last `@`, as ssh does); a query never contains `@`.
pub fn split_user(target: &str) -> (Option<&str>, &str) {
    match target.rsplit_once('@') {
        Some((user, q)) if !user.is_empty() => (Some(user), q),
        Some((_, q)) => (None, q),
        None => (None, target),
    }
}

#[cfg(test)]
#[path = "find_tests.rs"]
mod tests;
