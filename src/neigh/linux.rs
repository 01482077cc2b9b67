//! Neighbour cache over rtnetlink (`RTM_GETNEIGH` dump). Needs no privilege.

use super::{NeighEntry, NeighSource, NeighState};
use crate::mac::Mac;
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
    let mac = mac.filter(|m| !m.is_multicast() && !m.is_zero())?;
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

impl NeighSource for Netlink {
    fn dump(&self) -> io::Result<Vec<NeighEntry>> {
        let mut socket = Socket::new(NETLINK_ROUTE)?;
        socket.bind_auto()?;
        socket.connect(&SocketAddr::new(0, 0))?;
        let mut header = NetlinkHeader::default();
        header.flags = NLM_F_DUMP | NLM_F_REQUEST;
        let mut request = NeighbourMessage::default();
        request.header.family = AddressFamily::Inet6;
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
            let mut offset = 0;
            while offset < size {
                let msg: NetlinkMessage<RouteNetlinkMessage> =
                    NetlinkMessage::deserialize(&rx[offset..size]).map_err(invalid)?;
                let len = msg.header.length as usize;
                match msg.payload {
                    NetlinkPayload::Done(_) => return Ok(out),
                    NetlinkPayload::Error(e) => return Err(invalid(format!("{e:?}"))),
                    NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewNeighbour(m)) => {
                        out.extend(entry_from(&m));
                    }
                    _ => {}
                }
                if len == 0 {
                    break;
                }
                offset += len;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(state: NeighbourState, addr: &str, mac: &[u8]) -> NeighbourMessage {
        let mut m = NeighbourMessage::default();
        m.header.family = AddressFamily::Inet6;
        m.header.ifindex = 3;
        m.header.state = state;
        m.attributes = vec![
            NeighbourAttribute::Destination(NeighbourAddress::Inet6(addr.parse().unwrap())),
            NeighbourAttribute::LinkLayerAddress(mac.to_vec()),
        ];
        m
    }

    #[test]
    fn keeps_real_neighbours() {
        let mut m = msg(
            NeighbourState::Stale,
            "fe80::1",
            &[0xb8, 0x27, 0xeb, 1, 2, 3],
        );
        m.header.flags = NeighbourFlags::Router;
        let e = entry_from(&m).unwrap();
        assert_eq!(e.ifindex, 3);
        assert_eq!(e.state, NeighState::Stale);
        assert_eq!(e.mac, Some(Mac([0xb8, 0x27, 0xeb, 1, 2, 3])));
        assert!(e.router);
    }

    #[test]
    fn drops_entries_that_are_not_neighbours() {
        let mac = [2, 0, 0, 0, 0, 1];
        assert!(entry_from(&msg(NeighbourState::Failed, "fe80::1", &mac)).is_none());
        assert!(entry_from(&msg(NeighbourState::Incomplete, "fe80::1", &mac)).is_none());
        assert!(entry_from(&msg(NeighbourState::Noarp, "fe80::1", &mac)).is_none());
        assert!(entry_from(&msg(NeighbourState::Reachable, "ff02::1", &mac)).is_none());
        assert!(entry_from(&msg(
            NeighbourState::Reachable,
            "fe80::1",
            &[0x33, 0x33, 0, 0, 0, 1]
        ))
        .is_none());
        assert!(entry_from(&msg(NeighbourState::Reachable, "fe80::1", &[1, 2])).is_none());
    }
}
