//! The one seam to the operating system. A backend ([`Backend`]) opens what a scan sends
//! and receives through — probe links, the ARP sweep's layer-2 channels, the neighbour
//! cache, the name resolver, the TCP connector — and gives up privileges; [`open_with`]
//! turns it, once per run, into one [`Os`] value that the engine (`app::Scanner`) takes.
//! A watch adds and drops the links of interfaces that come and go (`hotplug.rs`).
//!
//! Linux is the one backend so far (`linux.rs` and its folder). Another system is one
//! more file beside it, chosen by the `cfg` lines below: nothing else in the crate names
//! an operating system.

mod hotplug;
#[cfg(target_os = "linux")]
mod linux;

// Every other system stops here, in one line, rather than in a dependency it lacks.
#[cfg(not(target_os = "linux"))]
compile_error!(
    "v6scout has no platform backend for this operating system: only Linux has one \
     (src/platform/linux.rs); another system's backend goes beside it in src/platform/ \
     and is chosen in src/platform.rs"
);
#[cfg(unix)]
mod unix;

pub use hotplug::{add_interface_with, remove_interface, Added};

/// The platform's parsers of kernel messages, for the fuzz targets (`tests/cargo-fuzz`):
/// not an API.
#[doc(hidden)]
pub mod fuzzing {
    /// The neighbour entries one rtnetlink dump datagram gives (Linux; empty elsewhere).
    pub fn neighbour_batch(
        buf: &[u8],
    ) -> (
        Vec<crate::neigh::NeighEntry>,
        Vec<crate::neigh::Ipv4Neighbour>,
    ) {
        #[cfg(target_os = "linux")]
        return super::linux::netlink::entries_of_batch(buf);
        #[cfg(not(target_os = "linux"))]
        {
            let _ = buf;
            (Vec::new(), Vec::new())
        }
    }
}

use crate::config::{LinkKind, ScanConfig};
use crate::iface::{self, Interface};
use crate::ipv4::sweep::ArpChannel;
use crate::mac::Mac;
use crate::names::Resolver;
use crate::neigh::NeighSource;
use crate::probe::Link;
use crate::reach::Connector;
use crate::warning::Warning;
use anyhow::{bail, Result};
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6, TcpStream};
use std::time::Duration;

/// The command that grants v6scout CAP_NET_RAW once, quoted in every message about it.
pub const SETCAP: &str = "sudo setcap cap_net_raw+ep \"$(command -v v6scout)\"";

/// Why a probe socket could not be opened.
#[derive(Debug)]
pub enum OpenError {
    /// The process lacks CAP_NET_RAW.
    NoPrivilege,
    /// Unprivileged ICMPv6 ping sockets are refused too (the user's group is outside
    /// `net.ipv4.ping_group_range`, which also governs IPv6 ping sockets).
    NoPingSocket,
    /// The interface has no Ethernet framing (no MAC, or another link type): an Ethernet
    /// link cannot be opened on it.
    NotEthernet,
    /// Anything else the system refused, with what was being done.
    Io(&'static str, io::Error),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::NoPrivilege => write!(
                f,
                "raw ICMPv6 sockets need the CAP_NET_RAW capability: run v6scout with sudo, \
                 or grant it once with: {SETCAP}"
            ),
            OpenError::NoPingSocket => write!(
                f,
                "raw ICMPv6 sockets need the CAP_NET_RAW capability and unprivileged ping \
                 sockets are not allowed for your group: run v6scout with sudo, or grant it \
                 once with: {SETCAP}, or (the administrator's choice, it allows every user to ping) \
                 enable ping sockets: sudo sysctl net.ipv4.ping_group_range=\"0 2147483647\""
            ),
            OpenError::NotEthernet => write!(
                f,
                "the interface has no Ethernet framing, so --link ether cannot be used on \
                 it: scan it with --link raw (or auto)"
            ),
            OpenError::Io(what, e) => write!(f, "{what}: {e}"),
        }
    }
}

impl std::error::Error for OpenError {}

/// A probe link that can be sent on from any thread.
pub type BoxLink = Box<dyn Link + Send>;

