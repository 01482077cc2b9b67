//! Command-line interface (clap derive). Parsing only: the command line becomes a
//! [`Job`] here, once, and clap's types go no further (`app` takes the job).

use crate::config::{
    self, ColorChoice, FormatChoice, Job, MetricsListen, OutputConfig, ScanConfig, SweepConfig,
    WatchSettings,
};
use crate::output::byhost::SortKey;
use crate::watch::WatchConfig;
use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

mod find;
mod memory;
mod mqtt;
mod notify;
mod wake;
pub use find::{ConnectArgs, FindArgs, PreferArg, ResolveArgs, SshArgs};
pub use memory::{parse_age, HistoryArgs, InventoryArgs, LabelArgs};
pub use mqtt::{CollectArgs, MqttArgs};
pub use notify::{NotifyArgs, NotifyFormatArg};
pub use wake::WakeArgs;

/// Find every IPv6 host on the local link(s) in about a second.
///
/// v6scout sends ICMPv6 probes on every usable interface at once (echo to ff02::1 from each
/// source address, an unknown-option probe that even hosts ignoring multicast echo must
/// answer, a Router Solicitation, and a Neighbour Solicitation for each MAC), then prints
/// each neighbour's addresses grouped by interface and prefix, with its MAC.
/// Link-local addresses carry their %interface, ready for ssh.
#[derive(Parser, Debug, Clone)]
#[command(
    name = "v6scout",
    version,
    args_conflicts_with_subcommands = true,
    about = "Find every IPv6 host on the local link(s) in about a second",
    after_help = "Exit status: 0 hosts found, 1 none found, 2 error.\n\
                  Full scans need CAP_NET_RAW: run with sudo, or once: sudo setcap cap_net_raw+ep \"$(command -v v6scout)\"\n\
                  Without it v6scout falls back to unprivileged ping sockets (echo only), if\n\
                  net.ipv4.ping_group_range allows your group."
)]
pub struct Cli {
    /// A command other than the default scan.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of the default command, the scan.
    #[command(flatten)]
    pub scan: ScanArgs,
}

