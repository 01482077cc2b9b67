use super::*;
use crate::iface::IfAddr;
use crate::inventory::KnownAddr;
use crate::model::{IidKind, SeenBy};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const PI: Mac = Mac([0x2c, 0xcf, 0x67, 0x5a, 0x00, 0x03]);
const OURS: Mac = Mac([0x02, 0x00, 0x5e, 0x10, 0x00, 0x01]);

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The magic payload for 2c:cf:67:5a:00:03, written out.
const MAGIC_HEX: &str = concat!(
    "ffffffffffff",
    "2ccf675a0003",
    "2ccf675a0003",
    "2ccf675a0003",
    "2ccf675a0003",
    "2ccf675a0003",
    "2ccf675a0003",
    "2ccf675a0003",
    "2ccf675a0003",
    "2ccf675a0003",
    "2ccf675a0003",
    "2ccf675a0003",
    "2ccf675a0003",
    "2ccf675a0003",
    "2ccf675a0003",
    "2ccf675a0003",
    "2ccf675a0003",
);

#[test]
fn the_magic_payload_is_six_ff_then_the_mac_sixteen_times() {
    let m = magic(PI);
    assert_eq!(m.len(), 102);
    assert_eq!(m.to_vec(), unhex(MAGIC_HEX));
}

#[test]
fn the_frame_is_a_broadcast_of_type_0842_from_our_mac() {
    let f = ether_frame(OURS, PI);
    let want = unhex(&format!("ffffffffffff02005e1000010842{MAGIC_HEX}"));
    assert_eq!(f, want);
    assert_eq!(f.len(), 116);
}

fn iface(mac: Option<Mac>) -> Interface {
    Interface {
        name: "eth0".into(),
        index: 7,
        mac,
        up: true,
        multicast: true,
        loopback: false,
        addrs: vec![IfAddr {
            addr: "fe80::1".parse().unwrap(),
            prefix_len: 64,
        }],
    }
}

/// Records what it is asked to send; refuses what it is told to.
#[derive(Default)]
struct Fake {
    frames: Vec<(u32, Vec<u8>)>,
    datagrams: Vec<(u32, Vec<u8>)>,
    no_privilege: bool,
    udp_fails: bool,
}

impl Sender for Fake {
    fn send_frame(&mut self, ifindex: u32, frame: &[u8]) -> Result<(), FrameError> {
        if self.no_privilege {
            return Err(FrameError::NoPrivilege);
        }
        self.frames.push((ifindex, frame.to_vec()));
        Ok(())
    }

    fn send_udp(&mut self, ifindex: u32, payload: &[u8]) -> io::Result<()> {
        if self.udp_fails {
            return Err(io::Error::from_raw_os_error(libc::ENETDOWN));
        }
        self.datagrams.push((ifindex, payload.to_vec()));
        Ok(())
    }
}

fn send_with(fake: &mut Fake, mac: Option<Mac>) -> (Sent, Vec<String>) {
    let mut warnings = Vec::new();
    let sent = send(fake, &iface(mac), PI, "use sudo", &mut |w| {
        warnings.push(w.to_string())
    });
    (sent, warnings)
}