/// What an operating system provides. Opening may need privileges; everything else not.
pub trait Backend: Sync {
    /// Every network interface, as plain data.
    fn interfaces(&self) -> Vec<Interface>;
    /// A raw ICMPv6 link on `iface` probing from `sources` (`mld`: also receive MLD reports).
    fn open_raw(
        &self,
        iface: &Interface,
        sources: &[Ipv6Addr],
        mld: bool,
    ) -> Result<BoxLink, OpenError>;
    /// A link on `iface` that speaks Ethernet itself (packet socket and ring), probing
    /// from `sources`; [`OpenError::NotEthernet`] where it cannot (the default: no
    /// system has one).
    fn open_ether(
        &self,
        iface: &Interface,
        sources: &[Ipv6Addr],
        mld: bool,
    ) -> Result<BoxLink, OpenError> {
        let _ = (iface, sources, mld);
        Err(OpenError::NotEthernet)
    }
    /// An unprivileged, echo-only link on `iface`.
    fn open_ping(&self, iface: &Interface, sources: &[Ipv6Addr]) -> Result<BoxLink, OpenError>;
    /// The interface's first IPv4 address and prefix length, if it has one.
    fn interface_ipv4(&self, ifindex: u32) -> Option<(Ipv4Addr, u8)>;
    /// The layer-2 channel of interface `ifindex`, for the ARP sweep; the error is worded
    /// for the user.
    fn open_arp(&self, ifindex: u32) -> Result<Box<dyn ArpChannel + Send>, String>;
    /// The user who ran `sudo v6scout`, when this process is root because of it.
    fn invoking_user(&self) -> Option<Identity>;
    /// Gives up every privilege for good (called once every socket is open); as root
    /// under sudo, becomes `user`. With `keep_net_raw`, CAP_NET_RAW (when the process has
    /// it) stays permitted but not effective, for [`Backend::net_raw`]; returns whether
    /// it was kept.
    fn drop_privileges(&self, user: Option<&Identity>, keep_net_raw: bool) -> io::Result<bool>;
    /// Raises the CAP_NET_RAW [`Backend::drop_privileges`] kept into effect (`raised`),
    /// or lowers it again.
    fn net_raw(&self, raised: bool) -> io::Result<()>;
    /// The kernel's neighbour cache.
    fn neighbours(&self) -> Box<dyn NeighSource + Send + Sync>;
    /// Makes the name resolvers (one per scan).
    fn resolvers(&self) -> ResolverFactory;
}

/// A user the process runs as once its privileges are gone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
    /// Home directory from the password database, if it has one.
    pub home: Option<std::path::PathBuf>,
}

/// The ids `sudo` says it was run by (`SUDO_UID`, `SUDO_GID`), when this process is root
/// (real and effective) and both parse as non-root ids.
pub fn sudo_ids(
    sudo_uid: Option<&std::ffi::OsStr>,
    sudo_gid: Option<&std::ffi::OsStr>,
    root: bool,
) -> Option<(u32, u32)> {
    let id = |v: Option<&std::ffi::OsStr>| v?.to_str()?.parse::<u32>().ok();
    let (uid, gid) = (id(sudo_uid)?, id(sudo_gid)?);
    (root && uid != 0).then_some((uid, gid))
}

/// An interface whose ARP sweep channel is open.
pub struct ArpPort {
    /// Interface index.
    pub index: u32,
    /// Interface name.
    pub name: String,
    /// Our MAC on it.
    pub mac: Mac,
    /// Our IPv4 address and prefix length on it.
    pub own: (Ipv4Addr, u8),
    /// The channel.
    pub chan: Box<dyn ArpChannel + Send>,
}

/// What privilege survives once the sockets are open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Nothing: a scan or a search never opens another socket.
    Nothing,
    /// CAP_NET_RAW, permitted but not effective, raised only to open the sockets of an
    /// interface that appears later (watch).
    NetRaw,
}

/// Makes each scan's name resolver.
pub type ResolverFactory = Box<dyn Fn() -> Box<dyn Resolver> + Send + Sync>;