/// The commands; with none, v6scout scans.
#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Scan the links and list every host (the default command).
    Scan(ScanArgs),
    /// Find one device by MAC, MAC prefix, vendor, name or address and print its address.
    ///
    /// Link-local addresses are printed with their %interface (fe80::…%eth0). When several
    /// devices match, they are listed on stderr: narrow the query, or use --all.
    #[command(after_help = RESOLVE_AFTER_HELP)]
    Resolve(ResolveArgs),
    /// Find one device like `resolve`, then run `ssh` to its address.
    ///
    /// `v6scout ssh root@b8:27:eb:89:bc:51 -- -i ~/.ssh/pi uptime` runs
    /// `ssh root@fe80::ba27:ebff:fe89:bc51%eth0 -i ~/.ssh/pi uptime`.
    #[command(
        after_help = "Exit status: that of ssh; if ssh does not run: 1 nothing matched, \
                            2 error, 3 several devices matched."
    )]
    Ssh(SshArgs),
    /// Find one device like `resolve`, then relay stdin and stdout to a TCP connection to
    /// it: an ssh ProxyCommand.
    ///
    /// In ~/.ssh/config:  Host pi / ProxyCommand v6scout connect b8:27:eb:89:bc:51 %p
    /// then `ssh pi` reaches the device wherever its address went.
    #[command(after_help = RESOLVE_AFTER_HELP)]
    Connect(ConnectArgs),
    /// Wake a sleeping device: a Wake-on-LAN magic packet to the MAC the inventory
    /// remembers, on the interface it was last seen on.
    ///
    /// QUERY is matched against the inventory (as `history` matches it), so a scan, watch
    /// or resolve must have seen the device awake once. The magic packet goes out as an
    /// Ethernet frame of type 0x0842 to the broadcast address (this needs CAP_NET_RAW;
    /// without it a warning says so) and as UDP to ff02::1 port 9. With --wait-for,
    /// v6scout then rescans that interface until the device answers and prints its
    /// address as `resolve` does: ssh pi@$(v6scout wake pi --wait-for 60s).
    #[command(after_help = WAKE_AFTER_HELP, mut_arg("interfaces", |a| a.help(WAKE_IFACE_HELP)))]
    Wake(WakeArgs),
    /// Rescan continuously; print hosts as they appear, go, or change address or MAC.
    ///
    /// Every --interval, v6scout scans and compares with the scans before. The first scan
    /// lists the hosts already there (`=`, `present`); then `+` appeared, `-` gone (missed
    /// --gone-after scans in a row), `~` address added or removed, and `!` MAC changed for
    /// an address (possible spoofing or a replaced device). One line per event, with the
    /// local time; --jsonl prints one JSON object a line instead. Hosts gone for
    /// --forget-after scans are forgotten, and at most --max-hosts addresses are tracked
    /// per interface, so memory stays bounded. Ctrl-C ends it with status 0 and a summary
    /// on stderr. Interfaces that appear while it runs (every usable one, or those -i
    /// names) are probed from the next scan on and ones that vanish are dropped, each an
    /// event (`interface-appeared`, `interface-gone`): watch keeps CAP_NET_RAW alone,
    /// permitted but not in effect, and raises it only to open a new interface's sockets.
    Watch(Box<WatchArgs>),
    /// List the devices seen before (the inventory), newest first, with every address.
    ///
    /// Every scan, watch round and resolve records what it confirmed: per interface and
    /// MAC the first and last time seen, vendor, names, addresses. `--json` is a
    /// documented, versioned document an inventory system can import.
    History(HistoryArgs),
    /// Give a remembered device a name of your own, or take it away (--remove).
    ///
    /// The label is stored in the inventory for the device's MAC and shows first wherever
    /// its name shows (table, JSON `label`, history, watch events, metrics); resolve, ssh
    /// and connect take it as QUERY. One device per label, ignoring case.
    #[command(after_help = LABEL_AFTER_HELP)]
    Label(LabelArgs),
    /// The hub: record every site's devices from an MQTT broker into this inventory.
    ///
    /// Each site runs `v6scout watch --mqtt URL --site NAME`; collect subscribes to their
    /// topics (v6scout/#) and records each device state with its site beside its
    /// interface, until Ctrl-C. Then `history` lists every site's devices (--site filters)
    /// and `resolve` names the site where another watch last saw a device. Messages that
    /// are not what a watch publishes (too big, not JSON, wrong fields, a site or MAC
    /// other than their topic's) are dropped and counted. Several hubs may collect at
    /// once.
    Collect(CollectArgs),
    /// Print a shell completion script (e.g. `v6scout completions bash > /etc/bash_completion.d/v6scout`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// `--color`: when to colour the table.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ColorWhen {
    /// Only when stdout is a terminal and NO_COLOR is not set.
    #[default]
    Auto,
    /// Always (even with NO_COLOR; piped output is plain unless --table is given too).
    Always,
    /// Never.
    Never,
}

/// `--link`: what a privileged link speaks.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LinkArg {
    /// Ethernet frames on Ethernet interfaces, raw ICMPv6 sockets elsewhere.
    #[default]
    Auto,
    /// Ethernet frames only.
    Ether,
    /// Raw ICMPv6 sockets only.
    Raw,
}

/// `--sort`: the order of `--by-host` rows.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SortArg {
    /// By vendor, then MAC.
    #[default]
    Vendor,
    /// By address (link-local first).
    Address,
    /// By MAC.
    Mac,
    /// By name; devices without one last.
    Name,
    /// Confirmed now first, stale cache entries last.
    LastSeen,
}

impl SortArg {
    fn key(self) -> SortKey {
        match self {
            SortArg::Vendor => SortKey::Vendor,
            SortArg::Address => SortKey::Address,
            SortArg::Mac => SortKey::Mac,
            SortArg::Name => SortKey::Name,
            SortArg::LastSeen => SortKey::LastSeen,
        }
    }
}

const RESOLVE_AFTER_HELP: &str =
    "Exit status: 0 found, 1 nothing matched, 2 error, 3 several devices matched.\n\
    Needs CAP_NET_RAW like the scan: sudo setcap cap_net_raw+ep \"$(command -v v6scout)\"";

const WAKE_AFTER_HELP: &str =
    "Exit status: 0 sent (with --wait-for: and the device answered), 1 no remembered device \
    matched or --wait-for ran out, 2 error (nothing could be sent), 3 several devices matched.";

