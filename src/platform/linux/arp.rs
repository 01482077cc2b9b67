//! The ARP sweep's layer-2 channel: an `AF_PACKET` socket on one interface, through
//! `pnet`'s datalink channel. Opening needs CAP_NET_RAW; using it does not.

use crate::ipv4::sweep::ArpChannel;
use pnet_datalink::{self as datalink, Channel, Config, DataLinkReceiver, DataLinkSender};
use std::io;
use std::net::Ipv4Addr;
use std::time::Duration;

/// An open layer-2 channel.
pub struct PacketChannel {
    tx: Box<dyn DataLinkSender>,
    rx: Box<dyn DataLinkReceiver>,
}

impl ArpChannel for PacketChannel {
    fn send(&mut self, frame: &[u8]) -> io::Result<()> {
        self.tx.send_to(frame, None).unwrap_or(Ok(()))
    }

    fn recv(&mut self) -> io::Result<Option<&[u8]>> {
        match self.rx.next() {
            Ok(frame) => Ok(Some(frame)),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

/// The interface's first IPv4 address and prefix length, if it has one.
pub fn interface_ipv4(ifindex: u32) -> Option<(Ipv4Addr, u8)> {
    datalink::interfaces()
        .into_iter()
        .find(|i| i.index == ifindex)?
        .ips
        .iter()
        .find_map(|n| match n {
            ipnetwork::IpNetwork::V4(v4) => Some((v4.ip(), v4.prefix())),
            ipnetwork::IpNetwork::V6(_) => None,
        })
}

/// What a failure to open the channel means for the user.
fn open_failure(e: &io::Error) -> String {
    if matches!(e.raw_os_error(), Some(libc::EPERM | libc::EACCES)) {
        format!(
            "no ARP sweep: it needs CAP_NET_RAW (run with sudo, or once: {})",
            super::super::SETCAP
        )
    } else {
        format!("ARP sweep failed: {}", crate::warning::io_reason(e))
    }
}

/// Opens the layer-2 channel of interface `ifindex`; the error is worded for the user.
pub fn open(ifindex: u32) -> Result<PacketChannel, String> {
    let iface = datalink::interfaces()
        .into_iter()
        .find(|i| i.index == ifindex)
        .ok_or_else(|| "no ARP sweep: the interface vanished".to_string())?;
    let config = Config {
        read_timeout: Some(Duration::from_millis(5)),
        ..Config::default()
    };
    match datalink::channel(&iface, config) {
        Ok(Channel::Ethernet(tx, rx)) => Ok(PacketChannel { tx, rx }),
        Ok(_) => Err("no ARP sweep: not an Ethernet interface".to_string()),
        Err(e) => Err(open_failure(&e)),
    }
}

#[cfg(test)]
#[path = "arp_tests.rs"]
mod tests;