/// Everything the engine takes from the operating system, opened once for a series of
/// scans: after [`open_with`] returns, no privilege is left but, with [`Keep::NetRaw`],
/// a permitted CAP_NET_RAW.
pub struct Os {
    /// One probe link per interface to scan, in scan order.
    pub links: Vec<(Interface, BoxLink)>,
    /// The ARP sweep's channels (`--ipv4`).
    pub arp: Vec<ArpPort>,
    /// The kernel's neighbour cache (`None`: not to be read).
    pub neigh: Option<Box<dyn NeighSource + Send + Sync>>,
    /// Makes each scan's resolver (`None`: no name lookups).
    pub resolver: Option<ResolverFactory>,
    /// Opens TCP connections (port checks, the ssh helper's check).
    pub connector: Box<dyn Connector + Send + Sync>,
    /// The links are echo-only ping sockets (no CAP_NET_RAW, or `--unprivileged`).
    pub unprivileged: bool,
    /// Under sudo: the user the process became (whose state the inventory belongs to).
    pub user: Option<Identity>,
    /// CAP_NET_RAW is still permitted, so links on new interfaces can be opened.
    pub net_raw_kept: bool,
}

/// The TCP connector of the standard library.
#[derive(Clone, Copy, Debug, Default)]
pub struct TcpConnector;

impl Connector for TcpConnector {
    fn accepts(&self, addr: SocketAddrV6, timeout: Duration) -> bool {
        TcpStream::connect_timeout(&SocketAddr::V6(addr), timeout).is_ok()
    }
}

/// The source addresses a link probes from: its link-local, then (unless link-local
/// only) each global/ULA address.
pub fn probe_sources(iface: &Interface, link_local_only: bool) -> Vec<Ipv6Addr> {
    let mut sources: Vec<_> = iface.link_local().into_iter().collect();
    if !link_local_only {
        sources.extend(
            iface
                .addrs
                .iter()
                .map(|a| a.addr)
                .filter(|a| !crate::model::is_link_local(*a) && crate::model::is_host_address(*a)),
        );
    }
    sources
}

/// Opens the privileged link `cfg.link` asks for on `iface`: with `auto`, an Ethernet
/// link where the interface has Ethernet framing and the system can open one, a raw
/// ICMPv6 link otherwise.
pub fn open_privileged(
    backend: &dyn Backend,
    iface: &Interface,
    sources: &[Ipv6Addr],
    cfg: &ScanConfig,
) -> Result<BoxLink, OpenError> {
    match cfg.link {
        LinkKind::Raw => backend.open_raw(iface, sources, cfg.mld),
        LinkKind::Ether => backend.open_ether(iface, sources, cfg.mld),
        LinkKind::Auto => match backend.open_ether(iface, sources, cfg.mld) {
            Err(OpenError::NoPrivilege) => Err(OpenError::NoPrivilege),
            // No Ethernet framing, or no ring (memory): the kernel's sockets still work.
            Err(_) => backend.open_raw(iface, sources, cfg.mld),
            ok => ok,
        },
    }
}

/// A privileged link opened ahead of the loop that decides each interface's link
/// (`None`: not tried, with `--unprivileged`).
type Attempt = Option<Result<BoxLink, OpenError>>;

/// Tries the privileged link of every interface to scan, all at once, each in its own
/// thread: an Ethernet link's ring costs the kernel an RCU grace period to set up (15–40
/// ms), and side by side the interfaces wait for it together. Without the privilege
/// every attempt is refused alike, and the caller falls back for all of them. With
/// `--unprivileged` none is tried (`None`: for the caller to open).
fn open_privileged_all(
    backend: &dyn Backend,
    scan: Vec<Interface>,
    cfg: &ScanConfig,
) -> Vec<(Interface, Attempt)> {
    if cfg.unprivileged {
        return scan.into_iter().map(|i| (i, None)).collect();
    }
    let open =
        |i: &Interface| open_privileged(backend, i, &probe_sources(i, cfg.link_local_only), cfg);
    let attempts: Vec<Attempt> = std::thread::scope(|s| {
        let handles: Vec<_> = scan.iter().map(|i| s.spawn(move || open(i))).collect();
        handles
            .into_iter()
            .map(|h| Some(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))))
            .collect()
    });
    scan.into_iter().zip(attempts).collect()
}