const WAKE_IFACE_HELP: &str =
    "Only a device the inventory saw on this interface (repeatable). The wake and the \
    search after it use the interface the device was last seen on";

const LABEL_AFTER_HELP: &str = "Exit status: 0 done, 1 no remembered device matched (or, with \
    --remove, it has no label), 2 error (a NAME that cannot be a label, or that another \
    device has), 3 several devices matched (listed on stderr).";

/// How to probe: the options a scan and watch share.
#[derive(Args, Debug, Clone)]
pub struct ProbeArgs {
    /// Scan only this interface (repeatable). Default: every interface that is up,
    /// multicast-capable, not loopback, and has an IPv6 link-local address.
    #[arg(short = 'i', long = "interface", value_name = "IFACE", action = ArgAction::Append)]
    pub interfaces: Vec<String>,

    /// Only link-local: probe from link-local sources and list only link-local addresses.
    #[arg(short = 'L', long)]
    pub link_local: bool,

    /// Total probe window per interface (e.g. 1s, 500ms, 2.5).
    #[arg(short = 'w', long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    pub wait: Duration,

    /// Probe rounds inside the window.
    #[arg(long, value_name = "N", default_value_t = config::DEFAULT_ROUNDS, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub rounds: u32,

    /// Keep the whole --wait window and its fixed round schedule. By default the window
    /// ends once every round is out and the link has been quiet for a period long
    /// against the longest silence an answer came after (about 0.1 s on a wired link;
    /// longer as soon as a dozing station answers late).
    #[arg(long)]
    pub no_early_end: bool,

    /// Also send an MLD query: every host reports its multicast groups, which reveal every
    /// address it has (stable, temporary, other prefixes), and hosts that ignore all echo.
    /// Opt-in: the query reaches every listener and snooping switch on the link.
    #[arg(long)]
    pub mld: bool,

    /// Scan without privileges even when raw sockets are allowed: echo over ICMPv6 ping
    /// sockets only (the default fallback without CAP_NET_RAW). Misses hosts that ignore
    /// multicast echo, NA-confirmed MACs and routers.
    #[arg(long)]
    pub unprivileged: bool,

    /// How a privileged scan talks to the link: `ether` sends and receives Ethernet
    /// frames itself (a packet socket and a memory-mapped ring: the scan adds nothing to
    /// the kernel's neighbour table, and answers the neighbour solicitations for its own
    /// addresses), `raw` goes through the kernel's raw ICMPv6 sockets, `auto` is ether
    /// on Ethernet interfaces and raw elsewhere. For comparing the two, or falling back.
    #[arg(long, value_name = "KIND", value_enum, default_value_t = LinkArg::Auto)]
    pub link: LinkArg,

    /// Do not read the kernel's neighbour cache (MACs then come only from the probes).
    #[arg(long)]
    pub no_ndp_cache: bool,

    /// Do not look up host names (mDNS reverse queries to ff02::fb, Node Information Node
    /// Name queries, reverse DNS).
    #[arg(long)]
    pub no_names: bool,

    /// Flood protection for what nobody asked for, per interface (watch: also the most
    /// devices it tracks): at most N/8 (at least 8) addresses known only from their Router
    /// Advertisements, and as many only heard announcing themselves; more are dropped and
    /// counted. Hosts answering our probes are bounded by --max-memory instead.
    #[arg(long, value_name = "N", default_value_t = config::DEFAULT_MAX_HOSTS as u32, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_hosts: u32,

    /// Memory for the hosts that answer our probes, per interface, in MiB (an address
    /// costs at most 4 KiB: the default keeps 65,536). When it is reached, every host keeps
    /// one address before any host gets a second, and a warning says how many were dropped.
    #[arg(long, value_name = "MIB", default_value_t = config::DEFAULT_MAX_MEMORY_MIB as u32, value_parser = clap::value_parser!(u32).range(1..=65_536))]
    pub max_memory: u32,
}

/// Options of a scan.
#[derive(Args, Debug, Clone)]
pub struct ScanArgs {
    /// Where and how to probe.
    #[command(flatten)]
    pub probe: ProbeArgs,

