//! What the engine is asked to do, as plain data. The command line is turned into these
//! values once (`cli`), and so are a test's or a benchmark's wishes; the engine (`app`,
//! `platform`) never sees clap's types. Every default lives here, in [`Default`].

use crate::group::GroupOptions;
use crate::output::table::TableStyle;
use crate::output::Format;
use crate::query::Prefer;
use crate::watch::WatchConfig;
use std::path::PathBuf;
use std::time::Duration;

/// Default probe window.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(1);
/// Default number of probe rounds inside the window.
pub const DEFAULT_ROUNDS: u32 = 3;
/// Default most addresses kept per interface.
pub const DEFAULT_MAX_HOSTS: usize = 4096;
/// Memory for the addresses that answer our probes, per interface, in MiB (`--max-memory`).
pub const DEFAULT_MAX_MEMORY_MIB: usize = 256;
/// What one answering address costs at most, from the probe worker to the JSON document:
/// about 2.5 KiB measured (0.9 KiB in the scan, 1.7 KiB collected, grouped and rendered:
/// `cargo bench --bench scale`, 10,000 hosts), with room to spare.
pub const BYTES_PER_ADDRESS: usize = 4096;
/// Default time from the start of one watch scan to the start of the next.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
/// Default age of the remembered addresses a scan re-solicits: 30 days.
pub const DEFAULT_RECALL: Duration = Duration::from_secs(30 * 86_400);
/// Default age past which the inventory forgets a device: 180 days.
pub const DEFAULT_PRUNE_AFTER: Duration = Duration::from_secs(180 * 86_400);

/// Where the device inventory lives.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum InventoryPlace {
    /// `$V6SCOUT_INVENTORY`, else the user's state directory.
    #[default]
    Default,
    /// This file.
    Path(PathBuf),
    /// No inventory: nothing read, nothing written.
    Off,
}

/// The device inventory of a scan, a search or a watch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InventoryConfig {
    /// Where it is.
    pub place: InventoryPlace,
    /// Remembered addresses seen within this long are solicited again.
    pub recall: Duration,
    /// Devices not seen for this long are forgotten.
    pub prune_after: Duration,
}

impl Default for InventoryConfig {
    fn default() -> Self {
        InventoryConfig {
            place: InventoryPlace::Default,
            recall: DEFAULT_RECALL,
            prune_after: DEFAULT_PRUNE_AFTER,
        }
    }
}

/// `history`: the devices the inventory knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryConfig {
    /// Only devices matching this QUERY (the resolve grammar).
    pub query: Option<String>,
    /// Only devices seen within this long.
    pub since: Option<Duration>,
    /// Only devices of this site (recorded by a hub); `None`: every device.
    pub site: Option<String>,
    /// Table, plain or JSON.
    pub format: FormatChoice,
    /// Which inventory.
    pub place: InventoryPlace,
    /// Only check the file's integrity.
    pub check: bool,
}

/// `label`: give a remembered device a name of the admin's, or take it away.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelConfig {
    /// The device, as a QUERY (the resolve grammar) over the inventory.
    pub query: String,
    /// The label to give it; `None`: remove its label.
    pub label: Option<String>,
    /// Which inventory.
    pub place: InventoryPlace,
}

/// One scan: where and how to probe, and what to add to the result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanConfig {
    /// Interfaces to scan by name; empty: every usable one.
    pub interfaces: Vec<String>,
    /// Probe from (and list) link-local addresses only.
    pub link_local_only: bool,
    /// The probe window.
    pub wait: Duration,
    /// Probe rounds inside the window (at least one).
    pub rounds: u32,
    /// End the window once the link has gone quiet (`wait` stays the bound); `false`
    /// (`--no-early-end`) keeps fixed windows.
    pub early_end: bool,
    /// Also send an MLD query and confirm the addresses its reports imply.
    pub mld: bool,
    /// Use unprivileged ping sockets even when raw sockets are allowed.
    pub unprivileged: bool,
    /// What a privileged link speaks on the wire.
    pub link: LinkKind,
    /// Read the kernel's neighbour cache (MACs of answering addresses, ARP entries).
    pub neigh_cache: bool,
    /// Look up host names (mDNS, Node Information, reverse DNS).
    pub names: bool,
    /// Bounds what nobody asked for, per interface: at most an eighth of it may be routers
    /// known only from their advertisements, an eighth hosts only heard.
    pub max_hosts: usize,
    /// Memory for addresses that answer our probes, per interface, in MiB: they are the
    /// link's hosts, bounded by memory rather than by a count ([`ScanConfig::max_answers`]).
    pub max_memory_mib: usize,
    /// Sweep each interface's IPv4 subnet with ARP (`--ipv4`).
    pub ipv4_sweep: Option<SweepConfig>,
    /// TCP ports to check on every host (`--ports`).
    pub ports: Option<Vec<u16>>,
    /// List our own addresses, marked.
    pub include_self: bool,
    /// List neighbour-cache entries nothing confirmed, marked stale.
    pub include_stale: bool,
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            interfaces: Vec::new(),
            link_local_only: false,
            wait: DEFAULT_WAIT,
            rounds: DEFAULT_ROUNDS,
            early_end: true,
            mld: false,
            unprivileged: false,
            link: LinkKind::Auto,
            neigh_cache: true,
            names: true,
            max_hosts: DEFAULT_MAX_HOSTS,
            max_memory_mib: DEFAULT_MAX_MEMORY_MIB,
            ipv4_sweep: None,
            ports: None,
            include_self: false,
            include_stale: false,
        }
    }
}

