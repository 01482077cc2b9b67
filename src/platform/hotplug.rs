//! Interfaces that come and go while a watch runs: a new one gets its links opened with
//! the CAP_NET_RAW the watch kept (raised only while they are opened), a vanished one's
//! links are closed.

use super::{probe_sources, ArpPort, Backend, Os};
use crate::config::ScanConfig;
use crate::warning::{io_reason, Warning};
use anyhow::{anyhow, Result};

/// What became of an interface that appeared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Added {
    /// Its link is open: the next scans probe it.
    Watched,
    /// It is not probed, and why (for the user).
    NotWatched(String),
}

/// Opens a probe link on interface `name` (and its ARP channel with `--ipv4`) and adds
/// it to `os`, replacing links an interface of that name had (a replugged adapter has a
/// new index). Raw links need the CAP_NET_RAW [`super::Keep::NetRaw`] kept: it is raised
/// for the opening only; an unprivileged `os` opens a ping socket. The error is only a
/// capability that could not be lowered again: the process must not go on with it.
pub fn add_interface_with(
    backend: &dyn Backend,
    os: &mut Os,
    name: &str,
    cfg: &ScanConfig,
    warn: &mut dyn FnMut(Warning),
) -> Result<Added> {
    let not = |why: String| Ok(Added::NotWatched(why));
    let Some(iface) = backend.interfaces().into_iter().find(|i| i.name == name) else {
        return not("it is gone again".into());
    };
    if let Some(why) = iface.unusable_reason() {
        return not(why.to_string());
    }
    remove_interface(os, name);
    let sources = probe_sources(&iface, cfg.link_local_only);
    if os.unprivileged {
        return match backend.open_ping(&iface, &sources) {
            Ok(link) => {
                os.links.push((iface, link));
                Ok(Added::Watched)
            }
            Err(e) => not(e.to_string()),
        };
    }
    if !os.net_raw_kept {
        return not(
            "CAP_NET_RAW was given up after the first sockets were opened: restart watch \
             to include it"
                .into(),
        );
    }
    if let Err(e) = backend.net_raw(true) {
        return not(format!("raising CAP_NET_RAW: {}", io_reason(&e)));
    }
    let link = super::open_privileged(backend, &iface, &sources, cfg);
    let arp = match (&link, cfg.ipv4_sweep, iface.mac) {
        (Ok(_), Some(_), Some(mac)) => backend
            .interface_ipv4(iface.index)
            .map(|own| (own, mac, backend.open_arp(iface.index))),
        _ => None,
    };
    // Lowered before anything else happens, whatever the opening gave.
    backend
        .net_raw(false)
        .map_err(|e| anyhow!("could not lower CAP_NET_RAW again: {}", io_reason(&e)))?;
    let link = match link {
        Ok(l) => l,
        Err(e) => return not(e.to_string()),
    };
    match arp {
        Some((own, mac, Ok(chan))) => os.arp.push(ArpPort {
            index: iface.index,
            name: iface.name.clone(),
            mac,
            own,
            chan,
        }),
        Some((_, _, Err(why))) => warn(Warning::Sweep {
            interface: iface.name.clone(),
            why,
        }),
        None => {}
    }
    os.links.push((iface, link));
    Ok(Added::Watched)
}

/// Closes the links (and ARP channel) of interface `name`; whether it had any.
pub fn remove_interface(os: &mut Os, name: &str) -> bool {
    let before = os.links.len() + os.arp.len();
    os.links.retain(|(i, _)| i.name != name);
    os.arp.retain(|a| a.name != name);
    os.links.len() + os.arp.len() != before
}