    /// Also sweep each interface's IPv4 subnet with ARP (paced, inside the probe window) to
    /// learn every host's IPv4 address by MAC; without it only recently confirmed ARP
    /// entries are used.
    #[arg(short = '4', long)]
    pub ipv4: bool,

    /// Largest IPv4 subnet swept, in host addresses (a /22 by default); larger ones are
    /// skipped with a warning unless raised.
    #[arg(long, value_name = "N", default_value_t = crate::ipv4::DEFAULT_MAX_HOSTS)]
    pub ipv4_max_hosts: u32,

    /// ARP requests per second per interface during the sweep.
    #[arg(long, value_name = "N", default_value_t = crate::ipv4::DEFAULT_RATE, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub ipv4_rate: u32,

    /// Check these TCP ports on every host (e.g. 22,80) with a plain connect to its
    /// link-local address; adds at most a quarter second.
    #[arg(long, value_name = "PORTS")]
    pub ports: Option<crate::reach::Ports>,

    /// Check whether ssh answers (same as --ports 22).
    #[arg(long)]
    pub services: bool,

    /// Print one JSON document (schema version 1, see README).
    #[arg(long, group = "format")]
    pub json: bool,

    /// Print JSON Lines: one line per address as soon as it is confirmed, then a summary
    /// line (see README); for `v6scout --jsonl | jq`.
    #[arg(long, group = "format")]
    pub jsonl: bool,

    /// Print one address a line in stable columns (default when stdout is not a terminal).
    #[arg(long, group = "format")]
    pub plain: bool,

    /// Print tables (default when stdout is a terminal).
    #[arg(long, group = "format")]
    pub table: bool,

    /// Colour the table: auto (only on a terminal, never with NO_COLOR), always, never.
    #[arg(long, value_name = "WHEN", value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,

    /// With --plain: leave out the column header line.
    #[arg(long, conflicts_with_all = ["json", "jsonl", "table"])]
    pub no_header: bool,

    /// One row per device per interface instead of one per address: MAC, vendor, name,
    /// the scoped link-local address (what ssh needs), then its other addresses, IPv4,
    /// open ports and marks. Table and plain output only.
    #[arg(long, conflicts_with_all = ["json", "jsonl"])]
    pub by_host: bool,

    /// With --by-host: the order of the devices on each interface.
    #[arg(long, value_name = "KEY", value_enum, requires = "by_host", default_value_t = SortArg::Vendor)]
    pub sort: SortArg,

    /// Print the summary line ("12 hosts on 2 interfaces in 0.92 s") on stderr even when
    /// stderr is not a terminal; without -v it goes there only for a person watching.
    #[arg(short = 'v', long)]
    pub verbose: bool,

    /// Also list this machine's own addresses, marked `self`.
    #[arg(long)]
    pub include_self: bool,

    /// Also list neighbour-cache entries that nothing confirmed during the scan, marked `stale`.
    #[arg(long)]
    pub include_stale: bool,

    /// The device inventory.
    #[command(flatten)]
    pub memory: InventoryArgs,
}

/// Options of `watch`.
#[derive(Args, Debug, Clone)]
pub struct WatchArgs {
    /// Where and how to probe in each scan.
    #[command(flatten)]
    pub probe: ProbeArgs,

    /// Time from the start of one scan to the start of the next.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub interval: Duration,

    /// Print one JSON object a line per event (see README), flushed at once.
    #[arg(long)]
    pub jsonl: bool,

    /// Run `sh -c CMD` for each event, with the event in V6SCOUT_* environment variables
    /// (never on the command line). Commands run in the background; their output goes to
    /// stderr.
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,

    /// A host (or an address of a present host) is gone after this many scans in a row
    /// without it.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub gone_after: u32,

    /// Forget a gone host after this many more scans (until then a returning host is
    /// marked as such, and a new MAC on one of its addresses is flagged).
    #[arg(long, value_name = "N", default_value_t = 720, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub forget_after: u32,

    /// Serve Prometheus metrics on ADDR:PORT (e.g. `[::1]:9469`, `127.0.0.1:9469`):
    /// `GET /metrics`, updated after every scan. A wildcard address (`[::]`, `0.0.0.0`)
    /// needs --metrics-public.
    #[arg(long, value_name = "ADDR:PORT")]
    pub metrics: Option<std::net::SocketAddr>,