#[test]
fn sends_both_forms_on_the_interface_of_the_device() {
    let mut fake = Fake::default();
    let (sent, warnings) = send_with(&mut fake, Some(OURS));
    assert_eq!(
        sent,
        Sent {
            frame: true,
            udp: true
        }
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(fake.frames, [(7, ether_frame(OURS, PI))]);
    assert_eq!(fake.datagrams, [(7, unhex(MAGIC_HEX))]);
}

#[test]
fn without_the_privilege_the_udp_form_goes_alone_with_one_warning() {
    let mut fake = Fake {
        no_privilege: true,
        ..Fake::default()
    };
    let (sent, warnings) = send_with(&mut fake, Some(OURS));
    assert_eq!(
        sent,
        Sent {
            frame: false,
            udp: true
        }
    );
    assert!(sent.any());
    assert_eq!(fake.datagrams.len(), 1);
    assert_eq!(
        warnings,
        [
            "eth0: the magic packet as an Ethernet frame (type 0x0842) was not sent: sending an \
          Ethernet frame needs the CAP_NET_RAW capability (the UDP datagram does not): use sudo"
        ]
    );
}

#[test]
fn an_interface_without_a_mac_gets_the_udp_form_and_a_failed_send_is_said() {
    let mut fake = Fake::default();
    let (sent, warnings) = send_with(&mut fake, None);
    assert!(!sent.frame && sent.udp);
    assert!(fake.frames.is_empty());
    assert!(warnings[0].contains("no Ethernet framing"), "{warnings:?}");

    let mut fake = Fake {
        no_privilege: true,
        udp_fails: true,
        ..Fake::default()
    };
    let (sent, warnings) = send_with(&mut fake, Some(OURS));
    assert!(!sent.any());
    assert_eq!(warnings.len(), 2);
    assert!(
        warnings[1].starts_with("eth0: the magic packet as UDP to ff02::1 port 9 was not sent")
            && warnings[1].contains("the interface is down")
            && !warnings[1].contains("os error"),
        "{warnings:?}"
    );
}

fn t(s: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_704_067_200 + s)
}

fn device(iface: &str, mac: Mac, vendor: &str, names: &[&str], seen: u64) -> Device {
    let ll: Ipv6Addr = Ipv6Addr::from(
        [
            [0xfe, 0x80, 0, 0, 0, 0, 0, 0].as_slice(),
            &mac.eui64_interface_id(),
        ]
        .concat()
        .try_into()
        .map(u128::from_be_bytes)
        .unwrap(),
    );
    Device {
        iface: IfaceKey {
            name: iface.into(),
            mac: Some(Mac([0x02, 0xee, 0, 0, 0, iface.len() as u8])),
        },
        mac,
        vendor: Some(vendor.into()),
        names: names.iter().map(|n| n.to_string()).collect(),
        label: None,
        site: None,
        router: false,
        first_seen: t(0),
        last_seen: t(seen),
        addresses: vec![KnownAddr {
            address: ll,
            first_seen: t(0),
            last_seen: t(seen),
            seen_by: vec![SeenBy::Echo],
            iid: IidKind::Eui64,
        }],
        ipv4: Vec::new(),
    }
}

const OTHER_PI: Mac = Mac([0xe4, 0x5f, 0x01, 0x5a, 0x00, 0x04]);

/// Newest first, as the inventory lists them: the first Pi on wlan0 (seen last), the
/// same Pi on eth0, another Pi on eth0.
fn remembered() -> Vec<Device> {
    vec![
        device("wlan0", PI, "Raspberry Pi (Trading) Ltd", &["pi"], 30),
        device("eth0", PI, "Raspberry Pi (Trading) Ltd", &["pi"], 20),
        device("eth0", OTHER_PI, "Raspberry Pi Trading Ltd", &[], 10),
    ]
}

#[test]
fn a_device_is_its_mac_woken_where_it_was_seen_last() {
    let all = remembered();
    let q = |s: &str| s.parse::<Query>().unwrap();
    let Choice::One(d) = choose(&all, &q("2c:cf:67"), &[]) else {
        panic!("not one")
    };
    assert_eq!((d.mac, d.iface.name.as_str()), (PI, "wlan0"));
    let Choice::One(d) = choose(&all, &q("pi"), &[]) else {
        panic!("not one")
    };
    assert_eq!(d.iface.name, "wlan0");
    // -i picks the sighting on that interface.
    let Choice::One(d) = choose(&all, &q("2c:cf:67:5a:00:03"), &["eth0".into()]) else {
        panic!("not one")
    };
    assert_eq!(d.iface.name, "eth0");
}