impl ScanConfig {
    /// How many answering addresses one interface keeps: `--max-memory` at
    /// [`BYTES_PER_ADDRESS`] each (65,536 by default).
    pub fn max_answers(&self) -> usize {
        (self.max_memory_mib.saturating_mul(1 << 20) / BYTES_PER_ADDRESS).max(1)
    }

    /// What grouping shows.
    pub fn group_options(&self) -> GroupOptions {
        GroupOptions {
            include_self: self.include_self,
            link_local_only: self.link_local_only,
        }
    }
}

/// The ARP sweep of `--ipv4`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepConfig {
    /// Requests a second per interface.
    pub rate: u32,
    /// Largest subnet swept, in host addresses.
    pub max_hosts: u32,
}

impl Default for SweepConfig {
    fn default() -> Self {
        SweepConfig {
            rate: crate::ipv4::DEFAULT_RATE,
            max_hosts: crate::ipv4::DEFAULT_MAX_HOSTS,
        }
    }
}

/// How a privileged link sends and receives (`--link`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LinkKind {
    /// Ethernet frames where the interface has Ethernet framing, raw ICMPv6 sockets
    /// elsewhere.
    #[default]
    Auto,
    /// Ethernet frames only: interfaces without Ethernet framing are not scanned.
    Ether,
    /// The kernel's raw ICMPv6 sockets.
    Raw,
}

/// The output format asked for; `Auto` is a table on a terminal, plain text otherwise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FormatChoice {
    /// Decide by whether stdout is a terminal.
    #[default]
    Auto,
    /// Tables.
    Table,
    /// One address a line.
    Plain,
    /// One JSON document.
    Json,
    /// JSON Lines.
    Jsonl,
}

/// When to colour the table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorChoice {
    /// Only on a terminal, and never with `NO_COLOR` set.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// How to print a scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputConfig {
    /// The format.
    pub format: FormatChoice,
    /// Plain output's column header line.
    pub header: bool,
    /// Colour.
    pub color: ColorChoice,
    /// One row per device per interface (`--by-host`), in this order; `None`: one row per
    /// address, grouped by prefix.
    pub by_host: Option<crate::output::byhost::SortKey>,
    /// Print the summary line on stderr even when it is not a terminal (`-v`).
    pub verbose: bool,
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            format: FormatChoice::Auto,
            header: true,
            color: ColorChoice::Auto,
            by_host: None,
            verbose: false,
        }
    }
}

/// What the output is settled against: the terminal on stdout, as read once at the start
/// of a run (or as a test gives it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Terminal {
    /// Stdout is a terminal.
    pub is_tty: bool,
    /// Its width in columns, when known.
    pub width: Option<u16>,
    /// The value of `NO_COLOR`, when set.
    pub no_color: Option<std::ffi::OsString>,
}

impl OutputConfig {
    /// The complete format: the flags settled against the terminal, once. `Auto` is a
    /// table on a terminal and plain text otherwise; a table fits the terminal it is on
    /// and is coloured as [`use_color`] decides.
    pub fn format(&self, term: &Terminal) -> Format {
        let table = || Format::Table {
            style: TableStyle {
                width: if term.is_tty { term.width } else { None },
                color: use_color(self.color, term.is_tty, term.no_color.as_deref()),
            },
            by_host: self.by_host,
        };
        match self.format {
            FormatChoice::Json => Format::Json,
            FormatChoice::Jsonl => Format::Jsonl,
            FormatChoice::Table => table(),
            FormatChoice::Auto if term.is_tty => table(),
            FormatChoice::Plain | FormatChoice::Auto => Format::Plain {
                header: self.header,
                by_host: self.by_host,
            },
        }
    }
}