    /// Allow --metrics on a wildcard address: every network the machine is on can then
    /// read the device list.
    #[arg(long, requires = "metrics")]
    pub metrics_public: bool,

    /// Notifications of events.
    #[command(flatten)]
    pub notify: NotifyArgs,

    /// Publishing to an MQTT broker.
    #[command(flatten)]
    pub mqtt: MqttArgs,

    /// The device inventory.
    #[command(flatten)]
    pub memory: InventoryArgs,
}

impl ProbeArgs {
    /// Writes these options into `cfg`.
    fn apply(&self, cfg: &mut ScanConfig) {
        cfg.interfaces = self.interfaces.clone();
        cfg.link_local_only = self.link_local;
        cfg.wait = self.wait;
        cfg.rounds = self.rounds;
        cfg.early_end = !self.no_early_end;
        cfg.mld = self.mld;
        cfg.unprivileged = self.unprivileged;
        cfg.link = match self.link {
            LinkArg::Auto => config::LinkKind::Auto,
            LinkArg::Ether => config::LinkKind::Ether,
            LinkArg::Raw => config::LinkKind::Raw,
        };
        cfg.neigh_cache = !self.no_ndp_cache;
        cfg.names = !self.no_names;
        cfg.max_hosts = self.max_hosts as usize;
        cfg.max_memory_mib = self.max_memory as usize;
    }
}

impl ScanArgs {
    /// The scan these options ask for.
    pub fn config(&self) -> ScanConfig {
        let mut cfg = ScanConfig::default();
        self.probe.apply(&mut cfg);
        cfg.ipv4_sweep = self.ipv4.then_some(SweepConfig {
            rate: self.ipv4_rate,
            max_hosts: self.ipv4_max_hosts,
        });
        cfg.ports = match (&self.ports, self.services) {
            (Some(p), _) => Some(p.0.clone()),
            (None, true) => Some(vec![22]),
            (None, false) => None,
        };
        cfg.include_self = self.include_self;
        cfg.include_stale = self.include_stale;
        cfg
    }

    /// How to print it.
    pub fn output(&self) -> OutputConfig {
        let format = if self.json {
            FormatChoice::Json
        } else if self.jsonl {
            FormatChoice::Jsonl
        } else if self.plain {
            FormatChoice::Plain
        } else if self.table {
            FormatChoice::Table
        } else {
            FormatChoice::Auto
        };
        OutputConfig {
            format,
            header: !self.no_header,
            color: match self.color {
                ColorWhen::Auto => ColorChoice::Auto,
                ColorWhen::Always => ColorChoice::Always,
                ColorWhen::Never => ColorChoice::Never,
            },
            by_host: self.by_host.then(|| self.sort.key()),
            verbose: self.verbose,
        }
    }
}

impl WatchArgs {
    /// What watch is asked to do: each scan with the scan defaults and watch's probe options.
    pub fn settings(&self) -> WatchSettings {
        let mut scan = ScanConfig::default();
        self.probe.apply(&mut scan);
        WatchSettings {
            interval: self.interval,
            jsonl: self.jsonl,
            exec: self.exec.clone(),
            events: WatchConfig {
                gone_after: self.gone_after,
                forget_after: self.forget_after,
                // The hosts a scan keeps: bounded by memory like the scan's own tables.
                max_tracked: scan.max_answers(),
            },
            scan,
            inventory: self.memory.config(),
            metrics: self.metrics.map(|addr| MetricsListen {
                addr,
                public: self.metrics_public,
            }),
            notify: self.notify.config(),
            mqtt: self.mqtt.config(),
        }
    }
}

/// What a command line asks for: a job for the engine, or a completion script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Invocation {
    /// Run the job.
    Run(Box<Job>),
    /// Print the completion script of this shell.
    Completions(clap_complete::Shell),
}

