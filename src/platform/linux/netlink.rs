//! Neighbour cache over rtnetlink (`RTM_GETNEIGH` dump). Needs no privilege.

use crate::mac::Mac;
use crate::neigh::{Ipv4Neighbour, NeighEntry, NeighSource, NeighState};
use netlink_packet_core::{
    NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_DUMP, NLM_F_REQUEST,
};
use netlink_packet_route::neighbour::{
    NeighbourAddress, NeighbourAttribute, NeighbourFlags, NeighbourMessage, NeighbourState,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};
use std::io;

/// The Linux neighbour table.
pub struct Netlink;

/// Turns one kernel message into an entry, or `None` for entries that say nothing about a
/// live neighbour (incomplete, failed, no-ARP, multicast, no link-layer address).
pub fn entry_from(msg: &NeighbourMessage) -> Option<NeighEntry> {
    let state = match msg.header.state {
        NeighbourState::Reachable => NeighState::Reachable,
        NeighbourState::Stale => NeighState::Stale,
        NeighbourState::Delay => NeighState::Delay,
        NeighbourState::Probe => NeighState::Probe,
        NeighbourState::Permanent => NeighState::Permanent,
        _ => return None,
    };
    let mut addr = None;
    let mut mac = None;
    for attr in &msg.attributes {
        match attr {
            NeighbourAttribute::Destination(NeighbourAddress::Inet6(a)) => addr = Some(*a),
            NeighbourAttribute::LinkLayerAddress(b) => {
                mac = <[u8; 6]>::try_from(b.as_slice()).ok().map(Mac);
            }
            _ => {}
        }
    }
    let addr = addr.filter(|a| crate::model::is_host_address(*a))?;
    let mac = mac.filter(|m| m.is_host())?;
    Some(NeighEntry {
        ifindex: msg.header.ifindex,
        addr,
        mac: Some(mac),
        state,
        router: msg.header.flags.contains(NeighbourFlags::Router),
    })
}

fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

/// An IPv4 entry worth trusting as "this MAC has this address now": confirmed recently
/// (reachable, being re-confirmed) or configured by hand. A merely stale ARP entry can be
/// an address the host has since lost, which is exactly what users look for.
pub fn ipv4_entry_from(msg: &NeighbourMessage) -> Option<Ipv4Neighbour> {
    if !matches!(
        msg.header.state,
        NeighbourState::Reachable
            | NeighbourState::Delay
            | NeighbourState::Probe
            | NeighbourState::Permanent
    ) {
        return None;
    }
    let mut addr = None;
    let mut mac = None;
    for attr in &msg.attributes {
        match attr {
            NeighbourAttribute::Destination(NeighbourAddress::Inet(a)) => addr = Some(*a),
            NeighbourAttribute::LinkLayerAddress(b) => {
                mac = <[u8; 6]>::try_from(b.as_slice()).ok().map(Mac);
            }
            _ => {}
        }
    }
    let addr = addr.filter(|a| {
        !(a.is_multicast() || a.is_broadcast() || a.is_unspecified() || a.is_loopback())
    })?;
    let mac = mac.filter(|m| m.is_host())?;
    Some(Ipv4Neighbour {
        ifindex: msg.header.ifindex,
        addr,
        mac,
    })
}

/// Every neighbour message of one address family.
fn dump_family(family: AddressFamily) -> io::Result<Vec<NeighbourMessage>> {
    let mut socket = Socket::new(NETLINK_ROUTE)?;
    socket.bind_auto()?;
    socket.connect(&SocketAddr::new(0, 0))?;
    let mut header = NetlinkHeader::default();
    header.flags = NLM_F_DUMP | NLM_F_REQUEST;
    let mut request = NeighbourMessage::default();
    request.header.family = family;
    let mut req = NetlinkMessage::new(
        header,
        NetlinkPayload::from(RouteNetlinkMessage::GetNeighbour(request)),
    );
    req.finalize();
    let mut buf = vec![0; req.header.length as usize];
    req.serialize(&mut buf[..]);
    socket.send(&buf[..], 0)?;

    let mut out = Vec::new();
    let mut rx = vec![0u8; 64 * 1024];
    loop {
        let size = socket.recv(&mut &mut rx[..], 0)?;
        if read_batch(rx.get(..size).unwrap_or_default(), &mut out)? {
            return Ok(out);
        }
    }
}

/// Reads one datagram of a dump: every neighbour message in it goes to `out`; true when
/// the dump is done. Total: any bytes give messages or an error, never a panic (fuzzed).
pub fn read_batch(buf: &[u8], out: &mut Vec<NeighbourMessage>) -> io::Result<bool> {
    let mut offset = 0;
    while let Some(rest) = buf.get(offset..).filter(|r| !r.is_empty()) {
        let msg: NetlinkMessage<RouteNetlinkMessage> =
            NetlinkMessage::deserialize(rest).map_err(invalid)?;
        let len = msg.header.length as usize;
        match msg.payload {
            NetlinkPayload::Done(_) => return Ok(true),
            NetlinkPayload::Error(e) => return Err(invalid(format!("{e:?}"))),
            NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewNeighbour(m)) => out.push(m),
            _ => {}
        }
        if len == 0 {
            break;
        }
        offset = offset.saturating_add(len);
    }
    Ok(false)
}

/// The neighbour entries (IPv6 and IPv4) one dump datagram gives, as the scan reads them:
/// what the fuzz targets feed arbitrary bytes to.
pub fn entries_of_batch(buf: &[u8]) -> (Vec<NeighEntry>, Vec<Ipv4Neighbour>) {
    let mut msgs = Vec::new();
    let _ = read_batch(buf, &mut msgs);
    (
        msgs.iter().filter_map(entry_from).collect(),
        msgs.iter().filter_map(ipv4_entry_from).collect(),
    )
}

impl NeighSource for Netlink {
    fn dump(&self) -> io::Result<Vec<NeighEntry>> {
        Ok(dump_family(AddressFamily::Inet6)?
            .iter()
            .filter_map(entry_from)
            .collect())
    }

    fn dump_ipv4(&self) -> io::Result<Vec<Ipv4Neighbour>> {
        Ok(dump_family(AddressFamily::Inet)?
            .iter()
            .filter_map(ipv4_entry_from)
            .collect())
    }
}

#[cfg(test)]
#[path = "netlink_tests.rs"]
mod tests;