/// Whether to colour: `--color always`/`never` decide; `auto` colours only a terminal,
/// and never when `NO_COLOR` is set to anything non-empty (no-color.org).
pub fn use_color(
    choice: ColorChoice,
    is_terminal: bool,
    no_color: Option<&std::ffi::OsStr>,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_terminal && no_color.is_none_or(|v| v.is_empty()),
    }
}

/// What `resolve`, `ssh` and `connect` do with the device they find.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FindAction {
    /// Print its address (`all`: of every matching device).
    Print {
        /// Every match instead of an ambiguity error.
        all: bool,
    },
    /// Run `ssh` to it.
    Ssh {
        /// The login name, if given (`user@QUERY`).
        user: Option<String>,
        /// Arguments for ssh.
        args: Vec<String>,
        /// Print the ssh command line first.
        verbose: bool,
    },
    /// Relay stdin/stdout to a TCP connection to it.
    Connect {
        /// The TCP port.
        port: u16,
    },
}

/// A search for one device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindConfig {
    /// The QUERY as typed.
    pub query: String,
    /// Each scan of the search.
    pub scan: ScanConfig,
    /// Which of the device's addresses to use.
    pub prefer: Prefer,
    /// Rescan until the device appears, for at most this long.
    pub wait_for: Option<Duration>,
    /// What to do with it.
    pub action: FindAction,
    /// The inventory: remembered addresses asked first, "last seen" when it is gone.
    pub inventory: InventoryConfig,
}

/// How long `ssh --wake` waits for the device to come up, unless `--wait-for` says: a
/// suspended PC answers within seconds, one that boots from power-off within a minute
/// or two.
pub const DEFAULT_WAKE_WAIT: Duration = Duration::from_secs(120);

/// `wake`: a Wake-on-LAN magic packet to a device the inventory remembers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WakeConfig {
    /// The QUERY as typed, matched against the inventory.
    pub query: String,
    /// Only devices seen on these interfaces (`-i`); empty: any.
    pub interfaces: Vec<String>,
    /// The inventory that remembers the device.
    pub inventory: InventoryConfig,
    /// After the wake: search for the device until it answers, then print its address or
    /// run ssh (`--wait-for`, `ssh --wake`); `None`: only send.
    pub then: Option<FindConfig>,
}

/// `watch`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchSettings {
    /// Each scan.
    pub scan: ScanConfig,
    /// From the start of one scan to the start of the next.
    pub interval: Duration,
    /// JSON Lines instead of text lines.
    pub jsonl: bool,
    /// A command to run per event.
    pub exec: Option<String>,
    /// The event logic's tuning.
    pub events: WatchConfig,
    /// The inventory: new or returning devices, every round recorded.
    pub inventory: InventoryConfig,
    /// `--metrics`: where to serve Prometheus metrics (`None`: not served).
    pub metrics: Option<MetricsListen>,
    /// `--notify`: notifications of the events (no targets: none).
    pub notify: crate::notify::NotifyConfig,
    /// `--mqtt`: where and how to publish the site (`None`: not published).
    pub mqtt: Option<MqttPublish>,
}

/// An MQTT broker and how to log in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MqttBroker {
    /// Its URL (user and perhaps password included).
    pub url: crate::mqtt::broker::BrokerUrl,
    /// A file whose first line is the password.
    pub password_file: Option<std::path::PathBuf>,
}

/// `watch --mqtt`: publishing a site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MqttPublish {
    /// The broker.
    pub broker: MqttBroker,
    /// `--site` (`None`: from the host name).
    pub site: Option<crate::mqtt::topic::Site>,
    /// `--mqtt-ha`: Home Assistant discovery.
    pub ha: bool,
    /// A present device's unchanged state is published again after this long.
    pub refresh: Duration,
}

/// `v6scout collect`: the hub.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollectConfig {
    /// The broker the sites publish to.
    pub broker: MqttBroker,
    /// The inventory it records into.
    pub inventory: InventoryPlace,
}

/// Where `watch --metrics` listens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetricsListen {
    /// The address and port.
    pub addr: std::net::SocketAddr,
    /// `--metrics-public`: a wildcard address (`[::]`, `0.0.0.0`) is allowed.
    pub public: bool,
}

/// One run of v6scout, as the engine takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Job {
    /// Scan and print.
    Scan {
        /// The scan.
        scan: ScanConfig,
        /// How to print it.
        output: OutputConfig,
        /// What it remembers.
        inventory: InventoryConfig,
    },
    /// Find one device.
    Find(FindConfig),
    /// Wake one remembered device (and find it once it is up).
    Wake(WakeConfig),
    /// Rescan and print events.
    Watch(WatchSettings),
    /// List the devices the inventory knows.
    History(HistoryConfig),
    /// Label a remembered device, or remove its label.
    Label(LabelConfig),
    /// Record every site's devices from an MQTT broker.
    Collect(CollectConfig),
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