impl Cli {
    /// The command line as the engine takes it.
    pub fn invocation(&self) -> Invocation {
        let scan = |a: &ScanArgs| Job::Scan {
            scan: a.config(),
            output: a.output(),
            inventory: a.memory.config(),
        };
        Invocation::Run(Box::new(match &self.command {
            None => scan(&self.scan),
            Some(Command::Scan(a)) => scan(a),
            Some(Command::Resolve(a)) => Job::Find(a.config()),
            Some(Command::Ssh(a)) => a.job(),
            Some(Command::Connect(a)) => Job::Find(a.config()),
            Some(Command::Wake(a)) => Job::Wake(a.config()),
            Some(Command::Watch(a)) => Job::Watch(a.settings()),
            Some(Command::History(a)) => Job::History(a.config()),
            Some(Command::Collect(a)) => Job::Collect(a.config()),
            Some(Command::Label(a)) => Job::Label(a.config()),
            Some(Command::Completions { shell }) => return Invocation::Completions(*shell),
        }))
    }
}

/// Prints the completion script for `shell`; a closed stdout is not an error.
pub fn print_completions(shell: clap_complete::Shell) -> ExitCode {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "v6scout", &mut out);
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(&out).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            crate::say!(
                "v6scout: error: writing the completions: {}",
                crate::warning::io_reason(&e)
            );
            ExitCode::from(2)
        }
    }
}

/// A usage error as one line for stderr: clap's message, with its usage block and help
/// hint folded into `; try --help`, so a script's log gets one line per failure.
pub fn usage_error_line(e: &clap::Error) -> String {
    if let Some(line) = misplaced_option(e) {
        return line;
    }
    let text = e.render().to_string();
    let mut in_usage = false;
    let msg: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| {
            // The usage block runs from "Usage:" to the next blank line.
            in_usage = (in_usage || l.starts_with("Usage:")) && !l.is_empty();
            !in_usage && !l.is_empty() && !l.starts_with("For more")
        })
        .collect();
    let msg = msg.join(" ");
    let msg = msg.strip_prefix("error: ").unwrap_or(&msg);
    format!("v6scout: error: {msg}; try --help")
}

/// For an option of the scan given before a subcommand (`v6scout -i eth1 resolve pi`):
/// where it goes, if the subcommand takes it, or that it does not. Read from the error's
/// kind and context (the subcommand, and the one option given before it), never from its
/// wording; several options before the subcommand keep clap's message, which lists them.
fn misplaced_option(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    use clap::CommandFactory;
    if e.kind() != ErrorKind::ArgumentConflict {
        return None;
    }
    let Some(ContextValue::String(sub)) = e.get(ContextKind::InvalidSubcommand) else {
        return None;
    };
    // The option as clap shows it: `--interface <IFACE>`.
    let Some(ContextValue::String(given)) = e.get(ContextKind::PriorArg) else {
        return None;
    };
    let mut cmd = Cli::command();
    // Built as the parser built it, so each argument shows as in the error.
    cmd.build();
    let long = cmd
        .get_arguments()
        .find(|a| a.to_string() == *given)?
        .get_long()?;
    let flag = format!("--{long}");
    let Some(arg) = cmd
        .find_subcommand(sub)?
        .get_arguments()
        .find(|a| a.get_long() == Some(long))
    else {
        return Some(format!(
            "v6scout: error: '{sub}' has no option '{flag}'; try v6scout {sub} --help"
        ));
    };
    let value = given.strip_prefix(flag.as_str()).unwrap_or("");
    let name = arg.get_short().map_or(flag, |c| format!("-{c}"));
    Some(format!(
        "v6scout: error: options of '{sub}' go after it: put '{name}' after '{sub}' \
         (v6scout {sub} {name}{value} …)"
    ))
}

/// Parses `1s`, `500ms`, `1m 30s` (humantime) or plain seconds such as `2.5`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let d = match s.trim().parse::<f64>() {
        Ok(secs) if (0.0..1e9).contains(&secs) => Duration::from_secs_f64(secs),
        Ok(_) => return Err(format!("'{s}' is not a usable duration")),
        Err(_) => humantime::parse_duration(s.trim())
            .map_err(|e| format!("'{s}' is not a duration ({e}); try 1s, 500ms or 2.5"))?,
    };
    if d < Duration::from_millis(10) {
        return Err(format!("'{s}' is too short; the shortest window is 10ms"));
    }
    if d > Duration::from_secs(3600) {
        return Err(format!("'{s}' is too long; the longest window is 1h"));
    }
    Ok(d)
}

#[cfg(test)]
#[path = "cli_tests.rs"]
mod tests;