#[test]
fn a_device_another_site_saw_is_not_woken_from_here() {
    let at_site = |d: Device| Device {
        site: Some("branch".into()),
        ..d
    };
    // Seen last at a site (on its eth0), before that on this machine's eth0.
    let all = vec![
        at_site(device(
            "eth0",
            PI,
            "Raspberry Pi (Trading) Ltd",
            &["pi"],
            40,
        )),
        device("eth0", PI, "Raspberry Pi (Trading) Ltd", &["pi"], 20),
        at_site(device(
            "eth0",
            OTHER_PI,
            "Raspberry Pi Trading Ltd",
            &[],
            50,
        )),
    ];
    let q = |s: &str| s.parse::<Query>().unwrap();
    let Choice::One(d) = choose(&all, &q("trading"), &["eth0".into()]) else {
        panic!("not one")
    };
    assert_eq!((d.mac, d.site.as_deref(), d.last_seen), (PI, None, t(20)));
    assert_eq!(choose(&all, &q("e4:5f:01"), &[]), Choice::Nothing);
}

#[test]
fn several_macs_are_ambiguous_and_nothing_is_nothing() {
    let all = remembered();
    let q = |s: &str| s.parse::<Query>().unwrap();
    let Choice::Several(ds) = choose(&all, &q("trading"), &[]) else {
        panic!("not several")
    };
    let macs: Vec<Mac> = ds.iter().map(|d| d.mac).collect();
    assert_eq!(macs, [PI, OTHER_PI]);
    // On wlan0 only one of them was ever seen.
    assert!(matches!(
        choose(&all, &q("trading"), &["wlan0".into()]),
        Choice::One(d) if d.mac == PI
    ));
    assert_eq!(choose(&all, &q("00:00:5e:00:53:01"), &[]), Choice::Nothing);
    assert_eq!(
        choose(&all, &q("e4:5f:01"), &["wlan0".into()]),
        Choice::Nothing
    );
    assert_eq!(choose(&[], &q("pi"), &[]), Choice::Nothing);
}

#[test]
fn candidates_read_like_resolve_s() {
    let all = remembered();
    let lines = crate::query::describe_all(&[candidate(&all[0]), candidate(&all[2])]);
    assert_eq!(
        lines,
        [
            "wlan0  2c:cf:67:5a:00:03  Raspberry Pi (Trading) Ltd  [pi]  fe80::2ecf:67ff:fe5a:3%wlan0",
            "eth0   e4:5f:01:5a:00:04  Raspberry Pi Trading Ltd          fe80::e65f:1ff:fe5a:4%eth0",
        ]
    );
}

fn named(name: &str, index: u32, mac: Option<Mac>) -> Interface {
    Interface {
        name: name.into(),
        index,
        ..iface(mac)
    }
}

#[test]
fn finds_the_interface_by_name_or_after_a_rename_by_its_mac() {
    let usb = Mac([0x00, 0x0e, 0xc6, 0, 0, 1]);
    let key = IfaceKey {
        name: "eth1".into(),
        mac: Some(usb),
    };
    let all = [named("eth0", 2, Some(OURS)), named("eth1", 3, Some(usb))];
    assert_eq!(interface_for(&all, &key).map(|i| i.index), Some(3));
    // Renamed (enx000ec6000001): found by its MAC.
    let renamed = [named("eth0", 2, Some(OURS)), named("enx0", 9, Some(usb))];
    assert_eq!(interface_for(&renamed, &key).map(|i| i.index), Some(9));
    // Its name now belongs to another adapter, and two share its MAC: not guessed.
    let shared = [
        named("eth1", 2, Some(OURS)),
        named("enx0", 9, Some(usb)),
        named("enx0.10", 10, Some(usb)),
    ];
    assert_eq!(interface_for(&shared, &key), None);
    // Gone altogether.
    assert_eq!(interface_for(&all[..1], &key), None);
    // A key without a MAC (a tunnel) goes by name.
    let tun = IfaceKey {
        name: "tun0".into(),
        mac: None,
    };
    assert_eq!(
        interface_for(&[named("tun0", 4, None)], &tun).map(|i| i.index),
        Some(4)
    );
}
