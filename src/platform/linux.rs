//! The Linux backend: raw and ping ICMPv6 sockets, `AF_PACKET` channels (through `pnet`)
//! for the ARP sweep, the rtnetlink neighbour table, and capabilities.

pub mod arp;
pub mod caps;
mod cmsg;
pub mod ether;
mod frames;
pub mod netlink;
pub mod ping;
pub mod raw;
pub mod wake;

use super::{Backend, BoxLink, Identity, OpenError, ResolverFactory};
use crate::iface::{IfAddr, Interface};
use crate::ipv4::sweep::ArpChannel;
use crate::mac::Mac;
use crate::neigh::NeighSource;
use ether::EtherLink;
use ping::PingLink;
use raw::RawLink;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The Linux system.
#[derive(Clone, Copy, Debug, Default)]
pub struct Linux;

impl Backend for Linux {
    fn interfaces(&self) -> Vec<Interface> {
        pnet_datalink::interfaces()
            .into_iter()
            .map(|i| Interface {
                up: i.is_up(),
                multicast: i.is_multicast(),
                loopback: i.is_loopback(),
                mac: i.mac.map(|m| Mac(m.octets())).filter(|m| !m.is_zero()),
                addrs: i
                    .ips
                    .iter()
                    .filter_map(|ip| match ip {
                        ipnetwork::IpNetwork::V6(n) => Some(IfAddr {
                            addr: n.ip(),
                            prefix_len: n.prefix(),
                        }),
                        ipnetwork::IpNetwork::V4(_) => None,
                    })
                    .collect(),
                name: i.name,
                index: i.index,
            })
            .collect()
    }

    fn open_raw(
        &self,
        iface: &Interface,
        sources: &[Ipv6Addr],
        mld: bool,
    ) -> Result<BoxLink, OpenError> {
        Ok(Box::new(RawLink::open(iface.index, mld, sources)?))
    }

    fn open_ether(
        &self,
        iface: &Interface,
        sources: &[Ipv6Addr],
        mld: bool,
    ) -> Result<BoxLink, OpenError> {
        Ok(Box::new(EtherLink::open(iface, sources, mld)?))
    }

    fn open_ping(&self, iface: &Interface, sources: &[Ipv6Addr]) -> Result<BoxLink, OpenError> {
        Ok(Box::new(PingLink::open(iface.index, sources)?))
    }

    fn interface_ipv4(&self, ifindex: u32) -> Option<(Ipv4Addr, u8)> {
        arp::interface_ipv4(ifindex)
    }

    fn open_arp(&self, ifindex: u32) -> Result<Box<dyn ArpChannel + Send>, String> {
        Ok(Box::new(arp::open(ifindex)?))
    }

    fn invoking_user(&self) -> Option<Identity> {
        // SAFETY: plain id queries.
        let root = unsafe { libc::getuid() == 0 && libc::geteuid() == 0 };
        let (uid, gid) = super::sudo_ids(
            std::env::var_os("SUDO_UID").as_deref(),
            std::env::var_os("SUDO_GID").as_deref(),
            root,
        )?;
        Some(Identity {
            uid,
            gid,
            home: super::home_of(uid),
        })
    }

    fn drop_privileges(&self, user: Option<&Identity>, keep_net_raw: bool) -> io::Result<bool> {
        let ids = user.map(|u| (u.uid, u.gid));
        let state = if keep_net_raw {
            caps::drop_all_but_net_raw(ids)?
        } else {
            caps::drop_all(ids)?
        };
        Ok(state.permitted & caps::NET_RAW != 0)
    }

    fn net_raw(&self, raised: bool) -> io::Result<()> {
        caps::set_net_raw(raised)
    }

    fn neighbours(&self) -> Box<dyn NeighSource + Send + Sync> {
        Box::new(netlink::Netlink)
    }

    fn resolvers(&self) -> ResolverFactory {
        Box::new(|| Box::new(super::unix::resolver::SystemResolver::new(true)))
    }
}