/// Opens this system's sockets for the scans `cfg` describes (see [`open_with`]).
pub fn open(cfg: &ScanConfig, keep: Keep, warn: &mut dyn FnMut(Warning)) -> Result<Os> {
    #[cfg(target_os = "linux")]
    return open_with(&linux::Linux, cfg, keep, warn);
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (cfg, keep, warn);
        bail!("this platform is not supported yet (Linux only)")
    }
}

/// Opens the links of interface `name`, which appeared after `os` was opened (see
/// [`add_interface_with`]).
pub fn add_interface(
    os: &mut Os,
    name: &str,
    cfg: &ScanConfig,
    warn: &mut dyn FnMut(Warning),
) -> Result<Added> {
    #[cfg(target_os = "linux")]
    return add_interface_with(&linux::Linux, os, name, cfg, warn);
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (os, name, cfg, warn);
        bail!("this platform is not supported yet (Linux only)")
    }
}

/// The interfaces (names and indexes) a scan of every interface would use now. Listing
/// them needs no privilege, so a watch can ask after it gave its privileges up.
pub fn usable_interfaces() -> Vec<crate::iface::IfaceId> {
    #[cfg(target_os = "linux")]
    return crate::iface::usable_ids(&linux::Linux.interfaces());
    #[cfg(not(target_os = "linux"))]
    Vec::new()
}

/// Every network interface now, as plain data (listing needs no privilege).
pub fn interfaces() -> Vec<Interface> {
    #[cfg(target_os = "linux")]
    return linux::Linux.interfaces();
    #[cfg(not(target_os = "linux"))]
    Vec::new()
}

/// What sends `wake`'s magic packet (the Ethernet form needs CAP_NET_RAW).
pub fn wake_sender() -> Box<dyn crate::wake::Sender> {
    #[cfg(target_os = "linux")]
    return Box::new(linux::wake::WakeSender);
    #[cfg(not(target_os = "linux"))]
    return Box::new(NoWakeSender);
}

/// A system without a backend sends nothing.
#[cfg(not(target_os = "linux"))]
struct NoWakeSender;

#[cfg(not(target_os = "linux"))]
impl crate::wake::Sender for NoWakeSender {
    fn send_frame(&mut self, _: u32, _: &[u8]) -> Result<(), crate::wake::FrameError> {
        Err(crate::wake::FrameError::NotEthernet)
    }
    fn send_udp(&mut self, _: u32, _: &[u8]) -> io::Result<()> {
        Err(io::Error::other(
            "this platform is not supported yet (Linux only)",
        ))
    }
}

/// The user who ran `sudo v6scout`, when this process is root because of it.
pub fn invoking_user() -> Option<Identity> {
    #[cfg(target_os = "linux")]
    return linux::Linux.invoking_user();
    #[cfg(not(target_os = "linux"))]
    None
}

/// Gives up every privilege for good, for a command that needs none: capabilities
/// cleared, and under sudo the invoking user's ids taken (setuid root: the real user's),
/// so it reads and writes files as that user.
pub fn drop_all_privileges() -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        let user = invoking_user();
        linux::Linux.drop_privileges(user.as_ref(), false).map(drop)
    }
    #[cfg(not(target_os = "linux"))]
    Ok(())
}

/// This machine's host name (`None` when the system cannot tell).
pub fn host_name() -> Option<String> {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most `buf.len()` bytes into the buffer we own.
    let r = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if r != 0 {
        return None;
    }
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    String::from_utf8(buf[..end].to_vec())
        .ok()
        .filter(|h| !h.is_empty())
}

/// The home directory of user `uid` in the password database.
pub fn home_of(uid: u32) -> Option<std::path::PathBuf> {
    #[cfg(unix)]
    return unix::home_of(uid);
    #[cfg(not(unix))]
    {
        let _ = uid;
        None
    }
}

/// Replaces this process with `cmd` (the ssh helper); returns only on failure.
pub fn exec(cmd: &[String]) -> io::Error {
    let Some((prog, args)) = cmd.split_first() else {
        return io::Error::other("empty command");
    };
    #[cfg(unix)]
    return unix::exec(prog, args);
    #[cfg(not(unix))]
    {
        let _ = (prog, args);
        io::Error::other("running a program in v6scout's place needs a Unix system")
    }
}

