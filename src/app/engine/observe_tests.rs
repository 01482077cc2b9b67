use super::*;
use crate::iface::IfAddr;
use crate::mac::Mac;
use crate::model::{Observation, SeenBy};

fn iface(name: &str, index: u32) -> Interface {
    Interface {
        name: name.into(),
        index,
        mac: None,
        up: true,
        multicast: true,
        loopback: false,
        addrs: vec![IfAddr {
            addr: "fe80::100".parse().unwrap(),
            prefix_len: 64,
        }],
    }
}

fn seen(t: &mut HostTable, ifindex: u32, addr: &str, mac: Option<u8>) {
    t.add(Observation::Address {
        ifindex,
        addr: addr.parse().unwrap(),
        via: SeenBy::Echo,
        mac: mac.map(|m| Mac([2, 0, 0, 0, 0, m])),
        frame_mac: None,
        rtt: None,
        router: false,
    });
}

#[test]
fn progress_counts_hosts_per_interface() {
    let mut t = HostTable::new(100);
    seen(&mut t, 2, "fe80::1", Some(1));
    seen(&mut t, 2, "2001:db8::1", Some(1));
    seen(&mut t, 2, "fe80::2", None);
    seen(&mut t, 2, "fe80::100", None); // our own
    let line = progress_line(&t, &[iface("eth0", 2), iface("eth1", 3)]);
    assert_eq!(line, "scanning… eth0 2 hosts, eth1 0 hosts");
}

#[test]
fn progress_line_is_drawn_and_cleared() {
    let mut buf = Vec::new();
    {
        let mut p = Progress::new(&mut buf);
        p.ifaces = vec![iface("eth0", 2)];
        p.draw(&HostTable::new(1));
    }
    let s = String::from_utf8(buf).unwrap();
    assert_eq!(s, "\r\x1b[2Kscanning… eth0 0 hosts\r\x1b[2K");
}