/// Selects the interfaces of `cfg`, opens a probe link on each (raw; without CAP_NET_RAW,
/// or with `--unprivileged`, echo-only ping sockets), the ARP channels of `--ipv4`, and
/// gives up every privilege but what `keep` says. Interfaces that cannot be used are
/// warnings; none at all, or no way to probe, is an error that says what to do.
pub fn open_with(
    backend: &dyn Backend,
    cfg: &ScanConfig,
    keep: Keep,
    warn: &mut dyn FnMut(Warning),
) -> Result<Os> {
    let all = backend.interfaces();
    let selection = iface::select(&all, &cfg.interfaces)?;
    for (name, why) in &selection.skipped {
        warn(Warning::NotScanned {
            interface: name.clone(),
            why: why.to_string(),
        });
    }
    let mut links: Vec<(Interface, BoxLink)> = Vec::new();
    let mut unprivileged = cfg.unprivileged;
    let not_opened = |i: &Interface, e: &OpenError| Warning::LinkNotOpened {
        interface: i.name.clone(),
        why: e.to_string(),
    };
    for (i, attempt) in open_privileged_all(backend, selection.scan, cfg) {
        // Once one was refused, every attempt was: the rest fall back too.
        if let Some(attempt) = attempt.filter(|_| !unprivileged) {
            match attempt {
                Ok(l) => {
                    links.push((i, l));
                    continue;
                }
                // Without CAP_NET_RAW: fall back to ping sockets, for this link and the rest.
                Err(OpenError::NoPrivilege) => unprivileged = true,
                Err(e) => {
                    warn(not_opened(&i, &e));
                    continue;
                }
            }
        }
        let sources = probe_sources(&i, cfg.link_local_only);
        match backend.open_ping(&i, &sources) {
            Ok(l) => links.push((i, l)),
            Err(OpenError::NoPingSocket) if cfg.unprivileged => bail!(
                "--unprivileged: ping sockets are not allowed for your group; drop \
                 --unprivileged, or (the administrator's choice) enable them with: \
                 sudo sysctl net.ipv4.ping_group_range=\"0 2147483647\""
            ),
            Err(OpenError::NoPingSocket) => bail!(OpenError::NoPingSocket),
            Err(e) => warn(not_opened(&i, &e)),
        }
    }
    if links.is_empty() {
        bail!("no interface could be opened for probing");
    }
    // The ARP sweep's layer-2 sockets need CAP_NET_RAW too: open them before the drop.
    let mut arp = Vec::new();
    if cfg.ipv4_sweep.is_some() {
        for (i, _) in &links {
            let (Some(own), Some(mac)) = (backend.interface_ipv4(i.index), i.mac) else {
                continue;
            };
            match backend.open_arp(i.index) {
                Ok(chan) => arp.push(ArpPort {
                    index: i.index,
                    name: i.name.clone(),
                    mac,
                    own,
                    chan,
                }),
                Err(why) => warn(Warning::Sweep {
                    interface: i.name.clone(),
                    why,
                }),
            }
        }
    }
    // Every socket is open: nothing below needs a privilege, and packets are parsed next.
    // Under sudo the process also stops being root, so every file it writes (the
    // inventory) belongs to the user who ran it. Ping sockets need no privilege, so an
    // unprivileged watch keeps none either.
    let user = backend.invoking_user();
    let net_raw_kept = backend
        .drop_privileges(user.as_ref(), keep == Keep::NetRaw && !unprivileged)
        .map_err(|e| anyhow::anyhow!("could not give up privileges: {e}"))?;
    Ok(Os {
        links,
        arp,
        neigh: cfg.neigh_cache.then(|| backend.neighbours()),
        resolver: cfg.names.then(|| backend.resolvers()),
        connector: Box::new(TcpConnector),
        unprivileged,
        user,
        net_raw_kept,
    })
}

#[cfg(test)]
#[path = "platform_tests.rs"]
mod tests;
